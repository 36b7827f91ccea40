/* ember-fake-clock.c: a clock that only moves when a test moves it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ember-fake-clock.h"

struct _EmberFakeClock
{
  GObject parent_instance;

  GMutex  mutex;
  /* Broadcast whenever a waiter is released or cancelled. */
  GCond   wake_cond;
  /* Broadcast whenever a waiter starts waiting. */
  GCond   waiters_cond;
  gint64  now;
  /* Waiter structs living on the blocked threads' stacks. */
  GQueue  waiters;
};

typedef struct
{
  EmberFakeClock *clock;
  GList           link;
  gint64          deadline;
  gboolean        released;
  gboolean        cancelled;
} Waiter;

static void ember_fake_clock_iface_init (EmberClockInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EmberFakeClock, ember_fake_clock, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (EMBER_TYPE_CLOCK, ember_fake_clock_iface_init))

static gint64
ember_fake_clock_get_time (EmberClock *clock)
{
  EmberFakeClock *self = EMBER_FAKE_CLOCK (clock);
  gint64 now;

  g_mutex_lock (&self->mutex);
  now = self->now;
  g_mutex_unlock (&self->mutex);

  return now;
}

/* Called with the mutex held. Waiters leave the queue here rather than when
 * their thread runs again, so get_n_waiters() is exact right after
 * advance() returns. */
static void
release_due_waiters_locked (EmberFakeClock *self)
{
  GList *l = self->waiters.head;
  gboolean woke = FALSE;

  while (l != NULL)
    {
      Waiter *waiter = l->data;
      GList *next = l->next;

      if (waiter->deadline <= self->now)
        {
          g_queue_unlink (&self->waiters, &waiter->link);
          waiter->released = TRUE;
          woke = TRUE;
        }
      l = next;
    }

  if (woke)
    g_cond_broadcast (&self->wake_cond);
}

static void
waiter_cancelled_cb (GCancellable *cancellable,
                     gpointer      data)
{
  Waiter *waiter = data;
  EmberFakeClock *self = waiter->clock;

  g_mutex_lock (&self->mutex);
  if (!waiter->released && !waiter->cancelled)
    {
      /* Neither released nor cancelled yet means still queued. */
      waiter->cancelled = TRUE;
      g_queue_unlink (&self->waiters, &waiter->link);
      g_cond_broadcast (&self->wake_cond);
    }
  g_mutex_unlock (&self->mutex);
}

static gboolean
ember_fake_clock_wait_until (EmberClock    *clock,
                             gint64         deadline,
                             GCancellable  *cancellable,
                             GError       **error)
{
  EmberFakeClock *self = EMBER_FAKE_CLOCK (clock);
  Waiter waiter = { .clock = self, .deadline = deadline };
  gulong handler_id = 0;
  gboolean cancelled;

  waiter.link.data = &waiter;

  g_mutex_lock (&self->mutex);
  if (deadline <= self->now)
    {
      g_mutex_unlock (&self->mutex);
      return TRUE;
    }
  g_queue_push_tail_link (&self->waiters, &waiter.link);
  g_cond_broadcast (&self->waiters_cond);
  g_mutex_unlock (&self->mutex);

  /* Outside the mutex: the callback runs at once (and takes the mutex) when
   * the cancellable is already cancelled. */
  if (cancellable != NULL)
    handler_id = g_cancellable_connect (cancellable, G_CALLBACK (waiter_cancelled_cb),
                                        &waiter, NULL);

  g_mutex_lock (&self->mutex);
  while (!waiter.released && !waiter.cancelled)
    g_cond_wait (&self->wake_cond, &self->mutex);
  cancelled = waiter.cancelled;
  g_mutex_unlock (&self->mutex);

  if (handler_id != 0)
    g_cancellable_disconnect (cancellable, handler_id);

  if (cancelled)
    {
      if (!g_cancellable_set_error_if_cancelled (cancellable, error))
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("Operation was cancelled"));
      return FALSE;
    }

  return TRUE;
}

static void
ember_fake_clock_iface_init (EmberClockInterface *iface)
{
  iface->get_monotonic = ember_fake_clock_get_time;
  iface->get_real = ember_fake_clock_get_time;
  iface->wait_until = ember_fake_clock_wait_until;
}

static void
ember_fake_clock_finalize (GObject *object)
{
  EmberFakeClock *self = (EmberFakeClock *)object;

  /* A waiter holds no reference, but it cannot be blocked here: whoever
   * waits must own a reference to the clock. */
  g_warn_if_fail (g_queue_is_empty (&self->waiters));

  g_cond_clear (&self->waiters_cond);
  g_cond_clear (&self->wake_cond);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (ember_fake_clock_parent_class)->finalize (object);
}

static void
ember_fake_clock_class_init (EmberFakeClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ember_fake_clock_finalize;
}

static void
ember_fake_clock_init (EmberFakeClock *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->wake_cond);
  g_cond_init (&self->waiters_cond);
  g_queue_init (&self->waiters);
}

/**
 * ember_fake_clock_new:
 * @start_usec: the initial monotonic and real time, in µs
 *
 * Returns: (transfer full): a new fake clock
 */
EmberFakeClock *
ember_fake_clock_new (gint64 start_usec)
{
  EmberFakeClock *self = g_object_new (EMBER_TYPE_FAKE_CLOCK, NULL);

  self->now = start_usec;

  return self;
}

/**
 * ember_fake_clock_set:
 * @self: a fake clock
 * @usec: the new time; must not be earlier than the current one
 *
 * Sets the time and wakes every waiter whose deadline has been reached
 * before returning.
 */
void
ember_fake_clock_set (EmberFakeClock *self,
                      gint64          usec)
{
  g_return_if_fail (EMBER_IS_FAKE_CLOCK (self));

  g_mutex_lock (&self->mutex);
  if (usec < self->now)
    {
      g_mutex_unlock (&self->mutex);
      g_critical ("%s: monotonic time cannot go back from %" G_GINT64_FORMAT
                  " to %" G_GINT64_FORMAT, G_STRFUNC, self->now, usec);
      return;
    }
  self->now = usec;
  release_due_waiters_locked (self);
  g_mutex_unlock (&self->mutex);
}

/**
 * ember_fake_clock_advance:
 * @self: a fake clock
 * @usec: how far to move, in µs (not negative)
 *
 * Moves the time forward; see ember_fake_clock_set().
 */
void
ember_fake_clock_advance (EmberFakeClock *self,
                          gint64          usec)
{
  g_return_if_fail (EMBER_IS_FAKE_CLOCK (self));
  g_return_if_fail (usec >= 0);

  g_mutex_lock (&self->mutex);
  self->now += usec;
  release_due_waiters_locked (self);
  g_mutex_unlock (&self->mutex);
}

/**
 * ember_fake_clock_get_n_waiters:
 * @self: a fake clock
 *
 * Returns: the number of threads blocked on the clock right now
 */
guint
ember_fake_clock_get_n_waiters (EmberFakeClock *self)
{
  guint n;

  g_return_val_if_fail (EMBER_IS_FAKE_CLOCK (self), 0);

  g_mutex_lock (&self->mutex);
  n = self->waiters.length;
  g_mutex_unlock (&self->mutex);

  return n;
}

/**
 * ember_fake_clock_wait_for_waiters:
 * @self: a fake clock
 * @n_waiters: how many blocked threads to wait for
 * @timeout_usec: the longest real time to wait, in µs
 *
 * Lets a test wait until its worker threads are blocked on the clock
 * before it moves the time.
 *
 * Returns: whether at least @n_waiters threads wait on the clock
 */
gboolean
ember_fake_clock_wait_for_waiters (EmberFakeClock *self,
                                   guint           n_waiters,
                                   gint64          timeout_usec)
{
  gint64 end_time = g_get_monotonic_time () + timeout_usec;
  gboolean reached;

  g_return_val_if_fail (EMBER_IS_FAKE_CLOCK (self), FALSE);

  g_mutex_lock (&self->mutex);
  while (self->waiters.length < n_waiters)
    {
      if (!g_cond_wait_until (&self->waiters_cond, &self->mutex, end_time))
        break;
    }
  reached = self->waiters.length >= n_waiters;
  g_mutex_unlock (&self->mutex);

  return reached;
}

/**
 * ember_fake_clock_get_next_deadline:
 * @self: a fake clock
 *
 * Returns: the earliest deadline anyone waits for, or -1
 */
gint64
ember_fake_clock_get_next_deadline (EmberFakeClock *self)
{
  gint64 next = -1;

  g_return_val_if_fail (EMBER_IS_FAKE_CLOCK (self), -1);

  g_mutex_lock (&self->mutex);
  for (GList *l = self->waiters.head; l != NULL; l = l->next)
    {
      Waiter *waiter = l->data;

      if (next < 0 || waiter->deadline < next)
        next = waiter->deadline;
    }
  g_mutex_unlock (&self->mutex);

  return next;
}
