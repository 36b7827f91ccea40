/* ember-task-tracker.c: runs long jobs in its own bounded thread pool,
 * cancels them together, waits for them on quit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ember-task-tracker.h"

/* What the jobs share with the tracker. Jobs hold a reference to this, not
 * to the GObject, so the last reference to the tracker may be dropped
 * while jobs still run (even from one of the pool's own threads). */
typedef struct
{
  GMutex        mutex;
  GCancellable *cancellable;
  gboolean      closed;
  guint         n_running;
  GList        *waiters; /* WaitRecord */
} TrackerState;

struct _EmberTaskTracker
{
  GObject       parent_instance;

  GThreadPool  *pool;
  TrackerState *state;
  guint         max_threads;
};

typedef struct
{
  TrackerState    *state;
  GTask           *task;
  GTaskThreadFunc  func;
  GCancellable    *cancellable; /* the job's: the task's, else the shared one */
  gulong           chain_handler;
} Job;

typedef struct
{
  GTask   *task;
  GSource *cancel_source;
} WaitRecord;

G_DEFINE_FINAL_TYPE (EmberTaskTracker, ember_task_tracker, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MAX_THREADS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tracker_state_clear (gpointer data)
{
  TrackerState *state = data;

  g_assert (state->waiters == NULL);
  g_clear_object (&state->cancellable);
  g_mutex_clear (&state->mutex);
}

static void
tracker_state_unref (TrackerState *state)
{
  g_atomic_rc_box_release_full (state, tracker_state_clear);
}

static void
wait_record_complete (WaitRecord *record)
{
  /* Thread-safe; drops the source's reference on the task. */
  g_source_destroy (record->cancel_source);
  g_source_unref (record->cancel_source);
  g_task_return_boolean (record->task, TRUE);
  g_object_unref (record->task);
  g_free (record);
}

static void
chain_cancel_cb (GCancellable *shared,
                 gpointer      data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

static void
run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;
  TrackerState *state = job->state;
  GList *waiters = NULL;

  job->func (job->task,
             g_task_get_source_object (job->task),
             g_task_get_task_data (job->task),
             job->cancellable);

  if (job->chain_handler != 0)
    g_cancellable_disconnect (state->cancellable, job->chain_handler);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->task);

  g_mutex_lock (&state->mutex);
  g_assert (state->n_running > 0);
  if (--state->n_running == 0)
    waiters = g_steal_pointer (&state->waiters);
  g_mutex_unlock (&state->mutex);

  /* g_task_return_*() may be called from any thread; the callbacks run
   * on each waiter's own main context. */
  g_list_free_full (waiters, (GDestroyNotify) wait_record_complete);

  tracker_state_unref (state);
  g_free (job);
}

static void
ember_task_tracker_constructed (GObject *object)
{
  EmberTaskTracker *self = (EmberTaskTracker *)object;
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (ember_task_tracker_parent_class)->constructed (object);

  /* Not exclusive: threads are started as jobs come in (and may be shared
   * with other non-exclusive pools while idle), but never more than
   * max-threads of them run our jobs at once. */
  self->pool = g_thread_pool_new (run_job, NULL, (int) self->max_threads, FALSE, &error);
  g_assert_no_error (error);
}

static void
ember_task_tracker_dispose (GObject *object)
{
  EmberTaskTracker *self = (EmberTaskTracker *)object;

  /* An owner going away cancels what it started. */
  ember_task_tracker_close (self);
  ember_task_tracker_cancel_all (self);

  G_OBJECT_CLASS (ember_task_tracker_parent_class)->dispose (object);
}

static void
ember_task_tracker_finalize (GObject *object)
{
  EmberTaskTracker *self = (EmberTaskTracker *)object;

  /* Jobs still queued or running finish on their own and keep the shared
   * state alive; the pool frees itself after the last one. */
  g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, FALSE);
  g_clear_pointer (&self->state, tracker_state_unref);

  G_OBJECT_CLASS (ember_task_tracker_parent_class)->finalize (object);
}

static void
ember_task_tracker_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EmberTaskTracker *self = EMBER_TASK_TRACKER (object);

  switch (prop_id)
    {
    case PROP_MAX_THREADS:
      g_value_set_uint (value, self->max_threads);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_task_tracker_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EmberTaskTracker *self = EMBER_TASK_TRACKER (object);

  switch (prop_id)
    {
    case PROP_MAX_THREADS:
      self->max_threads = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_task_tracker_class_init (EmberTaskTrackerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ember_task_tracker_constructed;
  object_class->dispose = ember_task_tracker_dispose;
  object_class->finalize = ember_task_tracker_finalize;
  object_class->get_property = ember_task_tracker_get_property;
  object_class->set_property = ember_task_tracker_set_property;

  properties[PROP_MAX_THREADS] =
    g_param_spec_uint ("max-threads", NULL, NULL,
                       1, G_MAXINT, 4,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ember_task_tracker_init (EmberTaskTracker *self)
{
  self->state = g_atomic_rc_box_new0 (TrackerState);
  g_mutex_init (&self->state->mutex);
  self->state->cancellable = g_cancellable_new ();
}

/**
 * ember_task_tracker_new:
 * @max_threads: the most jobs that run at once (>= 1); more wait in order
 *
 * Returns: (transfer full): a new, open tracker
 */
EmberTaskTracker *
ember_task_tracker_new (guint max_threads)
{
  g_return_val_if_fail (max_threads >= 1 && max_threads <= G_MAXINT, NULL);

  return g_object_new (EMBER_TYPE_TASK_TRACKER, "max-threads", max_threads, NULL);
}

/**
 * ember_task_tracker_run:
 * @self: a tracker
 * @task: the job's task
 * @func: (scope async): runs in one of the tracker's threads and returns
 *   through @task, like with g_task_run_in_thread()
 *
 * Runs @func in the tracker's own pool. When @task has a cancellable it is
 * cancelled along with the tracker's (the link is undone when @func
 * returns); without one, @func gets the tracker's cancellable.
 *
 * Returns: %TRUE when the job was accepted; %FALSE after
 *   ember_task_tracker_close(), in which case @task has already been
 *   given %G_IO_ERROR_CLOSED
 */
gboolean
ember_task_tracker_run (EmberTaskTracker *self,
                        GTask            *task,
                        GTaskThreadFunc   func)
{
  TrackerState *state;
  g_autoptr(GError) error = NULL;
  GCancellable *task_cancellable;
  Job *job;

  g_return_val_if_fail (EMBER_IS_TASK_TRACKER (self), FALSE);
  g_return_val_if_fail (G_IS_TASK (task), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  state = self->state;

  g_mutex_lock (&state->mutex);
  if (state->closed)
    {
      g_mutex_unlock (&state->mutex);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED,
                               _("No new jobs are accepted while shutting down"));
      return FALSE;
    }
  state->n_running++;
  g_mutex_unlock (&state->mutex);

  job = g_new0 (Job, 1);
  job->state = g_atomic_rc_box_acquire (state);
  job->task = g_object_ref (task);
  job->func = func;

  task_cancellable = g_task_get_cancellable (task);
  if (task_cancellable != NULL)
    {
      job->cancellable = g_object_ref (task_cancellable);
      /* Runs at once when the tracker is already cancelled. */
      job->chain_handler = g_cancellable_connect (state->cancellable,
                                                  G_CALLBACK (chain_cancel_cb),
                                                  g_object_ref (task_cancellable),
                                                  g_object_unref);
    }
  else
    job->cancellable = g_object_ref (state->cancellable);

  /* Fails only when no thread could be started; the job stays queued and
   * runs once a thread of the pool is free. */
  if (!g_thread_pool_push (self->pool, job, &error))
    g_warning ("Could not start a worker thread, job queued: %s", error->message);

  return TRUE;
}

/**
 * ember_task_tracker_close:
 * @self: a tracker
 *
 * Refuses new jobs from now on; jobs already accepted still run.
 */
void
ember_task_tracker_close (EmberTaskTracker *self)
{
  g_return_if_fail (EMBER_IS_TASK_TRACKER (self));

  g_mutex_lock (&self->state->mutex);
  self->state->closed = TRUE;
  g_mutex_unlock (&self->state->mutex);
}

/**
 * ember_task_tracker_cancel_all:
 * @self: a tracker
 *
 * Cancels every job through the shared cancellable. This is for quitting:
 * the shared cancellable stays cancelled, so a job accepted afterwards
 * starts cancelled. Cancel single jobs through their task's cancellable.
 */
void
ember_task_tracker_cancel_all (EmberTaskTracker *self)
{
  g_return_if_fail (EMBER_IS_TASK_TRACKER (self));

  g_cancellable_cancel (self->state->cancellable);
}

/**
 * ember_task_tracker_get_n_running:
 * @self: a tracker
 *
 * Returns: the jobs accepted that have not returned yet, running or
 *   queued
 */
guint
ember_task_tracker_get_n_running (EmberTaskTracker *self)
{
  guint n_running;

  g_return_val_if_fail (EMBER_IS_TASK_TRACKER (self), 0);

  g_mutex_lock (&self->state->mutex);
  n_running = self->state->n_running;
  g_mutex_unlock (&self->state->mutex);

  return n_running;
}

/**
 * ember_task_tracker_get_cancellable:
 * @self: a tracker
 *
 * Returns: (transfer none): the cancellable shared by every job
 */
GCancellable *
ember_task_tracker_get_cancellable (EmberTaskTracker *self)
{
  g_return_val_if_fail (EMBER_IS_TASK_TRACKER (self), NULL);

  return self->state->cancellable;
}

static gboolean
wait_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;
  TrackerState *state = g_task_get_task_data (task);
  WaitRecord *record = NULL;

  g_mutex_lock (&state->mutex);
  for (GList *l = state->waiters; l != NULL; l = l->next)
    {
      WaitRecord *candidate = l->data;

      if (candidate->task == task)
        {
          record = candidate;
          state->waiters = g_list_delete_link (state->waiters, l);
          break;
        }
    }
  g_mutex_unlock (&state->mutex);

  /* NULL: the last job finished first and completed the wait. */
  if (record != NULL)
    {
      g_task_return_error_if_cancelled (record->task);
      g_source_unref (record->cancel_source);
      g_object_unref (record->task);
      g_free (record);
    }

  return G_SOURCE_REMOVE;
}

/**
 * ember_task_tracker_wait_async:
 * @self: a tracker
 * @cancellable: (nullable): stops waiting (not the jobs)
 * @callback: called on the thread-default main context of the caller
 * @user_data: data for @callback
 *
 * Completes when no job is left: at once when none runs now. On quit,
 * call ember_task_tracker_close() and ember_task_tracker_cancel_all()
 * first.
 */
void
ember_task_tracker_wait_async (EmberTaskTracker    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TrackerState *state;
  WaitRecord *record;

  g_return_if_fail (EMBER_IS_TASK_TRACKER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  state = self->state;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ember_task_tracker_wait_async);
  g_task_set_task_data (task, g_atomic_rc_box_acquire (state),
                        (GDestroyNotify) tracker_state_unref);

  record = g_new0 (WaitRecord, 1);
  record->task = g_object_ref (task);
  record->cancel_source = g_cancellable_source_new (cancellable);
  g_source_set_callback (record->cancel_source, G_SOURCE_FUNC (wait_cancelled_cb),
                         g_object_ref (task), g_object_unref);
  g_source_set_static_name (record->cancel_source, "[ember] task tracker wait");

  g_mutex_lock (&state->mutex);
  if (state->n_running > 0)
    {
      state->waiters = g_list_prepend (state->waiters, record);
      /* Attached under the lock, so a completion that has to destroy it
       * cannot come first. */
      g_source_attach (record->cancel_source, g_task_get_context (task));
      record = NULL;
    }
  g_mutex_unlock (&state->mutex);

  if (record != NULL)
    wait_record_complete (record);
}

/**
 * ember_task_tracker_wait_finish:
 * @self: a tracker
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when every job has returned, %FALSE with
 *   %G_IO_ERROR_CANCELLED when the wait was cancelled
 */
gboolean
ember_task_tracker_wait_finish (EmberTaskTracker  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (EMBER_IS_TASK_TRACKER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ember_task_tracker_wait_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
