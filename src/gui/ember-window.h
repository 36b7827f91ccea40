/* ember-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ember-application.h"

G_BEGIN_DECLS

#define EMBER_TYPE_WINDOW (ember_window_get_type ())
G_DECLARE_FINAL_TYPE (EmberWindow, ember_window, EMBER, WINDOW, AdwApplicationWindow)

EmberWindow *ember_window_new        (EmberApplication     *application);
/* A toast with the error's message, and Retry (sync that account again)
 * when it helps or Sign In when the account needs it. */
void         ember_window_show_error (EmberWindow          *self,
                                      const EmberUserError *error,
                                      gint64                account_id);

G_END_DECLS
