/* ember-rate-limiter.h: token bucket with per-request cost and a cap on
 * requests in flight
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-clock.h"

G_BEGIN_DECLS

#define EMBER_TYPE_RATE_LIMITER (ember_rate_limiter_get_type ())
G_DECLARE_FINAL_TYPE (EmberRateLimiter, ember_rate_limiter, EMBER, RATE_LIMITER, GObject)

/* @rate: cost units refilled per second; @burst: bucket capacity in units;
 * @max_in_flight: 0 for no cap. */
EmberRateLimiter *ember_rate_limiter_new        (EmberClock       *clock,
                                                 double            rate,
                                                 double            burst,
                                                 guint             max_in_flight);
/* Blocks until @cost units and an in-flight slot are available, FIFO-fair.
 * Every successful acquire must be paired with a release. */
gboolean          ember_rate_limiter_acquire    (EmberRateLimiter *self,
                                                 double            cost,
                                                 GCancellable     *cancellable,
                                                 GError          **error);
void              ember_rate_limiter_release    (EmberRateLimiter *self);
/* Empties the bucket and holds new permits for @usec (a server said 429). */
void              ember_rate_limiter_penalize   (EmberRateLimiter *self,
                                                 gint64            usec);
guint             ember_rate_limiter_get_in_flight  (EmberRateLimiter *self);
/* Wait metrics: number of acquires that had to wait, and total µs waited. */
guint64           ember_rate_limiter_get_waits      (EmberRateLimiter *self);
gint64            ember_rate_limiter_get_wait_time  (EmberRateLimiter *self);
double            ember_rate_limiter_get_rate       (EmberRateLimiter *self);

G_END_DECLS
