/* ember-sync-dbus-client.h: the io.github.ember.Ember.Sync D-Bus interface
 * of a running Ember, its status document, and a client for it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The running app exports the interface on its GApplication object path
 * (/io/github/ember/Ember for the id io.github.ember.Ember):
 *
 *   GetStatus () -> (s status_json)     the status document below
 *   SyncNow (x account_id)              0: every account;
 *                                       io.github.ember.Ember.Sync.Error.NoSuchAccount
 *   signal StatusChanged (x account_id, s status)
 *                                       account 0: the overall status
 *   property Status (s)                 the overall status
 *
 * Statuses are ember_sync_status_to_string ()'s words.
 *
 * The status document is a JSON object; its accounts carry the fields
 * `ember-cli status --json` prints from the store, so both agree:
 *   "version" (1), "running" (a running app answered);
 *   when running: "status", "paused", "online", "busy", "progress" (0..1);
 *   "accounts": [{"id", "provider", "email", "display_name", "state",
 *     "needs_sign_in", "last_sync", "last_error", "last_error_time",
 *     "messages", "unread", "folders", "calendars", "events",
 *     "resources": [{"resource", "phase", "last_success", "last_error",
 *     "last_error_time"}], when running "syncs": {"succeeded", "failed"}
 *     since the app started}];
 *   "pool": the database pool's counters; "http": the HTTP counters and
 *   latency histogram; "error_rates": {"http_errors", "http_failures",
 *   "syncs"} as fractions of requests or syncs; "metrics": every metric.
 * Times are "YYYY-MM-DDTHH:MM:SSZ" (UTC) or null. Without the app, "state"
 * is "never-synced", "idle" or "error", as ember-cli says.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ember-db-pool.h"
#include "ember-metrics.h"
#include "ember-sync-manager.h"

G_BEGIN_DECLS

#define EMBER_SYNC_DBUS_INTERFACE "io.github.ember.Ember.Sync"

/* The interface's introspection data (transfer none, lives for the
 * process). Registering it also maps EMBER_SYNC_ERROR codes to D-Bus error
 * names (io.github.ember.Ember.Sync.Error.*), so both ends see GErrors of
 * that domain. */
GDBusInterfaceInfo *ember_sync_dbus_get_interface_info (void);

/* Builds the status document from @statuses ((element-type
 * EmberAccountStatus), as ember_store_list_account_status_sync () returns
 * them). With @manager (nullable) the document describes a running app:
 * live states, errors and progress; without, it is read from the store
 * alone and "running" is false. @pool and @metrics may be NULL (no pool
 * section; the default metrics registry). @sync_counts, when not NULL, maps
 * gint64* account ids to guint64[2] {succeeded, failed}. */
JsonNode *ember_sync_dbus_build_status  (GPtrArray        *statuses,
                                         EmberSyncManager *manager,
                                         EmberDbPool      *pool,
                                         EmberMetrics     *metrics,
                                         GHashTable       *sync_counts);

/* Client side: @connection NULL means the session bus, @bus_name NULL the
 * app's id. Never starts Ember: when it is not running (or is still
 * opening its store), fails with G_IO_ERROR_NOT_FOUND, and the caller can
 * read the store instead. Both block; use them from a command-line tool or a
 * worker thread. */
JsonNode *ember_sync_dbus_get_status_sync (GDBusConnection  *connection,
                                           const char       *bus_name,
                                           GCancellable     *cancellable,
                                           GError          **error);
gboolean  ember_sync_dbus_sync_now_sync   (GDBusConnection  *connection,
                                           const char       *bus_name,
                                           gint64            account_id,
                                           GCancellable     *cancellable,
                                           GError          **error);

G_END_DECLS
