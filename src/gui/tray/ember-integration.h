/* ember-integration.h: what Ember does beyond its window: running in the
 * background, the tray icon, the D-Bus status service, notifications and
 * autostart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ember-autostart.h"
#include "ember-dbus-service.h"
#include "ember-notifier.h"
#include "ember-tray.h"

G_BEGIN_DECLS

#define EMBER_TYPE_INTEGRATION (ember_integration_get_type ())
G_DECLARE_FINAL_TYPE (EmberIntegration, ember_integration, EMBER, INTEGRATION, GObject)

/* Make it in the application's init (it adds the --background option) and
 * drop it in dispose; it follows the application's own signals from there:
 *
 * - "--background": start without a window (and stay, as below); when Ember
 *   already runs, do nothing.
 * - startup: the autostart entry follows the "autostart" key; while
 *   "run-in-background" is on (or after --background) the application is
 *   held, so closing the window keeps it running and syncing.
 * - once the application's "store" and "sync-manager" properties are set
 *   (or ember_integration_set_sync () is called): the tray icon, the
 *   io.github.ember.Ember.Sync service on the application's object path,
 *   and notifications.
 * - shutdown: the tray icon and the service go away at once.
 * - a clicked notification opens the window (and, for an account problem,
 *   Preferences with the accounts); "open-message" and "open-event" then
 *   say which message or event to show.
 *
 * The application is not referenced. */
EmberIntegration *ember_integration_new        (GApplication     *application);
/* For applications without "store" and "sync-manager" properties. */
void              ember_integration_set_sync   (EmberIntegration *self,
                                                EmberStore       *store,
                                                EmberSyncManager *manager);
/* Whether the application is held to run without a window. */
gboolean          ember_integration_get_held   (EmberIntegration *self);
/* NULL until the sync is there (or when there is no session bus). */
EmberTray        *ember_integration_get_tray   (EmberIntegration *self);
EmberNotifier    *ember_integration_get_notifier (EmberIntegration *self);

G_END_DECLS
