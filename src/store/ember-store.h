/* ember-store.h: Ember's local copy of mail and calendars
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * All _sync functions block and may be called from any thread (the store
 * is thread-safe); the main thread uses the _async variants. Errors are in
 * EMBER_STORE_ERROR (or G_IO_ERROR_CANCELLED).
 */
#pragma once

#include <gio/gio.h>

#include "ember-db-pool.h"
#include "ember-store-types.h"

G_BEGIN_DECLS

#define EMBER_STORE_DB_FILE_NAME "ember.db"

#define EMBER_TYPE_STORE (ember_store_get_type ())
G_DECLARE_FINAL_TYPE (EmberStore, ember_store, EMBER, STORE, GObject)

/* $XDG_DATA_HOME/ember */
char               *ember_store_get_default_data_dir   (void);

/* Opens (creating it when needed) @data_dir/ember.db and brings its schema
 * up to date. @data_dir NULL means the default. See ember_db_pool_new_sync ()
 * for the errors at open, plus EMBER_STORE_ERROR_SCHEMA_TOO_NEW. Other
 * settings: g_initable_new () with "data-dir", "pool" (an open pool to use
 * instead), "clock" (the time stamps of accounts and sync state) and
 * "check-integrity" (FALSE skips PRAGMA quick_check at open, which reads
 * the whole file; the header and schema are checked either way). */
EmberStore         *ember_store_new_sync               (const char          *data_dir,
                                                        GCancellable        *cancellable,
                                                        GError             **error);
void                ember_store_new_async              (const char          *data_dir,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
EmberStore         *ember_store_new_finish             (GAsyncResult        *result,
                                                        GError             **error);
EmberDbPool        *ember_store_get_pool               (EmberStore          *self);
const char         *ember_store_get_path               (EmberStore          *self);

/* Accounts */

/* Stores a new account and returns its id (> 0), or 0 with @error set
 * (an account with the same provider and address already exists, ...). */
gint64              ember_store_add_account_sync       (EmberStore                *self,
                                                        const EmberAccountRecord  *account,
                                                        GCancellable              *cancellable,
                                                        GError                   **error);
/* Writes every field of @account (found by its id). */
gboolean            ember_store_update_account_sync    (EmberStore                *self,
                                                        const EmberAccountRecord  *account,
                                                        GCancellable              *cancellable,
                                                        GError                   **error);
/* Removes the account and everything stored for it. */
gboolean            ember_store_remove_account_sync    (EmberStore          *self,
                                                        gint64               account_id,
                                                        GCancellable        *cancellable,
                                                        GError             **error);
/* EMBER_STORE_ERROR_NOT_FOUND when there is no such account. */
EmberAccountRecord *ember_store_get_account_sync       (EmberStore          *self,
                                                        gint64               account_id,
                                                        GCancellable        *cancellable,
                                                        GError             **error);
/* (element-type EmberAccountRecord), by id. */
GPtrArray          *ember_store_list_accounts_sync     (EmberStore          *self,
                                                        GCancellable        *cancellable,
                                                        GError             **error);

/* Sync pages: each commits its records and advances its resource's cursor
 * in one transaction; on any error nothing of it is kept and the cursor is
 * unchanged. Records are upserted by provider id, so replaying a page
 * changes nothing. */
gboolean            ember_store_save_folder_page_sync  (EmberStore             *self,
                                                        gint64                  account_id,
                                                        const EmberFolderPage  *page,
                                                        GCancellable           *cancellable,
                                                        GError                **error);
gboolean            ember_store_save_message_page_sync (EmberStore              *self,
                                                        gint64                   account_id,
                                                        const EmberMessagePage  *page,
                                                        GCancellable            *cancellable,
                                                        GError                 **error);
gboolean            ember_store_save_calendar_page_sync (EmberStore               *self,
                                                         gint64                    account_id,
                                                         const EmberCalendarPage  *page,
                                                         GCancellable             *cancellable,
                                                         GError                  **error);
/* The page's calendar must have been saved before (NOT_FOUND otherwise). */
gboolean            ember_store_save_event_page_sync   (EmberStore            *self,
                                                        gint64                 account_id,
                                                        const EmberEventPage  *page,
                                                        GCancellable          *cancellable,
                                                        GError               **error);

/* Sync state */

/* Never NULL on success: a resource never synced gives a record with a NULL
 * cursor and phase. */
EmberSyncState     *ember_store_get_sync_state_sync    (EmberStore          *self,
                                                        gint64               account_id,
                                                        const char          *resource,
                                                        GCancellable        *cancellable,
                                                        GError             **error);
/* (element-type EmberSyncState) of one account, by resource. */
GPtrArray          *ember_store_list_sync_states_sync  (EmberStore          *self,
                                                        gint64               account_id,
                                                        GCancellable        *cancellable,
                                                        GError             **error);
/* Sets the cursor (NULL clears it: the next sync is a full one) and, when
 * @phase is not NULL, the phase, without a page. */
gboolean            ember_store_set_sync_cursor_sync   (EmberStore          *self,
                                                        gint64               account_id,
                                                        const char          *resource,
                                                        const char          *cursor,
                                                        const char          *phase,
                                                        GCancellable        *cancellable,
                                                        GError             **error);
/* last_success = now, last_error cleared. */
gboolean            ember_store_record_sync_success_sync (EmberStore        *self,
                                                          gint64             account_id,
                                                          const char        *resource,
                                                          GCancellable      *cancellable,
                                                          GError           **error);
/* last_error = @message (redacted again here), last_error_time = now. */
gboolean            ember_store_record_sync_error_sync (EmberStore          *self,
                                                        gint64               account_id,
                                                        const char          *resource,
                                                        const char          *message,
                                                        GCancellable        *cancellable,
                                                        GError             **error);
/* Either of the two above: @error_message NULL records a success. */
gboolean            ember_store_record_sync_result_sync (EmberStore        *self,
                                                         gint64             account_id,
                                                         const char        *resource,
                                                         const char        *error_message,
                                                         GCancellable      *cancellable,
                                                         GError           **error);
gboolean            ember_store_set_sync_extra_sync    (EmberStore          *self,
                                                        gint64               account_id,
                                                        const char          *resource,
                                                        const char          *extra_json,
                                                        GCancellable        *cancellable,
                                                        GError             **error);

/* Mail */

/* (element-type EmberFolderRecord) of @account_id (0: all), with
 * unread_count and total_count, inbox first then by kind and name. */
GPtrArray          *ember_store_list_folders_sync      (EmberStore          *self,
                                                        gint64               account_id,
                                                        GCancellable        *cancellable,
                                                        GError             **error);
/* One keyset page, newest first (element-type EmberMessageRecord, without
 * bodies, with folder ids and names). Continue with
 * query->after = ember_message_cursor_after (last row). */
GPtrArray          *ember_store_list_messages_sync     (EmberStore               *self,
                                                        const EmberMessageQuery  *query,
                                                        GCancellable             *cancellable,
                                                        GError                  **error);
/* The list rows (as ember_store_list_messages_sync () gives them, but
 * without folders) of the messages @ids, in the order of @ids; messages
 * that are gone are left out. */
GPtrArray          *ember_store_list_messages_by_id_sync (EmberStore          *self,
                                                          const gint64        *ids,
                                                          guint                n_ids,
                                                          GCancellable        *cancellable,
                                                          GError             **error);
/* The whole message, bodies included; NOT_FOUND when it is gone. */
EmberMessageRecord *ember_store_get_message_sync       (EmberStore          *self,
                                                        gint64               message_id,
                                                        GCancellable        *cancellable,
                                                        GError             **error);
EmberMessageRecord *ember_store_find_message_sync      (EmberStore          *self,
                                                        gint64               account_id,
                                                        const char          *provider_id,
                                                        GCancellable        *cancellable,
                                                        GError             **error);
/* Full-text search (see ember-store-search.h for the syntax) over subject,
 * sender, recipients, snippet and text body; best match first, newest first
 * among equals. An empty or match-nothing query gives an empty array. */
GPtrArray          *ember_store_search_messages_sync   (EmberStore          *self,
                                                        const char          *text,
                                                        gint64               account_id,
                                                        guint                limit,
                                                        GCancellable        *cancellable,
                                                        GError             **error);

/* Calendar */

/* (element-type EmberCalendarRecord) of @account_id (0: all). */
GPtrArray          *ember_store_list_calendars_sync    (EmberStore          *self,
                                                        gint64               account_id,
                                                        GCancellable        *cancellable,
                                                        GError             **error);
/* Events overlapping [@from, @to) (UTC seconds) of @account_id (0: all),
 * by start; cancelled ones are left out. */
GPtrArray          *ember_store_list_events_sync       (EmberStore          *self,
                                                        gint64               account_id,
                                                        gint64               from,
                                                        gint64               to,
                                                        GCancellable        *cancellable,
                                                        GError             **error);
/* One event with its reminder resolved; NOT_FOUND when it is gone. */
EmberEventRecord   *ember_store_get_event_sync         (EmberStore          *self,
                                                        gint64               event_id,
                                                        GCancellable        *cancellable,
                                                        GError             **error);

/* Status */

gboolean            ember_store_get_account_counts_sync (EmberStore         *self,
                                                         gint64              account_id,
                                                         EmberAccountCounts *counts,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
/* (element-type EmberAccountStatus): every account with counts and sync
 * states. */
GPtrArray          *ember_store_list_account_status_sync (EmberStore        *self,
                                                          GCancellable      *cancellable,
                                                          GError           **error);

/* Maintenance */

/* Merges the search index's segments (a long sync leaves many; searches
 * then read fewer) and refreshes the query planner's statistics. Runs as
 * many short write transactions; call it when a sync pass is done. */
gboolean            ember_store_optimize_sync          (EmberStore          *self,
                                                        GCancellable        *cancellable,
                                                        GError             **error);

/* Main-thread wrappers: each runs its _sync twin in a worker thread. The
 * arguments are copied, so they need not outlive the call. */
void                ember_store_list_messages_async    (EmberStore               *self,
                                                        const EmberMessageQuery  *query,
                                                        GCancellable             *cancellable,
                                                        GAsyncReadyCallback       callback,
                                                        gpointer                  user_data);
GPtrArray          *ember_store_list_messages_finish   (EmberStore          *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void                ember_store_list_messages_by_id_async (EmberStore         *self,
                                                          const gint64       *ids,
                                                          guint               n_ids,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
GPtrArray          *ember_store_list_messages_by_id_finish (EmberStore        *self,
                                                            GAsyncResult      *result,
                                                            GError           **error);
void                ember_store_get_message_async      (EmberStore          *self,
                                                        gint64               message_id,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
EmberMessageRecord *ember_store_get_message_finish     (EmberStore          *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void                ember_store_search_messages_async  (EmberStore          *self,
                                                        const char          *text,
                                                        gint64               account_id,
                                                        guint                limit,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GPtrArray          *ember_store_search_messages_finish (EmberStore          *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void                ember_store_list_folders_async     (EmberStore          *self,
                                                        gint64               account_id,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GPtrArray          *ember_store_list_folders_finish    (EmberStore          *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void                ember_store_list_events_async      (EmberStore          *self,
                                                        gint64               account_id,
                                                        gint64               from,
                                                        gint64               to,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GPtrArray          *ember_store_list_events_finish     (EmberStore          *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void                ember_store_get_event_async        (EmberStore          *self,
                                                        gint64               event_id,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
EmberEventRecord   *ember_store_get_event_finish       (EmberStore          *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void                ember_store_list_accounts_async    (EmberStore          *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GPtrArray          *ember_store_list_accounts_finish   (EmberStore          *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void                ember_store_list_account_status_async  (EmberStore          *self,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
GPtrArray          *ember_store_list_account_status_finish (EmberStore          *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);
/* Writes the preferences pane makes. */
void                ember_store_add_account_async      (EmberStore                *self,
                                                        const EmberAccountRecord  *account,
                                                        GCancellable              *cancellable,
                                                        GAsyncReadyCallback        callback,
                                                        gpointer                   user_data);
gint64              ember_store_add_account_finish     (EmberStore          *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void                ember_store_update_account_async   (EmberStore                *self,
                                                        const EmberAccountRecord  *account,
                                                        GCancellable              *cancellable,
                                                        GAsyncReadyCallback        callback,
                                                        gpointer                   user_data);
gboolean            ember_store_update_account_finish  (EmberStore          *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void                ember_store_remove_account_async   (EmberStore          *self,
                                                        gint64               account_id,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean            ember_store_remove_account_finish  (EmberStore          *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

/* Local flags: set a message's unread flag in this copy only. It is not
 * sent to the server yet, so the server's state replaces it whenever a
 * sync brings that message again (it changed there, or a full resync).
 * Folder unread counts follow. NOT_FOUND when the message is gone. */
gboolean            ember_store_set_message_unread_sync   (EmberStore          *self,
                                                           gint64               message_id,
                                                           gboolean             unread,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
void                ember_store_set_message_unread_async  (EmberStore          *self,
                                                           gint64               message_id,
                                                           gboolean             unread,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean            ember_store_set_message_unread_finish (EmberStore          *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

G_END_DECLS
