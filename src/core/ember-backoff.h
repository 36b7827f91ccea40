/* ember-backoff.h: exponential backoff with full jitter and Retry-After
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-clock.h"

G_BEGIN_DECLS

#define EMBER_BACKOFF_DEFAULT_INITIAL_INTERVAL  (500 * G_TIME_SPAN_MILLISECOND)
#define EMBER_BACKOFF_DEFAULT_MULTIPLIER        2.0
#define EMBER_BACKOFF_DEFAULT_MAX_INTERVAL      (60 * G_TIME_SPAN_SECOND)
#define EMBER_BACKOFF_DEFAULT_MAX_ELAPSED       (5 * G_TIME_SPAN_MINUTE)
#define EMBER_BACKOFF_DEFAULT_MAX_RETRY_AFTER   (120 * G_TIME_SPAN_SECOND)

#define EMBER_TYPE_BACKOFF (ember_backoff_get_type ())
G_DECLARE_FINAL_TYPE (EmberBackoff, ember_backoff, EMBER, BACKOFF, GObject)

/* Defaults (µs): initial 500 ms, multiplier 2, max interval 60 s, give up
 * once 5 min have passed since the first failure, a server's Retry-After
 * honoured up to 120 s (a server that asks for longer gets 120 s, then the
 * normal give-up rule), full jitter on. Properties: "clock"
 * (construct-only), "initial-interval", "multiplier", "max-interval",
 * "max-elapsed" (0: never give up), "max-retry-after", "jitter" (gboolean).
 * One backoff serves one job at a time (it is locked, but its attempts
 * count is per job). */
EmberBackoff *ember_backoff_new             (EmberClock   *clock);
/* Counts a failure and returns the delay before the next attempt in µs:
 * without jitter min(initial * multiplier^(attempts), max-interval), with
 * jitter a uniform random value in [0, that]. When @retry_after_usec >= 0
 * it replaces the computed delay (capped at max-retry-after). Returns -1
 * (and counts nothing) when the time since the first failure plus the delay
 * would exceed max-elapsed. */
gint64        ember_backoff_next_delay      (EmberBackoff *self,
                                             gint64        retry_after_usec);
/* next_delay + wait on the clock; FALSE with EMBER_HTTP_ERROR_GAVE_UP after
 * the give-up point, or G_IO_ERROR_CANCELLED. */
gboolean      ember_backoff_wait            (EmberBackoff *self,
                                             gint64        retry_after_usec,
                                             GCancellable *cancellable,
                                             GError      **error);
/* Call on success: the next failure starts over at the initial interval
 * and a new give-up window. */
void          ember_backoff_reset           (EmberBackoff *self);
/* Failures counted since the last reset. */
guint         ember_backoff_get_attempts    (EmberBackoff *self);

/* Parses a Retry-After header value: delta-seconds or an HTTP-date, relative
 * to @now_real_usec. Returns µs (0 for a date in the past), or -1 when
 * absent or unparsable. */
gint64        ember_parse_retry_after       (const char   *value,
                                             gint64        now_real_usec);

G_END_DECLS
