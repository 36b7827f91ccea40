/* ember-message-view.h: one message, read in full
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ember-store.h"

G_BEGIN_DECLS

#define EMBER_TYPE_MESSAGE_VIEW (ember_message_view_get_type ())
G_DECLARE_FINAL_TYPE (EmberMessageView, ember_message_view, EMBER, MESSAGE_VIEW, GtkWidget)

GtkWidget  *ember_message_view_new            (void);
void        ember_message_view_set_store      (EmberMessageView *self,
                                               EmberStore       *store);
EmberStore *ember_message_view_get_store      (EmberMessageView *self);
/* Loads the whole message (store row id) off the main thread, showing a
 * loading state until it is there; a load still running is cancelled. */
void        ember_message_view_show_message   (EmberMessageView *self,
                                               gint64            message_id);
/* Back to "No message selected". */
void        ember_message_view_clear          (EmberMessageView *self);
/* The message shown or being loaded, 0 for none. */
gint64      ember_message_view_get_message_id (EmberMessageView *self);
gboolean    ember_message_view_get_loading    (EmberMessageView *self);
/* TRUE once the message is loaded and on screen (not while loading, nor
 * after it failed to load). */
gboolean    ember_message_view_get_shown      (EmberMessageView *self);

G_END_DECLS
