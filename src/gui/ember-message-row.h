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

/* "14:05" today, "25 Nov" this year, the locale's date otherwise. */
char             *ember_format_message_date  (gint64            date,
                                              GDateTime        *now);

G_END_DECLS
