/* test-background-app.c: the real Ember (`ember --demo`, its accounts on
 * the built-in fake server): with "Run in background" on, closing the
 * window keeps it running and syncing on its interval; off, closing the
 * window quits it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-demo.h"
#include "ember-gui-test-utils.h"
#include "ember-test-utils.h"
#include "ember-window.h"

#define DEADLINE_SECONDS 45

typedef enum
{
  STEP_WAIT_FIRST_SYNC,
  STEP_WAIT_SYNC_AFTER_CLOSE,
  STEP_QUITTING,
} Step;

typedef struct
{
  EmberApplication *app;
  gboolean          run_in_background;
  Step              step;
  gint64            deadline;
  guint             synced_after_close;
  gboolean          window_closed;
  gboolean          quit_by_test;
  guint             step_source;
} Run;

static void
synced_cb (EmberSyncManager *manager,
           gint64            account_id,
           guint             new_messages,
           guint             changed_events,
           Run              *run)
{
  if (run->window_closed)
    run->synced_after_close++;
}

static gboolean
all_accounts_synced (EmberSyncManager *manager)
{
  g_autoptr(GArray) ids = ember_sync_manager_list_accounts (manager);

  if (ids->len == 0)
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);

      if (ember_sync_manager_get_account_last_success (manager, id) == 0 ||
          ember_sync_manager_get_account_status (manager, id) != EMBER_SYNC_STATUS_IDLE)
        return FALSE;
    }

  return TRUE;
}

static gboolean
step_cb (gpointer data)
{
  Run *run = data;
  EmberSyncManager *manager = ember_application_get_sync_manager (run->app);
  EmberDemo *demo = ember_demo_get (run->app);
  GtkWindow *window;

  if (g_get_monotonic_time () > run->deadline)
    {
      window = ember_gui_test_find_window (EMBER_TYPE_WINDOW);
      g_error ("expected the test to finish within %d s; it is at step %d with %u syncs after the window "
               "closed (window %s, %u accounts signed in, sync %s)",
               DEADLINE_SECONDS, run->step, run->synced_after_close,
               window == NULL ? "none" : gtk_widget_get_mapped (GTK_WIDGET (window)) ? "mapped" : "not mapped",
               demo != NULL ? ember_demo_get_n_signed_in (demo) : 0,
               manager != NULL ? ember_sync_status_to_string (ember_sync_manager_get_status (manager)) : "none");
    }

  switch (run->step)
    {
    case STEP_WAIT_FIRST_SYNC:
      window = ember_gui_test_find_window (EMBER_TYPE_WINDOW);
      if (window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)) ||
          manager == NULL || demo == NULL || ember_demo_get_n_signed_in (demo) < 2 ||
          !all_accounts_synced (manager))
        return G_SOURCE_CONTINUE;

      /* Sync every second from now on, as the interval would (in minutes). */
      g_signal_connect (manager, "account-synced", G_CALLBACK (synced_cb), run);
      ember_sync_manager_set_interval (manager, 1);
      run->window_closed = TRUE;
      gtk_window_close (window);
      run->step = STEP_WAIT_SYNC_AFTER_CLOSE;
      return G_SOURCE_CONTINUE;

    case STEP_WAIT_SYNC_AFTER_CLOSE:
      /* Off, the application quits by itself: it may still pass here while
       * its shutdown waits for the running sync jobs, and then ends
       * g_application_run () (the deadline above catches it staying). On, it
       * stays and syncs. */
      if (!run->run_in_background)
        return G_SOURCE_CONTINUE;
      g_assert_null (gtk_application_get_windows (GTK_APPLICATION (run->app)));
      if (run->synced_after_close < 2)
        return G_SOURCE_CONTINUE;

      run->quit_by_test = TRUE;
      run->step = STEP_QUITTING;
      run->step_source = 0;
      g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
      return G_SOURCE_REMOVE;

    case STEP_QUITTING:
    default:
      run->step_source = 0;
      return G_SOURCE_REMOVE;
    }
}

static void
run_app (gboolean run_in_background)
{
  char *argv[] = { (char *) "ember", (char *) "--demo", NULL };
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  Run run = { NULL };
  int status;

  g_settings_set_boolean (settings, "run-in-background", run_in_background);
  /* An id of its own: other tests may run Ember on the same bus. */
  run.app = ember_application_new (APP_ID ".BackgroundTest", G_APPLICATION_DEFAULT_FLAGS);
  run.run_in_background = run_in_background;
  run.deadline = g_get_monotonic_time () + DEADLINE_SECONDS * G_USEC_PER_SEC;
  run.step_source = g_timeout_add (100, step_cb, &run);

  status = g_application_run (G_APPLICATION (run.app), G_N_ELEMENTS (argv) - 1, argv);
  g_clear_handle_id (&run.step_source, g_source_remove);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.window_closed);
  if (run_in_background)
    {
      /* Kept running without a window until told to quit, syncing. */
      g_assert_true (run.quit_by_test);
      g_assert_cmpuint (run.synced_after_close, >=, 2);
    }
  else
    {
      /* Closing the window was enough to quit. */
      g_assert_false (run.quit_by_test);
      g_assert_cmpint (run.step, ==, STEP_WAIT_SYNC_AFTER_CLOSE);
    }

  g_clear_object (&run.app);
}

static void
test_closing_keeps_syncing (void)
{
  run_app (TRUE);
}

static void
test_closing_quits (void)
{
  run_app (FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* A small demo dataset: its first sync stays within the Gmail quota. */
  g_setenv ("EMBER_DEMO_MESSAGES", "30", TRUE);
  g_setenv ("EMBER_DEMO_EVENTS", "6", TRUE);
  g_setenv ("EMBER_DEMO_LATENCY_MS", "5", TRUE);

  if (!ember_gui_test_init ())
    return 77;

  /* One application per process. */
  ember_gui_test_add ("/ember/tray/background-app/closing-keeps-syncing", test_closing_keeps_syncing);
  ember_gui_test_add ("/ember/tray/background-app/closing-quits", test_closing_quits);

  return g_test_run ();
}
