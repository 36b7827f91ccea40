/* tray-test-utils.h: a private session bus and the peers the tray talks to
 * (a StatusNotifierWatcher, a notification server), for the tray tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Starts a private dbus-daemon (GTestDBus) and points
 * DBUS_SESSION_BUS_ADDRESS at it. */
GTestDBus       *tray_test_bus_up          (void);
/* A new, separate connection to @bus (its own unique name). */
GDBusConnection *tray_test_connect         (GTestDBus       *bus);
gboolean         tray_test_name_has_owner  (GDBusConnection *connection,
                                            const char      *name);
/* Waits (iterating the main context) until @name has an owner, or not. */
gboolean         tray_test_wait_for_name   (GDBusConnection *connection,
                                            const char      *name,
                                            gboolean         owned,
                                            guint            timeout_ms);
/* Like g_dbus_connection_call_sync () but iterates the main context while
 * waiting, since the peer may live in this process (and be served by this
 * main loop). */
GVariant        *tray_test_call            (GDBusConnection     *connection,
                                            const char          *bus_name,
                                            const char          *object_path,
                                            const char          *interface_name,
                                            const char          *method,
                                            GVariant            *parameters,
                                            const GVariantType  *reply_type,
                                            GError             **error);
/* Calls org.freedesktop.DBus.Properties.Get and returns the unboxed value
 * (aborts the test on error). */
GVariant        *tray_test_get_property    (GDBusConnection *connection,
                                            const char      *bus_name,
                                            const char      *object_path,
                                            const char      *interface_name,
                                            const char      *property);

/* Records the signals of one name on one connection. */
typedef struct _TraySignalLog TraySignalLog;
TraySignalLog   *tray_signal_log_new       (GDBusConnection *connection,
                                            const char      *sender,
                                            const char      *object_path,
                                            const char      *interface_name);
void             tray_signal_log_free      (TraySignalLog   *log);
/* How many signals named @member came in so far. */
guint            tray_signal_log_count     (TraySignalLog   *log,
                                            const char      *member);
/* The parameters of the last signal named @member, or NULL. */
GVariant        *tray_signal_log_last      (TraySignalLog   *log,
                                            const char      *member);
void             tray_signal_log_clear     (TraySignalLog   *log);
gboolean         tray_signal_log_wait      (TraySignalLog   *log,
                                            const char      *member,
                                            guint            count,
                                            guint            timeout_ms);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TraySignalLog, tray_signal_log_free)

/* A StatusNotifierWatcher on its own connection, as a panel would run. It
 * checks each registered item by reading its Id back. */
typedef struct _TestWatcher TestWatcher;
TestWatcher     *test_watcher_start        (GTestDBus       *bus);
/* Drops the connection at once, as if the watcher's process died. */
void             test_watcher_stop         (TestWatcher     *watcher);
/* Service strings as the items sent them, in order. */
GPtrArray       *test_watcher_get_items    (TestWatcher     *watcher);
/* The Id each registered item answered with. */
GPtrArray       *test_watcher_get_item_ids (TestWatcher     *watcher);
gboolean         test_watcher_wait_for_items (TestWatcher   *watcher,
                                              guint          n_items,
                                              guint          timeout_ms);

/* org.freedesktop.Notifications, recording each Notify. */
typedef struct
{
  guint32  id;
  guint32  replaces_id;
  char    *app_name;
  char    *summary;
  char    *body;
  char   **actions;  /* key, label, key, label, ... */
  GVariant *hints;
  char    *sender;
} TestNotification;

typedef struct _TestNotificationServer TestNotificationServer;
TestNotificationServer *test_notification_server_start (GTestDBus *bus);
void             test_notification_server_stop  (TestNotificationServer *server);
/* (element-type TestNotification) every Notify call so far. */
GPtrArray       *test_notification_server_get_notifications (TestNotificationServer *server);
gboolean         test_notification_server_wait  (TestNotificationServer *server,
                                                 guint                   n_notifications,
                                                 guint                   timeout_ms);
guint            test_notification_server_get_n_closed (TestNotificationServer *server);
/* The id of the last CloseNotification call, 0 if none. */
guint32          test_notification_server_get_last_closed (TestNotificationServer *server);
/* Tells the clients that every notification was dismissed
 * (NotificationClosed, reason 2), as a person clearing the tray would. */
void             test_notification_server_dismiss_all (TestNotificationServer *server);
/* Emits ActionInvoked(@id, @action_key) as a click would. */
void             test_notification_server_invoke (TestNotificationServer *server,
                                                  const TestNotification *notification,
                                                  const char             *action_key);

G_END_DECLS
