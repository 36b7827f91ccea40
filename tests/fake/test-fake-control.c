/* test-fake-control.c: the /_fake/ control API, the generator's
 * determinism and the ember-fake-server executable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ember-test-utils.h"
#include "fake-client.h"

#define ALICE "alice@gmail.test"
#define CAROL "carol@contoso.test"

static void
test_accounts (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autoptr(FakeReply) accounts = NULL;
  g_autoptr(FakeReply) alice = NULL;
  g_autoptr(FakeReply) nobody = NULL;
  JsonArray *array;
  const char *expected[][2] = {
    { "alice@gmail.test", "google" }, { "bob@gmail.test", "google" },
    { "carol@contoso.test", "microsoft" }, { "dave@contoso.test", "microsoft" },
  };

  fake_options_init (&options);
  fixture = fake_fixture_new (&options);
  accounts = fake_get (fixture, "/_fake/accounts", NULL);
  fake_assert_status (accounts, 200);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (accounts->json));
  array = json_node_get_array (accounts->json);
  g_assert_cmpuint (json_array_get_length (array), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      JsonObject *account = json_array_get_object_element (array, i);

      g_assert_cmpstr (json_object_get_string_member (account, "email"), ==, expected[i][0]);
      g_assert_cmpstr (json_object_get_string_member (account, "provider"), ==, expected[i][1]);
      g_assert_cmpint (json_object_get_int_member (account, "messageCount"), ==, 120);
    }

  alice = fake_get (fixture, "/_fake/accounts/alice@gmail.test", NULL);
  fake_assert_status (alice, 200);
  fake_assert_member (fake_reply_object (alice), "messages", JSON_TYPE_ARRAY);
  fake_assert_member (fake_reply_object (alice), "events", JSON_TYPE_ARRAY);
  fake_assert_member (fake_reply_object (alice), "labels", JSON_TYPE_ARRAY);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (fake_reply_object (alice), "events")), ==, 60);

  nobody = fake_get (fixture, "/_fake/accounts/nobody@example.com", NULL);
  fake_assert_status (nobody, 404);
  fake_assert_member (fake_reply_object (nobody), "error", G_TYPE_STRING);
  fake_fixture_free (fixture);
}

static const char *
reply_id (FakeReply *reply)
{
  fake_assert_status (reply, 200);
  fake_assert_member (fake_reply_object (reply), "id", G_TYPE_STRING);
  return json_object_get_string_member (fake_reply_object (reply), "id");
}

static JsonObject *
find_message (FakeReply  *account,
              const char *id)
{
  JsonArray *messages = json_object_get_array_member (fake_reply_object (account), "messages");

  for (guint i = 0; i < json_array_get_length (messages); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (messages, i), "id"), id))
      return json_array_get_object_element (messages, i);
  return NULL;
}

static void
test_mutations_over_http (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autoptr(FakeReply) added = NULL;
  g_autoptr(FakeReply) read = NULL;
  g_autoptr(FakeReply) labels = NULL;
  g_autoptr(FakeReply) moved = NULL;
  g_autoptr(FakeReply) graph_added = NULL;
  g_autoptr(FakeReply) graph_moved = NULL;
  g_autoptr(FakeReply) after = NULL;
  g_autoptr(FakeReply) graph_after = NULL;
  g_autoptr(FakeReply) deleted = NULL;
  g_autoptr(FakeReply) bad_label = NULL;
  g_autofree char *token = NULL;
  const char *id;
  JsonObject *message;

  fake_options_init (&options);
  fixture = fake_fixture_new (&options);

  added = fake_request (fixture, "POST", "/_fake/accounts/alice@gmail.test/messages", NULL, "application/json",
                        "{\"subject\": \"Über HTTP\", \"from\": \"zoe@example.org\", \"text\": \"Hi\","
                        " \"labels\": [\"INBOX\"], \"unread\": true}", NULL);
  id = reply_id (added);
  read = fake_request (fixture, "POST", "/_fake/accounts/alice@gmail.test/messages/", NULL, NULL, NULL, NULL);
  g_clear_pointer (&read, fake_reply_free);
  {
    g_autofree char *path = g_strdup_printf ("/_fake/accounts/alice@gmail.test/messages/%s/read", id);

    read = fake_request (fixture, "POST", path, NULL, "application/json", "{\"unread\": false}", NULL);
    fake_assert_status (read, 200);
  }
  {
    g_autofree char *path = g_strdup_printf ("/_fake/accounts/alice@gmail.test/messages/%s/labels", id);

    labels = fake_request (fixture, "POST", path, NULL, "application/json",
                           "{\"add\": [\"Work\", \"STARRED\"], \"remove\": []}", NULL);
    fake_assert_status (labels, 200);
    bad_label = fake_request (fixture, "POST", path, NULL, "application/json", "{\"add\": [\"NoSuchLabel\"]}", NULL);
    fake_assert_status (bad_label, 404);
  }
  {
    g_autofree char *path = g_strdup_printf ("/_fake/accounts/alice@gmail.test/messages/%s/move", id);

    moved = fake_request (fixture, "POST", path, NULL, "application/json", "{\"to\": \"archive\"}", NULL);
    g_assert_cmpstr (reply_id (moved), ==, id);
  }

  after = fake_get (fixture, "/_fake/accounts/alice@gmail.test", NULL);
  message = find_message (after, id);
  g_assert_nonnull (message);
  g_assert_cmpstr (json_object_get_string_member (message, "subject"), ==, "Über HTTP");
  g_assert_false (json_object_get_boolean_member (message, "unread"));
  {
    JsonArray *ids = json_object_get_array_member (message, "labels");
    g_autoptr(GString) joined = g_string_new (NULL);

    for (guint i = 0; i < json_array_get_length (ids); i++)
      g_string_append_printf (joined, "%s ", json_array_get_string_element (ids, i));
    g_assert_cmpstr (joined->str, ==, "Label_1 STARRED ");
  }

  /* The API sees the control API's changes. */
  token = fake_token (fixture, ALICE);
  {
    g_autofree char *path = g_strdup_printf ("/gmail/v1/users/me/messages/%s?format=metadata&metadataHeaders=Subject", id);
    g_autoptr(FakeReply) api = fake_get (fixture, path, token);

    fake_assert_status (api, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (fake_reply_object (api), "labelIds")), ==, 2);
  }

  /* Graph: a move gives the message a new id. */
  graph_added = fake_request (fixture, "POST", "/_fake/accounts/carol@contoso.test/messages", NULL, "application/json",
                              "{\"subject\": \"For Graph\", \"folder\": \"inbox\"}", NULL);
  {
    g_autofree char *graph_id = g_strdup (reply_id (graph_added));
    g_autofree char *path = g_strdup_printf ("/_fake/accounts/carol@contoso.test/messages/%s/move", graph_id);
    g_autofree char *delete_path = NULL;
    const char *new_id;

    graph_moved = fake_request (fixture, "POST", path, NULL, "application/json", "{\"to\": \"deleteditems\"}", NULL);
    new_id = reply_id (graph_moved);
    g_assert_cmpstr (new_id, !=, graph_id);
    graph_after = fake_get (fixture, "/_fake/accounts/carol@contoso.test", NULL);
    g_assert_null (find_message (graph_after, graph_id));
    g_assert_cmpstr (json_object_get_string_member (find_message (graph_after, new_id), "folder"), ==, "deleteditems");

    delete_path = g_strdup_printf ("/_fake/accounts/carol@contoso.test/messages/%s", new_id);
    deleted = fake_request (fixture, "DELETE", delete_path, NULL, NULL, NULL, NULL);
    fake_assert_status (deleted, 200);
  }

  /* Graph folders: add (nested), rename, delete with what is inside. */
  {
    g_autoptr(FakeReply) folder = fake_request (fixture, "POST", "/_fake/accounts/carol@contoso.test/folders", NULL,
                                                "application/json", "{\"name\": \"Invoices\", \"parent\": \"inbox\"}",
                                                NULL);
    g_autofree char *folder_id = g_strdup (reply_id (folder));
    g_autofree char *path = g_strdup_printf ("/_fake/accounts/carol@contoso.test/folders/%s", folder_id);
    g_autofree char *inside = g_strdup_printf ("{\"subject\": \"Filed\", \"folder\": \"%s\"}", folder_id);
    g_autoptr(FakeReply) filed = fake_request (fixture, "POST", "/_fake/accounts/carol@contoso.test/messages", NULL,
                                               "application/json", inside, NULL);
    g_autofree char *filed_id = g_strdup (reply_id (filed));
    g_autoptr(FakeReply) renamed = fake_request (fixture, "PATCH", path, NULL, "application/json",
                                                 "{\"name\": \"Bills\"}", NULL);
    g_autoptr(FakeReply) renamed_view = fake_get (fixture, "/_fake/accounts/carol@contoso.test", NULL);
    g_autoptr(FakeReply) removed = NULL;
    g_autoptr(FakeReply) removed_view = NULL;
    g_autoptr(FakeReply) no_inbox = fake_request (fixture, "DELETE",
                                                  "/_fake/accounts/carol@contoso.test/folders/inbox", NULL,
                                                  NULL, NULL, NULL);
    JsonArray *folders;
    gboolean found = FALSE;

    fake_assert_status (renamed, 200);
    folders = json_object_get_array_member (fake_reply_object (renamed_view), "folders");
    for (guint i = 0; i < json_array_get_length (folders); i++)
      {
        JsonObject *entry = json_array_get_object_element (folders, i);

        if (g_str_equal (json_object_get_string_member (entry, "id"), folder_id))
          {
            found = TRUE;
            g_assert_cmpstr (json_object_get_string_member (entry, "displayName"), ==, "Bills");
          }
      }
    g_assert_true (found);
    g_assert_nonnull (find_message (renamed_view, filed_id));

    removed = fake_request (fixture, "DELETE", path, NULL, NULL, NULL, NULL);
    fake_assert_status (removed, 200);
    removed_view = fake_get (fixture, "/_fake/accounts/carol@contoso.test", NULL);
    g_assert_null (find_message (removed_view, filed_id));
    folders = json_object_get_array_member (fake_reply_object (removed_view), "folders");
    for (guint i = 0; i < json_array_get_length (folders); i++)
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (folders, i), "id"), !=,
                       folder_id);
    fake_assert_status (no_inbox, 400);
  }

  /* Events: add, change, cancel, delete. */
  {
    g_autoptr(FakeReply) event = fake_request (fixture, "POST", "/_fake/accounts/carol@contoso.test/events", NULL,
                                               "application/json",
                                               "{\"summary\": \"Weekly\", \"start\": \"2026-03-02T09:00:00+01:00\","
                                               " \"end\": \"2026-03-02T09:30:00+01:00\", \"time_zone\": \"Europe/Berlin\","
                                               " \"rrule\": \"FREQ=WEEKLY;COUNT=4\"}", NULL);
    g_autofree char *event_id = g_strdup (reply_id (event));
    g_autofree char *path = g_strdup_printf ("/_fake/accounts/carol@contoso.test/events/%s", event_id);
    g_autofree char *cancel_path = g_strdup_printf ("%s/cancel", path);
    g_autoptr(FakeReply) patch = fake_request (fixture, "PATCH", path, NULL, "application/json",
                                               "{\"summary\": \"Weekly sync\"}", NULL);
    g_autoptr(FakeReply) cancel = fake_request (fixture, "POST", cancel_path, NULL, NULL, NULL, NULL);
    g_autoptr(FakeReply) remove = fake_request (fixture, "DELETE", path, NULL, NULL, NULL, NULL);
    g_autoptr(FakeReply) events = fake_get (fixture, "/_fake/accounts/carol@contoso.test/events", NULL);
    g_autoptr(FakeReply) bad_rule = fake_request (fixture, "POST", "/_fake/accounts/carol@contoso.test/events", NULL,
                                                  "application/json",
                                                  "{\"start\": \"2026-03-02\", \"all_day\": true, \"rrule\": \"FREQ=HOURLY\"}", NULL);
    JsonArray *array;
    gboolean found = FALSE;

    fake_assert_status (patch, 200);
    fake_assert_status (cancel, 200);
    fake_assert_status (remove, 200);
    fake_assert_status (bad_rule, 400);
    array = json_node_get_array (events->json);
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonObject *summary = json_array_get_object_element (array, i);

        if (!g_str_equal (json_object_get_string_member (summary, "id"), event_id))
          continue;
        found = TRUE;
        g_assert_cmpstr (json_object_get_string_member (summary, "summary"), ==, "Weekly sync");
        g_assert_cmpstr (json_object_get_string_member (summary, "status"), ==, "deleted");
        g_assert_cmpint (json_object_get_int_member (summary, "instances"), ==, 4);
        g_assert_true (g_str_has_prefix (json_object_get_string_member (summary, "recurrence"), "RRULE:FREQ=WEEKLY"));
      }
    g_assert_true (found);
  }

  fake_fixture_free (fixture);
}

static void
test_tokens_expire_revoke_time (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autoptr(FakeReply) tokens = NULL;
  const char *access;

  fake_options_init (&options);
  options.token_ttl_seconds = 100;
  fixture = fake_fixture_new (&options);

  tokens = fake_request (fixture, "POST", "/_fake/accounts/carol@contoso.test/tokens", NULL, NULL, NULL, NULL);
  fake_assert_status (tokens, 200);
  fake_assert_member (fake_reply_object (tokens), "refresh_token", G_TYPE_STRING);
  g_assert_cmpint (json_object_get_int_member (fake_reply_object (tokens), "expires_in"), ==, 100);
  access = json_object_get_string_member (fake_reply_object (tokens), "access_token");
  {
    g_autoptr(FakeReply) me = fake_get (fixture, "/v1.0/me", access);
    g_autoptr(FakeReply) advance = fake_request (fixture, "POST", "/_fake/time", NULL, "application/json",
                                                 "{\"advance_seconds\": 101}", NULL);
    g_autoptr(FakeReply) later = fake_get (fixture, "/v1.0/me", access);
    g_autoptr(FakeReply) backwards = fake_request (fixture, "POST", "/_fake/time", NULL, "application/json",
                                                   "{\"advance_seconds\": -5}", NULL);

    fake_assert_status (me, 200);
    fake_assert_status (advance, 200);
    fake_assert_graph_error (later, 401, "InvalidAuthenticationToken");
    fake_assert_status (backwards, 400);
  }

  {
    g_autoptr(FakeReply) fresh = fake_request (fixture, "POST", "/_fake/accounts/alice@gmail.test/tokens", NULL, NULL, NULL, NULL);
    const char *google = json_object_get_string_member (fake_reply_object (fresh), "access_token");
    g_autoptr(FakeReply) profile = fake_get (fixture, "/gmail/v1/users/me/profile", google);
    gint64 history = fake_assert_int64_string (fake_reply_object (profile), "historyId");
    g_autofree char *path = g_strdup_printf ("/gmail/v1/users/me/history?startHistoryId=%" G_GINT64_FORMAT, history);
    g_autoptr(FakeReply) expire = fake_request (fixture, "POST", "/_fake/accounts/alice@gmail.test/expire", NULL,
                                                "application/json", "{\"cursors\": [\"history\"]}", NULL);
    g_autoptr(FakeReply) gone = fake_get (fixture, path, google);
    g_autoptr(FakeReply) revoke = fake_request (fixture, "POST", "/_fake/accounts/alice@gmail.test/revoke", NULL, NULL, NULL, NULL);
    g_autoptr(FakeReply) revoked = fake_get (fixture, "/gmail/v1/users/me/profile", google);
    g_autoptr(FakeReply) bad_cursor = fake_request (fixture, "POST", "/_fake/accounts/alice@gmail.test/expire", NULL,
                                                    "application/json", "{\"cursors\": [\"tomorrow\"]}", NULL);

    fake_assert_status (expire, 200);
    fake_assert_google_error (gone, 404, "notFound");
    fake_assert_status (revoke, 200);
    fake_assert_google_error (revoked, 401, "authError");
    fake_assert_status (bad_cursor, 400);
  }
  fake_fixture_free (fixture);
}

static void
test_log_and_stats (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autofree char *token = NULL;
  g_autoptr(FakeReply) log = NULL;
  g_autoptr(FakeReply) since = NULL;
  g_autoptr(FakeReply) stats = NULL;
  g_autoptr(FakeReply) cleared = NULL;
  g_autoptr(FakeReply) empty = NULL;
  JsonArray *entries;
  gint64 last_seq;
  gboolean saw_get = FALSE;

  fake_options_init (&options);
  fixture = fake_fixture_new (&options);
  token = fake_token (fixture, ALICE);
  {
    g_autoptr(FakeReply) a = fake_get (fixture, "/gmail/v1/users/me/messages?maxResults=3", token);
    g_autoptr(FakeReply) b = fake_get (fixture, "/gmail/v1/users/me/profile", NULL);

    fake_assert_status (a, 200);
    fake_assert_status (b, 401);
  }

  log = fake_get (fixture, "/_fake/log", NULL);
  fake_assert_status (log, 200);
  entries = json_object_get_array_member (fake_reply_object (log), "entries");
  last_seq = json_object_get_int_member (fake_reply_object (log), "last_seq");
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);

      fake_assert_member (entry, "seq", G_TYPE_INT64);
      fake_assert_member (entry, "method", G_TYPE_STRING);
      fake_assert_member (entry, "path", G_TYPE_STRING);
      fake_assert_member (entry, "status", G_TYPE_INT64);
      fake_assert_member (entry, "cost", G_TYPE_INT64);
      if (g_str_equal (json_object_get_string_member (entry, "path"), "/gmail/v1/users/me/messages"))
        {
          saw_get = TRUE;
          g_assert_cmpstr (json_object_get_string_member (entry, "method"), ==, "GET");
          g_assert_cmpint (json_object_get_int_member (entry, "status"), ==, 200);
          g_assert_cmpint (json_object_get_int_member (entry, "cost"), ==, 5);
          g_assert_cmpstr (json_object_get_string_member (entry, "account"), ==, ALICE);
          g_assert_cmpstr (json_object_get_string_member (entry, "query"), ==, "maxResults=3");
        }
    }
  g_assert_true (saw_get);
  g_assert_cmpuint (ember_fake_server_count_requests (fixture->server, "GET", "/gmail/v1/users/me/profile", 401), ==, 1);
  g_assert_cmpuint (ember_fake_server_count_requests (fixture->server, NULL, "/gmail/", 0), ==, 2);

  {
    g_autofree char *path = g_strdup_printf ("/_fake/log?since=%" G_GINT64_FORMAT, last_seq - 1);

    since = fake_get (fixture, path, NULL);
    /* Only the first log request itself (seq last_seq) comes after. */
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (fake_reply_object (since), "entries")), ==, 1);
  }

  stats = fake_get (fixture, "/_fake/stats", NULL);
  fake_assert_status (stats, 200);
  fake_assert_member (json_object_get_object_member (fake_reply_object (stats), "accounts"), CAROL, JSON_TYPE_OBJECT);

  cleared = fake_request (fixture, "DELETE", "/_fake/log", NULL, NULL, NULL, NULL);
  fake_assert_status (cleared, 200);
  g_assert_cmpuint (ember_fake_server_count_requests (fixture->server, NULL, "/gmail/", 0), ==, 0);
  empty = fake_get (fixture, "/_fake/nothing-here", NULL);
  fake_assert_status (empty, 404);
  fake_fixture_free (fixture);
}

static char *
account_json (guint64     seed,
              const char *email)
{
  EmberFakeServerOptions options;
  g_autoptr(EmberFakeServer) server = NULL;
  g_autoptr(GError) error = NULL;
  char *json;

  fake_options_init (&options);
  options.seed = seed;
  server = ember_fake_server_new (&options);
  json = ember_fake_server_dup_account_json (server, email, &error);
  g_assert_no_error (error);
  return json;
}

static void
test_determinism (void)
{
  g_autofree char *a = account_json (5, ALICE);
  g_autofree char *b = account_json (5, ALICE);
  g_autofree char *c = account_json (6, ALICE);
  g_autofree char *d = account_json (5, CAROL);
  g_autofree char *e = account_json (5, CAROL);

  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (d, ==, e);
  g_assert_cmpstr (a, !=, c);
}

static void
test_dataset_shape (void)
{
  EmberFakeServerOptions options;
  g_autoptr(EmberFakeServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *messages;
  JsonArray *events;
  g_autoptr(GDateTime) anchor = g_date_time_new_from_unix_utc (1772452800);
  g_autoptr(GHashTable) threads = g_hash_table_new (g_str_hash, g_str_equal);
  guint all_day = 0;
  guint recurring = 0;
  guint cancelled = 0;
  guint inbox = 0;
  guint archived = 0;
  guint sent = 0;

  fake_options_init (&options);
  options.n_messages = 300;
  options.n_events = 200;
  server = ember_fake_server_new (&options);
  text = ember_fake_server_dup_account_json (server, ALICE, &error);
  g_assert_no_error (error);
  root = json_from_string (text, &error);
  g_assert_no_error (error);
  messages = json_object_get_array_member (json_node_get_object (root), "messages");
  events = json_object_get_array_member (json_node_get_object (root), "events");
  g_assert_cmpuint (json_array_get_length (messages), ==, 300);
  g_assert_cmpuint (json_array_get_length (events), ==, 200);

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);
      JsonArray *labels = json_object_get_array_member (message, "labels");
      gboolean has_inbox = FALSE;
      gboolean has_sent = FALSE;

      g_hash_table_add (threads, (gpointer) json_object_get_string_member (message, "threadId"));
      for (guint l = 0; l < json_array_get_length (labels); l++)
        {
          has_inbox |= g_str_equal (json_array_get_string_element (labels, l), "INBOX");
          has_sent |= g_str_equal (json_array_get_string_element (labels, l), "SENT");
        }
      inbox += has_inbox;
      sent += has_sent;
      archived += !has_inbox && !has_sent;
    }
  /* Realistic threads and folders. */
  g_assert_cmpuint (g_hash_table_size (threads), <, 250);
  g_assert_cmpuint (g_hash_table_size (threads), >, 100);
  g_assert_cmpuint (inbox, >, 100);
  g_assert_cmpuint (sent, >, 20);
  g_assert_cmpuint (archived, >, 20);

  /* Events over -60..+300 days. */
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      const char *start = json_object_get_string_member (event, "start");
      g_autofree char *instant = strlen (start) == 10 ? g_strdup_printf ("%sT00:00:00Z", start) : g_strdup (start);
      g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (instant, NULL);
      GTimeSpan offset = g_date_time_difference (when, anchor);

      g_assert_cmpint (offset, >=, -62 * G_TIME_SPAN_DAY);
      g_assert_cmpint (offset, <=, 302 * G_TIME_SPAN_DAY);
      all_day += json_object_get_boolean_member (event, "allDay");
      recurring += !json_object_get_null_member (event, "recurrence");
      cancelled += g_str_equal (json_object_get_string_member (event, "status"), "cancelled");
    }
  g_assert_cmpuint (all_day, >, 10);
  g_assert_cmpuint (recurring, >, 20);
  g_assert_cmpuint (cancelled, >, 2);
}

static void
test_executable (void)
{
  g_autofree char *binary = ember_test_build_path ("src", "fake", "ember-fake-server", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *help = NULL;
  int status = 0;
  const char *documented[] = {
    "--port", "--messages", "--events", "--seed", "--faults", "--no-quota", "--token-ttl", "--latency-ms",
    "--code-ttl", "--gmail-quota", "--gmail-quota-window", "--gmail-costs", "--calendar-quota",
    "--graph-concurrency", "--graph-requests", "--graph-window", "--anchor-time",
    "reset", "stall", "truncate", "retry-after=", "path=", "503:0.05,429:0.02:retry-after=1,reset:0.01,stall:0.01:15s,truncate:0.01",
    "/google/o/oauth2/v2/auth", "/microsoft/{tenant}/oauth2/v2.0/authorize", "/batch/gmail/v1", "$batch", "/_fake/",
    "READY <port>",
  };

  {
    const char *argv[] = { binary, "--help", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &help, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    for (guint i = 0; i < G_N_ELEMENTS (documented); i++)
      if (strstr (help, documented[i]) == NULL)
        g_error ("--help does not mention “%s”", documented[i]);
  }

  {
    g_autoptr(GSubprocess) process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                                       binary, "--port", "0", "--messages", "7", "--events", "3",
                                                       "--seed", "9", "--no-quota", NULL);
    g_autoptr(GDataInputStream) out = NULL;
    g_autofree char *line = NULL;
    guint64 port = 0;
    g_autoptr(SoupSession) session = soup_session_new ();
    g_autofree char *base = NULL;

    g_assert_no_error (error);
    out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
    line = g_data_input_stream_read_line (out, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (line);
    g_assert_true (g_str_has_prefix (line, "READY "));
    g_assert_true (g_ascii_string_to_unsigned (line + 6, 10, 1, 65535, &port, NULL));
    base = g_strdup_printf ("http://127.0.0.1:%" G_GUINT64_FORMAT, port);
    {
      g_autoptr(FakeReply) accounts = fake_request_on (session, base, "GET", "/_fake/accounts", NULL, NULL, NULL, NULL);

      fake_assert_status (accounts, 200);
      g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (json_node_get_array (accounts->json), 0),
                                                   "messageCount"), ==, 7);
    }
    g_subprocess_send_signal (process, SIGTERM);
    g_assert_true (g_subprocess_wait (process, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_subprocess_get_if_exited (process));
    g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  }

  {
    const char *argv[] = { binary, "--faults", "bogus:1", NULL };
    g_autofree char *err = NULL;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, &error));
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (err, "bogus:1"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/fake/control/accounts", test_accounts);
  g_test_add_func ("/ember/fake/control/mutations", test_mutations_over_http);
  g_test_add_func ("/ember/fake/control/tokens-expire-revoke-time", test_tokens_expire_revoke_time);
  g_test_add_func ("/ember/fake/control/log-and-stats", test_log_and_stats);
  g_test_add_func ("/ember/fake/data/determinism", test_determinism);
  g_test_add_func ("/ember/fake/data/shape", test_dataset_shape);
  g_test_add_func ("/ember/fake/server/executable", test_executable);

  return g_test_run ();
}
