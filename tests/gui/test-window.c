/* test-window.c: the main window over a store with mail: sidebar, newest
 * first list, conversations, search, narrow layout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-gui-test-utils.h"
#include "ember-message-item.h"
#include "ember-message-list-model.h"
#include "ember-message-row.h"
#include "ember-test-utils.h"
#include "ember-window.h"

#define N_MESSAGES 450
#define BASE_DATE  1764000000 /* 2025-11-24 */

/* Message i is i minutes newer than BASE_DATE; 10 and 11 form one
 * conversation. */
static EmberMessageRecord *
make_message (guint i)
{
  EmberMessageRecord *message = ember_gui_test_numbered_message (i, BASE_DATE);

  /* 10 and 11 are one conversation; 123 is the one search finds. */
  if (i == 11)
    {
      g_free (message->thread_id);
      message->thread_id = g_strdup ("t10");
    }
  if (i == 123)
    {
      g_free (message->snippet);
      g_free (message->body_text);
      message->snippet = g_strdup ("the quarterly zanzibar report");
      message->body_text = g_strdup (message->snippet);
    }

  return message;
}

/* Fills the default data dir (the test's own XDG_DATA_HOME) with one Gmail
 * account, an inbox and a label, and with @with_messages N_MESSAGES
 * messages (make_message ()). */
static void
populate_store_full (gboolean with_messages)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberStore) store = ember_store_new_sync (NULL, NULL, &error);
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  gint64 account_id;

  g_assert_no_error (error);
  account_id = ember_gui_test_add_offline_account (store);
  ember_gui_test_save_inbox_and_label (store, account_id);

  if (!with_messages)
    return;

  for (guint i = 0; i < N_MESSAGES; i++)
    g_ptr_array_add (page->messages, make_message (i));
  g_assert_true (ember_store_save_message_page_sync (store, account_id, page, NULL, &error));
  g_assert_no_error (error);
}

static void
populate_store (void)
{
  populate_store_full (TRUE);
}

/* Saves @page for the test store's one account, as its sync would;
 * returns the account's id. */
static gint64
save_synced_page (EmberStore       *store,
                  EmberMessagePage *page)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = ember_store_list_accounts_sync (store, NULL, &error);
  gint64 account_id;

  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
  account_id = ((EmberAccountRecord *) g_ptr_array_index (accounts, 0))->id;
  g_assert_true (ember_store_save_message_page_sync (store, account_id, page, NULL, &error));
  g_assert_no_error (error);

  return account_id;
}

typedef struct
{
  EmberMessageListModel *model;
  guint                  n;
} ModelWait;

static gboolean
model_settled (gpointer data)
{
  ModelWait *wait = data;

  return ember_message_list_model_get_complete (wait->model) &&
         !ember_message_list_model_get_loading (wait->model);
}

static gboolean
model_grew (gpointer data)
{
  ModelWait *wait = data;

  return g_list_model_get_n_items (G_LIST_MODEL (wait->model)) > wait->n;
}

/* Reads every row, as scrolling to the end does; returns the row count. */
static guint
read_to_end (EmberMessageListModel *model)
{
  ModelWait wait = { model, 0 };

  for (;;)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (model));

      g_object_unref (g_list_model_get_item (G_LIST_MODEL (model), n - 1));
      wait.n = n;
      if (!ember_test_wait_for (model_grew, &wait, 3000))
        return n;
    }
}

/* An inbox that is empty when shown (before the first sync) and then
 * fills: every message can be scrolled to, not only the first page. */
static void
test_list_fills_after_first_sync (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(EmberMessageListModel) model = NULL;
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  EmberMessageQuery query = { 0 };
  ModelWait wait = { NULL, 0 };

  /* The account and its folders, then the messages as a sync would add
   * them, through a second store on the same file. */
  populate_store_full (FALSE);
  store = ember_store_new_sync (NULL, NULL, &error);
  g_assert_no_error (error);

  query.scope = EMBER_MESSAGE_SCOPE_INBOX;
  model = ember_message_list_model_new (store, &query);
  wait.model = model;
  g_assert_true (ember_test_wait_for (model_settled, &wait, 10000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);

  for (guint i = 0; i < N_MESSAGES; i++)
    g_ptr_array_add (page->messages, make_message (i));
  save_synced_page (store, page);

  ember_message_list_model_refresh (model);
  g_assert_true (ember_test_wait_for (model_grew, &wait, 10000));

  /* Reading on to the end, as scrolling does; 10 and 11 are one
   * conversation. */
  g_assert_cmpuint (read_to_end (model), ==, N_MESSAGES - 1);
}

static gboolean
item_loaded (gpointer data)
{
  return ember_message_item_get_loaded (data);
}

/* Waits until @model has handed all rows it read to the view: it shows
 * them a batch per frame, and a count taken meanwhile would still grow. */
static void
wait_rows_settled (EmberMessageListModel *model)
{
  guint n = G_MAXUINT;
  guint unchanged = 0;

  for (guint round = 0; round < 200; round++)
    {
      guint now = g_list_model_get_n_items (G_LIST_MODEL (model));

      unchanged = now == n && !ember_message_list_model_get_loading (model) ? unchanged + 1 : 0;
      /* A batch is due every 16 ms: 200 ms without one is the end. */
      if (unchanged == 2)
        return;
      n = now;
      ember_test_spin (100);
    }
  g_error ("expected the message list to stop growing within 20 s; it has %u rows", n);
}

/* The test store's inbox (populate_store ()) in a list model, with its
 * first rows read and shown. */
static EmberMessageListModel *
open_inbox_model (EmberStore **store)
{
  g_autoptr(GError) error = NULL;
  EmberMessageQuery query = { 0 };
  ModelWait wait = { NULL, 0 };

  populate_store ();
  *store = ember_store_new_sync (NULL, NULL, &error);
  g_assert_no_error (error);
  query.scope = EMBER_MESSAGE_SCOPE_INBOX;
  wait.model = ember_message_list_model_new (*store, &query);
  g_assert_true (ember_test_wait_for (model_grew, &wait, 10000));
  wait_rows_settled (wait.model);

  return wait.model;
}

/* Saves @page as a sync would and lets @model read it: it must bring rows. */
static void
save_and_refresh (EmberStore            *store,
                  EmberMessageListModel *model,
                  EmberMessagePage      *page)
{
  ModelWait wait = { model, g_list_model_get_n_items (G_LIST_MODEL (model)) };

  save_synced_page (store, page);
  ember_message_list_model_refresh (model);
  g_assert_true (ember_test_wait_for (model_grew, &wait, 10000));
  wait_rows_settled (model);
}

/* The item at @position once it is filled in. */
static EmberMessageItem *
loaded_item (EmberMessageListModel *model,
             guint                  position)
{
  EmberMessageItem *item = g_list_model_get_item (G_LIST_MODEL (model), position);

  g_assert_true (ember_test_wait_for (item_loaded, item, 10000));
  return item;
}

/* Memory stays flat with a long list: rows the view has moved far away
 * from let go of their text, and come back (read again) when the view
 * returns. New mail still lands on top. */
static void
test_list_keeps_rows_near_view (void)
{
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(EmberMessageListModel) model = open_inbox_model (&store);
  g_autoptr(EmberMessageItem) newest = NULL;
  g_autoptr(EmberMessageItem) again = NULL;
  g_autoptr(EmberMessageItem) conversation = NULL;
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  EmberMessageItem *first;
  gint64 first_id;

  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_true (ember_message_item_get_loaded (first));
  g_assert_cmpstr (ember_message_item_get_record (first)->subject, ==, "Message number 449");
  first_id = ember_message_item_get_id (first);
  g_object_add_weak_pointer (G_OBJECT (first), (gpointer *) &first);
  g_object_unref (first);
  /* Still near the view: kept. */
  g_assert_nonnull (first);

  g_assert_cmpuint (read_to_end (model), ==, N_MESSAGES - 1);
  /* 450 rows down, the first rows' items are gone. */
  g_assert_null (first);

  /* Back at the top: the row comes back, pending, then filled in. */
  newest = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_cmpint (ember_message_item_get_id (newest), ==, first_id);
  g_assert_true (ember_test_wait_for (item_loaded, newest, 10000));
  g_assert_cmpstr (ember_message_item_get_record (newest)->subject, ==, "Message number 449");
  g_assert_cmpstr (ember_message_item_get_sender (newest), ==, "Sender 449");

  /* A conversation read far from the view keeps its count. */
  conversation = loaded_item (model, N_MESSAGES - 1 - 11);
  g_assert_cmpstr (ember_message_item_get_record (conversation)->subject, ==, "Message number 11");
  g_assert_cmpuint (ember_message_item_get_thread_count (conversation), ==, 2);

  /* New mail, with the view down at the end: it goes on top. */
  for (guint i = N_MESSAGES; i < N_MESSAGES + 3; i++)
    g_ptr_array_add (page->messages, make_message (i));
  save_and_refresh (store, model, page);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, N_MESSAGES - 1 + 3);
  again = loaded_item (model, 0);
  g_assert_cmpstr (ember_message_item_get_record (again)->subject, ==, "Message number 452");
  g_clear_object (&again);
  again = loaded_item (model, 3);
  g_assert_cmpint (ember_message_item_get_id (again), ==, first_id);
}

/* A conversation that arrives whole with new mail (two messages in one
 * sync) is one row on top that counts both, as when it is read in a page;
 * and the count stays when the row is let go and read again. */
static void
test_list_counts_new_conversation (void)
{
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(EmberMessageListModel) model = open_inbox_model (&store);
  g_autoptr(EmberMessageItem) top = NULL;
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));

  for (guint i = N_MESSAGES; i < N_MESSAGES + 2; i++)
    {
      EmberMessageRecord *message = make_message (i);

      g_free (message->thread_id);
      message->thread_id = g_strdup ("t-new");
      g_ptr_array_add (page->messages, message);
    }
  save_and_refresh (store, model, page);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n + 1);

  top = loaded_item (model, 0);
  g_assert_cmpstr (ember_message_item_get_record (top)->subject, ==, "Message number 451");
  g_assert_cmpuint (ember_message_item_get_thread_count (top), ==, 2);
  g_clear_object (&top);

  /* Far down and back: the row is read again with its count. */
  read_to_end (model);
  top = loaded_item (model, 0);
  g_assert_cmpstr (ember_message_item_get_record (top)->subject, ==, "Message number 451");
  g_assert_cmpuint (ember_message_item_get_thread_count (top), ==, 2);
}

/* A message shown whose date moves on (re-saved by the server) is no new
 * message of its conversation: its row does not count it twice. */
static void
test_list_redated_message_counts_once (void)
{
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(EmberMessageListModel) model = open_inbox_model (&store);
  g_autoptr(EmberMessageItem) item = NULL;
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  EmberMessageRecord *redated;

  /* The newest message, now an hour later, and one new message (for the
   * model to show it has read the refresh). */
  redated = make_message (N_MESSAGES - 1);
  redated->date += 60 * 60;
  g_ptr_array_add (page->messages, redated);
  g_ptr_array_add (page->messages, make_message (N_MESSAGES));
  save_and_refresh (store, model, page);

  item = loaded_item (model, 1);
  g_assert_cmpstr (ember_message_item_get_record (item)->subject, ==, "Message number 449");
  g_assert_cmpuint (ember_message_item_get_thread_count (item), ==, 1);
}

static GtkListView *
find_message_list (GtkWindow *window)
{
  return GTK_LIST_VIEW (ember_gui_test_find_widget (GTK_WIDGET (window), GTK_TYPE_LIST_VIEW, NULL, NULL));
}

static GListModel *
list_items (GtkWindow *window)
{
  GtkSelectionModel *selection = gtk_list_view_get_model (find_message_list (window));

  return gtk_single_selection_get_model (GTK_SINGLE_SELECTION (selection));
}

static gboolean
list_has_rows (gpointer data)
{
  GListModel *model = list_items (data);

  return model != NULL && g_list_model_get_n_items (model) > 0;
}

static const char *
subject_at (GtkWindow *window,
            guint      position)
{
  g_autoptr(EmberMessageItem) item = g_list_model_get_item (list_items (window), position);

  g_assert_nonnull (item);
  return ember_message_item_get_record (item)->subject;
}

typedef struct
{
  GListModel *model;
  guint       n;
} ModelSize;

static gboolean
list_grew (gpointer data)
{
  ModelSize *size = data;

  return g_list_model_get_n_items (size->model) > size->n;
}

static void
test_list_newest_first (void)
{
  EmberApplication *app;
  GtkWindow *window;
  GListModel *model;
  g_autoptr(EmberMessageItem) conversation = NULL;

  populate_store ();
  app = ember_gui_test_start_app ();
  window = ember_gui_test_wait_for_window (EMBER_TYPE_WINDOW, 5000);
  g_assert_nonnull (window);

  g_assert_true (ember_test_wait_for (list_has_rows, window, 30000));
  model = list_items (window);
  g_assert_cmpstr (subject_at (window, 0), ==, "Message number 449");
  g_assert_cmpstr (subject_at (window, 1), ==, "Message number 448");

  /* The model reads a page at a time, not all 450 rows at once. */
  g_assert_cmpuint (g_list_model_get_n_items (model), <, N_MESSAGES - 1);

  /* Asking for rows further down reads on; 10 and 11 are one row. */
  while (g_list_model_get_n_items (model) < N_MESSAGES - 1)
    {
      ModelSize size = { model, g_list_model_get_n_items (model) };

      g_object_unref (g_list_model_get_item (model, size.n - 1));
      /* A page read can take a while on a loaded machine (ASan). */
      if (!ember_test_wait_for (list_grew, &size, 10000))
        break;
    }
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, N_MESSAGES - 1);
  conversation = g_list_model_get_item (model, N_MESSAGES - 1 - 11);
  g_assert_cmpstr (ember_message_item_get_record (conversation)->subject, ==, "Message number 11");
  g_assert_cmpuint (ember_message_item_get_thread_count (conversation), ==, 2);

  g_assert_cmpstr (gtk_window_get_title (window), ==, "All Inboxes");
  {
    GtkWidget *stack = ember_gui_test_find_widget (GTK_WIDGET (window), GTK_TYPE_STACK, NULL, NULL);

    /* The mail view, not the "No accounts yet" page, is what shows. */
    g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "mail");
    g_assert_true (gtk_widget_is_drawable (GTK_WIDGET (find_message_list (window))));
  }

  ember_gui_test_quit_app (app);
  g_object_unref (app);
}

typedef struct
{
  GtkWindow  *window;
  const char *subject;
} SubjectWait;

/* The list's first row is there, read, with the subject waited for. */
static gboolean
first_row_is (gpointer data)
{
  SubjectWait *wait = data;
  GListModel *model = list_items (wait->window);
  g_autoptr(EmberMessageItem) first = model != NULL && g_list_model_get_n_items (model) > 0 ? g_list_model_get_item (model, 0) : NULL;

  return first != NULL && ember_message_item_get_loaded (first) &&
         g_strcmp0 (ember_message_item_get_record (first)->subject, wait->subject) == 0;
}

static gboolean
search_found (gpointer data)
{
  SubjectWait *wait = data;

  return first_row_is (wait) && g_list_model_get_n_items (list_items (wait->window)) == 1;
}

static gboolean
stack_shows (gpointer data)
{
  GtkWindow *window = data;
  GtkWidget *list = GTK_WIDGET (find_message_list (window));

  return !gtk_widget_is_drawable (list);
}

static void
test_search (void)
{
  EmberApplication *app;
  GtkWindow *window;
  GtkWidget *entry;
  SubjectWait wait;

  populate_store ();
  app = ember_gui_test_start_app ();
  window = ember_gui_test_wait_for_window (EMBER_TYPE_WINDOW, 5000);
  g_assert_true (ember_test_wait_for (list_has_rows, window, 30000));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
  entry = ember_gui_test_find_widget (GTK_WIDGET (window), GTK_TYPE_SEARCH_ENTRY, NULL, NULL);
  g_assert_nonnull (entry);
  g_assert_true (gtk_widget_has_focus (entry) || gtk_widget_is_focus (gtk_root_get_focus (GTK_ROOT (window))));

  gtk_editable_set_text (GTK_EDITABLE (entry), "zanzibar");
  wait.window = window;
  wait.subject = "Message number 123";
  g_assert_true (ember_test_wait_for (search_found, &wait, 20000));

  /* No match: the list gives way to the "No Results Found" page. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "nosuchwordanywhere");
  g_assert_true (ember_test_wait_for (stack_shows, window, 20000));

  ember_gui_test_quit_app (app);
  g_object_unref (app);
}

static gboolean
leaflet_folded (gpointer data)
{
  return adw_leaflet_get_folded (data);
}

static void
test_narrow_layout (void)
{
  EmberApplication *app;
  GtkWindow *window;
  GtkWidget *leaflet;

  populate_store ();
  app = ember_gui_test_start_app ();
  window = ember_gui_test_wait_for_window (EMBER_TYPE_WINDOW, 5000);
  g_assert_true (ember_test_wait_for (list_has_rows, window, 30000));

  leaflet = ember_gui_test_find_widget (GTK_WIDGET (window), ADW_TYPE_LEAFLET, NULL, NULL);
  g_assert_nonnull (leaflet);
  g_assert_false (adw_leaflet_get_folded (ADW_LEAFLET (leaflet)));

  /* Without a window manager an early configure from the first map can
   * undo a resize asked for meanwhile; ask again if so. */
  for (guint attempt = 0; attempt < 4 && !adw_leaflet_get_folded (ADW_LEAFLET (leaflet)); attempt++)
    {
      gtk_window_set_default_size (window, 360, 640);
      ember_test_wait_for (leaflet_folded, leaflet, 5000);
    }
  if (!adw_leaflet_get_folded (ADW_LEAFLET (leaflet)))
    g_error ("expected the leaflet to fold at 360 px wide; the window is %d px wide",
             gtk_widget_get_width (GTK_WIDGET (window)));

  /* A phone's screen is 360 px wide: the folded panes must fit in it,
   * the sync indicator's room (kept in every state) included. */
  {
    int minimum = 0;

    gtk_widget_measure (leaflet, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
    if (minimum > 360)
      g_error ("the folded window needs %d px; it must fit in 360 px", minimum);
  }

  ember_gui_test_quit_app (app);
  g_object_unref (app);
}

/* The message row at the top of the list's view, once a frame has laid
 * out what the list has now. */
static gint64
top_row_id (GtkListView *list)
{
  GtkWidget *picked;
  GtkWidget *row;

  /* Two frames: one to lay out the new rows, one to scroll if asked to. */
  for (guint frame = 0; frame < 2; frame++)
    ember_gui_test_wait_for_frame (GTK_WIDGET (list));
  picked = gtk_widget_pick (GTK_WIDGET (list), 40, 4, GTK_PICK_DEFAULT);
  row = picked != NULL ? gtk_widget_get_ancestor (picked, EMBER_TYPE_MESSAGE_ROW) : NULL;
  if (row == NULL)
    g_error ("expected a message row at the top of the list; found %s",
             picked != NULL ? G_OBJECT_TYPE_NAME (picked) : "nothing");

  return ember_message_item_get_id (ember_message_row_get_item (EMBER_MESSAGE_ROW (row)));
}

/* Saves message @i (newer than every other) as a sync would, and tells
 * the window the account synced; returns its id once the list shows it
 * on top (the list may grow meanwhile for other reasons: reading on
 * where the view scrolled to). */
static gint64
arrive_new_mail (GtkWindow *window,
                 guint      i)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberStore) store = ember_store_new_sync (NULL, NULL, &error);
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(EmberMessageItem) first = NULL;
  g_autofree char *subject = g_strdup_printf ("Message number %u", i);
  EmberApplication *app = EMBER_APPLICATION (gtk_window_get_application (window));
  GListModel *model = list_items (window);
  SubjectWait wait = { window, subject };
  gint64 account_id;

  g_assert_no_error (error);
  g_ptr_array_add (page->messages, make_message (i));
  account_id = save_synced_page (store, page);

  g_signal_emit_by_name (ember_application_get_sync_manager (app), "account-synced", account_id, 1u, 0u);
  if (!ember_test_wait_for (first_row_is, &wait, 10000))
    g_error ("expected \"%s\" on top of the open list; it has %u rows", subject, g_list_model_get_n_items (model));
  first = g_list_model_get_item (model, 0);

  return ember_message_item_get_id (first);
}

static gboolean
scrolls_to_1500 (gpointer data)
{
  GtkAdjustment *vadjustment = data;

  return gtk_adjustment_get_upper (vadjustment) - gtk_adjustment_get_page_size (vadjustment) >= 1500;
}

/* New mail lands on top: seen there when the list is at its top, and
 * not moving the rows the person is reading further down. */
static void
test_new_mail_keeps_scroll_position (void)
{
  EmberApplication *app;
  GtkWindow *window;
  GtkListView *list;
  GtkAdjustment *vadjustment;
  gint64 newest_id, reading_id;

  populate_store ();
  app = ember_gui_test_start_app ();
  window = ember_gui_test_wait_for_window (EMBER_TYPE_WINDOW, 5000);
  g_assert_true (ember_test_wait_for (list_has_rows, window, 30000));
  list = GTK_LIST_VIEW (ember_gui_test_wait_for_mapped (GTK_WIDGET (window), GTK_TYPE_LIST_VIEW, 5000));
  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list));
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), ==, 0);

  newest_id = arrive_new_mail (window, N_MESSAGES);
  g_assert_cmpint (top_row_id (list), ==, newest_id);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), ==, 0);

  /* Scrolled down: the row at the top of the view stays there. (The list
   * gets its first rows a few per frame: wait until it is that long.) */
  g_assert_true (ember_test_wait_for (scrolls_to_1500, vadjustment, 20000));
  gtk_adjustment_set_value (vadjustment, 1500);
  reading_id = top_row_id (list);
  g_assert_cmpint (reading_id, !=, newest_id);
  arrive_new_mail (window, N_MESSAGES + 1);
  g_assert_cmpint (top_row_id (list), ==, reading_id);

  ember_gui_test_quit_app (app);
  g_object_unref (app);
}

int
main (int   argc,
      char *argv[])
{
  if (!ember_gui_test_setup (&argc, &argv))
    return 77;

  ember_gui_test_add ("/ember/gui/window/list-newest-first", test_list_newest_first);
  ember_gui_test_add ("/ember/gui/window/search", test_search);
  ember_gui_test_add ("/ember/gui/window/narrow-layout", test_narrow_layout);
  ember_gui_test_add ("/ember/gui/window/new-mail-keeps-scroll-position", test_new_mail_keeps_scroll_position);
  ember_gui_test_add ("/ember/gui/window/list-fills-after-first-sync", test_list_fills_after_first_sync);
  ember_gui_test_add ("/ember/gui/window/list-keeps-rows-near-view", test_list_keeps_rows_near_view);
  ember_gui_test_add ("/ember/gui/window/list-counts-new-conversation", test_list_counts_new_conversation);
  ember_gui_test_add ("/ember/gui/window/list-redated-message-counts-once", test_list_redated_message_counts_once);

  return g_test_run ();
}
