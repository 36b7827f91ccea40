/* ember-autostart.h: start Ember in the background at login, through an
 * XDG autostart entry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define EMBER_TYPE_AUTOSTART (ember_autostart_get_type ())
G_DECLARE_FINAL_TYPE (EmberAutostart, ember_autostart, EMBER, AUTOSTART, GObject)

/* Keeps $XDG_CONFIG_HOME/autostart/<app id>.desktop in line with the
 * "autostart" key of @settings: turning the key on writes an entry that
 * runs `@executable --background`, turning it off removes the entry. At
 * start the key is first set from the entry, since the person may have
 * changed it with another tool. @executable NULL means "ember" (found in
 * $PATH at login). */
EmberAutostart *ember_autostart_new        (GSettings       *settings,
                                            const char      *executable);
gboolean        ember_autostart_get_enabled (EmberAutostart *self);

/* The entry's path (transfer full). */
char           *ember_autostart_get_path   (void);
/* Whether an enabled entry of ours exists. */
gboolean        ember_autostart_entry_exists (void);
gboolean        ember_autostart_write_entry  (const char    *executable,
                                              GError       **error);
/* Removing an entry that is not there succeeds. */
gboolean        ember_autostart_remove_entry (GError       **error);

G_END_DECLS
