/* ember-fake-recurrence.c: expanding the fake calendars' series
 *
 * Series are expanded in their own time zone, so a weekly 09:00 meeting in
 * Europe/Berlin moves in UTC across the DST change, as it does for real.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-fake"

#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "ember-fake-dataset.h"

#define MAX_INSTANCES 1000

G_LOCK_DEFINE_STATIC (time_zones);
static GHashTable *time_zones;

GTimeZone *
ember_fake_time_zone (const char *iana)
{
  GTimeZone *tz;

  if (iana == NULL)
    iana = "UTC";

  G_LOCK (time_zones);
  if (time_zones == NULL)
    time_zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_time_zone_unref);
  tz = g_hash_table_lookup (time_zones, iana);
  if (tz == NULL)
    {
      tz = g_time_zone_new_identifier (iana);
      if (tz != NULL)
        g_hash_table_insert (time_zones, g_strdup (iana), tz);
    }
  G_UNLOCK (time_zones);

  return tz;
}

static const struct
{
  const char *iana;
  const char *windows;
} windows_zones[] = {
  /* CLDR windowsZones.xml, territory 001 first. */
  { "UTC", "UTC" },
  { "Europe/Berlin", "W. Europe Standard Time" },
  { "Europe/Zurich", "W. Europe Standard Time" },
  { "Europe/London", "GMT Standard Time" },
  { "Europe/Paris", "Romance Standard Time" },
  { "America/New_York", "Eastern Standard Time" },
  { "America/Chicago", "Central Standard Time" },
  { "America/Denver", "Mountain Standard Time" },
  { "America/Los_Angeles", "Pacific Standard Time" },
  { "Asia/Tokyo", "Tokyo Standard Time" },
  { "Asia/Kolkata", "India Standard Time" },
  { "Australia/Sydney", "AUS Eastern Standard Time" },
  { "Etc/GMT", "Greenwich Standard Time" },
};

const char *
ember_fake_windows_zone_for_iana (const char *iana)
{
  for (guint i = 0; i < G_N_ELEMENTS (windows_zones); i++)
    if (g_strcmp0 (windows_zones[i].iana, iana) == 0)
      return windows_zones[i].windows;
  return NULL;
}

const char *
ember_fake_iana_zone_for_windows (const char *windows)
{
  for (guint i = 0; i < G_N_ELEMENTS (windows_zones); i++)
    if (g_ascii_strcasecmp (windows_zones[i].windows, windows) == 0)
      return windows_zones[i].iana;
  return NULL;
}

static GDateTime *
occurrence (GDateTime     *first,
            EmberFakeFreq  freq,
            guint          step,
            GTimeZone     *tz)
{
  g_autoptr(GDateTime) day = NULL;

  switch (freq)
    {
    case EMBER_FAKE_FREQ_DAILY:
      day = g_date_time_add_days (first, step);
      break;
    case EMBER_FAKE_FREQ_WEEKLY:
      day = g_date_time_add_days (first, 7 * step);
      break;
    case EMBER_FAKE_FREQ_MONTHLY:
      day = g_date_time_add_months (first, step);
      break;
    case EMBER_FAKE_FREQ_YEARLY:
      day = g_date_time_add_years (first, step);
      break;
    case EMBER_FAKE_FREQ_NONE:
    default:
      g_assert_not_reached ();
    }

  /* Months and years clamp the 31st to the 30th; RFC 5545 skips such dates.
   * Days and weeks move the day of the month by design. */
  if ((freq == EMBER_FAKE_FREQ_MONTHLY || freq == EMBER_FAKE_FREQ_YEARLY) &&
      g_date_time_get_day_of_month (day) != g_date_time_get_day_of_month (first))
    return NULL;

  /* Same local wall time, whatever the offset is that day. */
  return g_date_time_new (tz,
                          g_date_time_get_year (day),
                          g_date_time_get_month (day),
                          g_date_time_get_day_of_month (day),
                          g_date_time_get_hour (first),
                          g_date_time_get_minute (first),
                          g_date_time_get_second (first));
}

static void
apply_exception (EmberFakeEvent    *event,
                 EmberFakeInstance *instance)
{
  for (guint i = 0; i < event->exceptions->len; i++)
    {
      EmberFakeException *exception = g_ptr_array_index (event->exceptions, i);

      if (exception->original_start != instance->original_start)
        continue;
      instance->exception = exception;
      if (exception->cancelled)
        instance->cancelled = TRUE;
      if (exception->start != 0)
        {
          instance->start = exception->start;
          instance->end = exception->end;
        }
      instance->seq = MAX (instance->seq, exception->seq);
      return;
    }
}

GArray *
ember_fake_event_expand (EmberFakeEvent *event)
{
  GArray *instances = g_array_new (FALSE, TRUE, sizeof (EmberFakeInstance));
  EmberFakeRecurrence *rec = &event->recurrence;
  GTimeZone *tz;
  g_autoptr(GDateTime) first_utc = NULL;
  g_autoptr(GDateTime) first = NULL;
  gint64 duration = event->end - event->start;
  guint produced = 0;

  if (rec->freq == EMBER_FAKE_FREQ_NONE)
    {
      EmberFakeInstance single = { 0, };

      single.event = event;
      single.original_start = event->start;
      single.start = event->start;
      single.end = event->end;
      single.cancelled = event->cancelled || event->deleted;
      single.seq = event->seq;
      g_array_append_val (instances, single);
      return instances;
    }

  tz = event->all_day ? NULL : ember_fake_time_zone (event->time_zone);
  if (tz == NULL)
    tz = ember_fake_time_zone ("UTC");
  first_utc = g_date_time_new_from_unix_utc (event->start);
  first = g_date_time_to_timezone (first_utc, tz);

  for (guint step = 0; produced < MAX_INSTANCES; step++)
    {
      g_autoptr(GDateTime) when = NULL;
      EmberFakeInstance instance = { 0, };
      gint64 start;

      if (rec->count > 0 && produced >= rec->count)
        break;
      if (step > 4 * MAX_INSTANCES)
        break;

      when = occurrence (first, rec->freq, step * MAX (rec->interval, 1), tz);
      if (when == NULL)
        continue;
      start = g_date_time_to_unix (when);
      if (rec->until > 0 && start > rec->until)
        break;

      instance.event = event;
      instance.original_start = start;
      instance.start = start;
      instance.end = start + duration;
      instance.cancelled = event->cancelled || event->deleted;
      instance.seq = event->seq;
      apply_exception (event, &instance);
      g_array_append_val (instances, instance);
      produced++;
    }

  return instances;
}

gboolean
ember_fake_recurrence_parse (const char          *rrule,
                             EmberFakeRecurrence *out,
                             GError             **error)
{
  g_auto(GStrv) parts = NULL;

  if (g_str_has_prefix (rrule, "RRULE:"))
    rrule += strlen ("RRULE:");

  out->freq = EMBER_FAKE_FREQ_NONE;
  out->interval = 1;
  out->count = 0;
  out->until = 0;

  parts = g_strsplit (rrule, ";", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *eq = strchr (parts[i], '=');
      g_autofree char *name = NULL;
      const char *value;

      if (eq == NULL)
        goto invalid;
      name = g_strndup (parts[i], eq - parts[i]);
      value = eq + 1;

      if (strcmp (name, "FREQ") == 0)
        {
          if (strcmp (value, "DAILY") == 0)
            out->freq = EMBER_FAKE_FREQ_DAILY;
          else if (strcmp (value, "WEEKLY") == 0)
            out->freq = EMBER_FAKE_FREQ_WEEKLY;
          else if (strcmp (value, "MONTHLY") == 0)
            out->freq = EMBER_FAKE_FREQ_MONTHLY;
          else if (strcmp (value, "YEARLY") == 0)
            out->freq = EMBER_FAKE_FREQ_YEARLY;
          else
            goto invalid;
        }
      else if (strcmp (name, "INTERVAL") == 0)
        {
          guint64 v;

          if (!g_ascii_string_to_unsigned (value, 10, 1, 1000, &v, NULL))
            goto invalid;
          out->interval = (guint) v;
        }
      else if (strcmp (name, "COUNT") == 0)
        {
          guint64 v;

          if (!g_ascii_string_to_unsigned (value, 10, 1, MAX_INSTANCES, &v, NULL))
            goto invalid;
          out->count = (guint) v;
        }
      else if (strcmp (name, "UNTIL") == 0)
        {
          int y, mo, d, h = 23, mi = 59, s = 59;
          g_autoptr(GDateTime) until = NULL;

          if (sscanf (value, "%4d%2d%2dT%2d%2d%2dZ", &y, &mo, &d, &h, &mi, &s) < 3)
            goto invalid;
          until = g_date_time_new_utc (y, mo, d, h, mi, s);
          if (until == NULL)
            goto invalid;
          out->until = g_date_time_to_unix (until);
        }
      else if (strcmp (name, "BYDAY") == 0 || strcmp (name, "BYMONTHDAY") == 0 ||
               strcmp (name, "WKST") == 0)
        {
          /* Only the series' own weekday / day of month is supported. */
        }
      else
        goto invalid;
    }

  if (out->freq == EMBER_FAKE_FREQ_NONE)
    goto invalid;
  return TRUE;

invalid:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "Unsupported recurrence rule “%s” (FREQ, INTERVAL, COUNT, UNTIL only)", rrule);
  return FALSE;
}

char *
ember_fake_recurrence_to_string (const EmberFakeRecurrence *rec,
                                 gint64                     start,
                                 gboolean                   all_day,
                                 GTimeZone                 *tz)
{
  static const char *weekdays[] = { "", "MO", "TU", "WE", "TH", "FR", "SA", "SU" };
  GString *out = g_string_new ("RRULE:FREQ=");
  g_autoptr(GDateTime) start_utc = g_date_time_new_from_unix_utc (start);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (start_utc, all_day || tz == NULL
                                                        ? ember_fake_time_zone ("UTC") : tz);

  switch (rec->freq)
    {
    case EMBER_FAKE_FREQ_DAILY:
      g_string_append (out, "DAILY");
      break;
    case EMBER_FAKE_FREQ_WEEKLY:
      g_string_append_printf (out, "WEEKLY;BYDAY=%s", weekdays[g_date_time_get_day_of_week (local)]);
      break;
    case EMBER_FAKE_FREQ_MONTHLY:
      g_string_append_printf (out, "MONTHLY;BYMONTHDAY=%d", g_date_time_get_day_of_month (local));
      break;
    case EMBER_FAKE_FREQ_YEARLY:
      g_string_append (out, "YEARLY");
      break;
    case EMBER_FAKE_FREQ_NONE:
    default:
      g_assert_not_reached ();
    }
  if (rec->interval > 1)
    g_string_append_printf (out, ";INTERVAL=%u", rec->interval);
  if (rec->count > 0)
    g_string_append_printf (out, ";COUNT=%u", rec->count);
  if (rec->until > 0)
    {
      g_autoptr(GDateTime) until = g_date_time_new_from_unix_utc (rec->until);
      g_autofree char *text = g_date_time_format (until, all_day ? "%Y%m%d" : "%Y%m%dT%H%M%SZ");

      g_string_append_printf (out, ";UNTIL=%s", text);
    }
  return g_string_free (out, FALSE);
}

char *
ember_fake_event_google_instance_id (EmberFakeEvent *event,
                                     gint64          original_start)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (original_start);
  g_autofree char *suffix = g_date_time_format (when, event->all_day ? "%Y%m%d" : "%Y%m%dT%H%M%SZ");

  return g_strdup_printf ("%s_%s", event->id, suffix);
}

char *
ember_fake_event_graph_instance_id (EmberFakeEvent *event,
                                    gint64          original_start)
{
  guint8 bytes[8];
  g_autofree char *encoded = NULL;
  gsize prefix_len = strlen (event->id);

  for (guint i = 0; i < 8; i++)
    bytes[i] = (guint8) ((guint64) original_start >> (56 - 8 * i));
  encoded = ember_fake_base64url_encode_unpadded (bytes, sizeof bytes);
  if (g_str_has_suffix (event->id, "AAA="))
    prefix_len -= 4;
  return g_strdup_printf ("%.*sBEIAAA%s=", (int) prefix_len, event->id, encoded);
}
