/* ember-metrics.h: thread-safe counters, gauges and histograms with a JSON
 * snapshot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A histogram summary; percentiles are within 12.5 % above the true value
 * and never above max. */
typedef struct
{
  gint64 count;
  gint64 sum;
  gint64 max;
  gint64 p50;
  gint64 p99;
} EmberMetricsHistogram;

#define EMBER_TYPE_METRICS (ember_metrics_get_type ())
G_DECLARE_FINAL_TYPE (EmberMetrics, ember_metrics, EMBER, METRICS, GObject)

EmberMetrics *ember_metrics_new              (void);
/* The process-wide registry (transfer none). */
EmberMetrics *ember_metrics_get_default      (void);
/* Names are dotted paths, e.g. "http.requests", "pool.wait_us". */
void          ember_metrics_counter_add      (EmberMetrics *self,
                                              const char   *name,
                                              gint64        delta);
void          ember_metrics_gauge_set        (EmberMetrics *self,
                                              const char   *name,
                                              gint64        value);
void          ember_metrics_gauge_add        (EmberMetrics *self,
                                              const char   *name,
                                              gint64        delta);
/* A counter's or gauge's value, a histogram's count, 0 when unknown. */
gint64        ember_metrics_get              (EmberMetrics *self,
                                              const char   *name);
/* Records one observation (e.g. a latency in µs) into a histogram of fixed
 * size that reports count, sum, max, p50 and p99 in the snapshot. */
void          ember_metrics_observe          (EmberMetrics *self,
                                              const char   *name,
                                              gint64        value);
gboolean      ember_metrics_get_histogram    (EmberMetrics          *self,
                                              const char            *name,
                                              EmberMetricsHistogram *out_stats);
/* A JSON object keyed by name: counters and gauges as integers, histograms
 * as {"count", "sum", "max", "p50", "p99"}. */
JsonNode     *ember_metrics_snapshot         (EmberMetrics *self);
char         *ember_metrics_snapshot_json    (EmberMetrics *self);
void          ember_metrics_reset            (EmberMetrics *self);

G_END_DECLS
