/* test-gcal-sync.c: Google Calendar sync against the in-process fake
 * server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ember-gcal-sync.h"
#include "ember-test-utils.h"
#include "test-gmail-fixture.h"

#define DAY (24 * 60 * 60)

static void
calendar_options (EmberFakeServerOptions *options,
                  guint                   n_events)
{
  ember_fake_server_options_init (options);
  options->n_messages = 10;
  options->n_events = n_events;
  options->no_quota = TRUE;
}

static void
sync_ok (GmailFixture    *fixture,
         EmberSyncReport *report)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gmail_fixture_sync_calendar (fixture, report, NULL, &error));
  g_assert_no_error (error);
}

/* The window the first sync chose, from the primary calendar's cursor. */
static void
stored_window (GmailFixture *fixture,
               gint64       *out_min,
               gint64       *out_max)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calendars = ember_store_list_calendars_sync (fixture->store, fixture->account->id,
                                                                    NULL, &error);
  g_autoptr(EmberSyncState) state = NULL;
  g_autoptr(JsonNode) cursor = NULL;
  g_autofree char *resource = NULL;
  JsonObject *object;

  g_assert_no_error (error);
  g_assert_cmpuint (calendars->len, >, 0);
  resource = g_strconcat ("calendar:", ((EmberCalendarRecord *) g_ptr_array_index (calendars, 0))->provider_id, NULL);
  state = ember_store_get_sync_state_sync (fixture->store, fixture->account->id, resource, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state->phase, ==, "incremental");
  cursor = json_from_string (state->cursor, &error);
  g_assert_no_error (error);
  object = json_node_get_object (cursor);
  *out_min = json_object_get_int_member (object, "min");
  *out_max = json_object_get_int_member (object, "max");
}

static guint
count_event_lists (GmailFixture *fixture,
                   const char   *query_part)
{
  return gmail_fixture_count_calls (fixture, NULL, "/calendar/v3/calendars/", query_part);
}

static char *
primary_calendar_id (GmailFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calendars = ember_store_list_calendars_sync (fixture->store, fixture->account->id,
                                                                    NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < calendars->len; i++)
    {
      EmberCalendarRecord *calendar = g_ptr_array_index (calendars, i);

      if (calendar->is_primary)
        return g_strdup (calendar->provider_id);
    }
  g_assert_not_reached ();
}

static void
test_full_sync (void)
{
  GmailFixture fixture;
  EmberFakeServerOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) calendars = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 window_min, window_max;
  guint all_day = 0, instances = 0, zoned = 0;
  guint by_default = 0, own = 0, none = 0;
  g_autoptr(GHashTable) offsets = g_hash_table_new (NULL, NULL);
  g_autofree char *primary = NULL;
  g_autoptr(EmberSyncReport) report = ember_sync_report_new (NULL, NULL, NULL);

  calendar_options (&options, 150);
  gmail_fixture_init (&fixture, &options);
  sync_ok (&fixture, report);

  stored_window (&fixture, &window_min, &window_max);
  g_assert_cmpint (llabs (window_min - (now - EMBER_GCAL_WINDOW_PAST_DAYS * DAY)), <, 120);
  g_assert_cmpint (llabs (window_max - (now + EMBER_GCAL_WINDOW_FUTURE_DAYS * DAY)), <, 120);
  /* Windowed, single events, no sync token yet. */
  g_assert_cmpuint (count_event_lists (&fixture, "timeMin="), >=, 1);
  g_assert_cmpuint (count_event_lists (&fixture, "singleEvents=true"), ==, count_event_lists (&fixture, NULL));
  g_assert_cmpuint (count_event_lists (&fixture, "syncToken="), ==, 0);

  calendars = ember_store_list_calendars_sync (fixture.store, fixture.account->id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (calendars->len, >=, 1);
  gmail_fixture_assert_events_match (&fixture, window_min, window_max);
  primary = primary_calendar_id (&fixture);

  /* The dataset exercises every shape. */
  events = ember_store_list_events_sync (fixture.store, fixture.account->id, window_min, window_max, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      EmberEventRecord *event = g_ptr_array_index (events, i);

      all_day += event->all_day;
      instances += event->recurring_event_id != NULL;
      zoned += event->time_zone != NULL && !event->all_day;

      /* The primary calendar's default reminder is 10 minutes, the other
       * calendar has none. */
      if (event->reminder_default)
        {
          by_default++;
          g_assert_cmpint (event->has_reminder, ==, g_str_equal (event->calendar_provider_id, primary));
          if (event->has_reminder)
            g_assert_cmpuint (event->reminder_minutes, ==, 10);
        }
      else if (event->has_reminder)
        {
          own++;
          g_hash_table_add (offsets, GUINT_TO_POINTER (event->reminder_minutes));
        }
      else
        {
          none++;
        }
    }
  g_test_message ("%u events: %u all-day, %u instances of series, %u with a zone", events->len, all_day,
                  instances, zoned);
  g_assert_cmpuint (all_day, >, 0);
  g_assert_cmpuint (instances, >, 0);
  g_assert_cmpuint (zoned, >, 0);
  /* A first sync's events count as changed: reminders are timed from them. */
  g_assert_cmpuint (ember_sync_report_get_changed_events (report), >=, events->len);
  g_test_message ("reminders: %u the calendar's, %u own (%u different), %u none", by_default, own,
                  g_hash_table_size (offsets), none);
  g_assert_cmpuint (by_default, >, own);
  g_assert_cmpuint (g_hash_table_size (offsets), >=, 3);
  g_assert_cmpuint (none, >, 0);

  gmail_fixture_clear (&fixture);
}

static void
test_incremental_sync (void)
{
  GmailFixture fixture;
  EmberFakeServerOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberSyncReport) report = ember_sync_report_new (NULL, NULL, NULL);
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *calendar = NULL;
  g_autofree char *timed = NULL;
  g_autofree char *whole_day = NULL;
  g_autofree char *series = NULL;
  g_autofree char *far_away = NULL;
  EmberFakeEventSpec spec = { 0 };
  EmberFakeEventSpec change = { 0 };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 window_min, window_max;
  const char *changed_id = NULL;
  const char *cancelled_id = NULL;
  const char *deleted_id = NULL;

  calendar_options (&options, 60);
  gmail_fixture_init (&fixture, &options);
  sync_ok (&fixture, NULL);
  stored_window (&fixture, &window_min, &window_max);
  calendar = primary_calendar_id (&fixture);

  /* Three existing single events of the primary calendar to change,
   * cancel and delete. */
  events = ember_store_list_events_sync (fixture.store, fixture.account->id, window_min, window_max, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      EmberEventRecord *event = g_ptr_array_index (events, i);

      if (event->recurring_event_id != NULL || g_strcmp0 (event->calendar_provider_id, calendar) != 0)
        continue;
      if (changed_id == NULL)
        changed_id = event->provider_id;
      else if (cancelled_id == NULL)
        cancelled_id = event->provider_id;
      else if (deleted_id == NULL)
        deleted_id = event->provider_id;
    }
  g_assert_nonnull (deleted_id);

  spec.summary = "Planning in Zürich";
  spec.time_zone = "Europe/Zurich";
  spec.start = now + 3 * DAY;
  spec.end = spec.start + 90 * 60;
  timed = ember_fake_server_add_event (fixture.server, GMAIL_TEST_EMAIL, &spec, &error);
  g_assert_no_error (error);

  memset (&spec, 0, sizeof spec);
  spec.summary = "Company holiday";
  spec.all_day = TRUE;
  spec.start = now + 10 * DAY;
  spec.end = now + 12 * DAY;
  whole_day = ember_fake_server_add_event (fixture.server, GMAIL_TEST_EMAIL, &spec, &error);
  g_assert_no_error (error);

  memset (&spec, 0, sizeof spec);
  spec.summary = "Weekly sync";
  spec.time_zone = "America/New_York";
  spec.rrule = "FREQ=WEEKLY;COUNT=4";
  spec.start = now + DAY;
  spec.end = spec.start + 30 * 60;
  series = ember_fake_server_add_event (fixture.server, GMAIL_TEST_EMAIL, &spec, &error);
  g_assert_no_error (error);

  /* Outside the window: filtered out locally. */
  memset (&spec, 0, sizeof spec);
  spec.summary = "Far future";
  spec.start = now + 800 * DAY;
  spec.end = spec.start + 3600;
  far_away = ember_fake_server_add_event (fixture.server, GMAIL_TEST_EMAIL, &spec, &error);
  g_assert_no_error (error);

  change.summary = "Moved and renamed";
  change.set_times = TRUE;
  change.start = now + 5 * DAY;
  change.end = change.start + 3600;
  g_assert_true (ember_fake_server_change_event (fixture.server, GMAIL_TEST_EMAIL, changed_id, &change, &error));
  g_assert_true (ember_fake_server_cancel_event (fixture.server, GMAIL_TEST_EMAIL, cancelled_id, &error));
  g_assert_true (ember_fake_server_delete_event (fixture.server, GMAIL_TEST_EMAIL, deleted_id, &error));
  g_assert_no_error (error);

  ember_fake_server_clear_request_log (fixture.server);
  sync_ok (&fixture, report);

  /* Sync tokens only: no windowed listing. */
  g_assert_cmpuint (count_event_lists (&fixture, "syncToken="), >=, 1);
  g_assert_cmpuint (count_event_lists (&fixture, "timeMin="), ==, 0);
  g_assert_cmpuint (ember_sync_report_get_changed_events (report), >=, 9);

  gmail_fixture_assert_events_match (&fixture, window_min, window_max);

  /* Nothing changed: one sync-token call per calendar, nothing else. */
  ember_fake_server_clear_request_log (fixture.server);
  sync_ok (&fixture, NULL);
  g_assert_cmpuint (count_event_lists (&fixture, "timeMin="), ==, 0);
  g_assert_cmpuint (count_event_lists (&fixture, "syncToken="), ==, count_event_lists (&fixture, NULL));
  gmail_fixture_assert_events_match (&fixture, window_min, window_max);

  gmail_fixture_clear (&fixture);
}

static void
test_sync_token_expired (void)
{
  GmailFixture fixture;
  EmberFakeServerOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *calendar = NULL;
  g_autofree char *added = NULL;
  EmberFakeEventSpec spec = { 0 };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 window_min, window_max;
  guint deleted = 0;

  calendar_options (&options, 60);
  gmail_fixture_init (&fixture, &options);
  sync_ok (&fixture, NULL);
  stored_window (&fixture, &window_min, &window_max);
  calendar = primary_calendar_id (&fixture);

  events = ember_store_list_events_sync (fixture.store, fixture.account->id, window_min, window_max, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len && deleted < 4; i++)
    {
      EmberEventRecord *event = g_ptr_array_index (events, i);

      if (event->recurring_event_id != NULL || g_strcmp0 (event->calendar_provider_id, calendar) != 0)
        continue;
      g_assert_true (ember_fake_server_delete_event (fixture.server, GMAIL_TEST_EMAIL, event->provider_id, &error));
      g_assert_no_error (error);
      deleted++;
    }
  g_assert_cmpuint (deleted, ==, 4);
  spec.summary = "After the token expired";
  spec.start = now + 2 * DAY;
  spec.end = spec.start + 1800;
  added = ember_fake_server_add_event (fixture.server, GMAIL_TEST_EMAIL, &spec, &error);
  g_assert_no_error (error);
  g_assert_true (ember_fake_server_expire_cursors (fixture.server, GMAIL_TEST_EMAIL,
                                                   EMBER_FAKE_CURSOR_SYNC_TOKEN, &error));
  g_assert_no_error (error);

  ember_fake_server_clear_request_log (fixture.server);
  sync_ok (&fixture, NULL);

  /* 410, then a fresh windowed listing that dropped what is gone. */
  g_assert_cmpuint (gmail_fixture_count_status (&fixture, 410), >=, 1);
  g_assert_cmpuint (count_event_lists (&fixture, "timeMin="), >=, 1);
  stored_window (&fixture, &window_min, &window_max);
  gmail_fixture_assert_events_match (&fixture, window_min, window_max);

  /* And sync tokens work again from there. */
  ember_fake_server_clear_request_log (fixture.server);
  sync_ok (&fixture, NULL);
  g_assert_cmpuint (gmail_fixture_count_status (&fixture, 410), ==, 0);
  g_assert_cmpuint (count_event_lists (&fixture, "timeMin="), ==, 0);

  gmail_fixture_clear (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/providers/gcal-sync/full", test_full_sync);
  g_test_add_func ("/ember/providers/gcal-sync/incremental", test_incremental_sync);
  g_test_add_func ("/ember/providers/gcal-sync/sync-token-expired", test_sync_token_expired);

  return g_test_run ();
}
