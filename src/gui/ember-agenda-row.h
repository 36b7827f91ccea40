/* ember-agenda-row.h: one event on one day of the agenda
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define EMBER_TYPE_AGENDA_ROW (ember_agenda_row_get_type ())
G_DECLARE_FINAL_TYPE (EmberAgendaRow, ember_agenda_row, EMBER, AGENDA_ROW, GtkListBoxRow)

/* @day is a GDate julian day; @colour a "#rrggbb" (NULL: the accent
 * colour). */
GtkWidget  *ember_agenda_row_new           (guint32     day,
                                            gboolean    all_day,
                                            const char *time_text,
                                            const char *summary,
                                            const char *location,
                                            const char *colour);
guint32     ember_agenda_row_get_day       (EmberAgendaRow *self);
gboolean    ember_agenda_row_get_all_day   (EmberAgendaRow *self);
const char *ember_agenda_row_get_time_text (EmberAgendaRow *self);
const char *ember_agenda_row_get_summary   (EmberAgendaRow *self);
const char *ember_agenda_row_get_location  (EmberAgendaRow *self);
/* The store's row id of the event shown (0: not set). */
void        ember_agenda_row_set_event_id  (EmberAgendaRow *self,
                                            gint64          event_id);
gint64      ember_agenda_row_get_event_id  (EmberAgendaRow *self);

G_END_DECLS
