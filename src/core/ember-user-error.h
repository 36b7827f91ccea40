/* ember-user-error.h: what a person is shown when something fails
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define EMBER_TYPE_USER_ERROR (ember_user_error_get_type ())

typedef struct _EmberUserError EmberUserError;

struct _EmberUserError
{
  /*< public >*/
  char     *message;       /* one sentence for people, translated */
  char     *details;       /* optional technical detail, redacted; may be NULL */
  gboolean  retryable;     /* whether "Retry" can help */
  gboolean  needs_sign_in; /* the account must be signed in again */
};

GType           ember_user_error_get_type   (void) G_GNUC_CONST;
/* @details is redacted; needs_sign_in starts FALSE. */
EmberUserError *ember_user_error_new        (const char           *message,
                                             const char           *details,
                                             gboolean              retryable);
/* The one mapping from any GError (the EMBER_*_ERROR domains, G_IO_ERROR,
 * G_FILE_ERROR, G_RESOLVER_ERROR, G_TLS_ERROR, SOUP_SESSION_ERROR,
 * JSON_PARSER_ERROR; anything else gets a generic sentence) to what the UI
 * and CLI show. details is "<redacted error message> (<domain> <code>)".
 * Retryable: network trouble, timeouts, 5xx, rate limits, gave-up, a busy
 * store, a full disk, offline, an expired cursor. needs_sign_in:
 * EMBER_AUTH_ERROR_NEEDS_SIGN_IN and EMBER_AUTH_ERROR_NO_TOKEN. Never
 * returns NULL. */
EmberUserError *ember_user_error_new_from_error (const GError     *error);
EmberUserError *ember_user_error_copy       (const EmberUserError *self);
void            ember_user_error_free       (EmberUserError       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberUserError, ember_user_error_free)

G_END_DECLS
