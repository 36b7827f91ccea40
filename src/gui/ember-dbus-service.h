/* ember-dbus-service.h: the running app's io.github.ember.Ember.Sync
 * interface (health and control over D-Bus)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The interface and its status document are described in
 * src/sync/ember-sync-dbus-client.h, which also has the client half.
 */
#pragma once

#include <gio/gio.h>

#include "ember-store.h"
#include "ember-sync-manager.h"

G_BEGIN_DECLS

#define EMBER_TYPE_DBUS_SERVICE (ember_dbus_service_get_type ())
G_DECLARE_FINAL_TYPE (EmberDbusService, ember_dbus_service, EMBER, DBUS_SERVICE, GObject)

EmberDbusService *ember_dbus_service_new      (EmberSyncManager  *manager,
                                               EmberStore        *store);
/* Exports the interface at @object_path (the application's, APP_PATH) on
 * @connection. GetStatus reads the store off the main thread. */
gboolean          ember_dbus_service_export   (EmberDbusService  *self,
                                               GDBusConnection   *connection,
                                               const char        *object_path,
                                               GError           **error);
void              ember_dbus_service_unexport (EmberDbusService  *self);

G_END_DECLS
