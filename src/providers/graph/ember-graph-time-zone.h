/* ember-graph-time-zone.h: Graph time zone names and dateTimeTimeZone values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Graph names zones either by IANA id ("Europe/Berlin") or by Windows id
 * ("W. Europe Standard Time", often in originalStartTimeZone, and in start
 * and end when the server ignores Prefer: outlook.timezone). GTimeZone only
 * knows IANA ids, so Windows ids go through the CLDR windowsZones table
 * (territory "001", the zone's main mapping).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The IANA id CLDR maps @windows_id to (compared case-insensitively), or
 * NULL when @windows_id is not a Windows zone id. */
const char *ember_graph_windows_zone_to_iana   (const char *windows_id);

/* A zone for any name Graph uses: "UTC", an IANA id or a Windows id.
 * Returns NULL when the name is unknown (never silently UTC). */
GTimeZone  *ember_graph_time_zone_new          (const char *name);

/* Converts a Graph dateTimeTimeZone ("2025-03-09T01:30:00.0000000" read in
 * @time_zone; a NULL or empty @time_zone means UTC, as Graph's default) to
 * epoch seconds in UTC. A @date_time that carries its own offset ("Z",
 * "+01:00") is taken at that offset. FALSE with EMBER_PROVIDER_ERROR_BAD_DATA
 * for an unparsable value or an unknown zone. */
gboolean    ember_graph_parse_date_time_zone   (const char *date_time,
                                                const char *time_zone,
                                                gint64     *out_utc,
                                                GError    **error);

/* Parses an ISO 8601 instant with an offset ("2025-01-14T09:12:33Z", as in
 * receivedDateTime, lastModifiedDateTime, originalStart); a value without
 * an offset is read as UTC. FALSE with EMBER_PROVIDER_ERROR_BAD_DATA. */
gboolean    ember_graph_parse_instant          (const char *text,
                                                gint64     *out_utc,
                                                GError    **error);

/* The "YYYY-MM-DD" at the start of a Graph dateTime, for all-day events
 * (floating dates: never converted between zones). NULL when @date_time
 * does not start with a valid date. */
char       *ember_graph_date_part              (const char *date_time);

G_END_DECLS
