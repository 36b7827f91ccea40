/* ember-sync-manager.h: schedules sync jobs and tells the front ends about them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ember-provider.h"
#include "ember-store.h"
#include "ember-user-error.h"

G_BEGIN_DECLS

typedef enum
{
  EMBER_SYNC_STATUS_IDLE,
  EMBER_SYNC_STATUS_SYNCING,
  EMBER_SYNC_STATUS_ERROR,
  EMBER_SYNC_STATUS_NEEDS_SIGN_IN,
  EMBER_SYNC_STATUS_OFFLINE,
  EMBER_SYNC_STATUS_PAUSED,
} EmberSyncStatus;

GType       ember_sync_status_get_type  (void) G_GNUC_CONST;
#define EMBER_TYPE_SYNC_STATUS (ember_sync_status_get_type ())
/* "idle", "syncing", "error", "needs-sign-in", "offline", "paused" */
const char *ember_sync_status_to_string (EmberSyncStatus status);

/* Makes the provider for one account. Called on a worker thread. */
typedef EmberProvider *(*EmberProviderFactoryFunc) (const EmberAccountRecord *account,
                                                    gpointer                  user_data,
                                                    GError                  **error);

#define EMBER_TYPE_SYNC_MANAGER (ember_sync_manager_get_type ())
G_DECLARE_FINAL_TYPE (EmberSyncManager, ember_sync_manager, EMBER, SYNC_MANAGER, GObject)

/* Lives on the thread whose thread-default main context is current when it
 * is created (the main thread in the app); every signal and property
 * notification is emitted there. */
EmberSyncManager *ember_sync_manager_new          (EmberStore               *store,
                                                   EmberProviderFactoryFunc  factory,
                                                   gpointer                  factory_data,
                                                   GDestroyNotify            factory_data_destroy);

/* Reads the accounts from the store (off the calling thread) and starts a
 * first sync of each when @sync is TRUE. */
void              ember_sync_manager_load_async   (EmberSyncManager   *self,
                                                   gboolean            sync,
                                                   GCancellable       *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer            user_data);
gboolean          ember_sync_manager_load_finish  (EmberSyncManager   *self,
                                                   GAsyncResult       *result,
                                                   GError            **error);

/* Starts a sync of one account, or of all when @account_id is 0. An account
 * that is already syncing is left alone; others wait for a free slot. */
void              ember_sync_manager_sync_now     (EmberSyncManager   *self,
                                                   gint64              account_id);
/* Cancels a running sync of one account (or all, with 0). */
void              ember_sync_manager_cancel       (EmberSyncManager   *self,
                                                   gint64              account_id);

void              ember_sync_manager_set_paused   (EmberSyncManager   *self,
                                                   gboolean            paused);
gboolean          ember_sync_manager_get_paused   (EmberSyncManager   *self);
/* Seconds between periodic syncs; 0 turns periodic sync off. */
void              ember_sync_manager_set_interval (EmberSyncManager   *self,
                                                   guint               seconds);
guint             ember_sync_manager_get_interval (EmberSyncManager   *self);
/* At most this many jobs run at once (default 4). */
void              ember_sync_manager_set_max_jobs (EmberSyncManager   *self,
                                                   guint               max_jobs);

EmberSyncStatus   ember_sync_manager_get_status   (EmberSyncManager   *self);
double            ember_sync_manager_get_fraction (EmberSyncManager   *self);
gboolean          ember_sync_manager_get_busy     (EmberSyncManager   *self);
gboolean          ember_sync_manager_get_online   (EmberSyncManager   *self);

/* Per account. */
GArray           *ember_sync_manager_list_accounts       (EmberSyncManager *self);
EmberSyncStatus   ember_sync_manager_get_account_status  (EmberSyncManager *self,
                                                          gint64            account_id);
/* Transfer none; NULL when the last sync went well. */
const EmberUserError *ember_sync_manager_get_account_error (EmberSyncManager *self,
                                                            gint64            account_id);
const char       *ember_sync_manager_get_account_email    (EmberSyncManager *self,
                                                          gint64            account_id);
/* "gmail" or "microsoft" */
const char       *ember_sync_manager_get_account_provider (EmberSyncManager *self,
                                                          gint64            account_id);
/* FALSE when the account is not syncing. */
gboolean          ember_sync_manager_get_account_progress (EmberSyncManager *self,
                                                          gint64            account_id,
                                                          guint64          *done,
                                                          guint64          *total);
/* Wall-clock µs of the last successful sync, 0 if none this run. */
gint64            ember_sync_manager_get_account_last_success (EmberSyncManager *self,
                                                               gint64            account_id);
void              ember_sync_manager_add_account         (EmberSyncManager *self,
                                                          gint64            account_id);
void              ember_sync_manager_remove_account      (EmberSyncManager *self,
                                                          gint64            account_id);

/* Refuses new jobs, cancels the running ones and completes when every job
 * has returned; committed pages stay committed. */
void              ember_sync_manager_shutdown_async  (EmberSyncManager   *self,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
gboolean          ember_sync_manager_shutdown_finish (EmberSyncManager   *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);

G_END_DECLS
