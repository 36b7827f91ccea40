/* test-notifier.c: notifications as a notification server on the bus sees
 * them: one grouped notification for new mail after an incremental sync and
 * none for the first sync, one for a sign-in problem, an event reminder at
 * its time (on a fake clock); clicks open the right thing; each kind obeys
 * its setting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-fake-clock.h"
#include "ember-notifier.h"
#include "ember-test-utils.h"
#include "tray-test-provider.h"
#include "tray-test-utils.h"

typedef struct
{
  GTestDBus              *bus;
  TestNotificationServer *server;
  GApplication           *application;
  GSettings              *settings;
  EmberFakeClock         *clock;
  gint64                  start;       /* clock time, s */
  EmberStore             *store;
  gint64                  account_id;
  EmberSyncManager       *manager;
  EmberNotifier          *notifier;
  GArray                 *opened_messages;
  GArray                 *opened_events;
  GArray                 *shown_accounts;
  guint                   activations;
} Fixture;

static void
record_cb (EmberNotifier *notifier,
           gint64         id,
           GArray        *ids)
{
  g_array_append_val (ids, id);
}

static void
activate_cb (GApplication *application,
             Fixture      *fixture)
{
  fixture->activations++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  tray_test_provider_reset ();
  fixture->bus = tray_test_bus_up ();
  if (data == NULL)
    fixture->server = test_notification_server_start (fixture->bus);

  fixture->application = g_application_new (APP_ID ".NotifierTest", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (fixture->application, "activate", G_CALLBACK (activate_cb), fixture);
  g_assert_true (g_application_register (fixture->application, NULL, &error));
  g_assert_no_error (error);

  fixture->settings = g_settings_new (APP_ID);
  fixture->start = g_get_real_time () / G_USEC_PER_SEC;
  fixture->clock = ember_fake_clock_new (fixture->start * G_USEC_PER_SEC);

  fixture->store = tray_test_store_new ("work@example.com", &fixture->account_id);
  fixture->manager = tray_test_manager_new (fixture->store);
  fixture->notifier = ember_notifier_new (fixture->application, fixture->manager, fixture->store,
                                          fixture->settings, EMBER_CLOCK (fixture->clock));

  fixture->opened_messages = g_array_new (FALSE, FALSE, sizeof (gint64));
  fixture->opened_events = g_array_new (FALSE, FALSE, sizeof (gint64));
  fixture->shown_accounts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (fixture->notifier, "open-message", G_CALLBACK (record_cb), fixture->opened_messages);
  g_signal_connect (fixture->notifier, "open-event", G_CALLBACK (record_cb), fixture->opened_events);
  g_signal_connect (fixture->notifier, "show-account", G_CALLBACK (record_cb), fixture->shown_accounts);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  /* GLib 2.74's freedesktop backend outlives the application while it
   * still tracks notifications, and crashes (endless recursion) when the
   * server then leaves the bus. A person dismissing them avoids that. */
  if (fixture->server != NULL)
    test_notification_server_dismiss_all (fixture->server);
  ember_test_spin (200);

  tray_test_manager_shutdown (fixture->manager);
  g_clear_object (&fixture->notifier);
  g_clear_object (&fixture->manager);
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->clock);
  g_clear_object (&fixture->settings);
  g_clear_object (&fixture->application);
  g_array_unref (fixture->opened_messages);
  g_array_unref (fixture->opened_events);
  g_array_unref (fixture->shown_accounts);
  if (fixture->server != NULL)
    test_notification_server_stop (fixture->server);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

static gboolean
manager_idle (gpointer data)
{
  return !ember_sync_manager_get_busy (data);
}

static void
sync_and_wait (Fixture    *fixture,
               TrayScript  script)
{
  guint calls = tray_test_provider_get_calls ();

  tray_test_provider_set_script (script);
  ember_sync_manager_sync_now (fixture->manager, 0);
  g_assert_cmpuint (tray_test_provider_get_calls (), >=, calls);
  g_assert_true (ember_test_wait_for (manager_idle, fixture->manager, 5000));
  g_assert_cmpuint (tray_test_provider_get_calls (), ==, calls + 1);
}

static GPtrArray *
notifications (Fixture *fixture)
{
  return test_notification_server_get_notifications (fixture->server);
}

static const TestNotification *
notification (Fixture *fixture,
              guint    index)
{
  g_assert_cmpuint (notifications (fixture)->len, >, index);
  return g_ptr_array_index (notifications (fixture), index);
}

/* No more notifications come within a moment (the store reads behind them
 * take a few milliseconds). */
static void
assert_n_notifications (Fixture *fixture,
                        guint    expected)
{
  ember_test_spin (200);
  if (notifications (fixture)->len != expected)
    g_error ("expected %u notifications, got %u (last: “%s”)", expected, notifications (fixture)->len,
             notifications (fixture)->len > 0
               ? ((TestNotification *) g_ptr_array_index (notifications (fixture),
                                                          notifications (fixture)->len - 1))->summary
               : "");
}

static gboolean
has_action (const TestNotification *notification,
            const char             *key)
{
  for (guint i = 0; notification->actions != NULL && notification->actions[i] != NULL; i += 2)
    {
      if (g_str_equal (notification->actions[i], key))
        return TRUE;
    }

  return FALSE;
}

static gboolean
array_filled (gpointer data)
{
  return ((GArray *) data)->len > 0;
}

static void
test_new_mail (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(EmberMessageRecord) opened = NULL;
  g_autoptr(GError) error = NULL;
  const TestNotification *mail;

  /* The first sync brings the mailbox's history: no notification, even
   * if the provider counted its messages as new. */
  tray_test_provider_queue_message ("Old Friend", "From last year");
  tray_test_provider_queue_message ("Newsletter", "Weekly");
  sync_and_wait (fixture, TRAY_SCRIPT_SUCCEED);
  assert_n_notifications (fixture, 0);

  /* An incremental sync with three new messages: one notification. */
  tray_test_provider_queue_message ("Ann", "Lunch?");
  tray_test_provider_queue_message ("Bob", "Report");
  tray_test_provider_queue_message ("Carol", "Tickets");
  sync_and_wait (fixture, TRAY_SCRIPT_SUCCEED);
  g_assert_true (test_notification_server_wait (fixture->server, 1, 5000));
  assert_n_notifications (fixture, 1);

  mail = notification (fixture, 0);
  g_assert_cmpstr (mail->summary, ==, "3 new messages");
  /* Newest first. */
  g_assert_cmpstr (mail->body, ==, "From Carol, Bob and Ann");
  g_assert_true (has_action (mail, "default"));

  /* A sync with nothing new says nothing. */
  sync_and_wait (fixture, TRAY_SCRIPT_SUCCEED);
  assert_n_notifications (fixture, 1);

  /* Clicking opens the newest message. */
  test_notification_server_invoke (fixture->server, mail, "default");
  g_assert_true (ember_test_wait_for (array_filled, fixture->opened_messages, 5000));
  g_assert_cmpuint (fixture->activations, ==, 1);
  opened = ember_store_get_message_sync (fixture->store, g_array_index (fixture->opened_messages, gint64, 0),
                                         NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (opened->subject, ==, "Tickets");

  /* One message, one sender. */
  tray_test_provider_queue_message ("Dave", "Hi");
  sync_and_wait (fixture, TRAY_SCRIPT_SUCCEED);
  g_assert_true (test_notification_server_wait (fixture->server, 2, 5000));
  g_assert_cmpstr (notification (fixture, 1)->summary, ==, "1 new message");
  g_assert_cmpstr (notification (fixture, 1)->body, ==, "From Dave");

  /* Switched off in Preferences: nothing. */
  g_settings_set_boolean (fixture->settings, "notify-new-mail", FALSE);
  tray_test_provider_queue_message ("Eve", "Psst");
  sync_and_wait (fixture, TRAY_SCRIPT_SUCCEED);
  assert_n_notifications (fixture, 2);
}

static void
test_sign_in_problem (Fixture       *fixture,
                      gconstpointer  data)
{
  const TestNotification *problem;

  sync_and_wait (fixture, TRAY_SCRIPT_SUCCEED);
  assert_n_notifications (fixture, 0);

  /* A server hiccup sorts itself out: no notification. */
  sync_and_wait (fixture, TRAY_SCRIPT_FAIL_SERVER);
  assert_n_notifications (fixture, 0);

  /* A revoked token needs the person. */
  sync_and_wait (fixture, TRAY_SCRIPT_FAIL_SIGN_IN);
  g_assert_true (test_notification_server_wait (fixture->server, 1, 5000));
  problem = notification (fixture, 0);
  g_assert_cmpstr (problem->summary, ==, "Sign in to work@example.com again");
  g_assert_nonnull (problem->body);
  g_assert_cmpstr (problem->body, !=, "");
  g_assert_null (strstr (problem->body, "invalid_grant"));
  g_assert_true (has_action (problem, "default"));

  /* The next failing sync does not nag again. */
  sync_and_wait (fixture, TRAY_SCRIPT_FAIL_SIGN_IN);
  assert_n_notifications (fixture, 1);

  /* Signed in again: the notification goes away. */
  g_assert_cmpuint (test_notification_server_get_n_closed (fixture->server), ==, 0);
  sync_and_wait (fixture, TRAY_SCRIPT_SUCCEED);
  ember_test_spin (200);
  g_assert_cmpuint (test_notification_server_get_n_closed (fixture->server), ==, 1);
  g_assert_cmpuint (test_notification_server_get_last_closed (fixture->server), ==, problem->id);

  /* Revoked again later: a new notification; clicking it opens the
   * account. */
  sync_and_wait (fixture, TRAY_SCRIPT_FAIL_SIGN_IN);
  g_assert_true (test_notification_server_wait (fixture->server, 2, 5000));
  problem = notification (fixture, 1);
  g_assert_cmpstr (problem->summary, ==, "Sign in to work@example.com again");
  test_notification_server_invoke (fixture->server, problem, "default");
  g_assert_true (ember_test_wait_for (array_filled, fixture->shown_accounts, 5000));
  g_assert_cmpint (g_array_index (fixture->shown_accounts, gint64, 0), ==, fixture->account_id);
  g_assert_cmpuint (fixture->activations, ==, 1);

  /* Switched off: a new problem says nothing. */
  sync_and_wait (fixture, TRAY_SCRIPT_SUCCEED);
  g_settings_set_boolean (fixture->settings, "notify-problems", FALSE);
  sync_and_wait (fixture, TRAY_SCRIPT_FAIL_SIGN_IN);
  assert_n_notifications (fixture, 2);
}

typedef struct
{
  EmberFakeClock *clock;
  gint64          deadline;  /* µs */
} WaiterWait;

static gboolean
waiting_for_deadline (gpointer data)
{
  WaiterWait *wait = data;

  return ember_fake_clock_get_n_waiters (wait->clock) == 1 &&
         ember_fake_clock_get_next_deadline (wait->clock) == wait->deadline;
}

static void
assert_waits_until (Fixture *fixture,
                    gint64   seconds)
{
  WaiterWait wait = { fixture->clock, seconds * G_USEC_PER_SEC };

  if (!ember_test_wait_for (waiting_for_deadline, &wait, 5000))
    g_error ("expected the notifier to wait until %" G_GINT64_FORMAT " s after the start, "
             "but %u waiters wait until %" G_GINT64_FORMAT " µs after it",
             seconds - fixture->start, ember_fake_clock_get_n_waiters (fixture->clock),
             ember_fake_clock_get_next_deadline (fixture->clock) - fixture->start * G_USEC_PER_SEC);
}

static void
advance_minutes (Fixture *fixture,
                 gint64   minutes)
{
  ember_fake_clock_advance (fixture->clock, minutes * 60 * G_USEC_PER_SEC);
}

/* Each event's reminder comes at its own offset before the start: the
 * calendar's default (10 minutes), the event's own (45 minutes), none. */
static void
test_event_reminder (Fixture       *fixture,
                     gconstpointer  data)
{
  gint64 standup = fixture->start + 30 * 60;
  gint64 lunch = fixture->start + 40 * 60;
  gint64 review = fixture->start + 3 * 60 * 60;
  gint64 retro = fixture->start + 5 * 60 * 60;
  g_autoptr(EmberEventRecord) opened = NULL;
  g_autoptr(GError) error = NULL;
  const TestNotification *reminder;

  tray_test_provider_queue_event ("Standup", standup, standup + 15 * 60, TRAY_REMINDER_DEFAULT);
  tray_test_provider_queue_event ("Lunch", lunch, lunch + 60 * 60, TRAY_REMINDER_NONE);
  tray_test_provider_queue_event ("Design review", review, review + 60 * 60, 45);
  tray_test_provider_queue_event ("Retro", retro, retro + 60 * 60, 5);
  sync_and_wait (fixture, TRAY_SCRIPT_SUCCEED);

  /* The standup follows the calendar's 10 minutes. */
  assert_waits_until (fixture, standup - 10 * 60);
  assert_n_notifications (fixture, 0);

  /* One minute early: still nothing. */
  advance_minutes (fixture, 19);
  assert_n_notifications (fixture, 0);

  advance_minutes (fixture, 1);
  g_assert_true (test_notification_server_wait (fixture->server, 1, 5000));
  reminder = notification (fixture, 0);
  g_assert_cmpstr (reminder->summary, ==, "Standup");
  g_assert_true (g_str_has_prefix (reminder->body, "In 10 minutes"));
  g_assert_nonnull (strstr (reminder->body, "Room 4"));
  g_assert_true (has_action (reminder, "default"));

  /* The review's reminder is further away than the notifier sleeps in one
   * go (it reads the events again every hour); a sync in between does not
   * announce the standup twice. */
  assert_waits_until (fixture, fixture->start + 20 * 60 + 60 * 60);
  sync_and_wait (fixture, TRAY_SCRIPT_SUCCEED);
  assert_n_notifications (fixture, 1);

  /* Lunch, without a reminder, starts and passes in silence. */
  advance_minutes (fixture, 60);
  assert_waits_until (fixture, review - 45 * 60);
  assert_n_notifications (fixture, 1);

  /* The review's own 45 minutes: not a minute before. */
  advance_minutes (fixture, (review - 45 * 60 - (fixture->start + 80 * 60)) / 60 - 1);
  assert_n_notifications (fixture, 1);
  advance_minutes (fixture, 1);
  g_assert_true (test_notification_server_wait (fixture->server, 2, 5000));
  reminder = notification (fixture, 1);
  g_assert_cmpstr (reminder->summary, ==, "Design review");
  g_assert_true (g_str_has_prefix (reminder->body, "In 45 minutes"));

  /* Clicking opens that event. */
  test_notification_server_invoke (fixture->server, reminder, "default");
  g_assert_true (ember_test_wait_for (array_filled, fixture->opened_events, 5000));
  opened = ember_store_get_event_sync (fixture->store, g_array_index (fixture->opened_events, gint64, 0),
                                       NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (opened->summary, ==, "Design review");

  /* Reminders switched off: the retro's reminder time passes in silence. */
  g_settings_set_boolean (fixture->settings, "notify-events", FALSE);
  for (guint hour = 1; hour <= 2; hour++)
    {
      assert_waits_until (fixture, review - 45 * 60 + hour * 60 * 60);
      advance_minutes (fixture, 60);
    }
  assert_waits_until (fixture, retro - 5 * 60);
  advance_minutes (fixture, (retro - 5 * 60 - (review - 45 * 60 + 2 * 60 * 60)) / 60);
  assert_n_notifications (fixture, 2);
  /* It was due, and so is not kept for later. */
  assert_waits_until (fixture, retro - 5 * 60 + 60 * 60);
}

/* No notification service on the bus (a bare session): nothing is sent,
 * and GLib has nothing to warn about (warnings abort this test). */
static void
test_no_notification_service (Fixture       *fixture,
                              gconstpointer  data)
{
  sync_and_wait (fixture, TRAY_SCRIPT_SUCCEED);
  tray_test_provider_queue_message ("Ann", "Lunch?");
  sync_and_wait (fixture, TRAY_SCRIPT_SUCCEED);
  sync_and_wait (fixture, TRAY_SCRIPT_FAIL_SIGN_IN);
  ember_test_spin (300);
  sync_and_wait (fixture, TRAY_SCRIPT_SUCCEED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_set_application_name ("Ember");

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ember/tray/notifier/new-mail", test_new_mail);
  ADD ("/ember/tray/notifier/sign-in-problem", test_sign_in_problem);
  ADD ("/ember/tray/notifier/event-reminder", test_event_reminder);
  g_test_add ("/ember/tray/notifier/no-notification-service", Fixture, "no-server",
              fixture_set_up, test_no_notification_service, fixture_tear_down);
#undef ADD

  return g_test_run ();
}
