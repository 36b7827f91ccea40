/* tray-test-utils.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-test-utils.h"
#include "tray-test-utils.h"

GTestDBus *
tray_test_bus_up (void)
{
  GTestDBus *bus = g_test_dbus_new (G_TEST_DBUS_NONE);

  g_test_dbus_up (bus);
  g_assert_nonnull (g_test_dbus_get_bus_address (bus));

  return bus;
}

GDBusConnection *
tray_test_connect (GTestDBus *bus)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection;

  connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (connection, FALSE);

  return connection;
}

gboolean
tray_test_name_has_owner (GDBusConnection *connection,
                          const char      *name)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  gboolean has_owner = FALSE;

  reply = g_dbus_connection_call_sync (connection,
                                       "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", name),
                                       G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(b)", &has_owner);

  return has_owner;
}

typedef struct
{
  GDBusConnection *connection;
  const char      *name;
  gboolean         owned;
} NameWait;

static gboolean
name_state_reached (gpointer data)
{
  NameWait *wait = data;

  return tray_test_name_has_owner (wait->connection, wait->name) == wait->owned;
}

gboolean
tray_test_wait_for_name (GDBusConnection *connection,
                         const char      *name,
                         gboolean         owned,
                         guint            timeout_ms)
{
  NameWait wait = { connection, name, owned };

  return ember_test_wait_for (name_state_reached, &wait, timeout_ms);
}

typedef struct
{
  GVariant *reply;
  GError   *error;
  gboolean  done;
} CallWait;

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CallWait *wait = user_data;

  wait->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &wait->error);
  wait->done = TRUE;
}

GVariant *
tray_test_call (GDBusConnection     *connection,
                const char          *bus_name,
                const char          *object_path,
                const char          *interface_name,
                const char          *method,
                GVariant            *parameters,
                const GVariantType  *reply_type,
                GError             **error)
{
  CallWait wait = { NULL, NULL, FALSE };

  g_dbus_connection_call (connection, bus_name, object_path, interface_name, method,
                          parameters, reply_type, G_DBUS_CALL_FLAGS_NONE, 10000, NULL,
                          call_done_cb, &wait);
  /* The call itself times out after 10 s, so this always finishes. */
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);

  if (wait.error != NULL)
    g_propagate_error (error, wait.error);

  return wait.reply;
}

GVariant *
tray_test_get_property (GDBusConnection *connection,
                        const char      *bus_name,
                        const char      *object_path,
                        const char      *interface_name,
                        const char      *property)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariant *value;

  reply = tray_test_call (connection, bus_name, object_path,
                          "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", interface_name, property),
                          G_VARIANT_TYPE ("(v)"), &error);
  if (error != NULL)
    g_error ("expected to read %s.%s of %s%s, got: %s",
             interface_name, property, bus_name, object_path, error->message);
  g_variant_get (reply, "(v)", &value);

  return value;
}

/* Signal log */

struct _TraySignalLog
{
  GDBusConnection *connection;
  guint            subscription;
  GPtrArray       *members;     /* (element-type utf8) */
  GPtrArray       *parameters;  /* (element-type GVariant) */
};

static void
signal_logged_cb (GDBusConnection *connection,
                  const char      *sender_name,
                  const char      *object_path,
                  const char      *interface_name,
                  const char      *signal_name,
                  GVariant        *parameters,
                  gpointer         user_data)
{
  TraySignalLog *log = user_data;

  g_ptr_array_add (log->members, g_strdup (signal_name));
  g_ptr_array_add (log->parameters, g_variant_ref (parameters));
}

TraySignalLog *
tray_signal_log_new (GDBusConnection *connection,
                     const char      *sender,
                     const char      *object_path,
                     const char      *interface_name)
{
  TraySignalLog *log = g_new0 (TraySignalLog, 1);

  log->connection = g_object_ref (connection);
  log->members = g_ptr_array_new_with_free_func (g_free);
  log->parameters = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  log->subscription = g_dbus_connection_signal_subscribe (connection, sender, interface_name,
                                                          NULL, object_path, NULL,
                                                          G_DBUS_SIGNAL_FLAGS_NONE,
                                                          signal_logged_cb, log, NULL);
  /* The bus handles one connection's messages in order: once it answered
   * this, the match rule is in place and no signal can slip by. */
  g_assert_true (tray_test_name_has_owner (connection, "org.freedesktop.DBus"));
  return log;
}

void
tray_signal_log_free (TraySignalLog *log)
{
  g_dbus_connection_signal_unsubscribe (log->connection, log->subscription);
  g_clear_object (&log->connection);
  g_ptr_array_unref (log->members);
  g_ptr_array_unref (log->parameters);
  g_free (log);
}

guint
tray_signal_log_count (TraySignalLog *log,
                       const char    *member)
{
  guint count = 0;

  for (guint i = 0; i < log->members->len; i++)
    count += g_str_equal (g_ptr_array_index (log->members, i), member);

  return count;
}

GVariant *
tray_signal_log_last (TraySignalLog *log,
                      const char    *member)
{
  for (guint i = log->members->len; i > 0; i--)
    {
      if (g_str_equal (g_ptr_array_index (log->members, i - 1), member))
        return g_ptr_array_index (log->parameters, i - 1);
    }

  return NULL;
}

void
tray_signal_log_clear (TraySignalLog *log)
{
  g_ptr_array_set_size (log->members, 0);
  g_ptr_array_set_size (log->parameters, 0);
}

typedef struct
{
  TraySignalLog *log;
  const char    *member;
  guint          count;
} SignalWait;

static gboolean
signal_count_reached (gpointer data)
{
  SignalWait *wait = data;

  return tray_signal_log_count (wait->log, wait->member) >= wait->count;
}

gboolean
tray_signal_log_wait (TraySignalLog *log,
                      const char    *member,
                      guint          count,
                      guint          timeout_ms)
{
  SignalWait wait = { log, member, count };

  return ember_test_wait_for (signal_count_reached, &wait, timeout_ms);
}

/* StatusNotifierWatcher */

static const char watcher_xml[] =
  "<node>"
  "  <interface name='org.kde.StatusNotifierWatcher'>"
  "    <method name='RegisterStatusNotifierItem'>"
  "      <arg name='service' type='s' direction='in'/>"
  "    </method>"
  "    <method name='RegisterStatusNotifierHost'>"
  "      <arg name='service' type='s' direction='in'/>"
  "    </method>"
  "    <property name='RegisteredStatusNotifierItems' type='as' access='read'/>"
  "    <property name='IsStatusNotifierHostRegistered' type='b' access='read'/>"
  "    <property name='ProtocolVersion' type='i' access='read'/>"
  "    <signal name='StatusNotifierItemRegistered'><arg type='s'/></signal>"
  "    <signal name='StatusNotifierItemUnregistered'><arg type='s'/></signal>"
  "    <signal name='StatusNotifierHostRegistered'/>"
  "  </interface>"
  "</node>";

struct _TestWatcher
{
  GDBusConnection *connection;
  GDBusNodeInfo   *node_info;
  guint            registration_id;
  GPtrArray       *items;
  GPtrArray       *item_ids;
};

typedef struct
{
  TestWatcher           *watcher;
  GDBusMethodInvocation *invocation;
  char                  *service;
} Registration;

static void
item_checked_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Registration *registration = user_data;
  TestWatcher *watcher = registration->watcher;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) id = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (reply == NULL)
    {
      g_dbus_method_invocation_return_error (registration->invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "Item %s does not answer: %s", registration->service, error->message);
    }
  else
    {
      g_variant_get (reply, "(v)", &id);
      g_ptr_array_add (watcher->items, g_strdup (registration->service));
      g_ptr_array_add (watcher->item_ids, g_variant_dup_string (id, NULL));
      g_dbus_method_invocation_return_value (registration->invocation, NULL);
      g_dbus_connection_emit_signal (G_DBUS_CONNECTION (object), NULL, "/StatusNotifierWatcher",
                                     "org.kde.StatusNotifierWatcher", "StatusNotifierItemRegistered",
                                     g_variant_new ("(s)", registration->service), NULL);
    }

  g_object_unref (registration->invocation);
  g_free (registration->service);
  g_free (registration);
}

static void
watcher_method_call_cb (GDBusConnection       *connection,
                        const char            *sender,
                        const char            *object_path,
                        const char            *interface_name,
                        const char            *method_name,
                        GVariant              *parameters,
                        GDBusMethodInvocation *invocation,
                        gpointer               user_data)
{
  TestWatcher *watcher = user_data;
  const char *service;

  g_variant_get (parameters, "(&s)", &service);
  if (g_str_equal (method_name, "RegisterStatusNotifierItem"))
    {
      Registration *registration = g_new0 (Registration, 1);

      registration->watcher = watcher;
      registration->invocation = g_object_ref (invocation);
      registration->service = g_strdup (service);
      /* A real watcher checks that the item answers at the well-known
       * path of the name it gave. The item may live in this very process,
       * so the check must not block the main loop. */
      g_dbus_connection_call (connection, service, "/StatusNotifierItem",
                              "org.freedesktop.DBus.Properties", "Get",
                              g_variant_new ("(ss)", "org.kde.StatusNotifierItem", "Id"),
                              G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE,
                              5000, NULL, item_checked_cb, registration);
    }
  else
    {
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
}

static GVariant *
watcher_get_property_cb (GDBusConnection *connection,
                         const char      *sender,
                         const char      *object_path,
                         const char      *interface_name,
                         const char      *property_name,
                         GError         **error,
                         gpointer         user_data)
{
  TestWatcher *watcher = user_data;

  if (g_str_equal (property_name, "RegisteredStatusNotifierItems"))
    return g_variant_new_strv ((const char * const *) watcher->items->pdata, watcher->items->len);
  if (g_str_equal (property_name, "IsStatusNotifierHostRegistered"))
    return g_variant_new_boolean (TRUE);

  return g_variant_new_int32 (0);
}

/* A test peer: @xml's first interface exported at @path on a connection
 * of its own, which then owns @name (failing the test otherwise). */
static GDBusConnection *
peer_start (GTestDBus                  *bus,
            const char                 *xml,
            const char                 *path,
            const GDBusInterfaceVTable *vtable,
            gpointer                    user_data,
            const char                 *name,
            GDBusNodeInfo             **out_node_info,
            guint                      *out_registration_id)
{
  GDBusConnection *connection = tray_test_connect (bus);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint32 result;

  *out_node_info = g_dbus_node_info_new_for_xml (xml, &error);
  g_assert_no_error (error);
  *out_registration_id = g_dbus_connection_register_object (connection, path,
                                                            (*out_node_info)->interfaces[0],
                                                            vtable, user_data, NULL, &error);
  g_assert_no_error (error);

  reply = g_dbus_connection_call_sync (connection,
                                       "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", name, 4 /* DO_NOT_QUEUE */),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &result);
  g_assert_cmpuint (result, ==, 1 /* PRIMARY_OWNER */);

  return connection;
}

static void
peer_stop (GDBusConnection **connection,
           GDBusNodeInfo    *node_info,
           guint             registration_id)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_unregister_object (*connection, registration_id);
  g_dbus_connection_close_sync (*connection, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (connection);
  g_dbus_node_info_unref (node_info);
}

static const GDBusInterfaceVTable watcher_vtable = {
  .method_call = watcher_method_call_cb,
  .get_property = watcher_get_property_cb,
};

TestWatcher *
test_watcher_start (GTestDBus *bus)
{
  TestWatcher *watcher = g_new0 (TestWatcher, 1);

  watcher->items = g_ptr_array_new_with_free_func (g_free);
  watcher->item_ids = g_ptr_array_new_with_free_func (g_free);
  watcher->connection = peer_start (bus, watcher_xml, "/StatusNotifierWatcher", &watcher_vtable, watcher,
                                    "org.kde.StatusNotifierWatcher",
                                    &watcher->node_info, &watcher->registration_id);

  return watcher;
}

void
test_watcher_stop (TestWatcher *watcher)
{
  peer_stop (&watcher->connection, watcher->node_info, watcher->registration_id);
  g_ptr_array_unref (watcher->items);
  g_ptr_array_unref (watcher->item_ids);
  g_free (watcher);
}

GPtrArray *
test_watcher_get_items (TestWatcher *watcher)
{
  return watcher->items;
}

GPtrArray *
test_watcher_get_item_ids (TestWatcher *watcher)
{
  return watcher->item_ids;
}

typedef struct
{
  TestWatcher *watcher;
  guint        n_items;
} ItemsWait;

static gboolean
items_reached (gpointer data)
{
  ItemsWait *wait = data;

  return wait->watcher->items->len >= wait->n_items;
}

gboolean
test_watcher_wait_for_items (TestWatcher *watcher,
                             guint        n_items,
                             guint        timeout_ms)
{
  ItemsWait wait = { watcher, n_items };

  return ember_test_wait_for (items_reached, &wait, timeout_ms);
}

/* Notification server */

static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "  </interface>"
  "</node>";

struct _TestNotificationServer
{
  GDBusConnection *connection;
  GDBusNodeInfo   *node_info;
  guint            registration_id;
  GPtrArray       *notifications;
  guint32          next_id;
  guint            n_closed;
  guint32          last_closed;
};

static void
test_notification_free (TestNotification *notification)
{
  g_free (notification->app_name);
  g_free (notification->summary);
  g_free (notification->body);
  g_strfreev (notification->actions);
  g_clear_pointer (&notification->hints, g_variant_unref);
  g_free (notification->sender);
  g_free (notification);
}

static void
notifications_method_call_cb (GDBusConnection       *connection,
                              const char            *sender,
                              const char            *object_path,
                              const char            *interface_name,
                              const char            *method_name,
                              GVariant              *parameters,
                              GDBusMethodInvocation *invocation,
                              gpointer               user_data)
{
  TestNotificationServer *server = user_data;

  if (g_str_equal (method_name, "Notify"))
    {
      TestNotification *notification = g_new0 (TestNotification, 1);
      const char *icon;
      gint32 timeout;

      g_variant_get (parameters, "(su&sss^as@a{sv}i)",
                     &notification->app_name, &notification->replaces_id, &icon,
                     &notification->summary, &notification->body, &notification->actions,
                     &notification->hints, &timeout);
      notification->id = notification->replaces_id != 0 ? notification->replaces_id : ++server->next_id;
      notification->sender = g_strdup (sender);
      g_ptr_array_add (server->notifications, notification);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notification->id));
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_str_equal (method_name, "CloseNotification"))
    {
      g_variant_get (parameters, "(u)", &server->last_closed);
      server->n_closed++;
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(ssss)", "ember-test", "Ember", "1", "1.2"));
    }
}

static const GDBusInterfaceVTable notifications_vtable = {
  .method_call = notifications_method_call_cb,
};

TestNotificationServer *
test_notification_server_start (GTestDBus *bus)
{
  TestNotificationServer *server = g_new0 (TestNotificationServer, 1);

  server->notifications = g_ptr_array_new_with_free_func ((GDestroyNotify) test_notification_free);
  server->connection = peer_start (bus, notifications_xml, "/org/freedesktop/Notifications",
                                   &notifications_vtable, server, "org.freedesktop.Notifications",
                                   &server->node_info, &server->registration_id);

  return server;
}

void
test_notification_server_stop (TestNotificationServer *server)
{
  peer_stop (&server->connection, server->node_info, server->registration_id);
  g_ptr_array_unref (server->notifications);
  g_free (server);
}

GPtrArray *
test_notification_server_get_notifications (TestNotificationServer *server)
{
  return server->notifications;
}

typedef struct
{
  TestNotificationServer *server;
  guint                   n;
} NotificationWait;

static gboolean
notifications_reached (gpointer data)
{
  NotificationWait *wait = data;

  return wait->server->notifications->len >= wait->n;
}

gboolean
test_notification_server_wait (TestNotificationServer *server,
                               guint                   n_notifications,
                               guint                   timeout_ms)
{
  NotificationWait wait = { server, n_notifications };

  return ember_test_wait_for (notifications_reached, &wait, timeout_ms);
}

guint
test_notification_server_get_n_closed (TestNotificationServer *server)
{
  return server->n_closed;
}

guint32
test_notification_server_get_last_closed (TestNotificationServer *server)
{
  return server->last_closed;
}

void
test_notification_server_dismiss_all (TestNotificationServer *server)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < server->notifications->len; i++)
    {
      TestNotification *notification = g_ptr_array_index (server->notifications, i);

      g_dbus_connection_emit_signal (server->connection, notification->sender,
                                     "/org/freedesktop/Notifications",
                                     "org.freedesktop.Notifications", "NotificationClosed",
                                     g_variant_new ("(uu)", notification->id, 2u),
                                     &error);
      g_assert_no_error (error);
    }
  g_dbus_connection_flush_sync (server->connection, NULL, &error);
  g_assert_no_error (error);
}

void
test_notification_server_invoke (TestNotificationServer *server,
                                 const TestNotification *notification,
                                 const char             *action_key)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (server->connection, notification->sender,
                                 "/org/freedesktop/Notifications",
                                 "org.freedesktop.Notifications", "ActionInvoked",
                                 g_variant_new ("(us)", notification->id, action_key),
                                 &error);
  g_assert_no_error (error);
}
