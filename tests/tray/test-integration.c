/* test-integration.c: EmberIntegration in a running application: held while
 * "Run in background" is on, so it keeps syncing without a window and quits
 * from the tray; quits without a window when it is off; `--background`
 * starts without a window and does nothing when Ember already runs; the
 * tray icon and the Sync service live on the application's own connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-integration.h"
#include "ember-sync-dbus-client.h"
#include "ember-test-utils.h"
#include "tray-test-provider.h"
#include "tray-test-utils.h"

#define TEST_APP_ID APP_ID ".IntegrationTest"

static char *test_program;

typedef struct
{
  GTestDBus        *bus;
  TestWatcher      *watcher;
  GDBusConnection  *host;
  GApplication     *application;
  EmberIntegration *integration;
  EmberStore       *store;
  gint64            account_id;
  EmberSyncManager *manager;
  GSettings        *settings;
  guint             activations;  /* that reached the application's own handler */
  guint             synced;
  guint             synced_while_running;
  gboolean          shut_down;
} Child;

static void
count_activation_cb (GApplication *application,
                     Child        *child)
{
  child->activations++;
}

static void
synced_cb (EmberSyncManager *manager,
           gint64            account_id,
           guint             new_messages,
           guint             changed_events,
           Child            *child)
{
  child->synced++;
}

static void
quit_shutdown_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Child *child = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (ember_sync_manager_shutdown_finish (EMBER_SYNC_MANAGER (object), result, &error));
  child->shut_down = TRUE;
  g_application_quit (child->application);
}

/* Like Ember's app.quit: stop the sync, then quit. */
static void
quit_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  Child *child = user_data;

  ember_sync_manager_shutdown_async (child->manager, quit_shutdown_cb, child);
}

static void
child_set_up (Child      *child,
              const char *application_id)
{
  g_autoptr(GSimpleAction) quit = g_simple_action_new ("quit", NULL);

  tray_test_provider_reset ();
  child->bus = tray_test_bus_up ();
  child->watcher = test_watcher_start (child->bus);
  child->host = tray_test_connect (child->bus);
  child->settings = g_settings_new (APP_ID);

  child->store = tray_test_store_new ("work@example.com", &child->account_id);
  child->manager = tray_test_manager_new (child->store);
  g_signal_connect (child->manager, "account-synced", G_CALLBACK (synced_cb), child);

  child->application = g_application_new (application_id, G_APPLICATION_DEFAULT_FLAGS);
  child->integration = ember_integration_new (child->application);
  ember_integration_set_sync (child->integration, child->store, child->manager);
  g_signal_connect_after (child->application, "activate", G_CALLBACK (count_activation_cb), child);
  g_signal_connect (quit, "activate", G_CALLBACK (quit_action_cb), child);
  g_action_map_add_action (G_ACTION_MAP (child->application), G_ACTION (quit));
}

static void
child_tear_down (Child *child)
{
  if (!child->shut_down)
    tray_test_manager_shutdown (child->manager);
  g_clear_object (&child->integration);
  g_clear_object (&child->application);
  g_clear_object (&child->manager);
  g_clear_object (&child->store);
  g_clear_object (&child->settings);
  test_watcher_stop (child->watcher);
  g_dbus_connection_close_sync (child->host, NULL, NULL);
  g_clear_object (&child->host);
  g_test_dbus_down (child->bus);
  g_clear_object (&child->bus);
}

static void
run_in_subprocess (const char *expected_stdout)
{
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout (expected_stdout);
}

/* Run in background on: after the (window-less) activation the application
 * stays, a sync finishes, and "Quit" in the tray ends it. */

static void
click_quit_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  g_assert_no_error (error);
}

static void
click_tray_quit (Child *child)
{
  EmberTray *tray = ember_integration_get_tray (child->integration);
  EmberStatusNotifierItem *item;

  g_assert_nonnull (tray);
  item = ember_tray_get_item (tray);
  g_dbus_connection_call (child->host, ember_status_notifier_item_get_bus_name (item),
                          EMBER_TRAY_MENU_PATH, "com.canonical.dbusmenu", "Event",
                          g_variant_new ("(isvu)", (gint32) EMBER_TRAY_ITEM_QUIT, "clicked",
                                         g_variant_new_int32 (0), 0u),
                          NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, click_quit_cb, NULL);
}

static void
background_synced_cb (EmberSyncManager *manager,
                      gint64            account_id,
                      guint             new_messages,
                      guint             changed_events,
                      Child            *child)
{
  /* The application is running with no window: it is held. */
  g_assert_true (ember_integration_get_held (child->integration));
  child->synced_while_running++;
  click_tray_quit (child);
}

static gboolean
sync_later_cb (gpointer user_data)
{
  Child *child = user_data;

  ember_sync_manager_sync_now (child->manager, 0);
  return G_SOURCE_REMOVE;
}

static void
start_sync_after_activation_cb (GApplication *application,
                                Child        *child)
{
  /* Well after the activation, so an application that was going to quit
   * on its own would have. */
  g_timeout_add (300, sync_later_cb, child);
}

static void
test_run_in_background (void)
{
  if (g_test_subprocess ())
    {
      Child child = { 0 };
      char *argv[] = { test_program, NULL };
      int status;

      child_set_up (&child, TEST_APP_ID);
      g_assert_true (g_settings_get_boolean (child.settings, "run-in-background"));
      g_signal_connect (child.manager, "account-synced", G_CALLBACK (background_synced_cb), &child);
      g_signal_connect (child.application, "activate", G_CALLBACK (start_sync_after_activation_cb), &child);

      status = g_application_run (child.application, 1, argv);

      g_assert_cmpint (status, ==, 0);
      g_assert_cmpuint (child.activations, ==, 1);
      g_assert_cmpuint (child.synced_while_running, ==, 1);
      g_assert_true (child.shut_down);
      /* The tray icon went away with the application. */
      g_assert_null (ember_integration_get_tray (child.integration));
      g_assert_false (ember_integration_get_held (child.integration));
      child_tear_down (&child);
      g_print ("background-ok\n");
      return;
    }

  run_in_subprocess ("*background-ok*");
}

/* Run in background off: with no window, the application quits right after
 * its activation. */
static void
test_without_background_quits (void)
{
  if (g_test_subprocess ())
    {
      Child child = { 0 };
      char *argv[] = { test_program, NULL };
      gint64 started;
      int status;

      child_set_up (&child, TEST_APP_ID);
      g_settings_set_boolean (child.settings, "run-in-background", FALSE);

      started = g_get_monotonic_time ();
      status = g_application_run (child.application, 1, argv);

      g_assert_cmpint (status, ==, 0);
      g_assert_cmpuint (child.activations, ==, 1);
      g_assert_false (ember_integration_get_held (child.integration));
      g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
      child_tear_down (&child);
      g_print ("quit-ok\n");
      return;
    }

  run_in_subprocess ("*quit-ok*");
}

/* `--background`: no window at start, and a second `ember --background`
 * while Ember runs changes nothing. */

static void
second_instance_done_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  Child *child = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_wait_check_finish (G_SUBPROCESS (object), result, &error));
  g_assert_no_error (error);
  /* It found us running and left without activating us. */
  g_assert_cmpuint (child->activations, ==, 0);

  /* A click on the icon opens the window. */
  g_application_activate (child->application);
  g_assert_cmpuint (child->activations, ==, 1);
  click_tray_quit (child);
}

static gboolean
start_second_instance_cb (gpointer user_data)
{
  Child *child = user_data;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ember_integration_get_held (child->integration));
  g_assert_cmpuint (child->activations, ==, 0);

  g_subprocess_launcher_setenv (launcher, "EMBER_TEST_SECOND_INSTANCE", "1", TRUE);
  second = g_subprocess_launcher_spawn (launcher, &error, test_program, "--background", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (second, NULL, second_instance_done_cb, child);

  return G_SOURCE_REMOVE;
}

static void
test_background_option (void)
{
  if (g_test_subprocess ())
    {
      Child child = { 0 };
      char *argv[] = { test_program, (char *) "--background", NULL };
      int status;

      child_set_up (&child, TEST_APP_ID);
      /* --background holds even with the setting off. */
      g_settings_set_boolean (child.settings, "run-in-background", FALSE);
      g_timeout_add (300, start_second_instance_cb, &child);

      status = g_application_run (child.application, 2, argv);

      g_assert_cmpint (status, ==, 0);
      g_assert_cmpuint (child.activations, ==, 1);
      g_assert_true (child.shut_down);
      child_tear_down (&child);
      g_print ("background-option-ok\n");
      return;
    }

  run_in_subprocess ("*background-option-ok*");
}

/* The second instance: what `ember --background` does at login when Ember
 * already runs. */
static int
run_second_instance (int   argc,
                     char *argv[])
{
  g_autoptr(GApplication) application = g_application_new (TEST_APP_ID, G_APPLICATION_DEFAULT_FLAGS);
  g_autoptr(EmberIntegration) integration = ember_integration_new (application);

  return g_application_run (application, argc, argv);
}

/* The icon and the service are on the application's own connection, at its
 * object path, and leave with it. */

typedef struct
{
  Child    *child;
  JsonNode *status;
  GError   *error;
  gboolean  done;
} StatusCall;

static gpointer
get_status_thread (gpointer data)
{
  StatusCall *call = data;

  call->status = ember_sync_dbus_get_status_sync (NULL, TEST_APP_ID, NULL, &call->error);
  g_atomic_int_set (&call->done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

static gboolean
status_call_done (gpointer data)
{
  return g_atomic_int_get (&((StatusCall *) data)->done);
}

static gboolean
check_exports_cb (gpointer user_data)
{
  Child *child = user_data;
  StatusCall call = { child, NULL, NULL, FALSE };
  EmberTray *tray = ember_integration_get_tray (child->integration);
  GDBusConnection *app_connection = g_application_get_dbus_connection (child->application);
  g_autoptr(GThread) thread = NULL;
  JsonObject *status;

  g_assert_nonnull (tray);
  g_assert_true (test_watcher_wait_for_items (child->watcher, 1, 5000));
  /* Registered by the application's own unique name. */
  g_assert_true (ember_status_notifier_item_get_connection (ember_tray_get_item (tray)) == app_connection);

  /* ember-cli asks the session bus for Ember by its id. */
  thread = g_thread_new ("ember-cli", get_status_thread, &call);
  g_assert_true (ember_test_wait_for (status_call_done, &call, 15000));
  g_thread_join (g_steal_pointer (&thread));
  g_assert_no_error (call.error);
  status = json_node_get_object (call.status);
  g_assert_true (json_object_get_boolean_member (status, "running"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (status, "accounts")), ==, 1);
  json_node_unref (call.status);

  click_tray_quit (child);
  return G_SOURCE_REMOVE;
}

static void
test_exports_on_application_connection (void)
{
  if (g_test_subprocess ())
    {
      Child child = { 0 };
      char *argv[] = { test_program, (char *) "--background", NULL };
      int status;

      child_set_up (&child, TEST_APP_ID);
      g_idle_add (check_exports_cb, &child);

      status = g_application_run (child.application, 2, argv);
      g_assert_cmpint (status, ==, 0);
      /* Gone from the bus with the application's shutdown. */
      g_assert_null (ember_integration_get_tray (child.integration));
      child_tear_down (&child);
      g_print ("exports-ok\n");
      return;
    }

  run_in_subprocess ("*exports-ok*");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_set_application_name ("Ember");
  if (g_getenv ("EMBER_TEST_SECOND_INSTANCE") != NULL)
    return run_second_instance (argc, argv);

  g_test_init (&argc, &argv, NULL);
  test_program = g_strdup (argv[0]);

  g_test_add_func ("/ember/tray/integration/run-in-background", test_run_in_background);
  g_test_add_func ("/ember/tray/integration/without-background-quits", test_without_background_quits);
  g_test_add_func ("/ember/tray/integration/background-option", test_background_option);
  g_test_add_func ("/ember/tray/integration/exports-on-application-connection", test_exports_on_application_connection);

  status = g_test_run ();
  g_free (test_program);

  return status;
}
