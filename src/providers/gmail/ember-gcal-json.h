/* ember-gcal-json.h: Google Calendar API resources into store records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ember-store-types.h"

G_BEGIN_DECLS

/* A calendarList entry: id, summaryOverride or summary, backgroundColor,
 * timeZone, primary. NULL when the entry has no id. */
EmberCalendarRecord *ember_gcal_calendar_from_json (JsonObject  *entry);

/* An event (events.list with singleEvents=true) into a record. All-day
 * events ("date") keep their floating dates; timed events ("dateTime")
 * become UTC instants, read in the event's timeZone, else in
 * @calendar_time_zone, when the text has no offset; time_zone keeps the
 * event's zone name (else the calendar's). Instances keep
 * recurring_event_id and original_start. Returns NULL without an error and
 * sets @out_cancelled when the event is cancelled (the caller deletes its
 * id); NULL with EMBER_PROVIDER_ERROR_BAD_DATA when the event has no id or
 * unusable times. */
EmberEventRecord    *ember_gcal_event_from_json    (JsonObject  *event,
                                                    const char  *calendar_time_zone,
                                                    gboolean    *out_cancelled,
                                                    GError     **error);

/* RFC 3339 text to Unix seconds; a text without an offset is read in
 * @zone (NULL: UTC). FALSE when it is not a date-time. */
gboolean             ember_gcal_parse_date_time    (const char  *text,
                                                    const char  *zone,
                                                    gint64      *out_unix);
/* "YYYY-MM-DD" to Unix seconds at UTC midnight; FALSE when invalid. */
gboolean             ember_gcal_parse_date         (const char  *text,
                                                    gint64      *out_unix);
/* RFC 3339 in UTC ("2025-01-14T09:00:00Z"), as timeMin/timeMax want it. */
char                *ember_gcal_format_date_time   (gint64       unix_time);

G_END_DECLS
