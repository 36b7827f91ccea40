/* ember-fake-calendar.c: Google Calendar API v3
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-fake"

#include "config.h"

#include <string.h>

#include "ember-fake-private.h"

typedef enum
{
  ITEM_EVENT,       /* a single event or a series' master */
  ITEM_EXCEPTION,   /* an exception of a series, as its own event */
  ITEM_INSTANCE,    /* an expanded instance (singleEvents=true) */
} ItemKind;

typedef struct
{
  gint64             sort[3];
  ItemKind           kind;
  EmberFakeEvent    *event;
  EmberFakeInstance  instance;
  gboolean           stub;       /* deleted: only id (and series fields) */
} Item;

typedef enum
{
  ORDER_NONE,
  ORDER_START,
  ORDER_UPDATED,
} Order;

static void
ok_json (EmberFakeResponse *response,
         GString           *body)
{
  ember_fake_response_set_json (response, 200, body);
  ember_fake_response_add_header (response, "Vary", "Origin, X-Origin, Referer");
}

static void
bad_request (EmberFakeResponse *response,
             const char        *message,
             const char        *parameter)
{
  ember_fake_google_error (response, 400, "INVALID_ARGUMENT", "global",
                           parameter != NULL ? "invalid" : "badRequest", message,
                           parameter != NULL ? "parameter" : NULL, parameter);
}

static void
not_found (EmberFakeResponse *response)
{
  ember_fake_google_error (response, 404, "NOT_FOUND", "global", "notFound", "Not Found", NULL, NULL);
}

static void
sync_token_gone (EmberFakeResponse *response)
{
  ember_fake_google_error (response, 410, NULL, "calendar", "fullSyncRequired",
                           "Sync token is no longer valid, a full sync is required.",
                           "parameter", "syncToken");
}

static void
write_date_time (EmberFakeJson  *json,
                 const char     *key,
                 EmberFakeEvent *event,
                 gint64          when,
                 const char     *calendar_zone,
                 const char     *output_zone)
{
  ember_fake_json_key (json, key);
  ember_fake_json_begin_object (json);
  if (event->all_day)
    {
      g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (when);
      g_autofree char *text = g_date_time_format (date, "%Y-%m-%d");

      ember_fake_json_member_string (json, "date", text);
    }
  else
    {
      const char *zone = output_zone != NULL ? output_zone
                         : event->omit_time_zone ? calendar_zone : event->time_zone;
      GTimeZone *tz = ember_fake_time_zone (zone);
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (when);
      g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, tz != NULL ? tz : ember_fake_time_zone ("UTC"));
      g_autofree char *text = NULL;

      /* RFC 3339 with a numeric offset ("Z" only for UTC). */
      if (g_date_time_get_utc_offset (local) == 0)
        text = g_date_time_format (local, "%Y-%m-%dT%H:%M:%SZ");
      else
        text = g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
      ember_fake_json_member_string (json, "dateTime", text);
      if (!event->omit_time_zone)
        ember_fake_json_member_string (json, "timeZone", event->time_zone);
    }
  ember_fake_json_end_object (json);
}

static char *
etag_for (gint64 updated_us,
          guint  sequence)
{
  return g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", updated_us * 1000 + sequence);
}

static void
write_item (EmberFakeJson     *json,
            EmberFakeAccount  *account,
            EmberFakeCalendar *calendar,
            Item              *item,
            const char        *output_zone)
{
  EmberFakeEvent *event = item->event;
  EmberFakeException *exception = item->instance.exception;
  gboolean is_instance = item->kind != ITEM_EVENT;
  g_autofree char *id = is_instance ? ember_fake_event_google_instance_id (event, item->instance.original_start)
                                    : g_strdup (event->id);
  gint64 updated_us = exception != NULL ? MAX (exception->updated_us, event->updated_us) : event->updated_us;
  g_autofree char *etag = etag_for (updated_us, event->sequence);
  gboolean cancelled = is_instance ? item->instance.cancelled : (event->cancelled || event->deleted);
  const char *status = cancelled ? "cancelled" : event->tentative ? "tentative" : "confirmed";

  ember_fake_json_begin_object (json);
  ember_fake_json_member_string (json, "kind", "calendar#event");
  ember_fake_json_member_string (json, "etag", etag);
  ember_fake_json_member_string (json, "id", id);
  ember_fake_json_member_string (json, "status", status);

  if (item->stub)
    {
      /* Deleted events guarantee only their id (cancelled instances also
       * recurringEventId and originalStartTime). */
      if (is_instance)
        {
          ember_fake_json_member_string (json, "recurringEventId", event->id);
          write_date_time (json, "originalStartTime", event, item->instance.original_start,
                           calendar->time_zone, output_zone);
        }
      ember_fake_json_end_object (json);
      return;
    }

  {
    g_autofree char *eid_raw = g_strdup_printf ("%s %s", id, calendar->id);
    g_autofree char *eid = ember_fake_base64url_encode_unpadded ((const guint8 *) eid_raw, strlen (eid_raw));
    g_autofree char *link = g_strdup_printf ("https://www.google.com/calendar/event?eid=%s", eid);
    g_autofree char *created = ember_fake_format_rfc3339_ms (event->created_us);
    g_autofree char *updated = ember_fake_format_rfc3339_ms (updated_us);
    const char *summary = exception != NULL && exception->summary != NULL ? exception->summary : event->summary;

    ember_fake_json_member_string (json, "htmlLink", link);
    ember_fake_json_member_string (json, "created", created);
    ember_fake_json_member_string (json, "updated", updated);
    ember_fake_json_member_string (json, "summary", summary);
    if (event->description != NULL)
      ember_fake_json_member_string (json, "description", event->description);
    if (event->location != NULL && *event->location != '\0')
      ember_fake_json_member_string (json, "location", event->location);

    ember_fake_json_key (json, "creator");
    ember_fake_json_begin_object (json);
    ember_fake_json_member_string (json, "email", account->email);
    ember_fake_json_member_bool (json, "self", TRUE);
    ember_fake_json_end_object (json);
    ember_fake_json_key (json, "organizer");
    ember_fake_json_begin_object (json);
    ember_fake_json_member_string (json, "email", calendar->primary ? account->email : calendar->id);
    if (!calendar->primary)
      ember_fake_json_member_string (json, "displayName", calendar->summary);
    ember_fake_json_member_bool (json, "self", TRUE);
    ember_fake_json_end_object (json);

    if (is_instance)
      {
        write_date_time (json, "start", event, item->instance.start, calendar->time_zone, output_zone);
        write_date_time (json, "end", event, item->instance.end, calendar->time_zone, output_zone);
        ember_fake_json_member_string (json, "recurringEventId", event->id);
        write_date_time (json, "originalStartTime", event, item->instance.original_start,
                         calendar->time_zone, output_zone);
      }
    else
      {
        write_date_time (json, "start", event, event->start, calendar->time_zone, output_zone);
        write_date_time (json, "end", event, event->end, calendar->time_zone, output_zone);
        if (event->recurrence.freq != EMBER_FAKE_FREQ_NONE)
          {
            g_autofree char *rule = ember_fake_recurrence_to_string (&event->recurrence, event->start, event->all_day,
                                                                     ember_fake_time_zone (event->time_zone));

            ember_fake_json_key (json, "recurrence");
            ember_fake_json_begin_array (json);
            ember_fake_json_string (json, rule);
            ember_fake_json_end_array (json);
          }
      }

    ember_fake_json_member_string (json, "iCalUID", event->ical_uid);
    ember_fake_json_member_int (json, "sequence", event->sequence);
    if (event->attendees->len > 0)
      {
        static const char *responses[] = { "needsAction", "accepted", "tentative", "declined" };

        ember_fake_json_key (json, "attendees");
        ember_fake_json_begin_array (json);
        for (guint i = 0; i < event->attendees->len; i++)
          {
            EmberFakeAddress *attendee = g_ptr_array_index (event->attendees, i);

            ember_fake_json_begin_object (json);
            ember_fake_json_member_string (json, "email", attendee->address);
            if (attendee->name != NULL)
              ember_fake_json_member_string (json, "displayName", attendee->name);
            ember_fake_json_member_string (json, "responseStatus", responses[(event->key + i) % 4]);
            ember_fake_json_end_object (json);
          }
        ember_fake_json_begin_object (json);
        ember_fake_json_member_string (json, "email", account->email);
        ember_fake_json_member_bool (json, "organizer", TRUE);
        ember_fake_json_member_bool (json, "self", TRUE);
        ember_fake_json_member_string (json, "responseStatus", "accepted");
        ember_fake_json_end_object (json);
        ember_fake_json_end_array (json);
      }
    ember_fake_json_key (json, "reminders");
    ember_fake_json_begin_object (json);
    ember_fake_json_member_bool (json, "useDefault", event->reminder_minutes == EMBER_FAKE_REMINDER_DEFAULT);
    if (event->reminder_minutes >= 0)
      {
        ember_fake_json_key (json, "overrides");
        ember_fake_json_begin_array (json);
        /* People who want a popup often want the e-mail the day before. */
        if (event->reminder_minutes < 1440 && event->key % 3 == 0)
          {
            ember_fake_json_begin_object (json);
            ember_fake_json_member_string (json, "method", "email");
            ember_fake_json_member_int (json, "minutes", 1440);
            ember_fake_json_end_object (json);
          }
        ember_fake_json_begin_object (json);
        ember_fake_json_member_string (json, "method", "popup");
        ember_fake_json_member_int (json, "minutes", event->reminder_minutes);
        ember_fake_json_end_object (json);
        ember_fake_json_end_array (json);
      }
    ember_fake_json_end_object (json);
    ember_fake_json_member_string (json, "eventType", "default");
  }
  ember_fake_json_end_object (json);
}

static int
compare_items (gconstpointer a,
               gconstpointer b)
{
  const Item *ia = a;
  const Item *ib = b;

  for (guint i = 0; i < 3; i++)
    if (ia->sort[i] != ib->sort[i])
      return ia->sort[i] < ib->sort[i] ? -1 : 1;
  return 0;
}

static gboolean
item_after (const Item   *item,
            const gint64  position[3])
{
  for (guint i = 0; i < 3; i++)
    if (item->sort[i] != position[i])
      return item->sort[i] > position[i];
  return FALSE;
}

typedef struct
{
  gboolean  incremental;
  guint64   from_seq;
  guint64   end_seq;
  gboolean  single_events;
  gboolean  show_deleted;
  gint64    time_min;        /* G_MININT64: none */
  gint64    time_max;        /* G_MAXINT64: none */
  gint64    updated_min_us;  /* G_MININT64: none */
  Order     order;
  const char *ical_uid;
  const char *q;
} Query;

static gboolean
in_round (const Query *query,
          guint64      seq)
{
  return seq > query->from_seq && seq <= query->end_seq;
}

static gboolean
overlaps (const Query *query,
          gint64       start,
          gint64       end)
{
  return end > query->time_min && start < query->time_max;
}

static gboolean
text_matches (const Query    *query,
              EmberFakeEvent *event)
{
  g_autofree char *needle = NULL;
  g_autofree char *haystack = NULL;

  if (query->q == NULL)
    return TRUE;
  needle = g_utf8_casefold (query->q, -1);
  haystack = g_strdup_printf ("%s\n%s\n%s", event->summary, event->location != NULL ? event->location : "",
                              event->description != NULL ? event->description : "");
  {
    g_autofree char *folded = g_utf8_casefold (haystack, -1);

    return strstr (folded, needle) != NULL;
  }
}

static void
add_item (GArray         *items,
          const Query    *query,
          ItemKind        kind,
          EmberFakeEvent *event,
          const EmberFakeInstance *instance,
          gboolean        stub)
{
  Item item = { { 0, }, kind, event, { 0, }, stub };
  gint64 minor = kind == ITEM_EVENT ? G_MININT64 : instance->original_start;

  if (instance != NULL)
    item.instance = *instance;

  switch (query->order)
    {
    case ORDER_START:
      item.sort[0] = kind == ITEM_EVENT ? event->start : instance->start;
      item.sort[1] = (gint64) event->key;
      item.sort[2] = minor;
      break;
    case ORDER_UPDATED:
      item.sort[0] = instance != NULL && instance->exception != NULL
                     ? MAX (instance->exception->updated_us, event->updated_us) : event->updated_us;
      item.sort[1] = (gint64) event->key;
      item.sort[2] = minor;
      break;
    case ORDER_NONE:
    default:
      item.sort[0] = (gint64) event->key;
      item.sort[1] = minor;
      item.sort[2] = 0;
      break;
    }
  g_array_append_val (items, item);
}

static void
collect (EmberFakeCalendar *calendar,
         const Query       *query,
         GArray            *items)
{
  for (guint i = 0; i < calendar->events->len; i++)
    {
      EmberFakeEvent *event = g_ptr_array_index (calendar->events, i);
      gboolean gone = event->deleted || event->cancelled;
      gboolean recurring = event->recurrence.freq != EMBER_FAKE_FREQ_NONE;
      g_autoptr(GArray) instances = NULL;

      if (query->ical_uid != NULL && strcmp (query->ical_uid, event->ical_uid) != 0)
        continue;
      if (!text_matches (query, event))
        continue;

      instances = ember_fake_event_expand (event);

      if (!query->single_events || !recurring)
        {
          gboolean include;

          if (query->incremental)
            include = in_round (query, event->seq);
          else if (gone)
            include = query->show_deleted ||
                      (query->updated_min_us != G_MININT64 && event->updated_us >= query->updated_min_us);
          else
            {
              include = FALSE;
              for (guint k = 0; k < instances->len && !include; k++)
                {
                  EmberFakeInstance *instance = &g_array_index (instances, EmberFakeInstance, k);

                  include = overlaps (query, instance->start, instance->end);
                }
              if (query->updated_min_us != G_MININT64 && event->updated_us < query->updated_min_us)
                include = FALSE;
            }
          if (include)
            add_item (items, query, ITEM_EVENT, event, NULL, event->deleted);

          if (query->single_events || gone)
            continue;

          /* Exceptions travel as events of their own. */
          for (guint k = 0; k < instances->len; k++)
            {
              EmberFakeInstance *instance = &g_array_index (instances, EmberFakeInstance, k);
              EmberFakeException *exception = instance->exception;

              if (exception == NULL)
                continue;
              if (query->incremental)
                include = in_round (query, exception->seq);
              else if (exception->cancelled)
                /* Cancelled instances of a live series show even without
                 * showDeleted when singleEvents is false. */
                include = overlaps (query, instance->start, instance->end);
              else
                include = overlaps (query, instance->start, instance->end);
              if (include)
                add_item (items, query, ITEM_EXCEPTION, event, instance, exception->cancelled);
            }
          continue;
        }

      /* singleEvents=true on a series: its instances, never the master. */
      for (guint k = 0; k < instances->len; k++)
        {
          EmberFakeInstance *instance = &g_array_index (instances, EmberFakeInstance, k);
          gboolean include;

          if (query->incremental)
            include = in_round (query, instance->seq);
          else if (instance->cancelled)
            include = query->show_deleted && overlaps (query, instance->start, instance->end);
          else
            include = overlaps (query, instance->start, instance->end);
          if (include)
            add_item (items, query, ITEM_INSTANCE, event, instance, instance->cancelled);
        }
    }
}

static gboolean
parse_time_param (EmberFakeRequest  *request,
                  EmberFakeResponse *response,
                  const char        *name,
                  gint64            *out)
{
  const char *text = ember_fake_request_param (request, name);

  if (text == NULL)
    return TRUE;
  /* RFC 3339 with a mandatory offset. */
  *out = ember_fake_parse_iso8601 (text, FALSE);
  if (*out == -1)
    {
      ember_fake_google_error (response, 400, NULL, "global", "badRequest", "Bad Request", NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_bool_param (EmberFakeRequest  *request,
                  EmberFakeResponse *response,
                  const char        *name,
                  gboolean          *out,
                  gboolean          *given)
{
  const char *text = ember_fake_request_param (request, name);

  if (given != NULL)
    *given = text != NULL;
  if (text == NULL)
    return TRUE;
  if (g_ascii_strcasecmp (text, "true") == 0)
    *out = TRUE;
  else if (g_ascii_strcasecmp (text, "false") == 0)
    *out = FALSE;
  else
    {
      g_autofree char *message = g_strdup_printf ("Invalid boolean value: '%s'.", text);

      bad_request (response, message, name);
      return FALSE;
    }
  return TRUE;
}

static void
write_default_reminders (EmberFakeJson     *json,
                         EmberFakeCalendar *calendar)
{
  ember_fake_json_key (json, "defaultReminders");
  ember_fake_json_begin_array (json);
  if (calendar->default_reminder_minutes >= 0)
    {
      ember_fake_json_begin_object (json);
      ember_fake_json_member_string (json, "method", "popup");
      ember_fake_json_member_int (json, "minutes", calendar->default_reminder_minutes);
      ember_fake_json_end_object (json);
    }
  ember_fake_json_end_array (json);
}

static void
write_collection_header (EmberFakeJson     *json,
                         EmberFakeAccount  *account,
                         EmberFakeCalendar *calendar,
                         const char        *output_zone)
{
  g_autofree char *updated = ember_fake_format_rfc3339_ms ((gint64) account->cal_seq * 1000 + 1700000000000000);
  g_autofree char *etag = g_strdup_printf ("\"p3%" G_GINT64_MODIFIER "xg\"", account->cal_seq * 7919);

  ember_fake_json_member_string (json, "kind", "calendar#events");
  ember_fake_json_member_string (json, "etag", etag);
  ember_fake_json_member_string (json, "summary", calendar->summary);
  ember_fake_json_member_string (json, "description", "");
  ember_fake_json_member_string (json, "updated", updated);
  ember_fake_json_member_string (json, "timeZone", output_zone != NULL ? output_zone : calendar->time_zone);
  ember_fake_json_member_string (json, "accessRole", "owner");
  write_default_reminders (json, calendar);
}

static void
list_events (EmberFakeRequest  *request,
             EmberFakeResponse *response,
             EmberFakeCalendar *calendar)
{
  static const char *no_sync_params[] = {
    "iCalUID", "orderBy", "privateExtendedProperty", "q", "sharedExtendedProperty",
    "timeMin", "timeMax", "updatedMin",
  };
  EmberFakeAccount *account = request->account;
  const char *sync_token = ember_fake_request_param (request, "syncToken");
  const char *page_token = ember_fake_request_param (request, "pageToken");
  const char *order_by = ember_fake_request_param (request, "orderBy");
  const char *output_zone = ember_fake_request_param (request, "timeZone");
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (Item));
  gint64 position[3] = { G_MININT64, G_MININT64, G_MININT64 };
  gboolean show_deleted_given = FALSE;
  Query query = { 0, };
  guint max_results = 250;
  guint emitted = 0;
  gboolean more = FALSE;
  Item *last = NULL;
  GString *body;
  EmberFakeJson json;

  query.time_min = G_MININT64;
  query.time_max = G_MAXINT64;
  query.updated_min_us = G_MININT64;
  query.end_seq = account->cal_seq;

  if (!parse_bool_param (request, response, "singleEvents", &query.single_events, NULL) ||
      !parse_bool_param (request, response, "showDeleted", &query.show_deleted, &show_deleted_given))
    return;
  {
    const char *text = ember_fake_request_param (request, "maxResults");
    guint64 value;

    if (text != NULL)
      {
        if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &value, NULL))
          {
            bad_request (response, "Invalid value for: maxResults", "maxResults");
            return;
          }
        max_results = (guint) MIN (value, 2500);
      }
  }
  if (output_zone != NULL && ember_fake_time_zone (output_zone) == NULL)
    {
      bad_request (response, "Invalid time zone definition for the request.", "timeZone");
      return;
    }

  if (order_by != NULL)
    {
      if (strcmp (order_by, "startTime") == 0)
        query.order = ORDER_START;
      else if (strcmp (order_by, "updated") == 0)
        query.order = ORDER_UPDATED;
      else
        {
          bad_request (response, "Invalid value for: orderBy", "orderBy");
          return;
        }
      if (query.order == ORDER_START && !query.single_events)
        {
          bad_request (response, "The requested ordering is not available for the particular query.", "orderBy");
          return;
        }
    }

  if (sync_token != NULL)
    {
      g_auto(GStrv) fields = NULL;
      guint64 generation;

      for (guint i = 0; i < G_N_ELEMENTS (no_sync_params); i++)
        if (ember_fake_request_param (request, no_sync_params[i]) != NULL)
          {
            g_autofree char *message = g_strdup_printf ("The syncToken parameter cannot be combined with %s.",
                                                        no_sync_params[i]);

            bad_request (response, message, no_sync_params[i]);
            return;
          }
      if (show_deleted_given && !query.show_deleted)
        {
          bad_request (response, "showDeleted=false is not allowed with a syncToken: deletions are always returned.",
                       "showDeleted");
          return;
        }

      fields = ember_fake_cursor_decode (sync_token, 4);
      if (fields == NULL || strcmp (fields[0], "sync") != 0 ||
          strcmp (fields[1], calendar->id) != 0 ||
          !g_ascii_string_to_unsigned (fields[2], 10, 0, G_MAXUINT32, &generation, NULL) ||
          generation != account->cal_generation ||
          !g_ascii_string_to_unsigned (fields[3], 10, 0, G_MAXUINT64, &query.from_seq, NULL) ||
          query.from_seq > account->cal_seq)
        {
          sync_token_gone (response);
          return;
        }
      query.incremental = TRUE;
    }
  else
    {
      gint64 updated_min = -1;

      if (!parse_time_param (request, response, "timeMin", &query.time_min) ||
          !parse_time_param (request, response, "timeMax", &query.time_max) ||
          !parse_time_param (request, response, "updatedMin", &updated_min))
        return;
      if (updated_min != -1)
        query.updated_min_us = updated_min * G_USEC_PER_SEC;
      if (query.time_min != G_MININT64 && query.time_max != G_MAXINT64 && query.time_min >= query.time_max)
        {
          ember_fake_google_error (response, 400, NULL, "calendar", "timeRangeEmpty",
                                   "The specified time range is empty.", "parameter", "timeMax");
          return;
        }
      query.ical_uid = ember_fake_request_param (request, "iCalUID");
      query.q = ember_fake_request_param (request, "q");
    }

  if (page_token != NULL)
    {
      g_auto(GStrv) fields = ember_fake_cursor_decode (page_token, 8);
      guint64 generation;

      if (fields == NULL || strcmp (fields[0], "page") != 0 || strcmp (fields[1], calendar->id) != 0)
        {
          bad_request (response, "Invalid page token value.", "pageToken");
          return;
        }
      if (!g_ascii_string_to_unsigned (fields[2], 10, 0, G_MAXUINT32, &generation, NULL) ||
          generation != account->cal_generation)
        {
          sync_token_gone (response);
          return;
        }
      query.incremental = strcmp (fields[4], "full") != 0;
      query.from_seq = 0;
      if (!g_ascii_string_to_unsigned (fields[3], 10, 0, G_MAXUINT64, &query.end_seq, NULL) ||
          (query.incremental && !g_ascii_string_to_unsigned (fields[4], 10, 0, G_MAXUINT64, &query.from_seq, NULL)) ||
          !g_ascii_string_to_signed (fields[5], 10, G_MININT64, G_MAXINT64, &position[0], NULL) ||
          !g_ascii_string_to_signed (fields[6], 10, G_MININT64, G_MAXINT64, &position[1], NULL) ||
          !g_ascii_string_to_signed (fields[7], 10, G_MININT64, G_MAXINT64, &position[2], NULL))
        {
          bad_request (response, "Invalid page token value.", "pageToken");
          return;
        }
    }

  collect (calendar, &query, items);
  g_array_sort (items, compare_items);

  body = g_string_new (NULL);
  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  write_collection_header (&json, account, calendar, output_zone);

  ember_fake_json_key (&json, "items");
  ember_fake_json_begin_array (&json);
  for (guint i = 0; i < items->len; i++)
    {
      Item *item = &g_array_index (items, Item, i);

      if (page_token != NULL && !item_after (item, position))
        continue;
      if (emitted == max_results)
        {
          more = TRUE;
          break;
        }
      write_item (&json, account, calendar, item, output_zone);
      emitted++;
      last = item;
    }
  ember_fake_json_end_array (&json);

  if (more)
    {
      g_autofree char *generation = g_strdup_printf ("%u", account->cal_generation);
      g_autofree char *end_seq = g_strdup_printf ("%" G_GUINT64_FORMAT, query.end_seq);
      g_autofree char *from_seq = query.incremental ? g_strdup_printf ("%" G_GUINT64_FORMAT, query.from_seq)
                                                    : g_strdup ("full");
      g_autofree char *p0 = g_strdup_printf ("%" G_GINT64_FORMAT, last->sort[0]);
      g_autofree char *p1 = g_strdup_printf ("%" G_GINT64_FORMAT, last->sort[1]);
      g_autofree char *p2 = g_strdup_printf ("%" G_GINT64_FORMAT, last->sort[2]);
      g_autofree char *token = ember_fake_cursor_encode ("page", calendar->id, generation, end_seq,
                                                         from_seq, p0, p1, p2, NULL);

      ember_fake_json_member_string (&json, "nextPageToken", token);
    }
  else
    {
      g_autofree char *generation = g_strdup_printf ("%u", account->cal_generation);
      g_autofree char *end_seq = g_strdup_printf ("%" G_GUINT64_FORMAT, query.end_seq);
      g_autofree char *token = ember_fake_cursor_encode ("sync", calendar->id, generation, end_seq, NULL);

      ember_fake_json_member_string (&json, "nextSyncToken", token);
    }
  ember_fake_json_end_object (&json);
  ok_json (response, body);
}

static void
get_event (EmberFakeRequest  *request,
           EmberFakeResponse *response,
           EmberFakeCalendar *calendar,
           const char        *id)
{
  gint64 original_start = 0;
  EmberFakeEvent *event = ember_fake_account_find_event (request->account, id, &original_start);
  Item item = { { 0, }, ITEM_EVENT, NULL, { 0, }, FALSE };
  GString *body;
  EmberFakeJson json;

  if (event == NULL || strcmp (event->calendar_id, calendar->id) != 0)
    {
      not_found (response);
      return;
    }

  item.event = event;
  item.stub = event->deleted;
  if (original_start != 0)
    {
      g_autoptr(GArray) instances = ember_fake_event_expand (event);

      item.kind = ITEM_INSTANCE;
      for (guint i = 0; i < instances->len; i++)
        if (g_array_index (instances, EmberFakeInstance, i).original_start == original_start)
          item.instance = g_array_index (instances, EmberFakeInstance, i);
    }

  body = g_string_new (NULL);
  ember_fake_json_init (&json, body);
  write_item (&json, request->account, calendar, &item, ember_fake_request_param (request, "timeZone"));
  ok_json (response, body);
}

static void
write_calendar_entry (EmberFakeJson     *json,
                      EmberFakeCalendar *calendar)
{
  g_autofree char *etag = g_strdup_printf ("\"16%014u\"", g_str_hash (calendar->id) % 100000000u);

  ember_fake_json_begin_object (json);
  ember_fake_json_member_string (json, "kind", "calendar#calendarListEntry");
  ember_fake_json_member_string (json, "etag", etag);
  ember_fake_json_member_string (json, "id", calendar->id);
  ember_fake_json_member_string (json, "summary", calendar->summary);
  ember_fake_json_member_string (json, "timeZone", calendar->time_zone);
  ember_fake_json_member_string (json, "colorId", calendar->primary ? "14" : "3");
  ember_fake_json_member_string (json, "backgroundColor", calendar->color);
  ember_fake_json_member_string (json, "foregroundColor", "#000000");
  ember_fake_json_member_bool (json, "selected", TRUE);
  ember_fake_json_member_string (json, "accessRole", "owner");
  write_default_reminders (json, calendar);
  if (calendar->primary)
    ember_fake_json_member_bool (json, "primary", TRUE);
  ember_fake_json_key (json, "conferenceProperties");
  ember_fake_json_begin_object (json);
  ember_fake_json_member_strv (json, "allowedConferenceSolutionTypes",
                               (const char * const[]) { "hangoutsMeet", NULL });
  ember_fake_json_end_object (json);
  ember_fake_json_end_object (json);
}

static void
list_calendars (EmberFakeRequest  *request,
                EmberFakeResponse *response)
{
  EmberFakeAccount *account = request->account;
  const char *page_token = ember_fake_request_param (request, "pageToken");
  const char *sync_token = ember_fake_request_param (request, "syncToken");
  const char *text = ember_fake_request_param (request, "maxResults");
  guint max_results = 100;
  guint64 start = 0;
  gboolean incremental = FALSE;
  GString *body;
  EmberFakeJson json;
  guint i;
  g_autofree char *generation = g_strdup_printf ("%u", account->cal_generation);

  if (text != NULL)
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &value, NULL))
        {
          bad_request (response, "Invalid value for: maxResults", "maxResults");
          return;
        }
      max_results = (guint) MIN (value, 250);
    }
  if (sync_token != NULL)
    {
      g_auto(GStrv) fields = ember_fake_cursor_decode (sync_token, 2);

      if (fields == NULL || strcmp (fields[0], "calendarList") != 0 || strcmp (fields[1], generation) != 0)
        {
          sync_token_gone (response);
          return;
        }
      /* The fake's calendar list never changes. */
      incremental = TRUE;
    }
  if (page_token != NULL)
    {
      g_auto(GStrv) fields = ember_fake_cursor_decode (page_token, 2);

      if (fields == NULL || strcmp (fields[0], "calendarListPage") != 0 ||
          !g_ascii_string_to_unsigned (fields[1], 10, 0, 1000, &start, NULL))
        {
          bad_request (response, "Invalid page token value.", "pageToken");
          return;
        }
    }

  body = g_string_new (NULL);
  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  ember_fake_json_member_string (&json, "kind", "calendar#calendarList");
  ember_fake_json_member_string (&json, "etag", "\"p32ofplf5q6gf20g\"");
  ember_fake_json_key (&json, "items");
  ember_fake_json_begin_array (&json);
  for (i = (guint) start; !incremental && i < account->calendars->len && i < start + max_results; i++)
    write_calendar_entry (&json, g_ptr_array_index (account->calendars, i));
  ember_fake_json_end_array (&json);
  if (!incremental && i < account->calendars->len)
    {
      g_autofree char *offset = g_strdup_printf ("%u", i);
      g_autofree char *token = ember_fake_cursor_encode ("calendarListPage", offset, NULL);

      ember_fake_json_member_string (&json, "nextPageToken", token);
    }
  else
    {
      g_autofree char *token = ember_fake_cursor_encode ("calendarList", generation, NULL);

      ember_fake_json_member_string (&json, "nextSyncToken", token);
    }
  ember_fake_json_end_object (&json);
  ok_json (response, body);
}

void
ember_fake_calendar_handle (EmberFakeRequest  *request,
                            EmberFakeResponse *response)
{
  g_auto(GStrv) segments = ember_fake_request_segments (request, "/calendar/v3/");
  guint n = segments != NULL ? g_strv_length (segments) : 0;
  EmberFakeCalendar *calendar;
  gboolean known = (n == 3 && strcmp (segments[0], "users") == 0 && strcmp (segments[2], "calendarList") == 0) ||
                   (n >= 3 && n <= 4 && strcmp (segments[0], "calendars") == 0 && strcmp (segments[2], "events") == 0);

  if (!known)
    {
      not_found (response);
      return;
    }
  if (strcmp (request->method, "GET") != 0)
    {
      ember_fake_google_error (response, 405, NULL, "global", "httpMethodNotAllowed",
                               "The fake Calendar API is read-only.", NULL, NULL);
      return;
    }
  if (!ember_fake_oauth_authenticate (request, response, EMBER_FAKE_PROVIDER_GOOGLE, EMBER_FAKE_SCOPE_CALENDAR))
    return;
  if (!ember_fake_quota_charge_calendar (request, response))
    return;

  if (strcmp (segments[0], "users") == 0)
    {
      if (strcmp (segments[1], "me") != 0)
        {
          not_found (response);
          return;
        }
      list_calendars (request, response);
      return;
    }

  calendar = ember_fake_account_find_calendar (request->account, segments[1]);
  if (calendar == NULL)
    {
      not_found (response);
      return;
    }
  if (n == 3)
    list_events (request, response, calendar);
  else
    get_event (request, response, calendar, segments[3]);
}
