/* ember-window-private.h: what the screenshot mode (ember-screenshot.c)
 * drives the window with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-window.h"

G_BEGIN_DECLS

/* Rows in the message list now (0 while it reads or shows another page). */
guint _ember_window_get_n_rows      (EmberWindow *self);
/* Opens the Calendar entry of the sidebar. */
void  _ember_window_open_calendar   (EmberWindow *self);
/* Opens the search bar and searches for @text, as if typed. */
void  _ember_window_search          (EmberWindow *self,
                                     const char  *text);

G_END_DECLS
