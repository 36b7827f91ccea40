/* ember-real-clock.c: the clock of the running system
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ember-real-clock.h"

struct _EmberRealClock
{
  GObject parent_instance;
};

static void ember_real_clock_iface_init (EmberClockInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EmberRealClock, ember_real_clock, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (EMBER_TYPE_CLOCK, ember_real_clock_iface_init))

/* One per blocked thread, on its stack: the cancellable's callback only
 * touches this, and g_cancellable_disconnect() waits for a running callback,
 * so the stack frame outlives every use. */
typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean cancelled;
} Sleeper;

static void
sleeper_cancelled_cb (GCancellable *cancellable,
                      gpointer      data)
{
  Sleeper *sleeper = data;

  g_mutex_lock (&sleeper->mutex);
  sleeper->cancelled = TRUE;
  g_cond_signal (&sleeper->cond);
  g_mutex_unlock (&sleeper->mutex);
}

static gint64
ember_real_clock_get_monotonic (EmberClock *clock)
{
  return g_get_monotonic_time ();
}

static gint64
ember_real_clock_get_real (EmberClock *clock)
{
  return g_get_real_time ();
}

static gboolean
ember_real_clock_wait_until (EmberClock    *clock,
                             gint64         deadline,
                             GCancellable  *cancellable,
                             GError       **error)
{
  Sleeper sleeper = { .cancelled = FALSE };
  gulong handler_id = 0;

  g_mutex_init (&sleeper.mutex);
  g_cond_init (&sleeper.cond);

  /* Connect before taking the mutex: the callback runs right here when the
   * cancellable is already cancelled, and it takes the mutex itself. */
  if (cancellable != NULL)
    handler_id = g_cancellable_connect (cancellable, G_CALLBACK (sleeper_cancelled_cb),
                                        &sleeper, NULL);

  g_mutex_lock (&sleeper.mutex);
  /* g_cond_wait_until() takes a g_get_monotonic_time() deadline and may
   * wake spuriously, hence the loop. */
  while (!sleeper.cancelled && g_get_monotonic_time () < deadline)
    g_cond_wait_until (&sleeper.cond, &sleeper.mutex, deadline);
  g_mutex_unlock (&sleeper.mutex);

  if (handler_id != 0)
    g_cancellable_disconnect (cancellable, handler_id);

  g_cond_clear (&sleeper.cond);
  g_mutex_clear (&sleeper.mutex);

  if (sleeper.cancelled)
    {
      /* Only a g_cancellable_reset() racing with us gets past this check. */
      if (!g_cancellable_set_error_if_cancelled (cancellable, error))
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("Operation was cancelled"));
      return FALSE;
    }

  return TRUE;
}

static void
ember_real_clock_iface_init (EmberClockInterface *iface)
{
  iface->get_monotonic = ember_real_clock_get_monotonic;
  iface->get_real = ember_real_clock_get_real;
  iface->wait_until = ember_real_clock_wait_until;
}

static void
ember_real_clock_class_init (EmberRealClockClass *klass)
{
}

static void
ember_real_clock_init (EmberRealClock *self)
{
}

/**
 * ember_real_clock_new:
 *
 * Returns: (transfer full): a clock reading g_get_monotonic_time() and
 *   g_get_real_time()
 */
EmberRealClock *
ember_real_clock_new (void)
{
  return g_object_new (EMBER_TYPE_REAL_CLOCK, NULL);
}
