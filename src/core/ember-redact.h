/* ember-redact.h: keep secrets out of every message and log line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns a copy of @text with bearer tokens, access/refresh tokens, codes,
 * code verifiers, client secrets, passwords and Authorization values
 * replaced by "[REDACTED]", whatever the syntax (header, JSON, form or query).
 * NULL gives NULL. */
char *ember_redact (const char *text);

/* Registers an exact secret string (e.g. a token just read from the keyring)
 * so ember_redact() also removes it wherever it appears. Thread-safe. */
void  ember_redact_register_secret   (const char *secret);
void  ember_redact_unregister_secret (const char *secret);

G_END_DECLS
