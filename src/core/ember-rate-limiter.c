/* ember-rate-limiter.c: a quota gate with per-request cost and a cap on
 * requests in flight, as a token bucket or as a sliding window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-core"

#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>

#include "ember-metrics.h"
#include "ember-rate-limiter.h"

/* Tolerance for the floating-point sums, so a waiter woken exactly at
 * its computed deadline is not sent back for one more microsecond. */
#define TOKEN_EPSILON 1e-9

/* What a released request spent, counted until a window after @at. */
typedef struct
{
  gint64 at;
  double cost;
} Charge;

struct _EmberRateLimiter
{
  GObject     parent_instance;

  EmberClock *clock;
  double      rate;
  double      burst;
  guint       max_in_flight;
  /* 0 for a token bucket; otherwise the sliding window, whose allowance
   * is the burst. */
  GTimeSpan   window;

  GMutex      mutex;
  /* Broadcast when the queue's head changes, a slot frees up or a ticket
   * is cancelled. */
  GCond       cond;
  double      tokens;
  /* Tokens are current as of this time; it lies in the future while a
   * penalty holds the bucket empty. */
  gint64      last_refill;
  gint64      penalty_until;
  guint       in_flight;
  /* Window only: charges of released requests, oldest first, and their
   * sum; the costs of the requests in flight, and their sum. */
  GQueue      charges;
  double      charged;
  GArray     *in_flight_costs;
  double      in_flight_cost;
  /* Tickets of blocked acquires, in arrival order; they live on the
   * waiting threads' stacks. */
  GQueue      queue;
  guint64     waits;
  gint64      wait_time;
};

typedef struct
{
  EmberRateLimiter *limiter;
  GList             link;
  double            cost;
  gboolean          cancelled;
} Ticket;

G_DEFINE_FINAL_TYPE (EmberRateLimiter, ember_rate_limiter, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLOCK,
  PROP_RATE,
  PROP_BURST,
  PROP_MAX_IN_FLIGHT,
  PROP_WINDOW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ember_rate_limiter_constructed (GObject *object)
{
  EmberRateLimiter *self = (EmberRateLimiter *)object;

  G_OBJECT_CLASS (ember_rate_limiter_parent_class)->constructed (object);

  if (self->clock == NULL)
    self->clock = g_object_ref (ember_clock_get_default ());

  self->tokens = self->burst;
  self->last_refill = ember_clock_get_monotonic (self->clock);
  self->penalty_until = self->last_refill;
}

static void
ember_rate_limiter_finalize (GObject *object)
{
  EmberRateLimiter *self = (EmberRateLimiter *)object;

  /* A blocked acquire needs its caller's reference, so none is left. */
  g_warn_if_fail (g_queue_is_empty (&self->queue));

  g_queue_clear_full (&self->charges, g_free);
  g_clear_pointer (&self->in_flight_costs, g_array_unref);
  g_clear_object (&self->clock);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (ember_rate_limiter_parent_class)->finalize (object);
}

static void
ember_rate_limiter_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EmberRateLimiter *self = EMBER_RATE_LIMITER (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;
    case PROP_RATE:
      g_value_set_double (value, self->rate);
      break;
    case PROP_BURST:
      g_value_set_double (value, self->burst);
      break;
    case PROP_MAX_IN_FLIGHT:
      g_value_set_uint (value, self->max_in_flight);
      break;
    case PROP_WINDOW:
      g_value_set_int64 (value, self->window);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_rate_limiter_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EmberRateLimiter *self = EMBER_RATE_LIMITER (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      self->clock = g_value_dup_object (value);
      break;
    case PROP_RATE:
      self->rate = g_value_get_double (value);
      break;
    case PROP_BURST:
      self->burst = g_value_get_double (value);
      break;
    case PROP_MAX_IN_FLIGHT:
      self->max_in_flight = g_value_get_uint (value);
      break;
    case PROP_WINDOW:
      self->window = g_value_get_int64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_rate_limiter_class_init (EmberRateLimiterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ember_rate_limiter_constructed;
  object_class->finalize = ember_rate_limiter_finalize;
  object_class->get_property = ember_rate_limiter_get_property;
  object_class->set_property = ember_rate_limiter_set_property;

  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL,
                         EMBER_TYPE_CLOCK,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_RATE] =
    g_param_spec_double ("rate", NULL, NULL,
                         G_MINDOUBLE, G_MAXDOUBLE, 10.0,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_BURST] =
    g_param_spec_double ("burst", NULL, NULL,
                         G_MINDOUBLE, G_MAXDOUBLE, 10.0,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_MAX_IN_FLIGHT] =
    g_param_spec_uint ("max-in-flight", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_WINDOW] =
    g_param_spec_int64 ("window", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ember_rate_limiter_init (EmberRateLimiter *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_queue_init (&self->queue);
  g_queue_init (&self->charges);
  self->in_flight_costs = g_array_new (FALSE, FALSE, sizeof (double));
}

/**
 * ember_rate_limiter_new:
 * @clock: (nullable): the clock to wait on; %NULL for the real one
 * @rate: cost units refilled per second
 * @burst: the bucket's capacity in cost units
 * @max_in_flight: the most requests between acquire and release, 0 for
 *   no cap
 *
 * Returns: (transfer full): a rate limiter with a full bucket
 */
EmberRateLimiter *
ember_rate_limiter_new (EmberClock *clock,
                        double      rate,
                        double      burst,
                        guint       max_in_flight)
{
  g_return_val_if_fail (clock == NULL || EMBER_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (rate > 0 && isfinite (rate), NULL);
  g_return_val_if_fail (burst > 0 && isfinite (burst), NULL);

  return g_object_new (EMBER_TYPE_RATE_LIMITER,
                       "clock", clock,
                       "rate", rate,
                       "burst", burst,
                       "max-in-flight", max_in_flight,
                       NULL);
}

/**
 * ember_rate_limiter_new_window:
 * @clock: (nullable): the clock to wait on; %NULL for the real one
 * @units: the cost units allowed in any window
 * @window: the window's length in µs
 * @max_in_flight: the most requests between acquire and release, 0 for
 *   no cap
 *
 * Returns: (transfer full): a rate limiter with an empty window
 */
EmberRateLimiter *
ember_rate_limiter_new_window (EmberClock *clock,
                               double      units,
                               GTimeSpan   window,
                               guint       max_in_flight)
{
  g_return_val_if_fail (clock == NULL || EMBER_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (units > 0 && isfinite (units), NULL);
  g_return_val_if_fail (window > 0, NULL);

  return g_object_new (EMBER_TYPE_RATE_LIMITER,
                       "clock", clock,
                       "rate", units * G_USEC_PER_SEC / (double) window,
                       "burst", units,
                       "max-in-flight", max_in_flight,
                       "window", window,
                       NULL);
}

/* Called with the mutex held: forgets the charges that left the window
 * (the same test as the server's: a charge at t counts while now < t +
 * window). */
static void
expire_locked (EmberRateLimiter *self,
               gint64            now)
{
  Charge *oldest;

  while ((oldest = g_queue_peek_head (&self->charges)) != NULL &&
         oldest->at <= now - self->window)
    {
      self->charged -= oldest->cost;
      g_free (g_queue_pop_head (&self->charges));
    }
  /* No rounding residue survives an empty window. */
  if (g_queue_is_empty (&self->charges))
    self->charged = 0;
}

/* Called with the mutex held. */
static void
refill_locked (EmberRateLimiter *self,
               gint64            now)
{
  if (self->window > 0)
    {
      expire_locked (self, now);
      return;
    }

  if (now <= self->last_refill)
    return;

  self->tokens = MIN (self->burst,
                      self->tokens + (double) (now - self->last_refill) * self->rate / G_USEC_PER_SEC);
  self->last_refill = now;
}

static gboolean
has_free_slot_locked (EmberRateLimiter *self)
{
  return self->max_in_flight == 0 || self->in_flight < self->max_in_flight;
}

/* A request dearer than the whole bucket (window) waits for a full
 * (empty) one. */
static double
needed_tokens (EmberRateLimiter *self,
               double            cost)
{
  return MIN (cost, self->burst);
}

/* Called with the mutex held, after refill_locked (now). */
static gboolean
has_room_locked (EmberRateLimiter *self,
                 double            cost)
{
  if (self->window > 0)
    return self->charged + self->in_flight_cost + needed_tokens (self, cost) <=
           self->burst + TOKEN_EPSILON;

  return self->tokens + TOKEN_EPSILON >= needed_tokens (self, cost);
}

/* Called with the mutex held, after refill_locked (now). */
static gboolean
can_grant_locked (EmberRateLimiter *self,
                  double            cost,
                  gint64            now)
{
  return now >= self->penalty_until &&
         has_free_slot_locked (self) &&
         has_room_locked (self, cost);
}

/* Called with the mutex held, after refill_locked (now): when the window
 * will have room for @cost, if nobody else is granted meanwhile (nobody
 * can: only the head of the queue is). -1 when the requests in flight
 * alone leave no room: only a release can change that. A release never
 * makes a finite deadline sooner: its charge is the newest. */
static gint64
window_deadline_locked (EmberRateLimiter *self,
                        double            cost,
                        gint64            now)
{
  double allowed = self->burst - needed_tokens (self, cost) - self->in_flight_cost;
  double remaining = self->charged;
  gint64 deadline = MAX (now, self->penalty_until);

  if (allowed < -TOKEN_EPSILON)
    return -1;

  for (GList *l = self->charges.head; l != NULL && remaining > allowed + TOKEN_EPSILON; l = l->next)
    {
      Charge *charge = l->data;

      remaining -= charge->cost;
      deadline = MAX (deadline, charge->at + self->window);
    }

  return deadline;
}

/* Called with the mutex held, after refill_locked (now): when the bucket
 * will hold enough for @cost, if nobody else takes from it (nobody can:
 * only the head of the queue is granted); see window_deadline_locked()
 * for a window. */
static gint64
tokens_deadline_locked (EmberRateLimiter *self,
                        double            cost,
                        gint64            now)
{
  double missing;
  gint64 start;

  if (self->window > 0)
    return window_deadline_locked (self, cost, now);

  missing = needed_tokens (self, cost) - self->tokens;
  start = MAX (MAX (now, self->last_refill), self->penalty_until);
  if (missing <= TOKEN_EPSILON)
    return start;

  return start + (gint64) ceil (missing * G_USEC_PER_SEC / self->rate);
}

static void
grant_locked (EmberRateLimiter *self,
              double            cost)
{
  if (self->window > 0)
    {
      g_array_append_val (self->in_flight_costs, cost);
      self->in_flight_cost += cost;
    }
  else
    {
      self->tokens -= cost;
    }
  self->in_flight++;
}

/* Called with the mutex held, for a window: a request ended now, and the
 * server charged it before now. Which one is not known, so the cheapest
 * in flight is taken: after k releases the costs moved to the window never
 * exceed what the k requests that really ended cost, each stamped no
 * earlier than its server charge, so every server window sees at most
 * what this window counted. */
static void
charge_release_locked (EmberRateLimiter *self,
                       gint64            now)
{
  GArray *costs = self->in_flight_costs;
  Charge *newest;
  guint cheapest = 0;
  double cost;

  g_assert (costs->len > 0);
  for (guint i = 1; i < costs->len; i++)
    if (g_array_index (costs, double, i) < g_array_index (costs, double, cheapest))
      cheapest = i;
  cost = g_array_index (costs, double, cheapest);
  g_array_remove_index_fast (costs, cheapest);
  self->in_flight_cost = costs->len > 0 ? self->in_flight_cost - cost : 0;

  if (cost <= 0)
    return;

  newest = g_queue_peek_tail (&self->charges);
  if (newest != NULL && newest->at >= now)
    {
      newest->cost += cost;
    }
  else
    {
      Charge *charge = g_new (Charge, 1);

      charge->at = now;
      charge->cost = cost;
      g_queue_push_tail (&self->charges, charge);
    }
  self->charged += cost;
}

static void
ticket_cancelled_cb (GCancellable *cancellable,
                     gpointer      data)
{
  Ticket *ticket = data;
  EmberRateLimiter *self = ticket->limiter;

  g_mutex_lock (&self->mutex);
  ticket->cancelled = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

/**
 * ember_rate_limiter_acquire:
 * @self: a rate limiter
 * @cost: the request's cost in units (e.g. Gmail quota units), >= 0
 * @cancellable: (nullable): wakes the caller at once when cancelled
 * @error: return location for a #GError
 *
 * Blocks the calling (worker) thread until the request may go out. Pair a
 * successful call with ember_rate_limiter_release().
 *
 * Returns: %TRUE when granted, %FALSE with %G_IO_ERROR_CANCELLED
 */
gboolean
ember_rate_limiter_acquire (EmberRateLimiter  *self,
                            double             cost,
                            GCancellable      *cancellable,
                            GError           **error)
{
  EmberMetrics *metrics = ember_metrics_get_default ();
  Ticket ticket = { .limiter = self, .cost = cost };
  g_autoptr(GError) local_error = NULL;
  gulong handler_id = 0;
  gint64 start;
  gint64 now;
  gboolean granted = FALSE;

  g_return_val_if_fail (EMBER_IS_RATE_LIMITER (self), FALSE);
  g_return_val_if_fail (cost >= 0 && isfinite (cost), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  ticket.link.data = &ticket;
  start = ember_clock_get_monotonic (self->clock);

  g_mutex_lock (&self->mutex);
  refill_locked (self, start);
  if (g_queue_is_empty (&self->queue) && can_grant_locked (self, cost, start))
    {
      grant_locked (self, cost);
      g_mutex_unlock (&self->mutex);

      ember_metrics_counter_add (metrics, "ratelimit.acquired", 1);
      ember_metrics_gauge_add (metrics, "ratelimit.in_flight", 1);
      return TRUE;
    }
  g_queue_push_tail_link (&self->queue, &ticket.link);
  g_mutex_unlock (&self->mutex);

  ember_metrics_gauge_add (metrics, "ratelimit.waiting", 1);

  /* Outside the mutex: the callback runs at once, and takes the mutex,
   * when the cancellable is already cancelled. */
  if (cancellable != NULL)
    handler_id = g_cancellable_connect (cancellable, G_CALLBACK (ticket_cancelled_cb),
                                        &ticket, NULL);

  g_mutex_lock (&self->mutex);
  for (;;)
    {
      gint64 deadline;

      if (ticket.cancelled || local_error != NULL)
        break;

      if (self->queue.head != &ticket.link)
        {
          g_cond_wait (&self->cond, &self->mutex);
          continue;
        }

      now = ember_clock_get_monotonic (self->clock);
      refill_locked (self, now);

      if (can_grant_locked (self, cost, now))
        {
          grant_locked (self, cost);
          granted = TRUE;
          break;
        }

      /* No free slot, or a window filled by the requests in flight: only
       * a release helps. */
      deadline = has_free_slot_locked (self) ? tokens_deadline_locked (self, cost, now) : -1;
      if (deadline < 0)
        {
          g_cond_wait (&self->cond, &self->mutex);
          continue;
        }

      /* Only the head sleeps on the clock, and nothing else can make its
       * deadline come sooner; a cancellation wakes the clock itself. The
       * mutex is never held across the wait. */
      g_mutex_unlock (&self->mutex);
      ember_clock_wait_until (self->clock, deadline, cancellable, &local_error);
      g_mutex_lock (&self->mutex);
    }

  now = ember_clock_get_monotonic (self->clock);
  g_queue_unlink (&self->queue, &ticket.link);
  /* The next ticket may now be the head and must start its own wait. */
  g_cond_broadcast (&self->cond);
  if (granted)
    {
      self->waits++;
      self->wait_time += now - start;
    }
  g_mutex_unlock (&self->mutex);

  if (handler_id != 0)
    g_cancellable_disconnect (cancellable, handler_id);

  ember_metrics_gauge_add (metrics, "ratelimit.waiting", -1);

  if (!granted)
    {
      ember_metrics_counter_add (metrics, "ratelimit.cancelled", 1);
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else if (!g_cancellable_set_error_if_cancelled (cancellable, error))
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("Operation was cancelled"));
      return FALSE;
    }

  ember_metrics_counter_add (metrics, "ratelimit.acquired", 1);
  ember_metrics_counter_add (metrics, "ratelimit.waits", 1);
  ember_metrics_counter_add (metrics, "ratelimit.wait_us", now - start);
  ember_metrics_gauge_add (metrics, "ratelimit.in_flight", 1);

  return TRUE;
}

/**
 * ember_rate_limiter_release:
 * @self: a rate limiter
 *
 * Ends a request granted by ember_rate_limiter_acquire(), freeing its
 * in-flight slot. The cost stays spent; in a window it counts until a
 * window from now.
 */
void
ember_rate_limiter_release (EmberRateLimiter *self)
{
  gboolean was_in_flight;

  g_return_if_fail (EMBER_IS_RATE_LIMITER (self));

  g_mutex_lock (&self->mutex);
  was_in_flight = self->in_flight > 0;
  if (was_in_flight)
    {
      self->in_flight--;
      if (self->window > 0)
        charge_release_locked (self, ember_clock_get_monotonic (self->clock));
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->mutex);

  if (!was_in_flight)
    {
      g_critical ("%s: called more often than ember_rate_limiter_acquire()", G_STRFUNC);
      return;
    }

  ember_metrics_gauge_add (ember_metrics_get_default (), "ratelimit.in_flight", -1);
}

/**
 * ember_rate_limiter_penalize:
 * @self: a rate limiter
 * @usec: how long to grant nothing, e.g. the server's Retry-After
 *
 * Grants nothing for @usec and empties a token bucket (a window keeps its
 * charges); penalties do not add up, the later end wins.
 */
void
ember_rate_limiter_penalize (EmberRateLimiter *self,
                             gint64            usec)
{
  gint64 now;

  g_return_if_fail (EMBER_IS_RATE_LIMITER (self));

  usec = MAX (usec, 0);
  now = ember_clock_get_monotonic (self->clock);

  g_mutex_lock (&self->mutex);
  refill_locked (self, now);
  if (usec > G_MAXINT64 - now)
    usec = G_MAXINT64 - now;
  self->penalty_until = MAX (self->penalty_until, now + usec);
  if (self->window == 0)
    {
      self->tokens = MIN (self->tokens, 0);
      self->last_refill = MAX (self->last_refill, self->penalty_until);
    }
  g_mutex_unlock (&self->mutex);

  ember_metrics_counter_add (ember_metrics_get_default (), "ratelimit.penalties", 1);
}

/**
 * ember_rate_limiter_get_in_flight:
 * @self: a rate limiter
 *
 * Returns: the requests acquired and not yet released
 */
guint
ember_rate_limiter_get_in_flight (EmberRateLimiter *self)
{
  guint in_flight;

  g_return_val_if_fail (EMBER_IS_RATE_LIMITER (self), 0);

  g_mutex_lock (&self->mutex);
  in_flight = self->in_flight;
  g_mutex_unlock (&self->mutex);

  return in_flight;
}

/**
 * ember_rate_limiter_get_n_waiting:
 * @self: a rate limiter
 *
 * Returns: the threads blocked in ember_rate_limiter_acquire()
 */
guint
ember_rate_limiter_get_n_waiting (EmberRateLimiter *self)
{
  guint n_waiting;

  g_return_val_if_fail (EMBER_IS_RATE_LIMITER (self), 0);

  g_mutex_lock (&self->mutex);
  n_waiting = self->queue.length;
  g_mutex_unlock (&self->mutex);

  return n_waiting;
}

/**
 * ember_rate_limiter_get_waits:
 * @self: a rate limiter
 *
 * Returns: how many successful acquires had to wait
 */
guint64
ember_rate_limiter_get_waits (EmberRateLimiter *self)
{
  guint64 waits;

  g_return_val_if_fail (EMBER_IS_RATE_LIMITER (self), 0);

  g_mutex_lock (&self->mutex);
  waits = self->waits;
  g_mutex_unlock (&self->mutex);

  return waits;
}

/**
 * ember_rate_limiter_get_wait_time:
 * @self: a rate limiter
 *
 * Returns: the µs successful acquires spent waiting, in total
 */
gint64
ember_rate_limiter_get_wait_time (EmberRateLimiter *self)
{
  gint64 wait_time;

  g_return_val_if_fail (EMBER_IS_RATE_LIMITER (self), 0);

  g_mutex_lock (&self->mutex);
  wait_time = self->wait_time;
  g_mutex_unlock (&self->mutex);

  return wait_time;
}

/**
 * ember_rate_limiter_get_rate:
 * @self: a rate limiter
 *
 * Returns: the refill rate in cost units per second
 */
double
ember_rate_limiter_get_rate (EmberRateLimiter *self)
{
  g_return_val_if_fail (EMBER_IS_RATE_LIMITER (self), 0);

  return self->rate;
}

/**
 * ember_rate_limiter_get_window:
 * @self: a rate limiter
 *
 * Returns: the sliding window in µs, 0 for a token bucket
 */
GTimeSpan
ember_rate_limiter_get_window (EmberRateLimiter *self)
{
  g_return_val_if_fail (EMBER_IS_RATE_LIMITER (self), 0);

  return self->window;
}
