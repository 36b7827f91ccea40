/* test-net-fake.c: sign-in, refresh, faults, quotas and batches against the
 * in-process fake provider server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsoup/soup.h>

#include "ember-accounts.h"
#include "ember-auth-session.h"
#include "ember-error.h"
#include "ember-fake-clock.h"
#include "ember-fake-server.h"
#include "ember-http-batch.h"
#include "ember-http-client.h"
#include "ember-memory-token-store.h"
#include "ember-oauth-flow.h"
#include "ember-test-utils.h"

#define ALICE "alice@gmail.test"
#define CAROL "carol@contoso.test"
#define ACCOUNT_ID 1

static EmberFakeServer *
start_fake (EmberFakeServerOptions *options)
{
  g_autoptr(GError) error = NULL;
  EmberFakeServerOptions defaults;
  EmberFakeServer *server;

  if (options == NULL)
    {
      ember_fake_server_options_init (&defaults);
      options = &defaults;
    }
  /* Generating data is most of a start-up: keep only what tests read. */
  if (options->n_messages == 200)
    options->n_messages = 40;
  options->n_events = 2;
  server = ember_fake_server_new (options);

  g_assert_true (ember_fake_server_start (server, &error));
  g_assert_no_error (error);
  return server;
}

static EmberOAuthConfig *
make_config (EmberFakeServer    *server,
             EmberOAuthProvider  provider)
{
  g_autofree char *auth_base = NULL;

  if (provider == EMBER_OAUTH_PROVIDER_GOOGLE)
    {
      auth_base = g_strconcat (ember_fake_server_get_base_uri (server), "/google", NULL);
      return ember_oauth_config_new (provider, auth_base, "ember-test-client", "desktop-secret");
    }

  auth_base = g_strconcat (ember_fake_server_get_base_uri (server), "/microsoft", NULL);
  return ember_oauth_config_new (provider, auth_base, "ember-test-client", NULL);
}

/* The browser: follows the fake's 302 to Ember's listener. */
static void
visit (const char *url,
       char      **out_page)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  if (out_page != NULL)
    *out_page = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static EmberOAuthTokens *
sign_in (EmberHttpClient        *client,
         const EmberOAuthConfig *config,
         const char             *email)
{
  g_autoptr(EmberOAuthFlow) flow = ember_oauth_flow_new (client, config, email);
  g_autoptr(GError) error = NULL;
  g_autofree char *page = NULL;
  EmberOAuthTokens *tokens;

  g_assert_true (ember_oauth_flow_start (flow, &error));
  g_assert_no_error (error);
  visit (ember_oauth_flow_get_authorization_url (flow), &page);
  g_assert_nonnull (strstr (page, "You can close this tab"));

  tokens = ember_oauth_flow_finish_sync (flow, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens);
  return tokens;
}

static void
test_sign_in_google (void)
{
  g_autoptr(EmberFakeServer) server = start_fake (NULL);
  g_autoptr(EmberHttpClient) client = ember_http_client_new (ember_clock_get_default ());
  g_autoptr(EmberOAuthConfig) config = make_config (server, EMBER_OAUTH_PROVIDER_GOOGLE);
  g_autoptr(EmberOAuthFlow) flow = ember_oauth_flow_new (client, config, ALICE);
  g_autoptr(EmberOAuthTokens) tokens = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *redirect = NULL;

  g_assert_true (ember_oauth_flow_start (flow, &error));
  uri = g_uri_parse (ember_oauth_flow_get_authorization_url (flow), G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_uri_get_path (uri), ==, "/google/o/oauth2/v2/auth");
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, &error);
  g_assert_cmpstr (g_hash_table_lookup (params, "response_type"), ==, "code");
  g_assert_cmpstr (g_hash_table_lookup (params, "code_challenge_method"), ==, "S256");
  g_assert_cmpuint (strlen (g_hash_table_lookup (params, "code_challenge")), ==, 43);
  g_assert_cmpstr (g_hash_table_lookup (params, "access_type"), ==, "offline");
  g_assert_cmpstr (g_hash_table_lookup (params, "login_hint"), ==, ALICE);
  g_assert_cmpstr (g_hash_table_lookup (params, "client_id"), ==, "ember-test-client");
  g_assert_nonnull (strstr (g_hash_table_lookup (params, "scope"), "gmail.readonly"));
  g_assert_nonnull (strstr (g_hash_table_lookup (params, "scope"), "calendar.readonly"));
  redirect = g_strdup (g_hash_table_lookup (params, "redirect_uri"));
  g_assert_true (g_str_has_prefix (redirect, "http://127.0.0.1:"));
  g_assert_cmpstr (redirect, ==, ember_oauth_flow_get_redirect_uri (flow));

  visit (ember_oauth_flow_get_authorization_url (flow), NULL);
  tokens = ember_oauth_flow_finish_sync (flow, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens->access_token);
  g_assert_nonnull (tokens->refresh_token);
  g_assert_cmpuint (ember_fake_server_count_requests (server, "POST", "/google/token", 200), ==, 1);
}

static void
sign_in_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  EmberOAuthTokens **out_tokens = user_data;
  g_autoptr(GError) error = NULL;

  *out_tokens = ember_oauth_flow_finish_finish (EMBER_OAUTH_FLOW (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
tokens_arrived (gpointer data)
{
  return *(EmberOAuthTokens **) data != NULL;
}

static void
test_sign_in_async (void)
{
  g_autoptr(EmberFakeServer) server = start_fake (NULL);
  g_autoptr(EmberHttpClient) client = ember_http_client_new (ember_clock_get_default ());
  g_autoptr(EmberOAuthConfig) config = make_config (server, EMBER_OAUTH_PROVIDER_MICROSOFT);
  g_autoptr(EmberOAuthFlow) flow = ember_oauth_flow_new (client, config, CAROL);
  g_autoptr(EmberOAuthTokens) tokens = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ember_oauth_flow_start (flow, &error));
  ember_oauth_flow_finish_async (flow, NULL, sign_in_done_cb, &tokens);
  visit (ember_oauth_flow_get_authorization_url (flow), NULL);
  g_assert_true (ember_test_wait_for (tokens_arrived, &tokens, 10000));
  g_assert_nonnull (tokens->refresh_token);
}

static void
test_sign_in_microsoft_rotates (void)
{
  EmberFakeServerOptions options;
  g_autoptr(EmberFakeServer) server = NULL;
  g_autoptr(EmberFakeClock) clock = NULL;
  g_autoptr(EmberHttpClient) client = NULL;
  g_autoptr(EmberOAuthConfig) config = NULL;
  g_autoptr(EmberOAuthTokens) tokens = NULL;
  g_autoptr(EmberTokenStore) store = ember_memory_token_store_new ();
  g_autoptr(EmberAuthSession) auth = NULL;
  g_autoptr(EmberApiEndpoint) graph = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *graph_base = NULL;
  g_autofree char *refresh_after = NULL;

  ember_fake_server_options_init (&options);
  options.token_ttl_seconds = 2;
  server = start_fake (&options);
  clock = ember_fake_clock_new (g_get_real_time ());
  client = ember_http_client_new (EMBER_CLOCK (clock));
  config = make_config (server, EMBER_OAUTH_PROVIDER_MICROSOFT);

  tokens = sign_in (client, config, CAROL);
  g_assert_true (ember_oauth_tokens_save_sync (tokens, store, ACCOUNT_ID, NULL, &error));

  auth = ember_auth_session_new (client, config, store, ACCOUNT_ID);
  graph_base = g_strconcat (ember_fake_server_get_base_uri (server), "/v1.0", NULL);
  graph = ember_api_endpoint_new (EMBER_API_KIND_GRAPH, graph_base, EMBER_CLOCK (clock));
  ember_api_endpoint_set_auth_session (graph, auth);

  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", "/me/mailFolders");
      g_autoptr(JsonNode) node = NULL;

      /* The token lives 2 s on both clocks. */
      ember_fake_clock_advance (clock, 3 * G_USEC_PER_SEC);
      ember_fake_server_advance_time (server, 3);
      node = ember_http_client_send_json_sync (client, graph, request, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (node);
      g_assert_cmpuint (ember_auth_session_get_n_refreshes (auth), ==, round + 1);
    }

  /* Each refresh rotated the refresh token, and the newest one was kept. */
  g_assert_true (ember_token_store_lookup_sync (store, ACCOUNT_ID, EMBER_TOKEN_KIND_REFRESH,
                                                &refresh_after, NULL, NULL, &error));
  g_assert_nonnull (refresh_after);
  g_assert_cmpstr (refresh_after, !=, tokens->refresh_token);
  g_assert_cmpuint (ember_memory_token_store_get_n_stores (EMBER_MEMORY_TOKEN_STORE (store),
                                                          EMBER_TOKEN_KIND_REFRESH), ==, 4);
}

static void
test_refresh_and_revoke (void)
{
  EmberFakeServerOptions options;
  g_autoptr(EmberFakeServer) server = NULL;
  g_autoptr(EmberFakeClock) clock = NULL;
  g_autoptr(EmberHttpClient) client = NULL;
  g_autoptr(EmberOAuthConfig) config = NULL;
  g_autoptr(EmberOAuthTokens) tokens = NULL;
  g_autoptr(EmberTokenStore) store = ember_memory_token_store_new ();
  g_autoptr(EmberAuthSession) auth = NULL;
  g_autoptr(EmberApiEndpoint) gmail = NULL;
  g_autoptr(EmberHttpRequest) first = ember_http_request_new ("GET", "/gmail/v1/users/me/profile");
  g_autoptr(EmberHttpRequest) after_expiry = ember_http_request_new ("GET", "/gmail/v1/users/me/profile");
  g_autoptr(EmberHttpRequest) after_revoke = ember_http_request_new ("GET", "/gmail/v1/users/me/profile");
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *refresh = NULL;

  ember_fake_server_options_init (&options);
  options.token_ttl_seconds = 2;
  server = start_fake (&options);
  clock = ember_fake_clock_new (g_get_real_time ());
  client = ember_http_client_new (EMBER_CLOCK (clock));
  config = make_config (server, EMBER_OAUTH_PROVIDER_GOOGLE);
  tokens = sign_in (client, config, ALICE);
  g_assert_true (ember_oauth_tokens_save_sync (tokens, store, ACCOUNT_ID, NULL, &error));

  auth = ember_auth_session_new (client, config, store, ACCOUNT_ID);
  gmail = ember_api_endpoint_new (EMBER_API_KIND_GMAIL, ember_fake_server_get_base_uri (server),
                                  EMBER_CLOCK (clock));
  ember_api_endpoint_set_auth_session (gmail, auth);
  ember_http_request_set_operation (first, "getProfile");

  node = ember_http_client_send_json_sync (client, gmail, first, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "emailAddress"), ==, ALICE);
  g_assert_cmpuint (ember_auth_session_get_n_refreshes (auth), ==, 0);
  g_clear_pointer (&node, json_node_unref);

  /* After the 2 s lifetime: one refresh, then success. */
  ember_fake_clock_advance (clock, 3 * G_USEC_PER_SEC);
  ember_fake_server_advance_time (server, 3);
  node = ember_http_client_send_json_sync (client, gmail, after_expiry, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpuint (ember_auth_session_get_n_refreshes (auth), ==, 1);
  g_assert_cmpuint (ember_http_request_get_attempts (after_expiry), ==, 1);
  g_clear_pointer (&node, json_node_unref);

  /* Revoked: the API says 401, the refresh says invalid_grant. */
  g_assert_true (ember_fake_server_revoke (server, ALICE, &error));
  node = ember_http_client_send_json_sync (client, gmail, after_revoke, NULL, &error);
  g_assert_null (node);
  g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NEEDS_SIGN_IN);
  g_assert_nonnull (strstr (error->message, "sign in again"));
  g_assert_true (ember_auth_session_get_needs_sign_in (auth));
  g_assert_true (ember_token_store_lookup_sync (store, ACCOUNT_ID, EMBER_TOKEN_KIND_REFRESH,
                                                &refresh, NULL, NULL, NULL));
  g_assert_null (refresh);
}

static void
test_revoked_account_keeps_data (void)
{
  g_autoptr(EmberFakeServer) server = start_fake (NULL);
  g_autoptr(EmberHttpClient) client = ember_http_client_new (ember_clock_get_default ());
  g_autoptr(EmberOAuthConfig) config = make_config (server, EMBER_OAUTH_PROVIDER_GOOGLE);
  g_autoptr(EmberTokenStore) tokens_store = ember_memory_token_store_new ();
  g_autoptr(EmberOAuthTokens) tokens = NULL;
  g_autofree char *data_dir = g_build_filename (ember_test_get_tmpdir (), "revoked", NULL);
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(EmberAccountRecord) account = ember_account_record_new ();
  g_autoptr(EmberAccountRecord) stored = NULL;
  g_autoptr(EmberAccountRecord) still_there = NULL;
  g_autoptr(EmberAuthSession) auth = NULL;
  g_autoptr(EmberApiEndpoint) gmail = NULL;
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", "/gmail/v1/users/me/labels");
  g_autoptr(GError) error = NULL;
  gint64 account_id;

  store = ember_store_new_sync (data_dir, NULL, &error);
  g_assert_no_error (error);
  account->provider = g_strdup ("gmail");
  account->email = g_strdup (ALICE);
  account->auth_base = g_strconcat (ember_fake_server_get_base_uri (server), "/google", NULL);
  account->api_base = g_strdup (ember_fake_server_get_base_uri (server));
  account->client_id = g_strdup ("ember-test-client");

  tokens = sign_in (client, config, ALICE);
  account_id = ember_account_add_sync (store, tokens_store, account, tokens, "desktop-secret", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (account_id, >, 0);
  g_assert_cmpint (ember_account_get_auth_state_sync (tokens_store, account_id, NULL), ==,
                   EMBER_ACCOUNT_AUTH_SIGNED_IN);

  stored = ember_store_get_account_sync (store, account_id, NULL, &error);
  g_assert_no_error (error);
  auth = ember_account_new_auth_session (client, tokens_store, stored, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ember_auth_session_get_config (auth)->client_secret, ==, "desktop-secret");
  gmail = ember_account_new_endpoint (stored, EMBER_API_KIND_GMAIL, ember_clock_get_default (), auth);

  g_assert_true (ember_fake_server_revoke (server, ALICE, &error));
  g_assert_false (ember_http_client_send_sync (client, gmail, request, NULL, &error));
  g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NEEDS_SIGN_IN);

  /* "Sign in again": the account and its data stay. */
  g_assert_cmpint (ember_account_get_auth_state_sync (tokens_store, account_id, NULL), ==,
                   EMBER_ACCOUNT_AUTH_NEEDS_SIGN_IN);
  g_clear_error (&error);
  still_there = ember_store_get_account_sync (store, account_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (still_there->email, ==, ALICE);

  /* Removing it takes the rest of its secrets too. */
  g_assert_true (ember_account_remove_sync (store, tokens_store, account_id, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ember_memory_token_store_get_n_secrets (EMBER_MEMORY_TOKEN_STORE (tokens_store)), ==, 0);
}

/* Moves a fake clock to the next deadline whenever someone waits on it. */
typedef struct
{
  EmberFakeClock *clock;
  gint            stop;
} Advancer;

static gpointer
advancer_thread (gpointer data)
{
  Advancer *advancer = data;

  while (!g_atomic_int_get (&advancer->stop))
    {
      gint64 deadline;

      /* Sleeps (without spinning) until someone waits. */
      if (!ember_fake_clock_wait_for_waiters (advancer->clock, 1, 20 * 1000))
        continue;
      deadline = ember_fake_clock_get_next_deadline (advancer->clock);
      if (deadline >= 0)
        ember_fake_clock_set (advancer->clock, deadline);
    }
  return NULL;
}

typedef struct
{
  EmberHttpClient  *client;
  EmberApiEndpoint *endpoint;
  const char       *path;
  const char       *operation;
  guint             n_requests;
  guint             n_ok;
  guint             n_failed;
  GError           *first_error;
} Worker;

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;

  for (guint i = 0; i < worker->n_requests; i++)
    {
      g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", worker->path);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;

      ember_http_request_set_operation (request, worker->operation);
      node = ember_http_client_send_json_sync (worker->client, worker->endpoint, request, NULL, &error);
      if (node != NULL)
        {
          g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
          worker->n_ok++;
        }
      else
        {
          /* A failure must be one clear error, never a crash or a hang. */
          g_assert_nonnull (error);
          g_assert_true (error->domain == EMBER_HTTP_ERROR || error->domain == EMBER_AUTH_ERROR);
          g_assert_cmpuint (strlen (error->message), >, 10);
          worker->n_failed++;
          if (worker->first_error == NULL)
            worker->first_error = g_steal_pointer (&error);
        }
    }
  return NULL;
}

static void
run_workers (EmberHttpClient  *client,
             EmberApiEndpoint *endpoint,
             const char       *path,
             const char       *operation,
             guint             n_threads,
             guint             n_per_thread,
             guint            *out_ok,
             guint            *out_failed)
{
  g_autofree Worker *workers = g_new0 (Worker, n_threads);
  g_autofree GThread **threads = g_new0 (GThread *, n_threads);

  *out_ok = *out_failed = 0;
  for (guint i = 0; i < n_threads; i++)
    {
      workers[i] = (Worker) { client, endpoint, path, operation, n_per_thread };
      threads[i] = g_thread_new ("worker", worker_thread, &workers[i]);
    }
  for (guint i = 0; i < n_threads; i++)
    {
      g_thread_join (threads[i]);
      *out_ok += workers[i].n_ok;
      *out_failed += workers[i].n_failed;
      if (workers[i].first_error != NULL)
        g_test_message ("a failure: %s", workers[i].first_error->message);
      g_clear_error (&workers[i].first_error);
    }
}

static EmberAuthSession *
issue_session (EmberFakeServer    *server,
               EmberHttpClient    *client,
               EmberTokenStore    *store,
               EmberOAuthProvider  provider,
               const char         *email)
{
  g_autoptr(EmberOAuthConfig) config = make_config (server, provider);
  g_autoptr(GError) error = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;

  g_assert_true (ember_fake_server_issue_token (server, email, &access, &refresh, &error));
  g_assert_no_error (error);
  g_assert_true (ember_token_store_store_sync (store, ACCOUNT_ID, EMBER_TOKEN_KIND_REFRESH, refresh, 0, NULL, NULL));
  g_assert_true (ember_token_store_store_sync (store, ACCOUNT_ID, EMBER_TOKEN_KIND_ACCESS, access,
                                               ember_clock_get_real (ember_http_client_get_clock (client)) / G_USEC_PER_SEC + 3000,
                                               NULL, NULL));
  return ember_auth_session_new (client, config, store, ACCOUNT_ID);
}

static void
test_faults (void)
{
  EmberFakeServerOptions options;
  g_autoptr(EmberFakeServer) server = NULL;
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (g_get_real_time ());
  g_autoptr(EmberHttpClient) client = ember_http_client_new (EMBER_CLOCK (clock));
  g_autoptr(EmberTokenStore) store = ember_memory_token_store_new ();
  g_autoptr(EmberAuthSession) auth = NULL;
  g_autoptr(EmberApiEndpoint) gmail = NULL;
  Advancer advancer = { clock, FALSE };
  GThread *advancer_handle;
  guint ok, failed;

  ember_fake_server_options_init (&options);
  options.faults = "503:0.1,429:0.05,reset:0.02,truncate:0.02";
  options.seed = 7;
  server = start_fake (&options);
  auth = issue_session (server, client, store, EMBER_OAUTH_PROVIDER_GOOGLE, ALICE);
  gmail = ember_api_endpoint_new (EMBER_API_KIND_GMAIL, ember_fake_server_get_base_uri (server),
                                  EMBER_CLOCK (clock));
  ember_api_endpoint_set_auth_session (gmail, auth);

  advancer_handle = g_thread_new ("advancer", advancer_thread, &advancer);
  run_workers (client, gmail, "/gmail/v1/users/me/messages", "messages.list", 4, 125, &ok, &failed);
  g_atomic_int_set (&advancer.stop, TRUE);
  g_thread_join (advancer_handle);

  g_test_message ("500 requests under faults: %u succeeded, %u failed; %u faults injected", ok, failed,
                  ember_fake_server_count_requests (server, "GET", "/gmail/v1", 503) +
                  ember_fake_server_count_requests (server, "GET", "/gmail/v1", 429));
  g_assert_cmpuint (ok + failed, ==, 500);
  /* With a 5 minute give-up time every request gets through. */
  g_assert_cmpuint (ok, ==, 500);
  g_assert_cmpuint (ember_fake_server_count_requests (server, "GET", "/gmail/v1", 503), >, 0);
}

static void
test_gmail_burst_within_quota (void)
{
  EmberFakeServerOptions options;
  g_autoptr(EmberFakeServer) server = NULL;
  g_autoptr(EmberHttpClient) client = ember_http_client_new (ember_clock_get_default ());
  g_autoptr(EmberTokenStore) store = ember_memory_token_store_new ();
  g_autoptr(EmberAuthSession) auth = NULL;
  g_autoptr(EmberApiEndpoint) gmail = NULL;
  guint ok, failed;
  gint64 started = g_get_monotonic_time ();

  /* A small quota so that 2,000 requests need the limiter: 2,000 units
   * per 2 s sliding window, one unit per getProfile. */
  ember_fake_server_options_init (&options);
  options.gmail_quota_units = 2000;
  options.gmail_quota_window_seconds = 2;
  server = start_fake (&options);
  auth = issue_session (server, client, store, EMBER_OAUTH_PROVIDER_GOOGLE, ALICE);
  gmail = ember_api_endpoint_new (EMBER_API_KIND_GMAIL, ember_fake_server_get_base_uri (server),
                                  ember_clock_get_default ());
  ember_api_endpoint_set_quota (gmail, 2000, 2, 0);
  ember_api_endpoint_set_auth_session (gmail, auth);

  run_workers (client, gmail, "/gmail/v1/users/me/profile", "getProfile", 8, 250, &ok, &failed);
  g_test_message ("2000 requests in %.2f s", (g_get_monotonic_time () - started) / 1e6);

  g_assert_cmpuint (ok, ==, 2000);
  g_assert_cmpuint (ember_fake_server_count_requests (server, NULL, "/gmail/v1", 429), ==, 0);
  g_assert_cmpuint (ember_fake_server_count_requests (server, NULL, "/gmail/v1", 403), ==, 0);
}

static void
test_graph_concurrency (void)
{
  EmberFakeServerOptions options;
  g_autoptr(EmberFakeServer) server = NULL;
  g_autoptr(EmberHttpClient) client = ember_http_client_new (ember_clock_get_default ());
  g_autoptr(EmberTokenStore) store = ember_memory_token_store_new ();
  g_autoptr(EmberAuthSession) auth = NULL;
  g_autoptr(EmberApiEndpoint) graph = NULL;
  g_autofree char *graph_base = NULL;
  guint ok, failed;

  ember_fake_server_options_init (&options);
  options.latency_ms = 15;
  server = start_fake (&options);
  auth = issue_session (server, client, store, EMBER_OAUTH_PROVIDER_MICROSOFT, CAROL);
  graph_base = g_strconcat (ember_fake_server_get_base_uri (server), "/v1.0", NULL);
  graph = ember_api_endpoint_new (EMBER_API_KIND_GRAPH, graph_base, ember_clock_get_default ());
  ember_api_endpoint_set_auth_session (graph, auth);

  run_workers (client, graph, "/me/mailFolders", NULL, 10, 8, &ok, &failed);
  g_assert_cmpuint (ok, ==, 80);
  g_assert_cmpuint (ember_fake_server_get_max_in_flight (server, CAROL), <=, 4);
  g_assert_cmpuint (ember_fake_server_get_max_in_flight (server, CAROL), >=, 2);
  g_assert_cmpuint (ember_fake_server_count_requests (server, NULL, "/v1.0", 429), ==, 0);
}

static void
test_gmail_batch (void)
{
  EmberFakeServerOptions options;
  g_autoptr(EmberFakeServer) server = NULL;
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (g_get_real_time ());
  g_autoptr(EmberHttpClient) client = ember_http_client_new (EMBER_CLOCK (clock));
  g_autoptr(EmberTokenStore) store = ember_memory_token_store_new ();
  g_autoptr(EmberAuthSession) auth = NULL;
  g_autoptr(EmberApiEndpoint) gmail = NULL;
  g_autoptr(EmberHttpBatch) batch = ember_http_batch_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  Advancer advancer = { clock, FALSE };
  GThread *advancer_handle;
  guint retried = 0;

  ember_fake_server_options_init (&options);
  options.n_messages = 120;
  options.faults = "503:0.15:path=/gmail/v1/users/me/messages/,429:0.05:path=/gmail/v1/users/me/messages/";
  server = start_fake (&options);
  auth = issue_session (server, client, store, EMBER_OAUTH_PROVIDER_GOOGLE, ALICE);
  gmail = ember_api_endpoint_new (EMBER_API_KIND_GMAIL, ember_fake_server_get_base_uri (server),
                                  EMBER_CLOCK (clock));
  ember_api_endpoint_set_auth_session (gmail, auth);

  ids = ember_fake_server_list_message_ids (server, ALICE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (ids), ==, 120);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autofree char *path = g_strconcat ("/gmail/v1/users/me/messages/", ids[i], NULL);
      g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", path);

      ember_http_request_add_query (request, "format", "metadata");
      ember_http_request_set_operation (request, "messages.get");
      g_assert_cmpuint (ember_http_batch_add (batch, request), ==, i);
    }

  advancer_handle = g_thread_new ("advancer", advancer_thread, &advancer);
  g_assert_true (ember_http_batch_send_sync (batch, client, gmail, NULL, &error));
  g_atomic_int_set (&advancer.stop, TRUE);
  g_thread_join (advancer_handle);
  g_assert_no_error (error);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      JsonNode *json = ember_http_batch_get_json (batch, i);

      g_assert_null (ember_http_batch_get_error (batch, i));
      g_assert_nonnull (json);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "id"), ==, ids[i]);
      if (ember_http_request_get_attempts (ember_http_batch_get_request (batch, i)) > 1)
        retried++;
    }
  g_test_message ("%u outer requests, %u parts retried", ember_http_batch_get_n_requests_sent (batch), retried);
  /* 50 + 50 + 20 first, then only the failed parts. */
  g_assert_cmpuint (ember_fake_server_count_requests (server, "POST", "/batch/gmail/v1", 0), ==,
                    ember_http_batch_get_n_requests_sent (batch));
  g_assert_cmpuint (ember_http_batch_get_n_requests_sent (batch), >=, 3);
  g_assert_cmpuint (retried, >, 0);
  g_assert_cmpuint (retried, <, 120);
}

static void
test_graph_batch (void)
{
  g_autoptr(EmberFakeServer) server = start_fake (NULL);
  g_autoptr(EmberHttpClient) client = ember_http_client_new (ember_clock_get_default ());
  g_autoptr(EmberTokenStore) store = ember_memory_token_store_new ();
  g_autoptr(EmberAuthSession) auth = NULL;
  g_autoptr(EmberApiEndpoint) graph = NULL;
  g_autoptr(EmberHttpBatch) batch = ember_http_batch_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *graph_base = NULL;
  g_auto(GStrv) ids = NULL;
  guint n;

  auth = issue_session (server, client, store, EMBER_OAUTH_PROVIDER_MICROSOFT, CAROL);
  graph_base = g_strconcat (ember_fake_server_get_base_uri (server), "/v1.0", NULL);
  graph = ember_api_endpoint_new (EMBER_API_KIND_GRAPH, graph_base, ember_clock_get_default ());
  ember_api_endpoint_set_auth_session (graph, auth);

  ids = ember_fake_server_list_message_ids (server, CAROL, NULL, &error);
  g_assert_no_error (error);
  n = MIN (g_strv_length (ids), 30);
  g_assert_cmpuint (n, ==, 30);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strconcat ("/me/messages/", ids[i], NULL);
      g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", path);

      ember_http_batch_add (batch, request);
    }
  /* One that does not exist fails alone, for good. */
  {
    g_autoptr(EmberHttpRequest) missing = ember_http_request_new ("GET", "/me/messages/no-such-message");

    ember_http_batch_add (batch, missing);
  }

  g_assert_true (ember_http_batch_send_sync (batch, client, graph, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *json = ember_http_batch_get_json (batch, i);

      g_assert_null (ember_http_batch_get_error (batch, i));
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "id"), ==, ids[i]);
    }
  g_assert_nonnull (ember_http_batch_get_error (batch, n));
  g_assert_error ((GError *) ember_http_batch_get_error (batch, n), EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_CLIENT);
  g_assert_cmpuint (ember_http_request_get_status (ember_http_batch_get_request (batch, n)), ==, 404);
  g_assert_cmpuint (ember_http_batch_get_n_requests_sent (batch), ==, 2);
  g_assert_cmpuint (ember_fake_server_get_max_in_flight (server, CAROL), <=, 4);
}

/* Each part keeps its own headers: Graph honours Prefer per part, so the
 * page size and time zone asked for come back applied, and differ
 * between parts of one batch. */
static void
test_graph_batch_part_headers (void)
{
  g_autoptr(EmberFakeServer) server = start_fake (NULL);
  g_autoptr(EmberHttpClient) client = ember_http_client_new (ember_clock_get_default ());
  g_autoptr(EmberTokenStore) store = ember_memory_token_store_new ();
  g_autoptr(EmberAuthSession) auth = NULL;
  g_autoptr(EmberApiEndpoint) graph = NULL;
  g_autoptr(EmberHttpBatch) batch = ember_http_batch_new ();
  g_autoptr(EmberHttpRequest) small = ember_http_request_new ("GET", "/me/mailFolders/inbox/messages/delta");
  g_autoptr(EmberHttpRequest) large = ember_http_request_new ("GET", "/me/mailFolders/inbox/messages/delta");
  g_autoptr(EmberHttpRequest) plain = ember_http_request_new ("GET", "/me/mailFolders/inbox/messages/delta");
  g_autoptr(EmberHttpRequest) events = ember_http_request_new ("GET", "/me/calendarView/delta");
  g_autoptr(GError) error = NULL;
  g_autofree char *graph_base = NULL;
  struct { EmberHttpRequest *request; guint expected_items; const char *applied; } parts[] = {
    { small, 3, "odata.maxpagesize=3" },
    { large, 7, "odata.maxpagesize=7" },
    { plain, 10, NULL },   /* the service's default page */
  };
  JsonArray *value;

  auth = issue_session (server, client, store, EMBER_OAUTH_PROVIDER_MICROSOFT, CAROL);
  graph_base = g_strconcat (ember_fake_server_get_base_uri (server), "/v1.0", NULL);
  graph = ember_api_endpoint_new (EMBER_API_KIND_GRAPH, graph_base, ember_clock_get_default ());
  ember_api_endpoint_set_auth_session (graph, auth);

  ember_http_request_add_query (small, "$select", "subject");
  ember_http_request_add_header (small, "Prefer", "odata.maxpagesize=3");
  ember_http_request_add_query (large, "$select", "subject");
  ember_http_request_add_header (large, "Prefer", "odata.maxpagesize=7");
  ember_http_request_add_query (plain, "$select", "subject");
  ember_http_request_add_query (events, "startDateTime", "2020-01-01T00:00:00Z");
  ember_http_request_add_query (events, "endDateTime", "2035-01-01T00:00:00Z");
  /* Two Prefer headers on one part travel together. */
  ember_http_request_add_header (events, "Prefer", "outlook.timezone=\"India Standard Time\"");
  ember_http_request_add_header (events, "Prefer", "odata.maxpagesize=4");
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    ember_http_batch_add (batch, parts[i].request);
  ember_http_batch_add (batch, events);

  g_assert_true (ember_http_batch_send_sync (batch, client, graph, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ember_http_batch_get_n_requests_sent (batch), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      JsonNode *json = ember_http_batch_get_json (batch, i);
      SoupMessageHeaders *headers = ember_http_request_get_response_headers (parts[i].request);

      g_assert_null (ember_http_batch_get_error (batch, i));
      value = json_object_get_array_member (json_node_get_object (json), "value");
      g_assert_cmpuint (json_array_get_length (value), ==, parts[i].expected_items);
      g_assert_true (json_object_has_member (json_node_get_object (json), "@odata.nextLink"));
      g_assert_cmpstr (soup_message_headers_get_one (headers, "Preference-Applied"), ==, parts[i].applied);
    }

  {
    JsonNode *json = ember_http_batch_get_json (batch, 3);

    g_assert_null (ember_http_batch_get_error (batch, 3));
    value = json_object_get_array_member (json_node_get_object (json), "value");
    /* A calendar page may hold fewer than asked, never more. */
    g_assert_cmpuint (json_array_get_length (value), >, 0);
    g_assert_cmpuint (json_array_get_length (value), <=, 4);
    for (guint i = 0; i < json_array_get_length (value); i++)
      {
        JsonObject *start = json_object_get_object_member (json_array_get_object_element (value, i), "start");

        g_assert_cmpstr (json_object_get_string_member (start, "timeZone"), ==, "India Standard Time");
      }
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/net/fake/sign-in-google", test_sign_in_google);
  g_test_add_func ("/ember/net/fake/sign-in-async", test_sign_in_async);
  g_test_add_func ("/ember/net/fake/sign-in-microsoft-rotates", test_sign_in_microsoft_rotates);
  g_test_add_func ("/ember/net/fake/refresh-and-revoke", test_refresh_and_revoke);
  g_test_add_func ("/ember/net/fake/revoked-account-keeps-data", test_revoked_account_keeps_data);
  g_test_add_func ("/ember/net/fake/faults", test_faults);
  g_test_add_func ("/ember/net/fake/gmail-burst-within-quota", test_gmail_burst_within_quota);
  g_test_add_func ("/ember/net/fake/graph-concurrency", test_graph_concurrency);
  g_test_add_func ("/ember/net/fake/gmail-batch", test_gmail_batch);
  g_test_add_func ("/ember/net/fake/graph-batch", test_graph_batch);
  g_test_add_func ("/ember/net/fake/graph-batch-part-headers", test_graph_batch_part_headers);

  return g_test_run ();
}
