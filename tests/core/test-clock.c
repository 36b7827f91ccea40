/* test-clock.c: real and fake clocks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-fake-clock.h"
#include "ember-real-clock.h"
#include "ember-test-utils.h"

typedef struct
{
  EmberClock   *clock;
  GCancellable *cancellable;
  gint64        deadline;
  gboolean      result;
  GError       *error;
  gint64        woke_at_real; /* g_get_monotonic_time() when it returned */
} WaitJob;

static gpointer
wait_thread (gpointer data)
{
  WaitJob *job = data;

  job->result = ember_clock_wait_until (job->clock, job->deadline, job->cancellable, &job->error);
  job->woke_at_real = g_get_monotonic_time ();

  return NULL;
}

static void
wait_job_clear (WaitJob *job)
{
  g_clear_error (&job->error);
  g_clear_object (&job->cancellable);
}

static void
test_real_clock_sleeps (void)
{
  EmberClock *clock = ember_clock_get_default ();
  g_autoptr(GError) error = NULL;
  gint64 before;
  gint64 after;

  g_assert_true (EMBER_IS_REAL_CLOCK (clock));
  g_assert_true (ember_clock_get_default () == clock);

  before = ember_clock_get_monotonic (clock);
  g_assert_true (ember_clock_sleep (clock, 20 * G_TIME_SPAN_MILLISECOND, NULL, &error));
  g_assert_no_error (error);
  after = ember_clock_get_monotonic (clock);
  g_assert_cmpint (after - before, >=, 20 * G_TIME_SPAN_MILLISECOND);

  /* A deadline in the past returns at once. */
  g_assert_true (ember_clock_wait_until (clock, after - G_TIME_SPAN_SECOND, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (ABS (ember_clock_get_real (clock) - g_get_real_time ()), <, G_TIME_SPAN_SECOND);
}

static void
test_real_clock_cancel_wakes_at_once (void)
{
  g_autoptr(EmberRealClock) clock = ember_real_clock_new ();
  WaitJob job = { 0 };
  GThread *thread;
  gint64 cancelled_at;

  job.clock = EMBER_CLOCK (clock);
  job.cancellable = g_cancellable_new ();
  job.deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;

  thread = g_thread_new ("waiter", wait_thread, &job);
  g_usleep (20 * G_TIME_SPAN_MILLISECOND);
  cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (job.cancellable);
  g_thread_join (thread);

  g_assert_false (job.result);
  g_assert_error (job.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (job.woke_at_real - cancelled_at, <, 100 * G_TIME_SPAN_MILLISECOND);
  wait_job_clear (&job);

  /* "Forever" is a valid deadline too. */
  job.cancellable = g_cancellable_new ();
  job.deadline = G_MAXINT64;
  thread = g_thread_new ("waiter", wait_thread, &job);
  g_usleep (20 * G_TIME_SPAN_MILLISECOND);
  cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (job.cancellable);
  g_thread_join (thread);
  g_assert_false (job.result);
  g_assert_error (job.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (job.woke_at_real - cancelled_at, <, 100 * G_TIME_SPAN_MILLISECOND);
  wait_job_clear (&job);
}

static void
test_real_clock_cancelled_before (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 before = g_get_monotonic_time ();

  g_cancellable_cancel (cancellable);
  g_assert_false (ember_clock_sleep (ember_clock_get_default (), 10 * G_TIME_SPAN_SECOND,
                                     cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - before, <, G_TIME_SPAN_SECOND);
}

static void
test_fake_clock_time (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (1000);
  EmberClock *clock = EMBER_CLOCK (fake);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (ember_clock_get_monotonic (clock), ==, 1000);
  g_assert_cmpint (ember_clock_get_real (clock), ==, 1000);

  ember_fake_clock_advance (fake, 500);
  g_assert_cmpint (ember_clock_get_monotonic (clock), ==, 1500);
  g_assert_cmpint (ember_clock_get_real (clock), ==, 1500);

  ember_fake_clock_set (fake, 10000);
  g_assert_cmpint (ember_clock_get_monotonic (clock), ==, 10000);

  /* Waiting for the present or the past does not block. */
  g_assert_true (ember_clock_wait_until (clock, 10000, NULL, &error));
  g_assert_true (ember_clock_sleep (clock, 0, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ember_fake_clock_get_n_waiters (fake), ==, 0);
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, -1);
}

static void
test_fake_clock_no_going_back_subprocess (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (1000);

  ember_fake_clock_set (fake, 999);
}

static void
test_fake_clock_no_going_back (void)
{
  g_test_trap_subprocess ("/ember/core/fake-clock/no-going-back/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*cannot go back*");
}

static void
test_fake_clock_wakes_waiters_in_deadline_order (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  WaitJob jobs[3] = { { 0 } };
  GThread *threads[3];

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      jobs[i].clock = EMBER_CLOCK (fake);
      jobs[i].deadline = (i + 1) * G_TIME_SPAN_SECOND;
      threads[i] = g_thread_new ("waiter", wait_thread, &jobs[i]);
    }

  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 3, 5 * G_TIME_SPAN_SECOND));
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, G_TIME_SPAN_SECOND);

  /* Just short of the first deadline: nobody wakes. */
  ember_fake_clock_advance (fake, G_TIME_SPAN_SECOND - 1);
  g_assert_cmpuint (ember_fake_clock_get_n_waiters (fake), ==, 3);

  /* The count drops as soon as advance() returns, before the thread runs. */
  ember_fake_clock_advance (fake, 1);
  g_assert_cmpuint (ember_fake_clock_get_n_waiters (fake), ==, 2);
  g_thread_join (threads[0]);
  g_assert_true (jobs[0].result);
  g_assert_no_error (jobs[0].error);
  g_assert_cmpint (ember_fake_clock_get_next_deadline (fake), ==, 2 * G_TIME_SPAN_SECOND);

  /* One jump past both remaining deadlines wakes both. */
  ember_fake_clock_set (fake, 10 * G_TIME_SPAN_SECOND);
  g_assert_cmpuint (ember_fake_clock_get_n_waiters (fake), ==, 0);
  for (guint i = 1; i < G_N_ELEMENTS (jobs); i++)
    {
      g_thread_join (threads[i]);
      g_assert_true (jobs[i].result);
      g_assert_no_error (jobs[i].error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    wait_job_clear (&jobs[i]);
}

static void
test_fake_clock_cancel (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  WaitJob cancelled = { 0 };
  WaitJob other = { 0 };
  GThread *cancelled_thread;
  GThread *other_thread;
  gint64 cancelled_at;

  cancelled.clock = EMBER_CLOCK (fake);
  cancelled.cancellable = g_cancellable_new ();
  cancelled.deadline = G_TIME_SPAN_HOUR;
  other.clock = EMBER_CLOCK (fake);
  other.deadline = G_TIME_SPAN_HOUR;

  cancelled_thread = g_thread_new ("cancelled", wait_thread, &cancelled);
  other_thread = g_thread_new ("other", wait_thread, &other);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 2, 5 * G_TIME_SPAN_SECOND));

  cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (cancelled.cancellable);
  g_thread_join (cancelled_thread);
  g_assert_false (cancelled.result);
  g_assert_error (cancelled.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (cancelled.woke_at_real - cancelled_at, <, 100 * G_TIME_SPAN_MILLISECOND);

  /* The other waiter is untouched and still waits for its deadline. */
  g_assert_cmpuint (ember_fake_clock_get_n_waiters (fake), ==, 1);
  ember_fake_clock_advance (fake, G_TIME_SPAN_HOUR);
  g_thread_join (other_thread);
  g_assert_true (other.result);

  /* Already cancelled on entry: fails at once without waiting. */
  g_clear_error (&cancelled.error);
  g_assert_false (ember_clock_sleep (EMBER_CLOCK (fake), G_TIME_SPAN_SECOND,
                                     cancelled.cancellable, &cancelled.error));
  g_assert_error (cancelled.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (ember_fake_clock_get_n_waiters (fake), ==, 0);

  wait_job_clear (&cancelled);
  wait_job_clear (&other);
}

static void
test_fake_clock_wait_for_waiters_times_out (void)
{
  g_autoptr(EmberFakeClock) fake = ember_fake_clock_new (0);
  gint64 before = g_get_monotonic_time ();

  g_assert_false (ember_fake_clock_wait_for_waiters (fake, 1, 20 * G_TIME_SPAN_MILLISECOND));
  g_assert_cmpint (g_get_monotonic_time () - before, >=, 20 * G_TIME_SPAN_MILLISECOND);
  g_assert_true (ember_fake_clock_wait_for_waiters (fake, 0, 0));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/core/real-clock/sleeps", test_real_clock_sleeps);
  g_test_add_func ("/ember/core/real-clock/cancel-wakes-at-once", test_real_clock_cancel_wakes_at_once);
  g_test_add_func ("/ember/core/real-clock/cancelled-before", test_real_clock_cancelled_before);
  g_test_add_func ("/ember/core/fake-clock/time", test_fake_clock_time);
  g_test_add_func ("/ember/core/fake-clock/no-going-back", test_fake_clock_no_going_back);
  g_test_add_func ("/ember/core/fake-clock/no-going-back/subprocess", test_fake_clock_no_going_back_subprocess);
  g_test_add_func ("/ember/core/fake-clock/wakes-in-deadline-order", test_fake_clock_wakes_waiters_in_deadline_order);
  g_test_add_func ("/ember/core/fake-clock/cancel", test_fake_clock_cancel);
  g_test_add_func ("/ember/core/fake-clock/wait-for-waiters-times-out", test_fake_clock_wait_for_waiters_times_out);

  return g_test_run ();
}
