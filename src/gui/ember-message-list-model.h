/* ember-message-list-model.h: a GListModel over one folder (or the unified
 * inbox) that reads the store in keyset pages on demand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ember-store.h"

G_BEGIN_DECLS

#define EMBER_TYPE_MESSAGE_LIST_MODEL (ember_message_list_model_get_type ())
G_DECLARE_FINAL_TYPE (EmberMessageListModel, ember_message_list_model, EMBER, MESSAGE_LIST_MODEL, GObject)

/* Items are EmberMessageItem, newest first, one per conversation. Only the
 * rows near what the list shows are read: the model grows a page at a time
 * as the view asks for items close to its end. Items far from where the
 * view last looked are let go; asked for again, they come back pending
 * (ember_message_item_get_loaded () FALSE) and fill in a moment later. */
EmberMessageListModel *ember_message_list_model_new        (EmberStore              *store,
                                                            const EmberMessageQuery *query);
/* Re-reads the newest page: new messages are inserted at the top, changed
 * flags are updated in place, so the view keeps its scroll position. */
void                   ember_message_list_model_refresh    (EmberMessageListModel   *self);
gboolean               ember_message_list_model_get_loading (EmberMessageListModel  *self);
/* TRUE once the end of the folder has been read. */
gboolean               ember_message_list_model_get_complete (EmberMessageListModel *self);
/* Reads pages until @position exists or the folder ends (for keyboard
 * navigation and tests). */
void                   ember_message_list_model_ensure     (EmberMessageListModel   *self,
                                                            guint                    position);
/* The position of the row that shows @message (its own, or its
 * conversation's) among the rows read so far, shown to the view at once if
 * it was waiting for its batch; G_MAXUINT when that row has not been read
 * (yet). */
/* Reads on towards where @message would be; FALSE when the rows read
 * already pass its date or the folder has ended: it is not in this list. */
gboolean               ember_message_list_model_read_towards (EmberMessageListModel    *self,
                                                              const EmberMessageRecord *message);
guint                  ember_message_list_model_find       (EmberMessageListModel    *self,
                                                            const EmberMessageRecord *message);

G_END_DECLS
