/* ember-gui-test-utils.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "ember-gui-test-utils.h"
#include "ember-test-utils.h"

gboolean
ember_gui_test_init (void)
{
  const char *localedir = g_getenv ("EMBER_LOCALEDIR");

  /* Each case's process gets its own data, config and cache, set before
   * anything (GTK's icon theme, for one) reads and caches them. */
  if (g_test_subprocess ())
    {
      g_autofree char *dir = g_build_filename (ember_test_get_tmpdir (), "case-XXXXXX", NULL);
      const char *names[] = { "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME" };

      g_assert_nonnull (g_mkdtemp (dir));
      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        {
          g_autofree char *sub = g_build_filename (dir, names[i], NULL);

          g_mkdir_with_parents (sub, 0700);
          g_setenv (names[i], sub, TRUE);
        }
    }

  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (!ember_test_has_display ())
    return FALSE;

  return gtk_init_check ();
}

EmberApplication *
ember_gui_test_start_app (void)
{
  g_autoptr(GError) error = NULL;
  EmberApplication *app;

  app = ember_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));

  return app;
}

static gboolean
no_windows_left (gpointer data)
{
  return gtk_application_get_windows (GTK_APPLICATION (data)) == NULL;
}

void
ember_gui_test_quit_app (EmberApplication *app)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  if (!ember_test_wait_for (no_windows_left, app, 5000))
    g_error ("expected every window to close after app.quit, but %u are still open",
             g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))));
}

GtkWindow *
ember_gui_test_find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

gboolean
ember_gui_test_setup (int    *argc,
                      char ***argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);

  g_test_init (argc, argv, NULL);

  if (!ember_gui_test_init ())
    {
      g_printerr ("no display: skipping the GUI tests\n");
      return FALSE;
    }

  return TRUE;
}

typedef struct
{
  GType      type;
  GtkWindow *found;
} WindowWait;

static gboolean
window_is_mapped (gpointer data)
{
  WindowWait *wait = data;

  wait->found = ember_gui_test_find_window (wait->type);
  return wait->found != NULL && gtk_widget_get_mapped (GTK_WIDGET (wait->found));
}

GtkWindow *
ember_gui_test_wait_for_window (GType type,
                                guint timeout_ms)
{
  WindowWait wait = { type, NULL };

  if (!ember_test_wait_for (window_is_mapped, &wait, timeout_ms))
    return NULL;

  return wait.found;
}

GtkWidget *
ember_gui_test_find_widget (GtkWidget *root,
                            GType      type,
                            gboolean (*match) (GtkWidget *widget,
                                               gpointer   data),
                            gpointer   data)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && (match == NULL || match (root, data)))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ember_gui_test_find_widget (child, type, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

gboolean
ember_gui_test_widget_is_mapped (GtkWidget *widget,
                                 gpointer   data)
{
  return gtk_widget_get_mapped (widget);
}

typedef struct
{
  GtkWidget *root;
  GType      type;
  GtkWidget *found;
} MappedWait;

static gboolean
mapped_appears (gpointer data)
{
  MappedWait *wait = data;

  wait->found = ember_gui_test_find_widget (wait->root, wait->type, ember_gui_test_widget_is_mapped, NULL);
  return wait->found != NULL;
}

GtkWidget *
ember_gui_test_wait_for_mapped (GtkWidget *root,
                                GType      type,
                                guint      timeout_ms)
{
  MappedWait wait = { root, type, NULL };

  if (!ember_test_wait_for (mapped_appears, &wait, timeout_ms))
    g_error ("expected a mapped %s to appear, but there is none", g_type_name (type));

  return wait.found;
}

gint64
ember_gui_test_add_offline_account (EmberStore *store)
{
  g_autoptr(EmberAccountRecord) account = ember_account_record_new ();
  g_autoptr(GError) error = NULL;
  gint64 account_id;

  account->provider = g_strdup ("gmail");
  account->email = g_strdup ("alice@example.test");
  /* Nothing listens there. */
  account->api_base = g_strdup ("http://127.0.0.1:9");
  account->auth_base = g_strdup ("http://127.0.0.1:9");
  account->client_id = g_strdup ("test-client");
  account_id = ember_store_add_account_sync (store, account, NULL, &error);
  g_assert_no_error (error);

  return account_id;
}

void
ember_gui_test_save_inbox_and_label (EmberStore *store,
                                     gint64      account_id)
{
  g_autoptr(EmberFolderPage) folders = ember_folder_page_new ("folders");
  g_autoptr(GError) error = NULL;
  EmberFolderRecord *folder;

  folder = ember_folder_record_new ();
  folder->provider_id = g_strdup ("INBOX");
  folder->name = g_strdup ("INBOX");
  folder->kind = EMBER_FOLDER_KIND_INBOX;
  g_ptr_array_add (folders->folders, folder);
  folder = ember_folder_record_new ();
  folder->provider_id = g_strdup ("Label_1");
  folder->name = g_strdup ("Receipts");
  folder->kind = EMBER_FOLDER_KIND_LABEL;
  g_ptr_array_add (folders->folders, folder);
  folders->complete = TRUE;
  g_assert_true (ember_store_save_folder_page_sync (store, account_id, folders, NULL, &error));
  g_assert_no_error (error);
}

EmberMessageRecord *
ember_gui_test_numbered_message (guint  i,
                                 gint64 base_date)
{
  EmberMessageRecord *message = ember_message_record_new ();

  message->provider_id = g_strdup_printf ("m%u", i);
  message->thread_id = g_strdup_printf ("t%u", i);
  message->subject = g_strdup_printf ("Message number %u", i);
  message->from_name = g_strdup_printf ("Sender %u", i);
  message->from_address = g_strdup_printf ("sender%u@example.test", i);
  message->date = base_date + i * 60;
  message->snippet = g_strdup ("hello");
  message->body_text = g_strdup ("hello");
  message->unread = i % 2 == 0;
  ember_message_record_add_folder_id (message, "INBOX");

  return message;
}

static void
frame_painted_cb (GdkFrameClock *clock,
                  gboolean      *painted)
{
  *painted = TRUE;
}

gboolean
ember_gui_test_is_mapped (const char *name)
{
  g_autofree char *maps = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  return strstr (maps, name) != NULL;
}

void
ember_gui_test_wait_for_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE;
  gulong handler;

  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (frame_painted_cb), &painted);
  gtk_widget_queue_draw (widget);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
}

static void
run_in_subprocess (gconstpointer data)
{
  GTestFunc func = (GTestFunc) data;

  if (g_test_subprocess ())
    {
      func ();
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

void
ember_gui_test_add (const char *path,
                    GTestFunc   func)
{
  g_test_add_data_func (path, (gconstpointer) func, run_in_subprocess);
}
