/* ember-redact.h: keep secrets out of every message and log line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns a copy of @text with secrets replaced by "[REDACTED]", case
 * insensitively: registered secrets (and their percent-encoded form);
 * "Bearer <token>"; the values of Authorization, Proxy-Authorization,
 * Cookie and Set-Cookie (to the end of the line, or the quoted string); the
 * values of access_token, refresh_token, id_token, session_token, token,
 * code, code_verifier, device_code, client_secret, client_assertion,
 * assertion, password, passwd, api_key, apikey and secret in JSON (also
 * escaped inside a JSON string), form, query, header and "key: value"
 * syntax; JSON Web Tokens and Google "ya29." / "GOCSPX-" shapes anywhere.
 * Thread-safe; NULL gives NULL. */
char *ember_redact (const char *text);

/* Registers an exact secret string (e.g. a token just read from the keyring)
 * so ember_redact() also removes it wherever it appears, until unregistered
 * as many times. Secrets under 4 bytes are ignored. Thread-safe. */
void  ember_redact_register_secret   (const char *secret);
void  ember_redact_unregister_secret (const char *secret);

G_END_DECLS
