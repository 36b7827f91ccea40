/* test-fake-calendar.c: contract tests for the fake Google Calendar API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "fake-client.h"

#define ALICE "alice@gmail.test"
#define EVENTS "/calendar/v3/calendars/primary/events"

typedef FakeSignedIn Calendar;

static void
calendar_setup (Calendar      *self,
                gconstpointer data)
{
  fake_signed_in_setup (self, ALICE);
}

static void
assert_event_time (JsonObject *event,
                   const char *member)
{
  JsonObject *when;

  fake_assert_member (event, member, JSON_TYPE_OBJECT);
  when = json_object_get_object_member (event, member);
  if (json_object_has_member (when, "date"))
    {
      g_autoptr(GDateTime) parsed = NULL;
      g_autofree char *midnight = NULL;

      fake_assert_member (when, "date", G_TYPE_STRING);
      g_assert_false (json_object_has_member (when, "dateTime"));
      g_assert_cmpuint (strlen (json_object_get_string_member (when, "date")), ==, 10);
      midnight = g_strdup_printf ("%sT00:00:00Z", json_object_get_string_member (when, "date"));
      parsed = g_date_time_new_from_iso8601 (midnight, NULL);
      g_assert_nonnull (parsed);
    }
  else
    {
      g_autoptr(GDateTime) parsed = NULL;

      fake_assert_member (when, "dateTime", G_TYPE_STRING);
      /* RFC 3339 with an offset: parses without a default zone. */
      parsed = g_date_time_new_from_iso8601 (json_object_get_string_member (when, "dateTime"), NULL);
      g_assert_nonnull (parsed);
      if (json_object_has_member (when, "timeZone"))
        fake_assert_member (when, "timeZone", G_TYPE_STRING);
    }
}

typedef struct
{
  JsonArray *items;
  guint      pages;
  char      *sync_token;
} Round;

static void
round_clear (Round *round)
{
  g_clear_pointer (&round->items, json_array_unref);
  g_clear_pointer (&round->sync_token, g_free);
}

/* events.list with @query (and @sync_token), every page to the end. */
static Round
list_round (Calendar   *self,
            const char *query,
            const char *sync_token,
            guint       page_size)
{
  Round round = { json_array_new (), 0, NULL };
  g_autofree char *page_token = NULL;
  g_autofree char *escaped_sync = sync_token != NULL ? g_uri_escape_string (sync_token, NULL, FALSE) : NULL;

  do
    {
      g_autofree char *path = g_strdup_printf (EVENTS "?maxResults=%u%s%s%s%s%s%s", page_size,
                                               query != NULL ? "&" : "", query != NULL ? query : "",
                                               escaped_sync != NULL ? "&syncToken=" : "",
                                               escaped_sync != NULL ? escaped_sync : "",
                                               page_token != NULL ? "&pageToken=" : "",
                                               page_token != NULL ? page_token : "");
      g_autoptr(FakeReply) reply = fake_get (self->fixture, path, self->token);
      JsonObject *object;
      JsonArray *items;

      fake_assert_status (reply, 200);
      object = fake_reply_object (reply);
      g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "calendar#events");
      fake_assert_member (object, "timeZone", G_TYPE_STRING);
      fake_assert_member (object, "items", JSON_TYPE_ARRAY);
      items = json_object_get_array_member (object, "items");
      g_assert_cmpuint (json_array_get_length (items), <=, page_size);
      for (guint i = 0; i < json_array_get_length (items); i++)
        json_array_add_element (round.items, json_node_copy (json_array_get_element (items, i)));
      round.pages++;

      g_clear_pointer (&page_token, g_free);
      /* nextSyncToken comes only with the last page. */
      if (json_object_has_member (object, "nextPageToken"))
        {
          g_assert_false (json_object_has_member (object, "nextSyncToken"));
          page_token = g_uri_escape_string (json_object_get_string_member (object, "nextPageToken"), NULL, FALSE);
        }
      else
        {
          fake_assert_member (object, "nextSyncToken", G_TYPE_STRING);
          round.sync_token = g_strdup (json_object_get_string_member (object, "nextSyncToken"));
        }
    }
  while (page_token != NULL);

  return round;
}

static JsonObject *
find_item (JsonArray  *items,
           const char *id)
{
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);

      if (g_str_equal (json_object_get_string_member (item, "id"), id))
        return item;
    }
  return NULL;
}

static void
test_calendar_list (Calendar     *self,
                    gconstpointer data)
{
  g_autoptr(FakeReply) reply = fake_get (self->fixture, "/calendar/v3/users/me/calendarList", self->token);
  g_autoptr(FakeReply) first = fake_get (self->fixture, "/calendar/v3/users/me/calendarList?maxResults=1", self->token);
  JsonObject *object;
  JsonArray *items;
  guint primaries = 0;

  fake_assert_status (reply, 200);
  object = fake_reply_object (reply);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "calendar#calendarList");
  fake_assert_member (object, "nextSyncToken", G_TYPE_STRING);
  items = json_object_get_array_member (object, "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 2);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *entry = json_array_get_object_element (items, i);

      g_assert_cmpstr (json_object_get_string_member (entry, "kind"), ==, "calendar#calendarListEntry");
      fake_assert_member (entry, "id", G_TYPE_STRING);
      fake_assert_member (entry, "summary", G_TYPE_STRING);
      fake_assert_member (entry, "timeZone", G_TYPE_STRING);
      fake_assert_member (entry, "accessRole", G_TYPE_STRING);
      fake_assert_member (entry, "etag", G_TYPE_STRING);
      if (json_object_has_member (entry, "primary"))
        {
          primaries++;
          g_assert_cmpstr (json_object_get_string_member (entry, "id"), ==, ALICE);
        }
    }
  g_assert_cmpuint (primaries, ==, 1);

  /* Paging. */
  fake_assert_status (first, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (fake_reply_object (first), "items")), ==, 1);
  fake_assert_member (fake_reply_object (first), "nextPageToken", G_TYPE_STRING);
  {
    g_autofree char *token = g_uri_escape_string (json_object_get_string_member (fake_reply_object (first), "nextPageToken"), NULL, FALSE);
    g_autofree char *path = g_strdup_printf ("/calendar/v3/users/me/calendarList?maxResults=1&pageToken=%s", token);
    g_autoptr(FakeReply) second = fake_get (self->fixture, path, self->token);

    fake_assert_status (second, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (fake_reply_object (second), "items")), ==, 1);
    fake_assert_member (fake_reply_object (second), "nextSyncToken", G_TYPE_STRING);
  }
}

static void
test_full_sync (Calendar     *self,
                gconstpointer data)
{
  Round round = list_round (self, NULL, NULL, 7);
  Round deleted = list_round (self, "showDeleted=true", NULL, 250);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = ember_fake_server_dup_account_json (self->fixture->server, ALICE, &error);
  g_autoptr(JsonNode) dataset = json_from_string (text, &error);
  JsonArray *events = json_object_get_array_member (json_node_get_object (dataset), "events");
  guint recurring = 0;
  guint all_day = 0;
  guint timed_with_zone = 0;
  guint timed_offset_only = 0;
  guint cancelled_instances = 0;
  guint expected = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (round.pages, >, 2);

  for (guint i = 0; i < json_array_get_length (round.items); i++)
    {
      JsonObject *item = json_array_get_object_element (round.items, i);
      const char *status;

      g_assert_cmpstr (json_object_get_string_member (item, "kind"), ==, "calendar#event");
      fake_assert_member (item, "id", G_TYPE_STRING);
      fake_assert_member (item, "etag", G_TYPE_STRING);
      fake_assert_member (item, "status", G_TYPE_STRING);
      status = json_object_get_string_member (item, "status");
      if (g_str_equal (status, "cancelled"))
        {
          /* Without showDeleted only cancelled instances of live series. */
          fake_assert_member (item, "recurringEventId", G_TYPE_STRING);
          fake_assert_member (item, "originalStartTime", JSON_TYPE_OBJECT);
          cancelled_instances++;
          continue;
        }
      fake_assert_member (item, "summary", G_TYPE_STRING);
      fake_assert_member (item, "updated", G_TYPE_STRING);
      fake_assert_member (item, "iCalUID", G_TYPE_STRING);
      fake_assert_member (item, "sequence", G_TYPE_INT64);
      assert_event_time (item, "start");
      assert_event_time (item, "end");
      if (json_object_has_member (item, "recurrence"))
        {
          JsonArray *rules = json_object_get_array_member (item, "recurrence");

          g_assert_true (g_str_has_prefix (json_array_get_string_element (rules, 0), "RRULE:FREQ="));
          recurring++;
        }
      if (json_object_has_member (json_object_get_object_member (item, "start"), "date"))
        all_day++;
      else if (json_object_has_member (json_object_get_object_member (item, "start"), "timeZone"))
        timed_with_zone++;
      else
        timed_offset_only++;
    }
  g_assert_cmpuint (recurring, >, 0);
  g_assert_cmpuint (all_day, >, 0);
  g_assert_cmpuint (timed_with_zone, >, 0);
  g_assert_cmpuint (timed_offset_only, >, 0);
  g_assert_cmpuint (cancelled_instances, >, 0);

  /* Every live series and single event of the primary calendar, once. */
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (!g_str_equal (json_object_get_string_member (event, "calendar"), ALICE))
        continue;
      if (g_str_equal (json_object_get_string_member (event, "status"), "cancelled"))
        {
          g_assert_null (find_item (round.items, json_object_get_string_member (event, "id")));
          g_assert_nonnull (find_item (deleted.items, json_object_get_string_member (event, "id")));
          continue;
        }
      expected++;
      g_assert_nonnull (find_item (round.items, json_object_get_string_member (event, "id")));
    }
  g_assert_cmpuint (json_array_get_length (round.items), >=, expected);
  g_assert_cmpuint (json_array_get_length (deleted.items), >, json_array_get_length (round.items));

  round_clear (&round);
  round_clear (&deleted);
}

static void
test_single_events (Calendar     *self,
                    gconstpointer data)
{
  /* Through the dataset's year ahead, so that its series are in range. */
  Round round = list_round (self, "singleEvents=true&orderBy=startTime"
                                  "&timeMin=2026-01-01T00%3A00%3A00%2B01%3A00&timeMax=2027-03-01T00%3A00%3A00Z",
                            NULL, 50);
  gint64 previous = G_MININT64;
  guint instances = 0;
  g_autoptr(GDateTime) time_min = g_date_time_new_from_iso8601 ("2026-01-01T00:00:00+01:00", NULL);
  g_autoptr(GDateTime) time_max = g_date_time_new_from_iso8601 ("2027-03-01T00:00:00Z", NULL);

  g_assert_cmpuint (json_array_get_length (round.items), >, 0);
  for (guint i = 0; i < json_array_get_length (round.items); i++)
    {
      JsonObject *item = json_array_get_object_element (round.items, i);
      JsonObject *start = json_object_get_object_member (item, "start");
      JsonObject *end = json_object_get_object_member (item, "end");
      g_autoptr(GDateTime) start_time = NULL;
      g_autoptr(GDateTime) end_time = NULL;

      g_assert_false (json_object_has_member (item, "recurrence"));
      g_assert_cmpstr (json_object_get_string_member (item, "status"), !=, "cancelled");
      if (json_object_has_member (start, "date"))
        {
          g_autofree char *s = g_strdup_printf ("%sT00:00:00Z", json_object_get_string_member (start, "date"));
          g_autofree char *e = g_strdup_printf ("%sT00:00:00Z", json_object_get_string_member (end, "date"));

          start_time = g_date_time_new_from_iso8601 (s, NULL);
          end_time = g_date_time_new_from_iso8601 (e, NULL);
        }
      else
        {
          start_time = g_date_time_new_from_iso8601 (json_object_get_string_member (start, "dateTime"), NULL);
          end_time = g_date_time_new_from_iso8601 (json_object_get_string_member (end, "dateTime"), NULL);
        }
      /* Ordered by start; timeMin bounds the end, timeMax the start. */
      g_assert_cmpint (g_date_time_to_unix (start_time), >=, previous);
      previous = g_date_time_to_unix (start_time);
      g_assert_cmpint (g_date_time_to_unix (end_time), >, g_date_time_to_unix (time_min));
      g_assert_cmpint (g_date_time_to_unix (start_time), <, g_date_time_to_unix (time_max));
      if (json_object_has_member (item, "recurringEventId"))
        {
          fake_assert_member (item, "originalStartTime", JSON_TYPE_OBJECT);
          g_assert_true (g_str_has_prefix (json_object_get_string_member (item, "id"),
                                           json_object_get_string_member (item, "recurringEventId")));
          instances++;
        }
    }
  g_assert_cmpuint (instances, >, 0);
  round_clear (&round);

  {
    g_autoptr(FakeReply) bad_order = fake_get (self->fixture, EVENTS "?orderBy=startTime", self->token);
    g_autoptr(FakeReply) no_offset = fake_get (self->fixture, EVENTS "?timeMin=2026-01-01T00%3A00%3A00", self->token);
    g_autoptr(FakeReply) empty_range = fake_get (self->fixture,
                                                 EVENTS "?timeMin=2026-02-01T00%3A00%3A00Z&timeMax=2026-01-01T00%3A00%3A00Z",
                                                 self->token);
    g_autoptr(FakeReply) unknown = fake_get (self->fixture, "/calendar/v3/calendars/nobody%40example.com/events", self->token);

    fake_assert_google_error (bad_order, 400, "invalid");
    fake_assert_google_error (no_offset, 400, "badRequest");
    fake_assert_google_error (empty_range, 400, "timeRangeEmpty");
    fake_assert_google_error (unknown, 404, "notFound");
  }
}

/* The first instance id of a series, as singleEvents lists it. */
static char *
some_instance_of (Calendar *self,
                  char    **out_series)
{
  Round round = list_round (self, "singleEvents=true", NULL, 2500);
  char *instance = NULL;

  for (guint i = 0; i < json_array_get_length (round.items) && instance == NULL; i++)
    {
      JsonObject *item = json_array_get_object_element (round.items, i);

      if (json_object_has_member (item, "recurringEventId"))
        {
          instance = g_strdup (json_object_get_string_member (item, "id"));
          *out_series = g_strdup (json_object_get_string_member (item, "recurringEventId"));
        }
    }
  round_clear (&round);
  g_assert_nonnull (instance);
  return instance;
}

static void
test_incremental (Calendar     *self,
                  gconstpointer data)
{
  Round full = list_round (self, NULL, NULL, 100);
  Round single_full = list_round (self, "singleEvents=true", NULL, 2500);
  g_autoptr(GError) error = NULL;
  g_autofree char *series = NULL;
  g_autofree char *instance = some_instance_of (self, &series);
  const char *changed_id = NULL;
  const char *deleted_id = NULL;
  g_autofree char *added_id = NULL;
  EmberFakeEventSpec spec = { 0, };
  Round delta;
  Round single_delta;

  for (guint i = 0; i < json_array_get_length (full.items); i++)
    {
      JsonObject *item = json_array_get_object_element (full.items, i);

      if (json_object_has_member (item, "recurrence") || json_object_has_member (item, "recurringEventId") ||
          g_str_equal (json_object_get_string_member (item, "id"), series))
        continue;
      if (changed_id == NULL)
        changed_id = json_object_get_string_member (item, "id");
      else if (deleted_id == NULL)
        deleted_id = json_object_get_string_member (item, "id");
    }

  spec.summary = "Added by the test";
  spec.start = 1772532000;          /* 2026-03-03 10:00 UTC */
  spec.end = spec.start + 1800;
  spec.time_zone = "Europe/Zurich";
  spec.set_times = TRUE;
  added_id = ember_fake_server_add_event (self->fixture->server, ALICE, &spec, &error);
  g_assert_no_error (error);
  memset (&spec, 0, sizeof spec);
  spec.summary = "Renamed";
  g_assert_true (ember_fake_server_change_event (self->fixture->server, ALICE, changed_id, &spec, &error));
  g_assert_true (ember_fake_server_cancel_event (self->fixture->server, ALICE, instance, &error));
  g_assert_true (ember_fake_server_delete_event (self->fixture->server, ALICE, deleted_id, &error));
  g_assert_no_error (error);

  /* Exactly the four changes, the deletions as bare cancelled stubs. */
  delta = list_round (self, NULL, full.sync_token, 2);
  g_assert_cmpuint (json_array_get_length (delta.items), ==, 4);
  {
    JsonObject *added = find_item (delta.items, added_id);
    JsonObject *changed = find_item (delta.items, changed_id);
    JsonObject *cancelled = find_item (delta.items, instance);
    JsonObject *deleted = find_item (delta.items, deleted_id);

    g_assert_nonnull (added);
    g_assert_nonnull (changed);
    g_assert_nonnull (cancelled);
    g_assert_nonnull (deleted);
    g_assert_cmpstr (json_object_get_string_member (added, "status"), ==, "confirmed");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (added, "start"), "timeZone"), ==,
                     "Europe/Zurich");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (added, "start"), "dateTime"), ==,
                     "2026-03-03T11:00:00+01:00");
    g_assert_cmpstr (json_object_get_string_member (changed, "summary"), ==, "Renamed");
    g_assert_cmpstr (json_object_get_string_member (cancelled, "status"), ==, "cancelled");
    g_assert_cmpstr (json_object_get_string_member (cancelled, "recurringEventId"), ==, series);
    fake_assert_member (cancelled, "originalStartTime", JSON_TYPE_OBJECT);
    g_assert_cmpstr (json_object_get_string_member (deleted, "status"), ==, "cancelled");
    g_assert_false (json_object_has_member (deleted, "summary"));
    g_assert_false (json_object_has_member (deleted, "start"));
  }

  /* Nothing since. */
  {
    Round again = list_round (self, NULL, delta.sync_token, 10);

    g_assert_cmpuint (json_array_get_length (again.items), ==, 0);
    round_clear (&again);
  }

  /* The same round with singleEvents: instances, not the series. */
  single_delta = list_round (self, "singleEvents=true", single_full.sync_token, 100);
  g_assert_nonnull (find_item (single_delta.items, instance));
  g_assert_null (find_item (single_delta.items, series));
  g_assert_nonnull (find_item (single_delta.items, added_id));

  {
    g_autofree char *escaped = g_uri_escape_string (delta.sync_token, NULL, FALSE);
    g_autofree char *with_time = g_strdup_printf (EVENTS "?syncToken=%s&timeMin=2026-01-01T00%%3A00%%3A00Z", escaped);
    g_autofree char *with_hidden = g_strdup_printf (EVENTS "?syncToken=%s&showDeleted=false", escaped);
    g_autofree char *stale = g_strdup_printf (EVENTS "?syncToken=%s", escaped);
    g_autoptr(FakeReply) combined = fake_get (self->fixture, with_time, self->token);
    g_autoptr(FakeReply) hidden = fake_get (self->fixture, with_hidden, self->token);
    g_autoptr(FakeReply) garbage = fake_get (self->fixture, EVENTS "?syncToken=CPDAlvWDx70CEPDAlvWDx70CGAU%3D", self->token);
    g_autoptr(FakeReply) expired = NULL;
    JsonObject *first;

    fake_assert_google_error (combined, 400, "invalid");
    fake_assert_google_error (hidden, 400, "invalid");
    fake_assert_google_error (garbage, 410, "fullSyncRequired");

    g_assert_true (ember_fake_server_expire_cursors (self->fixture->server, ALICE, EMBER_FAKE_CURSOR_SYNC_TOKEN, &error));
    expired = fake_get (self->fixture, stale, self->token);
    fake_assert_google_error (expired, 410, "fullSyncRequired");
    first = json_array_get_object_element (json_object_get_array_member (
      json_object_get_object_member (fake_reply_object (expired), "error"), "errors"), 0);
    g_assert_cmpstr (json_object_get_string_member (first, "domain"), ==, "calendar");
    g_assert_cmpstr (json_object_get_string_member (first, "message"), ==,
                     "Sync token is no longer valid, a full sync is required.");
    g_assert_cmpstr (json_object_get_string_member (first, "locationType"), ==, "parameter");
    g_assert_cmpstr (json_object_get_string_member (first, "location"), ==, "syncToken");
  }

  /* A full sync after expiry gives a working token again. */
  {
    Round fresh = list_round (self, NULL, NULL, 250);
    Round after = list_round (self, NULL, fresh.sync_token, 250);

    g_assert_cmpuint (json_array_get_length (after.items), ==, 0);
    round_clear (&fresh);
    round_clear (&after);
  }

  round_clear (&full);
  round_clear (&single_full);
  round_clear (&delta);
  round_clear (&single_delta);
}

static void
test_event_get (Calendar     *self,
                gconstpointer data)
{
  g_autofree char *series = NULL;
  g_autofree char *instance = some_instance_of (self, &series);
  g_autofree char *series_path = g_strdup_printf (EVENTS "/%s", series);
  g_autofree char *instance_path = g_strdup_printf (EVENTS "/%s", instance);
  g_autoptr(FakeReply) master = fake_get (self->fixture, series_path, self->token);
  g_autoptr(FakeReply) one = fake_get (self->fixture, instance_path, self->token);
  g_autoptr(FakeReply) missing = fake_get (self->fixture, EVENTS "/doesnotexist", self->token);

  fake_assert_status (master, 200);
  fake_assert_member (fake_reply_object (master), "recurrence", JSON_TYPE_ARRAY);
  fake_assert_status (one, 200);
  g_assert_cmpstr (json_object_get_string_member (fake_reply_object (one), "recurringEventId"), ==, series);
  fake_assert_google_error (missing, 404, "notFound");
}

/* ------------------------------------------------------------------------ */
/* Daily and weekly series, expanded by both APIs.                          */

typedef struct
{
  const char *summary;
  const char *time_zone;
  const char *first;     /* UTC instant of the first occurrence */
  const char *rrule;
  const char *expected[6];  /* UTC starts of every occurrence, NULL-ended */
} SeriesCase;

/* Europe/Berlin goes to summer time on 2026-03-29: 09:00 local is 08:00Z
 * before and 07:00Z after. The expected instants are written out, not
 * computed, so they do not share a mistake with the fake. */
static const SeriesCase series_cases[] = {
  { "Daily across DST", "Europe/Berlin", "2026-03-27T08:00:00Z", "FREQ=DAILY;COUNT=5",
    { "2026-03-27T08:00:00Z", "2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z",
      "2026-03-30T07:00:00Z", "2026-03-31T07:00:00Z", NULL } },
  { "Weekly across DST", "Europe/Berlin", "2026-03-25T08:00:00Z", "FREQ=WEEKLY;COUNT=4",
    { "2026-03-25T08:00:00Z", "2026-04-01T07:00:00Z", "2026-04-08T07:00:00Z",
      "2026-04-15T07:00:00Z", NULL } },
  { "Fortnightly over a month end", "UTC", "2026-04-20T10:00:00Z", "FREQ=WEEKLY;INTERVAL=2;COUNT=3",
    { "2026-04-20T10:00:00Z", "2026-05-04T10:00:00Z", "2026-05-18T10:00:00Z", NULL } },
};

static gint64
iso_to_unix (const char *text,
             gboolean    floating_utc)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) parsed = g_date_time_new_from_iso8601 (text, floating_utc ? utc : NULL);

  g_assert_nonnull (parsed);
  return g_date_time_to_unix (parsed);
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
assert_starts (const SeriesCase *series,
               GArray           *starts,
               const char       *api)
{
  guint n = 0;

  g_array_sort (starts, compare_int64);
  while (series->expected[n] != NULL)
    n++;
  g_test_message ("%s: “%s” has %u occurrences", api, series->summary, starts->len);
  g_assert_cmpuint (starts->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (g_array_index (starts, gint64, i), ==, iso_to_unix (series->expected[i], FALSE));
}

static void
test_series_expansion (Calendar     *self,
                       gconstpointer data)
{
  g_autofree char *carol = fake_token (self->fixture, "carol@contoso.test");
  char *google_ids[G_N_ELEMENTS (series_cases)] = { NULL, };
  char *graph_ids[G_N_ELEMENTS (series_cases)] = { NULL, };
  Round google;
  JsonArray *graph = json_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (series_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      EmberFakeEventSpec spec = { 0, };

      spec.summary = series_cases[i].summary;
      spec.time_zone = series_cases[i].time_zone;
      spec.start = iso_to_unix (series_cases[i].first, FALSE);
      spec.end = spec.start + 3600;
      spec.rrule = series_cases[i].rrule;
      google_ids[i] = ember_fake_server_add_event (self->fixture->server, ALICE, &spec, &error);
      g_assert_no_error (error);
      graph_ids[i] = ember_fake_server_add_event (self->fixture->server, "carol@contoso.test", &spec, &error);
      g_assert_no_error (error);
    }

  /* Google: events.list with singleEvents=true. */
  google = list_round (self, "singleEvents=true&timeMin=2026-03-01T00%3A00%3A00Z&timeMax=2026-06-30T00%3A00%3A00Z",
                       NULL, 250);
  for (guint i = 0; i < G_N_ELEMENTS (series_cases); i++)
    {
      g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (gint64));

      for (guint k = 0; k < json_array_get_length (google.items); k++)
        {
          JsonObject *item = json_array_get_object_element (google.items, k);
          JsonObject *start = json_object_get_object_member (item, "start");
          gint64 when;

          if (g_strcmp0 (json_object_get_string_member_with_default (item, "recurringEventId", NULL),
                         google_ids[i]) != 0)
            continue;
          when = iso_to_unix (json_object_get_string_member (start, "dateTime"), FALSE);
          g_array_append_val (starts, when);
          /* An hour long, each one. */
          g_assert_cmpint (iso_to_unix (json_object_get_string_member (json_object_get_object_member (item, "end"),
                                                                       "dateTime"), FALSE), ==, when + 3600);
        }
      assert_starts (&series_cases[i], starts, "Google");
    }
  round_clear (&google);

  /* Graph: calendarView/delta, times in UTC. */
  {
    g_autofree char *link = g_strdup ("/v1.0/me/calendarView/delta"
                                      "?startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-06-30T00:00:00Z");
    const char * const prefer[] = { "Prefer", "odata.maxpagesize=50", NULL };

    while (link != NULL)
      {
        g_autoptr(FakeReply) reply = fake_request (self->fixture, "GET", link, carol, NULL, NULL, prefer);
        JsonObject *object;
        JsonArray *value;

        fake_assert_status (reply, 200);
        object = fake_reply_object (reply);
        value = json_object_get_array_member (object, "value");
        for (guint k = 0; k < json_array_get_length (value); k++)
          json_array_add_element (graph, json_node_copy (json_array_get_element (value, k)));
        g_clear_pointer (&link, g_free);
        if (json_object_has_member (object, "@odata.nextLink"))
          link = g_strdup (json_object_get_string_member (object, "@odata.nextLink"));
      }
  }
  for (guint i = 0; i < G_N_ELEMENTS (series_cases); i++)
    {
      g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (gint64));

      for (guint k = 0; k < json_array_get_length (graph); k++)
        {
          JsonObject *item = json_array_get_object_element (graph, k);
          JsonObject *start = json_object_get_object_member (item, "start");
          gint64 when;

          if (g_strcmp0 (json_object_get_string_member_with_default (item, "seriesMasterId", NULL),
                         graph_ids[i]) != 0 ||
              g_strcmp0 (json_object_get_string_member (item, "type"), "seriesMaster") == 0)
            continue;
          g_assert_cmpstr (json_object_get_string_member (start, "timeZone"), ==, "UTC");
          when = iso_to_unix (json_object_get_string_member (start, "dateTime"), TRUE);
          g_array_append_val (starts, when);
          g_assert_cmpint (iso_to_unix (json_object_get_string_member (json_object_get_object_member (item, "end"),
                                                                       "dateTime"), TRUE), ==, when + 3600);
        }
      assert_starts (&series_cases[i], starts, "Graph");
    }
  json_array_unref (graph);
  for (guint i = 0; i < G_N_ELEMENTS (series_cases); i++)
    {
      g_free (google_ids[i]);
      g_free (graph_ids[i]);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ember/fake/calendar/calendar-list", Calendar, NULL, calendar_setup, test_calendar_list, fake_signed_in_teardown);
  g_test_add ("/ember/fake/calendar/full-sync", Calendar, NULL, calendar_setup, test_full_sync, fake_signed_in_teardown);
  g_test_add ("/ember/fake/calendar/single-events", Calendar, NULL, calendar_setup, test_single_events, fake_signed_in_teardown);
  g_test_add ("/ember/fake/calendar/incremental", Calendar, NULL, calendar_setup, test_incremental, fake_signed_in_teardown);
  g_test_add ("/ember/fake/calendar/event-get", Calendar, NULL, calendar_setup, test_event_get, fake_signed_in_teardown);
  g_test_add ("/ember/fake/calendar/series-expansion", Calendar, NULL, calendar_setup, test_series_expansion,
              fake_signed_in_teardown);

  return g_test_run ();
}
