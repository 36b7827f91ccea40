/* ember-application-sync.c: the sync manager of the running app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include "ember-application-private.h"
#include "ember-provider-factory.h"

static gboolean
minutes_to_seconds (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  g_value_set_uint (value, g_variant_get_uint32 (variant) * 60);
  return TRUE;
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(EmberApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ember_sync_manager_load_finish (EMBER_SYNC_MANAGER (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autoptr(EmberUserError) user_error = ember_user_error_new_from_error (error);

      ember_application_report_error (self, user_error, 0);
    }
}

void
_ember_application_start_sync (EmberApplication *self)
{
  EmberStore *store = ember_application_get_store (self);
  g_autoptr(EmberSyncManager) manager = NULL;
  EmberProviderFactory *factory;

  g_return_if_fail (store != NULL);

  factory = ember_provider_factory_new (store,
                                        ember_application_get_http_client (self),
                                        ember_application_get_token_store (self));
  manager = ember_sync_manager_new (store, ember_provider_factory_get, factory, g_object_unref);
  g_settings_bind_with_mapping (ember_application_get_settings (self), "sync-interval",
                                manager, "interval",
                                G_SETTINGS_BIND_GET,
                                minutes_to_seconds, NULL, NULL, NULL);

  _ember_application_set_sync_manager (self, manager);
  ember_sync_manager_load_async (manager, TRUE, NULL, loaded_cb, g_object_ref (self));
}
