/* test-gmail-sync.c: Gmail sync against the in-process fake server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Quotas: where a test runs with the fake server's quota on, the quota is
 * Gmail's per-user budget compressed in time (the same units per 1 s
 * window that Gmail grants per 60 s), and the client's limiter is set to
 * the same numbers, so pacing is exercised exactly as in production, only
 * faster.
 */
#include "config.h"

#include <string.h>

#include "ember-error.h"
#include "ember-gmail-json.h"
#include "ember-test-utils.h"
#include "test-gmail-fixture.h"

#define GMAIL_MESSAGES_PATH "/gmail/v1/users/me/messages"
#define GMAIL_HISTORY_PATH  "/gmail/v1/users/me/history"

static void
options_with_quota (EmberFakeServerOptions *options,
                    guint                   n_messages,
                    guint                   units_per_second)
{
  ember_fake_server_options_init (options);
  options->n_messages = n_messages;
  options->n_events = 10;
  options->gmail_quota_units = units_per_second;
  options->gmail_quota_window_seconds = 1;
}

static EmberSyncState *
mail_state (GmailFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  EmberSyncState *state = ember_store_get_sync_state_sync (fixture->store, fixture->account->id,
                                                           EMBER_GMAIL_RESOURCE_MAIL, NULL, &error);

  g_assert_no_error (error);
  return state;
}

static guint64
server_history_id (GmailFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = ember_fake_server_dup_account_json (fixture->server, GMAIL_TEST_EMAIL, &error);
  g_autoptr(JsonNode) root = NULL;

  g_assert_no_error (error);
  root = json_from_string (json, &error);
  g_assert_no_error (error);

  return ember_gmail_json_get_uint64 (json_node_get_object (root), "historyId");
}

static void
sync_ok (GmailFixture    *fixture,
         EmberSyncReport *report)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gmail_fixture_sync_mail (fixture, report, NULL, &error));
  g_assert_no_error (error);
}

static void
test_full_sync (void)
{
  GmailFixture fixture;
  EmberFakeServerOptions options;
  g_autoptr(EmberSyncReport) report = ember_sync_report_new (NULL, NULL, NULL);
  g_autoptr(EmberSyncState) state = NULL;
  g_autofree char *history_before = NULL;
  g_autofree char *phase = NULL;
  guint64 done = 0, total = 0;

  /* 2,000 messages with the quota on (6,000 units a second, 60x time). */
  options_with_quota (&options, 2000, 6000);
  gmail_fixture_init (&fixture, &options);

  history_before = g_strdup_printf ("%" G_GUINT64_FORMAT, server_history_id (&fixture));
  sync_ok (&fixture, report);

  gmail_fixture_assert_mail_matches (&fixture);
  state = mail_state (&fixture);
  g_assert_cmpstr (state->phase, ==, "incremental");
  g_assert_cmpstr (state->cursor, ==, history_before);

  /* A first sync stores everything and counts nothing as new. */
  g_assert_cmpuint (ember_sync_report_get_stored_messages (report), ==, 2000);
  g_assert_cmpuint (ember_sync_report_get_new_messages (report), ==, 0);
  ember_sync_report_get_progress (report, &phase, &done, &total, NULL);
  g_assert_cmpstr (phase, ==, "mail");
  g_assert_cmpuint (done, ==, total);
  g_assert_cmpuint (total, >=, 2000);

  /* Each message fetched once, and the quota never refused anything. */
  g_assert_cmpuint (gmail_fixture_count_calls (&fixture, NULL, GMAIL_MESSAGES_PATH "/", NULL), ==, 2000);
  g_assert_cmpuint (gmail_fixture_count_status (&fixture, 429), ==, 0);

  gmail_fixture_clear (&fixture);
}

static void
test_incremental_sync (void)
{
  GmailFixture fixture;
  g_autoptr(EmberSyncReport) report = ember_sync_report_new (NULL, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) inbox = NULL;
  g_auto(GStrv) all = NULL;
  g_autofree char *added = NULL;
  g_autofree char *added_sent = NULL;
  g_autofree char *moved = NULL;
  const char *add_labels[] = { "STARRED", NULL };
  const char *remove_labels[] = { "INBOX", NULL };
  EmberFakeMessageSpec spec = { 0 };
  EmberFakeMessageSpec sent_spec = { 0 };
  const char *sent_labels[] = { "SENT", NULL };

  gmail_fixture_init (&fixture, NULL);
  sync_ok (&fixture, NULL);
  gmail_fixture_assert_mail_matches (&fixture);

  inbox = ember_fake_server_list_message_ids (fixture.server, GMAIL_TEST_EMAIL, "INBOX", &error);
  g_assert_no_error (error);
  all = ember_fake_server_list_message_ids (fixture.server, GMAIL_TEST_EMAIL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (inbox), >=, 6);

  spec.subject = "Incremental hello";
  spec.from_name = "Zoë Example";
  spec.from_address = "zoe@example.org";
  spec.text = "A new message.";
  spec.unread = TRUE;
  added = ember_fake_server_add_message (fixture.server, GMAIL_TEST_EMAIL, &spec, &error);
  g_assert_no_error (error);
  sent_spec.subject = "Sent by me";
  sent_spec.from_address = GMAIL_TEST_EMAIL;
  sent_spec.to_address = "someone@example.org";
  sent_spec.text = "Outgoing.";
  sent_spec.labels = sent_labels;
  added_sent = ember_fake_server_add_message (fixture.server, GMAIL_TEST_EMAIL, &sent_spec, &error);
  g_assert_no_error (error);

  g_assert_true (ember_fake_server_delete_message (fixture.server, GMAIL_TEST_EMAIL, inbox[0], &error));
  g_assert_true (ember_fake_server_delete_message (fixture.server, GMAIL_TEST_EMAIL, all[g_strv_length (all) - 1], &error));
  g_assert_true (ember_fake_server_set_message_unread (fixture.server, GMAIL_TEST_EMAIL, inbox[1], FALSE, &error));
  g_assert_true (ember_fake_server_set_message_unread (fixture.server, GMAIL_TEST_EMAIL, inbox[2], TRUE, &error));
  g_assert_true (ember_fake_server_relabel_message (fixture.server, GMAIL_TEST_EMAIL, inbox[3],
                                                    add_labels, remove_labels, &error));
  moved = ember_fake_server_move_message (fixture.server, GMAIL_TEST_EMAIL, inbox[4], "trash", &error);
  g_assert_no_error (error);
  /* Read, then unread again: the last change wins. */
  g_assert_true (ember_fake_server_set_message_unread (fixture.server, GMAIL_TEST_EMAIL, inbox[5], FALSE, &error));
  g_assert_true (ember_fake_server_set_message_unread (fixture.server, GMAIL_TEST_EMAIL, inbox[5], TRUE, &error));
  g_assert_no_error (error);

  ember_fake_server_clear_request_log (fixture.server);
  sync_ok (&fixture, report);
  gmail_fixture_assert_mail_matches (&fixture);

  /* History, not a listing; only the two new messages were fetched. */
  g_assert_cmpuint (gmail_fixture_count_calls (&fixture, GMAIL_MESSAGES_PATH, NULL, NULL), ==, 0);
  g_assert_cmpuint (gmail_fixture_count_calls (&fixture, GMAIL_HISTORY_PATH, NULL, NULL), >=, 1);
  g_assert_cmpuint (gmail_fixture_count_calls (&fixture, NULL, GMAIL_MESSAGES_PATH "/", NULL), ==, 2);
  /* The sent one is not "new mail". */
  g_assert_cmpuint (ember_sync_report_get_new_messages (report), ==, 1);

  /* Nothing changed: one history call, nothing fetched, cursor kept. */
  ember_fake_server_clear_request_log (fixture.server);
  sync_ok (&fixture, NULL);
  g_assert_cmpuint (gmail_fixture_count_calls (&fixture, GMAIL_HISTORY_PATH, NULL, NULL), ==, 1);
  g_assert_cmpuint (gmail_fixture_count_calls (&fixture, NULL, GMAIL_MESSAGES_PATH, NULL), ==, 0);
  gmail_fixture_assert_mail_matches (&fixture);

  gmail_fixture_clear (&fixture);
}

static void
test_history_expired (void)
{
  GmailFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberSyncState) state = NULL;
  g_auto(GStrv) all = NULL;
  g_autofree char *added = NULL;
  g_autofree char *history_before = NULL;
  EmberFakeMessageSpec spec = { 0 };

  gmail_fixture_init (&fixture, NULL);
  sync_ok (&fixture, NULL);

  all = ember_fake_server_list_message_ids (fixture.server, GMAIL_TEST_EMAIL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 5; i++)
    g_assert_true (ember_fake_server_delete_message (fixture.server, GMAIL_TEST_EMAIL, all[i * 7], &error));
  g_assert_true (ember_fake_server_set_message_unread (fixture.server, GMAIL_TEST_EMAIL, all[3], TRUE, &error));
  spec.subject = "After the expiry";
  spec.from_address = "late@example.org";
  spec.text = "Hello";
  added = ember_fake_server_add_message (fixture.server, GMAIL_TEST_EMAIL, &spec, &error);
  g_assert_no_error (error);
  g_assert_true (ember_fake_server_expire_cursors (fixture.server, GMAIL_TEST_EMAIL, EMBER_FAKE_CURSOR_HISTORY, &error));
  g_assert_no_error (error);

  ember_fake_server_clear_request_log (fixture.server);
  history_before = g_strdup_printf ("%" G_GUINT64_FORMAT, server_history_id (&fixture));
  sync_ok (&fixture, NULL);

  /* 404 on history, then a listing that removed what the server lost. */
  g_assert_cmpuint (gmail_fixture_count_status (&fixture, 404), >=, 1);
  g_assert_cmpuint (gmail_fixture_count_calls (&fixture, GMAIL_MESSAGES_PATH, NULL, NULL), >=, 1);
  gmail_fixture_assert_mail_matches (&fixture);
  state = mail_state (&fixture);
  g_assert_cmpstr (state->phase, ==, "incremental");
  g_assert_cmpstr (state->cursor, ==, history_before);

  /* And incremental sync works from there. */
  ember_fake_server_clear_request_log (fixture.server);
  g_assert_true (ember_fake_server_delete_message (fixture.server, GMAIL_TEST_EMAIL, added, &error));
  sync_ok (&fixture, NULL);
  g_assert_cmpuint (gmail_fixture_count_calls (&fixture, GMAIL_MESSAGES_PATH, NULL, NULL), ==, 0);
  gmail_fixture_assert_mail_matches (&fixture);

  gmail_fixture_clear (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/providers/gmail-sync/full", test_full_sync);
  g_test_add_func ("/ember/providers/gmail-sync/incremental", test_incremental_sync);
  g_test_add_func ("/ember/providers/gmail-sync/history-expired", test_history_expired);

  return g_test_run ();
}
