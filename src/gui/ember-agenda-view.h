/* ember-agenda-view.h: the coming events, day by day
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ember-clock.h"
#include "ember-store.h"

G_BEGIN_DECLS

#define EMBER_TYPE_AGENDA_VIEW (ember_agenda_view_get_type ())
G_DECLARE_FINAL_TYPE (EmberAgendaView, ember_agenda_view, EMBER, AGENDA_VIEW, GtkWidget)

/* How far the agenda reaches, in days after today. */
#define EMBER_AGENDA_VIEW_DAYS_AHEAD 60

GtkWidget  *ember_agenda_view_new         (void);
void        ember_agenda_view_set_store   (EmberAgendaView *self,
                                           EmberStore      *store);
EmberStore *ember_agenda_view_get_store   (EmberAgendaView *self);
/* What "today" is comes from this clock (the real one by default). */
void        ember_agenda_view_set_clock   (EmberAgendaView *self,
                                           EmberClock      *clock);
EmberClock *ember_agenda_view_get_clock   (EmberAgendaView *self);
/* Loads the events from yesterday to EMBER_AGENDA_VIEW_DAYS_AHEAD days
 * ahead off the main thread and shows those from today on. */
void        ember_agenda_view_reload      (EmberAgendaView *self);
/* TRUE while a reload runs. */
gboolean    ember_agenda_view_get_loading (EmberAgendaView *self);
/* Selects the event's (first) row and scrolls to it, now or once the
 * running or next reload brings it; an event outside the agenda's days is
 * not shown. */
void        ember_agenda_view_show_event  (EmberAgendaView *self,
                                           gint64           event_id);
/* The event of the selected row, 0 for none. */
gint64      ember_agenda_view_get_selected_event (EmberAgendaView *self);

G_END_DECLS
