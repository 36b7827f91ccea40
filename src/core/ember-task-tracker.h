/* ember-task-tracker.h: runs long jobs in its own bounded thread pool,
 * cancels them together, waits for them on quit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define EMBER_TYPE_TASK_TRACKER (ember_task_tracker_get_type ())
G_DECLARE_FINAL_TYPE (EmberTaskTracker, ember_task_tracker, EMBER, TASK_TRACKER, GObject)

/* @max_threads (>= 1): the most jobs running at once; more are queued in
 * order. The pool is the tracker's own, not GIO's shared GTask pool. */
EmberTaskTracker *ember_task_tracker_new            (guint              max_threads);
/* Runs @func for @task in the tracker's pool, like g_task_run_in_thread().
 * The task's cancellable, when it has one, is cancelled together with the
 * tracker's shared one (the link is undone when @func returns); a task
 * without one hands @func the shared cancellable. Returns FALSE, and
 * returns G_IO_ERROR_CLOSED through the task, once the tracker is closed. */
gboolean          ember_task_tracker_run            (EmberTaskTracker  *self,
                                                     GTask             *task,
                                                     GTaskThreadFunc    func);
/* Refuses new jobs from now on. */
void              ember_task_tracker_close          (EmberTaskTracker  *self);
/* Cancels every job through the shared cancellable. Meant for quitting:
 * the shared cancellable stays cancelled, so later jobs start cancelled.
 * Disposing of the tracker closes it and cancels its jobs too. */
void              ember_task_tracker_cancel_all     (EmberTaskTracker  *self);
/* Jobs accepted that have not returned yet (running or queued). */
guint             ember_task_tracker_get_n_running  (EmberTaskTracker  *self);
GCancellable     *ember_task_tracker_get_cancellable (EmberTaskTracker *self);
/* Completes (on the caller's thread-default main context) when every job
 * has returned; at once when none runs. @cancellable stops the wait, not
 * the jobs. Quit: close, cancel_all, then wait. */
void              ember_task_tracker_wait_async     (EmberTaskTracker  *self,
                                                     GCancellable      *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer           user_data);
gboolean          ember_task_tracker_wait_finish    (EmberTaskTracker  *self,
                                                     GAsyncResult      *result,
                                                     GError           **error);

G_END_DECLS
