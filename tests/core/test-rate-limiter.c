/* test-rate-limiter.c: rate, burst, cost, FIFO, concurrency cap,
 * cancellation, penalties and wait metrics, for the token bucket and the
 * sliding window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>

#include "ember-fake-clock.h"
#include "ember-metrics.h"
#include "ember-rate-limiter.h"
#include "ember-test-utils.h"

#define MS G_TIME_SPAN_MILLISECOND
#define S  G_TIME_SPAN_SECOND
#define REAL_TIMEOUT (5 * S)

/* Polls until @condition holds; fails the test after REAL_TIMEOUT. */
#define assert_eventually(condition) \
  G_STMT_START { \
    gint64 _end = g_get_monotonic_time () + REAL_TIMEOUT; \
    while (!(condition) && g_get_monotonic_time () < _end) \
      g_usleep (50); \
    if (!(condition)) \
      g_error ("Timed out waiting for: %s", #condition); \
  } G_STMT_END

typedef struct
{
  EmberRateLimiter *limiter;
  EmberClock       *clock;
  GCancellable     *cancellable;
  double            cost;
  const char       *name;
  gboolean          result;
  GError           *error;
  gint64            granted_at;   /* on the limiter's clock */
  gint64            returned_at;  /* real monotonic time */
  GMutex           *order_mutex;
  GPtrArray        *order;        /* names, in grant order */
} Acquirer;

static gpointer
acquire_thread (gpointer data)
{
  Acquirer *acquirer = data;

  acquirer->result = ember_rate_limiter_acquire (acquirer->limiter, acquirer->cost,
                                                 acquirer->cancellable, &acquirer->error);
  acquirer->returned_at = g_get_monotonic_time ();
  if (acquirer->result)
    {
      acquirer->granted_at = ember_clock_get_monotonic (acquirer->clock);
      if (acquirer->order != NULL)
        {
          g_mutex_lock (acquirer->order_mutex);
          g_ptr_array_add (acquirer->order, (gpointer) acquirer->name);
          g_mutex_unlock (acquirer->order_mutex);
        }
      ember_rate_limiter_release (acquirer->limiter);
    }

  return NULL;
}

static void
acquirer_clear (Acquirer *acquirer)
{
  g_clear_error (&acquirer->error);
  g_clear_object (&acquirer->cancellable);
}

static void
test_burst_then_rate (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  g_autoptr(EmberRateLimiter) limiter = ember_rate_limiter_new (EMBER_CLOCK (fake), 10, 5, 0);
  g_autoptr(GError) error = NULL;
  Acquirer acquirer = { .limiter = limiter, .clock = EMBER_CLOCK (fake), .cost = 1 };
  GThread *thread;

  g_assert_cmpfloat (ember_rate_limiter_get_rate (limiter), ==, 10);

  /* A full bucket: five at once, no waiting. */
  for (int i = 0; i < 5; i++)
    {
      g_assert_true (ember_rate_limiter_acquire (limiter, 1, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (ember_rate_limiter_get_in_flight (limiter), ==, 5);
  for (int i = 0; i < 5; i++)
    ember_rate_limiter_release (limiter);
  g_assert_cmpuint (ember_rate_limiter_get_in_flight (limiter), ==, 0);
  g_assert_cmpuint (ember_rate_limiter_get_waits (limiter), ==, 0);

  /* The sixth waits one refill interval (100 ms at 10/s). */
  thread = g_thread_new ("acquirer", acquire_thread, &acquirer);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, 100 * MS);
  g_assert_cmpuint (ember_rate_limiter_get_n_waiting (limiter), ==, 1);
  ember_fake_clock_advance (fake, 100 * MS);
  g_thread_join (thread);
  g_assert_true (acquirer.result);
  g_assert_cmpint (acquirer.granted_at, ==, 100 * MS);
  g_assert_cmpuint (ember_rate_limiter_get_n_waiting (limiter), ==, 0);

  /* Idle time refills, but never beyond the burst. */
  ember_fake_clock_advance (fake, 60 * S);
  for (int i = 0; i < 5; i++)
    g_assert_true (ember_rate_limiter_acquire (limiter, 1, NULL, NULL));
  for (int i = 0; i < 5; i++)
    ember_rate_limiter_release (limiter);
  acquirer.result = FALSE;
  thread = g_thread_new ("acquirer", acquire_thread, &acquirer);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  ember_fake_clock_advance (fake, 100 * MS);
  g_thread_join (thread);
  g_assert_true (acquirer.result);

  acquirer_clear (&acquirer);
}

/* Sustained load from several threads with mixed costs. The driver moves
 * the fake clock only while every thread is blocked in acquire (the head
 * on the clock, the rest in the queue), so the time each thread reads
 * right after being granted is the exact grant time. */

#define N_LOAD_THREADS   4
#define N_LOAD_ACQUIRES  30
#define LOAD_RATE        10.0
#define LOAD_BURST       5.0

typedef struct
{
  gint64 time;
  double cost;
} Grant;

typedef struct
{
  EmberRateLimiter *limiter;
  EmberFakeClock   *clock;
  int               max_cost;
  GMutex            mutex;
  GArray           *grants;
  int               n_active;
  int               n_started;
  guint32           seeds[N_LOAD_THREADS]; /* g_test_rand_*() is not thread-safe */
} Load;

static gpointer
load_thread (gpointer data)
{
  Load *load = data;
  GRand *rand = g_rand_new_with_seed (load->seeds[g_atomic_int_add (&load->n_started, 1)]);

  for (int i = 0; i < N_LOAD_ACQUIRES; i++)
    {
      Grant grant = { .cost = g_rand_int_range (rand, 1, load->max_cost + 1) };

      g_assert_true (ember_rate_limiter_acquire (load->limiter, grant.cost, NULL, NULL));
      grant.time = ember_clock_get_monotonic (EMBER_CLOCK (load->clock));
      g_mutex_lock (&load->mutex);
      g_array_append_val (load->grants, grant);
      g_mutex_unlock (&load->mutex);
      ember_rate_limiter_release (load->limiter);
    }

  g_rand_free (rand);
  g_atomic_int_dec_and_test (&load->n_active);

  return NULL;
}

static gboolean
load_is_blocked (Load *load)
{
  guint active = g_atomic_int_get (&load->n_active);

  return ember_rate_limiter_get_n_waiting (load->limiter) == active &&
         ember_fake_clock_get_n_waiters (load->clock) == (active > 0 ? 1u : 0u) &&
         (guint) g_atomic_int_get (&load->n_active) == active;
}

static int
compare_grants (gconstpointer a,
                gconstpointer b)
{
  const Grant *ga = a;
  const Grant *gb = b;

  return ga->time < gb->time ? -1 : ga->time > gb->time ? 1 : 0;
}

static void
test_sustained_rate_never_exceeded (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  g_autoptr(EmberRateLimiter) limiter = ember_rate_limiter_new (EMBER_CLOCK (fake),
                                                                LOAD_RATE, LOAD_BURST, 0);
  Load load = { .limiter = limiter, .clock = fake, .max_cost = 3, .n_active = N_LOAD_THREADS };
  GThread *threads[N_LOAD_THREADS];
  double total_cost = 0;
  gint64 ideal_end;

  g_mutex_init (&load.mutex);
  for (int i = 0; i < N_LOAD_THREADS; i++)
    load.seeds[i] = g_test_rand_int ();
  load.grants = g_array_new (FALSE, FALSE, sizeof (Grant));

  for (int i = 0; i < N_LOAD_THREADS; i++)
    threads[i] = g_thread_new ("load", load_thread, &load);

  for (;;)
    {
      gint64 next;

      assert_eventually (load_is_blocked (&load));
      if (g_atomic_int_get (&load.n_active) == 0)
        break;

      /* Land exactly on the head's deadline, or somewhere past it. */
      next = ember_fake_clock_get_next_deadline (fake);
      g_assert_cmpint (next, >, ember_clock_get_monotonic (EMBER_CLOCK (fake)));
      if (g_test_rand_bit ())
        ember_fake_clock_set (fake, next);
      else
        ember_fake_clock_set (fake, next + g_test_rand_int_range (0, 70 * MS));
    }

  for (int i = 0; i < N_LOAD_THREADS; i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (load.grants->len, ==, N_LOAD_THREADS * N_LOAD_ACQUIRES);
  g_array_sort (load.grants, compare_grants);

  /* Every window [t_i, t_j] holds at most burst + rate * (t_j - t_i). */
  for (guint i = 0; i < load.grants->len; i++)
    {
      const Grant *first = &g_array_index (load.grants, Grant, i);
      double sum = 0;

      for (guint j = i; j < load.grants->len; j++)
        {
          const Grant *last = &g_array_index (load.grants, Grant, j);
          double allowed = LOAD_BURST + LOAD_RATE * (double) (last->time - first->time) / S;

          sum += last->cost;
          if (sum > allowed + 1e-6)
            g_error ("Grants %u..%u cost %.1f within %" G_GINT64_FORMAT " µs; at most %.3f allowed",
                     i, j, sum, last->time - first->time, allowed);
        }
      total_cost += first->cost;
    }

  /* And it is not needlessly slow: the last grant comes within one random
   * overshoot (< 70 ms) per grant of the ideal (total - burst) / rate ...
   * a much tighter bound holds, since tokens keep refilling during an
   * overshoot: at most one overshoot plus one refill step in total. */
  ideal_end = (gint64) ((total_cost - LOAD_BURST) / LOAD_RATE * S);
  g_assert_cmpint (g_array_index (load.grants, Grant, load.grants->len - 1).time, >=, ideal_end);
  g_assert_cmpint (g_array_index (load.grants, Grant, load.grants->len - 1).time, <=,
                   ideal_end + 70 * MS + (gint64) (3 / LOAD_RATE * S));

  g_array_unref (load.grants);
  g_mutex_clear (&load.mutex);
}

#define N_CAP_THREADS 16
#define N_CAP_ROUNDS  40
#define CAP           3

typedef struct
{
  EmberRateLimiter *limiter;
  int               current;
  int               max_seen;
} Cap;

static gpointer
cap_thread (gpointer data)
{
  Cap *cap = data;

  for (int i = 0; i < N_CAP_ROUNDS; i++)
    {
      int now_in;
      int seen;

      g_assert_true (ember_rate_limiter_acquire (cap->limiter, 1, NULL, NULL));
      now_in = g_atomic_int_add (&cap->current, 1) + 1;
      do
        seen = g_atomic_int_get (&cap->max_seen);
      while (now_in > seen && !g_atomic_int_compare_and_exchange (&cap->max_seen, seen, now_in));
      g_usleep (200);
      g_atomic_int_add (&cap->current, -1);
      ember_rate_limiter_release (cap->limiter);
    }

  return NULL;
}

static void
test_concurrency_cap (void)
{
  /* Real clock, and a bucket that never runs dry: only the cap limits. */
  g_autoptr(EmberRateLimiter) limiter = ember_rate_limiter_new (NULL, 1e6, 1e6, CAP);
  Cap cap = { .limiter = limiter };
  GThread *threads[N_CAP_THREADS];

  for (int i = 0; i < N_CAP_THREADS; i++)
    threads[i] = g_thread_new ("cap", cap_thread, &cap);
  for (int i = 0; i < N_CAP_THREADS; i++)
    g_thread_join (threads[i]);

  g_assert_cmpint (cap.max_seen, ==, CAP);
  g_assert_cmpint (cap.current, ==, 0);
  g_assert_cmpuint (ember_rate_limiter_get_in_flight (limiter), ==, 0);
  g_assert_cmpuint (ember_rate_limiter_get_n_waiting (limiter), ==, 0);
  g_assert_cmpuint (ember_rate_limiter_get_waits (limiter), >, 0);
}

static void
acquirers_set_up (Acquirer         *acquirers,
                  guint             n,
                  EmberRateLimiter *limiter,
                  EmberClock       *clock,
                  GPtrArray        *order,
                  GMutex           *order_mutex)
{
  for (guint i = 0; i < n; i++)
    {
      acquirers[i].limiter = limiter;
      acquirers[i].clock = clock;
      acquirers[i].order = order;
      acquirers[i].order_mutex = order_mutex;
    }
}

static void
start_in_order (EmberRateLimiter *limiter,
                Acquirer         *acquirers,
                GThread         **threads,
                guint             n)
{
  for (guint i = 0; i < n; i++)
    {
      threads[i] = g_thread_new (acquirers[i].name, acquire_thread, &acquirers[i]);
      /* Queued before the next one starts: arrival order is known. */
      assert_eventually (ember_rate_limiter_get_n_waiting (limiter) == i + 1);
    }
}

static void
test_fifo_big_head_not_starved (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  g_autoptr(EmberRateLimiter) limiter = ember_rate_limiter_new (EMBER_CLOCK (fake), 1, 3, 0);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  GMutex order_mutex;
  Acquirer acquirers[] = {
    { .name = "big", .cost = 3 },
    { .name = "small-1", .cost = 1 },
    { .name = "small-2", .cost = 1 },
    { .name = "small-3", .cost = 1 },
  };
  GThread *threads[G_N_ELEMENTS (acquirers)];

  g_mutex_init (&order_mutex);
  acquirers_set_up (acquirers, G_N_ELEMENTS (acquirers), limiter, EMBER_CLOCK (fake), order, &order_mutex);

  /* Empty the bucket. */
  g_assert_true (ember_rate_limiter_acquire (limiter, 3, NULL, NULL));
  ember_rate_limiter_release (limiter);

  start_in_order (limiter, acquirers, threads, G_N_ELEMENTS (acquirers));

  /* The head needs 3 units (3 s); one unit after 1 s would serve a small
   * request, but none may pass the head. */
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, 3 * S);
  ember_fake_clock_advance (fake, 1 * S);
  ember_fake_clock_advance (fake, 1 * S);
  g_assert_cmpuint (ember_rate_limiter_get_n_waiting (limiter), ==, 4);
  g_assert_cmpuint (ember_fake_clock_get_n_waiters (fake), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (acquirers); i++)
    {
      g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
      ember_fake_clock_set (fake, ember_fake_clock_get_next_deadline (fake));
      g_thread_join (threads[i]);
      g_assert_true (acquirers[i].result);
    }

  g_assert_cmpuint (order->len, ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (acquirers); i++)
    g_assert_cmpstr (g_ptr_array_index (order, i), ==, acquirers[i].name);
  g_assert_cmpint (acquirers[0].granted_at, ==, 3 * S);
  g_assert_cmpint (acquirers[1].granted_at, ==, 4 * S);
  g_assert_cmpint (acquirers[2].granted_at, ==, 5 * S);
  g_assert_cmpint (acquirers[3].granted_at, ==, 6 * S);
  g_assert_cmpuint (ember_rate_limiter_get_waits (limiter), ==, 4);

  for (guint i = 0; i < G_N_ELEMENTS (acquirers); i++)
    acquirer_clear (&acquirers[i]);
  g_mutex_clear (&order_mutex);
}

static void
test_cancel_wakes_waiter_at_once (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  g_autoptr(EmberRateLimiter) limiter = ember_rate_limiter_new (EMBER_CLOCK (fake), 1, 1, 0);
  EmberMetrics *metrics = ember_metrics_get_default ();
  gint64 cancelled_before = ember_metrics_get (metrics, "ratelimit.cancelled");
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  GMutex order_mutex;
  Acquirer acquirers[] = {
    { .name = "head" },
    { .name = "middle" },
    { .name = "tail" },
    { .name = "last" },
  };
  GThread *threads[G_N_ELEMENTS (acquirers)];
  gint64 cancelled_at;

  g_mutex_init (&order_mutex);
  for (guint i = 0; i < G_N_ELEMENTS (acquirers); i++)
    {
      acquirers[i].limiter = limiter;
      acquirers[i].clock = EMBER_CLOCK (fake);
      acquirers[i].cost = 1;
      acquirers[i].cancellable = g_cancellable_new ();
      acquirers[i].order = order;
      acquirers[i].order_mutex = &order_mutex;
    }

  g_assert_true (ember_rate_limiter_acquire (limiter, 1, NULL, NULL));
  ember_rate_limiter_release (limiter);
  start_in_order (limiter, acquirers, threads, G_N_ELEMENTS (acquirers));
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));

  /* A waiter in the middle of the queue ... */
  cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (acquirers[1].cancellable);
  g_thread_join (threads[1]);
  g_assert_false (acquirers[1].result);
  g_assert_error (acquirers[1].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (acquirers[1].returned_at - cancelled_at, <, 100 * MS);
  g_assert_cmpuint (ember_rate_limiter_get_n_waiting (limiter), ==, 3);

  /* ... and the head, asleep on the clock. */
  cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (acquirers[0].cancellable);
  g_thread_join (threads[0]);
  g_assert_false (acquirers[0].result);
  g_assert_error (acquirers[0].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (acquirers[0].returned_at - cancelled_at, <, 100 * MS);
  g_assert_cmpuint (ember_rate_limiter_get_n_waiting (limiter), ==, 2);

  /* The others keep their order and their place. */
  for (guint i = 2; i < G_N_ELEMENTS (acquirers); i++)
    {
      g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
      ember_fake_clock_set (fake, ember_fake_clock_get_next_deadline (fake));
      g_thread_join (threads[i]);
      g_assert_true (acquirers[i].result);
    }
  g_assert_cmpuint (order->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (order, 0), ==, "tail");
  g_assert_cmpstr (g_ptr_array_index (order, 1), ==, "last");
  g_assert_cmpint (acquirers[2].granted_at, ==, 1 * S);
  g_assert_cmpint (acquirers[3].granted_at, ==, 2 * S);

  g_assert_cmpint (ember_metrics_get (metrics, "ratelimit.cancelled") - cancelled_before, ==, 2);
  g_assert_cmpuint (ember_rate_limiter_get_in_flight (limiter), ==, 0);

  /* Already cancelled: fails without queueing. */
  g_clear_error (&acquirers[0].error);
  g_assert_false (ember_rate_limiter_acquire (limiter, 1, acquirers[0].cancellable,
                                              &acquirers[0].error));
  g_assert_error (acquirers[0].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  for (guint i = 0; i < G_N_ELEMENTS (acquirers); i++)
    acquirer_clear (&acquirers[i]);
  g_mutex_clear (&order_mutex);
}

static void
test_cap_blocks_head_until_release (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  g_autoptr(EmberRateLimiter) limiter = ember_rate_limiter_new (EMBER_CLOCK (fake), 100, 100, 1);
  Acquirer acquirer = { .limiter = limiter, .clock = EMBER_CLOCK (fake), .cost = 1 };
  GThread *thread;

  g_assert_true (ember_rate_limiter_acquire (limiter, 1, NULL, NULL));
  thread = g_thread_new ("acquirer", acquire_thread, &acquirer);
  assert_eventually (ember_rate_limiter_get_n_waiting (limiter) == 1);
  /* Tokens are plenty; only the slot is missing, so no clock wait. */
  g_assert_cmpuint (ember_fake_clock_get_n_waiters (fake), ==, 0);

  ember_rate_limiter_release (limiter);
  g_thread_join (thread);
  g_assert_true (acquirer.result);
  g_assert_cmpint (acquirer.granted_at, ==, 0);

  acquirer_clear (&acquirer);
}

static void
test_penalize (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  g_autoptr(EmberRateLimiter) limiter = ember_rate_limiter_new (EMBER_CLOCK (fake), 10, 10, 0);
  Acquirer acquirer = { .limiter = limiter, .clock = EMBER_CLOCK (fake), .cost = 1 };
  GThread *thread;

  /* The bucket is full, but a 429 with Retry-After: 2 holds everyone. */
  ember_rate_limiter_penalize (limiter, 2 * S);
  /* A shorter penalty does not shorten it. */
  ember_rate_limiter_penalize (limiter, 1 * S);

  thread = g_thread_new ("acquirer", acquire_thread, &acquirer);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  /* Refilling starts from empty when the penalty ends. */
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, 2 * S + 100 * MS);
  ember_fake_clock_advance (fake, 2 * S);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpuint (ember_rate_limiter_get_n_waiting (limiter), ==, 1);
  ember_fake_clock_advance (fake, 100 * MS);
  g_thread_join (thread);
  g_assert_true (acquirer.result);
  g_assert_cmpint (acquirer.granted_at, ==, 2 * S + 100 * MS);

  acquirer_clear (&acquirer);
}

static void
test_wait_metrics (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  g_autoptr(EmberRateLimiter) limiter = ember_rate_limiter_new (EMBER_CLOCK (fake), 1, 1, 0);
  EmberMetrics *metrics = ember_metrics_get_default ();
  gint64 waits_before = ember_metrics_get (metrics, "ratelimit.waits");
  gint64 wait_us_before = ember_metrics_get (metrics, "ratelimit.wait_us");
  gint64 acquired_before = ember_metrics_get (metrics, "ratelimit.acquired");
  Acquirer acquirer = { .limiter = limiter, .clock = EMBER_CLOCK (fake), .cost = 1 };
  GThread *thread;

  g_assert_true (ember_rate_limiter_acquire (limiter, 1, NULL, NULL));
  g_assert_cmpint (ember_metrics_get (metrics, "ratelimit.in_flight"), >=, 1);
  ember_rate_limiter_release (limiter);

  thread = g_thread_new ("acquirer", acquire_thread, &acquirer);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpint (ember_metrics_get (metrics, "ratelimit.waiting"), ==, 1);
  ember_fake_clock_advance (fake, 1 * S);
  g_thread_join (thread);

  g_assert_cmpuint (ember_rate_limiter_get_waits (limiter), ==, 1);
  g_assert_cmpint (ember_rate_limiter_get_wait_time (limiter), ==, 1 * S);
  g_assert_cmpint (ember_metrics_get (metrics, "ratelimit.waits") - waits_before, ==, 1);
  g_assert_cmpint (ember_metrics_get (metrics, "ratelimit.wait_us") - wait_us_before, ==, 1 * S);
  g_assert_cmpint (ember_metrics_get (metrics, "ratelimit.acquired") - acquired_before, ==, 2);
  g_assert_cmpint (ember_metrics_get (metrics, "ratelimit.waiting"), ==, 0);
  g_assert_cmpint (ember_metrics_get (metrics, "ratelimit.in_flight"), ==, 0);

  acquirer_clear (&acquirer);
}

static void
test_cost_above_burst (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  g_autoptr(EmberRateLimiter) limiter = ember_rate_limiter_new (EMBER_CLOCK (fake), 1, 2, 0);
  Acquirer acquirer = { .limiter = limiter, .clock = EMBER_CLOCK (fake), .cost = 1 };
  GThread *thread;

  /* A full bucket lets a request dearer than the burst through, in debt ... */
  g_assert_true (ember_rate_limiter_acquire (limiter, 5, NULL, NULL));
  ember_rate_limiter_release (limiter);

  /* ... which is paid back before anyone else goes: from -3, one unit
   * takes 4 s. */
  thread = g_thread_new ("acquirer", acquire_thread, &acquirer);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, 4 * S);
  ember_fake_clock_set (fake, 4 * S);
  g_thread_join (thread);
  g_assert_true (acquirer.result);

  acquirer_clear (&acquirer);
}

/* The sliding window. */

#define WINDOW      (10 * S)
#define ALLOWANCE   100.0

static EmberRateLimiter *
window_limiter_new (EmberFakeClock *fake,
                    guint           max_in_flight)
{
  return ember_rate_limiter_new_window (EMBER_CLOCK (fake), ALLOWANCE, WINDOW, max_in_flight);
}

static void
test_window_burst_to_allowance (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  g_autoptr(EmberRateLimiter) limiter = window_limiter_new (fake, 0);
  Acquirer acquirer = { .limiter = limiter, .clock = EMBER_CLOCK (fake), .cost = 1 };
  GThread *thread;
  double burst = 0;

  g_object_get (limiter, "burst", &burst, NULL);
  g_assert_cmpfloat (burst, ==, ALLOWANCE);
  g_assert_cmpint (ember_rate_limiter_get_window (limiter), ==, WINDOW);
  g_assert_cmpfloat (ember_rate_limiter_get_rate (limiter), ==, 10);

  /* The whole allowance at once: Gmail's first page of mail costs far
   * more than a tenth of the quota, and none of it need wait. */
  for (int i = 0; i < 5; i++)
    g_assert_true (ember_rate_limiter_acquire (limiter, 20, NULL, NULL));
  for (int i = 0; i < 5; i++)
    ember_rate_limiter_release (limiter);
  g_assert_cmpuint (ember_rate_limiter_get_waits (limiter), ==, 0);

  /* One unit more waits until those leave the window, a window after
   * their release, and not a microsecond less. */
  ember_fake_clock_advance (fake, 2 * S);
  thread = g_thread_new ("acquirer", acquire_thread, &acquirer);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, WINDOW);
  ember_fake_clock_set (fake, WINDOW - 1);
  g_assert_cmpuint (ember_rate_limiter_get_n_waiting (limiter), ==, 1);
  ember_fake_clock_set (fake, WINDOW);
  g_thread_join (thread);
  g_assert_true (acquirer.result);
  g_assert_cmpint (acquirer.granted_at, ==, WINDOW);

  /* An idle window gives the whole allowance again, never more. */
  ember_fake_clock_advance (fake, 5 * WINDOW);
  g_assert_true (ember_rate_limiter_acquire (limiter, ALLOWANCE, NULL, NULL));
  ember_rate_limiter_release (limiter);
  g_assert_cmpuint (ember_rate_limiter_get_waits (limiter), ==, 1);
  acquirer.result = FALSE;
  thread = g_thread_new ("acquirer", acquire_thread, &acquirer);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, 6 * WINDOW + WINDOW);
  ember_fake_clock_set (fake, 7 * WINDOW);
  g_thread_join (thread);
  g_assert_true (acquirer.result);

  acquirer_clear (&acquirer);
}

/* The server charges a request somewhere between its grant and its
 * reply; the window has to count it until a window after the reply. */
static void
test_window_counts_from_release (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  g_autoptr(EmberRateLimiter) limiter = window_limiter_new (fake, 0);
  Acquirer acquirer = { .limiter = limiter, .clock = EMBER_CLOCK (fake), .cost = 50 };
  GThread *thread;

  g_assert_true (ember_rate_limiter_acquire (limiter, 60, NULL, NULL));
  ember_fake_clock_advance (fake, 3 * S);

  /* In flight, it fills the window for good: only its release can make
   * room, so the waiter does not sleep on the clock. */
  thread = g_thread_new ("acquirer", acquire_thread, &acquirer);
  assert_eventually (ember_rate_limiter_get_n_waiting (limiter) == 1);
  g_usleep (10 * 1000);
  g_assert_cmpuint (ember_fake_clock_get_n_waiters (fake), ==, 0);

  /* Released at 3 s, it counts until 13 s, not 10 s. */
  ember_rate_limiter_release (limiter);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, 3 * S + WINDOW);
  ember_fake_clock_set (fake, WINDOW);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpuint (ember_rate_limiter_get_n_waiting (limiter), ==, 1);
  ember_fake_clock_set (fake, 3 * S + WINDOW);
  g_thread_join (thread);
  g_assert_true (acquirer.result);
  g_assert_cmpint (acquirer.granted_at, ==, 3 * S + WINDOW);

  acquirer_clear (&acquirer);
}

/* Release does not say which request ended: the window must assume the
 * cheapest did, or a dear request still in flight could be counted from
 * too early. */
static void
test_window_release_takes_cheapest (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  g_autoptr(EmberRateLimiter) limiter = ember_rate_limiter_new_window (EMBER_CLOCK (fake), 10, 1 * S, 0);
  Acquirer acquirer = { .limiter = limiter, .clock = EMBER_CLOCK (fake), .cost = 3 };
  GThread *thread;

  g_assert_true (ember_rate_limiter_acquire (limiter, 8, NULL, NULL));
  g_assert_true (ember_rate_limiter_acquire (limiter, 1, NULL, NULL));
  ember_fake_clock_set (fake, 500 * MS);
  ember_rate_limiter_release (limiter);
  ember_fake_clock_set (fake, 700 * MS);
  ember_rate_limiter_release (limiter);

  /* 1 unit charged at 0.5 s and 8 at 0.7 s: 3 more fit once both have
   * left, at 1.7 s (had the 8 been charged at 0.5 s, 1.5 s). */
  thread = g_thread_new ("acquirer", acquire_thread, &acquirer);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, 1700 * MS);
  ember_fake_clock_set (fake, 1700 * MS);
  g_thread_join (thread);
  g_assert_true (acquirer.result);
  g_assert_cmpint (acquirer.granted_at, ==, 1700 * MS);

  acquirer_clear (&acquirer);
}

#define LOAD_WINDOW     (1 * S)
#define LOAD_ALLOWANCE  60.0

/* Sum of the grants in (@until - LOAD_WINDOW, @until] (grants sorted by
 * time; each was released when granted, so its charge is at its grant). */
static double
window_sum (GArray *grants,
            gint64  until)
{
  double sum = 0;

  for (guint i = 0; i < grants->len; i++)
    {
      const Grant *grant = &g_array_index (grants, Grant, i);

      if (grant->time > until - LOAD_WINDOW && grant->time <= until)
        sum += grant->cost;
    }

  return sum;
}

static void
test_window_never_exceeded (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  g_autoptr(EmberRateLimiter) limiter = ember_rate_limiter_new_window (EMBER_CLOCK (fake),
                                                                       LOAD_ALLOWANCE, LOAD_WINDOW, 0);
  Load load = { .limiter = limiter, .clock = fake, .max_cost = 20, .n_active = N_LOAD_THREADS };
  GThread *threads[N_LOAD_THREADS];
  double total_cost = 0;
  guint n_windows = 0;

  g_mutex_init (&load.mutex);
  for (int i = 0; i < N_LOAD_THREADS; i++)
    load.seeds[i] = g_test_rand_int ();
  load.grants = g_array_new (FALSE, FALSE, sizeof (Grant));

  for (int i = 0; i < N_LOAD_THREADS; i++)
    threads[i] = g_thread_new ("load", load_thread, &load);

  /* The clock always lands exactly on the head's deadline, so that every
   * wait can be checked for being no longer than needed. */
  for (;;)
    {
      assert_eventually (load_is_blocked (&load));
      if (g_atomic_int_get (&load.n_active) == 0)
        break;
      g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), >,
                       ember_clock_get_monotonic (EMBER_CLOCK (fake)));
      ember_fake_clock_set (fake, ember_fake_clock_get_next_deadline (fake));
    }

  for (int i = 0; i < N_LOAD_THREADS; i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (load.grants->len, ==, N_LOAD_THREADS * N_LOAD_ACQUIRES);
  g_array_sort (load.grants, compare_grants);

  for (guint i = 0; i < load.grants->len; i++)
    {
      const Grant *grant = &g_array_index (load.grants, Grant, i);
      double sum = window_sum (load.grants, grant->time);

      total_cost += grant->cost;
      /* Never more than the allowance in any window ... */
      if (sum > LOAD_ALLOWANCE)
        g_error ("%.0f units granted in the window ending at %" G_GINT64_FORMAT " µs; at most %.0f allowed",
                 sum, grant->time, LOAD_ALLOWANCE);

      /* ... and no wait longer than needed: the first grant at a new time
       * did not fit a microsecond earlier (FIFO makes the others wait for
       * it, so only the earliest-granted one is checked). */
      if (grant->time > 0 && (i == 0 || g_array_index (load.grants, Grant, i - 1).time < grant->time))
        {
          gboolean some_did_not_fit = FALSE;

          for (guint j = i; j < load.grants->len && g_array_index (load.grants, Grant, j).time == grant->time; j++)
            if (window_sum (load.grants, grant->time - 1) + g_array_index (load.grants, Grant, j).cost >
                LOAD_ALLOWANCE)
              some_did_not_fit = TRUE;
          g_assert_true (some_did_not_fit);
          n_windows++;
        }
    }

  /* Far more than one window's allowance went through. */
  g_assert_cmpfloat (total_cost, >, 10 * LOAD_ALLOWANCE);
  g_assert_cmpuint (n_windows, >, 10);

  g_array_unref (load.grants);
  g_mutex_clear (&load.mutex);
}

static void
test_window_fifo (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  g_autoptr(EmberRateLimiter) limiter = ember_rate_limiter_new_window (EMBER_CLOCK (fake), 10, 1 * S, 0);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  GMutex order_mutex;
  Acquirer acquirers[] = {
    { .name = "big", .cost = 10 },
    { .name = "small-1", .cost = 6 },
    { .name = "small-2", .cost = 5 },
  };
  GThread *threads[G_N_ELEMENTS (acquirers)];

  g_mutex_init (&order_mutex);
  acquirers_set_up (acquirers, G_N_ELEMENTS (acquirers), limiter, EMBER_CLOCK (fake), order, &order_mutex);

  /* 6 units charged at 0 s, 4 at 0.5 s. */
  g_assert_true (ember_rate_limiter_acquire (limiter, 6, NULL, NULL));
  ember_rate_limiter_release (limiter);
  ember_fake_clock_set (fake, 500 * MS);
  g_assert_true (ember_rate_limiter_acquire (limiter, 4, NULL, NULL));
  ember_rate_limiter_release (limiter);

  start_in_order (limiter, acquirers, threads, G_N_ELEMENTS (acquirers));

  /* At 1 s small-1 would fit (4 + 6), but the big head needs an empty
   * window (1.5 s) and nobody passes it. */
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, 1500 * MS);
  ember_fake_clock_set (fake, 1 * S);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpuint (ember_rate_limiter_get_n_waiting (limiter), ==, 3);
  g_assert_cmpuint (order->len, ==, 0);

  ember_fake_clock_set (fake, 1500 * MS);
  g_thread_join (threads[0]);
  g_assert_cmpint (acquirers[0].granted_at, ==, 1500 * MS);

  /* The big one filled the window again: both small ones wait for it,
   * then the second for the first (6 + 5 > 10). */
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, 2500 * MS);
  ember_fake_clock_set (fake, 2500 * MS);
  g_thread_join (threads[1]);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, 3500 * MS);
  ember_fake_clock_set (fake, 3500 * MS);
  g_thread_join (threads[2]);

  g_assert_cmpuint (order->len, ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (acquirers); i++)
    {
      g_assert_true (acquirers[i].result);
      g_assert_cmpstr (g_ptr_array_index (order, i), ==, acquirers[i].name);
    }
  g_assert_cmpint (acquirers[1].granted_at, ==, 2500 * MS);
  g_assert_cmpint (acquirers[2].granted_at, ==, 3500 * MS);

  for (guint i = 0; i < G_N_ELEMENTS (acquirers); i++)
    acquirer_clear (&acquirers[i]);
  g_mutex_clear (&order_mutex);
}

static void
test_window_cancel (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  g_autoptr(EmberRateLimiter) limiter = window_limiter_new (fake, 0);
  Acquirer on_release = { .limiter = limiter, .clock = EMBER_CLOCK (fake), .cost = 1 };
  Acquirer on_clock = { .limiter = limiter, .clock = EMBER_CLOCK (fake), .cost = 1 };
  Acquirer behind = { .limiter = limiter, .clock = EMBER_CLOCK (fake), .cost = 1 };
  GThread *thread;
  GThread *behind_thread;
  gint64 cancelled_at;

  on_release.cancellable = g_cancellable_new ();
  on_clock.cancellable = g_cancellable_new ();

  /* A head waiting for a release (the window is full of requests in
   * flight) ... */
  g_assert_true (ember_rate_limiter_acquire (limiter, ALLOWANCE, NULL, NULL));
  thread = g_thread_new ("on-release", acquire_thread, &on_release);
  assert_eventually (ember_rate_limiter_get_n_waiting (limiter) == 1);
  cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (on_release.cancellable);
  g_thread_join (thread);
  g_assert_false (on_release.result);
  g_assert_error (on_release.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (on_release.returned_at - cancelled_at, <, 100 * MS);
  g_assert_cmpuint (ember_rate_limiter_get_n_waiting (limiter), ==, 0);

  /* ... and one asleep on the clock, with another queued behind it. */
  ember_rate_limiter_release (limiter);
  thread = g_thread_new ("on-clock", acquire_thread, &on_clock);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  behind_thread = g_thread_new ("behind", acquire_thread, &behind);
  assert_eventually (ember_rate_limiter_get_n_waiting (limiter) == 2);
  cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (on_clock.cancellable);
  g_thread_join (thread);
  g_assert_false (on_clock.result);
  g_assert_error (on_clock.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (on_clock.returned_at - cancelled_at, <, 100 * MS);

  /* The cancelled ones spent nothing: the one behind gets its unit as
   * soon as the allowance leaves the window. */
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, WINDOW);
  ember_fake_clock_set (fake, WINDOW);
  g_thread_join (behind_thread);
  g_assert_true (behind.result);
  g_assert_cmpint (behind.granted_at, ==, WINDOW);
  g_assert_cmpuint (ember_rate_limiter_get_in_flight (limiter), ==, 0);
  g_assert_true (ember_rate_limiter_acquire (limiter, ALLOWANCE - 1, NULL, NULL));
  ember_rate_limiter_release (limiter);

  acquirer_clear (&on_release);
  acquirer_clear (&on_clock);
  acquirer_clear (&behind);
}

static void
test_window_penalize (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  g_autoptr(EmberRateLimiter) limiter = window_limiter_new (fake, 0);
  Acquirer acquirer = { .limiter = limiter, .clock = EMBER_CLOCK (fake), .cost = 1 };
  GThread *thread;

  g_assert_true (ember_rate_limiter_acquire (limiter, 40, NULL, NULL));
  ember_rate_limiter_release (limiter);

  /* A 429 holds everyone for its Retry-After ... */
  ember_rate_limiter_penalize (limiter, 2 * S);
  thread = g_thread_new ("acquirer", acquire_thread, &acquirer);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, 2 * S);
  ember_fake_clock_set (fake, 2 * S);
  g_thread_join (thread);
  g_assert_true (acquirer.result);
  g_assert_cmpint (acquirer.granted_at, ==, 2 * S);

  /* ... and the window still holds what was spent before it: 41 units,
   * so 59 more fit and 60 do not. */
  g_assert_true (ember_rate_limiter_acquire (limiter, 59, NULL, NULL));
  ember_rate_limiter_release (limiter);
  acquirer.cost = 1;
  acquirer.result = FALSE;
  thread = g_thread_new ("acquirer", acquire_thread, &acquirer);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, WINDOW);
  ember_fake_clock_set (fake, WINDOW);
  g_thread_join (thread);
  g_assert_true (acquirer.result);

  acquirer_clear (&acquirer);
}

static void
test_window_cost_above_allowance (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  g_autoptr(EmberRateLimiter) limiter = window_limiter_new (fake, 0);
  Acquirer acquirer = { .limiter = limiter, .clock = EMBER_CLOCK (fake), .cost = 3 * ALLOWANCE };
  GThread *thread;

  g_assert_true (ember_rate_limiter_acquire (limiter, 1, NULL, NULL));
  ember_rate_limiter_release (limiter);
  ember_fake_clock_set (fake, 1 * S);

  /* Dearer than the allowance: it can only go into an empty window. */
  thread = g_thread_new ("acquirer", acquire_thread, &acquirer);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 1, REAL_TIMEOUT));
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, WINDOW);
  ember_fake_clock_set (fake, WINDOW);
  g_thread_join (thread);
  g_assert_true (acquirer.result);
  g_assert_cmpint (acquirer.granted_at, ==, WINDOW);

  acquirer_clear (&acquirer);
}

static void
test_window_cap (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  g_autoptr(EmberRateLimiter) limiter = window_limiter_new (fake, 1);
  Acquirer acquirer = { .limiter = limiter, .clock = EMBER_CLOCK (fake), .cost = 1 };
  GThread *thread;

  g_assert_true (ember_rate_limiter_acquire (limiter, 1, NULL, NULL));
  thread = g_thread_new ("acquirer", acquire_thread, &acquirer);
  assert_eventually (ember_rate_limiter_get_n_waiting (limiter) == 1);
  g_usleep (10 * 1000);
  g_assert_cmpuint (ember_fake_clock_get_n_waiters (fake), ==, 0);
  g_assert_cmpuint (ember_rate_limiter_get_n_waiting (limiter), ==, 1);

  ember_rate_limiter_release (limiter);
  g_thread_join (thread);
  g_assert_true (acquirer.result);
  g_assert_cmpint (acquirer.granted_at, ==, 0);

  acquirer_clear (&acquirer);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/core/rate-limiter/burst-then-rate", test_burst_then_rate);
  g_test_add_func ("/ember/core/rate-limiter/sustained-rate", test_sustained_rate_never_exceeded);
  g_test_add_func ("/ember/core/rate-limiter/concurrency-cap", test_concurrency_cap);
  g_test_add_func ("/ember/core/rate-limiter/fifo", test_fifo_big_head_not_starved);
  g_test_add_func ("/ember/core/rate-limiter/cancel", test_cancel_wakes_waiter_at_once);
  g_test_add_func ("/ember/core/rate-limiter/cap-blocks-head", test_cap_blocks_head_until_release);
  g_test_add_func ("/ember/core/rate-limiter/penalize", test_penalize);
  g_test_add_func ("/ember/core/rate-limiter/wait-metrics", test_wait_metrics);
  g_test_add_func ("/ember/core/rate-limiter/cost-above-burst", test_cost_above_burst);
  g_test_add_func ("/ember/core/rate-limiter/window/burst-to-allowance", test_window_burst_to_allowance);
  g_test_add_func ("/ember/core/rate-limiter/window/counts-from-release", test_window_counts_from_release);
  g_test_add_func ("/ember/core/rate-limiter/window/release-takes-cheapest", test_window_release_takes_cheapest);
  g_test_add_func ("/ember/core/rate-limiter/window/never-exceeded", test_window_never_exceeded);
  g_test_add_func ("/ember/core/rate-limiter/window/fifo", test_window_fifo);
  g_test_add_func ("/ember/core/rate-limiter/window/cancel", test_window_cancel);
  g_test_add_func ("/ember/core/rate-limiter/window/penalize", test_window_penalize);
  g_test_add_func ("/ember/core/rate-limiter/window/cost-above-allowance", test_window_cost_above_allowance);
  g_test_add_func ("/ember/core/rate-limiter/window/cap", test_window_cap);

  return g_test_run ();
}
