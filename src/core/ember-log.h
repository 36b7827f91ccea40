/* ember-log.h: structured logging that never writes a secret
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Log domains, one per layer; each .c file defines G_LOG_DOMAIN to its
 * layer's. Show debug output with G_MESSAGES_DEBUG=ember-net,ember-sync (or
 * "all"), or g_log_set_debug_enabled(). */
#define EMBER_LOG_DOMAIN_CORE      "ember-core"
#define EMBER_LOG_DOMAIN_STORE     "ember-store"
#define EMBER_LOG_DOMAIN_SECRETS   "ember-secrets"
#define EMBER_LOG_DOMAIN_NET       "ember-net"
#define EMBER_LOG_DOMAIN_PROVIDERS "ember-providers"
#define EMBER_LOG_DOMAIN_SYNC      "ember-sync"
#define EMBER_LOG_DOMAIN_FAKE      "ember-fake"
#define EMBER_LOG_DOMAIN_CLI       "ember-cli"
#define EMBER_LOG_DOMAIN_GUI       "ember-gui"

/* Installs ember_log_writer() as the process's GLog writer. Call it once,
 * first thing in main() of a program (never from a library); later calls
 * do nothing. */
void             ember_log_init   (void);

/* Redacts the MESSAGE field and every other text field with ember_redact(),
 * then hands the record to g_log_writer_default(), which honours
 * G_MESSAGES_DEBUG and the journal. Messages the default writer would drop
 * are not redacted at all, so disabled debug output costs nothing. */
GLogWriterOutput ember_log_writer (GLogLevelFlags   log_level,
                                   const GLogField *fields,
                                   gsize            n_fields,
                                   gpointer         user_data);

G_END_DECLS
