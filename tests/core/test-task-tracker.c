/* test-task-tracker.c: own bounded pool, chained cancellation, close and
 * wait on quit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-fake-clock.h"
#include "ember-task-tracker.h"
#include "ember-test-utils.h"

#define MS G_TIME_SPAN_MILLISECOND
#define S  G_TIME_SPAN_SECOND
#define REAL_TIMEOUT (5 * S)

typedef struct
{
  EmberFakeClock *clock;
  gint64          sleep_usec;
  int             n_saw_cancel;   /* atomic */
  int             n_callbacks;    /* main thread */
  int             n_cancelled_results;
  int             n_closed_results;
  int             n_ok_results;
  GCancellable   *expected_cancellable;
  int             n_got_expected; /* atomic */
} Jobs;

static void
sleeping_job (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Jobs *jobs = task_data;
  GError *error = NULL;

  if (jobs->expected_cancellable != NULL && cancellable == jobs->expected_cancellable)
    g_atomic_int_inc (&jobs->n_got_expected);

  if (!ember_clock_sleep (EMBER_CLOCK (jobs->clock), jobs->sleep_usec, cancellable, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_atomic_int_inc (&jobs->n_saw_cancel);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
job_done_cb (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Jobs *jobs = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_main_context_is_owner (g_main_context_default ()));

  if (g_task_propagate_boolean (G_TASK (result), &error))
    jobs->n_ok_results++;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    jobs->n_cancelled_results++;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    jobs->n_closed_results++;
  else
    g_assert_no_error (error);

  jobs->n_callbacks++;
}

/* Starts one job with its own cancellable (returned, transfer full) or,
 * when @with_cancellable is FALSE, none. */
static GCancellable *
start_job (EmberTaskTracker *tracker,
           Jobs             *jobs,
           gboolean          with_cancellable,
           gboolean         *accepted)
{
  g_autoptr(GCancellable) cancellable = with_cancellable ? g_cancellable_new () : NULL;
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, job_done_cb, jobs);
  gboolean ok;

  g_task_set_task_data (task, jobs, NULL);
  ok = ember_task_tracker_run (tracker, task, sleeping_job);
  if (accepted != NULL)
    *accepted = ok;

  return g_steal_pointer (&cancellable);
}

typedef struct
{
  gboolean done;
  gboolean result;
  GError  *error;
} WaitResult;

static void
wait_done_cb (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  WaitResult *wait = user_data;

  wait->result = ember_task_tracker_wait_finish (EMBER_TASK_TRACKER (source_object), result,
                                                 &wait->error);
  wait->done = TRUE;
}

static gboolean
wait_done (gpointer data)
{
  return ((WaitResult *) data)->done;
}

typedef struct
{
  Jobs       *jobs;
  int         n;
  WaitResult *wait;
} AllDone;

static gboolean
all_done (gpointer data)
{
  AllDone *all = data;

  return all->jobs->n_callbacks >= all->n && (all->wait == NULL || all->wait->done);
}

#define N_QUIT_JOBS 8

static void
test_quit_while_jobs_wait (void)
{
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (0);
  g_autoptr(EmberTaskTracker) tracker = ember_task_tracker_new (N_QUIT_JOBS);
  GCancellable *cancellables[N_QUIT_JOBS];
  Jobs jobs = { .clock = clock, .sleep_usec = G_TIME_SPAN_HOUR };
  WaitResult wait = { 0 };
  AllDone all = { .jobs = &jobs, .n = N_QUIT_JOBS, .wait = &wait };
  gint64 quit_started;
  gint64 quit_took;

  for (int i = 0; i < N_QUIT_JOBS; i++)
    {
      gboolean accepted;

      cancellables[i] = start_job (tracker, &jobs, TRUE, &accepted);
      g_assert_true (accepted);
    }

  /* Every job is in the middle of its wait. */
  g_assert_true (ember_fake_clock_wait_for_waiters (clock, N_QUIT_JOBS, REAL_TIMEOUT));
  g_assert_cmpuint (ember_task_tracker_get_n_running (tracker), ==, N_QUIT_JOBS);

  quit_started = g_get_monotonic_time ();
  ember_task_tracker_close (tracker);
  ember_task_tracker_cancel_all (tracker);
  ember_task_tracker_wait_async (tracker, NULL, wait_done_cb, &wait);
  g_assert_true (ember_test_wait_for (all_done, &all, 2000));
  quit_took = g_get_monotonic_time () - quit_started;

  g_assert_cmpint (quit_took, <, 200 * MS);
  g_assert_no_error (wait.error);
  g_assert_true (wait.result);
  g_assert_cmpuint (ember_task_tracker_get_n_running (tracker), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&jobs.n_saw_cancel), ==, N_QUIT_JOBS);
  g_assert_cmpint (jobs.n_cancelled_results, ==, N_QUIT_JOBS);
  g_assert_cmpuint (ember_fake_clock_get_n_waiters (clock), ==, 0);
  g_assert_true (g_cancellable_is_cancelled (ember_task_tracker_get_cancellable (tracker)));
  for (int i = 0; i < N_QUIT_JOBS; i++)
    {
      g_assert_true (g_cancellable_is_cancelled (cancellables[i]));
      g_object_unref (cancellables[i]);
    }

  /* Closed: a new job is refused, through its task too. */
  {
    g_autoptr(GCancellable) late = NULL;
    gboolean accepted = TRUE;

    late = start_job (tracker, &jobs, TRUE, &accepted);
    g_assert_false (accepted);
    all.n = N_QUIT_JOBS + 1;
    g_assert_true (ember_test_wait_for (all_done, &all, 2000));
    g_assert_cmpint (jobs.n_closed_results, ==, 1);
    g_assert_cmpuint (ember_task_tracker_get_n_running (tracker), ==, 0);
  }
}

static void
test_pool_is_bounded (void)
{
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (0);
  g_autoptr(EmberTaskTracker) tracker = ember_task_tracker_new (2);
  Jobs jobs = { .clock = clock, .sleep_usec = 1 * S };
  WaitResult wait = { 0 };
  AllDone all = { .jobs = &jobs, .n = 5, .wait = &wait };
  guint max_threads = 0;

  g_object_get (tracker, "max-threads", &max_threads, NULL);
  g_assert_cmpuint (max_threads, ==, 2);

  for (int i = 0; i < 5; i++)
    g_clear_object (&(GCancellable *) { start_job (tracker, &jobs, TRUE, NULL) });
  g_assert_cmpuint (ember_task_tracker_get_n_running (tracker), ==, 5);

  /* Two run, three are queued. */
  g_assert_true (ember_fake_clock_wait_for_waiters (clock, 2, REAL_TIMEOUT));
  g_assert_false (ember_fake_clock_wait_for_waiters (clock, 3, 50 * MS));

  ember_fake_clock_advance (clock, 1 * S);
  g_assert_true (ember_fake_clock_wait_for_waiters (clock, 2, REAL_TIMEOUT));
  g_assert_false (ember_fake_clock_wait_for_waiters (clock, 3, 20 * MS));
  ember_fake_clock_advance (clock, 1 * S);
  g_assert_true (ember_fake_clock_wait_for_waiters (clock, 1, REAL_TIMEOUT));

  ember_task_tracker_wait_async (tracker, NULL, wait_done_cb, &wait);
  /* Still one job left: the wait has not completed. */
  g_assert_false (ember_test_wait_for (wait_done, &wait, 20));
  ember_fake_clock_advance (clock, 1 * S);
  g_assert_true (ember_test_wait_for (all_done, &all, 2000));

  g_assert_true (wait.result);
  g_assert_cmpint (jobs.n_ok_results, ==, 5);
  g_assert_cmpuint (ember_task_tracker_get_n_running (tracker), ==, 0);
}

static void
test_chain_is_undone_when_job_ends (void)
{
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (0);
  g_autoptr(EmberTaskTracker) tracker = ember_task_tracker_new (2);
  g_autoptr(GCancellable) finished = NULL;
  g_autoptr(GCancellable) running = NULL;
  g_autoptr(GCancellable) self_cancelled = NULL;
  Jobs jobs = { .clock = clock, .sleep_usec = 1 * S };
  AllDone all = { .jobs = &jobs, .n = 1 };

  finished = start_job (tracker, &jobs, TRUE, NULL);
  g_assert_true (ember_fake_clock_wait_for_waiters (clock, 1, REAL_TIMEOUT));
  ember_fake_clock_advance (clock, 1 * S);
  g_assert_true (ember_test_wait_for (all_done, &all, 2000));
  g_assert_cmpint (jobs.n_ok_results, ==, 1);

  /* Cancelling one job leaves the others and the tracker alone. */
  jobs.sleep_usec = G_TIME_SPAN_HOUR;
  running = start_job (tracker, &jobs, TRUE, NULL);
  self_cancelled = start_job (tracker, &jobs, TRUE, NULL);
  g_assert_true (ember_fake_clock_wait_for_waiters (clock, 2, REAL_TIMEOUT));
  g_cancellable_cancel (self_cancelled);
  all.n = 2;
  g_assert_true (ember_test_wait_for (all_done, &all, 2000));
  g_assert_cmpint (jobs.n_cancelled_results, ==, 1);
  g_assert_false (g_cancellable_is_cancelled (ember_task_tracker_get_cancellable (tracker)));
  g_assert_false (g_cancellable_is_cancelled (running));
  g_assert_cmpuint (ember_fake_clock_get_n_waiters (clock), ==, 1);

  /* Cancelling all reaches the running job, but no longer the one that
   * ended before. */
  ember_task_tracker_cancel_all (tracker);
  all.n = 3;
  g_assert_true (ember_test_wait_for (all_done, &all, 2000));
  g_assert_true (g_cancellable_is_cancelled (running));
  g_assert_false (g_cancellable_is_cancelled (finished));
  g_assert_cmpint (jobs.n_cancelled_results, ==, 2);

  /* The shared cancellable stays cancelled: a later job starts cancelled. */
  g_clear_object (&finished);
  finished = start_job (tracker, &jobs, TRUE, NULL);
  all.n = 4;
  g_assert_true (ember_test_wait_for (all_done, &all, 2000));
  g_assert_true (g_cancellable_is_cancelled (finished));
  g_assert_cmpint (jobs.n_cancelled_results, ==, 3);
}

static void
test_job_without_cancellable_gets_shared_one (void)
{
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (0);
  g_autoptr(EmberTaskTracker) tracker = ember_task_tracker_new (1);
  Jobs jobs = { .clock = clock, .sleep_usec = G_TIME_SPAN_HOUR };
  AllDone all = { .jobs = &jobs, .n = 1 };

  jobs.expected_cancellable = ember_task_tracker_get_cancellable (tracker);
  g_assert_null (start_job (tracker, &jobs, FALSE, NULL));
  g_assert_true (ember_fake_clock_wait_for_waiters (clock, 1, REAL_TIMEOUT));
  g_assert_cmpint (g_atomic_int_get (&jobs.n_got_expected), ==, 1);

  ember_task_tracker_cancel_all (tracker);
  g_assert_true (ember_test_wait_for (all_done, &all, 2000));
  g_assert_cmpint (jobs.n_cancelled_results, ==, 1);
}

static void
test_wait_with_no_jobs (void)
{
  g_autoptr(EmberTaskTracker) tracker = ember_task_tracker_new (1);
  WaitResult wait = { 0 };

  ember_task_tracker_wait_async (tracker, NULL, wait_done_cb, &wait);
  /* Completes from the main loop, never inside the call. */
  g_assert_false (wait.done);
  g_assert_true (ember_test_wait_for (wait_done, &wait, 2000));
  g_assert_no_error (wait.error);
  g_assert_true (wait.result);
}

static void
test_wait_cancelled (void)
{
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (0);
  g_autoptr(EmberTaskTracker) tracker = ember_task_tracker_new (1);
  g_autoptr(GCancellable) job_cancellable = NULL;
  g_autoptr(GCancellable) wait_cancellable = g_cancellable_new ();
  Jobs jobs = { .clock = clock, .sleep_usec = 1 * S };
  WaitResult wait = { 0 };
  WaitResult second_wait = { 0 };
  AllDone all = { .jobs = &jobs, .n = 1, .wait = &second_wait };

  job_cancellable = start_job (tracker, &jobs, TRUE, NULL);
  g_assert_true (ember_fake_clock_wait_for_waiters (clock, 1, REAL_TIMEOUT));

  ember_task_tracker_wait_async (tracker, wait_cancellable, wait_done_cb, &wait);
  g_cancellable_cancel (wait_cancellable);
  g_assert_true (ember_test_wait_for (wait_done, &wait, 2000));
  g_assert_false (wait.result);
  g_assert_error (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&wait.error);

  /* Only the wait was cancelled, not the job. */
  g_assert_cmpuint (ember_task_tracker_get_n_running (tracker), ==, 1);
  g_assert_false (g_cancellable_is_cancelled (job_cancellable));

  ember_task_tracker_wait_async (tracker, NULL, wait_done_cb, &second_wait);
  ember_fake_clock_advance (clock, 1 * S);
  g_assert_true (ember_test_wait_for (all_done, &all, 2000));
  g_assert_true (second_wait.result);
  g_assert_cmpint (jobs.n_ok_results, ==, 1);
}

static void
test_dropped_tracker_cancels_its_jobs (void)
{
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (0);
  EmberTaskTracker *tracker = ember_task_tracker_new (2);
  g_autoptr(GCancellable) cancellable = NULL;
  Jobs jobs = { .clock = clock, .sleep_usec = G_TIME_SPAN_HOUR };
  AllDone all = { .jobs = &jobs, .n = 2 };

  cancellable = start_job (tracker, &jobs, TRUE, NULL);
  g_clear_object (&(GCancellable *) { start_job (tracker, &jobs, FALSE, NULL) });
  g_assert_true (ember_fake_clock_wait_for_waiters (clock, 2, REAL_TIMEOUT));

  /* The jobs outlive the tracker object, cancelled, and finish cleanly. */
  g_object_unref (tracker);
  g_assert_true (ember_test_wait_for (all_done, &all, 2000));
  g_assert_cmpint (jobs.n_cancelled_results, ==, 2);
  g_assert_true (g_cancellable_is_cancelled (cancellable));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/core/task-tracker/quit-while-jobs-wait", test_quit_while_jobs_wait);
  g_test_add_func ("/ember/core/task-tracker/pool-is-bounded", test_pool_is_bounded);
  g_test_add_func ("/ember/core/task-tracker/chain-undone-when-job-ends", test_chain_is_undone_when_job_ends);
  g_test_add_func ("/ember/core/task-tracker/no-cancellable", test_job_without_cancellable_gets_shared_one);
  g_test_add_func ("/ember/core/task-tracker/wait-with-no-jobs", test_wait_with_no_jobs);
  g_test_add_func ("/ember/core/task-tracker/wait-cancelled", test_wait_cancelled);
  g_test_add_func ("/ember/core/task-tracker/dropped-tracker", test_dropped_tracker_cancels_its_jobs);

  return g_test_run ();
}
