/* bench-http.c: requests per second through the full send path (token,
 * limiter, retries, JSON) against the in-process fake server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-fake-server.h"
#include "ember-http-batch.h"
#include "ember-http-client.h"
#include "ember-memory-token-store.h"
#include "ember-auth-session.h"
#include "ember-metrics.h"
#include "ember-test-utils.h"

#define ALICE "alice@gmail.test"

typedef struct
{
  EmberHttpClient  *client;
  EmberApiEndpoint *endpoint;
  guint             n_requests;
  guint             n_ok;
} Worker;

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;

  for (guint i = 0; i < worker->n_requests; i++)
    {
      g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", "/gmail/v1/users/me/labels");
      g_autoptr(JsonNode) node = NULL;

      ember_http_request_set_operation (request, "labels.list");
      node = ember_http_client_send_json_sync (worker->client, worker->endpoint, request, NULL, NULL);
      if (node != NULL)
        worker->n_ok++;
    }
  return NULL;
}

static double
run (EmberHttpClient  *client,
     EmberApiEndpoint *endpoint,
     guint             n_threads,
     guint             n_total)
{
  g_autofree Worker *workers = g_new0 (Worker, n_threads);
  g_autofree GThread **threads = g_new0 (GThread *, n_threads);
  gint64 started = g_get_monotonic_time ();
  guint ok = 0;

  for (guint i = 0; i < n_threads; i++)
    {
      workers[i] = (Worker) { client, endpoint, n_total / n_threads };
      threads[i] = g_thread_new ("bench", worker_thread, &workers[i]);
    }
  for (guint i = 0; i < n_threads; i++)
    {
      g_thread_join (threads[i]);
      ok += workers[i].n_ok;
    }
  g_assert_cmpuint (ok, ==, n_total);

  return n_total / ((g_get_monotonic_time () - started) / 1e6);
}

static void
bench_requests (void)
{
  EmberFakeServerOptions options;
  g_autoptr(EmberFakeServer) server = NULL;
  g_autoptr(EmberHttpClient) client = ember_http_client_new (ember_clock_get_default ());
  g_autoptr(EmberTokenStore) store = ember_memory_token_store_new ();
  g_autoptr(EmberOAuthConfig) config = NULL;
  g_autoptr(EmberAuthSession) auth = NULL;
  g_autoptr(EmberApiEndpoint) gmail = NULL;
  g_autoptr(EmberHttpBatch) batch = ember_http_batch_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *auth_base = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_auto(GStrv) ids = NULL;
  EmberMetricsHistogram latency;
  gint64 started;

  ember_fake_server_options_init (&options);
  options.no_quota = TRUE;
  options.n_messages = 200;
  options.n_events = 2;
  server = ember_fake_server_new (&options);
  g_assert_true (ember_fake_server_start (server, &error));

  auth_base = g_strconcat (ember_fake_server_get_base_uri (server), "/google", NULL);
  config = ember_oauth_config_new (EMBER_OAUTH_PROVIDER_GOOGLE, auth_base, "bench", "secret");
  g_assert_true (ember_fake_server_issue_token (server, ALICE, &access, &refresh, &error));
  ember_token_store_store_sync (store, 1, EMBER_TOKEN_KIND_REFRESH, refresh, 0, NULL, NULL);
  auth = ember_auth_session_new (client, config, store, 1);
  gmail = ember_api_endpoint_new (EMBER_API_KIND_GMAIL, ember_fake_server_get_base_uri (server),
                                  ember_clock_get_default ());
  ember_api_endpoint_set_rate_limiter (gmail, NULL);
  ember_api_endpoint_set_auth_session (gmail, auth);

  ember_metrics_reset (ember_metrics_get_default ());
  g_print ("# http: 1 thread:  %.0f requests/s\n", run (client, gmail, 1, 2000));
  g_print ("# http: 4 threads: %.0f requests/s\n", run (client, gmail, 4, 4000));
  g_print ("# http: 8 threads: %.0f requests/s\n", run (client, gmail, 8, 4000));
  if (ember_metrics_get_histogram (ember_metrics_get_default (), "http.latency_us", &latency))
    g_print ("# http: latency p50 %" G_GINT64_FORMAT " µs, p99 %" G_GINT64_FORMAT " µs over %" G_GINT64_FORMAT "\n",
             latency.p50, latency.p99, latency.count);

  ids = ember_fake_server_list_message_ids (server, ALICE, NULL, &error);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autofree char *path = g_strconcat ("/gmail/v1/users/me/messages/", ids[i], NULL);
      g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", path);

      ember_http_request_add_query (request, "format", "full");
      ember_http_batch_add (batch, request);
    }
  started = g_get_monotonic_time ();
  g_assert_true (ember_http_batch_send_sync (batch, client, gmail, NULL, &error));
  g_print ("# batch: %u messages.get (format=full) in %u requests: %.0f messages/s\n",
           ember_http_batch_get_n_parts (batch), ember_http_batch_get_n_requests_sent (batch),
           ember_http_batch_get_n_parts (batch) / ((g_get_monotonic_time () - started) / 1e6));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/net/bench/requests", bench_requests);

  return g_test_run ();
}
