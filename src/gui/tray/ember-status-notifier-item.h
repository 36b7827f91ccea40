/* ember-status-notifier-item.h: a tray icon over the StatusNotifierItem
 * protocol (org.kde.StatusNotifierItem), in plain GDBus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  EMBER_SNI_STATUS_PASSIVE,
  EMBER_SNI_STATUS_ACTIVE,
  EMBER_SNI_STATUS_NEEDS_ATTENTION,
} EmberSniStatus;

GType       ember_sni_status_get_type  (void) G_GNUC_CONST;
#define EMBER_TYPE_SNI_STATUS (ember_sni_status_get_type ())
/* "Passive", "Active", "NeedsAttention": the protocol's spelling. */
const char *ember_sni_status_to_string (EmberSniStatus status);

/* The object path every item is exported at, by the protocol. */
#define EMBER_SNI_OBJECT_PATH     "/StatusNotifierItem"
#define EMBER_SNI_INTERFACE       "org.kde.StatusNotifierItem"
#define EMBER_SNI_WATCHER_NAME    "org.kde.StatusNotifierWatcher"
#define EMBER_SNI_WATCHER_PATH    "/StatusNotifierWatcher"
#define EMBER_SNI_WATCHER_IFACE   "org.kde.StatusNotifierWatcher"

#define EMBER_TYPE_STATUS_NOTIFIER_ITEM (ember_status_notifier_item_get_type ())
G_DECLARE_FINAL_TYPE (EmberStatusNotifierItem, ember_status_notifier_item, EMBER, STATUS_NOTIFIER_ITEM, GObject)

/* @id is the item's stable identifier (the application id). The item
 * category is "ApplicationStatus". */
EmberStatusNotifierItem *ember_status_notifier_item_new              (GDBusConnection *connection,
                                                                      const char      *id);

/* Exports the item at EMBER_SNI_OBJECT_PATH, owns the bus name
 * org.kde.StatusNotifierItem-<pid>-<n> and registers with the
 * StatusNotifierWatcher whenever one is (or later comes) on the bus. Having
 * no watcher is not an error: the item waits for one. */
gboolean     ember_status_notifier_item_export            (EmberStatusNotifierItem  *self,
                                                           GError                  **error);
void         ember_status_notifier_item_unexport          (EmberStatusNotifierItem  *self);

GDBusConnection *ember_status_notifier_item_get_connection (EmberStatusNotifierItem *self);
/* The well-known name the item owns once exported, NULL before. */
const char  *ember_status_notifier_item_get_bus_name      (EmberStatusNotifierItem  *self);
/* Whether the current watcher accepted the item. */
gboolean     ember_status_notifier_item_get_registered    (EmberStatusNotifierItem  *self);

void         ember_status_notifier_item_set_title         (EmberStatusNotifierItem  *self,
                                                           const char               *title);
const char  *ember_status_notifier_item_get_title         (EmberStatusNotifierItem  *self);
void         ember_status_notifier_item_set_status        (EmberStatusNotifierItem  *self,
                                                           EmberSniStatus            status);
EmberSniStatus ember_status_notifier_item_get_status      (EmberStatusNotifierItem  *self);
void         ember_status_notifier_item_set_icon_name     (EmberStatusNotifierItem  *self,
                                                           const char               *icon_name);
const char  *ember_status_notifier_item_get_icon_name     (EmberStatusNotifierItem  *self);
void         ember_status_notifier_item_set_attention_icon_name (EmberStatusNotifierItem *self,
                                                                 const char              *icon_name);
/* Where hosts look for the icons before the theme; NULL for none. */
void         ember_status_notifier_item_set_icon_theme_path (EmberStatusNotifierItem *self,
                                                             const char              *path);
void         ember_status_notifier_item_set_tooltip       (EmberStatusNotifierItem  *self,
                                                           const char               *title,
                                                           const char               *body);
/* The object path of a com.canonical.dbusmenu menu on the same connection,
 * or NULL. Set it before exporting. */
void         ember_status_notifier_item_set_menu_path     (EmberStatusNotifierItem  *self,
                                                           const char               *menu_path);

G_END_DECLS
