/* ember-metrics.h: thread-safe counters and gauges with a JSON snapshot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

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
gint64        ember_metrics_get              (EmberMetrics *self,
                                              const char   *name);
/* Records one observation (e.g. a latency in µs) into a small histogram that
 * reports count, sum, max, p50 and p99 in the snapshot. */
void          ember_metrics_observe          (EmberMetrics *self,
                                              const char   *name,
                                              gint64        value);
JsonNode     *ember_metrics_snapshot         (EmberMetrics *self);
char         *ember_metrics_snapshot_json    (EmberMetrics *self);
void          ember_metrics_reset            (EmberMetrics *self);

G_END_DECLS
