/* ember-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define EMBER_TYPE_APPLICATION (ember_application_get_type ())
G_DECLARE_FINAL_TYPE (EmberApplication, ember_application, EMBER, APPLICATION, AdwApplication)

EmberApplication *ember_application_new      (const char        *application_id,
                                              GApplicationFlags  flags);
GSettings        *ember_application_get_settings (EmberApplication *self);
void              ember_application_show_preferences (EmberApplication *self);
void              ember_application_show_about       (EmberApplication *self);

G_END_DECLS
