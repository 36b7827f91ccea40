/* ember-pkce.h: secrets for one sign-in (RFC 7636 PKCE and the state)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Fills @buffer from the kernel's CSPRNG (getrandom(2)). */
gboolean  ember_secure_random          (guint8       *buffer,
                                        gsize         length,
                                        GError      **error);
/* base64url (RFC 4648 §5) without padding. */
char     *ember_base64url_encode       (const guint8 *data,
                                        gsize         length);
/* 32 random octets, base64url: 43 characters of [A-Za-z0-9_-]. */
char     *ember_pkce_new_verifier      (GError      **error);
/* BASE64URL(SHA256(ASCII(verifier))), no padding. */
char     *ember_pkce_challenge_s256    (const char   *verifier);
/* 16 random octets, base64url: 22 characters. */
char     *ember_oauth_new_state        (GError      **error);
/* Compares without leaking where the first difference is. */
gboolean  ember_secret_equal           (const char   *a,
                                        const char   *b);

G_END_DECLS
