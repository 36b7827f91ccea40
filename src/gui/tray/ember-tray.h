/* ember-tray.h: Ember's tray icon and menu, following the sync manager
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ember-dbus-menu.h"
#include "ember-status-notifier-item.h"
#include "ember-store.h"
#include "ember-sync-manager.h"

G_BEGIN_DECLS

/* Where the tray menu is exported, on the item's connection. */
#define EMBER_TRAY_MENU_PATH "/MenuBar"

/* The menu's items, in order. */
typedef enum
{
  EMBER_TRAY_ITEM_SYNC_NOW = 1,
  EMBER_TRAY_ITEM_PAUSE,
  EMBER_TRAY_ITEM_OPEN,
  EMBER_TRAY_ITEM_QUIT,
} EmberTrayItem;

#define EMBER_TYPE_TRAY (ember_tray_get_type ())
G_DECLARE_FINAL_TYPE (EmberTray, ember_tray, EMBER, TRAY, GObject)

/* Activating the icon or "Open Ember" activates @application; "Quit"
 * activates its "quit" action (or quits it when it has none). @store, when
 * given, names the accounts that need attention in the tooltip. The
 * application is not referenced: it owns the tray. */
EmberTray               *ember_tray_new         (GApplication      *application,
                                                 EmberSyncManager  *manager,
                                                 EmberStore        *store,
                                                 GDBusConnection   *connection);
/* Exports the item and its menu and registers with the watcher (now, or
 * when one appears). */
gboolean                 ember_tray_export      (EmberTray         *self,
                                                 GError           **error);
void                     ember_tray_unexport    (EmberTray         *self);
EmberStatusNotifierItem *ember_tray_get_item    (EmberTray         *self);
EmberDbusMenu           *ember_tray_get_menu    (EmberTray         *self);

G_END_DECLS
