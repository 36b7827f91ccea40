/* test-http-client.c: the send path against a scripted server, on the fake
 * clock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-auth-session.h"
#include "ember-error.h"
#include "ember-fake-clock.h"
#include "ember-http-client.h"
#include "ember-memory-token-store.h"
#include "ember-metrics.h"
#include "ember-test-utils.h"
#include "ember-user-error.h"
#include "net-test-server.h"

#define START_TIME (G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC)
#define API_PATH "/gmail/v1/users/me/profile"
#define TOKEN_PATH "/token"

typedef struct
{
  EmberFakeClock   *clock;
  EmberHttpClient  *client;
  NetTestServer    *server;
  EmberApiEndpoint *endpoint;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->clock = ember_fake_clock_new (START_TIME);
  fixture->client = ember_http_client_new (EMBER_CLOCK (fixture->clock));
  fixture->server = net_test_server_new ();
  fixture->endpoint = ember_api_endpoint_new (EMBER_API_KIND_GMAIL,
                                              net_test_server_get_base (fixture->server),
                                              EMBER_CLOCK (fixture->clock));
  /* Retry tests look at backoff waits alone. */
  ember_api_endpoint_set_rate_limiter (fixture->endpoint, NULL);
  ember_http_client_set_backoff_policy (fixture->client, 500 * 1000, 8 * G_USEC_PER_SEC,
                                        60 * G_USEC_PER_SEC);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->endpoint);
  g_clear_object (&fixture->client);
  g_clear_pointer (&fixture->server, net_test_server_free);
  g_clear_object (&fixture->clock);
}

typedef struct
{
  EmberHttpClient  *client;
  EmberApiEndpoint *endpoint;
  EmberHttpRequest *request;
  JsonNode         *result;
  GError           *error;
  gint              done;
} SendJob;

static gpointer
send_thread (gpointer data)
{
  SendJob *job = data;

  job->result = ember_http_client_send_json_sync (job->client, job->endpoint, job->request,
                                                  NULL, &job->error);
  g_atomic_int_set (&job->done, TRUE);
  return NULL;
}

/* Runs the request on a worker thread and, whenever it waits on the clock,
 * records the wait and moves the clock to its deadline. */
static void
run_driven (Fixture          *fixture,
            EmberHttpRequest *request,
            GArray           *waits,
            SendJob          *job)
{
  GThread *thread;
  gint64 real_deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  g_atomic_int_set (&job->done, FALSE);
  job->client = fixture->client;
  job->endpoint = fixture->endpoint;
  job->request = request;
  thread = g_thread_new ("send", send_thread, job);

  while (!g_atomic_int_get (&job->done))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, real_deadline);
      if (ember_fake_clock_wait_for_waiters (fixture->clock, 1, 10 * 1000))
        {
          gint64 now = ember_clock_get_monotonic (EMBER_CLOCK (fixture->clock));
          gint64 deadline = ember_fake_clock_get_next_deadline (fixture->clock);

          if (deadline < 0)
            continue;
          if (waits != NULL)
            g_array_append_val (waits, (gint64) { deadline - now });
          ember_fake_clock_set (fixture->clock, deadline);
        }
    }

  g_thread_join (thread);
}

static void
send_job_clear (SendJob *job)
{
  g_clear_pointer (&job->result, json_node_unref);
  g_clear_error (&job->error);
}

static void
test_success (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", API_PATH);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *user_agent = NULL;
  g_autofree char *encoding = NULL;
  g_autofree char *authorization = NULL;
  g_autofree char *query = NULL;
  gint64 requests_before = ember_metrics_get (ember_metrics_get_default (), "http.requests");

  net_test_server_push (fixture->server, API_PATH, 200, NULL,
                        "{\"emailAddress\":\"alice@gmail.test\",\"historyId\":\"42\"}");
  ember_http_request_add_query (request, "q", "from:a b&c");

  node = ember_http_client_send_json_sync (fixture->client, fixture->endpoint, request, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "emailAddress"),
                   ==, "alice@gmail.test");
  g_assert_cmpuint (ember_http_request_get_status (request), ==, 200);
  g_assert_cmpuint (ember_http_request_get_attempts (request), ==, 1);

  user_agent = net_test_server_dup_last_header (fixture->server, API_PATH, "User-Agent");
  g_assert_cmpstr (user_agent, ==, "Ember/" PACKAGE_VERSION);
  encoding = net_test_server_dup_last_header (fixture->server, API_PATH, "Accept-Encoding");
  g_assert_nonnull (encoding);
  g_assert_nonnull (strstr (encoding, "gzip"));
  authorization = net_test_server_dup_last_header (fixture->server, API_PATH, "Authorization");
  g_assert_null (authorization);
  query = net_test_server_dup_last_query (fixture->server, API_PATH);
  g_assert_cmpstr (query, ==, "q=from%3Aa%20b%26c");

  g_assert_cmpint (ember_metrics_get (ember_metrics_get_default (), "http.requests"),
                   ==, requests_before + 1);
}

/* libsoup opens a new connection for every POST unless told the request is
 * idempotent: batches of reads are, and then share one connection. */
static void
test_idempotent_post_reuses_connection (Fixture       *fixture,
                                        gconstpointer  data)
{
  for (guint round = 0; round < 2; round++)
    {
      gboolean idempotent = round == 0;
      guint before = net_test_server_get_connections (fixture->server);

      for (guint i = 0; i < 3; i++)
        {
          g_autoptr(EmberHttpRequest) request = ember_http_request_new ("POST", API_PATH);
          g_autoptr(GBytes) body = g_bytes_new_static ("x", 1);
          g_autoptr(GError) error = NULL;
          g_autoptr(JsonNode) node = NULL;

          ember_http_request_set_body (request, "text/plain", body);
          ember_http_request_set_idempotent (request, idempotent);
          g_assert_true (ember_http_request_get_idempotent (request) == idempotent);
          net_test_server_push (fixture->server, API_PATH, 200, NULL, "{}");
          node = ember_http_client_send_json_sync (fixture->client, fixture->endpoint, request,
                                                   NULL, &error);
          g_assert_no_error (error);
        }

      if (idempotent)
        g_assert_cmpuint (net_test_server_get_connections (fixture->server) - before, ==, 1);
      else
        g_assert_cmpuint (net_test_server_get_connections (fixture->server) - before, ==, 3);
    }
}

static void
test_retry_server_errors (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", API_PATH);
  g_autoptr(GArray) waits = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 retries_before = ember_metrics_get (ember_metrics_get_default (), "http.retries");
  SendJob job = { 0 };

  net_test_server_push (fixture->server, API_PATH, 503, NULL, "{\"error\":{\"code\":503,\"message\":\"busy\"}}");
  net_test_server_push (fixture->server, API_PATH, 500, NULL, NULL);
  net_test_server_push (fixture->server, API_PATH, 502, NULL, NULL);
  net_test_server_push (fixture->server, API_PATH, 504, NULL, NULL);
  net_test_server_push (fixture->server, API_PATH, 200, NULL, "{\"ok\":true}");

  run_driven (fixture, request, waits, &job);
  g_assert_no_error (job.error);
  g_assert_nonnull (job.result);
  g_assert_cmpuint (ember_http_request_get_attempts (request), ==, 5);
  g_assert_cmpuint (net_test_server_get_hits (fixture->server, API_PATH), ==, 5);

  /* Full jitter: each wait lies within the exponential envelope. */
  g_assert_cmpuint (waits->len, ==, 4);
  for (guint i = 0; i < waits->len; i++)
    {
      gint64 envelope = MIN (8 * G_USEC_PER_SEC, (gint64) (500 * 1000) << i);

      g_test_message ("wait %u: %" G_GINT64_FORMAT " µs (envelope %" G_GINT64_FORMAT ")",
                      i, g_array_index (waits, gint64, i), envelope);
      g_assert_cmpint (g_array_index (waits, gint64, i), >=, 0);
      g_assert_cmpint (g_array_index (waits, gint64, i), <=, envelope);
    }
  g_assert_cmpint (ember_metrics_get (ember_metrics_get_default (), "http.retries"),
                   ==, retries_before + 4);
  send_job_clear (&job);
}

static void
test_retry_after (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", API_PATH);
  g_autoptr(GArray) waits = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(EmberRateLimiter) limiter = NULL;
  gint64 throttled_before = ember_metrics_get (ember_metrics_get_default (), "http.429");
  SendJob job = { 0 };

  ember_api_endpoint_set_quota (fixture->endpoint, 6000, 60, 0);
  net_test_server_push (fixture->server, API_PATH, 429, "Retry-After: 7",
                        "{\"error\":{\"code\":429,\"message\":\"Too many requests\"}}");
  net_test_server_push (fixture->server, API_PATH, 403, "Retry-After: 3",
                        "{\"error\":{\"code\":403,\"message\":\"User rate limit exceeded\","
                        "\"errors\":[{\"reason\":\"userRateLimitExceeded\"}]}}");
  net_test_server_push (fixture->server, API_PATH, 503, "Retry-After: 2", NULL);
  net_test_server_push (fixture->server, API_PATH, 200, NULL, "{}");

  run_driven (fixture, request, waits, &job);
  g_assert_no_error (job.error);
  g_assert_cmpuint (ember_http_request_get_attempts (request), ==, 4);

  /* The waits are the server's. After each 429 the limiter was held as
   * long; its window still has room, so the next permit comes when the
   * hold ends. */
  g_assert_cmpuint (waits->len, >=, 3);
  g_assert_cmpint (g_array_index (waits, gint64, 0), ==, 7 * G_USEC_PER_SEC);
  g_assert_cmpint (ember_clock_get_monotonic (EMBER_CLOCK (fixture->clock)) - START_TIME,
                   >=, 12 * G_USEC_PER_SEC);
  g_assert_cmpint (ember_clock_get_monotonic (EMBER_CLOCK (fixture->clock)) - START_TIME,
                   <, 12 * G_USEC_PER_SEC + 200 * 1000);
  g_assert_cmpint (ember_metrics_get (ember_metrics_get_default (), "http.429"),
                   ==, throttled_before + 2);
  send_job_clear (&job);
}

static void
test_give_up (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", API_PATH);
  g_autoptr(EmberUserError) user_error = NULL;
  SendJob job = { 0 };
  gint64 elapsed;

  net_test_server_set_fallback (fixture->server, API_PATH, 503, NULL,
                                "{\"error\":{\"code\":503,\"message\":\"Backend Error\"}}");

  run_driven (fixture, request, NULL, &job);
  g_assert_null (job.result);
  g_assert_error (job.error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_GAVE_UP);
  g_test_message ("%s", job.error->message);
  g_assert_nonnull (strstr (job.error->message, "503"));
  g_assert_nonnull (strstr (job.error->message, "Backend Error"));

  elapsed = ember_clock_get_monotonic (EMBER_CLOCK (fixture->clock)) - START_TIME;
  g_assert_cmpint (elapsed, <=, 60 * G_USEC_PER_SEC);
  g_assert_cmpuint (ember_http_request_get_attempts (request), >, 5);

  user_error = ember_user_error_new_from_error (job.error);
  g_assert_true (user_error->retryable);
  g_assert_false (user_error->needs_sign_in);
  send_job_clear (&job);
}

static void
test_client_error (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", API_PATH);
  g_autoptr(EmberApiEndpoint) graph = NULL;
  g_autoptr(EmberHttpRequest) delta = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  net_test_server_push (fixture->server, API_PATH, 404, NULL,
                        "{\"error\":{\"code\":404,\"message\":\"Requested entity was not found.\","
                        "\"errors\":[{\"domain\":\"global\",\"reason\":\"notFound\"}],\"status\":\"NOT_FOUND\"}}");
  node = ember_http_client_send_json_sync (fixture->client, fixture->endpoint, request, NULL, &error);
  g_assert_null (node);
  g_assert_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_CLIENT);
  g_assert_nonnull (strstr (error->message, "Requested entity was not found."));
  g_assert_nonnull (strstr (error->message, "Gmail"));
  g_assert_cmpuint (ember_http_request_get_status (request), ==, 404);
  g_assert_cmpstr (ember_http_request_get_error_reason (request), ==, "notFound");
  g_assert_cmpuint (ember_http_request_get_attempts (request), ==, 1);
  g_clear_error (&error);

  graph = ember_api_endpoint_new (EMBER_API_KIND_GRAPH, net_test_server_get_base (fixture->server),
                                  EMBER_CLOCK (fixture->clock));
  delta = ember_http_request_new ("GET", "/me/mailFolders/inbox/messages/delta");
  net_test_server_push (fixture->server, "/me/mailFolders/inbox/messages/delta", 410, NULL,
                        "{\"error\":{\"code\":\"SyncStateNotFound\",\"message\":\"The sync state generation is not found\"}}");
  g_assert_false (ember_http_client_send_sync (fixture->client, graph, delta, NULL, &error));
  g_assert_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_CLIENT);
  g_assert_cmpuint (ember_http_request_get_status (delta), ==, 410);
  g_assert_cmpstr (ember_http_request_get_error_reason (delta), ==, "SyncStateNotFound");
  g_assert_nonnull (strstr (error->message, "Microsoft Graph"));
}

static void
test_malformed_json (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", API_PATH);
  g_autoptr(EmberHttpRequest) hopeless = ember_http_request_new ("GET", "/gmail/v1/users/me/labels");
  SendJob job = { 0 };

  net_test_server_push (fixture->server, API_PATH, 200, NULL, "{\"messages\":[{\"id\":\"1\"},{\"id\":");
  net_test_server_push (fixture->server, API_PATH, 200, NULL, "not json at all");
  net_test_server_push (fixture->server, API_PATH, 200, NULL, "");
  net_test_server_push (fixture->server, API_PATH, 200, NULL, "{\"messages\":[]}");

  run_driven (fixture, request, NULL, &job);
  g_assert_no_error (job.error);
  g_assert_nonnull (job.result);
  g_assert_cmpuint (ember_http_request_get_attempts (request), ==, 4);
  send_job_clear (&job);

  net_test_server_set_fallback (fixture->server, "/gmail/v1/users/me/labels", 200, NULL, "{\"labels\":[");
  run_driven (fixture, hopeless, NULL, &job);
  g_assert_error (job.error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_GAVE_UP);
  g_assert_nonnull (strstr (job.error->message, "malformed"));
  send_job_clear (&job);
}

static void
test_dropped_connection (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", API_PATH);
  SendJob job = { 0 };

  net_test_server_push (fixture->server, API_PATH, 200, NULL, NET_TEST_RESET);
  net_test_server_push (fixture->server, API_PATH, 200, NULL, NET_TEST_RESET);
  net_test_server_push (fixture->server, API_PATH, 200, NULL, "{\"ok\":1}");

  run_driven (fixture, request, NULL, &job);
  g_assert_no_error (job.error);
  g_assert_nonnull (job.result);
  g_assert_cmpuint (net_test_server_get_hits (fixture->server, API_PATH), >=, 3);
  send_job_clear (&job);
}

static void
test_timeout (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", API_PATH);
  gint64 timeouts_before = ember_metrics_get (ember_metrics_get_default (), "http.timeouts");
  SendJob job = { 0 };

  net_test_server_push (fixture->server, API_PATH, 200, NULL, NET_TEST_STALL);
  net_test_server_push (fixture->server, API_PATH, 200, NULL, "{\"ok\":1}");
  ember_http_request_set_timeout (request, 200);

  run_driven (fixture, request, NULL, &job);
  g_assert_no_error (job.error);
  g_assert_cmpuint (ember_http_request_get_attempts (request), ==, 2);
  g_assert_cmpint (ember_metrics_get (ember_metrics_get_default (), "http.timeouts"),
                   ==, timeouts_before + 1);
  send_job_clear (&job);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", API_PATH);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (ember_http_client_send_sync (fixture->client, fixture->endpoint, request,
                                               cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (net_test_server_get_hits (fixture->server, API_PATH), ==, 0);
}

static void
test_insecure (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(EmberApiEndpoint) plain = NULL;
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", API_PATH);
  g_autoptr(GError) error = NULL;

  g_assert_true (ember_http_url_is_allowed ("https://gmail.googleapis.com/x", NULL));
  g_assert_true (ember_http_url_is_allowed ("http://127.0.0.1:8080/x", NULL));
  g_assert_true (ember_http_url_is_allowed ("http://127.3.4.5/x", NULL));
  g_assert_true (ember_http_url_is_allowed ("http://[::1]:9/x", NULL));
  g_assert_true (ember_http_url_is_allowed ("http://localhost/x", NULL));
  g_assert_false (ember_http_url_is_allowed ("http://192.168.1.2/x", NULL));
  g_assert_false (ember_http_url_is_allowed ("http://127.0.0.1.evil.test/x", NULL));
  g_assert_false (ember_http_url_is_allowed ("ftp://127.0.0.1/x", NULL));

  plain = ember_api_endpoint_new (EMBER_API_KIND_GMAIL, "http://gmail.example.test",
                                  EMBER_CLOCK (fixture->clock));
  g_assert_false (ember_http_client_send_sync (fixture->client, plain, request, NULL, &error));
  g_assert_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_INSECURE);
  g_assert_cmpuint (ember_http_request_get_attempts (request), ==, 0);
}

/* Auth: a memory token store with account 7 and the test server's /token. */
static EmberAuthSession *
make_auth (Fixture          *fixture,
           EmberTokenStore  *store,
           const char       *access_token,
           gint64            access_expires_seconds)
{
  g_autoptr(EmberOAuthConfig) config = NULL;
  g_autofree char *auth_base = g_strconcat (net_test_server_get_base (fixture->server), NULL);
  EmberAuthSession *auth;

  config = ember_oauth_config_new (EMBER_OAUTH_PROVIDER_MICROSOFT, auth_base, "test-client", NULL);
  g_free (config->token_url);
  config->token_url = g_strconcat (auth_base, TOKEN_PATH, NULL);

  g_assert_true (ember_token_store_store_sync (store, 7, EMBER_TOKEN_KIND_REFRESH, "refresh-one",
                                               0, NULL, NULL));
  if (access_token != NULL)
    g_assert_true (ember_token_store_store_sync (store, 7, EMBER_TOKEN_KIND_ACCESS, access_token,
                                                 access_expires_seconds, NULL, NULL));

  auth = ember_auth_session_new (fixture->client, config, store, 7);
  ember_api_endpoint_set_auth_session (fixture->endpoint, auth);
  return auth;
}

static void
test_refresh_on_401 (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(EmberTokenStore) store = ember_memory_token_store_new ();
  g_autoptr(EmberAuthSession) auth = make_auth (fixture, store, "access-one",
                                                START_TIME / G_USEC_PER_SEC + 3600);
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", API_PATH);
  g_autoptr(EmberHttpRequest) again = ember_http_request_new ("GET", API_PATH);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *authorization = NULL;
  g_autofree char *form = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *access = NULL;

  net_test_server_push (fixture->server, API_PATH, 401, NULL,
                        "{\"error\":{\"code\":401,\"message\":\"Invalid Credentials\"}}");
  net_test_server_push (fixture->server, API_PATH, 200, NULL, "{\"ok\":true}");
  net_test_server_push (fixture->server, TOKEN_PATH, 200, NULL,
                        "{\"access_token\":\"access-two\",\"expires_in\":3600,"
                        "\"refresh_token\":\"refresh-two\",\"token_type\":\"Bearer\"}");

  node = ember_http_client_send_json_sync (fixture->client, fixture->endpoint, request, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_cmpuint (ember_auth_session_get_n_refreshes (auth), ==, 1);
  authorization = net_test_server_dup_last_header (fixture->server, API_PATH, "Authorization");
  g_assert_cmpstr (authorization, ==, "Bearer access-two");

  form = net_test_server_dup_last_body (fixture->server, TOKEN_PATH);
  g_assert_nonnull (strstr (form, "grant_type=refresh_token"));
  g_assert_nonnull (strstr (form, "refresh_token=refresh-one"));
  g_assert_nonnull (strstr (form, "client_id=test-client"));
  g_assert_null (strstr (form, "client_secret"));

  /* Microsoft rotates the refresh token: the newest one is kept. */
  g_assert_true (ember_token_store_lookup_sync (store, 7, EMBER_TOKEN_KIND_REFRESH, &refresh, NULL, NULL, NULL));
  g_assert_cmpstr (refresh, ==, "refresh-two");
  g_assert_true (ember_token_store_lookup_sync (store, 7, EMBER_TOKEN_KIND_ACCESS, &access, NULL, NULL, NULL));
  g_assert_cmpstr (access, ==, "access-two");

  /* A second 401 after a fresh token is final: one refresh per send. */
  g_clear_pointer (&node, json_node_unref);
  net_test_server_push (fixture->server, API_PATH, 401, NULL, NULL);
  net_test_server_push (fixture->server, API_PATH, 401, NULL, NULL);
  net_test_server_push (fixture->server, TOKEN_PATH, 200, NULL,
                        "{\"access_token\":\"access-three\",\"expires_in\":3600}");
  node = ember_http_client_send_json_sync (fixture->client, fixture->endpoint, again, NULL, &error);
  g_assert_null (node);
  g_assert_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_CLIENT);
  g_assert_cmpuint (ember_http_request_get_status (again), ==, 401);
  g_assert_cmpuint (ember_auth_session_get_n_refreshes (auth), ==, 2);
  g_assert_cmpuint (net_test_server_get_hits (fixture->server, TOKEN_PATH), ==, 2);
}

static void
test_refresh_when_expired (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(EmberTokenStore) store = ember_memory_token_store_new ();
  /* Expired a second before the clock's start. */
  g_autoptr(EmberAuthSession) auth = make_auth (fixture, store, "access-old",
                                                START_TIME / G_USEC_PER_SEC - 1);
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", API_PATH);
  g_autoptr(EmberHttpRequest) later = ember_http_request_new ("GET", API_PATH);
  g_autoptr(GError) error = NULL;
  g_autofree char *authorization = NULL;

  net_test_server_set_fallback (fixture->server, API_PATH, 200, NULL, "{}");
  net_test_server_set_fallback (fixture->server, TOKEN_PATH, 200, NULL,
                                "{\"access_token\":\"access-fresh\",\"expires_in\":2}");

  g_assert_true (ember_http_client_send_sync (fixture->client, fixture->endpoint, request, NULL, &error));
  g_assert_no_error (error);
  authorization = net_test_server_dup_last_header (fixture->server, API_PATH, "Authorization");
  g_assert_cmpstr (authorization, ==, "Bearer access-fresh");
  g_assert_cmpuint (ember_auth_session_get_n_refreshes (auth), ==, 1);

  /* Still valid a second later; expired after the 2 s lifetime. */
  ember_fake_clock_advance (fixture->clock, G_USEC_PER_SEC);
  g_assert_true (ember_http_client_send_sync (fixture->client, fixture->endpoint, later, NULL, &error));
  g_assert_cmpuint (ember_auth_session_get_n_refreshes (auth), ==, 1);
  ember_fake_clock_advance (fixture->clock, 2 * G_USEC_PER_SEC);
  g_assert_true (ember_http_client_send_sync (fixture->client, fixture->endpoint, later, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ember_auth_session_get_n_refreshes (auth), ==, 2);
  g_assert_cmpuint (net_test_server_get_hits (fixture->server, TOKEN_PATH), ==, 2);
}

static void
test_invalid_grant (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(EmberTokenStore) store = ember_memory_token_store_new ();
  g_autoptr(EmberAuthSession) auth = make_auth (fixture, store, NULL, 0);
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", API_PATH);
  g_autoptr(EmberHttpRequest) again = ember_http_request_new ("GET", API_PATH);
  g_autoptr(EmberUserError) user_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *refresh = NULL;

  net_test_server_set_fallback (fixture->server, TOKEN_PATH, 400, NULL,
                                "{\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or revoked.\"}");

  g_assert_false (ember_http_client_send_sync (fixture->client, fixture->endpoint, request, NULL, &error));
  g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NEEDS_SIGN_IN);
  g_assert_nonnull (strstr (error->message, "sign in again"));
  g_assert_true (ember_auth_session_get_needs_sign_in (auth));
  g_assert_cmpuint (net_test_server_get_hits (fixture->server, API_PATH), ==, 0);
  user_error = ember_user_error_new_from_error (error);
  g_assert_true (user_error->needs_sign_in);

  /* The dead refresh token is gone, and nobody asks the server again. */
  g_assert_true (ember_token_store_lookup_sync (store, 7, EMBER_TOKEN_KIND_REFRESH, &refresh, NULL, NULL, NULL));
  g_assert_null (refresh);
  g_clear_error (&error);
  g_assert_false (ember_http_client_send_sync (fixture->client, fixture->endpoint, again, NULL, &error));
  g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NEEDS_SIGN_IN);
  g_assert_cmpuint (net_test_server_get_hits (fixture->server, TOKEN_PATH), ==, 1);
}

typedef struct
{
  Fixture *fixture;
  char    *authorization_seen;
  GError  *error;
} ConcurrentJob;

static gpointer
concurrent_thread (gpointer data)
{
  ConcurrentJob *job = data;
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", API_PATH);

  ember_http_client_send_sync (job->fixture->client, job->fixture->endpoint, request, NULL, &job->error);
  return NULL;
}

static void
test_one_refresh_at_a_time (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(EmberTokenStore) store = ember_memory_token_store_new ();
  g_autoptr(EmberAuthSession) auth = make_auth (fixture, store, NULL, 0);
  ConcurrentJob jobs[8];
  GThread *threads[8];

  net_test_server_set_fallback (fixture->server, API_PATH, 200, NULL, "{}");
  net_test_server_set_fallback (fixture->server, TOKEN_PATH, 200, NULL,
                                "{\"access_token\":\"access-shared\",\"expires_in\":3600,"
                                "\"refresh_token\":\"refresh-rotated\"}");

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      jobs[i] = (ConcurrentJob) { .fixture = fixture };
      threads[i] = g_thread_new ("concurrent", concurrent_thread, &jobs[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      g_thread_join (threads[i]);
      g_assert_no_error (jobs[i].error);
    }

  g_assert_cmpuint (net_test_server_get_hits (fixture->server, TOKEN_PATH), ==, 1);
  g_assert_cmpuint (net_test_server_get_hits (fixture->server, API_PATH), ==, 8);
  g_assert_cmpuint (ember_memory_token_store_get_n_stores (EMBER_MEMORY_TOKEN_STORE (store),
                                                          EMBER_TOKEN_KIND_REFRESH), ==, 2);
}

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

      if (!ember_fake_clock_wait_for_waiters (advancer->clock, 1, 10 * 1000))
        continue;
      deadline = ember_fake_clock_get_next_deadline (advancer->clock);
      if (deadline >= 0)
        ember_fake_clock_set (advancer->clock, deadline);
    }
  return NULL;
}

static void
test_failed_refresh_is_shared (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(EmberTokenStore) store = ember_memory_token_store_new ();
  g_autoptr(EmberAuthSession) auth = make_auth (fixture, store, NULL, 0);
  Advancer advancer = { fixture->clock, FALSE };
  ConcurrentJob jobs[4];
  GThread *threads[4];
  GThread *advancer_handle;
  guint single_run_hits;

  /* The token endpoint is down for longer than the give-up time. */
  net_test_server_set_fallback (fixture->server, TOKEN_PATH, 503, NULL, NULL);
  advancer_handle = g_thread_new ("advancer", advancer_thread, &advancer);

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      jobs[i] = (ConcurrentJob) { .fixture = fixture };
      threads[i] = g_thread_new ("concurrent", concurrent_thread, &jobs[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      g_thread_join (threads[i]);
      g_assert_error (jobs[i].error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_GAVE_UP);
      g_clear_error (&jobs[i].error);
    }
  g_atomic_int_set (&advancer.stop, TRUE);
  g_thread_join (advancer_handle);

  /* One backoff sequence against the token endpoint, not one per thread
   * (a thread the scheduler starts after the first refresh failed may try
   * once more on its own). */
  single_run_hits = net_test_server_get_hits (fixture->server, TOKEN_PATH);
  g_test_message ("token endpoint hits: %u, refreshes: %u", single_run_hits,
                  ember_auth_session_get_n_refreshes (auth));
  g_assert_cmpuint (ember_auth_session_get_n_refreshes (auth), <=, 2);
  g_assert_cmpuint (net_test_server_get_hits (fixture->server, API_PATH), ==, 0);
}

static void
test_provider_error_parsing (void)
{
  const char *google_text = "{\"error\":{\"code\":403,\"message\":\"Quota\","
                            "\"errors\":[{\"reason\":\"userRateLimitExceeded\"}]}}";
  g_autoptr(GBytes) google = g_bytes_new_static (google_text, strlen (google_text));
  g_autoptr(GBytes) oauth = NULL;
  g_autoptr(GBytes) garbage = g_bytes_new_static ("<html>", 6);
  g_autofree char *reason = NULL;
  g_autofree char *message = NULL;
  const char *oauth_text = "{\"error\":\"invalid_request\",\"error_description\":"
                           "\"bad refresh_token=abc.def.ghi\"}";

  g_assert_true (ember_http_parse_provider_error (google, &reason, &message));
  g_assert_cmpstr (reason, ==, "userRateLimitExceeded");
  g_assert_cmpstr (message, ==, "Quota");
  g_clear_pointer (&reason, g_free);
  g_clear_pointer (&message, g_free);

  oauth = g_bytes_new_static (oauth_text, strlen (oauth_text));
  g_assert_true (ember_http_parse_provider_error (oauth, &reason, &message));
  g_assert_cmpstr (reason, ==, "invalid_request");
  g_assert_null (strstr (message, "abc.def.ghi"));
  g_clear_pointer (&reason, g_free);
  g_clear_pointer (&message, g_free);

  g_assert_false (ember_http_parse_provider_error (garbage, &reason, &message));
  g_assert_null (reason);
  g_assert_null (message);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/ember/net/http/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("success", test_success);
  ADD ("retry-server-errors", test_retry_server_errors);
  ADD ("retry-after", test_retry_after);
  ADD ("give-up", test_give_up);
  ADD ("client-error", test_client_error);
  ADD ("malformed-json", test_malformed_json);
  ADD ("dropped-connection", test_dropped_connection);
  ADD ("timeout", test_timeout);
  ADD ("cancel", test_cancel);
  ADD ("insecure", test_insecure);
  ADD ("refresh-on-401", test_refresh_on_401);
  ADD ("idempotent-post-reuses-connection", test_idempotent_post_reuses_connection);
  ADD ("refresh-when-expired", test_refresh_when_expired);
  ADD ("invalid-grant", test_invalid_grant);
  ADD ("one-refresh-at-a-time", test_one_refresh_at_a_time);
  ADD ("failed-refresh-is-shared", test_failed_refresh_is_shared);
  g_test_add_func ("/ember/net/http/provider-error-parsing", test_provider_error_parsing);

  return g_test_run ();
}
