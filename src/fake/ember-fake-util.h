/* ember-fake-util.h: small helpers shared by the fake server's modules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A deterministic generator (splitmix64): the same seed gives the same
 * dataset and the same fault sequence on every platform and GLib version. */
typedef struct
{
  guint64 state;
} EmberFakeRng;

void     ember_fake_rng_init      (EmberFakeRng *rng,
                                   guint64       seed);
guint64  ember_fake_rng_next      (EmberFakeRng *rng);
/* Uniform in [0, bound). */
guint32  ember_fake_rng_below     (EmberFakeRng *rng,
                                   guint32       bound);
/* Uniform in [lo, hi]. */
gint64   ember_fake_rng_range     (EmberFakeRng *rng,
                                   gint64        lo,
                                   gint64        hi);
/* Uniform in [0, 1). */
double   ember_fake_rng_double    (EmberFakeRng *rng);
gboolean ember_fake_rng_chance    (EmberFakeRng *rng,
                                   double        probability);
gpointer ember_fake_rng_pick      (EmberFakeRng *rng,
                                   const gpointer *items,
                                   guint         n_items);
guint64  ember_fake_mix64         (guint64       a,
                                   guint64       b);

/* base64url with '=' padding (as Gmail sends it). */
char    *ember_fake_base64url_encode (const guint8 *data,
                                      gsize         len);
char    *ember_fake_base64url_encode_unpadded (const guint8 *data,
                                               gsize         len);
/* Accepts padded and unpadded input; NULL on bad input. */
guint8  *ember_fake_base64url_decode (const char   *text,
                                      gsize        *out_len);
/* Random opaque text of @len characters from the base64url alphabet. */
char    *ember_fake_random_token     (EmberFakeRng *rng,
                                      guint         len);

/* RFC 3339 in UTC with milliseconds: "2025-01-14T09:12:33.000Z". */
char    *ember_fake_format_rfc3339_ms (gint64 unix_usec);
/* RFC 3339 in UTC without fraction: "2025-01-14T09:12:33Z". */
char    *ember_fake_format_rfc3339_utc (gint64 unix_sec);
/* Parses RFC 3339 / ISO 8601 with an offset (or Z); -1 on error.  A string
 * without an offset is taken as UTC only when @assume_utc is TRUE. */
gint64   ember_fake_parse_iso8601     (const char *text,
                                       gboolean    assume_utc);

/* Percent-decodes a path segment; NULL when the escapes are invalid. */
char    *ember_fake_unescape_segment  (const char *segment,
                                       gssize      len);

G_END_DECLS
