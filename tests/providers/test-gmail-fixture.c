/* test-gmail-fixture.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ember-gcal-json.h"
#include "ember-test-utils.h"
#include "test-gmail-fixture.h"

void
gmail_fixture_options_with_quota (EmberFakeServerOptions *options,
                                  guint                   n_messages,
                                  guint                   speedup,
                                  guint                   window_divisor)
{
  ember_fake_server_options_init (options);
  options->n_messages = n_messages;
  options->n_events = 10;
  options->gmail_quota_window_seconds = 60 / window_divisor;
  options->gmail_quota_units = 6000 * speedup / window_divisor;
}

gboolean
gmail_fixture_is_sanitized (void)
{
#if defined(__SANITIZE_ADDRESS__)
  return TRUE;
#else
  return FALSE;
#endif
}

guint
gmail_fixture_scale (guint n)
{
  return gmail_fixture_is_sanitized () ? MAX (n / 4, 100) : n;
}

void
gmail_fixture_init (GmailFixture                 *fixture,
                    const EmberFakeServerOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberOAuthConfig) config = NULL;
  g_autoptr(EmberAccountRecord) account = ember_account_record_new ();
  g_autofree char *auth_base = NULL;
  g_autofree char *access_token = NULL;
  g_autofree char *refresh_token = NULL;
  g_autofree char *template = NULL;
  EmberClock *clock = ember_clock_get_default ();
  gint64 now = ember_clock_get_real (clock) / G_USEC_PER_SEC;

  memset (fixture, 0, sizeof *fixture);
  if (options != NULL)
    fixture->options = *options;
  else
    {
      ember_fake_server_options_init (&fixture->options);
      fixture->options.no_quota = TRUE;
    }

  fixture->server = ember_fake_server_new (&fixture->options);
  g_assert_true (ember_fake_server_start (fixture->server, &error));
  g_assert_no_error (error);

  template = g_build_filename (ember_test_get_tmpdir (), "store-XXXXXX", NULL);
  fixture->data_dir = g_mkdtemp (g_steal_pointer (&template));
  g_assert_nonnull (fixture->data_dir);
  fixture->store = ember_store_new_sync (fixture->data_dir, NULL, &error);
  g_assert_no_error (error);

  account->provider = g_strdup ("gmail");
  account->email = g_strdup (GMAIL_TEST_EMAIL);
  account->api_base = g_strdup (ember_fake_server_get_base_uri (fixture->server));
  auth_base = g_strconcat (ember_fake_server_get_base_uri (fixture->server), "/google", NULL);
  account->auth_base = g_strdup (auth_base);
  account->id = ember_store_add_account_sync (fixture->store, account, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (account->id, >, 0);
  fixture->account = g_steal_pointer (&account);

  fixture->client = ember_http_client_new (clock);
  /* Quick retries; a server's Retry-After still wins. */
  ember_http_client_set_backoff_policy (fixture->client, 20 * G_TIME_SPAN_MILLISECOND,
                                        2 * G_TIME_SPAN_SECOND, 120 * G_TIME_SPAN_SECOND);

  g_assert_true (ember_fake_server_issue_token (fixture->server, GMAIL_TEST_EMAIL,
                                                &access_token, &refresh_token, &error));
  g_assert_no_error (error);
  fixture->tokens = ember_memory_token_store_new ();
  g_assert_true (ember_token_store_store_sync (fixture->tokens, fixture->account->id, EMBER_TOKEN_KIND_ACCESS,
                                               access_token, now + 3000, NULL, &error));
  g_assert_true (ember_token_store_store_sync (fixture->tokens, fixture->account->id, EMBER_TOKEN_KIND_REFRESH,
                                               refresh_token, 0, NULL, &error));
  g_assert_no_error (error);

  config = ember_oauth_config_new (EMBER_OAUTH_PROVIDER_GOOGLE, auth_base, "ember-test", "test-secret");
  fixture->session = ember_auth_session_new (fixture->client, config, fixture->tokens, fixture->account->id);

  fixture->mail_endpoint = ember_api_endpoint_new (EMBER_API_KIND_GMAIL, fixture->account->api_base, clock);
  fixture->calendar_endpoint = ember_api_endpoint_new (EMBER_API_KIND_GOOGLE_CALENDAR,
                                                       fixture->account->api_base, clock);
  ember_api_endpoint_set_auth_session (fixture->mail_endpoint, fixture->session);
  ember_api_endpoint_set_auth_session (fixture->calendar_endpoint, fixture->session);
  if (fixture->options.no_quota)
    {
      ember_api_endpoint_set_rate_limiter (fixture->mail_endpoint, NULL);
      ember_api_endpoint_set_rate_limiter (fixture->calendar_endpoint, NULL);
    }
  else
    {
      ember_gmail_endpoint_set_quota (fixture->mail_endpoint, clock, fixture->options.gmail_quota_units,
                                      fixture->options.gmail_quota_window_seconds);
      ember_api_endpoint_set_quota (fixture->calendar_endpoint, fixture->options.calendar_quota_requests, 60, 0);
    }
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
gmail_fixture_clear (GmailFixture *fixture)
{
  if (fixture->server != NULL)
    ember_fake_server_stop (fixture->server);
  g_clear_object (&fixture->mail_endpoint);
  g_clear_object (&fixture->calendar_endpoint);
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->tokens);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->server);
  g_clear_pointer (&fixture->account, ember_account_record_free);
  if (fixture->data_dir != NULL)
    remove_tree (fixture->data_dir);
  g_clear_pointer (&fixture->data_dir, g_free);
}

EmberGmailProvider *
gmail_fixture_new_provider (GmailFixture *fixture)
{
  return ember_gmail_provider_new_with_endpoints (fixture->account, fixture->store, fixture->client,
                                                  fixture->mail_endpoint, fixture->calendar_endpoint);
}

gboolean
gmail_fixture_sync_mail (GmailFixture     *fixture,
                         EmberSyncReport  *report,
                         GCancellable     *cancellable,
                         GError          **error)
{
  g_autoptr(EmberGmailProvider) provider = gmail_fixture_new_provider (fixture);
  g_autoptr(EmberSyncReport) own_report = NULL;

  if (report == NULL)
    report = own_report = ember_sync_report_new (NULL, NULL, NULL);

  return ember_provider_sync_mail (EMBER_PROVIDER (provider), report, cancellable, error);
}

gboolean
gmail_fixture_sync_calendar (GmailFixture     *fixture,
                             EmberSyncReport  *report,
                             GCancellable     *cancellable,
                             GError          **error)
{
  g_autoptr(EmberGmailProvider) provider = gmail_fixture_new_provider (fixture);
  g_autoptr(EmberSyncReport) own_report = NULL;

  if (report == NULL)
    report = own_report = ember_sync_report_new (NULL, NULL, NULL);

  return ember_provider_sync_calendar (EMBER_PROVIDER (provider), report, cancellable, error);
}

GPtrArray *
gmail_fixture_list_stored_messages (GmailFixture *fixture)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_message_record_free);
  g_autoptr(GError) error = NULL;
  EmberMessageQuery query = { 0 };

  query.scope = EMBER_MESSAGE_SCOPE_ALL;
  query.account_id = fixture->account->id;
  query.limit = 1000;
  for (;;)
    {
      g_autoptr(GPtrArray) chunk = ember_store_list_messages_sync (fixture->store, &query, NULL, &error);
      guint n;

      g_assert_no_error (error);
      n = chunk->len;
      if (n > 0)
        query.after = ember_message_cursor_after (g_ptr_array_index (chunk, n - 1));
      g_ptr_array_extend_and_steal (all, g_steal_pointer (&chunk));
      if (n < query.limit)
        break;
    }

  return g_steal_pointer (&all);
}

guint
gmail_fixture_count_stored_messages (GmailFixture *fixture)
{
  g_autoptr(GPtrArray) stored = gmail_fixture_list_stored_messages (fixture);

  return stored->len;
}

static JsonNode *
server_dataset (GmailFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = ember_fake_server_dup_account_json (fixture->server, GMAIL_TEST_EMAIL, &error);
  JsonNode *root;

  g_assert_no_error (error);
  root = json_from_string (json, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  return root;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static char *
sorted_folders (const char * const *labels)
{
  g_autoptr(GPtrArray) folders = g_ptr_array_new ();

  for (guint i = 0; labels != NULL && labels[i] != NULL; i++)
    if (strcmp (labels[i], "UNREAD") != 0 && strcmp (labels[i], "STARRED") != 0)
      g_ptr_array_add (folders, (gpointer) labels[i]);
  g_ptr_array_sort (folders, compare_strings);
  g_ptr_array_add (folders, NULL);

  return g_strjoinv (",", (char **) folders->pdata);
}

static char *
sorted_record_folders (const EmberMessageRecord *record)
{
  g_autoptr(GPtrArray) folders = g_ptr_array_new ();

  for (guint i = 0; record->folder_ids != NULL && i < record->folder_ids->len; i++)
    g_ptr_array_add (folders, g_ptr_array_index (record->folder_ids, i));
  g_ptr_array_sort (folders, compare_strings);
  g_ptr_array_add (folders, NULL);

  return g_strjoinv (",", (char **) folders->pdata);
}

void
gmail_fixture_assert_mail_matches (GmailFixture *fixture)
{
  g_autoptr(JsonNode) root = server_dataset (fixture);
  g_autoptr(GPtrArray) stored = gmail_fixture_list_stored_messages (fixture);
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *messages = json_object_get_array_member (json_node_get_object (root), "messages");
  guint n_server = json_array_get_length (messages);

  for (guint i = 0; i < stored->len; i++)
    {
      EmberMessageRecord *record = g_ptr_array_index (stored, i);

      if (g_hash_table_contains (by_id, record->provider_id))
        g_error ("Message %s is stored twice", record->provider_id);
      g_hash_table_insert (by_id, record->provider_id, record);
    }
  g_assert_cmpuint (stored->len, ==, n_server);

  for (guint i = 0; i < n_server; i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);
      const char *id = json_object_get_string_member (message, "id");
      EmberMessageRecord *record = g_hash_table_lookup (by_id, id);
      JsonArray *label_array = json_object_get_array_member (message, "labels");
      g_autoptr(GPtrArray) labels = g_ptr_array_new ();
      g_autoptr(GDateTime) date = NULL;
      g_autofree char *server_folders = NULL;
      g_autofree char *stored_folders = NULL;
      gboolean starred = FALSE;

      if (record == NULL)
        g_error ("Message %s (“%s”) is on the server but not stored", id,
                 json_object_get_string_member (message, "subject"));

      for (guint k = 0; k < json_array_get_length (label_array); k++)
        {
          const char *label = json_array_get_string_element (label_array, k);

          g_ptr_array_add (labels, (gpointer) label);
          if (strcmp (label, "STARRED") == 0)
            starred = TRUE;
        }
      g_ptr_array_add (labels, NULL);

      if (g_strcmp0 (record->subject, json_object_get_string_member (message, "subject")) != 0 ||
          g_strcmp0 (record->from_address, json_object_get_string_member (message, "from")) != 0 ||
          g_strcmp0 (record->thread_id, json_object_get_string_member (message, "threadId")) != 0)
        g_error ("Message %s: server subject “%s” from %s thread %s, stored “%s” from %s thread %s", id,
                 json_object_get_string_member (message, "subject"),
                 json_object_get_string_member (message, "from"),
                 json_object_get_string_member (message, "threadId"),
                 record->subject, record->from_address, record->thread_id);
      date = g_date_time_new_from_iso8601 (json_object_get_string_member (message, "date"), NULL);
      g_assert_nonnull (date);
      if (record->date != g_date_time_to_unix (date))
        g_error ("Message %s: server date %s, stored %" G_GINT64_FORMAT, id,
                 json_object_get_string_member (message, "date"), record->date);
      if (record->unread != json_object_get_boolean_member (message, "unread") || record->starred != starred)
        g_error ("Message %s: server unread %d starred %d, stored unread %d starred %d", id,
                 json_object_get_boolean_member (message, "unread"), starred, record->unread, record->starred);
      server_folders = sorted_folders ((const char * const *) labels->pdata);
      stored_folders = sorted_record_folders (record);
      if (g_strcmp0 (server_folders, stored_folders) != 0)
        g_error ("Message %s: server folders “%s”, stored “%s”", id, server_folders, stored_folders);
    }
}

/* The server's event instances, read straight from its events.list with a
 * deliberately separate minimal parser. */
static GHashTable *
server_instances (GmailFixture *fixture,
                  gint64        window_min,
                  gint64        window_max)
{
  g_autoptr(GHashTable) instances = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                           (GDestroyNotify) json_object_unref);
  g_autoptr(JsonNode) root = server_dataset (fixture);
  JsonArray *calendars = json_object_get_array_member (json_node_get_object (root), "calendars");
  g_autofree char *time_min = ember_gcal_format_date_time (window_min);
  g_autofree char *time_max = ember_gcal_format_date_time (window_max);

  for (guint c = 0; c < json_array_get_length (calendars); c++)
    {
      const char *calendar_id = json_object_get_string_member (json_array_get_object_element (calendars, c), "id");
      g_autofree char *escaped = g_uri_escape_string (calendar_id, NULL, FALSE);
      g_autofree char *page_token = NULL;

      do
        {
          g_autofree char *path = g_strdup_printf ("/calendar/v3/calendars/%s/events", escaped);
          g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", path);
          g_autoptr(JsonNode) reply = NULL;
          g_autoptr(GError) error = NULL;
          JsonArray *items;
          JsonObject *object;

          ember_http_request_add_query (request, "singleEvents", "true");
          ember_http_request_add_query (request, "timeMin", time_min);
          ember_http_request_add_query (request, "timeMax", time_max);
          ember_http_request_add_query (request, "maxResults", "2500");
          if (page_token != NULL)
            ember_http_request_add_query (request, "pageToken", page_token);
          reply = ember_http_client_send_json_sync (fixture->client, fixture->calendar_endpoint, request,
                                                    NULL, &error);
          g_assert_no_error (error);
          object = json_node_get_object (reply);
          items = json_object_has_member (object, "items") ? json_object_get_array_member (object, "items") : NULL;
          for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
            {
              JsonObject *item = json_array_get_object_element (items, i);
              g_autofree char *key = NULL;

              if (g_strcmp0 (json_object_get_string_member_with_default (item, "status", "confirmed"), "cancelled") == 0)
                continue;
              key = g_strconcat (calendar_id, "/", json_object_get_string_member (item, "id"), NULL);
              g_hash_table_insert (instances, g_steal_pointer (&key), json_object_ref (item));
            }
          g_free (page_token);
          page_token = g_strdup (json_object_get_string_member_with_default (object, "nextPageToken", NULL));
        }
      while (page_token != NULL);
    }

  return g_steal_pointer (&instances);
}

static void
assert_event_time (const char *event_id,
                   JsonObject *when,
                   gboolean    all_day,
                   const char *stored_date,
                   gint64      stored_instant)
{
  if (all_day)
    {
      g_assert_true (json_object_has_member (when, "date"));
      if (g_strcmp0 (json_object_get_string_member (when, "date"), stored_date) != 0)
        g_error ("Event %s: server date %s, stored %s", event_id,
                 json_object_get_string_member (when, "date"), stored_date);
    }
  else
    {
      g_autoptr(GDateTime) instant = NULL;

      g_assert_true (json_object_has_member (when, "dateTime"));
      instant = g_date_time_new_from_iso8601 (json_object_get_string_member (when, "dateTime"), NULL);
      g_assert_nonnull (instant);
      g_assert_cmpint (stored_instant, ==, g_date_time_to_unix (instant));
    }
}

void
gmail_fixture_assert_events_match (GmailFixture *fixture,
                                   gint64        window_min,
                                   gint64        window_max)
{
  g_autoptr(GHashTable) instances = server_instances (fixture, window_min, window_max);
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;

  stored = ember_store_list_events_sync (fixture->store, fixture->account->id, -((gint64) 1 << 40),
                                         (gint64) 1 << 40, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < stored->len; i++)
    {
      EmberEventRecord *event = g_ptr_array_index (stored, i);
      g_autofree char *key = g_strconcat (event->calendar_provider_id, "/", event->provider_id, NULL);
      JsonObject *item = g_hash_table_lookup (instances, key);
      JsonObject *start;
      JsonObject *end;

      if (item == NULL)
        g_error ("Event %s (“%s”) is stored but not on the server in the window", key, event->summary);
      if (!g_hash_table_add (seen, g_strdup (key)))
        g_error ("Event %s is stored twice", key);

      g_assert_cmpstr (event->summary, ==, json_object_get_string_member_with_default (item, "summary", NULL));
      start = json_object_get_object_member (item, "start");
      end = json_object_get_object_member (item, "end");
      g_assert_cmpint (event->all_day, ==, json_object_has_member (start, "date"));
      assert_event_time (key, start, event->all_day, event->start_date, event->start);
      assert_event_time (key, end, event->all_day, event->end_date, event->end);
      g_assert_cmpstr (event->recurring_event_id, ==,
                       json_object_get_string_member_with_default (item, "recurringEventId", NULL));
      if (event->recurring_event_id != NULL)
        g_assert_cmpint (event->original_start, !=, 0);
    }

  if (g_hash_table_size (seen) != g_hash_table_size (instances))
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, instances);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (seen, key))
          g_error ("Event %s is on the server (in the window) but not stored", (const char *) key);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, g_hash_table_size (instances));
}

guint
gmail_fixture_count_calls (GmailFixture *fixture,
                           const char   *path,
                           const char   *path_prefix,
                           const char   *query_part)
{
  g_autoptr(GPtrArray) log = ember_fake_server_get_request_log (fixture->server);
  guint count = 0;

  for (guint i = 0; i < log->len; i++)
    {
      EmberFakeLogEntry *entry = g_ptr_array_index (log, i);

      if (path != NULL && g_strcmp0 (entry->path, path) != 0)
        continue;
      if (path_prefix != NULL && !g_str_has_prefix (entry->path, path_prefix))
        continue;
      if (query_part != NULL && (entry->query == NULL || strstr (entry->query, query_part) == NULL))
        continue;
      count++;
    }

  return count;
}

guint
gmail_fixture_count_status (GmailFixture *fixture,
                            guint         status)
{
  g_autoptr(GPtrArray) log = ember_fake_server_get_request_log (fixture->server);
  guint count = 0;

  for (guint i = 0; i < log->len; i++)
    {
      EmberFakeLogEntry *entry = g_ptr_array_index (log, i);

      if (entry->status == status)
        count++;
    }

  return count;
}

guint64
gmail_fixture_sum_cost (GmailFixture *fixture)
{
  g_autoptr(GPtrArray) log = ember_fake_server_get_request_log (fixture->server);
  guint64 sum = 0;

  for (guint i = 0; i < log->len; i++)
    {
      EmberFakeLogEntry *entry = g_ptr_array_index (log, i);

      /* A batch's outer request repeats the sum of its parts. */
      if (g_str_has_prefix (entry->path, "/batch/"))
        continue;
      sum += entry->cost;
    }

  return sum;
}
