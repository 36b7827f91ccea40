/* ember-gcal-sync.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Cursors of "calendar:<id>" are small JSON objects: the window
 * {"min", "max"} (Unix seconds) plus, while a listing runs (phase "full"),
 * its next "page" token and whether it ends with a "sweep"; afterwards
 * (phase "incremental") the "sync" token.
 */
#define G_LOG_DOMAIN "ember-providers"

#include "config.h"

#include "ember-error.h"
#include "ember-gcal-json.h"
#include "ember-gcal-sync.h"
#include "ember-gmail-json.h"

#define CALENDAR_PATH          "/calendar/v3"
#define RESOURCE_CALENDARS     "calendars"
#define PHASE_FULL             "full"
#define PHASE_INCREMENTAL      "incremental"
#define EVENTS_PAGE_SIZE       "2500"
#define CALENDAR_LIST_PAGE_SIZE "250"
#define DAY                    (24 * 60 * 60)
/* Wide enough for any stored event. */
#define ALL_TIME_FROM          (-((gint64) 1 << 40))
#define ALL_TIME_TO            ((gint64) 1 << 40)

typedef struct
{
  gint64    window_min;
  gint64    window_max;
  char     *page_token;
  char     *sync_token;
  gboolean  sweep;
} CalendarCursor;

static void
calendar_cursor_clear (CalendarCursor *cursor)
{
  g_clear_pointer (&cursor->page_token, g_free);
  g_clear_pointer (&cursor->sync_token, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CalendarCursor, calendar_cursor_clear)

static char *
calendar_cursor_to_string (const CalendarCursor *cursor)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "min");
  json_builder_add_int_value (builder, cursor->window_min);
  json_builder_set_member_name (builder, "max");
  json_builder_add_int_value (builder, cursor->window_max);
  if (cursor->page_token != NULL)
    {
      json_builder_set_member_name (builder, "page");
      json_builder_add_string_value (builder, cursor->page_token);
    }
  if (cursor->sync_token != NULL)
    {
      json_builder_set_member_name (builder, "sync");
      json_builder_add_string_value (builder, cursor->sync_token);
    }
  if (cursor->sweep)
    {
      json_builder_set_member_name (builder, "sweep");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static gboolean
calendar_cursor_parse (const char     *text,
                       CalendarCursor *cursor)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  object = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (object, "min") || !json_object_has_member (object, "max"))
    return FALSE;

  cursor->window_min = json_object_get_int_member_with_default (object, "min", 0);
  cursor->window_max = json_object_get_int_member_with_default (object, "max", 0);
  cursor->page_token = g_strdup (ember_gmail_json_get_string (object, "page"));
  cursor->sync_token = g_strdup (ember_gmail_json_get_string (object, "sync"));
  cursor->sweep = json_object_get_boolean_member_with_default (object, "sweep", FALSE);

  return cursor->window_max > cursor->window_min;
}

typedef struct
{
  EmberStore       *store;
  gint64            account_id;
  EmberHttpClient  *client;
  EmberApiEndpoint *endpoint;
  EmberSyncReport  *report;
  GCancellable     *cancellable;
  gint64            now;
} CalendarSync;

static JsonObject *
send_for_object (CalendarSync      *sync,
                 EmberHttpRequest  *request,
                 JsonNode         **out_node,
                 GError           **error)
{
  g_autoptr(JsonNode) node = NULL;

  node = ember_http_client_send_json_sync (sync->client, sync->endpoint, request,
                                           sync->cancellable, error);
  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                   "Google Calendar answered %s with something other than a JSON object",
                   ember_http_request_get_path (request));
      return NULL;
    }

  *out_node = g_steal_pointer (&node);
  return json_node_get_object (*out_node);
}

static JsonArray *
get_array_member (JsonObject *object,
                  const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean
error_is_gone (const GError     *error,
               EmberHttpRequest *request)
{
  return g_error_matches (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_CLIENT) &&
         ember_http_request_get_status (request) == 410;
}

/* calendarList, all pages; returns the calendars (stored as one complete
 * page). */
static GPtrArray *
sync_calendar_list (CalendarSync  *sync,
                    GError       **error)
{
  g_autoptr(EmberCalendarPage) page = ember_calendar_page_new (RESOURCE_CALENDARS);
  g_autofree char *page_token = NULL;
  GPtrArray *calendars;

  do
    {
      g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", CALENDAR_PATH "/users/me/calendarList");
      g_autoptr(JsonNode) node = NULL;
      JsonObject *reply;
      JsonArray *items;

      ember_http_request_set_operation (request, "calendarList.list");
      ember_http_request_add_query (request, "maxResults", CALENDAR_LIST_PAGE_SIZE);
      if (page_token != NULL)
        ember_http_request_add_query (request, "pageToken", page_token);

      reply = send_for_object (sync, request, &node, error);
      if (reply == NULL)
        return NULL;

      items = get_array_member (reply, "items");
      for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
        {
          JsonNode *element = json_array_get_element (items, i);
          EmberCalendarRecord *calendar;

          if (!JSON_NODE_HOLDS_OBJECT (element))
            continue;
          calendar = ember_gcal_calendar_from_json (json_node_get_object (element));
          if (calendar != NULL)
            g_ptr_array_add (page->calendars, calendar);
        }

      g_free (page_token);
      page_token = g_strdup (ember_gmail_json_get_string (reply, "nextPageToken"));
    }
  while (page_token != NULL);

  page->complete = TRUE;
  page->phase = g_strdup (PHASE_INCREMENTAL);
  if (!ember_store_save_calendar_page_sync (sync->store, sync->account_id, page, sync->cancellable, error))
    return NULL;

  calendars = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_calendar_record_free);
  for (guint i = 0; i < page->calendars->len; i++)
    g_ptr_array_add (calendars, ember_calendar_record_copy (g_ptr_array_index (page->calendars, i)));

  return calendars;
}

static gboolean
event_in_window (const EmberEventRecord *event,
                 const CalendarCursor   *cursor)
{
  gint64 start = event->start;
  gint64 end = event->end;

  if (event->all_day)
    {
      /* Dates are floating; the store reads them as UTC midnight. */
      if (!ember_gcal_parse_date (event->start_date, &start) ||
          !ember_gcal_parse_date (event->end_date, &end))
        return FALSE;
    }

  return end > cursor->window_min && start < cursor->window_max;
}

/* Adds one events.list reply's items to @page; returns how many changed. */
static guint
add_items (JsonArray            *items,
           const char           *time_zone,
           const CalendarCursor *cursor,
           EmberEventPage       *page,
           GHashTable           *seen_ids)
{
  guint n_changes = 0;

  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonNode *element = json_array_get_element (items, i);
      g_autoptr(EmberEventRecord) event = NULL;
      g_autoptr(GError) error = NULL;
      gboolean cancelled = FALSE;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      id = ember_gmail_json_get_string (json_node_get_object (element), "id");
      event = ember_gcal_event_from_json (json_node_get_object (element), time_zone, &cancelled, &error);
      if (event == NULL && !cancelled)
        {
          g_warning ("Skipped a Google Calendar event: %s", error->message);
          continue;
        }

      n_changes++;
      /* Incremental rounds can't be windowed on the server; changes that
       * left the window remove the local copy. */
      if (cancelled || !event_in_window (event, cursor))
        {
          g_ptr_array_add (page->deleted_ids, g_strdup (id));
          continue;
        }
      if (seen_ids != NULL)
        g_hash_table_add (seen_ids, g_strdup (id));
      g_ptr_array_add (page->events, g_steal_pointer (&event));
    }

  return n_changes;
}

static gboolean
add_sweep_deletions (CalendarSync   *sync,
                     const char     *calendar_id,
                     GHashTable     *seen_ids,
                     EmberEventPage *page,
                     GError        **error)
{
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GHashTable) deleted = g_hash_table_new (g_str_hash, g_str_equal);

  stored = ember_store_list_events_sync (sync->store, sync->account_id, ALL_TIME_FROM, ALL_TIME_TO,
                                         sync->cancellable, error);
  if (stored == NULL)
    return FALSE;

  for (guint i = 0; i < page->deleted_ids->len; i++)
    g_hash_table_add (deleted, g_ptr_array_index (page->deleted_ids, i));

  for (guint i = 0; i < stored->len; i++)
    {
      EmberEventRecord *event = g_ptr_array_index (stored, i);

      if (g_strcmp0 (event->calendar_provider_id, calendar_id) != 0 ||
          g_hash_table_contains (seen_ids, event->provider_id) ||
          g_hash_table_contains (deleted, event->provider_id))
        continue;
      g_ptr_array_add (page->deleted_ids, g_strdup (event->provider_id));
    }

  return TRUE;
}

static EmberHttpRequest *
events_request (const char *calendar_id)
{
  g_autofree char *escaped = g_uri_escape_string (calendar_id, NULL, FALSE);
  g_autofree char *path = g_strconcat (CALENDAR_PATH "/calendars/", escaped, "/events", NULL);
  EmberHttpRequest *request = ember_http_request_new ("GET", path);

  ember_http_request_set_operation (request, "events.list");
  ember_http_request_add_query (request, "singleEvents", "true");
  ember_http_request_add_query (request, "maxResults", EVENTS_PAGE_SIZE);

  return request;
}

/* A windowed listing from @cursor's page (or the start) to its end. With
 * sweep, the last page deletes the stored events the listing did not
 * show, so it always runs from the first page. */
static gboolean
run_full_listing (CalendarSync         *sync,
                  const EmberCalendarRecord *calendar,
                  const char           *resource,
                  CalendarCursor       *cursor,
                  GError              **error)
{
  g_autoptr(GHashTable) seen_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *time_min = ember_gcal_format_date_time (cursor->window_min);
  g_autofree char *time_max = ember_gcal_format_date_time (cursor->window_max);
  gboolean restarted = FALSE;

  if (cursor->sweep)
    g_clear_pointer (&cursor->page_token, g_free);

  for (;;)
    {
      g_autoptr(EmberHttpRequest) request = events_request (calendar->provider_id);
      g_autoptr(EmberEventPage) page = ember_event_page_new (resource, calendar->provider_id);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) local_error = NULL;
      const char *next_page;
      const char *next_sync;
      const char *time_zone;
      JsonObject *reply;

      ember_http_request_add_query (request, "timeMin", time_min);
      ember_http_request_add_query (request, "timeMax", time_max);
      if (cursor->page_token != NULL)
        ember_http_request_add_query (request, "pageToken", cursor->page_token);

      reply = send_for_object (sync, request, &node, &local_error);
      if (reply == NULL)
        {
          /* A page token from an earlier run may have expired: start over,
           * and clean up after the earlier run's pages. */
          if (error_is_gone (local_error, request) && cursor->page_token != NULL && !restarted)
            {
              restarted = TRUE;
              cursor->sweep = TRUE;
              g_clear_pointer (&cursor->page_token, g_free);
              g_hash_table_remove_all (seen_ids);
              continue;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      time_zone = ember_gmail_json_get_string (reply, "timeZone");
      if (time_zone == NULL)
        time_zone = calendar->time_zone;
      add_items (get_array_member (reply, "items"), time_zone, cursor, page, seen_ids);

      next_page = ember_gmail_json_get_string (reply, "nextPageToken");
      next_sync = ember_gmail_json_get_string (reply, "nextSyncToken");
      g_free (cursor->page_token);
      cursor->page_token = g_strdup (next_page);

      if (next_page == NULL)
        {
          if (next_sync == NULL)
            {
              g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                           "Google Calendar ended the event list of %s without a sync token",
                           calendar->provider_id);
              return FALSE;
            }
          if (cursor->sweep && !add_sweep_deletions (sync, calendar->provider_id, seen_ids, page, error))
            return FALSE;
          cursor->sweep = FALSE;
          cursor->sync_token = g_strdup (next_sync);
          page->phase = g_strdup (PHASE_INCREMENTAL);
        }
      else
        page->phase = g_strdup (PHASE_FULL);

      page->cursor = calendar_cursor_to_string (cursor);
      if (!ember_store_save_event_page_sync (sync->store, sync->account_id, page, sync->cancellable, error))
        return FALSE;
      /* A full sync's events are news too (reminders are timed from them). */
      if (page->events->len + page->deleted_ids->len > 0)
        ember_sync_report_add_changed_events (sync->report, page->events->len + page->deleted_ids->len);

      if (next_page == NULL)
        return TRUE;
    }
}

typedef enum
{
  ROUND_DONE,
  ROUND_FAILED,
  ROUND_EXPIRED,
} RoundResult;

static RoundResult
run_sync_token_round (CalendarSync              *sync,
                      const EmberCalendarRecord *calendar,
                      const char                *resource,
                      CalendarCursor            *cursor,
                      GError                   **error)
{
  g_autofree char *page_token = NULL;

  for (;;)
    {
      g_autoptr(EmberHttpRequest) request = events_request (calendar->provider_id);
      g_autoptr(EmberEventPage) page = ember_event_page_new (resource, calendar->provider_id);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) local_error = NULL;
      const char *next_page;
      const char *next_sync;
      const char *time_zone;
      JsonObject *reply;
      guint n_changes;

      ember_http_request_add_query (request, "syncToken", cursor->sync_token);
      if (page_token != NULL)
        ember_http_request_add_query (request, "pageToken", page_token);

      reply = send_for_object (sync, request, &node, &local_error);
      if (reply == NULL)
        {
          if (error_is_gone (local_error, request))
            return ROUND_EXPIRED;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return ROUND_FAILED;
        }

      time_zone = ember_gmail_json_get_string (reply, "timeZone");
      if (time_zone == NULL)
        time_zone = calendar->time_zone;
      n_changes = add_items (get_array_member (reply, "items"), time_zone, cursor, page, NULL);

      next_page = ember_gmail_json_get_string (reply, "nextPageToken");
      next_sync = ember_gmail_json_get_string (reply, "nextSyncToken");
      if (next_page == NULL)
        {
          if (next_sync == NULL)
            {
              g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                           "Google Calendar ended the changes of %s without a sync token",
                           calendar->provider_id);
              return ROUND_FAILED;
            }
          g_free (cursor->sync_token);
          cursor->sync_token = g_strdup (next_sync);
        }
      /* Until the last page the old token stays: replaying a round is
       * harmless, since every change is an upsert or a deletion by id. */
      page->cursor = calendar_cursor_to_string (cursor);
      page->phase = g_strdup (PHASE_INCREMENTAL);
      if (!ember_store_save_event_page_sync (sync->store, sync->account_id, page, sync->cancellable, error))
        return ROUND_FAILED;
      if (n_changes > 0)
        ember_sync_report_add_changed_events (sync->report, n_changes);

      if (next_page == NULL)
        return ROUND_DONE;
      g_free (page_token);
      page_token = g_strdup (next_page);
    }
}

static void
new_window (CalendarSync   *sync,
            CalendarCursor *cursor)
{
  cursor->window_min = sync->now - (gint64) EMBER_GCAL_WINDOW_PAST_DAYS * DAY;
  cursor->window_max = sync->now + (gint64) EMBER_GCAL_WINDOW_FUTURE_DAYS * DAY;
}

static gboolean
sync_one_calendar (CalendarSync              *sync,
                   const EmberCalendarRecord *calendar,
                   GError                   **error)
{
  g_autofree char *resource = g_strconcat ("calendar:", calendar->provider_id, NULL);
  g_autoptr(EmberSyncState) state = NULL;
  g_auto(CalendarCursor) cursor = { 0 };
  gboolean have_cursor;

  state = ember_store_get_sync_state_sync (sync->store, sync->account_id, resource,
                                           sync->cancellable, error);
  if (state == NULL)
    return FALSE;
  have_cursor = calendar_cursor_parse (state->cursor, &cursor);

  if (have_cursor && g_strcmp0 (state->phase, PHASE_INCREMENTAL) == 0 && cursor.sync_token != NULL)
    {
      gint64 stale_before = sync->now - (gint64) (EMBER_GCAL_WINDOW_PAST_DAYS + EMBER_GCAL_WINDOW_SLACK_DAYS) * DAY;

      if (cursor.window_min >= stale_before)
        {
          switch (run_sync_token_round (sync, calendar, resource, &cursor, error))
            {
            case ROUND_DONE:
              return TRUE;
            case ROUND_FAILED:
              return FALSE;
            case ROUND_EXPIRED:
              g_debug ("Sync token of calendar %s expired; fetching it again", calendar->provider_id);
              break;
            default:
              g_assert_not_reached ();
            }
        }

      /* Expired, or the window drifted: list afresh and sweep. */
      calendar_cursor_clear (&cursor);
      new_window (sync, &cursor);
      cursor.sweep = TRUE;
    }
  else if (!have_cursor || g_strcmp0 (state->phase, PHASE_FULL) != 0)
    {
      calendar_cursor_clear (&cursor);
      new_window (sync, &cursor);
      /* Something may be stored from an older cursor. */
      cursor.sweep = state->phase != NULL;
    }

  return run_full_listing (sync, calendar, resource, &cursor, error);
}

gboolean
ember_gcal_sync_run (EmberStore        *store,
                     gint64             account_id,
                     EmberHttpClient   *client,
                     EmberApiEndpoint  *endpoint,
                     EmberSyncReport   *report,
                     GCancellable      *cancellable,
                     GError           **error)
{
  CalendarSync sync = { 0 };
  g_autoptr(GPtrArray) calendars = NULL;

  g_return_val_if_fail (EMBER_IS_STORE (store), FALSE);
  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (client), FALSE);
  g_return_val_if_fail (EMBER_IS_API_ENDPOINT (endpoint), FALSE);
  g_return_val_if_fail (EMBER_IS_SYNC_REPORT (report), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  sync.store = store;
  sync.account_id = account_id;
  sync.client = client;
  sync.endpoint = endpoint;
  sync.report = report;
  sync.cancellable = cancellable;
  sync.now = ember_clock_get_real (ember_http_client_get_clock (client)) / G_USEC_PER_SEC;

  ember_sync_report_progress (report, "calendar", 0, 0, "Fetching calendars");
  calendars = sync_calendar_list (&sync, error);
  if (calendars == NULL)
    return FALSE;

  for (guint i = 0; i < calendars->len; i++)
    {
      EmberCalendarRecord *calendar = g_ptr_array_index (calendars, i);

      ember_sync_report_progress (report, "calendar", i, calendars->len, "Fetching events");
      if (!sync_one_calendar (&sync, calendar, error))
        {
          g_prefix_error (error, "Calendar “%s”: ", calendar->name);
          return FALSE;
        }
    }
  ember_sync_report_progress (report, "calendar", calendars->len, calendars->len, "Fetching events");

  return TRUE;
}
