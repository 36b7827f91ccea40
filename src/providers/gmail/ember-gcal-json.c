/* ember-gcal-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-providers"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ember-error.h"
#include "ember-gcal-json.h"
#include "ember-gmail-json.h"

gboolean
ember_gcal_parse_date_time (const char *text,
                            const char *zone,
                            gint64     *out_unix)
{
  g_autoptr(GTimeZone) time_zone = NULL;
  g_autoptr(GDateTime) date_time = NULL;

  g_return_val_if_fail (out_unix != NULL, FALSE);

  if (text == NULL || strchr (text, 'T') == NULL)
    return FALSE;
  if (zone != NULL)
    time_zone = g_time_zone_new_identifier (zone);
  if (time_zone == NULL)
    time_zone = g_time_zone_new_utc ();

  date_time = g_date_time_new_from_iso8601 (text, time_zone);
  if (date_time == NULL)
    return FALSE;

  *out_unix = g_date_time_to_unix (date_time);
  return TRUE;
}

gboolean
ember_gcal_parse_date (const char *text,
                       gint64     *out_unix)
{
  g_autoptr(GDateTime) date_time = NULL;
  int year, month, day;
  int consumed = 0;

  g_return_val_if_fail (out_unix != NULL, FALSE);

  if (text == NULL || strlen (text) != 10 ||
      sscanf (text, "%4d-%2d-%2d%n", &year, &month, &day, &consumed) != 3 || consumed != 10)
    return FALSE;
  if (!g_date_valid_dmy (day, month, year))
    return FALSE;

  date_time = g_date_time_new_utc (year, month, day, 0, 0, 0);
  if (date_time == NULL)
    return FALSE;

  *out_unix = g_date_time_to_unix (date_time);
  return TRUE;
}

char *
ember_gcal_format_date_time (gint64 unix_time)
{
  g_autoptr(GDateTime) date_time = g_date_time_new_from_unix_utc (unix_time);

  if (date_time == NULL)
    return NULL;

  return g_date_time_format (date_time, "%Y-%m-%dT%H:%M:%SZ");
}

/* Of a list of reminders ({method, minutes}), the popup one closest to the
 * start: the others are e-mails, which Google sends itself. */
static gboolean
smallest_popup (JsonObject *object,
                const char *member,
                guint      *out_minutes)
{
  JsonNode *node = json_object_get_member (object, member);
  JsonArray *reminders;
  gboolean found = FALSE;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  reminders = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (reminders); i++)
    {
      JsonNode *element = json_array_get_element (reminders, i);
      JsonObject *reminder;
      JsonNode *minutes;
      gint64 value;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      reminder = json_node_get_object (element);
      if (g_strcmp0 (ember_gmail_json_get_string (reminder, "method"), "popup") != 0)
        continue;
      minutes = json_object_get_member (reminder, "minutes");
      if (minutes == NULL || !JSON_NODE_HOLDS_VALUE (minutes))
        continue;
      value = json_node_get_int (minutes);
      /* Google allows 0 to 40320 (four weeks). */
      if (value < 0 || value > 40320)
        continue;
      if (!found || (guint) value < *out_minutes)
        *out_minutes = (guint) value;
      found = TRUE;
    }

  return found;
}

EmberCalendarRecord *
ember_gcal_calendar_from_json (JsonObject *entry)
{
  EmberCalendarRecord *calendar;
  const char *id;
  const char *name;

  g_return_val_if_fail (entry != NULL, NULL);

  id = ember_gmail_json_get_string (entry, "id");
  if (id == NULL || *id == '\0')
    return NULL;

  name = ember_gmail_json_get_string (entry, "summaryOverride");
  if (name == NULL || *name == '\0')
    name = ember_gmail_json_get_string (entry, "summary");

  calendar = ember_calendar_record_new ();
  calendar->provider_id = g_strdup (id);
  calendar->name = g_strdup (name != NULL && *name != '\0' ? name : id);
  calendar->color = g_strdup (ember_gmail_json_get_string (entry, "backgroundColor"));
  calendar->time_zone = g_strdup (ember_gmail_json_get_string (entry, "timeZone"));
  calendar->is_primary = json_object_has_member (entry, "primary") &&
                         json_object_get_boolean_member_with_default (entry, "primary", FALSE);
  calendar->has_default_reminder = smallest_popup (entry, "defaultReminders",
                                                   &calendar->default_reminder_minutes);

  return calendar;
}

static JsonObject *
get_object_member (JsonObject *object,
                   const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* One EventDateTime: {date} or {dateTime, timeZone}. */
static gboolean
parse_event_time (JsonObject  *when,
                  const char  *zone,
                  gboolean    *out_all_day,
                  char       **out_date,
                  gint64      *out_unix)
{
  const char *date;
  const char *date_time;

  if (when == NULL)
    return FALSE;

  date = ember_gmail_json_get_string (when, "date");
  date_time = ember_gmail_json_get_string (when, "dateTime");
  if (date_time != NULL)
    {
      *out_all_day = FALSE;
      return ember_gcal_parse_date_time (date_time, zone, out_unix);
    }
  if (date != NULL)
    {
      *out_all_day = TRUE;
      if (!ember_gcal_parse_date (date, out_unix))
        return FALSE;
      *out_date = g_strdup (date);
      return TRUE;
    }

  return FALSE;
}

static char *
format_person (JsonObject *person)
{
  const char *email;
  const char *name;

  if (person == NULL)
    return NULL;
  email = ember_gmail_json_get_string (person, "email");
  name = ember_gmail_json_get_string (person, "displayName");
  if (name != NULL && *name != '\0' && email != NULL)
    return g_strdup_printf ("%s <%s>", name, email);
  if (email != NULL)
    return g_strdup (email);

  return g_strdup (name);
}

static char *
attendees_to_json (JsonArray *attendees)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < json_array_get_length (attendees); i++)
    {
      JsonNode *node = json_array_get_element (attendees, i);
      JsonObject *attendee;
      const char *value;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      attendee = json_node_get_object (node);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      value = ember_gmail_json_get_string (attendee, "displayName");
      if (value != NULL)
        json_builder_add_string_value (builder, value);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "email");
      value = ember_gmail_json_get_string (attendee, "email");
      if (value != NULL)
        json_builder_add_string_value (builder, value);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "response");
      value = ember_gmail_json_get_string (attendee, "responseStatus");
      json_builder_add_string_value (builder, value != NULL ? value : "needsAction");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

EmberEventRecord *
ember_gcal_event_from_json (JsonObject  *event,
                            const char  *calendar_time_zone,
                            gboolean    *out_cancelled,
                            GError     **error)
{
  g_autoptr(EmberEventRecord) record = NULL;
  JsonObject *start;
  JsonObject *end;
  JsonObject *original;
  JsonObject *reminders;
  const char *id;
  const char *status;
  const char *zone;
  const char *updated;
  gboolean start_all_day = FALSE;
  gboolean end_all_day = FALSE;

  g_return_val_if_fail (event != NULL, NULL);
  g_return_val_if_fail (out_cancelled != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  *out_cancelled = FALSE;

  id = ember_gmail_json_get_string (event, "id");
  if (id == NULL || *id == '\0')
    {
      g_set_error_literal (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                           "Google Calendar sent an event without an id");
      return NULL;
    }

  /* A cancelled event is a deletion, and a cancelled instance of a series
   * means "do not show this one": either way only the id matters. */
  status = ember_gmail_json_get_string (event, "status");
  if (g_strcmp0 (status, "cancelled") == 0)
    {
      *out_cancelled = TRUE;
      return NULL;
    }

  start = get_object_member (event, "start");
  end = get_object_member (event, "end");
  zone = start != NULL ? ember_gmail_json_get_string (start, "timeZone") : NULL;
  if (zone == NULL || *zone == '\0')
    zone = calendar_time_zone;

  record = ember_event_record_new ();
  record->provider_id = g_strdup (id);
  record->summary = g_strdup (ember_gmail_json_get_string (event, "summary"));
  record->description = g_strdup (ember_gmail_json_get_string (event, "description"));
  record->location = g_strdup (ember_gmail_json_get_string (event, "location"));
  record->status = g_strdup (status != NULL ? status : "confirmed");
  record->time_zone = g_strdup (zone);

  if (!parse_event_time (start, zone, &start_all_day, &record->start_date, &record->start))
    {
      g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                   "Google Calendar event %s has no usable start time", id);
      return NULL;
    }
  if (end == NULL)
    {
      /* Not seen in practice; an instant (or one day) is the honest reading. */
      end_all_day = start_all_day;
      record->end = start_all_day ? record->start + 24 * 60 * 60 : record->start;
      if (start_all_day)
        {
          g_autoptr(GDateTime) next = g_date_time_new_from_unix_utc (record->end);

          record->end_date = g_date_time_format (next, "%Y-%m-%d");
        }
    }
  else if (!parse_event_time (end, zone, &end_all_day, &record->end_date, &record->end))
    {
      g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                   "Google Calendar event %s has no usable end time", id);
      return NULL;
    }
  if (start_all_day != end_all_day)
    {
      g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                   "Google Calendar event %s mixes a date and a date-time", id);
      return NULL;
    }
  record->all_day = start_all_day;

  record->recurring_event_id = g_strdup (ember_gmail_json_get_string (event, "recurringEventId"));
  original = get_object_member (event, "originalStartTime");
  if (original != NULL)
    {
      gboolean original_all_day = FALSE;
      g_autofree char *original_date = NULL;
      gint64 original_start = 0;

      if (parse_event_time (original, zone, &original_all_day, &original_date, &original_start))
        record->original_start = original_start;
    }

  record->organizer = format_person (get_object_member (event, "organizer"));
  if (json_object_has_member (event, "attendees") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (event, "attendees")))
    record->attendees_json = attendees_to_json (json_object_get_array_member (event, "attendees"));

  /* Without a reminders object (or with useDefault) the calendar's
   * default reminders apply; with overrides only those, and with neither
   * none. */
  reminders = get_object_member (event, "reminders");
  if (reminders == NULL || json_object_get_boolean_member_with_default (reminders, "useDefault", FALSE))
    record->reminder_default = TRUE;
  else
    record->has_reminder = smallest_popup (reminders, "overrides", &record->reminder_minutes);

  updated = ember_gmail_json_get_string (event, "updated");
  if (updated != NULL)
    ember_gcal_parse_date_time (updated, NULL, &record->updated);

  return g_steal_pointer (&record);
}
