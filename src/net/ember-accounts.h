/* ember-accounts.h: adding, signing in and removing accounts across the
 * store (the account row and its data) and the keyring (its tokens)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-api-endpoint.h"
#include "ember-auth-session.h"
#include "ember-oauth-tokens.h"
#include "ember-store.h"
#include "ember-token-store.h"

G_BEGIN_DECLS

typedef enum
{
  EMBER_ACCOUNT_AUTH_SIGNED_IN,     /* a refresh token is in the keyring */
  EMBER_ACCOUNT_AUTH_NEEDS_SIGN_IN, /* none: revoked, expired or never stored */
  EMBER_ACCOUNT_AUTH_UNKNOWN,       /* the keyring could not be asked */
} EmberAccountAuthState;

/* "signed-in", "needs-sign-in", "unknown" */
const char       *ember_account_auth_state_to_string (EmberAccountAuthState state);

/* The OAuth configuration of @account: its provider, auth base, the client
 * id picked by ember_oauth_resolve_client_id() (@client_id_override first)
 * and the client secret: @client_secret_override, else the one stored in
 * @tokens for the account (when @tokens is given and the account is
 * stored), else the GSettings one (ember_oauth_resolve_client_secret()). */
EmberOAuthConfig *ember_account_build_oauth_config  (const EmberAccountRecord *account,
                                                     const char               *client_id_override,
                                                     const char               *client_secret_override,
                                                     EmberTokenStore          *tokens,
                                                     GCancellable             *cancellable,
                                                     GError                  **error);

/* Stores @account and its sign-in: the row, then the refresh and access
 * tokens and the client secret (when given) in @tokens. If the keyring
 * fails, the row is removed again, so no half-added account remains.
 * Returns the new account id, or 0 with @error. */
gint64            ember_account_add_sync            (EmberStore               *store,
                                                     EmberTokenStore          *tokens,
                                                     const EmberAccountRecord *account,
                                                     const EmberOAuthTokens   *oauth_tokens,
                                                     const char               *client_secret,
                                                     GCancellable             *cancellable,
                                                     GError                  **error);

/* Deletes the account's secrets from @tokens, then the account and all its
 * data from @store. If the keyring cannot be reached nothing is deleted. */
gboolean          ember_account_remove_sync         (EmberStore               *store,
                                                     EmberTokenStore          *tokens,
                                                     gint64                    account_id,
                                                     GCancellable             *cancellable,
                                                     GError                  **error);

EmberAccountAuthState ember_account_get_auth_state_sync (EmberTokenStore      *tokens,
                                                         gint64                account_id,
                                                         GCancellable         *cancellable);

/* A token source for a stored account. */
EmberAuthSession *ember_account_new_auth_session    (EmberHttpClient          *client,
                                                     EmberTokenStore          *tokens,
                                                     const EmberAccountRecord *account,
                                                     GCancellable             *cancellable,
                                                     GError                  **error);

/* An endpoint for one of the account's APIs (Gmail or Google Calendar for
 * "gmail", Graph for "microsoft") at its api_base (or the real service),
 * with @auth (nullable) as its token source. A Microsoft api_base is the
 * Graph base with its version ("http://127.0.0.1:PORT/v1.0"); one without a
 * version gets "/v1.0" appended. */
EmberApiEndpoint *ember_account_new_endpoint        (const EmberAccountRecord *account,
                                                     EmberApiKind              kind,
                                                     EmberClock               *clock,
                                                     EmberAuthSession         *auth);

G_END_DECLS
