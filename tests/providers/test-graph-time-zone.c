/* test-graph-time-zone.c: Windows -> IANA mapping and Graph time parsing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ember-error.h"
#include "ember-graph-time-zone-private.h"

static gint64
utc (int year, int month, int day, int hour, int minute)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (year, month, day, hour, minute, 0);

  return g_date_time_to_unix (dt);
}

static void
test_windows_names (void)
{
  g_assert_cmpstr (ember_graph_windows_zone_to_iana ("Pacific Standard Time"), ==, "America/Los_Angeles");
  g_assert_cmpstr (ember_graph_windows_zone_to_iana ("W. Europe Standard Time"), ==, "Europe/Berlin");
  g_assert_cmpstr (ember_graph_windows_zone_to_iana ("India Standard Time"), ==, "Asia/Calcutta");
  g_assert_cmpstr (ember_graph_windows_zone_to_iana ("UTC"), ==, "Etc/UTC");
  g_assert_cmpstr (ember_graph_windows_zone_to_iana ("Tokyo Standard Time"), ==, "Asia/Tokyo");
  /* Not confused with the plain Pacific zone. */
  g_assert_cmpstr (ember_graph_windows_zone_to_iana ("Pacific Standard Time (Mexico)"), ==, "America/Tijuana");
  g_assert_cmpstr (ember_graph_windows_zone_to_iana ("pacific standard time"), ==, "America/Los_Angeles");
  g_assert_cmpstr (ember_graph_windows_zone_to_iana ("UTC-11"), ==, "Etc/GMT+11");
  g_assert_null (ember_graph_windows_zone_to_iana ("Mars Standard Time"));
  g_assert_null (ember_graph_windows_zone_to_iana ("Europe/Berlin"));
  g_assert_null (ember_graph_windows_zone_to_iana (NULL));
}

/* Every IANA id in the table must be one this system's tzdata knows,
 * otherwise events in that zone would fail to parse. */
static void
test_table_zones_load (void)
{
  guint count = _ember_graph_windows_zone_get_count ();
  const char *windows;
  const char *iana;

  g_assert_cmpuint (count, >=, 130);
  for (guint i = 0; _ember_graph_windows_zone_get_nth (i, &windows, &iana); i++)
    {
      g_autoptr(GTimeZone) tz = ember_graph_time_zone_new (windows);

      if (tz == NULL)
        g_error ("Windows zone “%s” maps to “%s”, which does not load", windows, iana);
      /* No duplicates: the first match would hide later ones. */
      for (guint j = 0; j < i; j++)
        {
          const char *other;

          g_assert_true (_ember_graph_windows_zone_get_nth (j, &other, NULL));
          g_assert_cmpstr (other, !=, windows);
        }
    }
  g_assert_false (_ember_graph_windows_zone_get_nth (count, &windows, &iana));
}

static void
test_zone_names (void)
{
  g_autoptr(GTimeZone) berlin = ember_graph_time_zone_new ("Europe/Berlin");
  g_autoptr(GTimeZone) kolkata = ember_graph_time_zone_new ("Asia/Kolkata");
  g_autoptr(GTimeZone) utc_zone = ember_graph_time_zone_new ("UTC");
  g_autoptr(GTimeZone) windows_zone = ember_graph_time_zone_new ("India Standard Time");

  g_assert_nonnull (berlin);
  g_assert_nonnull (kolkata);
  g_assert_nonnull (utc_zone);
  g_assert_nonnull (windows_zone);
  gint64 in_2025 = utc (2025, 1, 15, 12, 0);

  g_assert_cmpint (g_time_zone_get_offset (utc_zone,
                                           g_time_zone_find_interval (utc_zone, G_TIME_TYPE_UNIVERSAL, in_2025)),
                   ==, 0);
  g_assert_cmpint (g_time_zone_get_offset (windows_zone,
                                           g_time_zone_find_interval (windows_zone, G_TIME_TYPE_UNIVERSAL, in_2025)),
                   ==, 5 * 3600 + 1800);

  /* Unknown names are errors, never a silent UTC. */
  g_assert_null (ember_graph_time_zone_new ("Mars Standard Time"));
  g_assert_null (ember_graph_time_zone_new ("Nowhere/Atlantis"));
  g_assert_null (ember_graph_time_zone_new ("+05:30"));
  g_assert_null (ember_graph_time_zone_new (""));
  g_assert_null (ember_graph_time_zone_new (NULL));
}

typedef struct
{
  const char *date_time;
  const char *zone;
  int         year, month, day, hour, minute;   /* the expected UTC instant */
} Conversion;

static void
test_conversions (void)
{
  static const Conversion conversions[] = {
    /* Pacific: PST is UTC-8 until 2025-03-09 02:00, then PDT UTC-7. */
    { "2025-03-08T09:00:00.0000000", "Pacific Standard Time", 2025, 3, 8, 17, 0 },
    { "2025-03-09T01:30:00.0000000", "Pacific Standard Time", 2025, 3, 9, 9, 30 },
    { "2025-03-09T03:30:00.0000000", "Pacific Standard Time", 2025, 3, 9, 10, 30 },
    { "2025-03-10T09:00:00.0000000", "Pacific Standard Time", 2025, 3, 10, 16, 0 },
    { "2025-11-03T09:00:00.0000000", "Pacific Standard Time", 2025, 11, 3, 17, 0 },
    { "2025-07-01T09:00:00", "America/Los_Angeles", 2025, 7, 1, 16, 0 },
    /* W. Europe: CET UTC+1 until 2025-03-30 02:00, CEST UTC+2 until
     * 2025-10-26 03:00. */
    { "2025-03-29T09:00:00.0000000", "W. Europe Standard Time", 2025, 3, 29, 8, 0 },
    { "2025-03-30T01:30:00.0000000", "W. Europe Standard Time", 2025, 3, 30, 0, 30 },
    { "2025-03-30T03:30:00.0000000", "W. Europe Standard Time", 2025, 3, 30, 1, 30 },
    { "2025-03-31T09:00:00.0000000", "W. Europe Standard Time", 2025, 3, 31, 7, 0 },
    { "2025-10-27T09:00:00.0000000", "W. Europe Standard Time", 2025, 10, 27, 8, 0 },
    /* India: UTC+5:30 all year. */
    { "2025-01-15T10:00:00.0000000", "India Standard Time", 2025, 1, 15, 4, 30 },
    { "2025-07-15T10:00:00.0000000", "India Standard Time", 2025, 7, 15, 4, 30 },
    { "2025-07-15T00:15:00.0000000", "India Standard Time", 2025, 7, 14, 18, 45 },
    /* UTC, and Graph's default when no zone is given. */
    { "2025-03-30T01:30:00.0000000", "UTC", 2025, 3, 30, 1, 30 },
    { "2025-03-30T01:30:00.0000000", "Etc/UTC", 2025, 3, 30, 1, 30 },
    { "2025-03-30T01:30:00.0000000", NULL, 2025, 3, 30, 1, 30 },
    /* A value with its own offset ignores the zone. */
    { "2025-03-30T01:30:00Z", "Pacific Standard Time", 2025, 3, 30, 1, 30 },
    { "2025-03-30T03:30:00+02:00", "India Standard Time", 2025, 3, 30, 1, 30 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (conversions); i++)
    {
      const Conversion *c = &conversions[i];
      g_autoptr(GError) error = NULL;
      gint64 value = 0;
      gint64 expected = utc (c->year, c->month, c->day, c->hour, c->minute);

      g_test_message ("%s in %s", c->date_time, c->zone);
      g_assert_true (ember_graph_parse_date_time_zone (c->date_time, c->zone, &value, &error));
      g_assert_no_error (error);
      g_assert_cmpint (value, ==, expected);
    }
}

static void
test_conversion_errors (void)
{
  g_autoptr(GError) error = NULL;
  gint64 value = 42;

  g_assert_false (ember_graph_parse_date_time_zone ("2025-01-01T10:00:00", "Mars Standard Time",
                                                    &value, &error));
  g_assert_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA);
  g_assert_nonnull (strstr (error->message, "Mars Standard Time"));
  g_clear_error (&error);

  g_assert_false (ember_graph_parse_date_time_zone ("yesterday", "UTC", &value, &error));
  g_assert_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA);
  g_clear_error (&error);

  g_assert_false (ember_graph_parse_date_time_zone (NULL, "UTC", &value, &error));
  g_assert_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA);
  g_clear_error (&error);
  g_assert_cmpint (value, ==, 42);

  g_assert_true (ember_graph_parse_instant ("2025-01-14T09:12:33Z", &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (value, ==, utc (2025, 1, 14, 9, 12) + 33);
  g_assert_true (ember_graph_parse_instant ("2025-01-14T09:12:33.123Z", &value, &error));
  g_assert_cmpint (value, ==, utc (2025, 1, 14, 9, 12) + 33);
}

static void
test_date_part (void)
{
  g_autofree char *a = ember_graph_date_part ("2025-03-09T00:00:00.0000000");
  g_autofree char *b = ember_graph_date_part ("2024-02-29");
  g_autofree char *c = ember_graph_date_part ("2025-02-29T00:00:00");
  g_autofree char *d = ember_graph_date_part ("2025-3-9T00:00:00");
  g_autofree char *e = ember_graph_date_part (NULL);
  g_autofree char *f = ember_graph_date_part ("2025-03-09X");

  g_assert_cmpstr (a, ==, "2025-03-09");
  g_assert_cmpstr (b, ==, "2024-02-29");
  g_assert_null (c);
  g_assert_null (d);
  g_assert_null (e);
  g_assert_null (f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/providers/graph/time-zone/windows-names", test_windows_names);
  g_test_add_func ("/ember/providers/graph/time-zone/table-zones-load", test_table_zones_load);
  g_test_add_func ("/ember/providers/graph/time-zone/zone-names", test_zone_names);
  g_test_add_func ("/ember/providers/graph/time-zone/conversions", test_conversions);
  g_test_add_func ("/ember/providers/graph/time-zone/conversion-errors", test_conversion_errors);
  g_test_add_func ("/ember/providers/graph/time-zone/date-part", test_date_part);

  return g_test_run ();
}
