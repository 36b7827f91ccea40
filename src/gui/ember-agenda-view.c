/* ember-agenda-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Timed events are shown in local time, on every local day they touch.
 * All-day events are floating dates: "2026-11-25" is the 25th wherever the
 * person is, so their days come from start_date/end_date, never from the
 * UTC times the store keeps beside them.
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "ember-agenda-row.h"
#include "ember-agenda-view.h"
#include "ember-spinner.h"
#include "ember-stack-pages.h"
#include "ember-user-error.h"

struct _EmberAgendaView
{
  GtkWidget      parent_instance;

  EmberStore    *store;
  EmberClock    *clock;
  GCancellable  *cancellable;
  GSettings     *interface_settings; /* NULL without the GNOME desktop schemas */
  gboolean       loading;
  gboolean       has_shown_events;
  guint32        today;              /* julian day of the last reload */
  guint          midnight_source;
  gint64         event_to_show;      /* ember_agenda_view_show_event (), not yet there */
  gint64         selected_event;     /* kept selected across reloads */
  guint          scroll_tick;        /* scrolls to the selected row once laid out */
  double         kept_scroll;        /* where a reload found the list scrolled */
  guint          restore_frames;     /* frames waited to restore it */

  GtkStack      *stack;
  AdwStatusPage *error_page;
  GtkListBox    *list_box;
};

G_DEFINE_FINAL_TYPE (EmberAgendaView, ember_agenda_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_CLOCK,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
ember_agenda_view_new (void)
{
  return g_object_new (EMBER_TYPE_AGENDA_VIEW, NULL);
}

void
ember_agenda_view_set_store (EmberAgendaView *self,
                             EmberStore      *store)
{
  g_return_if_fail (EMBER_IS_AGENDA_VIEW (self));
  g_return_if_fail (store == NULL || EMBER_IS_STORE (store));

  if (g_set_object (&self->store, store))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

EmberStore *
ember_agenda_view_get_store (EmberAgendaView *self)
{
  g_return_val_if_fail (EMBER_IS_AGENDA_VIEW (self), NULL);

  return self->store;
}

void
ember_agenda_view_set_clock (EmberAgendaView *self,
                             EmberClock      *clock)
{
  g_return_if_fail (EMBER_IS_AGENDA_VIEW (self));
  g_return_if_fail (clock == NULL || EMBER_IS_CLOCK (clock));

  if (clock == NULL)
    clock = ember_clock_get_default ();

  if (g_set_object (&self->clock, clock))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLOCK]);
}

EmberClock *
ember_agenda_view_get_clock (EmberAgendaView *self)
{
  g_return_val_if_fail (EMBER_IS_AGENDA_VIEW (self), NULL);

  return self->clock;
}

gboolean
ember_agenda_view_get_loading (EmberAgendaView *self)
{
  g_return_val_if_fail (EMBER_IS_AGENDA_VIEW (self), FALSE);

  return self->loading;
}

static void
set_loading (EmberAgendaView *self,
             gboolean         loading)
{
  if (self->loading == loading)
    return;

  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* Days and times */

static GDateTime *
get_now_local (EmberAgendaView *self)
{
  return g_date_time_new_from_unix_local (ember_clock_get_real (self->clock) / G_USEC_PER_SEC);
}

static guint32
julian_of (GDateTime *date_time)
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date,
                  g_date_time_get_day_of_month (date_time),
                  g_date_time_get_month (date_time),
                  g_date_time_get_year (date_time));
  return g_date_get_julian (&date);
}

/* Local midnight at the start of @julian. */
static gint64
local_midnight (guint32 julian)
{
  g_autoptr(GDateTime) midnight = NULL;
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_julian (&date, julian);
  midnight = g_date_time_new_local (g_date_get_year (&date), g_date_get_month (&date),
                                    g_date_get_day (&date), 0, 0, 0);
  return g_date_time_to_unix (midnight);
}

/* "YYYY-MM-DD" as a julian day, 0 when it is not a date. */
static guint32
parse_floating_date (const char *text)
{
  int year, month, day;
  char end;
  GDate date;

  if (text == NULL || sscanf (text, "%4d-%2d-%2d%c", &year, &month, &day, &end) != 3)
    return 0;
  if (!g_date_valid_dmy (day, month, year))
    return 0;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, day, month, year);
  return g_date_get_julian (&date);
}

static gboolean
uses_twelve_hour_clock (EmberAgendaView *self)
{
  g_autofree char *format = NULL;

  if (self->interface_settings == NULL)
    return FALSE;

  format = g_settings_get_string (self->interface_settings, "clock-format");
  return g_strcmp0 (format, "12h") == 0;
}

static char *
format_time (EmberAgendaView *self,
             GDateTime       *date_time)
{
  g_autofree char *text = NULL;

  if (uses_twelve_hour_clock (self))
    {
      /* %l pads with a space: trim it. */
      text = g_date_time_format (date_time, C_("agenda time, 12-hour", "%l:%M %p"));
      return g_strdup (g_strstrip (text));
    }

  return g_date_time_format (date_time, C_("agenda time, 24-hour", "%H:%M"));
}

static char *
format_day_title (EmberAgendaView *self,
                  guint32          day)
{
  g_autoptr(GDateTime) noon = NULL;
  GDate date, today;

  if (day == self->today)
    return g_strdup (_("Today"));
  if (day == self->today + 1)
    return g_strdup (_("Tomorrow"));

  g_date_clear (&date, 1);
  g_date_set_julian (&date, day);
  g_date_clear (&today, 1);
  g_date_set_julian (&today, self->today);
  noon = g_date_time_new_local (g_date_get_year (&date), g_date_get_month (&date),
                                g_date_get_day (&date), 12, 0, 0);

  if (g_date_get_year (&date) == g_date_get_year (&today))
    return g_date_time_format (noon, C_("agenda day", "%A %-e %B"));

  return g_date_time_format (noon, C_("agenda day in another year", "%A %-e %B %Y"));
}

/* Entries: one event on one day */

typedef struct
{
  guint32                 day;
  gboolean                all_day;   /* "All day" on this day */
  gint64                  sort_time; /* UTC seconds within the day */
  char                   *time_text;
  const EmberEventRecord *event;     /* owned by the loaded array */
  const char             *colour;    /* owned by the colour table */
} AgendaEntry;

static void
agenda_entry_clear (gpointer data)
{
  AgendaEntry *entry = data;

  g_clear_pointer (&entry->time_text, g_free);
}

static void
add_entry (GArray                 *entries,
           guint32                 day,
           gboolean                all_day,
           gint64                  sort_time,
           char                   *time_text,
           const EmberEventRecord *event,
           const char             *colour)
{
  AgendaEntry entry = {
    .day = day,
    .all_day = all_day,
    .sort_time = sort_time,
    .time_text = time_text,
    .event = event,
    .colour = colour,
  };

  g_array_append_val (entries, entry);
}

static void
add_all_day_event (EmberAgendaView        *self,
                   GArray                 *entries,
                   const EmberEventRecord *event,
                   const char             *colour,
                   guint32                 last_day)
{
  guint32 start = parse_floating_date (event->start_date);
  guint32 end = parse_floating_date (event->end_date);

  /* Records saved without dates: the store keeps UTC midnight of the date. */
  if (start == 0)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (event->start);

      if (utc == NULL)
        return;
      start = julian_of (utc);
    }
  /* The end date is exclusive; a missing or broken one means one day. */
  if (end <= start)
    end = start + 1;

  for (guint32 day = MAX (start, self->today); day < end && day <= last_day; day++)
    add_entry (entries, day, TRUE, 0, g_strdup (_("All day")), event, colour);
}

static void
add_timed_event (EmberAgendaView        *self,
                 GArray                 *entries,
                 const EmberEventRecord *event,
                 const char             *colour,
                 guint32                 last_day)
{
  g_autoptr(GDateTime) start = g_date_time_new_from_unix_local (event->start);
  g_autoptr(GDateTime) end = NULL;
  g_autofree char *start_text = NULL;
  g_autofree char *end_text = NULL;
  guint32 first, last;

  if (start == NULL)
    return;

  first = julian_of (start);
  start_text = format_time (self, start);

  if (event->end <= event->start)
    {
      if (first >= self->today && first <= last_day)
        add_entry (entries, first, FALSE, event->start, g_strdup (start_text), event, colour);
      return;
    }

  end = g_date_time_new_from_unix_local (event->end);
  if (end == NULL)
    return;
  end_text = format_time (self, end);
  {
    /* The end is exclusive: an event until midnight ends on its own day. */
    g_autoptr(GDateTime) last_moment = g_date_time_new_from_unix_local (event->end - 1);

    last = julian_of (last_moment);
  }

  for (guint32 day = MAX (first, self->today); day <= last && day <= last_day; day++)
    {
      if (first == last)
        add_entry (entries, day, FALSE, event->start,
                   /* Translators: an event's start and end time */
                   g_strdup_printf (C_("agenda time range", "%s – %s"), start_text, end_text),
                   event, colour);
      else if (day == first)
        add_entry (entries, day, FALSE, event->start,
                   g_strdup_printf (C_("agenda time of an event going on past midnight", "From %s"), start_text),
                   event, colour);
      else if (day == last)
        add_entry (entries, day, FALSE, local_midnight (day),
                   g_strdup_printf (C_("agenda time of an event that began on an earlier day", "Until %s"), end_text),
                   event, colour);
      else
        add_entry (entries, day, TRUE, 0, g_strdup (_("All day")), event, colour);
    }
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const AgendaEntry *entry_a = a;
  const AgendaEntry *entry_b = b;

  if (entry_a->day != entry_b->day)
    return entry_a->day < entry_b->day ? -1 : 1;
  /* All-day first within a day. */
  if (entry_a->all_day != entry_b->all_day)
    return entry_a->all_day ? -1 : 1;
  if (entry_a->sort_time != entry_b->sort_time)
    return entry_a->sort_time < entry_b->sort_time ? -1 : 1;

  return g_utf8_collate (entry_a->event->summary != NULL ? entry_a->event->summary : "",
                         entry_b->event->summary != NULL ? entry_b->event->summary : "");
}

/* Rows */

static void
update_header (GtkListBoxRow *row,
               GtkListBoxRow *before,
               gpointer       user_data)
{
  EmberAgendaView *self = user_data;
  guint32 day = ember_agenda_row_get_day (EMBER_AGENDA_ROW (row));
  g_autofree char *title = NULL;
  GtkWidget *header;

  if (before != NULL && ember_agenda_row_get_day (EMBER_AGENDA_ROW (before)) == day)
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }

  title = format_day_title (self, day);
  header = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (header), 0);
  gtk_widget_set_margin_top (header, before != NULL ? 18 : 12);
  gtk_widget_set_margin_bottom (header, 6);
  gtk_widget_set_margin_start (header, 12);
  gtk_widget_set_margin_end (header, 12);
  gtk_widget_add_css_class (header, "heading");
  if (day == self->today)
    gtk_widget_add_css_class (header, "accent");
  gtk_list_box_row_set_header (row, header);
}

static void
remove_all_rows (EmberAgendaView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);
}

static void
show_events (EmberAgendaView *self,
             GPtrArray       *events,
             GHashTable      *colours)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (AgendaEntry));
  guint32 last_day = self->today + EMBER_AGENDA_VIEW_DAYS_AHEAD;

  g_array_set_clear_func (entries, agenda_entry_clear);

  for (guint i = 0; i < events->len; i++)
    {
      const EmberEventRecord *event = g_ptr_array_index (events, i);
      const char *colour = g_hash_table_lookup (colours, &event->calendar_id);

      if (event->all_day)
        add_all_day_event (self, entries, event, colour, last_day);
      else
        add_timed_event (self, entries, event, colour, last_day);
    }
  g_array_sort (entries, compare_entries);

  /* Rebuilding the rows scrolls to the top: a reload after a sync must
   * leave the list where the person (or show_event ()) put it. */
  {
    GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (self->list_box), GTK_TYPE_SCROLLED_WINDOW);

    if (scrolled != NULL && self->scroll_tick == 0)
      self->kept_scroll = gtk_adjustment_get_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)));
  }
  remove_all_rows (self);
  for (guint i = 0; i < entries->len; i++)
    {
      const AgendaEntry *entry = &g_array_index (entries, AgendaEntry, i);
      GtkWidget *row = ember_agenda_row_new (entry->day, entry->all_day, entry->time_text,
                                             entry->event->summary, entry->event->location,
                                             entry->colour);

      ember_agenda_row_set_event_id (EMBER_AGENDA_ROW (row), entry->event->id);
      gtk_list_box_append (self->list_box, row);
    }

  self->has_shown_events = entries->len > 0;
  ember_stack_pages_show (self->stack, entries->len > 0 ? "events" : "empty");
}

static GtkListBoxRow *
find_event_row (EmberAgendaView *self,
                gint64           event_id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (EMBER_IS_AGENDA_ROW (child) && ember_agenda_row_get_event_id (EMBER_AGENDA_ROW (child)) == event_id)
        return GTK_LIST_BOX_ROW (child);
    }

  return NULL;
}

/* Brings the selected row (with its day's heading) into view as soon as
 * the list box has laid it out. */
static gboolean
scroll_to_selected_tick (GtkWidget     *widget,
                         GdkFrameClock *frame_clock,
                         gpointer       user_data)
{
  EmberAgendaView *self = EMBER_AGENDA_VIEW (widget);
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->list_box);
  GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (self->list_box), GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *header;
  GtkAdjustment *adjustment;
  graphene_point_t top;
  double upper;

  if (row == NULL || scrolled == NULL)
    {
      self->scroll_tick = 0;
      return G_SOURCE_REMOVE;
    }

  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  if (gtk_widget_get_height (GTK_WIDGET (row)) <= 0 || gtk_adjustment_get_page_size (adjustment) <= 0 ||
      !gtk_widget_compute_point (GTK_WIDGET (row), GTK_WIDGET (self->list_box), &GRAPHENE_POINT_INIT (0, 0), &top))
    return G_SOURCE_CONTINUE;

  upper = top.y + gtk_widget_get_height (GTK_WIDGET (row));
  if (gtk_adjustment_get_upper (adjustment) < upper)
    return G_SOURCE_CONTINUE;

  header = gtk_list_box_row_get_header (row);
  if (header != NULL)
    top.y -= gtk_widget_get_height (header) + gtk_widget_get_margin_top (header) + gtk_widget_get_margin_bottom (header);
  gtk_adjustment_clamp_page (adjustment, MAX (top.y, 0), upper);

  self->scroll_tick = 0;
  return G_SOURCE_REMOVE;
}

/* Puts the list back where it was before a reload once the new rows are
 * laid out far enough. */
static gboolean
restore_scroll_tick (GtkWidget     *widget,
                     GdkFrameClock *frame_clock,
                     gpointer       user_data)
{
  EmberAgendaView *self = EMBER_AGENDA_VIEW (widget);
  GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (self->list_box), GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;

  if (scrolled == NULL)
    {
      self->scroll_tick = 0;
      return G_SOURCE_REMOVE;
    }

  /* A list that got shorter never reaches the old place: it stops at its end. */
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  if ((gtk_adjustment_get_page_size (adjustment) <= 0 ||
       gtk_adjustment_get_upper (adjustment) < self->kept_scroll + gtk_adjustment_get_page_size (adjustment)) &&
      ++self->restore_frames < 30)
    return G_SOURCE_CONTINUE;

  gtk_adjustment_set_value (adjustment, self->kept_scroll);
  self->scroll_tick = 0;
  return G_SOURCE_REMOVE;
}

/* After a reload: selects the event asked for and scrolls to it, or again
 * the one selected before, whose row was rebuilt. */
static void
select_event_rows (EmberAgendaView *self)
{
  GtkListBoxRow *row;

  if (self->event_to_show != 0)
    {
      self->selected_event = self->event_to_show;
      self->event_to_show = 0;
      row = find_event_row (self, self->selected_event);
      gtk_list_box_select_row (self->list_box, row);
      if (row != NULL && self->scroll_tick == 0)
        self->scroll_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), scroll_to_selected_tick, NULL, NULL);
      return;
    }

  if (self->selected_event != 0)
    gtk_list_box_select_row (self->list_box, find_event_row (self, self->selected_event));
  self->restore_frames = 0;
  if (self->kept_scroll > 0 && self->scroll_tick == 0)
    self->scroll_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), restore_scroll_tick, NULL, NULL);
}

static void
row_selected_cb (EmberAgendaView *self,
                 GtkListBoxRow   *row)
{
  /* Rows go away on reloads; only a new selection counts. */
  if (row != NULL)
    self->selected_event = ember_agenda_row_get_event_id (EMBER_AGENDA_ROW (row));
}

/* Loading */

typedef struct
{
  EmberStore *store;
  gint64      from;
  gint64      to;
} LoadRange;

typedef struct
{
  GPtrArray  *events;  /* (element-type EmberEventRecord) */
  GHashTable *colours; /* calendar id (gint64 *) → "#rrggbb" */
} LoadedAgenda;

static void
load_range_free (LoadRange *range)
{
  g_clear_object (&range->store);
  g_free (range);
}

static void
loaded_agenda_free (LoadedAgenda *loaded)
{
  g_clear_pointer (&loaded->events, g_ptr_array_unref);
  g_clear_pointer (&loaded->colours, g_hash_table_unref);
  g_free (loaded);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadedAgenda, loaded_agenda_free)

static void
load_agenda_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  LoadRange *range = task_data;
  g_autoptr(LoadedAgenda) loaded = g_new0 (LoadedAgenda, 1);
  g_autoptr(GPtrArray) calendars = NULL;
  GError *error = NULL;

  calendars = ember_store_list_calendars_sync (range->store, 0, cancellable, &error);
  if (calendars == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  loaded->events = ember_store_list_events_sync (range->store, 0, range->from, range->to,
                                                 cancellable, &error);
  if (loaded->events == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  loaded->colours = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  for (guint i = 0; i < calendars->len; i++)
    {
      const EmberCalendarRecord *calendar = g_ptr_array_index (calendars, i);

      if (calendar->color != NULL)
        g_hash_table_insert (loaded->colours, g_memdup2 (&calendar->id, sizeof calendar->id),
                             g_strdup (calendar->color));
    }

  g_task_return_pointer (task, g_steal_pointer (&loaded), (GDestroyNotify) loaded_agenda_free);
}

static void
agenda_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  EmberAgendaView *self = EMBER_AGENDA_VIEW (object);
  g_autoptr(LoadedAgenda) loaded = NULL;
  g_autoptr(GError) error = NULL;

  loaded = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* A newer reload replaced this one. */
  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;

  g_clear_object (&self->cancellable);
  set_loading (self, FALSE);

  if (loaded == NULL)
    {
      g_autoptr(EmberUserError) user_error = ember_user_error_new_from_error (error);

      adw_status_page_set_description (self->error_page, user_error->message);
      if (user_error->details != NULL)
        g_warning ("Could not load the agenda: %s", user_error->details);
      remove_all_rows (self);
      self->has_shown_events = FALSE;
      ember_stack_pages_show (self->stack, "error");
      return;
    }

  show_events (self, loaded->events, loaded->colours);
  select_event_rows (self);
}

static gboolean midnight_cb (gpointer user_data);

static void
schedule_midnight_reload (EmberAgendaView *self)
{
  gint64 now = ember_clock_get_real (self->clock) / G_USEC_PER_SEC;
  gint64 wait = local_midnight (self->today + 1) - now;

  g_clear_handle_id (&self->midnight_source, g_source_remove);
  /* "Today" moves at midnight; a second late is fine. */
  self->midnight_source = g_timeout_add_seconds (CLAMP (wait, 0, G_MAXUINT - 1) + 1, midnight_cb, self);
}

static gboolean
midnight_cb (gpointer user_data)
{
  EmberAgendaView *self = user_data;

  self->midnight_source = 0;
  if (self->store != NULL)
    ember_agenda_view_reload (self);

  return G_SOURCE_REMOVE;
}

void
ember_agenda_view_reload (EmberAgendaView *self)
{
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GTask) task = NULL;
  LoadRange *range;

  g_return_if_fail (EMBER_IS_AGENDA_VIEW (self));
  g_return_if_fail (self->store != NULL);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  now = get_now_local (self);
  self->today = julian_of (now);
  schedule_midnight_reload (self);

  range = g_new0 (LoadRange, 1);
  range->store = g_object_ref (self->store);
  /* From yesterday: events that began then may still be going on. */
  range->from = local_midnight (self->today - 1);
  range->to = local_midnight (self->today + EMBER_AGENDA_VIEW_DAYS_AHEAD + 1);

  set_loading (self, TRUE);
  if (!self->has_shown_events)
    ember_stack_pages_show (self->stack, "loading");

  task = g_task_new (self, self->cancellable, agenda_loaded_cb, NULL);
  g_task_set_source_tag (task, ember_agenda_view_reload);
  g_task_set_task_data (task, range, (GDestroyNotify) load_range_free);
  g_task_run_in_thread (task, load_agenda_thread);
}

void
ember_agenda_view_show_event (EmberAgendaView *self,
                              gint64           event_id)
{
  g_return_if_fail (EMBER_IS_AGENDA_VIEW (self));

  self->event_to_show = event_id;
  if (!self->loading && self->has_shown_events)
    select_event_rows (self);
}

gint64
ember_agenda_view_get_selected_event (EmberAgendaView *self)
{
  GtkListBoxRow *row;

  g_return_val_if_fail (EMBER_IS_AGENDA_VIEW (self), 0);

  row = gtk_list_box_get_selected_row (self->list_box);
  return row != NULL ? ember_agenda_row_get_event_id (EMBER_AGENDA_ROW (row)) : 0;
}

static void
clock_format_changed_cb (EmberAgendaView *self)
{
  if (self->store != NULL)
    ember_agenda_view_reload (self);
}

/* GObject */

static void
ember_agenda_view_dispose (GObject *object)
{
  EmberAgendaView *self = EMBER_AGENDA_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->midnight_source, g_source_remove);
  if (self->scroll_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->scroll_tick);
  self->scroll_tick = 0;
  gtk_widget_dispose_template (GTK_WIDGET (self), EMBER_TYPE_AGENDA_VIEW);
  g_clear_object (&self->interface_settings);
  g_clear_object (&self->store);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (ember_agenda_view_parent_class)->dispose (object);
}

static void
ember_agenda_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  EmberAgendaView *self = EMBER_AGENDA_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_agenda_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  EmberAgendaView *self = EMBER_AGENDA_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      ember_agenda_view_set_store (self, g_value_get_object (value));
      break;

    case PROP_CLOCK:
      ember_agenda_view_set_clock (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_agenda_view_class_init (EmberAgendaViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ember_agenda_view_dispose;
  object_class->get_property = ember_agenda_view_get_property;
  object_class->set_property = ember_agenda_view_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         EMBER_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL,
                         EMBER_TYPE_CLOCK,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ember-agenda-view");
  g_type_ensure (EMBER_TYPE_SPINNER);
  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/ember-agenda-view.ui");
  gtk_widget_class_bind_template_child (widget_class, EmberAgendaView, stack);
  gtk_widget_class_bind_template_child (widget_class, EmberAgendaView, error_page);
  gtk_widget_class_bind_template_child (widget_class, EmberAgendaView, list_box);
}

static void
ember_agenda_view_init (EmberAgendaView *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  ember_stack_pages_init (self->stack);

  self->clock = g_object_ref (ember_clock_get_default ());
  gtk_list_box_set_header_func (self->list_box, update_header, self, NULL);
  g_signal_connect_object (self->list_box, "row-selected", G_CALLBACK (row_selected_cb), self, G_CONNECT_SWAPPED);

  /* The desktop's 12/24-hour choice, when the desktop schemas are there. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);
  if (schema != NULL && g_settings_schema_has_key (schema, "clock-format"))
    {
      self->interface_settings = g_settings_new_full (schema, NULL, NULL);
      g_signal_connect_object (self->interface_settings, "changed::clock-format",
                               G_CALLBACK (clock_format_changed_cb), self, G_CONNECT_SWAPPED);
    }
}
