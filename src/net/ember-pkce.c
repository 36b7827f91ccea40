/* ember-pkce.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-net"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <gio/gio.h>

#include "ember-pkce.h"

#define VERIFIER_OCTETS 32
#define STATE_OCTETS    16

gboolean
ember_secure_random (guint8  *buffer,
                     gsize    length,
                     GError **error)
{
  gsize filled = 0;

  g_return_val_if_fail (buffer != NULL || length == 0, FALSE);

  while (filled < length)
    {
      ssize_t got = getrandom (buffer + filled, length - filled, 0);

      if (got < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Could not get random bytes from the system: %s", g_strerror (saved_errno));
          return FALSE;
        }
      filled += (gsize) got;
    }

  return TRUE;
}

char *
ember_base64url_encode (const guint8 *data,
                        gsize         length)
{
  char *text = g_base64_encode (data, length);
  char *out = text;

  for (char *p = text; *p != '\0'; p++)
    {
      if (*p == '+')
        *out++ = '-';
      else if (*p == '/')
        *out++ = '_';
      else if (*p != '=')
        *out++ = *p;
    }
  *out = '\0';

  return text;
}

static char *
random_base64url (gsize    octets,
                  GError **error)
{
  guint8 buffer[64];
  char *text;

  g_assert (octets <= sizeof buffer);

  if (!ember_secure_random (buffer, octets, error))
    return NULL;

  text = ember_base64url_encode (buffer, octets);
  memset (buffer, 0, sizeof buffer);
  return text;
}

char *
ember_pkce_new_verifier (GError **error)
{
  return random_base64url (VERIFIER_OCTETS, error);
}

char *
ember_pkce_challenge_s256 (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_length = sizeof digest;

  g_return_val_if_fail (verifier != NULL, NULL);

  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &digest_length);
  g_assert (digest_length == sizeof digest);

  return ember_base64url_encode (digest, digest_length);
}

char *
ember_oauth_new_state (GError **error)
{
  return random_base64url (STATE_OCTETS, error);
}

gboolean
ember_secret_equal (const char *a,
                    const char *b)
{
  gsize length_a, length_b;
  guint8 difference = 0;

  if (a == NULL || b == NULL)
    return FALSE;

  length_a = strlen (a);
  length_b = strlen (b);
  for (gsize i = 0; i < length_a; i++)
    difference |= (guint8) a[i] ^ (guint8) b[i < length_b ? i : 0];

  return difference == 0 && length_a == length_b;
}
