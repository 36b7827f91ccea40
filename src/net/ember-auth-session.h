/* ember-auth-session.h: a valid access token for one account, refreshed
 * when needed, one refresh at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-http-client.h"
#include "ember-oauth-config.h"
#include "ember-token-store.h"

G_BEGIN_DECLS

#define EMBER_TYPE_AUTH_SESSION (ember_auth_session_get_type ())
G_DECLARE_FINAL_TYPE (EmberAuthSession, ember_auth_session, EMBER, AUTH_SESSION, GObject)

/* Tokens are read from and written to @store under @account_id; refreshes
 * go to @config's token endpoint through @client. */
EmberAuthSession *ember_auth_session_new                  (EmberHttpClient        *client,
                                                           const EmberOAuthConfig *config,
                                                           EmberTokenStore        *store,
                                                           gint64                  account_id);
gint64            ember_auth_session_get_account_id       (EmberAuthSession       *self);
const EmberOAuthConfig *ember_auth_session_get_config     (EmberAuthSession       *self);

/* Returns an access token that has not expired (by the client's clock),
 * refreshing it through the token endpoint when needed; @rejected_token, when
 * given, is one the API just refused (401): unless another thread already
 * replaced it, it is refreshed. Any thread; concurrent callers wait for one
 * refresh (no lock is held during I/O). A rotated refresh token is saved
 * before the access token. Errors: EMBER_AUTH_ERROR_NEEDS_SIGN_IN when no
 * refresh token is stored or the server answered invalid_grant (the
 * account's stored tokens are then deleted, nothing else); transport and
 * keyring errors pass through. */
char             *ember_auth_session_get_access_token_sync (EmberAuthSession      *self,
                                                            const char            *rejected_token,
                                                            GCancellable          *cancellable,
                                                            GError               **error);
/* TRUE once the provider refused the refresh token (until a new session). */
gboolean          ember_auth_session_get_needs_sign_in    (EmberAuthSession       *self);
/* Refreshes done through the token endpoint (successful or not). */
guint             ember_auth_session_get_n_refreshes      (EmberAuthSession       *self);

G_END_DECLS
