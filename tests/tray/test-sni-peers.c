/* test-sni-peers.c: Ember's tray icon against real StatusNotifier peers
 * from Debian: status-notifier-watcher (haskell-status-notifier-item-utils)
 * lists it, also after a restart, and the GTK host gtk-sni-tray-standalone
 * (haskell-gtk-sni-tray-utils) reads its properties and menu without an
 * error. Exits 77 (skip) without the watcher; the host case skips without
 * the host program or a display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include "ember-test-utils.h"
#include "ember-tray.h"
#include "tray-test-provider.h"
#include "tray-test-utils.h"

static char *watcher_program;
static char *host_program;
/* GTestDBus unsets DISPLAY (against X11 bus autolaunch) on every start and
 * stop; the host needs it, so it is kept from the start. */
static char *display;

/* Everything the peers ask of the item's connection, and every error it
 * answers with, seen by a filter on that connection. */
typedef struct
{
  GMutex     mutex;
  GPtrArray *calls;   /* "Member Interface Argument" */
  GPtrArray *errors;  /* error names sent back */
} Traffic;

static GDBusMessage *
traffic_filter (GDBusConnection *connection,
                GDBusMessage    *message,
                gboolean         incoming,
                gpointer         user_data)
{
  Traffic *traffic = user_data;
  GDBusMessageType type = g_dbus_message_get_message_type (message);

  g_mutex_lock (&traffic->mutex);
  if (incoming && type == G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    {
      GVariant *body = g_dbus_message_get_body (message);
      const char *interface = g_dbus_message_get_interface (message);
      const char *argument = "";

      /* Properties.Get (interface, name): the interesting part is name. */
      if (body != NULL && g_variant_n_children (body) >= 2 &&
          g_variant_is_of_type (body, G_VARIANT_TYPE ("(ss)")))
        {
          g_variant_get_child (body, 0, "&s", &interface);
          g_variant_get_child (body, 1, "&s", &argument);
        }
      else if (body != NULL && g_variant_is_of_type (body, G_VARIANT_TYPE ("(s)")))
        {
          g_variant_get_child (body, 0, "&s", &interface);
        }

      g_ptr_array_add (traffic->calls, g_strdup_printf ("%s %s %s", g_dbus_message_get_member (message),
                                                        interface != NULL ? interface : "", argument));
    }
  else if (!incoming && type == G_DBUS_MESSAGE_TYPE_ERROR)
    {
      g_ptr_array_add (traffic->errors, g_strdup (g_dbus_message_get_error_name (message)));
    }
  g_mutex_unlock (&traffic->mutex);

  return message;
}

static gboolean
traffic_has (Traffic    *traffic,
             const char *call)
{
  gboolean found = FALSE;

  g_mutex_lock (&traffic->mutex);
  for (guint i = 0; i < traffic->calls->len && !found; i++)
    found = g_str_has_prefix (g_ptr_array_index (traffic->calls, i), call);
  g_mutex_unlock (&traffic->mutex);

  return found;
}

typedef struct
{
  GTestDBus        *bus;
  GDBusConnection  *connection;
  GDBusConnection  *observer;
  EmberStore       *store;
  EmberSyncManager *manager;
  EmberTray        *tray;
  GApplication     *application;
  Traffic           traffic;
  guint             filter_id;
  char             *tmpdir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  tray_test_provider_reset ();
  fixture->bus = tray_test_bus_up ();
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);
  fixture->connection = tray_test_connect (fixture->bus);
  fixture->observer = tray_test_connect (fixture->bus);
  g_mutex_init (&fixture->traffic.mutex);
  fixture->traffic.calls = g_ptr_array_new_with_free_func (g_free);
  fixture->traffic.errors = g_ptr_array_new_with_free_func (g_free);
  fixture->filter_id = g_dbus_connection_add_filter (fixture->connection, traffic_filter, &fixture->traffic, NULL);

  fixture->application = g_application_new (APP_ID ".PeersTest", G_APPLICATION_NON_UNIQUE);
  fixture->store = tray_test_store_new ("work@example.com", NULL);
  fixture->manager = tray_test_manager_new (fixture->store);
  fixture->tray = ember_tray_new (fixture->application, fixture->manager, fixture->store, fixture->connection);
  g_assert_true (ember_tray_export (fixture->tray, &error));
  g_assert_no_error (error);
  fixture->tmpdir = g_build_filename (ember_test_get_tmpdir (), "peers-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (fixture->tmpdir));
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
  g_dbus_connection_remove_filter (fixture->connection, fixture->filter_id);
  g_dbus_connection_close_sync (fixture->connection, NULL, NULL);
  g_dbus_connection_close_sync (fixture->observer, NULL, NULL);
  g_clear_object (&fixture->connection);
  g_clear_object (&fixture->observer);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
  g_ptr_array_unref (fixture->traffic.calls);
  g_ptr_array_unref (fixture->traffic.errors);
  g_mutex_clear (&fixture->traffic.mutex);
  g_free (fixture->tmpdir);
}

static GSubprocess *
spawn_peer (Fixture    *fixture,
            const char *log_name,
            const char *program,
            ...)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autofree char *log_path = g_build_filename (fixture->tmpdir, log_name, NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *peer;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) program);
  va_start (args, program);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  /* The peers find the private bus through DBUS_SESSION_BUS_ADDRESS. */
  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  peer = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  return peer;
}

static char *
peer_log (Fixture    *fixture,
          const char *log_name)
{
  g_autofree char *log_path = g_build_filename (fixture->tmpdir, log_name, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (log_path, &contents, NULL, NULL))
    return g_strdup ("");

  return contents;
}

static void
stop_peer (GSubprocess *peer)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (peer, SIGTERM);
  g_subprocess_wait (peer, NULL, &error);
  g_assert_no_error (error);
}

static const char *
item_name (Fixture *fixture)
{
  return ember_status_notifier_item_get_bus_name (ember_tray_get_item (fixture->tray));
}

static gboolean
watcher_lists_item (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree const char **names = NULL;

  reply = tray_test_call (fixture->observer, "org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher",
                          "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", "org.kde.StatusNotifierWatcher", "RegisteredStatusNotifierItems"),
                          G_VARIANT_TYPE ("(v)"), &error);
  if (reply == NULL)
    return FALSE;

  g_variant_get (reply, "(v)", &items);
  names = g_variant_get_strv (items, NULL);
  for (guint i = 0; names[i] != NULL; i++)
    {
      /* This watcher keeps the bus name alone; others add the path. */
      if (g_str_has_prefix (names[i], item_name (fixture)))
        return TRUE;
    }

  return FALSE;
}

static gboolean
tray_registered (gpointer data)
{
  return ember_status_notifier_item_get_registered (ember_tray_get_item (data));
}

static gboolean
tray_unregistered (gpointer data)
{
  return !ember_status_notifier_item_get_registered (ember_tray_get_item (data));
}

static void
start_watcher (Fixture      *fixture,
               GSubprocess **out_watcher,
               const char   *log_name)
{
  *out_watcher = spawn_peer (fixture, log_name, watcher_program, NULL);
  g_assert_true (tray_test_wait_for_name (fixture->observer, "org.kde.StatusNotifierWatcher", TRUE, 10000));
}

static void
test_watcher_lists_item (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GSubprocess) watcher = NULL;

  /* Exported before any watcher runs, as at login before the panel. */
  start_watcher (fixture, &watcher, "watcher-1.log");
  g_assert_true (ember_test_wait_for (tray_registered, fixture->tray, 10000));
  g_assert_true (ember_test_wait_for (watcher_lists_item, fixture, 10000));

  /* The watcher restarts: the item registers with the new one. */
  stop_peer (watcher);
  g_assert_true (tray_test_wait_for_name (fixture->observer, "org.kde.StatusNotifierWatcher", FALSE, 10000));
  g_assert_true (ember_test_wait_for (tray_unregistered, fixture->tray, 10000));
  g_clear_object (&watcher);

  start_watcher (fixture, &watcher, "watcher-2.log");
  g_assert_true (ember_test_wait_for (tray_registered, fixture->tray, 10000));
  g_assert_true (ember_test_wait_for (watcher_lists_item, fixture, 10000));

  g_mutex_lock (&fixture->traffic.mutex);
  if (fixture->traffic.errors->len > 0)
    g_error ("expected no error answers to the watcher, got %s",
             (char *) g_ptr_array_index (fixture->traffic.errors, 0));
  g_mutex_unlock (&fixture->traffic.mutex);

  stop_peer (watcher);
}

typedef struct
{
  Traffic            *traffic;
  const char * const *calls;
} CallsWait;

static gboolean
all_calls_seen (gpointer data)
{
  CallsWait *wait = data;

  for (guint i = 0; wait->calls[i] != NULL; i++)
    {
      if (!traffic_has (wait->traffic, wait->calls[i]))
        return FALSE;
    }

  return TRUE;
}

static void
assert_no_errors_in_log (const char *name,
                         const char *log)
{
  g_autofree char *lower = g_ascii_strdown (log, -1);

  if (strstr (lower, "error") != NULL || strstr (lower, "critical") != NULL ||
      strstr (lower, "exception") != NULL || strstr (lower, "warning") != NULL)
    g_error ("expected %s to run without errors or warnings, its log says:\n%s", name, log);
}

static void
test_host_reads_item_and_menu (Fixture       *fixture,
                               gconstpointer  data)
{
  /* What gtk-sni-tray reads of an item to draw it, and its menu. */
  static const char * const first_reads[] = {
    "Get org.kde.StatusNotifierItem IconName",
    "Get org.kde.StatusNotifierItem Menu",
    "GetLayout ",
    NULL
  };
  static const char * const state_reads[] = {
    "Get org.kde.StatusNotifierItem IconName",
    NULL
  };
  g_autoptr(GSubprocess) watcher = NULL;
  g_autoptr(GSubprocess) host = NULL;
  g_autofree char *host_log = NULL;
  g_autofree char *watcher_log = NULL;
  CallsWait wait = { &fixture->traffic, first_reads };

  if (host_program == NULL)
    {
      g_test_skip ("gtk-sni-tray-standalone is not installed (package haskell-gtk-sni-tray-utils)");
      return;
    }
  if (!ember_test_has_display ())
    {
      g_test_skip ("gtk-sni-tray-standalone needs a display");
      return;
    }

  start_watcher (fixture, &watcher, "watcher.log");
  g_assert_true (ember_test_wait_for (tray_registered, fixture->tray, 10000));
  host = spawn_peer (fixture, "host.log", host_program, "--log-level", "DEBUG", NULL);

  if (!ember_test_wait_for (all_calls_seen, &wait, 20000))
    {
      g_mutex_lock (&fixture->traffic.mutex);
      for (guint i = 0; i < fixture->traffic.calls->len; i++)
        g_test_message ("host called: %s", (char *) g_ptr_array_index (fixture->traffic.calls, i));
      g_mutex_unlock (&fixture->traffic.mutex);
      host_log = peer_log (fixture, "host.log");
      g_error ("expected gtk-sni-tray-standalone to read the icon and the menu; its log:\n%s", host_log);
    }

  /* A sync changes the icon, and the host reads it again. */
  g_mutex_lock (&fixture->traffic.mutex);
  for (guint i = 0; i < fixture->traffic.calls->len; i++)
    g_test_message ("host called: %s", (char *) g_ptr_array_index (fixture->traffic.calls, i));
  g_ptr_array_set_size (fixture->traffic.calls, 0);
  g_mutex_unlock (&fixture->traffic.mutex);
  tray_test_provider_set_script (TRAY_SCRIPT_BLOCK);
  ember_sync_manager_sync_now (fixture->manager, 0);
  g_assert_true (tray_test_provider_wait_blocked (5000));
  wait.calls = state_reads;
  g_assert_true (ember_test_wait_for (all_calls_seen, &wait, 20000));
  tray_test_provider_release ();

  /* Give it a moment to read everything else it wants, then check that
   * nothing it asked for was refused. */
  ember_test_spin (500);
  g_mutex_lock (&fixture->traffic.mutex);
  if (fixture->traffic.errors->len > 0)
    g_error ("expected no error answers to the host, got %s",
             (char *) g_ptr_array_index (fixture->traffic.errors, 0));
  g_mutex_unlock (&fixture->traffic.mutex);

  stop_peer (host);
  stop_peer (watcher);
  /* Both ran until they were told to stop. */
  g_assert_true (g_subprocess_get_if_signaled (host));
  g_assert_cmpint (g_subprocess_get_term_sig (host), ==, SIGTERM);
  g_assert_true (g_subprocess_get_if_signaled (watcher));

  host_log = peer_log (fixture, "host.log");
  watcher_log = peer_log (fixture, "watcher.log");
  assert_no_errors_in_log ("gtk-sni-tray-standalone", host_log);
  assert_no_errors_in_log ("status-notifier-watcher", watcher_log);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_set_application_name ("Ember");

  display = g_strdup (g_getenv ("DISPLAY"));
  watcher_program = g_find_program_in_path ("status-notifier-watcher");
  host_program = g_find_program_in_path ("gtk-sni-tray-standalone");
  if (watcher_program == NULL)
    {
      g_printerr ("status-notifier-watcher is not installed (package haskell-status-notifier-item-utils): skipping\n");
      return 77;
    }

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ember/tray/peers/watcher-lists-item", test_watcher_lists_item);
  ADD ("/ember/tray/peers/host-reads-item-and-menu", test_host_reads_item_and_menu);
#undef ADD

  status = g_test_run ();
  g_free (watcher_program);
  g_free (host_program);
  g_free (display);

  return status;
}
