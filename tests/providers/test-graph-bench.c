/* test-graph-bench.c: how fast the Graph provider fills the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run with: meson test -C BUILD --setup bench --suite bench --verbose
 */
#include "config.h"

#include <string.h>

#include "ember-api-endpoint.h"
#include "ember-auth-session.h"
#include "ember-fake-server.h"
#include "ember-graph-provider.h"
#include "ember-http-client.h"
#include "ember-memory-token-store.h"
#include "ember-oauth-config.h"
#include "ember-store.h"
#include "ember-test-utils.h"

#define EMAIL "carol@contoso.test"
#define N_MESSAGES 20000

typedef struct
{
  EmberFakeServer  *server;
  EmberStore       *store;
  EmberHttpClient  *client;
  EmberApiEndpoint *endpoint;
  EmberTokenStore  *tokens;
  gint64            account_id;
  EmberProvider    *provider;
} Bench;

static guint n_stores;

static EmberStore *
new_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("graph-bench-%u", ++n_stores);
  g_autofree char *dir = g_build_filename (ember_test_get_tmpdir (), name, NULL);
  EmberStore *store = ember_store_new_sync (dir, NULL, &error);

  g_assert_no_error (error);
  return store;
}

static gint64
add_account (EmberStore *store,
             const char *base)
{
  g_autoptr(EmberAccountRecord) account = ember_account_record_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  account->provider = g_strdup ("microsoft");
  account->email = g_strdup (EMAIL);
  account->api_base = g_strconcat (base, "/v1.0", NULL);
  id = ember_store_add_account_sync (store, account, NULL, &error);
  g_assert_no_error (error);
  return id;
}

static void
bench_init (Bench    *b,
            gboolean  throttling)
{
  EmberFakeServerOptions options;
  g_autoptr(GError) error = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *graph_base = NULL;
  g_autofree char *auth_base = NULL;
  g_autoptr(EmberOAuthConfig) config = NULL;
  g_autoptr(EmberAuthSession) session = NULL;
  const char *base;
  gint64 expires = g_get_real_time () / G_USEC_PER_SEC + 3000;

  memset (b, 0, sizeof *b);
  ember_fake_server_options_init (&options);
  options.n_messages = N_MESSAGES;
  options.n_events = 10;
  options.no_quota = !throttling;
  b->server = ember_fake_server_new (&options);
  g_assert_true (ember_fake_server_start (b->server, &error));
  g_assert_no_error (error);
  base = ember_fake_server_get_base_uri (b->server);

  b->store = new_store ();
  b->account_id = add_account (b->store, base);
  g_assert_true (ember_fake_server_issue_token (b->server, EMAIL, &access, &refresh, &error));
  g_assert_no_error (error);

  b->client = ember_http_client_new (ember_clock_get_default ());
  b->tokens = ember_memory_token_store_new ();
  g_assert_true (ember_token_store_store_sync (b->tokens, b->account_id, EMBER_TOKEN_KIND_ACCESS,
                                               access, expires, NULL, &error));
  g_assert_true (ember_token_store_store_sync (b->tokens, b->account_id, EMBER_TOKEN_KIND_REFRESH,
                                               refresh, 0, NULL, &error));
  g_assert_no_error (error);
  auth_base = g_strconcat (base, "/microsoft", NULL);
  config = ember_oauth_config_new (EMBER_OAUTH_PROVIDER_MICROSOFT, auth_base, "ember-bench", NULL);
  session = ember_auth_session_new (b->client, config, b->tokens, b->account_id);
  graph_base = g_strconcat (base, "/v1.0", NULL);
  b->endpoint = ember_api_endpoint_new (EMBER_API_KIND_GRAPH, graph_base, ember_clock_get_default ());
  ember_api_endpoint_set_auth_session (b->endpoint, session);
  /* Throttling off: no request budget, but still the mailbox's 4 in flight. */
  if (!throttling)
    ember_api_endpoint_set_quota (b->endpoint, 1e9, 1, EMBER_GRAPH_MAX_IN_FLIGHT);
  b->provider = ember_graph_provider_new (b->store, b->client, b->endpoint, b->account_id);
}

static void
bench_clear (Bench *b)
{
  g_clear_object (&b->provider);
  g_clear_object (&b->endpoint);
  g_clear_object (&b->tokens);
  g_clear_object (&b->client);
  g_clear_object (&b->store);
  ember_fake_server_stop (b->server);
  g_clear_object (&b->server);
}

static double
sync_mail_seconds (Bench *b)
{
  g_autoptr(EmberSyncReport) report = ember_sync_report_new (NULL, NULL, NULL);
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  ember_provider_sync_mail (b->provider, report, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ember_sync_report_get_stored_messages (report), ==, N_MESSAGES);
  return (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
}

/* Everything the sync stored, bodies included, grouped by folder. */
static GHashTable *
read_back (Bench *b)
{
  GHashTable *by_folder = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify) g_ptr_array_unref);
  EmberMessageQuery query = { 0, };

  query.scope = EMBER_MESSAGE_SCOPE_ALL;
  query.account_id = b->account_id;
  query.limit = 1000;
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) page = ember_store_list_messages_sync (b->store, &query, NULL, &error);

      g_assert_no_error (error);
      if (page->len == 0)
        break;
      for (guint i = 0; i < page->len; i++)
        {
          EmberMessageRecord *listed = g_ptr_array_index (page, i);
          EmberMessageRecord *full = ember_store_get_message_sync (b->store, listed->id, NULL, &error);
          const char *folder = g_ptr_array_index (listed->folder_ids, 0);
          GPtrArray *list = g_hash_table_lookup (by_folder, folder);

          g_assert_no_error (error);
          if (list == NULL)
            {
              list = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_message_record_free);
              g_hash_table_insert (by_folder, g_strdup (folder), list);
            }
          full->id = 0;
          g_clear_pointer (&full->folder_names, g_ptr_array_unref);
          g_ptr_array_add (list, full);
        }
      query.after = ember_message_cursor_after (g_ptr_array_index (page, page->len - 1));
    }
  return by_folder;
}

/* The same records written into an empty store in pages of @page_size,
 * each with a cursor, as the sync writes them: the store's own ceiling. */
static double
store_only_seconds (Bench *b,
                    guint  page_size)
{
  g_autoptr(GHashTable) by_folder = read_back (b);
  g_autoptr(EmberStore) store = new_store ();
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(EmberFolderPage) folder_page = ember_folder_page_new ("folders");
  g_autoptr(GError) error = NULL;
  gint64 account_id = add_account (store, "http://127.0.0.1:1");
  GHashTableIter iter;
  gpointer key, value;
  gint64 started;
  guint saved = 0;

  folders = ember_store_list_folders_sync (b->store, b->account_id, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < folders->len; i++)
    g_ptr_array_add (folder_page->folders, ember_folder_record_copy (g_ptr_array_index (folders, i)));
  folder_page->complete = TRUE;
  g_assert_true (ember_store_save_folder_page_sync (store, account_id, folder_page, NULL, &error));
  g_assert_no_error (error);

  started = g_get_monotonic_time ();
  g_hash_table_iter_init (&iter, by_folder);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GPtrArray *messages = value;
      g_autofree char *resource = g_strconcat ("mail:", (char *) key, NULL);

      for (guint start = 0; start < messages->len; start += page_size)
        {
          g_autoptr(EmberMessagePage) page = ember_message_page_new (resource);

          for (guint i = start; i < MIN (start + page_size, messages->len); i++)
            g_ptr_array_add (page->messages, ember_message_record_copy (g_ptr_array_index (messages, i)));
          page->cursor = g_strdup_printf ("https://graph.example/next?page=%u", start);
          page->phase = g_strdup ("initial");
          g_assert_true (ember_store_save_message_page_sync (store, account_id, page, NULL, &error));
          g_assert_no_error (error);
          saved += page->messages->len;
        }
    }
  g_assert_cmpuint (saved, ==, N_MESSAGES);
  return (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
}

static void
bench_throttling_off (void)
{
  static const guint page_sizes[] = { 100, 250, 500 };

  for (guint p = 0; p < G_N_ELEMENTS (page_sizes); p++)
    {
      Bench b;
      double sync_s, store_s;

      bench_init (&b, FALSE);
      ember_graph_provider_set_message_page_size (EMBER_GRAPH_PROVIDER (b.provider), page_sizes[p]);
      sync_s = sync_mail_seconds (&b);
      store_s = store_only_seconds (&b, page_sizes[p]);
      g_test_message ("BENCH graph page size %u: full sync of %u messages in %.2f s = %.0f messages/s; "
                      "store alone %.2f s = %.0f messages/s; sync/store = %.2f; %u Graph requests",
                      page_sizes[p], N_MESSAGES, sync_s, N_MESSAGES / sync_s, store_s, N_MESSAGES / store_s,
                      store_s / sync_s,
                      ember_fake_server_count_requests (b.server, "GET", "/v1.0/", 0));
      bench_clear (&b);
    }
}

static void
bench_throttling_on (void)
{
  g_autoptr(GPtrArray) log = NULL;
  Bench b;
  double sync_s;
  guint charged = 0, throttled = 0;

  bench_init (&b, TRUE);
  sync_s = sync_mail_seconds (&b);
  log = ember_fake_server_get_request_log (b.server);
  for (guint i = 0; i < log->len; i++)
    {
      EmberFakeLogEntry *entry = g_ptr_array_index (log, i);

      /* Batch parts are logged (and charged) one by one. */
      if (g_strcmp0 (entry->account, EMAIL) != 0 || !g_str_has_prefix (entry->path, "/v1.0/") ||
          strcmp (entry->path, "/v1.0/$batch") == 0)
        continue;
      charged += entry->cost;
      throttled += entry->status == 429;
    }
  g_test_message ("BENCH graph throttling on: %u messages in %.2f s = %.0f messages/s; %u of the 10,000 "
                  "requests per 10 min used (%.1f %%); %u answered 429; max %u in flight",
                  N_MESSAGES, sync_s, N_MESSAGES / sync_s, charged, charged / 100.0, throttled,
                  ember_fake_server_get_max_in_flight (b.server, EMAIL));
  g_assert_cmpuint (throttled, ==, 0);
  g_assert_cmpuint (ember_fake_server_get_max_in_flight (b.server, EMAIL), <=, 4);
  bench_clear (&b);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/providers/graph/bench/full-sync-throttling-off", bench_throttling_off);
  g_test_add_func ("/ember/providers/graph/bench/full-sync-throttling-on", bench_throttling_on);

  return g_test_run ();
}
