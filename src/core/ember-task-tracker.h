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

EmberTaskTracker *ember_task_tracker_new            (guint              max_threads);
/* Runs @func for @task in the tracker's pool. The task's cancellable (which
 * must be set) is chained to the tracker's shared one. Returns FALSE and
 * returns G_IO_ERROR_CLOSED through the task once the tracker is closed. */
gboolean          ember_task_tracker_run            (EmberTaskTracker  *self,
                                                     GTask             *task,
                                                     GTaskThreadFunc    func);
/* Refuses new jobs from now on. */
void              ember_task_tracker_close          (EmberTaskTracker  *self);
/* Cancels every running job through the shared cancellable. */
void              ember_task_tracker_cancel_all     (EmberTaskTracker  *self);
guint             ember_task_tracker_get_n_running  (EmberTaskTracker  *self);
GCancellable     *ember_task_tracker_get_cancellable (EmberTaskTracker *self);
/* Completes (on the caller's thread-default main context) when every job
 * has returned. */
void              ember_task_tracker_wait_async     (EmberTaskTracker  *self,
                                                     GCancellable      *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer           user_data);
gboolean          ember_task_tracker_wait_finish    (EmberTaskTracker  *self,
                                                     GAsyncResult      *result,
                                                     GError           **error);

G_END_DECLS
