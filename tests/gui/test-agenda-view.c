/* test-agenda-view.c: the agenda groups events by local day, all-day
 * events first, with floating all-day dates, in two time zones
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-agenda-row.h"
#include "ember-agenda-view.h"
#include "ember-fake-clock.h"
#include "ember-gui-test-utils.h"
#include "ember-store.h"
#include "ember-test-utils.h"

/* Wednesday 2026-11-25 12:00 UTC: the 25th both in Los Angeles (04:00)
 * and in Berlin (13:00). */
#define NOW_UTC G_GINT64_CONSTANT (1795608000)
#define HOUR 3600
#define NOV_25_UTC_MIDNIGHT (NOW_UTC - 12 * HOUR)

typedef struct
{
  const char *summary;
  gint64      start;      /* timed events */
  gint64      end;
  const char *start_date; /* all-day events */
  const char *end_date;
  const char *location;
} TestEvent;

/* The same events for both zones. */
static const TestEvent events[] = {
  /* 23:30 UTC on the 24th: the 25th after midnight in Berlin, the 24th
   * (not shown) in Los Angeles. Before the all-day event in store order. */
  { "Midnight snack", NOV_25_UTC_MIDNIGHT - 30 * 60, NOV_25_UTC_MIDNIGHT - 15 * 60, NULL, NULL, NULL },
  { "Holiday", 0, 0, "2026-11-25", "2026-11-26", NULL },
  { "Early train", NOV_25_UTC_MIDNIGHT + 7 * HOUR + 30 * 60, NOV_25_UTC_MIDNIGHT + 8 * HOUR, NULL, NULL, "Platform 4" },
  { "Stand-up", NOV_25_UTC_MIDNIGHT + 17 * HOUR, NOV_25_UTC_MIDNIGHT + 17 * HOUR + 15 * 60, NULL, NULL, "Room 1" },
  /* 01:00 UTC on the 26th: still the 25th in Los Angeles, the 26th in Berlin. */
  { "Late call", NOV_25_UTC_MIDNIGHT + 25 * HOUR, NOV_25_UTC_MIDNIGHT + 26 * HOUR, NULL, NULL, NULL },
  { "Conference", 0, 0, "2026-11-26", "2026-11-28", "Lisbon" },
  { "Yesterday's lunch", NOV_25_UTC_MIDNIGHT - 12 * HOUR, NOV_25_UTC_MIDNIGHT - 11 * HOUR, NULL, NULL, NULL },
  { "New year planning", NOV_25_UTC_MIDNIGHT + 41 * 24 * HOUR + 10 * HOUR, NOV_25_UTC_MIDNIGHT + 41 * 24 * HOUR + 11 * HOUR, NULL, NULL, NULL },
  { "Too far ahead", NOV_25_UTC_MIDNIGHT + 70 * 24 * HOUR, NOV_25_UTC_MIDNIGHT + 71 * 24 * HOUR, NULL, NULL, NULL },
};

typedef struct
{
  const char *header;   /* NULL: same day as the row before */
  const char *time;
  const char *summary;
} ExpectedRow;

static const ExpectedRow los_angeles_rows[] = {
  { "Today", "All day", "Holiday" },
  { NULL, "09:00 – 09:15", "Stand-up" },
  { NULL, "17:00 – 18:00", "Late call" },
  { "Tomorrow", "All day", "Conference" },
  { "Friday 27 November", "All day", "Conference" },
  { "Tuesday 5 January 2027", "02:00 – 03:00", "New year planning" },
};

static const ExpectedRow berlin_rows[] = {
  { "Today", "All day", "Holiday" },
  { NULL, "00:30 – 00:45", "Midnight snack" },
  { NULL, "08:30 – 09:00", "Early train" },
  { NULL, "18:00 – 18:15", "Stand-up" },
  { "Tomorrow", "All day", "Conference" },
  { NULL, "02:00 – 03:00", "Late call" },
  { "Friday 27 November", "All day", "Conference" },
  { "Tuesday 5 January 2027", "11:00 – 12:00", "New year planning" },
};

static EmberStore *
open_store_with_events (gboolean with_events)
{
  g_autofree char *name = g_strdelimit (g_strdup (g_test_get_path ()), "/", '-');
  g_autofree char *dir = g_build_filename (ember_test_get_tmpdir (), name, NULL);
  g_autoptr(EmberAccountRecord) account = ember_account_record_new ();
  g_autoptr(EmberCalendarPage) calendars = ember_calendar_page_new ("calendars");
  g_autoptr(EmberEventPage) page = ember_event_page_new ("calendar:work", "work");
  g_autoptr(GError) error = NULL;
  EmberCalendarRecord *calendar = ember_calendar_record_new ();
  g_autoptr(EmberStore) store = NULL;
  gint64 account_id;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  store = ember_store_new_sync (dir, NULL, &error);
  g_assert_no_error (error);

  account->provider = g_strdup ("gmail");
  account->email = g_strdup ("me@example.com");
  account_id = ember_store_add_account_sync (store, account, NULL, &error);
  g_assert_no_error (error);

  calendar->provider_id = g_strdup ("work");
  calendar->name = g_strdup ("Work");
  calendar->color = g_strdup ("#e01b24");
  g_ptr_array_add (calendars->calendars, calendar);
  ember_store_save_calendar_page_sync (store, account_id, calendars, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; with_events && i < G_N_ELEMENTS (events); i++)
    {
      EmberEventRecord *event = ember_event_record_new ();

      event->provider_id = g_strdup_printf ("event-%u", i);
      event->summary = g_strdup (events[i].summary);
      event->location = g_strdup (events[i].location);
      event->status = g_strdup ("confirmed");
      if (events[i].start_date != NULL)
        {
          event->all_day = TRUE;
          event->start_date = g_strdup (events[i].start_date);
          event->end_date = g_strdup (events[i].end_date);
        }
      else
        {
          event->start = events[i].start;
          event->end = events[i].end;
        }
      g_ptr_array_add (page->events, event);
    }
  ember_store_save_event_page_sync (store, account_id, page, NULL, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&store);
}

static gboolean
agenda_idle (gpointer data)
{
  return !ember_agenda_view_get_loading (data);
}

typedef struct
{
  GtkWindow       *window;
  EmberAgendaView *view;
  EmberFakeClock  *clock;
  EmberStore      *store;
} Agenda;

static Agenda *
agenda_show (gboolean with_events)
{
  Agenda *agenda = g_new0 (Agenda, 1);

  agenda->store = open_store_with_events (with_events);
  agenda->clock = ember_fake_clock_new (NOW_UTC * G_USEC_PER_SEC);
  agenda->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (agenda->window, 600, 800);
  agenda->view = EMBER_AGENDA_VIEW (ember_agenda_view_new ());
  ember_agenda_view_set_clock (agenda->view, EMBER_CLOCK (agenda->clock));
  ember_agenda_view_set_store (agenda->view, agenda->store);
  gtk_window_set_child (agenda->window, GTK_WIDGET (agenda->view));
  gtk_window_present (agenda->window);

  ember_agenda_view_reload (agenda->view);
  g_assert_true (ember_agenda_view_get_loading (agenda->view));
  g_assert_true (ember_test_wait_for (agenda_idle, agenda->view, 10000));
  ember_test_spin (100);

  return agenda;
}

static gboolean
pointer_is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
agenda_free (Agenda *agenda)
{
  /* Nothing is left holding the view once it leaves its window. (Taken
   * out first: GTK keeps the widget under the pointer, which another GUI
   * test on this display may have moved over our window, until the pointer
   * leaves.) */
  g_object_add_weak_pointer (G_OBJECT (agenda->view), (gpointer *) &agenda->view);
  gtk_window_set_child (agenda->window, NULL);
  if (!ember_test_wait_for (pointer_is_null, &agenda->view, 10000))
    g_error ("expected the agenda view to be finalized once out of its window, but it is still alive");
  gtk_window_destroy (agenda->window);
  g_clear_object (&agenda->store);
  g_clear_object (&agenda->clock);
  g_free (agenda);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Agenda, agenda_free)

static void
check_rows (const char        *zone,
            const ExpectedRow *expected,
            guint              n_expected)
{
  g_autoptr(Agenda) agenda = NULL;
  GtkWidget *list_box;
  guint n_rows = 0;

  g_setenv ("TZ", zone, TRUE);
  agenda = agenda_show (TRUE);

  list_box = ember_gui_test_find_widget (GTK_WIDGET (agenda->view), GTK_TYPE_LIST_BOX, NULL, NULL);
  g_assert_nonnull (list_box);
  g_assert_true (gtk_widget_is_drawable (list_box));

  for (GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list_box), 0);
       row != NULL;
       row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list_box), n_rows))
    {
      EmberAgendaRow *agenda_row = EMBER_AGENDA_ROW (row);
      GtkWidget *header = gtk_list_box_row_get_header (row);

      g_test_message ("%s: row %u: %s | %s | %s", zone, n_rows,
                      header != NULL ? gtk_label_get_text (GTK_LABEL (header)) : "",
                      ember_agenda_row_get_time_text (agenda_row),
                      ember_agenda_row_get_summary (agenda_row));
      g_assert_cmpuint (n_rows, <, n_expected);

      if (expected[n_rows].header != NULL)
        {
          g_assert_nonnull (header);
          g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (header)), ==, expected[n_rows].header);
          /* Only today's header stands out. */
          g_assert_cmpint (gtk_widget_has_css_class (header, "accent"), ==,
                           g_str_equal (expected[n_rows].header, "Today"));
        }
      else
        {
          g_assert_null (header);
        }
      g_assert_cmpstr (ember_agenda_row_get_time_text (agenda_row), ==, expected[n_rows].time);
      g_assert_cmpstr (ember_agenda_row_get_summary (agenda_row), ==, expected[n_rows].summary);
      g_assert_cmpint (ember_agenda_row_get_all_day (agenda_row), ==,
                       g_str_equal (expected[n_rows].time, "All day"));
      n_rows++;
    }

  g_assert_cmpuint (n_rows, ==, n_expected);
}

static void
test_today_in_los_angeles (void)
{
  check_rows ("America/Los_Angeles", los_angeles_rows, G_N_ELEMENTS (los_angeles_rows));
}

static void
test_today_in_berlin (void)
{
  check_rows ("Europe/Berlin", berlin_rows, G_N_ELEMENTS (berlin_rows));
}

static gboolean
status_page_has_title (GtkWidget *widget,
                       gpointer   data)
{
  return g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (widget)), data) == 0
         && gtk_widget_is_drawable (widget);
}

static void
test_empty_state_and_reload (void)
{
  g_autoptr(Agenda) agenda = NULL;
  g_autoptr(EmberEventPage) page = ember_event_page_new ("calendar:work", "work");
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  EmberEventRecord *event = ember_event_record_new ();
  GtkWidget *list_box;
  GtkListBoxRow *row;

  g_setenv ("TZ", "UTC", TRUE);
  agenda = agenda_show (FALSE);
  g_assert_nonnull (ember_gui_test_find_widget (GTK_WIDGET (agenda->view), ADW_TYPE_STATUS_PAGE,
                                                status_page_has_title, (gpointer) "No upcoming events"));

  /* An event arrives; a reload shows it instead of the empty state. */
  accounts = ember_store_list_accounts_sync (agenda->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
  event->provider_id = g_strdup ("new");
  event->summary = g_strdup ("Dentist");
  event->start = NOW_UTC + HOUR;
  event->end = NOW_UTC + 2 * HOUR;
  g_ptr_array_add (page->events, event);
  ember_store_save_event_page_sync (agenda->store,
                                    ((EmberAccountRecord *) g_ptr_array_index (accounts, 0))->id,
                                    page, NULL, &error);
  g_assert_no_error (error);

  ember_agenda_view_reload (agenda->view);
  g_assert_true (ember_test_wait_for (agenda_idle, agenda->view, 10000));
  ember_test_spin (100);

  g_assert_null (ember_gui_test_find_widget (GTK_WIDGET (agenda->view), ADW_TYPE_STATUS_PAGE,
                                             status_page_has_title, (gpointer) "No upcoming events"));
  list_box = ember_gui_test_find_widget (GTK_WIDGET (agenda->view), GTK_TYPE_LIST_BOX, NULL, NULL);
  row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list_box), 0);
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (row)));
  g_assert_cmpstr (ember_agenda_row_get_summary (EMBER_AGENDA_ROW (row)), ==, "Dentist");
  g_assert_cmpstr (ember_agenda_row_get_time_text (EMBER_AGENDA_ROW (row)), ==, "13:00 – 14:00");
  g_assert_null (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list_box), 1));
}

int
main (int   argc,
      char *argv[])
{
  if (!ember_gui_test_setup (&argc, &argv))
    return 77;
  adw_init ();

  /* The view needs no application, so the cases share one process; GLib
   * reads TZ again whenever it changes, so each case sets its own zone. */
  g_test_add_func ("/ember/gui/agenda-view/today-in-los-angeles", test_today_in_los_angeles);
  g_test_add_func ("/ember/gui/agenda-view/today-in-berlin", test_today_in_berlin);
  g_test_add_func ("/ember/gui/agenda-view/empty-state-and-reload", test_empty_state_and_reload);

  return g_test_run ();
}
