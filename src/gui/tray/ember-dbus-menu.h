/* ember-dbus-menu.h: a flat menu exported over com.canonical.dbusmenu
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define EMBER_DBUS_MENU_INTERFACE "com.canonical.dbusmenu"

#define EMBER_TYPE_DBUS_MENU (ember_dbus_menu_get_type ())
G_DECLARE_FINAL_TYPE (EmberDbusMenu, ember_dbus_menu, EMBER, DBUS_MENU, GObject)

EmberDbusMenu *ember_dbus_menu_new              (void);

gboolean       ember_dbus_menu_export           (EmberDbusMenu    *self,
                                                 GDBusConnection  *connection,
                                                 const char       *object_path,
                                                 GError          **error);
void           ember_dbus_menu_unexport         (EmberDbusMenu    *self);

/* Items are numbered from 1 in the order they are added; 0 is the root.
 * @label may use "_" for a mnemonic ("__" for a literal underscore). */
gint32         ember_dbus_menu_append_item      (EmberDbusMenu    *self,
                                                 const char       *label,
                                                 const char       *icon_name);
gint32         ember_dbus_menu_append_separator (EmberDbusMenu    *self);

/* Changes reach the hosts as one ItemsPropertiesUpdated signal per main
 * loop iteration; structure changes as LayoutUpdated. */
void           ember_dbus_menu_set_label        (EmberDbusMenu    *self,
                                                 gint32            id,
                                                 const char       *label);
void           ember_dbus_menu_set_icon_name    (EmberDbusMenu    *self,
                                                 gint32            id,
                                                 const char       *icon_name);
void           ember_dbus_menu_set_enabled      (EmberDbusMenu    *self,
                                                 gint32            id,
                                                 gboolean          enabled);
void           ember_dbus_menu_set_visible      (EmberDbusMenu    *self,
                                                 gint32            id,
                                                 gboolean          visible);
const char    *ember_dbus_menu_get_label        (EmberDbusMenu    *self,
                                                 gint32            id);
gboolean       ember_dbus_menu_get_enabled      (EmberDbusMenu    *self,
                                                 gint32            id);
/* The layout revision hosts see in GetLayout and LayoutUpdated. */
guint          ember_dbus_menu_get_revision     (EmberDbusMenu    *self);

G_END_DECLS
