/* ember-clock.c: time source for everything that waits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-core"

#include "config.h"

#include "ember-clock.h"
#include "ember-real-clock.h"

G_DEFINE_INTERFACE (EmberClock, ember_clock, G_TYPE_OBJECT)

static void
ember_clock_default_init (EmberClockInterface *iface)
{
}

/**
 * ember_clock_get_monotonic:
 * @self: a clock
 *
 * Returns: the monotonic time in µs; only differences are meaningful
 */
gint64
ember_clock_get_monotonic (EmberClock *self)
{
  g_return_val_if_fail (EMBER_IS_CLOCK (self), 0);

  return EMBER_CLOCK_GET_IFACE (self)->get_monotonic (self);
}

/**
 * ember_clock_get_real:
 * @self: a clock
 *
 * Returns: the wall-clock time in µs since the Unix epoch
 */
gint64
ember_clock_get_real (EmberClock *self)
{
  g_return_val_if_fail (EMBER_IS_CLOCK (self), 0);

  return EMBER_CLOCK_GET_IFACE (self)->get_real (self);
}

/**
 * ember_clock_wait_until:
 * @self: a clock
 * @deadline: monotonic time in µs
 * @cancellable: (nullable): a cancellable
 * @error: return location for a #GError
 *
 * Blocks the calling thread until the monotonic time reaches @deadline.
 * Cancelling @cancellable wakes the thread at once.
 *
 * Returns: %TRUE when the deadline passed, %FALSE with
 *   %G_IO_ERROR_CANCELLED when cancelled (also when cancelled on entry)
 */
gboolean
ember_clock_wait_until (EmberClock    *self,
                        gint64         deadline,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_return_val_if_fail (EMBER_IS_CLOCK (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  return EMBER_CLOCK_GET_IFACE (self)->wait_until (self, deadline, cancellable, error);
}

/**
 * ember_clock_sleep:
 * @self: a clock
 * @usec: how long to wait, in µs (zero or negative returns at once)
 * @cancellable: (nullable): a cancellable
 * @error: return location for a #GError
 *
 * Like ember_clock_wait_until() with a deadline @usec from now.
 *
 * Returns: %TRUE after the delay, %FALSE with %G_IO_ERROR_CANCELLED
 */
gboolean
ember_clock_sleep (EmberClock    *self,
                   gint64         usec,
                   GCancellable  *cancellable,
                   GError       **error)
{
  gint64 now;

  g_return_val_if_fail (EMBER_IS_CLOCK (self), FALSE);

  now = ember_clock_get_monotonic (self);
  if (usec < 0)
    usec = 0;
  if (usec > G_MAXINT64 - now)
    usec = G_MAXINT64 - now;

  return ember_clock_wait_until (self, now + usec, cancellable, error);
}

/**
 * ember_clock_get_default:
 *
 * Returns: (transfer none): the process-wide real clock
 */
EmberClock *
ember_clock_get_default (void)
{
  static EmberClock *default_clock;

  if (g_once_init_enter (&default_clock))
    g_once_init_leave (&default_clock, EMBER_CLOCK (ember_real_clock_new ()));

  return default_clock;
}
