/* ember-backoff.h: exponential backoff with full jitter and Retry-After
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-clock.h"

G_BEGIN_DECLS

#define EMBER_TYPE_BACKOFF (ember_backoff_get_type ())
G_DECLARE_FINAL_TYPE (EmberBackoff, ember_backoff, EMBER, BACKOFF, GObject)

/* Defaults (µs): initial 500 ms, multiplier 2, max interval 60 s, give up
 * after 5 min elapsed, Retry-After capped at the max interval... configurable
 * through properties "initial-interval", "multiplier", "max-interval",
 * "max-elapsed", "max-retry-after", "jitter" (gboolean). */
EmberBackoff *ember_backoff_new             (EmberClock   *clock);
/* The next delay in µs, or -1 when the give-up time has passed. When
 * @retry_after_usec >= 0 it overrides the computed delay (capped). */
gint64        ember_backoff_next_delay      (EmberBackoff *self,
                                             gint64        retry_after_usec);
/* next_delay + wait on the clock; FALSE with EMBER_HTTP_ERROR_GAVE_UP after
 * the give-up point, or G_IO_ERROR_CANCELLED. */
gboolean      ember_backoff_wait            (EmberBackoff *self,
                                             gint64        retry_after_usec,
                                             GCancellable *cancellable,
                                             GError      **error);
void          ember_backoff_reset           (EmberBackoff *self);
guint         ember_backoff_get_attempts    (EmberBackoff *self);

/* Parses a Retry-After header value: delta-seconds or an HTTP-date, relative
 * to @now_real_usec. Returns µs, or -1 when absent or unparsable. */
gint64        ember_parse_retry_after       (const char   *value,
                                             gint64        now_real_usec);

G_END_DECLS
