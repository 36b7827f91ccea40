/* ember-metrics.c: thread-safe counters, gauges and histograms
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-core"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ember-metrics.h"

/* Histograms use fixed log-linear buckets, so memory stays bounded whatever
 * the number of observations: values below 8 get a bucket each, every
 * larger power of two is split into 8 sub-buckets, so a reported
 * percentile is at most 12.5 % above the true value (and never above the
 * maximum seen). */
#define SUB_BUCKET_BITS 3
#define SUB_BUCKETS     (1 << SUB_BUCKET_BITS)
#define N_BUCKETS       (SUB_BUCKETS + (63 - SUB_BUCKET_BITS) * SUB_BUCKETS)

typedef struct
{
  gint64  count;
  gint64  sum;
  gint64  max;
  gint64 *buckets; /* N_BUCKETS counts */
} Histogram;

typedef enum
{
  METRIC_SCALAR,   /* counters and gauges */
  METRIC_HISTOGRAM,
} MetricKind;

typedef struct
{
  MetricKind kind;
  gint64     value;
  Histogram  histogram;
} Metric;

struct _EmberMetrics
{
  GObject     parent_instance;

  GMutex      mutex;
  GHashTable *metrics; /* name -> Metric */
};

G_DEFINE_FINAL_TYPE (EmberMetrics, ember_metrics, G_TYPE_OBJECT)

static void
metric_free (gpointer data)
{
  Metric *metric = data;

  g_free (metric->histogram.buckets);
  g_free (metric);
}

static guint
bucket_index (gint64 value)
{
  guint exponent;

  if (value < SUB_BUCKETS)
    return (guint) value;

  exponent = g_bit_storage ((gulong) value) - 1;
  return SUB_BUCKETS
         + (exponent - SUB_BUCKET_BITS) * SUB_BUCKETS
         + (guint) ((value >> (exponent - SUB_BUCKET_BITS)) & (SUB_BUCKETS - 1));
}

/* The largest value that falls into bucket @index. */
static gint64
bucket_upper_bound (guint index)
{
  guint exponent;
  guint64 sub;

  if (index < SUB_BUCKETS)
    return index;

  exponent = (index - SUB_BUCKETS) / SUB_BUCKETS + SUB_BUCKET_BITS;
  sub = (index - SUB_BUCKETS) % SUB_BUCKETS;

  return (gint64) ((((guint64) SUB_BUCKETS + sub + 1) << (exponent - SUB_BUCKET_BITS)) - 1);
}

static gint64
histogram_percentile (const Histogram *histogram,
                      double           fraction)
{
  gint64 rank;
  gint64 seen = 0;

  if (histogram->count == 0)
    return 0;

  rank = (gint64) (fraction * (double) histogram->count + 0.999999);
  rank = CLAMP (rank, 1, histogram->count);

  for (guint i = 0; i < N_BUCKETS; i++)
    {
      seen += histogram->buckets[i];
      if (seen >= rank)
        return MIN (bucket_upper_bound (i), histogram->max);
    }

  return histogram->max;
}

/* Called with the mutex held. Returns NULL (after a critical) when @name
 * already names a metric of the other kind. */
static Metric *
lookup_locked (EmberMetrics *self,
               const char   *name,
               MetricKind    kind)
{
  Metric *metric = g_hash_table_lookup (self->metrics, name);

  if (metric == NULL)
    {
      metric = g_new0 (Metric, 1);
      metric->kind = kind;
      if (kind == METRIC_HISTOGRAM)
        metric->histogram.buckets = g_new0 (gint64, N_BUCKETS);
      g_hash_table_insert (self->metrics, g_strdup (name), metric);
    }
  else if (metric->kind != kind)
    {
      g_critical ("Metric “%s” is %s, not %s", name,
                  metric->kind == METRIC_HISTOGRAM ? "a histogram" : "a counter or gauge",
                  kind == METRIC_HISTOGRAM ? "a histogram" : "a counter or gauge");
      return NULL;
    }

  return metric;
}

static int
compare_names (const void *a,
               const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
ember_metrics_finalize (GObject *object)
{
  EmberMetrics *self = (EmberMetrics *)object;

  g_clear_pointer (&self->metrics, g_hash_table_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (ember_metrics_parent_class)->finalize (object);
}

static void
ember_metrics_class_init (EmberMetricsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ember_metrics_finalize;
}

static void
ember_metrics_init (EmberMetrics *self)
{
  g_mutex_init (&self->mutex);
  self->metrics = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, metric_free);
}

/**
 * ember_metrics_new:
 *
 * Returns: (transfer full): an empty registry
 */
EmberMetrics *
ember_metrics_new (void)
{
  return g_object_new (EMBER_TYPE_METRICS, NULL);
}

/**
 * ember_metrics_get_default:
 *
 * Returns: (transfer none): the process-wide registry
 */
EmberMetrics *
ember_metrics_get_default (void)
{
  static EmberMetrics *default_metrics;

  if (g_once_init_enter (&default_metrics))
    g_once_init_leave (&default_metrics, ember_metrics_new ());

  return default_metrics;
}

/**
 * ember_metrics_counter_add:
 * @self: a registry
 * @name: a dotted name such as "http.requests"
 * @delta: the amount to add
 *
 * Adds to a counter, creating it at zero first.
 */
void
ember_metrics_counter_add (EmberMetrics *self,
                           const char   *name,
                           gint64        delta)
{
  Metric *metric;

  g_return_if_fail (EMBER_IS_METRICS (self));
  g_return_if_fail (name != NULL);

  g_mutex_lock (&self->mutex);
  if ((metric = lookup_locked (self, name, METRIC_SCALAR)) != NULL)
    metric->value += delta;
  g_mutex_unlock (&self->mutex);
}

/**
 * ember_metrics_gauge_set:
 * @self: a registry
 * @name: a dotted name
 * @value: the new value
 */
void
ember_metrics_gauge_set (EmberMetrics *self,
                         const char   *name,
                         gint64        value)
{
  Metric *metric;

  g_return_if_fail (EMBER_IS_METRICS (self));
  g_return_if_fail (name != NULL);

  g_mutex_lock (&self->mutex);
  if ((metric = lookup_locked (self, name, METRIC_SCALAR)) != NULL)
    metric->value = value;
  g_mutex_unlock (&self->mutex);
}

/**
 * ember_metrics_gauge_add:
 * @self: a registry
 * @name: a dotted name
 * @delta: the amount to add (negative to lower the gauge)
 */
void
ember_metrics_gauge_add (EmberMetrics *self,
                         const char   *name,
                         gint64        delta)
{
  ember_metrics_counter_add (self, name, delta);
}

/**
 * ember_metrics_get:
 * @self: a registry
 * @name: a dotted name
 *
 * Returns: the value of a counter or gauge, the number of observations of
 *   a histogram, or 0 when @name is unknown
 */
gint64
ember_metrics_get (EmberMetrics *self,
                   const char   *name)
{
  Metric *metric;
  gint64 value = 0;

  g_return_val_if_fail (EMBER_IS_METRICS (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  g_mutex_lock (&self->mutex);
  metric = g_hash_table_lookup (self->metrics, name);
  if (metric != NULL)
    value = metric->kind == METRIC_HISTOGRAM ? metric->histogram.count : metric->value;
  g_mutex_unlock (&self->mutex);

  return value;
}

/**
 * ember_metrics_observe:
 * @self: a registry
 * @name: a dotted name such as "http.latency_us"
 * @value: the observation; negative values count as 0
 *
 * Records one observation into a histogram with bounded memory.
 */
void
ember_metrics_observe (EmberMetrics *self,
                       const char   *name,
                       gint64        value)
{
  Metric *metric;

  g_return_if_fail (EMBER_IS_METRICS (self));
  g_return_if_fail (name != NULL);

  value = MAX (value, 0);

  g_mutex_lock (&self->mutex);
  if ((metric = lookup_locked (self, name, METRIC_HISTOGRAM)) != NULL)
    {
      Histogram *histogram = &metric->histogram;

      histogram->count++;
      histogram->sum = value > G_MAXINT64 - histogram->sum ? G_MAXINT64 : histogram->sum + value;
      histogram->max = MAX (histogram->max, value);
      histogram->buckets[bucket_index (value)]++;
    }
  g_mutex_unlock (&self->mutex);
}

/**
 * ember_metrics_get_histogram:
 * @self: a registry
 * @name: a dotted name
 * @out_stats: (out caller-allocates): where to store the summary
 *
 * Returns: %FALSE (and zeroes @out_stats) when @name is not a histogram
 */
gboolean
ember_metrics_get_histogram (EmberMetrics          *self,
                             const char            *name,
                             EmberMetricsHistogram *out_stats)
{
  Metric *metric;
  gboolean found = FALSE;

  g_return_val_if_fail (EMBER_IS_METRICS (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (out_stats != NULL, FALSE);

  memset (out_stats, 0, sizeof *out_stats);

  g_mutex_lock (&self->mutex);
  metric = g_hash_table_lookup (self->metrics, name);
  if (metric != NULL && metric->kind == METRIC_HISTOGRAM)
    {
      out_stats->count = metric->histogram.count;
      out_stats->sum = metric->histogram.sum;
      out_stats->max = metric->histogram.max;
      out_stats->p50 = histogram_percentile (&metric->histogram, 0.50);
      out_stats->p99 = histogram_percentile (&metric->histogram, 0.99);
      found = TRUE;
    }
  g_mutex_unlock (&self->mutex);

  return found;
}

/**
 * ember_metrics_snapshot:
 * @self: a registry
 *
 * Builds a JSON object keyed by metric name, sorted by name: counters and
 * gauges are integers, histograms objects with "count", "sum", "max",
 * "p50" and "p99".
 *
 * Returns: (transfer full): a #JsonNode holding an object
 */
JsonNode *
ember_metrics_snapshot (EmberMetrics *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree const char **names = NULL;
  guint n_names;

  g_return_val_if_fail (EMBER_IS_METRICS (self), NULL);

  json_builder_begin_object (builder);

  g_mutex_lock (&self->mutex);
  names = (const char **) g_hash_table_get_keys_as_array (self->metrics, &n_names);
  qsort (names, n_names, sizeof (char *), compare_names);
  for (guint i = 0; i < n_names; i++)
    {
      const Metric *metric = g_hash_table_lookup (self->metrics, names[i]);

      json_builder_set_member_name (builder, names[i]);
      if (metric->kind == METRIC_SCALAR)
        {
          json_builder_add_int_value (builder, metric->value);
          continue;
        }

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, metric->histogram.count);
      json_builder_set_member_name (builder, "sum");
      json_builder_add_int_value (builder, metric->histogram.sum);
      json_builder_set_member_name (builder, "max");
      json_builder_add_int_value (builder, metric->histogram.max);
      json_builder_set_member_name (builder, "p50");
      json_builder_add_int_value (builder, histogram_percentile (&metric->histogram, 0.50));
      json_builder_set_member_name (builder, "p99");
      json_builder_add_int_value (builder, histogram_percentile (&metric->histogram, 0.99));
      json_builder_end_object (builder);
    }
  g_mutex_unlock (&self->mutex);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/**
 * ember_metrics_snapshot_json:
 * @self: a registry
 *
 * Returns: (transfer full): ember_metrics_snapshot() as compact JSON text
 */
char *
ember_metrics_snapshot_json (EmberMetrics *self)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (EMBER_IS_METRICS (self), NULL);

  root = ember_metrics_snapshot (self);
  return json_to_string (root, FALSE);
}

/**
 * ember_metrics_reset:
 * @self: a registry
 *
 * Forgets every metric.
 */
void
ember_metrics_reset (EmberMetrics *self)
{
  g_return_if_fail (EMBER_IS_METRICS (self));

  g_mutex_lock (&self->mutex);
  g_hash_table_remove_all (self->metrics);
  g_mutex_unlock (&self->mutex);
}
