/* ember-dbus-service.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "ember-dbus-service.h"
#include "ember-error.h"
#include "ember-sync-dbus-client.h"

struct _EmberDbusService
{
  GObject           parent_instance;

  EmberSyncManager *manager;
  EmberStore       *store;
  GHashTable       *sync_counts;   /* gint64* account id -> guint64[2] {succeeded, failed} */

  GDBusConnection  *connection;
  char             *object_path;
  guint             registration_id;
};

G_DEFINE_FINAL_TYPE (EmberDbusService, ember_dbus_service, G_TYPE_OBJECT)

static guint64 *
counts_for (EmberDbusService *self,
            gint64            account_id)
{
  guint64 *counts = g_hash_table_lookup (self->sync_counts, &account_id);

  if (counts == NULL)
    {
      gint64 *key = g_new (gint64, 1);

      *key = account_id;
      counts = g_new0 (guint64, 2);
      g_hash_table_insert (self->sync_counts, key, counts);
    }

  return counts;
}

static void
emit_status_changed (EmberDbusService *self,
                     gint64            account_id,
                     EmberSyncStatus   status)
{
  g_autoptr(GError) error = NULL;

  if (self->registration_id == 0)
    return;

  if (!g_dbus_connection_emit_signal (self->connection, NULL, self->object_path,
                                      EMBER_SYNC_DBUS_INTERFACE, "StatusChanged",
                                      g_variant_new ("(xs)", account_id, ember_sync_status_to_string (status)),
                                      &error))
    g_debug ("Could not emit StatusChanged: %s", error->message);
}

static void
status_notify_cb (EmberDbusService *self)
{
  EmberSyncStatus status = ember_sync_manager_get_status (self->manager);
  g_autoptr(GError) error = NULL;
  GVariantBuilder changed;

  if (self->registration_id == 0)
    return;

  emit_status_changed (self, 0, status);

  g_variant_builder_init (&changed, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&changed, "{sv}", "Status", g_variant_new_string (ember_sync_status_to_string (status)));
  if (!g_dbus_connection_emit_signal (self->connection, NULL, self->object_path,
                                      "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                      g_variant_new ("(sa{sv}as)", EMBER_SYNC_DBUS_INTERFACE, &changed, NULL),
                                      &error))
    g_debug ("Could not emit PropertiesChanged: %s", error->message);
}

static void
account_status_changed_cb (EmberDbusService *self,
                           gint64            account_id,
                           EmberSyncStatus   status)
{
  emit_status_changed (self, account_id, status);
}

static void
account_synced_cb (EmberDbusService *self,
                   gint64            account_id,
                   guint             new_messages,
                   guint             changed_events)
{
  counts_for (self, account_id)[0]++;
}

static void
sync_error_cb (EmberDbusService     *self,
               gint64                account_id,
               const EmberUserError *error)
{
  counts_for (self, account_id)[1]++;
}

typedef struct
{
  EmberDbusService      *self;
  GDBusMethodInvocation *invocation;
} StatusRequest;

static void
status_request_free (StatusRequest *request)
{
  g_clear_object (&request->self);
  g_clear_object (&request->invocation);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StatusRequest, status_request_free)

static void
account_status_loaded_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(StatusRequest) request = user_data;
  EmberDbusService *self = request->self;
  g_autoptr(GPtrArray) statuses = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  statuses = ember_store_list_account_status_finish (EMBER_STORE (object), result, &error);
  if (statuses == NULL)
    {
      g_dbus_method_invocation_return_error (request->invocation, EMBER_SYNC_ERROR, EMBER_SYNC_ERROR_FAILED,
                                             _("Could not read the accounts: %s"), error->message);
      return;
    }

  /* The request holds the service, so the manager is still there. */
  document = ember_sync_dbus_build_status (statuses, self->manager,
                                           ember_store_get_pool (EMBER_STORE (object)),
                                           NULL, self->sync_counts);
  text = json_to_string (document, FALSE);
  g_dbus_method_invocation_return_value (request->invocation, g_variant_new ("(s)", text));
}

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  EmberDbusService *self = user_data;

  if (g_str_equal (method_name, "GetStatus"))
    {
      StatusRequest *request = g_new0 (StatusRequest, 1);

      request->self = g_object_ref (self);
      request->invocation = g_object_ref (invocation);
      /* Not cancelled on dispose: a caller always gets its answer. */
      ember_store_list_account_status_async (self->store, NULL, account_status_loaded_cb, request);
    }
  else if (g_str_equal (method_name, "SyncNow"))
    {
      g_autoptr(GArray) ids = NULL;
      gboolean known = FALSE;
      gint64 account_id;

      g_variant_get (parameters, "(x)", &account_id);
      if (account_id != 0)
        {
          ids = ember_sync_manager_list_accounts (self->manager);
          for (guint i = 0; i < ids->len && !known; i++)
            known = g_array_index (ids, gint64, i) == account_id;
          if (!known)
            {
              g_dbus_method_invocation_return_error (invocation, EMBER_SYNC_ERROR, EMBER_SYNC_ERROR_NO_SUCH_ACCOUNT,
                                                     _("There is no account with id %" G_GINT64_FORMAT),
                                                     account_id);
              return;
            }
        }

      ember_sync_manager_sync_now (self->manager, account_id);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "No such method: %s", method_name);
    }
}

static GVariant *
get_property_cb (GDBusConnection *connection,
                 const char      *sender,
                 const char      *object_path,
                 const char      *interface_name,
                 const char      *property_name,
                 GError         **error,
                 gpointer         user_data)
{
  EmberDbusService *self = user_data;

  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string (ember_sync_status_to_string (ember_sync_manager_get_status (self->manager)));

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY,
               "No such property: %s", property_name);
  return NULL;
}

static const GDBusInterfaceVTable service_vtable = {
  .method_call = method_call_cb,
  .get_property = get_property_cb,
};

gboolean
ember_dbus_service_export (EmberDbusService  *self,
                           GDBusConnection   *connection,
                           const char        *object_path,
                           GError           **error)
{
  g_return_val_if_fail (EMBER_IS_DBUS_SERVICE (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (g_variant_is_object_path (object_path), FALSE);
  g_return_val_if_fail (self->registration_id == 0, FALSE);

  self->registration_id = g_dbus_connection_register_object (connection,
                                                             object_path,
                                                             ember_sync_dbus_get_interface_info (),
                                                             &service_vtable,
                                                             self, NULL,
                                                             error);
  if (self->registration_id == 0)
    {
      g_prefix_error (error, "Could not export %s: ", EMBER_SYNC_DBUS_INTERFACE);
      return FALSE;
    }

  self->connection = g_object_ref (connection);
  self->object_path = g_strdup (object_path);
  return TRUE;
}

void
ember_dbus_service_unexport (EmberDbusService *self)
{
  g_return_if_fail (EMBER_IS_DBUS_SERVICE (self));

  if (self->registration_id != 0)
    {
      g_dbus_connection_unregister_object (self->connection, self->registration_id);
      self->registration_id = 0;
    }
  g_clear_object (&self->connection);
  g_clear_pointer (&self->object_path, g_free);
}

EmberDbusService *
ember_dbus_service_new (EmberSyncManager *manager,
                        EmberStore       *store)
{
  EmberDbusService *self;

  g_return_val_if_fail (EMBER_IS_SYNC_MANAGER (manager), NULL);
  g_return_val_if_fail (EMBER_IS_STORE (store), NULL);

  self = g_object_new (EMBER_TYPE_DBUS_SERVICE, NULL);
  self->manager = g_object_ref (manager);
  self->store = g_object_ref (store);

  g_signal_connect_object (manager, "notify::status", G_CALLBACK (status_notify_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "account-status-changed", G_CALLBACK (account_status_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "account-synced", G_CALLBACK (account_synced_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "sync-error", G_CALLBACK (sync_error_cb), self, G_CONNECT_SWAPPED);

  return self;
}

static void
ember_dbus_service_dispose (GObject *object)
{
  EmberDbusService *self = EMBER_DBUS_SERVICE (object);

  ember_dbus_service_unexport (self);

  G_OBJECT_CLASS (ember_dbus_service_parent_class)->dispose (object);
}

static void
ember_dbus_service_finalize (GObject *object)
{
  EmberDbusService *self = EMBER_DBUS_SERVICE (object);

  g_clear_object (&self->manager);
  g_clear_object (&self->store);
  g_clear_pointer (&self->sync_counts, g_hash_table_unref);

  G_OBJECT_CLASS (ember_dbus_service_parent_class)->finalize (object);
}

static void
ember_dbus_service_class_init (EmberDbusServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ember_dbus_service_dispose;
  object_class->finalize = ember_dbus_service_finalize;
}

static void
ember_dbus_service_init (EmberDbusService *self)
{
  self->sync_counts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}
