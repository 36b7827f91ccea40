/* test-tray.c: Ember's tray icon follows real syncs (idle → syncing → idle,
 * → needs attention on a revoked token), its menu has the four items and
 * drives the sync manager, and "Quit" ends the process cleanly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-test-utils.h"
#include "ember-tray.h"
#include "tray-test-provider.h"
#include "tray-test-utils.h"

#define ICON(state) APP_ID "-" state "-symbolic"

typedef struct
{
  GTestDBus        *bus;
  GDBusConnection  *connection;  /* the app's */
  GDBusConnection  *host;        /* the panel's */
  TestWatcher      *watcher;
  GApplication     *application;
  EmberStore       *store;
  gint64            account_id;
  EmberSyncManager *manager;
  EmberTray        *tray;
  const char       *item_name;
  guint             activations;
} Fixture;

static void
activate_cb (GApplication *application,
             Fixture      *fixture)
{
  fixture->activations++;
}

static gboolean
tray_registered (gpointer data)
{
  return ember_status_notifier_item_get_registered (ember_tray_get_item (data));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  tray_test_provider_reset ();
  fixture->bus = tray_test_bus_up ();
  fixture->connection = tray_test_connect (fixture->bus);
  fixture->host = tray_test_connect (fixture->bus);
  fixture->watcher = test_watcher_start (fixture->bus);

  fixture->application = g_application_new (APP_ID ".TrayTest", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (fixture->application, "activate", G_CALLBACK (activate_cb), fixture);
  g_assert_true (g_application_register (fixture->application, NULL, &error));
  g_assert_no_error (error);

  fixture->store = tray_test_store_new ("work@example.com", &fixture->account_id);
  fixture->manager = tray_test_manager_new (fixture->store);
  fixture->tray = ember_tray_new (fixture->application, fixture->manager, fixture->store, fixture->connection);
  g_assert_true (ember_tray_export (fixture->tray, &error));
  g_assert_no_error (error);
  g_assert_true (ember_test_wait_for (tray_registered, fixture->tray, 5000));
  fixture->item_name = ember_status_notifier_item_get_bus_name (ember_tray_get_item (fixture->tray));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  tray_test_manager_shutdown (fixture->manager);
  g_clear_object (&fixture->tray);
  g_clear_object (&fixture->manager);
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->application);
  test_watcher_stop (fixture->watcher);
  g_dbus_connection_close_sync (fixture->connection, NULL, NULL);
  g_dbus_connection_close_sync (fixture->host, NULL, NULL);
  g_clear_object (&fixture->connection);
  g_clear_object (&fixture->host);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

static char *
item_string (Fixture    *fixture,
             const char *name)
{
  g_autoptr(GVariant) value = tray_test_get_property (fixture->host, fixture->item_name, "/StatusNotifierItem",
                                                      "org.kde.StatusNotifierItem", name);

  return g_variant_dup_string (value, NULL);
}

static char *
tooltip_body (Fixture *fixture)
{
  g_autoptr(GVariant) value = tray_test_get_property (fixture->host, fixture->item_name, "/StatusNotifierItem",
                                                      "org.kde.StatusNotifierItem", "ToolTip");
  const char *body;

  g_variant_get (value, "(&sa(iiay)&s&s)", NULL, NULL, NULL, &body);
  return g_strdup (body);
}

typedef struct
{
  Fixture    *fixture;
  const char *status;
  const char *icon;
} ItemState;

static gboolean
item_in_state (gpointer data)
{
  ItemState *wanted = data;
  g_autofree char *status = item_string (wanted->fixture, "Status");
  g_autofree char *icon = item_string (wanted->fixture, "IconName");

  return g_str_equal (status, wanted->status) && g_str_equal (icon, wanted->icon);
}

static void
assert_item_state (Fixture    *fixture,
                   const char *status,
                   const char *icon)
{
  ItemState wanted = { fixture, status, icon };

  if (!ember_test_wait_for (item_in_state, &wanted, 5000))
    {
      g_autofree char *got_status = item_string (fixture, "Status");
      g_autofree char *got_icon = item_string (fixture, "IconName");

      g_error ("expected the tray item to be %s with icon %s, but it is %s with icon %s",
               status, icon, got_status, got_icon);
    }
}

static void
assert_tooltip_contains (Fixture    *fixture,
                         const char *text)
{
  g_autofree char *body = tooltip_body (fixture);

  if (strstr (body, text) == NULL)
    g_error ("expected the tooltip to contain “%s”, but it reads “%s”", text, body);
}

static void
test_follows_a_real_sync (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(TraySignalLog) log = tray_signal_log_new (fixture->host, fixture->item_name, "/StatusNotifierItem",
                                                      "org.kde.StatusNotifierItem");
  g_autofree char *category = item_string (fixture, "Category");
  g_autofree char *id = item_string (fixture, "Id");
  g_autofree char *title = item_string (fixture, "Title");
  g_autofree char *attention = item_string (fixture, "AttentionIconName");
  g_autoptr(GVariant) menu = tray_test_get_property (fixture->host, fixture->item_name, "/StatusNotifierItem",
                                                     "org.kde.StatusNotifierItem", "Menu");

  g_assert_cmpstr (category, ==, "ApplicationStatus");
  g_assert_cmpstr (id, ==, APP_ID);
  g_assert_cmpstr (title, ==, g_get_application_name ());
  g_assert_cmpstr (attention, ==, ICON ("attention"));
  g_assert_cmpstr (g_variant_get_string (menu, NULL), ==, EMBER_TRAY_MENU_PATH);

  /* Idle before any sync. */
  assert_item_state (fixture, "Passive", ICON ("idle"));
  assert_tooltip_contains (fixture, "Not synced yet");

  /* A sync runs: Active, the syncing icon, progress in the tooltip. */
  tray_test_provider_set_script (TRAY_SCRIPT_BLOCK);
  ember_sync_manager_sync_now (fixture->manager, 0);
  g_assert_true (tray_test_provider_wait_blocked (5000));
  assert_item_state (fixture, "Active", ICON ("syncing"));
  g_assert_true (tray_signal_log_wait (log, "NewStatus", 1, 5000));
  g_assert_true (tray_signal_log_wait (log, "NewIcon", 1, 5000));
  g_assert_true (tray_signal_log_wait (log, "NewToolTip", 1, 5000));
  assert_tooltip_contains (fixture, "Syncing");
  assert_tooltip_contains (fixture, "Fetching messages (1 of 4)");

  /* Done: idle again, with the time of the sync. */
  tray_test_provider_release ();
  assert_item_state (fixture, "Passive", ICON ("idle"));
  assert_tooltip_contains (fixture, "Up to date");
  assert_tooltip_contains (fixture, "Last synced at");

  /* The refresh token is revoked: the person must sign in again. */
  tray_signal_log_clear (log);
  tray_test_provider_set_script (TRAY_SCRIPT_FAIL_SIGN_IN);
  ember_sync_manager_sync_now (fixture->manager, 0);
  assert_item_state (fixture, "NeedsAttention", ICON ("attention"));
  g_assert_true (tray_signal_log_wait (log, "NewStatus", 1, 5000));
  assert_tooltip_contains (fixture, "Sign in to work@example.com again");
  /* The earlier success is still told. */
  assert_tooltip_contains (fixture, "Last synced at");

  /* Signed in again, the next sync brings it back to idle. */
  tray_test_provider_set_script (TRAY_SCRIPT_SUCCEED);
  ember_sync_manager_sync_now (fixture->manager, 0);
  assert_item_state (fixture, "Passive", ICON ("idle"));

  /* Another kind of failure needs attention too. */
  tray_test_provider_set_script (TRAY_SCRIPT_FAIL_SERVER);
  ember_sync_manager_sync_now (fixture->manager, 0);
  assert_item_state (fixture, "NeedsAttention", ICON ("attention"));
  assert_tooltip_contains (fixture, "work@example.com: ");
}

static void
test_paused_icon (Fixture       *fixture,
                  gconstpointer  data)
{
  ember_sync_manager_set_paused (fixture->manager, TRUE);
  assert_item_state (fixture, "Passive", ICON ("paused"));
  assert_tooltip_contains (fixture, "paused");

  ember_sync_manager_set_paused (fixture->manager, FALSE);
  assert_item_state (fixture, "Passive", ICON ("idle"));
}

static gboolean
provider_called (gpointer data)
{
  return tray_test_provider_get_calls () >= GPOINTER_TO_UINT (data);
}

static GVariant *
menu_call (Fixture     *fixture,
           const char  *method,
           GVariant    *parameters,
           const char  *reply_type)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply;

  reply = tray_test_call (fixture->host, fixture->item_name, EMBER_TRAY_MENU_PATH, "com.canonical.dbusmenu",
                          method, parameters, G_VARIANT_TYPE (reply_type), &error);
  g_assert_no_error (error);

  return reply;
}

static void
click (Fixture       *fixture,
       EmberTrayItem  item)
{
  g_autoptr(GVariant) reply = menu_call (fixture, "Event",
                                         g_variant_new ("(isvu)", (gint32) item, "clicked",
                                                        g_variant_new_int32 (0), 0u),
                                         "()");
}

static char *
menu_label (Fixture *fixture,
            gint32   id)
{
  g_autoptr(GVariant) reply = menu_call (fixture, "GetProperty", g_variant_new ("(is)", id, "label"), "(v)");
  g_autoptr(GVariant) value = g_variant_get_child_value (reply, 0);
  g_autoptr(GVariant) label = g_variant_get_variant (value);

  return g_variant_dup_string (label, NULL);
}

static void
test_menu (Fixture       *fixture,
           gconstpointer  data)
{
  const char *no_names[] = { NULL };
  static const char *labels[] = { "_Sync Now", "_Pause Sync", "_Open Ember", "_Quit" };
  g_autoptr(TraySignalLog) log = tray_signal_log_new (fixture->host, fixture->item_name, EMBER_TRAY_MENU_PATH,
                                                      "com.canonical.dbusmenu");
  g_autoptr(GVariant) layout = NULL;
  g_autoptr(GVariant) children = NULL;
  g_autoptr(GVariant) updated = NULL;
  g_autofree char *label = NULL;
  guint32 revision;
  gboolean found_label = FALSE;

  /* The item's Menu property leads a host to this layout. */
  layout = menu_call (fixture, "GetLayout", g_variant_new ("(ii^as)", 0, -1, no_names), "(u(ia{sv}av))");
  g_variant_get (layout, "(u(ia{sv}@av))", &revision, NULL, NULL, &children);
  g_assert_cmpuint (g_variant_n_children (children), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GVariant) child = g_variant_get_child_value (children, i);
      g_autoptr(GVariant) inner = g_variant_get_variant (child);
      g_autoptr(GVariant) props = NULL;
      const char *text;
      gint32 id;

      g_variant_get (inner, "(i@a{sv}av)", &id, &props, NULL);
      g_assert_cmpint (id, ==, (gint32) i + 1);
      g_assert_true (g_variant_lookup (props, "label", "&s", &text));
      g_assert_cmpstr (text, ==, labels[i]);
    }

  /* "Sync Now" starts a sync. */
  click (fixture, EMBER_TRAY_ITEM_SYNC_NOW);
  g_assert_true (ember_test_wait_for (provider_called, GUINT_TO_POINTER (1), 5000));

  /* "Pause Sync" pauses, the item becomes "Resume Sync", "Sync Now" is
   * greyed out, and the host is told. */
  g_assert_true (ember_test_wait_for (provider_called, GUINT_TO_POINTER (1), 5000));
  click (fixture, EMBER_TRAY_ITEM_PAUSE);
  g_assert_true (ember_sync_manager_get_paused (fixture->manager));
  g_assert_true (tray_signal_log_wait (log, "ItemsPropertiesUpdated", 1, 5000));
  updated = g_variant_get_child_value (tray_signal_log_last (log, "ItemsPropertiesUpdated"), 0);
  for (gsize i = 0; i < g_variant_n_children (updated); i++)
    {
      g_autoptr(GVariant) props = NULL;
      const char *text;
      gint32 id;

      g_variant_get_child (updated, i, "(i@a{sv})", &id, &props);
      if (id == EMBER_TRAY_ITEM_PAUSE && g_variant_lookup (props, "label", "&s", &text))
        {
          g_assert_cmpstr (text, ==, "_Resume Sync");
          found_label = TRUE;
        }
    }
  g_assert_true (found_label);
  label = menu_label (fixture, EMBER_TRAY_ITEM_PAUSE);
  g_assert_cmpstr (label, ==, "_Resume Sync");
  g_assert_false (ember_dbus_menu_get_enabled (ember_tray_get_menu (fixture->tray), EMBER_TRAY_ITEM_SYNC_NOW));

  /* "Resume Sync" resumes, which syncs. */
  click (fixture, EMBER_TRAY_ITEM_PAUSE);
  g_assert_false (ember_sync_manager_get_paused (fixture->manager));
  g_assert_true (ember_test_wait_for (provider_called, GUINT_TO_POINTER (2), 5000));
  g_clear_pointer (&label, g_free);
  label = menu_label (fixture, EMBER_TRAY_ITEM_PAUSE);
  g_assert_cmpstr (label, ==, "_Pause Sync");

  /* "Open Ember" and a click on the icon open the window. */
  click (fixture, EMBER_TRAY_ITEM_OPEN);
  g_assert_cmpuint (fixture->activations, ==, 1);
  g_clear_pointer (&layout, g_variant_unref);
  layout = tray_test_call (fixture->host, fixture->item_name, "/StatusNotifierItem", "org.kde.StatusNotifierItem",
                           "Activate", g_variant_new ("(ii)", 0, 0), NULL, NULL);
  g_assert_cmpuint (fixture->activations, ==, 2);
}

/* Quit: one process with the tray, a sync in the middle of its work, and a
 * host that clicks "Quit". The application's quit action shuts the sync
 * down first, as Ember's does. */

typedef struct
{
  Fixture  *fixture;
  gboolean  shut_down;
} QuitState;

static void
quit_shutdown_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  QuitState *quit = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (ember_sync_manager_shutdown_finish (EMBER_SYNC_MANAGER (object), result, &error));
  quit->shut_down = TRUE;
  g_application_quit (quit->fixture->application);
}

static void
quit_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  QuitState *quit = user_data;

  ember_sync_manager_shutdown_async (quit->fixture->manager, quit_shutdown_cb, quit);
}

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

static gboolean
click_quit_when_syncing_cb (gpointer user_data)
{
  QuitState *quit = user_data;
  Fixture *fixture = quit->fixture;

  if (tray_test_provider_get_blocked () == 0)
    return G_SOURCE_CONTINUE;

  g_dbus_connection_call (fixture->host, fixture->item_name, EMBER_TRAY_MENU_PATH, "com.canonical.dbusmenu",
                          "Event",
                          g_variant_new ("(isvu)", (gint32) EMBER_TRAY_ITEM_QUIT, "clicked",
                                         g_variant_new_int32 (0), 0u),
                          NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, click_quit_cb, NULL);
  return G_SOURCE_REMOVE;
}

static void
start_background_sync (GApplication *application,
                       QuitState    *quit)
{
  /* The sync keeps running with no window: the app must be held, as with
   * "Run in background". */
  g_application_hold (application);
  tray_test_provider_set_script (TRAY_SCRIPT_BLOCK);
  ember_sync_manager_sync_now (quit->fixture->manager, 0);
  g_timeout_add (10, click_quit_when_syncing_cb, quit);
}

static void
test_quit_ends_the_process (void)
{
  if (g_test_subprocess ())
    {
      Fixture fixture = { 0 };
      QuitState quit = { &fixture, FALSE };
      g_autoptr(GSimpleAction) action = g_simple_action_new ("quit", NULL);
      char *argv[] = { (char *) "test-tray", NULL };
      int status;

      fixture_set_up (&fixture, NULL);
      g_signal_connect (action, "activate", G_CALLBACK (quit_action_cb), &quit);
      g_action_map_add_action (G_ACTION_MAP (fixture.application), G_ACTION (action));
      start_background_sync (fixture.application, &quit);

      status = g_application_run (fixture.application, 1, argv);

      g_assert_cmpint (status, ==, 0);
      g_assert_true (quit.shut_down);
      /* The running job was cancelled, not left behind. */
      g_assert_cmpuint (tray_test_provider_get_cancelled (), ==, 1);
      g_assert_cmpuint (tray_test_provider_get_blocked (), ==, 0);
      fixture_tear_down (&fixture, NULL);
      g_print ("quit-clean\n");
      return;
    }

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*quit-clean*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_set_application_name ("Ember");

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ember/tray/tray/follows-a-real-sync", test_follows_a_real_sync);
  ADD ("/ember/tray/tray/paused-icon", test_paused_icon);
  ADD ("/ember/tray/tray/menu", test_menu);
#undef ADD
  g_test_add_func ("/ember/tray/tray/quit-ends-the-process", test_quit_ends_the_process);

  return g_test_run ();
}
