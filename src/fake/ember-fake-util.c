/* ember-fake-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-fake"

#include "config.h"

#include <string.h>

#include "ember-fake-util.h"

void
ember_fake_rng_init (EmberFakeRng *rng,
                     guint64       seed)
{
  rng->state = seed ^ G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
}

guint64
ember_fake_rng_next (EmberFakeRng *rng)
{
  guint64 z = (rng->state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

guint64
ember_fake_mix64 (guint64 a,
                  guint64 b)
{
  EmberFakeRng rng;

  ember_fake_rng_init (&rng, a * G_GUINT64_CONSTANT (0x100000001b3) ^ b);
  ember_fake_rng_next (&rng);
  return ember_fake_rng_next (&rng);
}

guint32
ember_fake_rng_below (EmberFakeRng *rng,
                      guint32       bound)
{
  if (bound == 0)
    return 0;
  return (guint32) (ember_fake_rng_next (rng) % bound);
}

gint64
ember_fake_rng_range (EmberFakeRng *rng,
                      gint64        lo,
                      gint64        hi)
{
  if (hi <= lo)
    return lo;
  return lo + (gint64) (ember_fake_rng_next (rng) % (guint64) (hi - lo + 1));
}

double
ember_fake_rng_double (EmberFakeRng *rng)
{
  return (ember_fake_rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
}

gboolean
ember_fake_rng_chance (EmberFakeRng *rng,
                       double        probability)
{
  return ember_fake_rng_double (rng) < probability;
}

gpointer
ember_fake_rng_pick (EmberFakeRng   *rng,
                     const gpointer *items,
                     guint           n_items)
{
  return items[ember_fake_rng_below (rng, n_items)];
}

static const char b64url_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *
base64url_encode (const guint8 *data,
                  gsize         len,
                  gboolean      pad)
{
  GString *out = g_string_sized_new ((len + 2) / 3 * 4 + 1);
  gsize i;

  for (i = 0; i + 2 < len; i += 3)
    {
      guint32 v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];

      g_string_append_c (out, b64url_alphabet[(v >> 18) & 63]);
      g_string_append_c (out, b64url_alphabet[(v >> 12) & 63]);
      g_string_append_c (out, b64url_alphabet[(v >> 6) & 63]);
      g_string_append_c (out, b64url_alphabet[v & 63]);
    }

  if (len - i == 1)
    {
      guint32 v = data[i] << 16;

      g_string_append_c (out, b64url_alphabet[(v >> 18) & 63]);
      g_string_append_c (out, b64url_alphabet[(v >> 12) & 63]);
      if (pad)
        g_string_append (out, "==");
    }
  else if (len - i == 2)
    {
      guint32 v = (data[i] << 16) | (data[i + 1] << 8);

      g_string_append_c (out, b64url_alphabet[(v >> 18) & 63]);
      g_string_append_c (out, b64url_alphabet[(v >> 12) & 63]);
      g_string_append_c (out, b64url_alphabet[(v >> 6) & 63]);
      if (pad)
        g_string_append_c (out, '=');
    }

  return g_string_free (out, FALSE);
}

char *
ember_fake_base64url_encode (const guint8 *data,
                             gsize         len)
{
  return base64url_encode (data, len, TRUE);
}

char *
ember_fake_base64url_encode_unpadded (const guint8 *data,
                                      gsize         len)
{
  return base64url_encode (data, len, FALSE);
}

static int
b64url_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return -1;
}

guint8 *
ember_fake_base64url_decode (const char *text,
                             gsize      *out_len)
{
  gsize len = strlen (text);
  guint8 *out;
  gsize n = 0;
  guint32 acc = 0;
  guint bits = 0;

  while (len > 0 && text[len - 1] == '=')
    len--;
  if (len % 4 == 1)
    return NULL;

  out = g_malloc (len * 3 / 4 + 3);
  for (gsize i = 0; i < len; i++)
    {
      int v = b64url_value (text[i]);

      if (v < 0)
        {
          g_free (out);
          return NULL;
        }
      acc = (acc << 6) | (guint32) v;
      bits += 6;
      if (bits >= 8)
        {
          bits -= 8;
          out[n++] = (acc >> bits) & 0xff;
        }
    }

  *out_len = n;
  return out;
}

char *
ember_fake_random_token (EmberFakeRng *rng,
                         guint         len)
{
  char *out = g_malloc (len + 1);

  for (guint i = 0; i < len; i++)
    out[i] = b64url_alphabet[ember_fake_rng_below (rng, 64)];
  out[len] = '\0';
  return out;
}

char *
ember_fake_format_rfc3339_ms (gint64 unix_usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_usec / G_USEC_PER_SEC);
  g_autofree char *base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", base, (int) ((unix_usec % G_USEC_PER_SEC) / 1000));
}

char *
ember_fake_format_rfc3339_utc (gint64 unix_sec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_sec);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

gint64
ember_fake_parse_iso8601 (const char *text,
                          gboolean    assume_utc)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL || *text == '\0')
    return -1;
  dt = g_date_time_new_from_iso8601 (text, assume_utc ? utc : NULL);
  if (dt == NULL)
    return -1;
  return g_date_time_to_unix (dt);
}

char *
ember_fake_unescape_segment (const char *segment,
                             gssize      len)
{
  if (len < 0)
    len = strlen (segment);
  return g_uri_unescape_segment (segment, segment + len, NULL);
}
