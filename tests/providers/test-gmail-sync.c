/* test-gmail-sync.c: Gmail sync against the in-process fake server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Quotas: where a test runs with the fake server's quota on, it is Gmail's
 * per-user budget sped up (see gmail_fixture_options_with_quota ()), and the
 * client's limiter gets the same numbers, so pacing works as in production,
 * only faster. Sanitizer builds use smaller mailboxes (gmail_fixture_scale ()).
 */
#include "config.h"

#include <string.h>

#include "ember-error.h"
#include "ember-gmail-json.h"
#include "ember-test-utils.h"
#include "test-gmail-fixture.h"

#define GMAIL_MESSAGES_PATH "/gmail/v1/users/me/messages"
#define GMAIL_HISTORY_PATH  "/gmail/v1/users/me/history"

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

/* The newest INBOX message whose unread flag is @unread and that is not in
 * @taken; NULL when there is none. */
static char *
pick_inbox_message (GmailFixture       *fixture,
                    gboolean            unread,
                    const char * const *taken)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = ember_fake_server_dup_account_json (fixture->server, GMAIL_TEST_EMAIL, &error);
  g_autoptr(JsonNode) root = NULL;
  JsonArray *messages;

  g_assert_no_error (error);
  root = json_from_string (json, &error);
  g_assert_no_error (error);
  messages = json_object_get_array_member (json_node_get_object (root), "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);
      JsonArray *labels = json_object_get_array_member (message, "labels");
      const char *id = json_object_get_string_member (message, "id");
      gboolean in_inbox = FALSE;

      for (guint k = 0; k < json_array_get_length (labels); k++)
        in_inbox |= g_strcmp0 (json_array_get_string_element (labels, k), "INBOX") == 0;
      if (in_inbox && json_object_get_boolean_member (message, "unread") == unread &&
          (taken == NULL || !g_strv_contains (taken, id)))
        return g_strdup (id);
    }

  return NULL;
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
  guint n = gmail_fixture_scale (2000);

  /* 2,000 messages with the quota on, sped up 60 times (6,000 units per
   * 6 s window). */
  gmail_fixture_options_with_quota (&options, n, 60, 10);
  gmail_fixture_init (&fixture, &options);

  history_before = g_strdup_printf ("%" G_GUINT64_FORMAT, server_history_id (&fixture));
  sync_ok (&fixture, report);

  gmail_fixture_assert_mail_matches (&fixture);
  state = mail_state (&fixture);
  g_assert_cmpstr (state->phase, ==, "incremental");
  g_assert_cmpstr (state->cursor, ==, history_before);

  /* A first sync stores everything and counts nothing as new. */
  g_assert_cmpuint (ember_sync_report_get_stored_messages (report), ==, n);
  g_assert_cmpuint (ember_sync_report_get_new_messages (report), ==, 0);
  ember_sync_report_get_progress (report, &phase, &done, &total, NULL);
  g_assert_cmpstr (phase, ==, "mail");
  g_assert_cmpuint (done, ==, total);
  g_assert_cmpuint (total, >=, n);

  /* Each message fetched once, and the quota never refused anything. */
  g_assert_cmpuint (gmail_fixture_count_calls (&fixture, NULL, GMAIL_MESSAGES_PATH "/", NULL), ==, n);
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
  g_autofree char *to_read = NULL;
  g_autofree char *to_unread = NULL;
  const char *taken[5] = { NULL };
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
  /* Mark an unread one read and a read one unread. */
  taken[0] = inbox[0];
  taken[1] = inbox[3];
  taken[2] = inbox[4];
  taken[3] = inbox[5];
  to_read = pick_inbox_message (&fixture, TRUE, taken);
  to_unread = pick_inbox_message (&fixture, FALSE, taken);
  g_assert_nonnull (to_read);
  g_assert_nonnull (to_unread);
  g_assert_true (ember_fake_server_set_message_unread (fixture.server, GMAIL_TEST_EMAIL, to_read, FALSE, &error));
  g_assert_true (ember_fake_server_set_message_unread (fixture.server, GMAIL_TEST_EMAIL, to_unread, TRUE, &error));
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

typedef struct
{
  GCancellable *cancellable;
  gboolean      cancelled;
} FirstPage;

static void
cancel_after_first_page_cb (EmberSyncReport *report,
                            gpointer         user_data)
{
  FirstPage *first = user_data;

  if (!first->cancelled && ember_sync_report_get_stored_messages (report) > 0)
    {
      first->cancelled = TRUE;
      g_cancellable_cancel (first->cancellable);
    }
}

static void
test_inbox_first (void)
{
  GmailFixture fixture;
  FirstPage first = { 0 };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(EmberSyncReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberGmailProvider) provider = NULL;
  g_autoptr(EmberMessageRecord) probe = NULL;
  g_autoptr(EmberRateLimiter) limiter = NULL;
  g_auto(GStrv) inbox = NULL;
  EmberFakeServerOptions options;
  guint n_stored;
  guint batch;

  /* Gmail's real per-user quota, on: 6,000 units a minute. */
  ember_fake_server_options_init (&options);
  gmail_fixture_init (&fixture, &options);
  first.cancellable = cancellable;
  report = ember_sync_report_new (cancel_after_first_page_cb, &first, NULL);
  provider = gmail_fixture_new_provider (&fixture);
  batch = ember_gmail_provider_get_batch_size (provider);

  g_assert_false (ember_provider_sync_mail (EMBER_PROVIDER (provider), report, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (first.cancelled);
  g_clear_error (&error);

  /* The quota allows that much at once: the newest mail did not wait for
   * it. */
  limiter = ember_api_endpoint_ref_rate_limiter (fixture.mail_endpoint);
  g_assert_nonnull (limiter);
  g_assert_cmpuint (ember_rate_limiter_get_waits (limiter), ==, 0);

  /* Exactly the first batch: the newest INBOX messages, nothing older. */
  inbox = ember_fake_server_list_message_ids (fixture.server, GMAIL_TEST_EMAIL, "INBOX", NULL);
  n_stored = gmail_fixture_count_stored_messages (&fixture);
  g_assert_cmpuint (n_stored, ==, MIN (batch, g_strv_length (inbox)));
  for (guint i = 0; i < n_stored; i++)
    {
      g_autoptr(EmberMessageRecord) record = ember_store_find_message_sync (fixture.store, fixture.account->id,
                                                                            inbox[i], NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (record);
    }

  /* The next sync carries on and converges. */
  sync_ok (&fixture, NULL);
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
  g_test_add_func ("/ember/providers/gmail-sync/inbox-first", test_inbox_first);

  return g_test_run ();
}
