/* test-notification-actions.c: what a clicked notification opens. The
 * notifications' default actions are app.open-message(x) and
 * app.open-event(x) (GNotification activates them on a click); here they
 * are activated the same way on the real application, and the window must
 * show the message selected in its folder and in the reader, or the event
 * selected in the agenda.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-agenda-row.h"
#include "ember-agenda-view.h"
#include "ember-gui-test-utils.h"
#include "ember-message-item.h"
#include "ember-message-view.h"
#include "ember-notifier.h"
#include "ember-test-utils.h"
#include "ember-window.h"

#define N_MESSAGES 250 /* more than the list model's first page */
#define BASE_DATE  1764000000 /* 2025-11-24 */
#define N_EVENTS   30
#define DAY        (24 * 60 * 60)

/* Row ids of what the tests open. */
static gint64 deep_id;     /* message 7: far below the first page */
static gint64 folded_id;   /* message 10: the older one of the 10/11 conversation */
static gint64 receipt_id;  /* only under the "Receipts" label */
static gint64 planning_id; /* an event three weeks ahead */

static gint64
message_id (EmberStore *store,
            gint64      account_id,
            const char *provider_id)
{
  g_autoptr(EmberMessageRecord) message = NULL;
  g_autoptr(GError) error = NULL;

  message = ember_store_find_message_sync (store, account_id, provider_id, NULL, &error);
  g_assert_no_error (error);
  return message->id;
}

static EmberMessageRecord *
new_message (const char *provider_id,
             const char *thread_id,
             const char *subject,
             gint64      date,
             const char *folder)
{
  EmberMessageRecord *message = ember_message_record_new ();

  message->provider_id = g_strdup (provider_id);
  message->thread_id = g_strdup (thread_id);
  message->subject = g_strdup (subject);
  message->from_name = g_strdup ("Ann");
  message->from_address = g_strdup ("ann@example.test");
  message->date = date;
  message->snippet = g_strdup_printf ("Body of %s", subject);
  message->body_text = g_strdup (message->snippet);
  ember_message_record_add_folder_id (message, folder);

  return message;
}

/* One Gmail account with an inbox of N_MESSAGES (message i is i minutes
 * newer than BASE_DATE; 10 and 11 form one conversation), an older message
 * only under a label, and one event a day for N_EVENTS days from tomorrow
 * at 09:00 local time, "Quarterly planning" on day 21. */
static void
populate_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberStore) store = ember_store_new_sync (NULL, NULL, &error);
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(EmberCalendarPage) calendars = ember_calendar_page_new ("calendars");
  g_autoptr(EmberEventPage) events = ember_event_page_new ("calendar:primary", "primary");
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) today = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                                      g_date_time_get_day_of_month (now), 9, 0, 0);
  EmberCalendarRecord *calendar;
  gint64 account_id;

  g_assert_no_error (error);
  account_id = ember_gui_test_add_offline_account (store);
  ember_gui_test_save_inbox_and_label (store, account_id);

  for (guint i = 0; i < N_MESSAGES; i++)
    {
      g_autofree char *provider_id = g_strdup_printf ("m%u", i);
      g_autofree char *thread_id = g_strdup_printf ("t%u", i == 11 ? 10 : i);
      g_autofree char *subject = g_strdup_printf ("Message number %u", i);

      g_ptr_array_add (page->messages, new_message (provider_id, thread_id, subject, BASE_DATE + i * 60, "INBOX"));
    }
  g_ptr_array_add (page->messages, new_message ("receipt", "receipt", "Your receipt", BASE_DATE - DAY, "Label_1"));
  g_assert_true (ember_store_save_message_page_sync (store, account_id, page, NULL, &error));
  g_assert_no_error (error);

  deep_id = message_id (store, account_id, "m7");
  folded_id = message_id (store, account_id, "m10");
  receipt_id = message_id (store, account_id, "receipt");

  calendar = ember_calendar_record_new ();
  calendar->provider_id = g_strdup ("primary");
  calendar->name = g_strdup ("Alice");
  calendar->is_primary = TRUE;
  g_ptr_array_add (calendars->calendars, calendar);
  g_assert_true (ember_store_save_calendar_page_sync (store, account_id, calendars, NULL, &error));
  g_assert_no_error (error);

  for (guint day = 1; day <= N_EVENTS; day++)
    {
      g_autoptr(GDateTime) start = g_date_time_add_days (today, day);
      EmberEventRecord *event = ember_event_record_new ();

      event->provider_id = g_strdup_printf ("e%u", day);
      event->summary = day == 21 ? g_strdup ("Quarterly planning") : g_strdup_printf ("Standup %u", day);
      event->start = g_date_time_to_unix (start);
      event->end = event->start + 30 * 60;
      event->status = g_strdup ("confirmed");
      g_ptr_array_add (events->events, event);
    }
  g_assert_true (ember_store_save_event_page_sync (store, account_id, events, NULL, &error));
  g_assert_no_error (error);

  stored = ember_store_list_events_sync (store, account_id, 0, G_MAXINT64, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < stored->len; i++)
    {
      EmberEventRecord *event = g_ptr_array_index (stored, i);

      if (g_str_equal (event->summary, "Quarterly planning"))
        planning_id = event->id;
    }
  g_assert_cmpint (planning_id, !=, 0);
}

static GtkWindow *
start_window (EmberApplication **app)
{
  GtkWindow *window;

  populate_store ();
  *app = ember_gui_test_start_app ();
  window = ember_gui_test_wait_for_window (EMBER_TYPE_WINDOW, 5000);
  g_assert_nonnull (window);

  return window;
}

static GtkSingleSelection *
list_selection (GtkWindow *window)
{
  GtkWidget *list = ember_gui_test_find_widget (GTK_WIDGET (window), GTK_TYPE_LIST_VIEW, NULL, NULL);

  g_assert_nonnull (list);
  return GTK_SINGLE_SELECTION (gtk_list_view_get_model (GTK_LIST_VIEW (list)));
}

static EmberMessageView *
reader (GtkWindow *window)
{
  return EMBER_MESSAGE_VIEW (ember_gui_test_find_widget (GTK_WIDGET (window), EMBER_TYPE_MESSAGE_VIEW, NULL, NULL));
}

typedef struct
{
  GtkWindow  *window;
  gint64      id;            /* the message in the reader */
  const char *row_subject;   /* the selected row */
  const char *body;          /* shown in the reader */
} Revealed;

static gboolean
text_view_shows (GtkWidget *widget,
                 gpointer   data)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);

  return gtk_widget_is_drawable (widget) && g_strcmp0 (text, data) == 0;
}

static gboolean
message_revealed (gpointer data)
{
  Revealed *revealed = data;
  EmberMessageItem *selected = gtk_single_selection_get_selected_item (list_selection (revealed->window));
  EmberMessageView *view = reader (revealed->window);

  return selected != NULL &&
         g_strcmp0 (ember_message_item_get_subject (selected), revealed->row_subject) == 0 &&
         ember_message_view_get_message_id (view) == revealed->id &&
         !ember_message_view_get_loading (view) &&
         ember_gui_test_find_widget (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW,
                                     text_view_shows, (gpointer) revealed->body) != NULL;
}

static void
open_message (EmberApplication *app,
              GtkWindow        *window,
              gint64            id,
              const char       *row_subject,
              const char       *body,
              const char       *list_title)
{
  Revealed revealed = { window, id, row_subject, body };

  g_action_group_activate_action (G_ACTION_GROUP (app), EMBER_NOTIFIER_ACTION_OPEN_MESSAGE,
                                  g_variant_new_int64 (id));
  if (!ember_test_wait_for (message_revealed, &revealed, 30000))
    {
      EmberMessageItem *selected = gtk_single_selection_get_selected_item (list_selection (window));

      g_error ("expected “%s” selected and message %" G_GINT64_FORMAT " (“%s”) in the reader; "
               "the selected row is “%s”, the reader has message %" G_GINT64_FORMAT,
               row_subject, id, body, selected != NULL ? ember_message_item_get_subject (selected) : "(none)",
               ember_message_view_get_message_id (reader (window)));
    }
  g_assert_cmpstr (gtk_window_get_title (window), ==, list_title);
}

static gboolean
list_has_rows (gpointer data)
{
  GListModel *model = gtk_single_selection_get_model (list_selection (data));

  return model != NULL && g_list_model_get_n_items (model) > 0;
}

static void
test_open_message (void)
{
  EmberApplication *app;
  GtkWindow *window = start_window (&app);
  GListModel *model;

  g_assert_true (ember_test_wait_for (list_has_rows, window, 30000));
  model = gtk_single_selection_get_model (list_selection (window));
  /* The deep message is not read yet: the list reads on to it. */
  g_assert_cmpuint (g_list_model_get_n_items (model), <, N_MESSAGES - 7);

  /* In the open list (the unified inbox has it): selected there. */
  open_message (app, window, deep_id, "Message number 7", "Body of Message number 7", "All Inboxes");
  g_assert_cmpuint (gtk_single_selection_get_selected (list_selection (window)), ==, N_MESSAGES - 2 - 7);

  /* The older message of a conversation: its conversation's row, and the
   * message itself in the reader. */
  open_message (app, window, folded_id, "Message number 11", "Body of Message number 10", "All Inboxes");

  ember_gui_test_quit_app (app);
  g_object_unref (app);
}

static void
test_open_message_in_other_folder (void)
{
  EmberApplication *app;
  GtkWindow *window = start_window (&app);

  g_assert_true (ember_test_wait_for (list_has_rows, window, 30000));

  /* Only under a label: that label's list opens. */
  open_message (app, window, receipt_id, "Your receipt", "Body of Your receipt", "Receipts");

  /* Back to an inbox message from the label: its inbox. */
  open_message (app, window, deep_id, "Message number 7", "Body of Message number 7", "Inbox");

  ember_gui_test_quit_app (app);
  g_object_unref (app);
}

/* Clicked while Ember runs without a window (in the background): the
 * window opens with the message. */
static void
test_open_message_without_window (void)
{
  EmberApplication *app;
  GtkWindow *window = start_window (&app);

  g_application_hold (G_APPLICATION (app));
  gtk_window_destroy (window);
  ember_test_spin (100);
  g_assert_null (ember_gui_test_find_window (EMBER_TYPE_WINDOW));

  g_action_group_activate_action (G_ACTION_GROUP (app), EMBER_NOTIFIER_ACTION_OPEN_MESSAGE,
                                  g_variant_new_int64 (receipt_id));
  window = ember_gui_test_wait_for_window (EMBER_TYPE_WINDOW, 5000);
  g_assert_nonnull (window);
  open_message (app, window, receipt_id, "Your receipt", "Body of Your receipt", "Receipts");

  g_application_release (G_APPLICATION (app));
  ember_gui_test_quit_app (app);
  g_object_unref (app);
}

typedef struct
{
  GtkWindow *window;
  gint64     event_id;
} EventShown;

static EmberAgendaView *
agenda (GtkWindow *window)
{
  return EMBER_AGENDA_VIEW (ember_gui_test_find_widget (GTK_WIDGET (window), EMBER_TYPE_AGENDA_VIEW, NULL, NULL));
}

static gboolean
event_shown (gpointer data)
{
  EventShown *shown = data;
  EmberAgendaView *view = agenda (shown->window);

  return gtk_widget_is_drawable (GTK_WIDGET (view)) &&
         ember_agenda_view_get_selected_event (view) == shown->event_id;
}

static GtkAdjustment *
agenda_scroll (GtkWindow *window)
{
  GtkWidget *list_box = ember_gui_test_find_widget (GTK_WIDGET (agenda (window)), GTK_TYPE_LIST_BOX, NULL, NULL);
  GtkWidget *scrolled = gtk_widget_get_ancestor (list_box, GTK_TYPE_SCROLLED_WINDOW);

  return gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
}

static gboolean
scrolled_to_selected_row (gpointer data)
{
  GtkWindow *window = data;
  GtkAdjustment *adjustment = agenda_scroll (window);
  GtkListBox *list_box = GTK_LIST_BOX (ember_gui_test_find_widget (GTK_WIDGET (agenda (window)),
                                                                   GTK_TYPE_LIST_BOX, NULL, NULL));
  GtkListBoxRow *row = gtk_list_box_get_selected_row (list_box);
  graphene_point_t top;
  double value = gtk_adjustment_get_value (adjustment);

  /* Laid out first. */
  if (row == NULL || gtk_adjustment_get_page_size (adjustment) <= 0 || gtk_widget_get_height (GTK_WIDGET (row)) <= 0 ||
      !gtk_widget_compute_point (GTK_WIDGET (row), GTK_WIDGET (list_box), &GRAPHENE_POINT_INIT (0, 0), &top))
    return FALSE;

  /* The row lies within the visible part of the list. */
  return top.y >= value &&
         top.y + gtk_widget_get_height (GTK_WIDGET (row)) <= value + gtk_adjustment_get_page_size (adjustment);
}

static void
test_open_event (void)
{
  EmberApplication *app;
  GtkWindow *window = start_window (&app);
  EventShown shown = { window, planning_id };
  GtkListBox *list_box;
  GtkListBoxRow *row;

  g_assert_true (ember_test_wait_for (list_has_rows, window, 30000));

  g_action_group_activate_action (G_ACTION_GROUP (app), EMBER_NOTIFIER_ACTION_OPEN_EVENT,
                                  g_variant_new_int64 (planning_id));
  if (!ember_test_wait_for (event_shown, &shown, 30000))
    g_error ("expected the agenda to show event %" G_GINT64_FORMAT " selected; it shows %" G_GINT64_FORMAT,
             planning_id, ember_agenda_view_get_selected_event (agenda (window)));
  g_assert_cmpstr (gtk_window_get_title (window), ==, "Calendar");

  list_box = GTK_LIST_BOX (ember_gui_test_find_widget (GTK_WIDGET (agenda (window)), GTK_TYPE_LIST_BOX, NULL, NULL));
  row = gtk_list_box_get_selected_row (list_box);
  g_assert_cmpstr (ember_agenda_row_get_summary (EMBER_AGENDA_ROW (row)), ==, "Quarterly planning");

  /* Twenty days of events do not fit: the list scrolled down to it. */
  if (!ember_test_wait_for (scrolled_to_selected_row, window, 10000))
    g_error ("expected the agenda scrolled to the event; it is scrolled to %.0f of %.0f px",
             gtk_adjustment_get_value (agenda_scroll (window)), gtk_adjustment_get_upper (agenda_scroll (window)));
  g_test_message ("agenda scrolled to %.0f of %.0f px, %.0f px shown",
                  gtk_adjustment_get_value (agenda_scroll (window)), gtk_adjustment_get_upper (agenda_scroll (window)),
                  gtk_adjustment_get_page_size (agenda_scroll (window)));
  g_assert_cmpfloat (gtk_adjustment_get_value (agenda_scroll (window)), >, 0);

  ember_gui_test_quit_app (app);
  g_object_unref (app);
}

int
main (int   argc,
      char *argv[])
{
  if (!ember_gui_test_setup (&argc, &argv))
    return 77;

  ember_gui_test_add ("/ember/gui/notification-actions/open-message", test_open_message);
  ember_gui_test_add ("/ember/gui/notification-actions/open-message-in-other-folder",
                      test_open_message_in_other_folder);
  ember_gui_test_add ("/ember/gui/notification-actions/open-message-without-window",
                      test_open_message_without_window);
  ember_gui_test_add ("/ember/gui/notification-actions/open-event", test_open_event);

  return g_test_run ();
}
