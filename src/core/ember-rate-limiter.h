/* ember-rate-limiter.h: a quota gate with per-request cost and a cap on
 * requests in flight, as a token bucket or as a sliding window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-clock.h"

G_BEGIN_DECLS

#define EMBER_TYPE_RATE_LIMITER (ember_rate_limiter_get_type ())
G_DECLARE_FINAL_TYPE (EmberRateLimiter, ember_rate_limiter, EMBER, RATE_LIMITER, GObject)

/* @clock: NULL for the real clock; @rate: cost units refilled per second
 * (> 0); @burst: bucket capacity in units (> 0), the bucket starts full;
 * @max_in_flight: 0 for no cap. Over any window of length T the granted
 * cost never exceeds burst + rate * T (a single request dearer than the
 * burst waits for a full bucket and leaves it in debt). The limiter reports
 * "ratelimit.acquired", "ratelimit.waits", "ratelimit.wait_us",
 * "ratelimit.cancelled", "ratelimit.penalties" (counters) and
 * "ratelimit.in_flight", "ratelimit.waiting" (gauges) into
 * ember_metrics_get_default(), summed over all limiters. */
EmberRateLimiter *ember_rate_limiter_new        (EmberClock       *clock,
                                                 double            rate,
                                                 double            burst,
                                                 guint             max_in_flight);
/* A sliding-window limiter for a quota of @units per @window µs, the kind
 * Gmail, Calendar and Graph enforce: at most @units are spent in any
 * window, and all of them may go at once. A request's cost counts from its
 * acquire until a window after its release: the server charged it at some
 * moment in between, so its window never holds more than this one allows.
 * Since release does not say which request ended, the cheapest one in
 * flight is taken as the one that did, which keeps that promise whatever
 * the costs. A request dearer than @units waits for an empty window.
 * "burst" reads @units and "rate" @units per second of @window. */
EmberRateLimiter *ember_rate_limiter_new_window (EmberClock       *clock,
                                                 double            units,
                                                 GTimeSpan         window,
                                                 guint             max_in_flight);
/* Blocks until @cost units and an in-flight slot are available, FIFO-fair:
 * requests are granted strictly in arrival order, so a dear request at the
 * head is never overtaken by cheap ones. Cancelling @cancellable wakes the
 * caller at once (G_IO_ERROR_CANCELLED) and takes it out of the queue.
 * Every successful acquire must be paired with a release. */
gboolean          ember_rate_limiter_acquire    (EmberRateLimiter *self,
                                                 double            cost,
                                                 GCancellable     *cancellable,
                                                 GError          **error);
void              ember_rate_limiter_release    (EmberRateLimiter *self);
/* Holds new permits for @usec (a server said 429). A token bucket is
 * emptied and starts refilling when the penalty ends; a window keeps what
 * it has spent, which is all the server counts. */
void              ember_rate_limiter_penalize   (EmberRateLimiter *self,
                                                 gint64            usec);
guint             ember_rate_limiter_get_in_flight  (EmberRateLimiter *self);
/* Threads blocked in ember_rate_limiter_acquire() right now. */
guint             ember_rate_limiter_get_n_waiting  (EmberRateLimiter *self);
/* Wait metrics: number of acquires that had to wait, and total µs waited
 * (on the limiter's clock) by the acquires that succeeded. */
guint64           ember_rate_limiter_get_waits      (EmberRateLimiter *self);
gint64            ember_rate_limiter_get_wait_time  (EmberRateLimiter *self);
double            ember_rate_limiter_get_rate       (EmberRateLimiter *self);
/* The sliding window in µs, 0 for a token bucket. */
GTimeSpan         ember_rate_limiter_get_window     (EmberRateLimiter *self);

G_END_DECLS
