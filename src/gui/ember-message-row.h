/* ember-message-row.h: how one conversation looks in the message list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ember-message-item.h"

G_BEGIN_DECLS

#define EMBER_TYPE_MESSAGE_ROW (ember_message_row_get_type ())
G_DECLARE_FINAL_TYPE (EmberMessageRow, ember_message_row, EMBER, MESSAGE_ROW, GtkWidget)

GtkWidget        *ember_message_row_new      (void);
void              ember_message_row_set_item (EmberMessageRow  *self,
                                              EmberMessageItem *item);
EmberMessageItem *ember_message_row_get_item (EmberMessageRow  *self);

/* A row of one-letter texts, in the look of an unread or a read message,
 * that prepares the fonts rows will need before the first real rows come
 * (ember_message_row_warm_up_next ()). Show it, invisibly (opacity 0), in
 * the place rows will be. */
GtkWidget        *ember_message_row_new_specimen (gboolean         unread);
/* Once the specimen has been laid out: draws the next piece of sample
 * text (ASCII, Latin, Cyrillic and Greek, CJK, emoji) in the next of its
 * text styles, off screen, so that the fonts (fallback ones too) are
 * loaded and the glyph caches hold the glyphs. FALSE when all are done.
 * A piece costs a few ms: call it from an idle. */
gboolean          ember_message_row_warm_up_next (EmberMessageRow  *self);

/* "14:05" today, "25 Nov" this year, the locale's date otherwise. */
char             *ember_format_message_date  (gint64            date,
                                              GDateTime        *now);

G_END_DECLS
