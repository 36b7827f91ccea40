/* test-dbus-service.c: io.github.ember.Ember.Sync on a running app:
 * GetStatus, SyncNow and StatusChanged through real syncs, through the
 * client half that ember-cli uses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-dbus-service.h"
#include "ember-error.h"
#include "ember-sync-dbus-client.h"
#include "ember-test-utils.h"
#include "tray-test-provider.h"
#include "tray-test-utils.h"

/* The running app as the client finds it: by id, at GApplication's path
 * for that id. */
#define SERVICE_ID   APP_ID ".ServiceTest"
#define SERVICE_PATH fixture->app_path

typedef struct
{
  GTestDBus        *bus;
  GDBusConnection  *connection;   /* the app's */
  GDBusConnection  *client;       /* ember-cli's */
  EmberStore       *store;
  gint64            account_id;
  EmberSyncManager *manager;
  EmberDbusService *service;
  const char       *app_name;
  char             *app_path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  tray_test_provider_reset ();
  fixture->bus = tray_test_bus_up ();
  fixture->connection = tray_test_connect (fixture->bus);
  fixture->client = tray_test_connect (fixture->bus);
  fixture->app_name = SERVICE_ID;
  fixture->app_path = g_strconcat ("/", SERVICE_ID, NULL);
  g_strdelimit (fixture->app_path, ".", '/');
  g_assert_cmpuint (g_bus_own_name_on_connection (fixture->connection, SERVICE_ID, G_BUS_NAME_OWNER_FLAGS_NONE,
                                                  NULL, NULL, NULL, NULL), >, 0);
  g_assert_true (tray_test_wait_for_name (fixture->client, SERVICE_ID, TRUE, 5000));

  fixture->store = tray_test_store_new ("work@example.com", &fixture->account_id);
  fixture->manager = tray_test_manager_new (fixture->store);
  fixture->service = ember_dbus_service_new (fixture->manager, fixture->store);
  g_assert_true (ember_dbus_service_export (fixture->service, fixture->connection, SERVICE_PATH, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  tray_test_manager_shutdown (fixture->manager);
  g_clear_object (&fixture->service);
  g_clear_object (&fixture->manager);
  g_clear_object (&fixture->store);
  g_dbus_connection_close_sync (fixture->connection, NULL, NULL);
  g_dbus_connection_close_sync (fixture->client, NULL, NULL);
  g_clear_object (&fixture->connection);
  g_clear_object (&fixture->client);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
  g_free (fixture->app_path);
}

/* The client calls block, as in ember-cli; the service answers from this
 * thread's main loop, so the client runs in a thread of its own. */
typedef struct
{
  GDBusConnection *connection;
  const char      *bus_name;
  gint64           sync_account;  /* -1: GetStatus */
  JsonNode        *status;
  gboolean         ok;
  GError          *error;
  gboolean         done;
} ClientCall;

static gpointer
client_thread (gpointer data)
{
  ClientCall *call = data;

  if (call->sync_account < 0)
    {
      call->status = ember_sync_dbus_get_status_sync (call->connection, call->bus_name, NULL, &call->error);
      call->ok = call->status != NULL;
    }
  else
    {
      call->ok = ember_sync_dbus_sync_now_sync (call->connection, call->bus_name, call->sync_account,
                                                NULL, &call->error);
    }
  g_atomic_int_set (&call->done, TRUE);
  g_main_context_wakeup (NULL);

  return NULL;
}

static gboolean
call_done (gpointer data)
{
  return g_atomic_int_get (&((ClientCall *) data)->done);
}

static void
run_client (ClientCall *call)
{
  GThread *thread = g_thread_new ("ember-cli", client_thread, call);

  g_assert_true (ember_test_wait_for (call_done, call, 15000));
  g_thread_join (thread);
}

static JsonObject *
get_status (Fixture   *fixture,
            JsonNode **out_node)
{
  ClientCall call = { fixture->client, fixture->app_name, -1 };

  run_client (&call);
  g_assert_no_error (call.error);
  g_assert_true (call.ok);
  *out_node = call.status;

  return json_node_get_object (call.status);
}

static JsonObject *
first_account (JsonObject *status)
{
  JsonArray *accounts = json_object_get_array_member (status, "accounts");

  g_assert_cmpuint (json_array_get_length (accounts), ==, 1);
  return json_array_get_object_element (accounts, 0);
}

static void
sync_now (Fixture *fixture,
          gint64   account_id,
          GError **error)
{
  ClientCall call = { fixture->client, fixture->app_name, account_id };

  run_client (&call);
  if (call.error != NULL)
    g_propagate_error (error, call.error);
  else
    g_assert_true (call.ok);
}

static gboolean
manager_idle (gpointer data)
{
  return !ember_sync_manager_get_busy (data);
}

static void
test_get_status (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) after_node = NULL;
  g_autoptr(JsonNode) failed_node = NULL;
  JsonObject *status, *account, *syncs, *rates;

  status = get_status (fixture, &node);
  g_assert_cmpint (json_object_get_int_member (status, "version"), ==, 1);
  g_assert_true (json_object_get_boolean_member (status, "running"));
  g_assert_cmpstr (json_object_get_string_member (status, "status"), ==, "idle");
  g_assert_false (json_object_get_boolean_member (status, "paused"));
  g_assert_true (json_object_has_member (status, "pool"));
  g_assert_true (json_object_has_member (status, "http"));
  g_assert_true (json_object_has_member (status, "metrics"));
  /* The store's pool answered the query, so it has opened connections. */
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (status, "pool"), "opened"), >, 0);
  account = first_account (status);
  g_assert_cmpint (json_object_get_int_member (account, "id"), ==, fixture->account_id);
  g_assert_cmpstr (json_object_get_string_member (account, "email"), ==, "work@example.com");
  g_assert_cmpstr (json_object_get_string_member (account, "provider"), ==, "gmail");
  g_assert_cmpstr (json_object_get_string_member (account, "state"), ==, "idle");
  g_assert_true (json_object_get_null_member (account, "last_sync"));
  g_assert_cmpint (json_object_get_int_member (account, "messages"), ==, 0);

  /* After a sync that brought two messages. */
  tray_test_provider_queue_message ("Ann", "Lunch?");
  tray_test_provider_queue_message ("Bob", "Report");
  ember_sync_manager_sync_now (fixture->manager, 0);
  g_assert_true (ember_test_wait_for (manager_idle, fixture->manager, 5000));

  status = get_status (fixture, &after_node);
  account = first_account (status);
  g_assert_cmpint (json_object_get_int_member (account, "messages"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (account, "unread"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (account, "folders"), ==, 1);
  g_assert_false (json_object_get_null_member (account, "last_sync"));
  g_assert_true (json_object_get_null_member (account, "last_error"));
  syncs = json_object_get_object_member (account, "syncs");
  g_assert_cmpint (json_object_get_int_member (syncs, "succeeded"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (syncs, "failed"), ==, 0);

  /* After a revoked token. */
  tray_test_provider_set_script (TRAY_SCRIPT_FAIL_SIGN_IN);
  ember_sync_manager_sync_now (fixture->manager, 0);
  g_assert_true (ember_test_wait_for (manager_idle, fixture->manager, 5000));

  status = get_status (fixture, &failed_node);
  g_assert_cmpstr (json_object_get_string_member (status, "status"), ==, "needs-sign-in");
  account = first_account (status);
  g_assert_cmpstr (json_object_get_string_member (account, "state"), ==, "needs-sign-in");
  g_assert_true (json_object_get_boolean_member (account, "needs_sign_in"));
  g_assert_nonnull (json_object_get_string_member (account, "last_error"));
  /* No token or server text leaks into the status. */
  g_assert_null (strstr (json_object_get_string_member (account, "last_error"), "invalid_grant"));
  syncs = json_object_get_object_member (account, "syncs");
  g_assert_cmpint (json_object_get_int_member (syncs, "failed"), ==, 1);
  rates = json_object_get_object_member (status, "error_rates");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (rates, "syncs"), 0.5, 1e-9);
}

static void
status_changed_cb (GDBusConnection *connection,
                   const char      *sender_name,
                   const char      *object_path,
                   const char      *interface_name,
                   const char      *signal_name,
                   GVariant        *parameters,
                   gpointer         user_data)
{
  GPtrArray *changes = user_data;
  const char *status;
  gint64 account_id;

  g_variant_get (parameters, "(x&s)", &account_id, &status);
  g_ptr_array_add (changes, g_strdup_printf ("%" G_GINT64_FORMAT ":%s", account_id, status));
}

static gboolean
changes_contain (GPtrArray  *changes,
                 const char *change)
{
  for (guint i = 0; i < changes->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (changes, i), change))
        return TRUE;
    }

  return FALSE;
}

typedef struct
{
  GPtrArray  *changes;
  const char *change;
} ChangeWait;

static gboolean
change_seen (gpointer data)
{
  ChangeWait *wait = data;

  return changes_contain (wait->changes, wait->change);
}

static void
test_sync_now_and_status_changed (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *syncing = g_strdup_printf ("%" G_GINT64_FORMAT ":syncing", fixture->account_id);
  g_autofree char *idle = g_strdup_printf ("%" G_GINT64_FORMAT ":idle", fixture->account_id);
  g_autoptr(GError) error = NULL;
  ChangeWait wait = { changes, NULL };
  g_autoptr(GVariant) property = NULL;
  guint subscription;

  subscription = g_dbus_connection_signal_subscribe (fixture->client, fixture->app_name,
                                                     EMBER_SYNC_DBUS_INTERFACE, "StatusChanged",
                                                     SERVICE_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                     status_changed_cb, changes, NULL);

  /* SyncNow (account) through the client starts a sync of that account. */
  tray_test_provider_set_script (TRAY_SCRIPT_BLOCK);
  sync_now (fixture, fixture->account_id, &error);
  g_assert_no_error (error);
  g_assert_true (tray_test_provider_wait_blocked (5000));
  g_assert_cmpuint (tray_test_provider_get_calls (), ==, 1);

  wait.change = syncing;
  g_assert_true (ember_test_wait_for (change_seen, &wait, 5000));
  wait.change = "0:syncing";
  g_assert_true (ember_test_wait_for (change_seen, &wait, 5000));
  property = tray_test_get_property (fixture->client, fixture->app_name, SERVICE_PATH,
                                     EMBER_SYNC_DBUS_INTERFACE, "Status");
  g_assert_cmpstr (g_variant_get_string (property, NULL), ==, "syncing");

  tray_test_provider_release ();
  wait.change = idle;
  g_assert_true (ember_test_wait_for (change_seen, &wait, 5000));
  wait.change = "0:idle";
  g_assert_true (ember_test_wait_for (change_seen, &wait, 5000));

  /* SyncNow (0) syncs every account. */
  tray_test_provider_set_script (TRAY_SCRIPT_SUCCEED);
  sync_now (fixture, 0, &error);
  g_assert_no_error (error);
  g_assert_true (ember_test_wait_for (manager_idle, fixture->manager, 5000));
  g_assert_cmpuint (tray_test_provider_get_calls (), ==, 2);

  /* An unknown account is an error of the Ember domain, at both ends. */
  sync_now (fixture, 4242, &error);
  g_assert_error (error, EMBER_SYNC_ERROR, EMBER_SYNC_ERROR_NO_SUCH_ACCOUNT);
  g_assert_cmpuint (tray_test_provider_get_calls (), ==, 2);

  g_dbus_connection_signal_unsubscribe (fixture->client, subscription);
}

static void
test_not_running (Fixture       *fixture,
                  gconstpointer  data)
{
  ClientCall call = { fixture->client, "io.github.ember.Ember.NotRunning", -1 };
  ClientCall starting = { fixture->client, APP_ID ".Starting", -1 };

  run_client (&call);
  g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (call.status);
  g_clear_error (&call.error);

  /* Registered on the bus, but the store (and so the service) is not
   * there yet: the caller reads the store itself. */
  g_assert_cmpuint (g_bus_own_name_on_connection (fixture->connection, APP_ID ".Starting",
                                                  G_BUS_NAME_OWNER_FLAGS_NONE, NULL, NULL, NULL, NULL), >, 0);
  g_assert_true (tray_test_wait_for_name (fixture->client, APP_ID ".Starting", TRUE, 5000));
  run_client (&starting);
  g_assert_error (starting.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&starting.error);
}

static void
assert_member_agrees (JsonObject *live,
                      JsonObject *other,
                      const char *member)
{
  JsonNode *a = json_object_get_member (live, member);
  JsonNode *b = json_object_get_member (other, member);

  if (a == NULL || b == NULL || !json_node_equal (a, b))
    {
      g_autofree char *a_text = a != NULL ? json_to_string (a, FALSE) : g_strdup ("(missing)");
      g_autofree char *b_text = b != NULL ? json_to_string (b, FALSE) : g_strdup ("(missing)");

      g_error ("expected “%s” to agree, the app says %s, the other %s", member, a_text, b_text);
    }
}

static void
assert_accounts_agree (JsonObject *live,
                       JsonObject *other,
                       const char *state)
{
  static const char *members[] = {
    "id", "provider", "email", "state", "last_sync", "last_error",
    "messages", "unread", "folders", "calendars", "events",
  };

  g_assert_cmpstr (json_object_get_string_member (live, "state"), ==, state);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    assert_member_agrees (live, other, members[i]);
}

/* Without the app, the document is built from the store alone (what
 * ember-cli prints when Ember is not running); it agrees with the app's on
 * everything the store knows. */
static void
test_store_only_document_agrees (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GPtrArray) statuses = NULL;
  g_autoptr(JsonNode) offline = NULL;
  g_autoptr(JsonNode) live_node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *live, *stored;

  tray_test_provider_queue_message ("Ann", "Lunch?");
  ember_sync_manager_sync_now (fixture->manager, 0);
  g_assert_true (ember_test_wait_for (manager_idle, fixture->manager, 5000));

  live = get_status (fixture, &live_node);
  statuses = ember_store_list_account_status_sync (fixture->store, NULL, &error);
  g_assert_no_error (error);
  offline = ember_sync_dbus_build_status (statuses, NULL, NULL, NULL, NULL);
  stored = json_node_get_object (offline);

  g_assert_false (json_object_get_boolean_member (stored, "running"));
  g_assert_false (json_object_has_member (stored, "status"));
  g_assert_cmpint (json_object_get_int_member (first_account (stored), "messages"), ==, 1);
  assert_accounts_agree (first_account (live), first_account (stored), "idle");
}

/* `ember-cli status --json` reads the same store while the app runs, and
 * says the same about each account. */
static JsonObject *
ember_cli_status (Fixture   *fixture,
                  JsonNode **out_node)
{
  const char *ember_cli = g_getenv ("EMBER_CLI");
  g_autofree char *data_dir = g_path_get_dirname (ember_store_get_path (fixture->store));
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;

  cli = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                          ember_cli, "--data-dir", data_dir, "status", "--json", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate (cli, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (cli));
  g_assert_cmpint (g_subprocess_get_exit_status (cli), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (out, NULL), g_bytes_get_size (out), &error));
  g_assert_no_error (error);
  *out_node = json_node_copy (json_parser_get_root (parser));

  return json_node_get_object (*out_node);
}

static void
test_agrees_with_ember_cli (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(JsonNode) live_node = NULL;
  g_autoptr(JsonNode) cli_node = NULL;
  g_autoptr(JsonNode) failed_node = NULL;
  g_autoptr(JsonNode) cli_failed_node = NULL;
  JsonObject *live, *cli;

  if (g_getenv ("EMBER_CLI") == NULL)
    {
      g_test_skip ("ember-cli is not built");
      return;
    }

  tray_test_provider_queue_message ("Ann", "Lunch?");
  tray_test_provider_queue_message ("Bob", "Report");
  ember_sync_manager_sync_now (fixture->manager, 0);
  g_assert_true (ember_test_wait_for (manager_idle, fixture->manager, 5000));

  live = get_status (fixture, &live_node);
  cli = ember_cli_status (fixture, &cli_node);
  assert_accounts_agree (first_account (live), first_account (cli), "idle");

  /* After a failure both tell the same error; the app also knows that it
   * needs a sign-in, the store only that it failed. */
  tray_test_provider_set_script (TRAY_SCRIPT_FAIL_SIGN_IN);
  ember_sync_manager_sync_now (fixture->manager, 0);
  g_assert_true (ember_test_wait_for (manager_idle, fixture->manager, 5000));
  live = get_status (fixture, &failed_node);
  cli = ember_cli_status (fixture, &cli_failed_node);
  g_assert_cmpstr (json_object_get_string_member (first_account (live), "state"), ==, "needs-sign-in");
  g_assert_cmpstr (json_object_get_string_member (first_account (cli), "state"), ==, "error");
  g_assert_nonnull (json_object_get_string_member (first_account (cli), "last_error"));
  g_assert_cmpstr (json_object_get_string_member (first_account (live), "last_error"), ==,
                   json_object_get_string_member (first_account (cli), "last_error"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ember/tray/dbus-service/get-status", test_get_status);
  ADD ("/ember/tray/dbus-service/sync-now-and-status-changed", test_sync_now_and_status_changed);
  ADD ("/ember/tray/dbus-service/not-running", test_not_running);
  ADD ("/ember/tray/dbus-service/store-only-document-agrees", test_store_only_document_agrees);
  ADD ("/ember/tray/dbus-service/agrees-with-ember-cli", test_agrees_with_ember_cli);
#undef ADD

  return g_test_run ();
}
