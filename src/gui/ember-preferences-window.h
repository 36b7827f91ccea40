/* ember-preferences-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define EMBER_TYPE_PREFERENCES_WINDOW (ember_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (EmberPreferencesWindow, ember_preferences_window, EMBER, PREFERENCES_WINDOW, AdwPreferencesWindow)

EmberPreferencesWindow *ember_preferences_window_new (GSettings *settings);

G_END_DECLS
