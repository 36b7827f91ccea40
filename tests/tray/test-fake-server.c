/* test-fake-server.c: the whole of issue 9 through real syncs: Ember's
 * integration (tray icon, Sync service, notifications) on a running
 * application whose Gmail account syncs against the fake server. SyncNow
 * over D-Bus starts a sync, StatusChanged and the icon follow it, the first
 * sync makes no notification and an incremental one makes one grouped
 * notification, `ember-cli status --json` agrees with GetStatus, and a
 * revoked token turns into "sign in again" everywhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-fake-clock.h"
#include "ember-fake-server.h"
#include "ember-integration.h"
#include "ember-notifier.h"
#include "ember-memory-token-store.h"
#include "ember-provider-factory.h"
#include "ember-sync-dbus-client.h"
#include "ember-test-utils.h"
#include "tray-test-utils.h"

#define TEST_APP_ID APP_ID ".FakeServerTest"
#define EMAIL       "alice@gmail.test"
#define N_MESSAGES  30

typedef struct
{
  GTestDBus              *bus;
  TestWatcher            *watcher;
  TestNotificationServer *notifications;
  GDBusConnection        *host;
  EmberFakeServer        *server;
  char                   *data_dir;
  EmberStore             *store;
  gint64                  account_id;
  EmberTokenStore        *tokens;
  EmberHttpClient        *client;
  EmberSyncManager       *manager;
  GApplication           *application;
  EmberIntegration       *integration;
  GPtrArray              *changes;      /* "account:status" from StatusChanged */
  guint                   subscription;
  GArray                 *opened_messages;
  guint                   preferences_shown;
} Fixture;

static void
open_message_cb (EmberIntegration *integration,
                 gint64            message_id,
                 Fixture          *fixture)
{
  g_array_append_val (fixture->opened_messages, message_id);
}

static void
preferences_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  Fixture *fixture = user_data;

  fixture->preferences_shown++;
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
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ember_sync_manager_load_finish (EMBER_SYNC_MANAGER (object), result, &error));
  *(gboolean *) data = TRUE;
}

static gboolean
tray_registered (gpointer data)
{
  EmberTray *tray = ember_integration_get_tray (data);

  return tray != NULL && ember_status_notifier_item_get_registered (ember_tray_get_item (tray));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  EmberFakeServerOptions options;
  g_autoptr(EmberAccountRecord) account = ember_account_record_new ();
  g_autoptr(EmberProviderFactory) factory = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *app_path = NULL;
  g_autoptr(GSimpleAction) preferences = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean loaded = FALSE;

  fixture->bus = tray_test_bus_up ();
  fixture->watcher = test_watcher_start (fixture->bus);
  fixture->notifications = test_notification_server_start (fixture->bus);
  fixture->host = tray_test_connect (fixture->bus);

  ember_fake_server_options_init (&options);
  options.n_messages = N_MESSAGES;
  options.n_events = 10;
  options.no_quota = TRUE;
  fixture->server = ember_fake_server_new (&options);
  g_assert_true (ember_fake_server_start (fixture->server, &error));
  g_assert_no_error (error);

  fixture->data_dir = g_build_filename (ember_test_get_tmpdir (), "fake-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (fixture->data_dir));
  fixture->store = ember_store_new_sync (fixture->data_dir, NULL, &error);
  g_assert_no_error (error);
  account->provider = g_strdup ("gmail");
  account->email = g_strdup (EMAIL);
  account->client_id = g_strdup ("ember-test-client");
  account->api_base = g_strdup (ember_fake_server_get_base_uri (fixture->server));
  account->auth_base = g_strdup_printf ("%s/google", ember_fake_server_get_base_uri (fixture->server));
  fixture->account_id = ember_store_add_account_sync (fixture->store, account, NULL, &error);
  g_assert_no_error (error);

  /* Signed in, as after `account add`; the tokens stay in memory. */
  g_assert_true (ember_fake_server_issue_token (fixture->server, EMAIL, &access, &refresh, &error));
  g_assert_no_error (error);
  fixture->tokens = ember_memory_token_store_new ();
  g_assert_true (ember_token_store_store_sync (fixture->tokens, fixture->account_id, EMBER_TOKEN_KIND_ACCESS,
                                               access, now + 3000, NULL, &error));
  g_assert_true (ember_token_store_store_sync (fixture->tokens, fixture->account_id, EMBER_TOKEN_KIND_REFRESH,
                                               refresh, 0, NULL, &error));
  g_assert_true (ember_token_store_store_sync (fixture->tokens, fixture->account_id, EMBER_TOKEN_KIND_CLIENT_SECRET,
                                               "ember-test-secret", 0, NULL, &error));
  g_assert_no_error (error);

  fixture->client = ember_http_client_new (ember_clock_get_default ());
  ember_http_client_set_backoff_policy (fixture->client, 20 * G_TIME_SPAN_MILLISECOND,
                                        G_TIME_SPAN_SECOND, 10 * G_TIME_SPAN_SECOND);
  factory = ember_provider_factory_new (fixture->store, fixture->client, fixture->tokens);
  fixture->manager = ember_sync_manager_new (fixture->store, ember_provider_factory_get,
                                             g_object_ref (factory), g_object_unref);
  ember_sync_manager_load_async (fixture->manager, FALSE, NULL, loaded_cb, &loaded);
  g_assert_true (ember_test_wait_for (flag_set, &loaded, 5000));

  /* The running app: the integration on its own connection. */
  fixture->application = g_application_new (TEST_APP_ID, G_APPLICATION_DEFAULT_FLAGS);
  preferences = g_simple_action_new ("preferences", NULL);
  g_signal_connect (preferences, "activate", G_CALLBACK (preferences_cb), fixture);
  g_action_map_add_action (G_ACTION_MAP (fixture->application), G_ACTION (preferences));
  fixture->integration = ember_integration_new (fixture->application);
  fixture->opened_messages = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (fixture->integration, "open-message", G_CALLBACK (open_message_cb), fixture);
  ember_integration_set_sync (fixture->integration, fixture->store, fixture->manager);
  g_assert_true (g_application_register (fixture->application, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ember_test_wait_for (tray_registered, fixture->integration, 10000));

  fixture->changes = g_ptr_array_new_with_free_func (g_free);
  app_path = g_strconcat ("/", TEST_APP_ID, NULL);
  g_strdelimit (app_path, ".", '/');
  fixture->subscription = g_dbus_connection_signal_subscribe (fixture->host, TEST_APP_ID,
                                                              EMBER_SYNC_DBUS_INTERFACE, "StatusChanged",
                                                              app_path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                              status_changed_cb, fixture->changes, NULL);
  /* The match rule is in place once the bus answered this. */
  g_assert_true (tray_test_name_has_owner (fixture->host, TEST_APP_ID));
}

static void
shutdown_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ember_sync_manager_shutdown_finish (EMBER_SYNC_MANAGER (object), result, &error));
  *(gboolean *) data = TRUE;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gboolean done = FALSE;

  /* See test-notifier.c: GLib 2.74's freedesktop backend must not be left
   * tracking notifications when its server goes. */
  test_notification_server_dismiss_all (fixture->notifications);
  ember_test_spin (200);

  g_dbus_connection_signal_unsubscribe (fixture->host, fixture->subscription);
  ember_sync_manager_shutdown_async (fixture->manager, shutdown_cb, &done);
  g_assert_true (ember_test_wait_for (flag_set, &done, 10000));
  g_clear_object (&fixture->integration);
  g_clear_object (&fixture->application);
  g_clear_object (&fixture->manager);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->tokens);
  g_clear_object (&fixture->store);
  ember_fake_server_stop (fixture->server);
  g_clear_object (&fixture->server);
  test_notification_server_stop (fixture->notifications);
  test_watcher_stop (fixture->watcher);
  g_dbus_connection_close_sync (fixture->host, NULL, NULL);
  g_clear_object (&fixture->host);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
  g_ptr_array_unref (fixture->changes);
  g_array_unref (fixture->opened_messages);
  g_free (fixture->data_dir);
}

/* The client half blocks, as in ember-cli: run it in a thread while this
 * one serves the app. */
typedef struct
{
  gint64    sync_account;  /* -1: GetStatus */
  JsonNode *status;
  GError   *error;
  gboolean  done;
} ClientCall;

static gpointer
client_thread (gpointer data)
{
  ClientCall *call = data;

  if (call->sync_account < 0)
    call->status = ember_sync_dbus_get_status_sync (NULL, TEST_APP_ID, NULL, &call->error);
  else
    ember_sync_dbus_sync_now_sync (NULL, TEST_APP_ID, call->sync_account, NULL, &call->error);
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

  g_assert_true (ember_test_wait_for (call_done, call, 20000));
  g_thread_join (thread);
  g_assert_no_error (call->error);
}

static JsonObject *
get_account_status (JsonNode **out_node)
{
  ClientCall call = { -1 };
  JsonArray *accounts;

  run_client (&call);
  *out_node = call.status;
  accounts = json_object_get_array_member (json_node_get_object (call.status), "accounts");
  g_assert_cmpuint (json_array_get_length (accounts), ==, 1);

  return json_array_get_object_element (accounts, 0);
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

  for (guint i = 0; i < wait->changes->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (wait->changes, i), wait->change))
        return TRUE;
    }

  return FALSE;
}

/* SyncNow over D-Bus, then StatusChanged says the account synced and came
 * back to @final_status. */
static void
sync_over_dbus (Fixture    *fixture,
                gint64      account_id,
                const char *final_status)
{
  g_autofree char *syncing = g_strdup_printf ("%" G_GINT64_FORMAT ":syncing", fixture->account_id);
  g_autofree char *final = g_strdup_printf ("%" G_GINT64_FORMAT ":%s", fixture->account_id, final_status);
  ClientCall call = { account_id };
  ChangeWait wait = { fixture->changes, syncing };

  g_ptr_array_set_size (fixture->changes, 0);
  run_client (&call);
  if (!ember_test_wait_for (change_seen, &wait, 30000))
    g_error ("expected StatusChanged (%s) after SyncNow", syncing);
  wait.change = final;
  if (!ember_test_wait_for (change_seen, &wait, 60000))
    g_error ("expected StatusChanged (%s) after the sync", final);
}

static char *
item_status (Fixture *fixture)
{
  EmberStatusNotifierItem *item = ember_tray_get_item (ember_integration_get_tray (fixture->integration));
  g_autoptr(GVariant) value = tray_test_get_property (fixture->host, ember_status_notifier_item_get_bus_name (item),
                                                      "/StatusNotifierItem", "org.kde.StatusNotifierItem",
                                                      "Status");

  return g_variant_dup_string (value, NULL);
}

static JsonObject *
ember_cli_account (Fixture   *fixture,
                   JsonNode **out_node)
{
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *accounts;

  cli = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                          g_getenv ("EMBER_CLI"), "--data-dir", fixture->data_dir, "status", "--json", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate (cli, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (cli), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (out, NULL), g_bytes_get_size (out), &error));
  g_assert_no_error (error);
  *out_node = json_node_copy (json_parser_get_root (parser));
  accounts = json_object_get_array_member (json_node_get_object (*out_node), "accounts");
  g_assert_cmpuint (json_array_get_length (accounts), ==, 1);

  return json_array_get_object_element (accounts, 0);
}

static void
assert_agrees_with_ember_cli (Fixture    *fixture,
                              JsonObject *live)
{
  static const char *members[] = {
    "id", "provider", "email", "last_sync", "last_error",
    "messages", "unread", "folders", "calendars", "events",
  };
  g_autoptr(JsonNode) cli_node = NULL;
  JsonObject *cli;

  if (g_getenv ("EMBER_CLI") == NULL)
    {
      g_test_message ("ember-cli is not built: not comparing");
      return;
    }

  cli = ember_cli_account (fixture, &cli_node);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      JsonNode *a = json_object_get_member (live, members[i]);
      JsonNode *b = json_object_get_member (cli, members[i]);

      if (a == NULL || b == NULL || !json_node_equal (a, b))
        {
          g_autofree char *a_text = a != NULL ? json_to_string (a, FALSE) : g_strdup ("(missing)");
          g_autofree char *b_text = b != NULL ? json_to_string (b, FALSE) : g_strdup ("(missing)");

          g_error ("expected GetStatus and `ember-cli status --json` to agree on “%s”: %s vs %s",
                   members[i], a_text, b_text);
        }
    }
}

static gboolean
array_filled (gpointer data)
{
  return ((GArray *) data)->len > 0;
}

static gboolean
preferences_shown (gpointer data)
{
  return ((Fixture *) data)->preferences_shown > 0;
}

static void
test_through_real_syncs (Fixture       *fixture,
                         gconstpointer  data)
{
  static const char *senders[] = { "Ann Archer", "Bob Baker", "Carol Cook", NULL };
  g_autoptr(EmberMessageRecord) opened = NULL;
  EmberStatusNotifierItem *item = ember_tray_get_item (ember_integration_get_tray (fixture->integration));
  g_autoptr(TraySignalLog) icon_log = tray_signal_log_new (fixture->host, ember_status_notifier_item_get_bus_name (item),
                                                           "/StatusNotifierItem", "org.kde.StatusNotifierItem");
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) revoked = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  const TestNotification *mail, *problem;
  JsonObject *account;
  JsonObject *http;

  account = get_account_status (&before);
  g_assert_cmpstr (json_object_get_string_member (account, "email"), ==, EMAIL);
  g_assert_true (json_object_get_null_member (account, "last_sync"));

  /* The first sync, asked for over D-Bus: the icon goes Active and back
   * to Passive, and nothing is announced. */
  sync_over_dbus (fixture, fixture->account_id, "idle");
  g_assert_true (tray_signal_log_wait (icon_log, "NewStatus", 2, 5000));
  g_assert_cmpstr (g_variant_get_type_string (tray_signal_log_last (icon_log, "NewStatus")), ==, "(s)");
  status = item_status (fixture);
  g_assert_cmpstr (status, ==, "Passive");
  ember_test_spin (300);
  g_assert_cmpuint (test_notification_server_get_notifications (fixture->notifications)->len, ==, 0);

  account = get_account_status (&first);
  g_assert_cmpstr (json_object_get_string_member (account, "state"), ==, "idle");
  g_assert_cmpint (json_object_get_int_member (account, "messages"), ==, N_MESSAGES);
  g_assert_false (json_object_get_null_member (account, "last_sync"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (account, "syncs"), "succeeded"), ==, 1);
  http = json_object_get_object_member (json_node_get_object (first), "http");
  g_assert_cmpint (json_object_get_int_member (http, "requests"), >, 0);
  assert_agrees_with_ember_cli (fixture, account);

  /* Three messages arrive; the next (incremental) sync announces them
   * once, with their senders. */
  for (guint i = 0; senders[i] != NULL; i++)
    {
      EmberFakeMessageSpec spec = { 0 };
      g_autofree char *id = NULL;

      spec.subject = "Hello";
      spec.from_name = senders[i];
      spec.from_address = "friend@example.test";
      spec.text = "Hi Alice";
      spec.unread = TRUE;
      id = ember_fake_server_add_message (fixture->server, EMAIL, &spec, &error);
      g_assert_no_error (error);
    }
  sync_over_dbus (fixture, 0, "idle");
  g_assert_true (test_notification_server_wait (fixture->notifications, 1, 10000));
  ember_test_spin (300);
  g_assert_cmpuint (test_notification_server_get_notifications (fixture->notifications)->len, ==, 1);
  mail = g_ptr_array_index (test_notification_server_get_notifications (fixture->notifications), 0);
  g_assert_cmpstr (mail->summary, ==, "3 new messages");
  for (guint i = 0; senders[i] != NULL; i++)
    g_assert_nonnull (strstr (mail->body, senders[i]));

  account = get_account_status (&second);
  g_assert_cmpint (json_object_get_int_member (account, "messages"), ==, N_MESSAGES + 3);
  assert_agrees_with_ember_cli (fixture, account);

  /* Clicking it asks the window for one of the new messages. */
  test_notification_server_invoke (fixture->notifications, mail, "default");
  g_assert_true (ember_test_wait_for (array_filled, fixture->opened_messages, 5000));
  opened = ember_store_get_message_sync (fixture->store, g_array_index (fixture->opened_messages, gint64, 0),
                                         NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains (senders, opened->from_name));

  /* The person revokes Ember's access: sign in again, everywhere. */
  g_assert_true (ember_fake_server_revoke (fixture->server, EMAIL, &error));
  g_assert_no_error (error);
  sync_over_dbus (fixture, fixture->account_id, "needs-sign-in");
  g_clear_pointer (&status, g_free);
  status = item_status (fixture);
  g_assert_cmpstr (status, ==, "NeedsAttention");
  g_assert_true (test_notification_server_wait (fixture->notifications, 2, 10000));
  problem = g_ptr_array_index (test_notification_server_get_notifications (fixture->notifications), 1);
  g_assert_cmpstr (problem->summary, ==, "Sign in to " EMAIL " again");
  /* Clicking it opens Preferences, where the accounts are. */
  test_notification_server_invoke (fixture->notifications, problem, "default");
  g_assert_true (ember_test_wait_for (preferences_shown, fixture, 5000));

  account = get_account_status (&revoked);
  g_assert_cmpstr (json_object_get_string_member (account, "state"), ==, "needs-sign-in");
  g_assert_true (json_object_get_boolean_member (account, "needs_sign_in"));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (revoked), "status"), ==, "needs-sign-in");
}

static gboolean
manager_idle (gpointer data)
{
  return !ember_sync_manager_get_busy (data);
}

static guint
count_summary (Fixture    *fixture,
               const char *summary)
{
  GPtrArray *all = test_notification_server_get_notifications (fixture->notifications);
  guint count = 0;

  for (guint i = 0; i < all->len; i++)
    count += g_strcmp0 (((TestNotification *) g_ptr_array_index (all, i))->summary, summary) == 0;

  return count;
}

typedef struct
{
  Fixture    *fixture;
  const char *summary;
} SummaryWait;

static gboolean
summary_shown (gpointer data)
{
  SummaryWait *wait = data;

  return count_summary (wait->fixture, wait->summary) > 0;
}

typedef struct
{
  EmberFakeClock *clock;
  gint64          deadline;  /* µs */
} ClockWait;

static gboolean
clock_waited_on (gpointer data)
{
  ClockWait *wait = data;

  return ember_fake_clock_get_n_waiters (wait->clock) == 1 &&
         ember_fake_clock_get_next_deadline (wait->clock) == wait->deadline;
}

static void
assert_waits_until (EmberFakeClock *clock,
                    gint64          start,
                    gint64          seconds)
{
  ClockWait wait = { clock, (start + seconds) * G_USEC_PER_SEC };

  if (!ember_test_wait_for (clock_waited_on, &wait, 10000))
    g_error ("expected the notifier to wait until %" G_GINT64_FORMAT " s from the start; "
             "%u waiters wait until %" G_GINT64_FORMAT " s", seconds, ember_fake_clock_get_n_waiters (clock),
             ember_fake_clock_get_next_deadline (clock) / G_USEC_PER_SEC - start);
}

static void
add_event (Fixture    *fixture,
           const char *summary,
           gint64      start,
           gboolean    own_reminder,
           int         reminder_minutes)
{
  EmberFakeEventSpec spec = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  spec.summary = summary;
  spec.set_times = TRUE;
  spec.start = start;
  spec.end = start + 30 * 60;
  spec.set_reminder = own_reminder;
  spec.reminder_minutes = reminder_minutes;
  id = ember_fake_server_add_event (fixture->server, EMAIL, &spec, &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);
}

/* Reminder times as Google Calendar sends them (an event's own popup
 * reminder, the calendar's default of 10 minutes, none) reach the store
 * through a real sync and time the reminders (on a fake clock). */
static void
test_reminders_through_real_syncs (Fixture       *fixture,
                                   gconstpointer  data)
{
  gint64 start = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (start * G_USEC_PER_SEC);
  g_autoptr(EmberNotifier) notifier = NULL;
  SummaryWait board = { fixture, "Board meeting" };
  SummaryWait coffee = { fixture, "Coffee" };

  /* Whole minutes from now, so that the reminders fall on the clock's
   * steps below. */
  add_event (fixture, "Board meeting", start + 120 * 60, TRUE, 90);
  add_event (fixture, "Coffee", start + 50 * 60, FALSE, 0);
  add_event (fixture, "Focus time", start + 20 * 60, TRUE, EMBER_FAKE_REMINDER_NONE);

  notifier = ember_notifier_new (fixture->application, fixture->manager, fixture->store, NULL, EMBER_CLOCK (clock));
  ember_sync_manager_sync_now (fixture->manager, 0);
  g_assert_true (ember_test_wait_for (manager_idle, fixture->manager, 30000));

  /* The board meeting's own 90 minutes come first. */
  assert_waits_until (clock, start, 30 * 60);
  ember_fake_clock_advance (clock, 29 * 60 * G_USEC_PER_SEC);
  ember_test_spin (300);
  g_assert_cmpuint (count_summary (fixture, "Board meeting"), ==, 0);
  g_assert_cmpuint (count_summary (fixture, "Focus time"), ==, 0);
  ember_fake_clock_advance (clock, 60 * G_USEC_PER_SEC);
  g_assert_true (ember_test_wait_for (summary_shown, &board, 5000));

  /* The coffee follows the calendar's default, 10 minutes. */
  assert_waits_until (clock, start, 40 * 60);
  ember_fake_clock_advance (clock, 9 * 60 * G_USEC_PER_SEC);
  ember_test_spin (300);
  g_assert_cmpuint (count_summary (fixture, "Coffee"), ==, 0);
  ember_fake_clock_advance (clock, 60 * G_USEC_PER_SEC);
  g_assert_true (ember_test_wait_for (summary_shown, &coffee, 5000));

  /* The focus time, without a reminder, began in silence. */
  g_assert_cmpuint (count_summary (fixture, "Focus time"), ==, 0);
  g_assert_cmpuint (count_summary (fixture, "Board meeting"), ==, 1);
  g_assert_cmpuint (count_summary (fixture, "Coffee"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_set_application_name ("Ember");

  g_test_add ("/ember/tray/fake-server/through-real-syncs", Fixture, NULL,
              fixture_set_up, test_through_real_syncs, fixture_tear_down);
  g_test_add ("/ember/tray/fake-server/reminders-through-real-syncs", Fixture, NULL,
              fixture_set_up, test_reminders_through_real_syncs, fixture_tear_down);

  return g_test_run ();
}
