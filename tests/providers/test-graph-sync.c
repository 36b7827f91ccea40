/* test-graph-sync.c: the Graph provider against the fake server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test compares the store with what the fake server holds: its
 * control view for mail, and a fresh calendarView round read here with
 * plain libsoup (not the provider's code) for events.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <libsoup/soup.h>

#include "ember-accounts.h"
#include "ember-api-endpoint.h"
#include "ember-auth-session.h"
#include "ember-error.h"
#include "ember-fake-clock.h"
#include "ember-fake-server.h"
#include "ember-graph-provider-private.h"
#include "ember-http-client.h"
#include "ember-memory-token-store.h"
#include "ember-oauth-config.h"
#include "ember-provider-factory.h"
#include "ember-store.h"
#include "ember-sync-manager.h"
#include "ember-test-utils.h"

#define EMAIL "carol@contoso.test"
#define CHILD_ENV "EMBER_GRAPH_SYNC_CHILD"

typedef struct
{
  EmberFakeServer  *server;
  char             *data_dir;
  EmberStore       *store;
  EmberHttpClient  *client;
  EmberApiEndpoint *endpoint;
  EmberTokenStore  *tokens;
  gint64            account_id;
  EmberProvider    *provider;
  guint             new_messages;
} Fixture;

static guint data_dir_counter;

static char *
graph_base (const char *server_base)
{
  return g_strconcat (server_base, "/v1.0", NULL);
}

static EmberApiEndpoint *
make_endpoint (EmberHttpClient *client,
               EmberTokenStore *tokens,
               const char      *server_base,
               gint64           account_id,
               const char      *access_token,
               const char      *refresh_token)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = graph_base (server_base);
  g_autofree char *auth_base = g_strconcat (server_base, "/microsoft", NULL);
  g_autoptr(EmberOAuthConfig) config = ember_oauth_config_new (EMBER_OAUTH_PROVIDER_MICROSOFT, auth_base,
                                                               "ember-graph-tests", NULL);
  g_autoptr(EmberAuthSession) session = NULL;
  EmberApiEndpoint *endpoint;
  /* Far ahead: some tests move the client's clock by days. */
  gint64 expires = g_get_real_time () / G_USEC_PER_SEC + 90 * 86400;

  g_assert_true (ember_token_store_store_sync (tokens, account_id, EMBER_TOKEN_KIND_ACCESS,
                                               access_token, expires, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ember_token_store_store_sync (tokens, account_id, EMBER_TOKEN_KIND_REFRESH,
                                               refresh_token, 0, NULL, &error));
  g_assert_no_error (error);

  session = ember_auth_session_new (client, config, tokens, account_id);
  endpoint = ember_api_endpoint_new (EMBER_API_KIND_GRAPH, base, ember_http_client_get_clock (client));
  ember_api_endpoint_set_auth_session (endpoint, session);
  return endpoint;
}

static EmberHttpClient *
make_client (void)
{
  EmberHttpClient *client = ember_http_client_new (ember_clock_get_default ());

  /* Faults are frequent here: retry quickly, give up late. */
  ember_http_client_set_backoff_policy (client, 20 * G_TIME_SPAN_MILLISECOND,
                                        500 * G_TIME_SPAN_MILLISECOND,
                                        120 * G_TIME_SPAN_SECOND);
  return client;
}

/* A store with the Microsoft account in it and a provider for it. */
static void
fixture_open_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberAccountRecord) account = ember_account_record_new ();
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *name = g_strdup_printf ("graph-%u", ++data_dir_counter);
  const char *base = ember_fake_server_get_base_uri (f->server);

  f->data_dir = g_build_filename (ember_test_get_tmpdir (), name, NULL);
  f->store = ember_store_new_sync (f->data_dir, NULL, &error);
  g_assert_no_error (error);

  account->provider = g_strdup ("microsoft");
  account->email = g_strdup (EMAIL);
  account->api_base = graph_base (base);
  account->auth_base = g_strconcat (base, "/microsoft", NULL);
  f->account_id = ember_store_add_account_sync (f->store, account, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (f->account_id, >, 0);

  g_assert_true (ember_fake_server_issue_token (f->server, EMAIL, &access, &refresh, &error));
  g_assert_no_error (error);
  f->client = make_client ();
  f->tokens = ember_memory_token_store_new ();
  f->endpoint = make_endpoint (f->client, f->tokens, base, f->account_id, access, refresh);
  f->provider = ember_graph_provider_new (f->store, f->client, f->endpoint, f->account_id);
}

static void
fixture_init (Fixture                      *f,
              const EmberFakeServerOptions *options)
{
  g_autoptr(GError) error = NULL;

  memset (f, 0, sizeof *f);
  f->server = ember_fake_server_new (options);
  g_assert_true (ember_fake_server_start (f->server, &error));
  g_assert_no_error (error);
  fixture_open_store (f);
}

static void
fixture_close_store (Fixture *f)
{
  g_clear_object (&f->provider);
  g_clear_object (&f->endpoint);
  g_clear_object (&f->tokens);
  g_clear_object (&f->client);
  g_clear_object (&f->store);
  g_clear_pointer (&f->data_dir, g_free);
}

static void
fixture_clear (Fixture *f)
{
  fixture_close_store (f);
  if (f->server != NULL)
    ember_fake_server_stop (f->server);
  g_clear_object (&f->server);
}

static void
sync_account (Fixture *f)
{
  g_autoptr(EmberSyncReport) report = ember_sync_report_new (NULL, NULL, NULL);
  g_autoptr(GError) error = NULL;

  ember_provider_sync_mail (f->provider, report, NULL, &error);
  g_assert_no_error (error);
  ember_provider_sync_calendar (f->provider, report, NULL, &error);
  g_assert_no_error (error);
  f->new_messages = ember_sync_report_get_new_messages (report);
}

/* ------------------------------------------------------------------------ */
/* What the fake server holds.                                              */

static JsonNode *
fake_account (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = ember_fake_server_dup_account_json (f->server, EMAIL, &error);
  JsonNode *node;

  g_assert_no_error (error);
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  return node;
}

static GHashTable *
stored_messages (Fixture *f)
{
  GHashTable *messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) ember_message_record_free);
  EmberMessageQuery query = { 0, };

  query.scope = EMBER_MESSAGE_SCOPE_ALL;
  query.account_id = f->account_id;
  query.limit = 500;
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) page = ember_store_list_messages_sync (f->store, &query, NULL, &error);

      g_assert_no_error (error);
      if (page->len == 0)
        break;
      for (guint i = 0; i < page->len; i++)
        {
          EmberMessageRecord *message = g_ptr_array_index (page, i);

          if (g_hash_table_contains (messages, message->provider_id))
            g_error ("Message %s is listed twice", message->provider_id);
          g_hash_table_insert (messages, g_strdup (message->provider_id), ember_message_record_copy (message));
        }
      query.after = ember_message_cursor_after (g_ptr_array_index (page, page->len - 1));
    }
  return messages;
}

static EmberFolderKind
expected_kind (const char *well_known)
{
  if (well_known == NULL)
    return EMBER_FOLDER_KIND_OTHER;
  if (strcmp (well_known, "inbox") == 0)
    return EMBER_FOLDER_KIND_INBOX;
  if (strcmp (well_known, "sentitems") == 0)
    return EMBER_FOLDER_KIND_SENT;
  if (strcmp (well_known, "archive") == 0)
    return EMBER_FOLDER_KIND_ARCHIVE;
  if (strcmp (well_known, "deleteditems") == 0)
    return EMBER_FOLDER_KIND_TRASH;
  if (strcmp (well_known, "drafts") == 0)
    return EMBER_FOLDER_KIND_DRAFTS;
  if (strcmp (well_known, "junkemail") == 0)
    return EMBER_FOLDER_KIND_JUNK;
  return EMBER_FOLDER_KIND_OTHER;
}

/* Every message in the right (single) folder with the right state, nothing
 * else; the folder tree with its kinds and parents. */
static void
assert_mail_converged (Fixture *f)
{
  g_autoptr(JsonNode) root = fake_account (f);
  JsonObject *account = json_node_get_object (root);
  JsonArray *messages = json_object_get_array_member (account, "messages");
  JsonArray *folders = json_object_get_array_member (account, "folders");
  g_autoptr(GHashTable) stored = stored_messages (f);
  g_autoptr(GPtrArray) stored_folders = NULL;
  g_autoptr(GHashTable) folder_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  const char *root_id = NULL;
  guint n_visible_folders = 0;

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);
      const char *id = json_object_get_string_member (message, "id");
      EmberMessageRecord *record = g_hash_table_lookup (stored, id);

      if (record == NULL)
        g_error ("Message %s (“%s”, folder %s) is not stored", id,
                 json_object_get_string_member (message, "subject"),
                 json_object_get_string_member (message, "folder"));
      g_assert_nonnull (record->folder_ids);
      g_assert_cmpuint (record->folder_ids->len, ==, 1);
      g_assert_cmpstr (g_ptr_array_index (record->folder_ids, 0), ==,
                       json_object_get_string_member (message, "folderId"));
      g_assert_cmpint (record->unread, ==, json_object_get_boolean_member (message, "unread"));
      g_assert_cmpstr (record->subject != NULL ? record->subject : "", ==,
                       json_object_get_string_member_with_default (message, "subject", ""));
      g_assert_cmpstr (record->thread_id, ==, json_object_get_string_member (message, "threadId"));
    }
  g_assert_cmpuint (g_hash_table_size (stored), ==, json_array_get_length (messages));

  stored_folders = ember_store_list_folders_sync (f->store, f->account_id, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < stored_folders->len; i++)
    {
      EmberFolderRecord *folder = g_ptr_array_index (stored_folders, i);

      g_hash_table_insert (folder_by_id, folder->provider_id, folder);
    }
  for (guint i = 0; i < json_array_get_length (folders); i++)
    {
      JsonObject *folder = json_array_get_object_element (folders, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (folder, "wellKnownName", NULL),
                     "msgfolderroot") == 0)
        root_id = json_object_get_string_member (folder, "id");
    }
  g_assert_nonnull (root_id);
  for (guint i = 0; i < json_array_get_length (folders); i++)
    {
      JsonObject *folder = json_array_get_object_element (folders, i);
      const char *id = json_object_get_string_member (folder, "id");
      const char *well_known = json_object_get_string_member_with_default (folder, "wellKnownName", NULL);
      const char *parent = json_object_get_string_member_with_default (folder, "parentFolderId", NULL);
      EmberFolderRecord *stored_folder = g_hash_table_lookup (folder_by_id, id);

      /* The root and the hidden Sync Issues folder are not listed. */
      if (g_strcmp0 (well_known, "msgfolderroot") == 0 || g_strcmp0 (well_known, "syncissues") == 0)
        {
          g_assert_null (stored_folder);
          continue;
        }
      if (stored_folder == NULL)
        g_error ("Folder “%s” is not stored", json_object_get_string_member (folder, "displayName"));
      n_visible_folders++;
      g_assert_cmpstr (stored_folder->name, ==, json_object_get_string_member (folder, "displayName"));
      g_assert_cmpint (stored_folder->kind, ==, expected_kind (well_known));
      g_assert_cmpstr (stored_folder->parent_provider_id, ==, g_strcmp0 (parent, root_id) == 0 ? NULL : parent);
    }
  g_assert_cmpuint (stored_folders->len, ==, n_visible_folders);
}

typedef struct
{
  gboolean  all_day;
  gint64    start;
  gint64    end;
  char     *start_date;
  char     *end_date;
  char     *summary;
} OracleEvent;

static void
oracle_event_free (gpointer data)
{
  OracleEvent *event = data;

  g_free (event->start_date);
  g_free (event->end_date);
  g_free (event->summary);
  g_free (event);
}

static gint64
utc_from_graph (const char *date_time)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) parsed = g_date_time_new_from_iso8601 (date_time, utc);

  g_assert_nonnull (parsed);
  return g_date_time_to_unix (parsed);
}

static char *
access_token (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  char *token = NULL;

  g_assert_true (ember_token_store_lookup_sync (f->tokens, f->account_id, EMBER_TOKEN_KIND_ACCESS,
                                                &token, NULL, NULL, &error));
  g_assert_no_error (error);
  return token;
}

/* The window the provider synced, from its stored state. */
static void
synced_window (Fixture *f,
               gint64  *out_start,
               gint64  *out_end)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberSyncState) state = ember_store_get_sync_state_sync (f->store, f->account_id,
                                                                     "calendar:primary", NULL, &error);
  g_autoptr(JsonNode) extra = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (state->extra_json);
  extra = json_from_string (state->extra_json, &error);
  g_assert_no_error (error);
  *out_start = json_object_get_int_member (json_node_get_object (extra), "window_start");
  *out_end = json_object_get_int_member (json_node_get_object (extra), "window_end");
  g_assert_cmpint (*out_end, >, *out_start);
}

/* A fresh calendarView round over the window: what the calendar holds now. */
static GHashTable *
oracle_events (Fixture *f,
               gint64   window_start,
               gint64   window_end)
{
  GHashTable *events = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, oracle_event_free);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *token = access_token (f);
  g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);
  g_autoptr(GDateTime) start = g_date_time_new_from_unix_utc (window_start);
  g_autoptr(GDateTime) end = g_date_time_new_from_unix_utc (window_end);
  g_autofree char *start_text = g_date_time_format (start, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *end_text = g_date_time_format (end, "%Y-%m-%dT%H:%M:%SZ");
  char *url = g_strdup_printf ("%s/v1.0/me/calendarView/delta?startDateTime=%s&endDateTime=%s",
                               ember_fake_server_get_base_uri (f->server), start_text, end_text);

  while (url != NULL)
    {
      g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = NULL;
      JsonObject *object;
      JsonArray *value;

      g_clear_pointer (&url, g_free);
      soup_message_headers_append (soup_message_get_request_headers (message), "Authorization", authorization);
      soup_message_headers_append (soup_message_get_request_headers (message), "Prefer",
                                   "outlook.timezone=\"UTC\", odata.maxpagesize=500");
      body = soup_session_send_and_read (session, message, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (soup_message_get_status (message), ==, 200);
      root = json_from_string (g_bytes_get_data (body, NULL), &error);
      g_assert_no_error (error);
      object = json_node_get_object (root);
      value = json_object_get_array_member (object, "value");
      for (guint i = 0; i < json_array_get_length (value); i++)
        {
          JsonObject *item = json_array_get_object_element (value, i);
          JsonObject *item_start = json_object_get_object_member (item, "start");
          JsonObject *item_end = json_object_get_object_member (item, "end");
          OracleEvent *event;

          g_assert_false (json_object_has_member (item, "@removed"));
          if (json_object_get_boolean_member_with_default (item, "isCancelled", FALSE))
            continue;
          g_assert_cmpstr (json_object_get_string_member (item_start, "timeZone"), ==, "UTC");
          event = g_new0 (OracleEvent, 1);
          event->all_day = json_object_get_boolean_member (item, "isAllDay");
          event->start = utc_from_graph (json_object_get_string_member (item_start, "dateTime"));
          event->end = utc_from_graph (json_object_get_string_member (item_end, "dateTime"));
          event->start_date = g_strndup (json_object_get_string_member (item_start, "dateTime"), 10);
          event->end_date = g_strndup (json_object_get_string_member (item_end, "dateTime"), 10);
          event->summary = g_strdup (json_object_get_string_member (item, "subject"));
          g_hash_table_insert (events, g_strdup (json_object_get_string_member (item, "id")), event);
        }
      if (json_object_has_member (object, "@odata.nextLink"))
        url = g_strdup (json_object_get_string_member (object, "@odata.nextLink"));
    }

  return events;
}

static GPtrArray *
stored_events (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *events = ember_store_list_events_sync (f->store, f->account_id,
                                                    -((gint64) 1 << 36), (gint64) 1 << 36, NULL, &error);

  g_assert_no_error (error);
  return events;
}

static void
assert_calendar_converged (Fixture *f)
{
  g_autoptr(GHashTable) expected = NULL;
  g_autoptr(GPtrArray) events = stored_events (f);
  gint64 window_start, window_end;

  synced_window (f, &window_start, &window_end);
  expected = oracle_events (f, window_start, window_end);

  for (guint i = 0; i < events->len; i++)
    {
      EmberEventRecord *event = g_ptr_array_index (events, i);
      OracleEvent *oracle = g_hash_table_lookup (expected, event->provider_id);

      if (oracle == NULL)
        g_error ("Event %s (“%s”) is stored but not on the server", event->provider_id, event->summary);
      g_assert_cmpint (event->all_day, ==, oracle->all_day);
      g_assert_cmpint (event->start, ==, oracle->start);
      g_assert_cmpint (event->end, ==, oracle->end);
      g_assert_cmpstr (event->summary, ==, oracle->summary);
      g_assert_cmpstr (event->calendar_provider_id, ==, "primary");
    }
  g_assert_cmpuint (events->len, ==, g_hash_table_size (expected));
}

/* ------------------------------------------------------------------------ */
/* The request log.                                                         */

typedef struct
{
  guint requests;        /* Graph API calls, batch parts included */
  guint batches;         /* outer $batch requests */
  guint throttled;       /* 429 for any reason */
  guint concurrency;     /* 429 MailboxConcurrency */
  guint fresh_rounds;    /* delta requests without a token */
  guint delta;           /* delta requests with a token */
  guint folder_tree;     /* mailFolders / childFolders listings */
  guint other;
} LogSummary;

static LogSummary
summarize_log (Fixture *f)
{
  g_autoptr(GPtrArray) log = ember_fake_server_get_request_log (f->server);
  LogSummary summary = { 0, };

  for (guint i = 0; i < log->len; i++)
    {
      EmberFakeLogEntry *entry = g_ptr_array_index (log, i);
      const char *query = entry->query != NULL ? entry->query : "";

      if (!g_str_has_prefix (entry->path, "/v1.0/"))
        continue;
      if (strcmp (entry->path, "/v1.0/$batch") == 0 || strcmp (entry->path, "/v1.0/%24batch") == 0)
        {
          summary.batches++;
          continue;
        }
      summary.requests++;
      if (entry->status == 429)
        summary.throttled++;
      if (g_strcmp0 (entry->fault, "concurrency") == 0)
        summary.concurrency++;
      if (g_str_has_suffix (entry->path, "/delta"))
        {
          if (strstr (query, "deltatoken") != NULL || strstr (query, "skiptoken") != NULL)
            summary.delta++;
          else
            summary.fresh_rounds++;
        }
      else if (strcmp (entry->path, "/v1.0/me/mailFolders") == 0 ||
               g_str_has_suffix (entry->path, "/childFolders"))
        summary.folder_tree++;
      else
        summary.other++;
    }
  return summary;
}

static void
assert_mailbox_limits (Fixture *f)
{
  LogSummary summary = summarize_log (f);

  g_assert_cmpuint (ember_fake_server_get_max_in_flight (f->server, EMAIL), <=, 4);
  g_assert_cmpuint (ember_fake_server_get_max_in_flight (f->server, EMAIL), >=, 1);
  g_assert_cmpuint (summary.concurrency, ==, 0);
}

/* ------------------------------------------------------------------------ */
/* Mutations.                                                               */

static char *
nth_message (Fixture    *f,
             const char *folder,
             guint       n)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = ember_fake_server_list_message_ids (f->server, EMAIL, folder, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (ids), >, n);
  return g_strdup (ids[n]);
}

static char *
folder_id_by_name (Fixture    *f,
                   const char *display_name)
{
  g_autoptr(JsonNode) root = fake_account (f);
  JsonArray *folders = json_object_get_array_member (json_node_get_object (root), "folders");

  for (guint i = 0; i < json_array_get_length (folders); i++)
    {
      JsonObject *folder = json_array_get_object_element (folders, i);

      if (g_strcmp0 (json_object_get_string_member (folder, "displayName"), display_name) == 0)
        return g_strdup (json_object_get_string_member (folder, "id"));
    }
  g_error ("No folder named %s", display_name);
}

static void
add_message (Fixture    *f,
             const char *subject,
             const char *folder)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  EmberFakeMessageSpec spec = { 0, };

  spec.subject = subject;
  spec.from_name = "Erin Example";
  spec.from_address = "erin@example.test";
  spec.text = "A new message body";
  spec.html = "<p>A new <b>message</b> body</p>";
  spec.folder = folder;
  spec.unread = TRUE;
  id = ember_fake_server_add_message (f->server, EMAIL, &spec, &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);
}

static void
move_message (Fixture    *f,
              const char *id,
              const char *destination)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *new_id = ember_fake_server_move_message (f->server, EMAIL, id, destination, &error);

  g_assert_no_error (error);
  g_assert_nonnull (new_id);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static char *
add_event (Fixture    *f,
           const char *summary,
           const char *time_zone,
           gint64      start,
           gint64      end,
           gboolean    all_day,
           const char *rrule)
{
  g_autoptr(GError) error = NULL;
  EmberFakeEventSpec spec = { 0, };
  char *id;

  spec.summary = summary;
  spec.location = "Room 1";
  spec.time_zone = time_zone;
  spec.start = start;
  spec.end = end;
  spec.all_day = all_day;
  spec.rrule = rrule;
  id = ember_fake_server_add_event (f->server, EMAIL, &spec, &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

/* Adds, deletes, moves (between nested folders too) and marks messages;
 * adds, changes, cancels and deletes events. */
static void
mutate_dataset (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *projects = folder_id_by_name (f, "Projects");
  g_autofree char *team = folder_id_by_name (f, "Team");
  g_autofree char *ember = folder_id_by_name (f, "Ember");
  g_autofree char *delete_a = nth_message (f, "inbox", 3);
  g_autofree char *delete_b = nth_message (f, "archive", 0);
  g_autofree char *move_a = nth_message (f, "inbox", 5);
  g_autofree char *move_b = nth_message (f, projects, 0);
  g_autofree char *move_c = nth_message (f, team, 0);
  g_autofree char *read_a = nth_message (f, "inbox", 7);
  g_autofree char *read_b = nth_message (f, "sentitems", 1);
  g_autofree char *event_a = NULL;
  g_autofree char *event_b = NULL;
  g_autofree char *event_c = NULL;
  gint64 day = now_seconds () - now_seconds () % 86400;
  EmberFakeEventSpec change = { 0, };

  g_free (add_event (f, "New single event", "Europe/Berlin", day + 5 * 86400 + 9 * 3600,
                     day + 5 * 86400 + 10 * 3600, FALSE, NULL));
  g_free (add_event (f, "New weekly event", "America/Los_Angeles", day + 2 * 86400 + 17 * 3600,
                     day + 2 * 86400 + 18 * 3600, FALSE, "FREQ=WEEKLY;COUNT=6"));
  event_a = add_event (f, "To be changed", "UTC", day + 10 * 86400, day + 10 * 86400 + 3600, FALSE, NULL);
  event_b = add_event (f, "To be cancelled", "UTC", day + 11 * 86400, day + 11 * 86400 + 3600, FALSE, NULL);
  event_c = add_event (f, "To be deleted", NULL, day + 12 * 86400, day + 13 * 86400, TRUE, NULL);
  /* The three above exist only from here on: sync them, then change them. */
  sync_account (f);

  add_message (f, "Fresh in the inbox", NULL);
  add_message (f, "Fresh in a nested folder", ember);
  add_message (f, "Fresh in the archive", "archive");

  g_assert_true (ember_fake_server_delete_message (f->server, EMAIL, delete_a, &error));
  g_assert_true (ember_fake_server_delete_message (f->server, EMAIL, delete_b, &error));
  g_assert_no_error (error);

  move_message (f, move_a, projects);
  move_message (f, move_b, "deleteditems");
  move_message (f, move_c, "inbox");

  g_assert_true (ember_fake_server_set_message_unread (f->server, EMAIL, read_a, FALSE, &error));
  g_assert_true (ember_fake_server_set_message_unread (f->server, EMAIL, read_b, TRUE, &error));
  g_assert_no_error (error);

  change.summary = "Changed event";
  change.set_times = TRUE;
  change.start = day + 20 * 86400 + 8 * 3600;
  change.end = day + 20 * 86400 + 9 * 3600;
  g_assert_true (ember_fake_server_change_event (f->server, EMAIL, event_a, &change, &error));
  g_assert_true (ember_fake_server_cancel_event (f->server, EMAIL, event_b, &error));
  g_assert_true (ember_fake_server_delete_event (f->server, EMAIL, event_c, &error));
  g_assert_no_error (error);
}

/* ------------------------------------------------------------------------ */
/* Tests.                                                                   */

/* Most events keep Outlook's 15 minutes, some have their own, a few
 * none. */
static void
assert_reminders_vary (GPtrArray *events)
{
  g_autoptr(GHashTable) offsets = g_hash_table_new (NULL, NULL);
  guint fifteen = 0, none = 0;

  for (guint i = 0; i < events->len; i++)
    {
      EmberEventRecord *event = g_ptr_array_index (events, i);

      g_assert_false (event->reminder_default);
      if (!event->has_reminder)
        none++;
      else if (event->reminder_minutes == 15)
        fifteen++;
      else
        g_hash_table_add (offsets, GUINT_TO_POINTER (event->reminder_minutes));
    }
  g_test_message ("reminders: %u at 15 minutes, %u other offsets, %u none", fifteen,
                  g_hash_table_size (offsets), none);
  g_assert_cmpuint (fifteen, >, events->len / 2);
  g_assert_cmpuint (g_hash_table_size (offsets), >=, 3);
  g_assert_cmpuint (none, >, 0);
}

static void
test_full_then_delta (void)
{
  EmberFakeServerOptions options;
  Fixture f;
  LogSummary summary;
  g_autoptr(GPtrArray) events = NULL;

  ember_fake_server_options_init (&options);
  options.n_messages = 2000;
  options.n_events = 150;
  fixture_init (&f, &options);

  sync_account (&f);
  assert_mail_converged (&f);
  assert_calendar_converged (&f);
  events = stored_events (&f);
  g_assert_cmpuint (events->len, >=, 100);
  assert_reminders_vary (events);
  assert_mailbox_limits (&f);
  summary = summarize_log (&f);
  g_test_message ("full sync: %u Graph calls, %u batches, %u throttled",
                  summary.requests, summary.batches, summary.throttled);
  g_assert_cmpuint (summary.throttled, ==, 0);
  /* The well-known folders and the root, looked up once. */
  g_assert_cmpuint (summary.other, ==, 7);
  g_assert_cmpuint (summary.folder_tree, ==, 0);

  mutate_dataset (&f);
  ember_fake_server_clear_request_log (f.server);
  ember_fake_server_reset_max_in_flight (f.server);
  sync_account (&f);

  summary = summarize_log (&f);
  g_test_message ("delta sync: %u Graph calls (%u delta, %u folder tree) in %u batches + singles",
                  summary.requests, summary.delta, summary.folder_tree, summary.batches);
  /* Only delta rounds: every Graph call followed a delta or next link (the
   * folder tree's, each folder's, the calendar's). No round started afresh,
   * no folder listing, no message fetched alone. */
  g_assert_cmpuint (summary.fresh_rounds, ==, 0);
  g_assert_cmpuint (summary.folder_tree, ==, 0);
  g_assert_cmpuint (summary.other, ==, 0);
  g_assert_cmpuint (summary.delta, >, 0);
  g_assert_cmpuint (summary.requests, ==, summary.delta);
  g_assert_cmpuint (ember_fake_server_count_requests (f.server, "GET", "/v1.0/me/mailFolders/delta", 200), >=, 1);
  g_assert_cmpuint (summary.throttled, ==, 0);
  /* The opening batch carries the folder tree and every folder's cursor. */
  g_assert_cmpuint (summary.batches, >=, 1);
  assert_mailbox_limits (&f);

  assert_mail_converged (&f);
  assert_calendar_converged (&f);
  /* Three new messages, plus three that came into their new folder. */
  g_assert_cmpuint (f.new_messages, >=, 3);

  /* Nothing changed: the next sync is one batch for mail plus the calendar
   * delta, and changes nothing. */
  ember_fake_server_clear_request_log (f.server);
  sync_account (&f);
  summary = summarize_log (&f);
  g_assert_cmpuint (summary.batches, ==, 1);
  g_assert_cmpuint (summary.fresh_rounds, ==, 0);
  g_assert_cmpuint (summary.other, ==, 0);
  g_assert_cmpuint (summary.requests, ==, summary.delta);
  g_assert_cmpuint (f.new_messages, ==, 0);
  assert_mail_converged (&f);

  fixture_clear (&f);
}

/* Folders added, renamed and deleted (with a subfolder and messages) come
 * through the folder tree's delta round; only the new folder's message
 * round starts afresh. */
static void
test_folder_changes (void)
{
  EmberFakeServerOptions options;
  Fixture f;
  LogSummary summary;
  g_autoptr(GError) error = NULL;
  g_autofree char *projects = NULL;
  g_autofree char *newsletters = NULL;
  g_autofree char *invoices = NULL;
  g_autofree char *deeper = NULL;

  ember_fake_server_options_init (&options);
  options.n_messages = 400;
  options.n_events = 10;
  fixture_init (&f, &options);
  sync_account (&f);
  assert_mail_converged (&f);

  projects = folder_id_by_name (&f, "Projects");
  newsletters = folder_id_by_name (&f, "Newsletters");
  invoices = ember_fake_server_add_folder (f.server, EMAIL, "Invoices", "inbox", &error);
  g_assert_no_error (error);
  deeper = ember_fake_server_add_folder (f.server, EMAIL, "2026", invoices, &error);
  g_assert_no_error (error);
  add_message (&f, "Invoice 1", invoices);
  add_message (&f, "Invoice 2", deeper);
  g_assert_true (ember_fake_server_rename_folder (f.server, EMAIL, newsletters, "News", &error));
  g_assert_no_error (error);
  /* Projects holds Ember, and both hold messages. */
  g_assert_true (ember_fake_server_delete_folder (f.server, EMAIL, projects, &error));
  g_assert_no_error (error);

  ember_fake_server_clear_request_log (f.server);
  sync_account (&f);
  summary = summarize_log (&f);
  g_test_message ("folder changes: %u calls (%u delta, %u fresh)", summary.requests, summary.delta,
                  summary.fresh_rounds);
  /* The two new folders' first message rounds; everything else a delta. */
  g_assert_cmpuint (summary.fresh_rounds, ==, 2);
  g_assert_cmpuint (summary.folder_tree, ==, 0);
  g_assert_cmpuint (summary.other, ==, 0);
  g_assert_cmpuint (summary.requests, ==, summary.delta + summary.fresh_rounds);
  assert_mail_converged (&f);

  /* And the round after is all deltas again. */
  ember_fake_server_clear_request_log (f.server);
  sync_account (&f);
  summary = summarize_log (&f);
  g_assert_cmpuint (summary.fresh_rounds, ==, 0);
  g_assert_cmpuint (summary.requests, ==, summary.delta);
  assert_mail_converged (&f);

  fixture_clear (&f);
}

static void
test_expired_delta_tokens (void)
{
  EmberFakeServerOptions options;
  Fixture f;
  LogSummary summary;
  g_autoptr(GError) error = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *moved = NULL;

  ember_fake_server_options_init (&options);
  options.n_messages = 400;
  options.n_events = 60;
  fixture_init (&f, &options);
  sync_account (&f);
  assert_mail_converged (&f);
  assert_calendar_converged (&f);

  /* Changes the server will never report as such: the tokens expire. */
  gone = nth_message (&f, "inbox", 1);
  moved = nth_message (&f, "inbox", 2);
  g_assert_true (ember_fake_server_delete_message (f.server, EMAIL, gone, &error));
  g_assert_no_error (error);
  move_message (&f, moved, "archive");
  add_message (&f, "After the expiry", NULL);
  g_assert_true (ember_fake_server_expire_cursors (f.server, EMAIL, EMBER_FAKE_CURSOR_DELTA, &error));
  g_assert_no_error (error);

  ember_fake_server_clear_request_log (f.server);
  sync_account (&f);
  summary = summarize_log (&f);
  /* Every folder and the calendar started over. */
  g_assert_cmpuint (summary.fresh_rounds, >=, 2);
  g_assert_cmpuint (ember_fake_server_count_requests (f.server, "GET", "/v1.0/me/", 410), >=, 2);
  assert_mail_converged (&f);
  assert_calendar_converged (&f);

  /* And the fresh tokens work. */
  ember_fake_server_clear_request_log (f.server);
  sync_account (&f);
  summary = summarize_log (&f);
  g_assert_cmpuint (summary.fresh_rounds, ==, 0);
  assert_mail_converged (&f);

  fixture_clear (&f);
}

static void
test_faults (void)
{
  EmberFakeServerOptions options;
  Fixture f;
  g_autoptr(GError) error = NULL;
  LogSummary summary;

  ember_fake_server_options_init (&options);
  options.n_messages = 1500;
  options.n_events = 150;
  options.seed = 7;
  fixture_init (&f, &options);
  g_assert_true (ember_fake_server_set_faults (f.server, "503:0.05,429:0.02:retry-after=1,reset:0.01,truncate:0.01",
                                               &error));
  g_assert_no_error (error);

  sync_account (&f);
  summary = summarize_log (&f);
  g_test_message ("full sync under faults: %u calls, %u throttled", summary.requests, summary.throttled);
  g_assert_cmpuint (summary.concurrency, ==, 0);

  mutate_dataset (&f);
  sync_account (&f);

  /* Compare without faults in the way of the oracle. */
  g_assert_true (ember_fake_server_set_faults (f.server, "", &error));
  g_assert_no_error (error);
  assert_mail_converged (&f);
  assert_calendar_converged (&f);
  assert_mailbox_limits (&f);

  fixture_clear (&f);
}

static void
test_request_budget (void)
{
  EmberFakeServerOptions options;
  Fixture f;
  LogSummary summary;
  gint64 started;

  /* A mailbox allowed 40 requests per 4 s; the sync needs about twice
   * that, so it must pace itself instead of running into 429s. */
  ember_fake_server_options_init (&options);
  options.n_messages = 300;
  options.n_events = 30;
  options.graph_requests_per_window = 40;
  options.graph_window_seconds = 4;
  fixture_init (&f, &options);
  ember_api_endpoint_set_quota (f.endpoint, 40, 4, 4);
  ember_graph_provider_set_message_page_size (EMBER_GRAPH_PROVIDER (f.provider), 10);

  started = g_get_monotonic_time ();
  sync_account (&f);
  summary = summarize_log (&f);
  g_test_message ("%u calls in %.1f s", summary.requests,
                  (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
  g_assert_cmpuint (summary.requests, >, 40);
  g_assert_cmpuint (summary.throttled, ==, 0);
  assert_mailbox_limits (&f);
  assert_mail_converged (&f);

  fixture_clear (&f);
}

/* Wall-clock 09:00 in @zone on the day @days after today. */
static gint64
local_nine (GTimeZone *zone,
            int        days)
{
  g_autoptr(GDateTime) now = g_date_time_new_now (zone);
  g_autoptr(GDateTime) day = g_date_time_add_days (now, days);
  g_autoptr(GDateTime) nine = g_date_time_new (zone, g_date_time_get_year (day), g_date_time_get_month (day),
                                               g_date_time_get_day_of_month (day), 9, 0, 0);

  return g_date_time_to_unix (nine);
}

/* Days from today to the next change of @zone's UTC offset (at most a
 * year ahead), or 0 when it has none. */
static int
days_to_offset_change (GTimeZone *zone)
{
  gint64 base = local_nine (zone, 1);
  int offset = g_time_zone_get_offset (zone, g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, base));

  for (int days = 2; days < 360; days++)
    {
      gint64 when = local_nine (zone, days);

      if (g_time_zone_get_offset (zone, g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, when)) != offset)
        return days;
    }
  return 0;
}

typedef struct
{
  const char *iana;
  const char *windows;
} ZoneCase;

static void
check_zone_events (Fixture        *f,
                   const ZoneCase *zones,
                   guint           n_zones,
                   GHashTable     *expected_starts)
{
  g_autoptr(GPtrArray) events = stored_events (f);
  guint matched = 0;
  guint offsets = 0;

  for (guint i = 0; i < events->len; i++)
    {
      EmberEventRecord *event = g_ptr_array_index (events, i);
      gpointer expected;

      if (event->summary == NULL || !g_str_has_prefix (event->summary, "TZ "))
        continue;
      if (event->all_day)
        {
          g_assert_cmpstr (event->summary, ==, "TZ all day");
          g_assert_cmpstr (event->start_date, ==, g_hash_table_lookup (expected_starts, "all-day-start"));
          g_assert_cmpstr (event->end_date, ==, g_hash_table_lookup (expected_starts, "all-day-end"));
          matched++;
          continue;
        }
      g_test_message ("%s at %" G_GINT64_FORMAT " in %s", event->summary, event->start, event->time_zone);
      g_assert_true (g_hash_table_lookup_extended (expected_starts, event->summary, NULL, &expected) ||
                     g_str_has_prefix (event->summary, "TZ monthly"));
      if (g_str_has_prefix (event->summary, "TZ monthly"))
        {
          /* Every occurrence at 09:00 Berlin time, DST or not. */
          g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
          g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (event->start);
          g_autoptr(GDateTime) in_berlin = g_date_time_to_timezone (utc, berlin);

          g_assert_cmpint (g_date_time_get_hour (in_berlin), ==, 9);
          g_assert_cmpint (g_date_time_get_minute (in_berlin), ==, 0);
          offsets |= g_date_time_get_utc_offset (in_berlin) == 2 * G_TIME_SPAN_HOUR ? 2 : 1;
          g_assert_cmpint (event->end - event->start, ==, 3600);
          g_assert_cmpstr (event->time_zone, ==, "W. Europe Standard Time");
          g_assert_nonnull (event->recurring_event_id);
          g_assert_cmpint (event->original_start, ==, event->start);
          matched++;
          continue;
        }
      g_assert_cmpint (event->start, ==, *(gint64 *) expected);
      g_assert_cmpint (event->end, ==, *(gint64 *) expected + 1800);
      for (guint z = 0; z < n_zones; z++)
        if (strstr (event->summary, zones[z].iana) != NULL)
          g_assert_cmpstr (event->time_zone, ==, zones[z].windows);
      matched++;
    }
  /* The timed events, the all-day one and three monthly occurrences; the
   * table also holds the all-day event's two dates. */
  g_assert_cmpuint (matched, ==, (g_hash_table_size (expected_starts) - 2) + 1 + 3);
  /* The series has occurrences in winter and in summer time. */
  g_assert_cmpuint (offsets, ==, 3);
}

static void
test_time_zones (void)
{
  static const ZoneCase zones[] = {
    { "America/Los_Angeles", "Pacific Standard Time" },
    { "Europe/Berlin", "W. Europe Standard Time" },
    { "Asia/Kolkata", "India Standard Time" },
    { "UTC", "UTC" },
  };
  EmberFakeServerOptions options;
  Fixture f;
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GTimeZone) los_angeles = g_time_zone_new_identifier ("America/Los_Angeles");
  g_autoptr(GDateTime) all_day = NULL;
  int berlin_change = days_to_offset_change (berlin);
  int la_change = days_to_offset_change (los_angeles);

  g_assert_cmpint (berlin_change, >, 1);
  g_assert_cmpint (la_change, >, 1);
  /* The events before and after really straddle a change of offset. */
  {
    gint64 before = local_nine (berlin, berlin_change - 1);
    gint64 after = local_nine (berlin, berlin_change + 1);

    g_assert_cmpint (after - before, !=, 2 * 86400);
    before = local_nine (los_angeles, la_change - 1);
    after = local_nine (los_angeles, la_change + 1);
    g_assert_cmpint (after - before, !=, 2 * 86400);
  }

  ember_fake_server_options_init (&options);
  options.n_messages = 20;
  options.n_events = 0;
  fixture_init (&f, &options);

  /* 09:00 local the day before and the day after each zone's next offset
   * change (DST zones), or the same days as Berlin's (the others). */
  for (guint z = 0; z < G_N_ELEMENTS (zones); z++)
    {
      g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (zones[z].iana);
      int change = strcmp (zones[z].iana, "America/Los_Angeles") == 0 ? la_change : berlin_change;

      for (int side = -1; side <= 1; side += 2)
        {
          gint64 start = local_nine (zone, side < 0 ? change - 1 : change + 1);
          char *summary = g_strdup_printf ("TZ %s %s", zones[z].iana, side < 0 ? "before" : "after");
          gint64 *value = g_new (gint64, 1);

          *value = start;
          g_free (add_event (&f, summary, zones[z].iana, start, start + 1800, FALSE, NULL));
          g_hash_table_insert (expected, summary, value);
        }
    }
  /* A monthly series in Berlin across its change, and an all-day event. */
  g_free (add_event (&f, "TZ monthly Berlin", "Europe/Berlin", local_nine (berlin, berlin_change - 14),
                     local_nine (berlin, berlin_change - 14) + 3600, FALSE, "FREQ=MONTHLY;COUNT=3"));
  {
    g_autoptr(GDateTime) some_time = g_date_time_new_from_unix_utc (local_nine (los_angeles, 3));

    /* UTC midnight to midnight: one whole day, whatever the zone. */
    all_day = g_date_time_new_utc (g_date_time_get_year (some_time), g_date_time_get_month (some_time),
                                   g_date_time_get_day_of_month (some_time), 0, 0, 0);
  }
  g_free (add_event (&f, "TZ all day", "America/Los_Angeles", g_date_time_to_unix (all_day),
                     g_date_time_to_unix (all_day) + 86400, TRUE, NULL));
  {
    g_autoptr(GDateTime) next = g_date_time_add_days (all_day, 1);

    g_hash_table_insert (expected, g_strdup ("all-day-start"), g_date_time_format (all_day, "%Y-%m-%d"));
    g_hash_table_insert (expected, g_strdup ("all-day-end"), g_date_time_format (next, "%Y-%m-%d"));
  }

  /* Times in UTC, as Ember asks for them... */
  sync_account (&f);
  check_zone_events (&f, zones, G_N_ELEMENTS (zones), expected);
  assert_calendar_converged (&f);

  /* ... and in local time named by each Windows zone, which Ember
   * converts: every event, in every zone's summer and winter time. */
  for (guint z = 0; z < G_N_ELEMENTS (zones); z++)
    {
      g_test_message ("Times in %s", zones[z].windows);
      fixture_close_store (&f);
      fixture_open_store (&f);
      _ember_graph_provider_set_preferred_time_zone (EMBER_GRAPH_PROVIDER (f.provider), zones[z].windows);
      sync_account (&f);
      check_zone_events (&f, zones, G_N_ELEMENTS (zones), expected);
    }

  fixture_clear (&f);
}

/* ------------------------------------------------------------------------ */
/* Killed mid-sync.                                                         */

static char *
child_issue_token (const char  *base,
                   char       **out_refresh)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("%s/_fake/accounts/%s/tokens", base, EMAIL);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;

  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  root = json_from_string (g_bytes_get_data (body, NULL), &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);
  *out_refresh = g_strdup (json_object_get_string_member (object, "refresh_token"));
  return g_strdup (json_object_get_string_member (object, "access_token"));
}

/* The child: one sync of the account in the store at $EMBER_GRAPH_SYNC_CHILD,
 * small pages so that there are many commits to be killed between. */
static int
run_child (void)
{
  g_auto(GStrv) args = g_strsplit (g_getenv (CHILD_ENV), "|", 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(EmberHttpClient) client = make_client ();
  g_autoptr(EmberTokenStore) tokens = ember_memory_token_store_new ();
  g_autoptr(EmberApiEndpoint) endpoint = NULL;
  g_autoptr(EmberProvider) provider = NULL;
  g_autoptr(EmberSyncReport) report = ember_sync_report_new (NULL, NULL, NULL);
  g_autofree char *refresh = NULL;
  g_autofree char *access = NULL;
  gint64 account_id;

  g_assert_cmpuint (g_strv_length (args), ==, 3);
  account_id = g_ascii_strtoll (args[2], NULL, 10);
  store = ember_store_new_sync (args[0], NULL, &error);
  g_assert_no_error (error);
  access = child_issue_token (args[1], &refresh);
  endpoint = make_endpoint (client, tokens, args[1], account_id, access, refresh);
  provider = ember_graph_provider_new (store, client, endpoint, account_id);
  ember_graph_provider_set_message_page_size (EMBER_GRAPH_PROVIDER (provider), 40);
  ember_graph_provider_set_event_page_size (EMBER_GRAPH_PROVIDER (provider), 20);

  if (!ember_provider_sync_mail (provider, report, NULL, &error) ||
      !ember_provider_sync_calendar (provider, report, NULL, &error))
    {
      g_printerr ("child sync failed: %s\n", error->message);
      return 1;
    }
  return 0;
}

static GSubprocess *
spawn_child (Fixture *f)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", &error);
  g_autofree char *value = g_strdup_printf ("%s|%s|%" G_GINT64_FORMAT, f->data_dir,
                                            ember_fake_server_get_base_uri (f->server), f->account_id);
  GSubprocess *child;

  g_assert_no_error (error);
  g_subprocess_launcher_setenv (launcher, CHILD_ENV, value, TRUE);
  child = g_subprocess_launcher_spawn (launcher, &error, self_path, NULL);
  g_assert_no_error (error);
  return child;
}

static gint64
stored_message_count (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  EmberAccountCounts counts = { 0, };

  g_assert_true (ember_store_get_account_counts_sync (f->store, f->account_id, &counts, NULL, &error));
  g_assert_no_error (error);
  return counts.messages + counts.events;
}

static void
test_killed_during_full_sync (void)
{
  EmberFakeServerOptions options;
  Fixture f;
  guint n_kills = 0;
  gint64 total;

  ember_fake_server_options_init (&options);
  options.n_messages = 1200;
  options.n_events = 80;
  options.latency_ms = 5;
  fixture_init (&f, &options);
  total = 1200 + 80;

  /* Each child is killed once the store holds a random number more than
   * the last one left: always in the middle of the full sync. */
  for (guint round = 0; round < 5; round++)
    {
      g_autoptr(GSubprocess) child = spawn_child (&f);
      gint64 before = stored_message_count (&f);
      gint64 target = before + 1 + g_test_rand_int_range (0, (int) MAX (1, (total - before) / 3));
      gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
      gboolean killed = FALSE;
      g_autoptr(GError) error = NULL;

      while (g_get_monotonic_time () < deadline)
        {
          if (stored_message_count (&f) >= target)
            {
              g_subprocess_send_signal (child, SIGKILL);
              killed = TRUE;
              break;
            }
          /* Reaped: it finished before reaching the target. */
          if (g_subprocess_get_identifier (child) == NULL)
            break;
          g_usleep (1000);
        }
      g_assert_true (g_subprocess_wait (child, NULL, &error));
      g_assert_no_error (error);
      if (killed && g_subprocess_get_if_signaled (child))
        {
          g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
          n_kills++;
        }
      else
        {
          g_assert_true (g_subprocess_get_if_exited (child));
          g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
        }
      g_test_message ("round %u: target %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT " stored after",
                      round, target, stored_message_count (&f));

      /* The mailbox still counts the killed client's requests until the
       * server has answered them; a person restarts later than that. */
      deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      while (ember_fake_server_get_in_flight (f.server, EMAIL) > 0 && g_get_monotonic_time () < deadline)
        g_usleep (10 * 1000);
      g_assert_cmpuint (ember_fake_server_get_in_flight (f.server, EMAIL), ==, 0);
    }
  g_assert_cmpuint (n_kills, ==, 5);

  /* A last, undisturbed sync converges with nothing twice. */
  {
    g_autoptr(GSubprocess) child = spawn_child (&f);
    g_autoptr(GError) error = NULL;

    g_assert_true (g_subprocess_wait_check (child, NULL, &error));
    g_assert_no_error (error);
  }
  assert_mail_converged (&f);
  assert_calendar_converged (&f);
  g_assert_cmpuint (summarize_log (&f).concurrency, ==, 0);

  fixture_clear (&f);
}

typedef struct
{
  Fixture      *fixture;
  GCancellable *cancellable;
  GError       *error;
} CancelRun;

static gpointer
sync_mail_thread (gpointer data)
{
  CancelRun *run = data;
  g_autoptr(EmberSyncReport) report = ember_sync_report_new (NULL, NULL, NULL);

  ember_provider_sync_mail (run->fixture->provider, report, run->cancellable, &run->error);
  return NULL;
}

/* Cancelling stops every folder's round at once with G_IO_ERROR_CANCELLED;
 * what was committed stays, and the next sync picks up from there. */
static void
test_cancel_and_resume (void)
{
  EmberFakeServerOptions options;
  Fixture f;
  CancelRun run = { 0, };
  GThread *thread;
  gint64 deadline;
  gint64 cancelled_at;
  LogSummary summary;

  ember_fake_server_options_init (&options);
  options.n_messages = 1500;
  options.n_events = 10;
  options.latency_ms = 20;
  fixture_init (&f, &options);
  ember_graph_provider_set_message_page_size (EMBER_GRAPH_PROVIDER (f.provider), 20);

  run.fixture = &f;
  run.cancellable = g_cancellable_new ();
  thread = g_thread_new ("sync", sync_mail_thread, &run);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (stored_message_count (&f) < 100 && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_cancellable_cancel (run.cancellable);
  cancelled_at = g_get_monotonic_time ();
  g_thread_join (thread);

  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Within one reply's latency and a commit or two, not a whole sync. */
  g_assert_cmpint (g_get_monotonic_time () - cancelled_at, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (stored_message_count (&f), >=, 100);
  g_assert_cmpint (stored_message_count (&f), <, 1500);
  g_clear_error (&run.error);
  g_clear_object (&run.cancellable);

  /* The folders that had begun resume from their stored links. */
  ember_fake_server_clear_request_log (f.server);
  sync_account (&f);
  summary = summarize_log (&f);
  g_assert_cmpuint (summary.fresh_rounds, <, 15);
  assert_mail_converged (&f);

  fixture_clear (&f);
}

static gboolean
hold_writer (EmberDbConnection  *connection,
             gpointer            user_data,
             GCancellable       *cancellable,
             GError            **error)
{
  gint *held = user_data;

  g_atomic_int_set (held, 1);
  /* Longer than the pool's 5 s wait for the writer. */
  g_usleep (6500 * G_TIME_SPAN_MILLISECOND);
  return TRUE;
}

static gpointer
hold_writer_thread (gpointer data)
{
  Fixture *f = ((gpointer *) data)[0];
  gint *held = ((gpointer *) data)[1];
  g_autoptr(GError) error = NULL;

  g_assert_true (ember_db_pool_write_sync (ember_store_get_pool (f->store), hold_writer, held, NULL, &error));
  g_assert_no_error (error);
  return NULL;
}

/* Another job holding the store's writer longer than the pool waits makes
 * pages fail to get in: they are tried again, not given up. */
static void
test_store_busy (void)
{
  EmberFakeServerOptions options;
  Fixture f;
  EmberDbPoolStats stats;
  gint held = 0;
  gpointer args[2];
  GThread *thread;

  ember_fake_server_options_init (&options);
  options.n_messages = 300;
  options.n_events = 20;
  fixture_init (&f, &options);

  args[0] = &f;
  args[1] = &held;
  thread = g_thread_new ("writer", hold_writer_thread, args);
  while (!g_atomic_int_get (&held))
    g_usleep (1000);
  sync_account (&f);
  g_thread_join (thread);

  ember_db_pool_get_stats (ember_store_get_pool (f.store), &stats);
  g_assert_cmpuint (stats.timeouts, >=, 1);
  assert_mail_converged (&f);
  assert_calendar_converged (&f);

  fixture_clear (&f);
}

/* The calendar window follows today: once the clock has moved a week, the
 * next sync starts a fresh round over the new range and drops what fell
 * out of it. */
static void
test_calendar_window_slides (void)
{
  EmberFakeServerOptions options;
  Fixture f;
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (g_get_real_time ());
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start_1, end_1, start_2, end_2;
  guint dropped = 0;
  LogSummary summary;

  ember_fake_server_options_init (&options);
  options.n_messages = 10;
  options.n_events = 200;
  fixture_init (&f, &options);

  /* The same account, with a client whose clock the test moves. */
  g_clear_object (&f.provider);
  g_clear_object (&f.endpoint);
  g_clear_object (&f.client);
  f.client = ember_http_client_new (EMBER_CLOCK (clock));
  g_assert_true (ember_fake_server_issue_token (f.server, EMAIL, &access, &refresh, &error));
  g_assert_no_error (error);
  f.endpoint = make_endpoint (f.client, f.tokens, ember_fake_server_get_base_uri (f.server), f.account_id,
                              access, refresh);
  /* The limiter on real time: the fake one would never refill. */
  ember_api_endpoint_set_rate_limiter (f.endpoint, NULL);
  f.provider = ember_graph_provider_new (f.store, f.client, f.endpoint, f.account_id);

  sync_account (&f);
  synced_window (&f, &start_1, &end_1);
  assert_calendar_converged (&f);
  before = stored_events (&f);

  /* Six days on: the same window, and only a delta round. */
  ember_fake_clock_advance (clock, 6 * G_TIME_SPAN_DAY);
  ember_fake_server_clear_request_log (f.server);
  sync_account (&f);
  synced_window (&f, &start_2, &end_2);
  g_assert_cmpint (start_2, ==, start_1);
  summary = summarize_log (&f);
  g_assert_cmpuint (summary.fresh_rounds, ==, 0);

  /* Eight days on: a new window, a week and a day later. */
  ember_fake_clock_advance (clock, 2 * G_TIME_SPAN_DAY);
  ember_fake_server_clear_request_log (f.server);
  sync_account (&f);
  synced_window (&f, &start_2, &end_2);
  g_assert_cmpint (start_2, ==, start_1 + 8 * 86400);
  g_assert_cmpint (end_2, ==, end_1 + 8 * 86400);
  summary = summarize_log (&f);
  g_assert_cmpuint (summary.fresh_rounds, ==, 1);
  assert_calendar_converged (&f);

  /* What ended before the new start is gone. */
  after = stored_events (&f);
  for (guint i = 0; i < before->len; i++)
    {
      EmberEventRecord *event = g_ptr_array_index (before, i);

      if (event->end <= start_2)
        dropped++;
    }
  for (guint i = 0; i < after->len; i++)
    g_assert_cmpint (((EmberEventRecord *) g_ptr_array_index (after, i))->end, >, start_2);
  g_test_message ("%u events before, %u after, %u dropped with the old days", before->len, after->len, dropped);
  g_assert_cmpuint (dropped, >, 0);

  fixture_clear (&f);
}

/* ------------------------------------------------------------------------ */
/* Next to a Google account.                                                */

#define GOOGLE_EMAIL "alice@gmail.test"

static gint64
add_signed_in_account (Fixture    *f,
                       const char *provider,
                       const char *email)
{
  g_autoptr(EmberAccountRecord) account = ember_account_record_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  const char *base = ember_fake_server_get_base_uri (f->server);
  gboolean google = strcmp (provider, "gmail") == 0;
  gint64 id;

  account->provider = g_strdup (provider);
  account->email = g_strdup (email);
  account->api_base = google ? g_strdup (base) : graph_base (base);
  account->auth_base = g_strconcat (base, google ? "/google" : "/microsoft", NULL);
  account->client_id = g_strdup ("ember-tests");
  id = ember_store_add_account_sync (f->store, account, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (ember_fake_server_issue_token (f->server, email, &access, &refresh, &error));
  g_assert_no_error (error);
  g_assert_true (ember_token_store_store_sync (f->tokens, id, EMBER_TOKEN_KIND_ACCESS, access,
                                               g_get_real_time () / G_USEC_PER_SEC + 3000, NULL, &error));
  g_assert_true (ember_token_store_store_sync (f->tokens, id, EMBER_TOKEN_KIND_REFRESH, refresh, 0,
                                               NULL, &error));
  g_assert_no_error (error);
  return id;
}

typedef struct
{
  EmberSyncManager *manager;
  gint64            accounts[2];
} ManagerWait;

static gboolean
both_synced (gpointer data)
{
  ManagerWait *wait = data;

  for (guint i = 0; i < G_N_ELEMENTS (wait->accounts); i++)
    {
      const EmberUserError *failure = ember_sync_manager_get_account_error (wait->manager, wait->accounts[i]);

      if (failure != NULL)
        g_error ("Account %" G_GINT64_FORMAT " failed to sync: %s (%s)", wait->accounts[i],
                 failure->message, failure->details != NULL ? failure->details : "");
      if (ember_sync_manager_get_account_last_success (wait->manager, wait->accounts[i]) == 0)
        return FALSE;
    }
  return !ember_sync_manager_get_busy (wait->manager);
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  ember_sync_manager_load_finish (EMBER_SYNC_MANAGER (object), result, &error);
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

/* Both accounts sync at once through the sync manager and the provider
 * factory, as the app and ember-cli run them. */
static void
test_with_google_account (void)
{
  EmberFakeServerOptions options;
  Fixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberProviderFactory) factory = NULL;
  g_autoptr(EmberSyncManager) manager = NULL;
  g_autoptr(GPtrArray) log = NULL;
  g_autoptr(GHashTable) google_stored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) google_ids = NULL;
  EmberMessageQuery query = { 0, };
  ManagerWait wait = { 0, };
  gboolean loaded = FALSE;
  guint64 first_google = 0, last_google = 0, first_graph = 0, last_graph = 0;
  guint throttled = 0;
  gint64 google_id;

  /* Gmail's per-user quota paces its side to about 4 messages/s. */
  ember_fake_server_options_init (&options);
  options.n_messages = 150;
  options.n_events = 40;
  memset (&f, 0, sizeof f);
  f.server = ember_fake_server_new (&options);
  g_assert_true (ember_fake_server_start (f.server, &error));
  g_assert_no_error (error);
  f.data_dir = g_build_filename (ember_test_get_tmpdir (), "graph-with-google", NULL);
  f.store = ember_store_new_sync (f.data_dir, NULL, &error);
  g_assert_no_error (error);
  f.tokens = ember_memory_token_store_new ();
  f.client = make_client ();

  google_id = add_signed_in_account (&f, "gmail", GOOGLE_EMAIL);
  f.account_id = add_signed_in_account (&f, "microsoft", EMAIL);

  factory = ember_provider_factory_new (f.store, f.client, f.tokens);
  manager = ember_sync_manager_new (f.store, ember_provider_factory_get, g_object_ref (factory), g_object_unref);
  ember_sync_manager_set_interval (manager, 0);
  ember_sync_manager_load_async (manager, TRUE, NULL, loaded_cb, &loaded);
  g_assert_true (ember_test_wait_for (flag_set, &loaded, 10000));

  wait.manager = manager;
  wait.accounts[0] = google_id;
  wait.accounts[1] = f.account_id;
  g_assert_true (ember_test_wait_for (both_synced, &wait, 300000));
  log = ember_fake_server_get_request_log (f.server);

  /* Microsoft: everything, within the mailbox's limits. */
  assert_mail_converged (&f);
  assert_calendar_converged (&f);
  assert_mailbox_limits (&f);

  /* Google: every message, once. */
  google_ids = ember_fake_server_list_message_ids (f.server, GOOGLE_EMAIL, NULL, &error);
  g_assert_no_error (error);
  query.scope = EMBER_MESSAGE_SCOPE_ALL;
  query.account_id = google_id;
  query.limit = 500;
  for (;;)
    {
      g_autoptr(GPtrArray) page = ember_store_list_messages_sync (f.store, &query, NULL, &error);

      g_assert_no_error (error);
      if (page->len == 0)
        break;
      for (guint i = 0; i < page->len; i++)
        g_assert_true (g_hash_table_add (google_stored,
                                         g_strdup (((EmberMessageRecord *) g_ptr_array_index (page, i))->provider_id)));
      query.after = ember_message_cursor_after (g_ptr_array_index (page, page->len - 1));
    }
  for (guint i = 0; google_ids[i] != NULL; i++)
    if (!g_hash_table_contains (google_stored, google_ids[i]))
      g_error ("Gmail message %s is not stored", google_ids[i]);
  g_assert_cmpuint (g_hash_table_size (google_stored), ==, g_strv_length (google_ids));

  /* They ran side by side, and neither was throttled. */
  for (guint i = 0; i < log->len; i++)
    {
      EmberFakeLogEntry *entry = g_ptr_array_index (log, i);

      if (g_strcmp0 (entry->account, GOOGLE_EMAIL) == 0)
        {
          first_google = first_google == 0 ? entry->seq : first_google;
          last_google = entry->seq;
        }
      else if (g_strcmp0 (entry->account, EMAIL) == 0)
        {
          first_graph = first_graph == 0 ? entry->seq : first_graph;
          last_graph = entry->seq;
        }
      else
        continue;
      throttled += entry->status == 429;
    }
  g_test_message ("Google requests %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT
                  ", Graph requests %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT,
                  first_google, last_google, first_graph, last_graph);
  g_assert_cmpuint (first_google, <, last_graph);
  g_assert_cmpuint (first_graph, <, last_google);
  g_assert_cmpuint (throttled, ==, 0);

  g_clear_object (&manager);
  g_clear_object (&factory);
  fixture_clear (&f);
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv (CHILD_ENV) != NULL)
    return run_child ();

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/providers/graph/sync/full-then-delta", test_full_then_delta);
  g_test_add_func ("/ember/providers/graph/sync/folder-changes", test_folder_changes);
  g_test_add_func ("/ember/providers/graph/sync/expired-delta-tokens", test_expired_delta_tokens);
  g_test_add_func ("/ember/providers/graph/faults/converge", test_faults);
  g_test_add_func ("/ember/providers/graph/faults/request-budget", test_request_budget);
  g_test_add_func ("/ember/providers/graph/calendar/time-zones", test_time_zones);
  g_test_add_func ("/ember/providers/graph/calendar/window-slides", test_calendar_window_slides);
  g_test_add_func ("/ember/providers/graph/crash/cancel-and-resume", test_cancel_and_resume);
  g_test_add_func ("/ember/providers/graph/faults/store-busy", test_store_busy);
  g_test_add_func ("/ember/providers/graph/crash/killed-during-full-sync", test_killed_during_full_sync);
  g_test_add_func ("/ember/providers/graph/mixed/with-google-account", test_with_google_account);

  return g_test_run ();
}
