/* ember-sync-report.h: what a running sync job tells the world
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define EMBER_TYPE_SYNC_REPORT (ember_sync_report_get_type ())
G_DECLARE_FINAL_TYPE (EmberSyncReport, ember_sync_report, EMBER, SYNC_REPORT, GObject)

/* Called on the worker thread each time the job reports progress. The
 * receiver must be cheap and must not block (the sync manager only stores
 * the latest value and schedules one main-context update). */
typedef void (*EmberSyncProgressFunc) (EmberSyncReport *report,
                                       gpointer         user_data);

EmberSyncReport *ember_sync_report_new        (EmberSyncProgressFunc  func,
                                               gpointer               user_data,
                                               GDestroyNotify         destroy);

/* Worker side. @phase is a short machine word ("folders", "mail",
 * "calendar"); @message is for people ("Fetching messages"), may be NULL.
 * @total 0 means unknown. */
void             ember_sync_report_progress   (EmberSyncReport *self,
                                               const char      *phase,
                                               guint64          done,
                                               guint64          total,
                                               const char      *message);
/* Messages that arrived since the last sync (not counted on a first sync). */
void             ember_sync_report_add_new_messages   (EmberSyncReport *self,
                                                       guint            n);
void             ember_sync_report_add_changed_events (EmberSyncReport *self,
                                                       guint            n);
void             ember_sync_report_add_stored_messages (EmberSyncReport *self,
                                                        guint            n);

/* Any thread: a consistent snapshot of the latest values. */
void             ember_sync_report_get_progress (EmberSyncReport *self,
                                                 char           **phase,
                                                 guint64         *done,
                                                 guint64         *total,
                                                 char           **message);
guint            ember_sync_report_get_new_messages    (EmberSyncReport *self);
guint            ember_sync_report_get_changed_events  (EmberSyncReport *self);
guint            ember_sync_report_get_stored_messages (EmberSyncReport *self);

G_END_DECLS
