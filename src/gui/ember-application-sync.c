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
  GWeakRef *app_ref = user_data;
  g_autoptr(EmberApplication) self = g_weak_ref_get (app_ref);
  g_autoptr(GError) error = NULL;

  g_weak_ref_clear (app_ref);
  g_free (app_ref);

  if (!ember_sync_manager_load_finish (EMBER_SYNC_MANAGER (object), result, &error) &&
      self != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
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
  GWeakRef *app_ref;

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
  /* A weak reference: an app that quits before the accounts are read
   * must still go (and the demo's throw-away data with it). */
  app_ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (app_ref, self);
  ember_sync_manager_load_async (manager, TRUE, NULL, loaded_cb, app_ref);
}
