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
/* What a clicked notification opens. The message: its folder (the open
 * list or the unified inbox when they have it, else its inbox or first
 * folder) with its row selected and scrolled to, and the message in the
 * reader. The event: the agenda, with the event's row selected and
 * scrolled to. Both read the store first and wait for the sidebar, so
 * they work on a window that was just made. */
void         ember_window_show_message (EmberWindow        *self,
                                        gint64              message_id);
void         ember_window_show_event   (EmberWindow        *self,
                                        gint64              event_id);

G_END_DECLS
