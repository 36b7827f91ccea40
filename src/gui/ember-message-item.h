/* ember-message-item.h: one row of a message list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "ember-store-types.h"

G_BEGIN_DECLS

#define EMBER_TYPE_MESSAGE_ITEM (ember_message_item_get_type ())
G_DECLARE_FINAL_TYPE (EmberMessageItem, ember_message_item, EMBER, MESSAGE_ITEM, GObject)

/* Takes @record (without bodies). */
EmberMessageItem         *ember_message_item_new          (EmberMessageRecord *record);
/* A row whose message is still being read: it knows only the message's
 * id and date until ember_message_item_set_record () fills it in. */
EmberMessageItem         *ember_message_item_new_pending  (gint64              id,
                                                           gint64              date);
/* Takes @record, the pending message's list row, and notifies "loaded". */
void                      ember_message_item_set_record   (EmberMessageItem   *self,
                                                           EmberMessageRecord *record);
/* FALSE while the item is pending: there is nothing to show yet. */
gboolean                  ember_message_item_get_loaded   (EmberMessageItem   *self);
const EmberMessageRecord *ember_message_item_get_record   (EmberMessageItem   *self);
gint64                    ember_message_item_get_id       (EmberMessageItem   *self);
const char               *ember_message_item_get_sender   (EmberMessageItem   *self);
const char               *ember_message_item_get_subject  (EmberMessageItem   *self);
const char               *ember_message_item_get_snippet  (EmberMessageItem   *self);
gboolean                  ember_message_item_get_unread   (EmberMessageItem   *self);
void                      ember_message_item_set_unread   (EmberMessageItem   *self,
                                                           gboolean            unread);
/* Messages of the same conversation shown by this row (1 for a lone one). */
guint                     ember_message_item_get_thread_count (EmberMessageItem *self);
void                      ember_message_item_set_thread_count (EmberMessageItem *self,
                                                               guint             count);

G_END_DECLS
