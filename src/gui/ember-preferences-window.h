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

/* The Accounts page (ember-accounts-page.h); it shows the window's
 * application once the window has one. */
GtkWidget              *ember_preferences_window_get_accounts_page (EmberPreferencesWindow *self);
/* Shows the Accounts page (leaving any subpage). */
void                    ember_preferences_window_show_accounts     (EmberPreferencesWindow *self);
/* Shows the settings of one account (to sign in again, remove it...). */
void                    ember_preferences_window_show_account      (EmberPreferencesWindow *self,
                                                                    gint64                  account_id);

G_END_DECLS
