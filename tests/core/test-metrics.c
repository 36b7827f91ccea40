/* test-metrics.c: counters, gauges, histograms and the JSON snapshot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-metrics.h"
#include "ember-test-utils.h"

static void
test_counters_and_gauges (void)
{
  g_autoptr(EmberMetrics) metrics = ember_metrics_new ();

  g_assert_cmpint (ember_metrics_get (metrics, "http.requests"), ==, 0);

  ember_metrics_counter_add (metrics, "http.requests", 1);
  ember_metrics_counter_add (metrics, "http.requests", 41);
  g_assert_cmpint (ember_metrics_get (metrics, "http.requests"), ==, 42);

  ember_metrics_gauge_set (metrics, "pool.in_use", 3);
  ember_metrics_gauge_add (metrics, "pool.in_use", -2);
  g_assert_cmpint (ember_metrics_get (metrics, "pool.in_use"), ==, 1);
  ember_metrics_gauge_set (metrics, "pool.in_use", 7);
  g_assert_cmpint (ember_metrics_get (metrics, "pool.in_use"), ==, 7);

  ember_metrics_reset (metrics);
  g_assert_cmpint (ember_metrics_get (metrics, "http.requests"), ==, 0);
  g_assert_cmpint (ember_metrics_get (metrics, "pool.in_use"), ==, 0);
}

static void
test_histogram_exact_small_values (void)
{
  g_autoptr(EmberMetrics) metrics = ember_metrics_new ();
  EmberMetricsHistogram stats;

  g_assert_false (ember_metrics_get_histogram (metrics, "none", &stats));
  g_assert_cmpint (stats.count, ==, 0);

  /* 1..7 each once: small values have a bucket each, so exact. */
  for (gint64 v = 1; v <= 7; v++)
    ember_metrics_observe (metrics, "small", v);

  g_assert_true (ember_metrics_get_histogram (metrics, "small", &stats));
  g_assert_cmpint (stats.count, ==, 7);
  g_assert_cmpint (stats.sum, ==, 28);
  g_assert_cmpint (stats.max, ==, 7);
  g_assert_cmpint (stats.p50, ==, 4);
  g_assert_cmpint (stats.p99, ==, 7);
  g_assert_cmpint (ember_metrics_get (metrics, "small"), ==, 7);

  /* Negative observations count as 0. */
  ember_metrics_observe (metrics, "zero", -5);
  g_assert_true (ember_metrics_get_histogram (metrics, "zero", &stats));
  g_assert_cmpint (stats.count, ==, 1);
  g_assert_cmpint (stats.max, ==, 0);
  g_assert_cmpint (stats.p50, ==, 0);
}

static void
test_histogram_percentiles_bounded_error (void)
{
  g_autoptr(EmberMetrics) metrics = ember_metrics_new ();
  EmberMetricsHistogram stats;
  gint64 sum = 0;

  /* 1..100000 µs: p50 is 50000, p99 is 99000. */
  for (gint64 v = 1; v <= 100000; v++)
    {
      ember_metrics_observe (metrics, "latency_us", v);
      sum += v;
    }

  g_assert_true (ember_metrics_get_histogram (metrics, "latency_us", &stats));
  g_assert_cmpint (stats.count, ==, 100000);
  g_assert_cmpint (stats.sum, ==, sum);
  g_assert_cmpint (stats.max, ==, 100000);
  g_assert_cmpint (stats.p50, >=, 50000);
  g_assert_cmpint (stats.p50, <=, 50000 + 50000 / 8);
  g_assert_cmpint (stats.p99, >=, 99000);
  g_assert_cmpint (stats.p99, <=, 100000);

  /* One huge value: p99 stays where the bulk is, max tells the outlier. */
  ember_metrics_reset (metrics);
  for (int i = 0; i < 999; i++)
    ember_metrics_observe (metrics, "latency_us", 1000);
  ember_metrics_observe (metrics, "latency_us", G_MAXINT64 / 2);
  g_assert_true (ember_metrics_get_histogram (metrics, "latency_us", &stats));
  g_assert_cmpint (stats.max, ==, G_MAXINT64 / 2);
  g_assert_cmpint (stats.p99, >=, 1000);
  g_assert_cmpint (stats.p99, <=, 1000 + 1000 / 8);
}

static void
test_kind_mismatch_subprocess (void)
{
  g_autoptr(EmberMetrics) metrics = ember_metrics_new ();

  ember_metrics_observe (metrics, "latency_us", 1);
  ember_metrics_counter_add (metrics, "latency_us", 1);
}

static void
test_kind_mismatch (void)
{
  g_test_trap_subprocess ("/ember/core/metrics/kind-mismatch/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*latency_us*is a histogram*");
}

static void
test_snapshot (void)
{
  g_autoptr(EmberMetrics) metrics = ember_metrics_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  JsonObject *object;
  JsonObject *histogram;

  ember_metrics_counter_add (metrics, "http.requests", 5);
  ember_metrics_gauge_set (metrics, "pool.in_use", -1);
  ember_metrics_observe (metrics, "http.latency_us", 3);
  ember_metrics_observe (metrics, "http.latency_us", 5);

  root = ember_metrics_snapshot (metrics);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  object = json_node_get_object (root);
  g_assert_cmpuint (json_object_get_size (object), ==, 3);
  g_assert_cmpint (json_object_get_int_member (object, "http.requests"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (object, "pool.in_use"), ==, -1);

  histogram = json_object_get_object_member (object, "http.latency_us");
  g_assert_nonnull (histogram);
  g_assert_cmpint (json_object_get_int_member (histogram, "count"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (histogram, "sum"), ==, 8);
  g_assert_cmpint (json_object_get_int_member (histogram, "max"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (histogram, "p50"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (histogram, "p99"), ==, 5);

  json = ember_metrics_snapshot_json (metrics);
  g_assert_cmpstr (json, ==,
                   "{\"http.latency_us\":{\"count\":2,\"sum\":8,\"max\":5,\"p50\":3,\"p99\":5},"
                   "\"http.requests\":5,\"pool.in_use\":-1}");
}

#define N_THREADS 8
#define N_PER_THREAD 20000

static gpointer
hammer_thread (gpointer data)
{
  EmberMetrics *metrics = data;

  for (int i = 0; i < N_PER_THREAD; i++)
    {
      ember_metrics_counter_add (metrics, "hits", 1);
      ember_metrics_gauge_add (metrics, "level", 1);
      ember_metrics_gauge_add (metrics, "level", -1);
      ember_metrics_observe (metrics, "latency", i % 100);
    }

  return NULL;
}

static void
test_thread_safety (void)
{
  g_autoptr(EmberMetrics) metrics = ember_metrics_new ();
  GThread *threads[N_THREADS];
  EmberMetricsHistogram stats;

  for (int i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("hammer", hammer_thread, metrics);
  for (int i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  g_assert_cmpint (ember_metrics_get (metrics, "hits"), ==, N_THREADS * N_PER_THREAD);
  g_assert_cmpint (ember_metrics_get (metrics, "level"), ==, 0);
  g_assert_true (ember_metrics_get_histogram (metrics, "latency", &stats));
  g_assert_cmpint (stats.count, ==, N_THREADS * N_PER_THREAD);
  g_assert_cmpint (stats.max, ==, 99);
}

static void
test_default_is_shared (void)
{
  EmberMetrics *metrics = ember_metrics_get_default ();

  g_assert_true (EMBER_IS_METRICS (metrics));
  g_assert_true (ember_metrics_get_default () == metrics);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/core/metrics/counters-and-gauges", test_counters_and_gauges);
  g_test_add_func ("/ember/core/metrics/histogram-exact-small-values", test_histogram_exact_small_values);
  g_test_add_func ("/ember/core/metrics/histogram-percentiles", test_histogram_percentiles_bounded_error);
  g_test_add_func ("/ember/core/metrics/kind-mismatch", test_kind_mismatch);
  g_test_add_func ("/ember/core/metrics/kind-mismatch/subprocess", test_kind_mismatch_subprocess);
  g_test_add_func ("/ember/core/metrics/snapshot", test_snapshot);
  g_test_add_func ("/ember/core/metrics/thread-safety", test_thread_safety);
  g_test_add_func ("/ember/core/metrics/default", test_default_is_shared);

  return g_test_run ();
}
