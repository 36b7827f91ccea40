/* ember-graph-time-zone.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-providers"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ember-error.h"
#include "ember-graph-time-zone-private.h"

/* CLDR common/supplemental/windowsZones.xml, every mapZone with
 * territory="001" (unicode-org/cldr, typeVersion 2021a), in the file's
 * order. Some targets are old tzdata names (Asia/Calcutta); tzdata keeps
 * them as links, and the current name is tried too (see below). */
static const struct
{
  const char *windows;
  const char *iana;
} windows_zones[] = {
  { "Dateline Standard Time", "Etc/GMT+12" },
  { "UTC-11", "Etc/GMT+11" },
  { "Aleutian Standard Time", "America/Adak" },
  { "Hawaiian Standard Time", "Pacific/Honolulu" },
  { "Marquesas Standard Time", "Pacific/Marquesas" },
  { "Alaskan Standard Time", "America/Anchorage" },
  { "UTC-09", "Etc/GMT+9" },
  { "Pacific Standard Time (Mexico)", "America/Tijuana" },
  { "UTC-08", "Etc/GMT+8" },
  { "Pacific Standard Time", "America/Los_Angeles" },
  { "US Mountain Standard Time", "America/Phoenix" },
  { "Mountain Standard Time (Mexico)", "America/Mazatlan" },
  { "Mountain Standard Time", "America/Denver" },
  { "Yukon Standard Time", "America/Whitehorse" },
  { "Central America Standard Time", "America/Guatemala" },
  { "Central Standard Time", "America/Chicago" },
  { "Easter Island Standard Time", "Pacific/Easter" },
  { "Central Standard Time (Mexico)", "America/Mexico_City" },
  { "Canada Central Standard Time", "America/Regina" },
  { "SA Pacific Standard Time", "America/Bogota" },
  { "Eastern Standard Time (Mexico)", "America/Cancun" },
  { "Eastern Standard Time", "America/New_York" },
  { "Haiti Standard Time", "America/Port-au-Prince" },
  { "Cuba Standard Time", "America/Havana" },
  { "US Eastern Standard Time", "America/Indianapolis" },
  { "Turks And Caicos Standard Time", "America/Grand_Turk" },
  { "Paraguay Standard Time", "America/Asuncion" },
  { "Atlantic Standard Time", "America/Halifax" },
  { "Venezuela Standard Time", "America/Caracas" },
  { "Central Brazilian Standard Time", "America/Cuiaba" },
  { "SA Western Standard Time", "America/La_Paz" },
  { "Pacific SA Standard Time", "America/Santiago" },
  { "Newfoundland Standard Time", "America/St_Johns" },
  { "Tocantins Standard Time", "America/Araguaina" },
  { "E. South America Standard Time", "America/Sao_Paulo" },
  { "SA Eastern Standard Time", "America/Cayenne" },
  { "Argentina Standard Time", "America/Buenos_Aires" },
  { "Greenland Standard Time", "America/Godthab" },
  { "Montevideo Standard Time", "America/Montevideo" },
  { "Magallanes Standard Time", "America/Punta_Arenas" },
  { "Saint Pierre Standard Time", "America/Miquelon" },
  { "Bahia Standard Time", "America/Bahia" },
  { "UTC-02", "Etc/GMT+2" },
  { "Azores Standard Time", "Atlantic/Azores" },
  { "Cape Verde Standard Time", "Atlantic/Cape_Verde" },
  { "UTC", "Etc/UTC" },
  { "GMT Standard Time", "Europe/London" },
  { "Greenwich Standard Time", "Atlantic/Reykjavik" },
  { "Sao Tome Standard Time", "Africa/Sao_Tome" },
  { "Morocco Standard Time", "Africa/Casablanca" },
  { "W. Europe Standard Time", "Europe/Berlin" },
  { "Central Europe Standard Time", "Europe/Budapest" },
  { "Romance Standard Time", "Europe/Paris" },
  { "Central European Standard Time", "Europe/Warsaw" },
  { "W. Central Africa Standard Time", "Africa/Lagos" },
  { "Jordan Standard Time", "Asia/Amman" },
  { "GTB Standard Time", "Europe/Bucharest" },
  { "Middle East Standard Time", "Asia/Beirut" },
  { "Egypt Standard Time", "Africa/Cairo" },
  { "E. Europe Standard Time", "Europe/Chisinau" },
  { "Syria Standard Time", "Asia/Damascus" },
  { "West Bank Standard Time", "Asia/Hebron" },
  { "South Africa Standard Time", "Africa/Johannesburg" },
  { "FLE Standard Time", "Europe/Kiev" },
  { "Israel Standard Time", "Asia/Jerusalem" },
  { "South Sudan Standard Time", "Africa/Juba" },
  { "Kaliningrad Standard Time", "Europe/Kaliningrad" },
  { "Sudan Standard Time", "Africa/Khartoum" },
  { "Libya Standard Time", "Africa/Tripoli" },
  { "Namibia Standard Time", "Africa/Windhoek" },
  { "Arabic Standard Time", "Asia/Baghdad" },
  { "Turkey Standard Time", "Europe/Istanbul" },
  { "Arab Standard Time", "Asia/Riyadh" },
  { "Belarus Standard Time", "Europe/Minsk" },
  { "Russian Standard Time", "Europe/Moscow" },
  { "E. Africa Standard Time", "Africa/Nairobi" },
  { "Iran Standard Time", "Asia/Tehran" },
  { "Arabian Standard Time", "Asia/Dubai" },
  { "Astrakhan Standard Time", "Europe/Astrakhan" },
  { "Azerbaijan Standard Time", "Asia/Baku" },
  { "Russia Time Zone 3", "Europe/Samara" },
  { "Mauritius Standard Time", "Indian/Mauritius" },
  { "Saratov Standard Time", "Europe/Saratov" },
  { "Georgian Standard Time", "Asia/Tbilisi" },
  { "Volgograd Standard Time", "Europe/Volgograd" },
  { "Caucasus Standard Time", "Asia/Yerevan" },
  { "Afghanistan Standard Time", "Asia/Kabul" },
  { "West Asia Standard Time", "Asia/Tashkent" },
  { "Ekaterinburg Standard Time", "Asia/Yekaterinburg" },
  { "Pakistan Standard Time", "Asia/Karachi" },
  { "Qyzylorda Standard Time", "Asia/Qyzylorda" },
  { "India Standard Time", "Asia/Calcutta" },
  { "Sri Lanka Standard Time", "Asia/Colombo" },
  { "Nepal Standard Time", "Asia/Katmandu" },
  { "Central Asia Standard Time", "Asia/Bishkek" },
  { "Bangladesh Standard Time", "Asia/Dhaka" },
  { "Omsk Standard Time", "Asia/Omsk" },
  { "Myanmar Standard Time", "Asia/Rangoon" },
  { "SE Asia Standard Time", "Asia/Bangkok" },
  { "Altai Standard Time", "Asia/Barnaul" },
  { "W. Mongolia Standard Time", "Asia/Hovd" },
  { "North Asia Standard Time", "Asia/Krasnoyarsk" },
  { "N. Central Asia Standard Time", "Asia/Novosibirsk" },
  { "Tomsk Standard Time", "Asia/Tomsk" },
  { "China Standard Time", "Asia/Shanghai" },
  { "North Asia East Standard Time", "Asia/Irkutsk" },
  { "Singapore Standard Time", "Asia/Singapore" },
  { "W. Australia Standard Time", "Australia/Perth" },
  { "Taipei Standard Time", "Asia/Taipei" },
  { "Ulaanbaatar Standard Time", "Asia/Ulaanbaatar" },
  { "Aus Central W. Standard Time", "Australia/Eucla" },
  { "Transbaikal Standard Time", "Asia/Chita" },
  { "Tokyo Standard Time", "Asia/Tokyo" },
  { "North Korea Standard Time", "Asia/Pyongyang" },
  { "Korea Standard Time", "Asia/Seoul" },
  { "Yakutsk Standard Time", "Asia/Yakutsk" },
  { "Cen. Australia Standard Time", "Australia/Adelaide" },
  { "AUS Central Standard Time", "Australia/Darwin" },
  { "E. Australia Standard Time", "Australia/Brisbane" },
  { "AUS Eastern Standard Time", "Australia/Sydney" },
  { "West Pacific Standard Time", "Pacific/Port_Moresby" },
  { "Tasmania Standard Time", "Australia/Hobart" },
  { "Vladivostok Standard Time", "Asia/Vladivostok" },
  { "Lord Howe Standard Time", "Australia/Lord_Howe" },
  { "Bougainville Standard Time", "Pacific/Bougainville" },
  { "Russia Time Zone 10", "Asia/Srednekolymsk" },
  { "Magadan Standard Time", "Asia/Magadan" },
  { "Norfolk Standard Time", "Pacific/Norfolk" },
  { "Sakhalin Standard Time", "Asia/Sakhalin" },
  { "Central Pacific Standard Time", "Pacific/Guadalcanal" },
  { "Russia Time Zone 11", "Asia/Kamchatka" },
  { "New Zealand Standard Time", "Pacific/Auckland" },
  { "UTC+12", "Etc/GMT-12" },
  { "Fiji Standard Time", "Pacific/Fiji" },
  { "Chatham Islands Standard Time", "Pacific/Chatham" },
  { "UTC+13", "Etc/GMT-13" },
  { "Tonga Standard Time", "Pacific/Tongatapu" },
  { "Samoa Standard Time", "Pacific/Apia" },
  { "Line Islands Standard Time", "Pacific/Kiritimati" },
};

/* CLDR keeps the old names above; tzdata renamed these zones and systems
 * that leave out tzdata's "backward" links only know the current name. */
static const struct
{
  const char *old_name;
  const char *current_name;
} renamed_zones[] = {
  { "America/Buenos_Aires", "America/Argentina/Buenos_Aires" },
  { "America/Godthab", "America/Nuuk" },
  { "America/Indianapolis", "America/Indiana/Indianapolis" },
  { "Asia/Calcutta", "Asia/Kolkata" },
  { "Asia/Katmandu", "Asia/Kathmandu" },
  { "Asia/Rangoon", "Asia/Yangon" },
  { "Europe/Kiev", "Europe/Kyiv" },
};

guint
_ember_graph_windows_zone_get_count (void)
{
  return G_N_ELEMENTS (windows_zones);
}

gboolean
_ember_graph_windows_zone_get_nth (guint        index,
                                   const char **out_windows,
                                   const char **out_iana)
{
  if (index >= G_N_ELEMENTS (windows_zones))
    return FALSE;
  if (out_windows != NULL)
    *out_windows = windows_zones[index].windows;
  if (out_iana != NULL)
    *out_iana = windows_zones[index].iana;
  return TRUE;
}

const char *
ember_graph_windows_zone_to_iana (const char *windows_id)
{
  if (windows_id == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (windows_zones); i++)
    {
      if (g_ascii_strcasecmp (windows_zones[i].windows, windows_id) == 0)
        return windows_zones[i].iana;
    }

  return NULL;
}

static GTimeZone *
time_zone_new_iana (const char *iana)
{
  GTimeZone *tz = g_time_zone_new_identifier (iana);

  if (tz != NULL)
    return tz;

  for (guint i = 0; i < G_N_ELEMENTS (renamed_zones); i++)
    {
      if (strcmp (renamed_zones[i].old_name, iana) == 0)
        return g_time_zone_new_identifier (renamed_zones[i].current_name);
      if (strcmp (renamed_zones[i].current_name, iana) == 0)
        return g_time_zone_new_identifier (renamed_zones[i].old_name);
    }

  return NULL;
}

GTimeZone *
ember_graph_time_zone_new (const char *name)
{
  const char *iana;

  if (name == NULL || *name == '\0')
    return NULL;

  if (g_ascii_strcasecmp (name, "UTC") == 0 ||
      g_ascii_strcasecmp (name, "Etc/UTC") == 0 ||
      g_ascii_strcasecmp (name, "GMT") == 0 ||
      g_ascii_strcasecmp (name, "tzone://Microsoft/Utc") == 0)
    return g_time_zone_new_utc ();

  /* A Windows id first: "UTC-11" is one, and the IANA database has no
   * zone by that name anyway; IANA ids never contain spaces. */
  iana = ember_graph_windows_zone_to_iana (name);
  if (iana != NULL)
    return time_zone_new_iana (iana);

  /* g_time_zone_new_identifier () also accepts "+05:30"-style offsets and
   * POSIX TZ strings, which Graph does not send: only take names that look
   * like tzdata ids. */
  if (strchr (name, '/') == NULL || strchr (name, ' ') != NULL)
    return NULL;

  return time_zone_new_iana (name);
}

static gboolean
has_offset (const char *text)
{
  const char *time_part = strchr (text, 'T');

  if (time_part == NULL)
    return FALSE;

  return strpbrk (time_part, "Zz+-") != NULL;
}

gboolean
ember_graph_parse_date_time_zone (const char *date_time,
                                  const char *time_zone,
                                  gint64     *out_utc,
                                  GError    **error)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) parsed = NULL;

  g_return_val_if_fail (out_utc != NULL, FALSE);

  if (date_time == NULL || *date_time == '\0')
    {
      g_set_error_literal (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                           "Event time is missing");
      return FALSE;
    }

  if (has_offset (date_time))
    {
      tz = g_time_zone_new_utc ();
    }
  else if (time_zone == NULL || *time_zone == '\0')
    {
      tz = g_time_zone_new_utc ();
    }
  else
    {
      tz = ember_graph_time_zone_new (time_zone);
      if (tz == NULL)
        {
          g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                       "Unknown time zone “%s”", time_zone);
          return FALSE;
        }
    }

  parsed = g_date_time_new_from_iso8601 (date_time, tz);
  if (parsed == NULL)
    {
      g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                   "Cannot read the time “%s”", date_time);
      return FALSE;
    }

  *out_utc = g_date_time_to_unix (parsed);
  return TRUE;
}

gboolean
ember_graph_parse_instant (const char *text,
                           gint64     *out_utc,
                           GError    **error)
{
  return ember_graph_parse_date_time_zone (text, NULL, out_utc, error);
}

char *
ember_graph_date_part (const char *date_time)
{
  int year, month, day;

  if (date_time == NULL || strlen (date_time) < 10)
    return NULL;

  for (guint i = 0; i < 10; i++)
    {
      if (i == 4 || i == 7)
        {
          if (date_time[i] != '-')
            return NULL;
        }
      else if (!g_ascii_isdigit (date_time[i]))
        {
          return NULL;
        }
    }
  if (date_time[10] != '\0' && date_time[10] != 'T')
    return NULL;

  year = atoi (date_time);
  month = atoi (date_time + 5);
  day = atoi (date_time + 8);
  if (!g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    return NULL;

  return g_strndup (date_time, 10);
}
