/* ember-oauth-tokens.h: what a token endpoint hands out, and asking it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-http-client.h"
#include "ember-oauth-config.h"
#include "ember-token-store.h"

G_BEGIN_DECLS

typedef struct
{
  char   *access_token;   /* required */
  char   *refresh_token;  /* NULL when the server sent none */
  gint64  expires;        /* real time in µs (EmberClock) at which to stop using the access token */
  char   *scope;          /* granted scopes, space-separated; may be NULL */
} EmberOAuthTokens;

#define EMBER_TYPE_OAUTH_TOKENS (ember_oauth_tokens_get_type ())

GType             ember_oauth_tokens_get_type (void) G_GNUC_CONST;
EmberOAuthTokens *ember_oauth_tokens_copy     (const EmberOAuthTokens *self);
void              ember_oauth_tokens_free     (EmberOAuthTokens       *self);

/* POSTs a form to @config's token endpoint with @client's retry policy
 * (grant_type plus name/value pairs ending in NULL; a NULL value skips the
 * pair). client_id (and client_secret when set) are added. Errors:
 * invalid_grant -> EMBER_AUTH_ERROR_NEEDS_SIGN_IN; invalid_client or
 * unauthorized_client -> EMBER_AUTH_ERROR_CONFIG; other refusals ->
 * EMBER_AUTH_ERROR_FAILED with the server's description (redacted);
 * transport failures stay EMBER_HTTP_ERROR_*. The expiry keeps a margin of
 * a tenth of the lifetime (at most 60 s) before the server's. */
EmberOAuthTokens *ember_oauth_request_tokens_sync (EmberHttpClient        *client,
                                                   const EmberOAuthConfig *config,
                                                   GCancellable           *cancellable,
                                                   GError                **error,
                                                   const char             *grant_type,
                                                   ...) G_GNUC_NULL_TERMINATED;

/* Saves the refresh token (when present) and then the access token of an
 * account. */
gboolean          ember_oauth_tokens_save_sync    (const EmberOAuthTokens *self,
                                                   EmberTokenStore        *store,
                                                   gint64                  account_id,
                                                   GCancellable           *cancellable,
                                                   GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberOAuthTokens, ember_oauth_tokens_free)

G_END_DECLS
