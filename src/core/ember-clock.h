/* ember-clock.h: time source for everything that waits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define EMBER_TYPE_CLOCK (ember_clock_get_type ())
G_DECLARE_INTERFACE (EmberClock, ember_clock, EMBER, CLOCK, GObject)

struct _EmberClockInterface
{
  GTypeInterface parent_iface;

  gint64    (*get_monotonic) (EmberClock   *self);
  gint64    (*get_real)      (EmberClock   *self);
  gboolean  (*wait_until)    (EmberClock   *self,
                              gint64        deadline,
                              GCancellable *cancellable,
                              GError      **error);
};

/* Microseconds, like g_get_monotonic_time() / g_get_real_time(). */
gint64      ember_clock_get_monotonic (EmberClock   *self);
gint64      ember_clock_get_real      (EmberClock   *self);
/* Blocks the calling (worker) thread until the monotonic deadline; returns
 * FALSE with G_IO_ERROR_CANCELLED at once when @cancellable fires. */
gboolean    ember_clock_wait_until    (EmberClock   *self,
                                       gint64        deadline,
                                       GCancellable *cancellable,
                                       GError      **error);
gboolean    ember_clock_sleep         (EmberClock   *self,
                                       gint64        usec,
                                       GCancellable *cancellable,
                                       GError      **error);
/* The process-wide real clock (transfer none). */
EmberClock *ember_clock_get_default   (void);

G_END_DECLS
