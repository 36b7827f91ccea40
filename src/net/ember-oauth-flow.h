/* ember-oauth-flow.h: one interactive sign-in (authorization code with
 * PKCE, loopback redirect, code exchange)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-http-client.h"
#include "ember-oauth-config.h"
#include "ember-oauth-tokens.h"

G_BEGIN_DECLS

#define EMBER_OAUTH_DEFAULT_TIMEOUT (5 * 60 * G_USEC_PER_SEC)

#define EMBER_TYPE_OAUTH_FLOW (ember_oauth_flow_get_type ())
G_DECLARE_FINAL_TYPE (EmberOAuthFlow, ember_oauth_flow, EMBER, OAUTH_FLOW, GObject)

/* @login_hint: the address the person signs in with (nullable). */
EmberOAuthFlow   *ember_oauth_flow_new                   (EmberHttpClient        *client,
                                                          const EmberOAuthConfig *config,
                                                          const char             *login_hint);
/* On the client's clock; default EMBER_OAUTH_DEFAULT_TIMEOUT. */
void              ember_oauth_flow_set_timeout           (EmberOAuthFlow         *self,
                                                          gint64                  timeout_usec);
/* Makes the verifier and state (getrandom) and starts the loopback
 * listener; afterwards the authorization URL is known. */
gboolean          ember_oauth_flow_start                 (EmberOAuthFlow         *self,
                                                          GError                **error);
/* The URL to open in the browser (carries no secret but the state and the
 * S256 challenge). */
const char       *ember_oauth_flow_get_authorization_url (EmberOAuthFlow         *self);
const char       *ember_oauth_flow_get_redirect_uri      (EmberOAuthFlow         *self);
/* Waits for the browser's answer, exchanges the code for tokens and stops
 * the listener. The result always has a refresh token (otherwise
 * EMBER_AUTH_ERROR_FAILED). Errors: EMBER_AUTH_ERROR_ACCESS_DENIED, _NO_CODE,
 * _TIMED_OUT, _FAILED, _CONFIG, G_IO_ERROR_CANCELLED (after @cancellable or
 * ember_oauth_flow_cancel()), EMBER_HTTP_ERROR_* from the token endpoint. */
EmberOAuthTokens *ember_oauth_flow_finish_sync           (EmberOAuthFlow         *self,
                                                          GCancellable           *cancellable,
                                                          GError                **error);
/* The same on a worker thread, for the main thread (the GUI); the callback
 * runs on the caller's thread-default main context. */
void              ember_oauth_flow_finish_async          (EmberOAuthFlow         *self,
                                                          GCancellable           *cancellable,
                                                          GAsyncReadyCallback     callback,
                                                          gpointer                user_data);
EmberOAuthTokens *ember_oauth_flow_finish_finish         (EmberOAuthFlow         *self,
                                                          GAsyncResult           *result,
                                                          GError                **error);
/* Thread-safe; makes a running finish_sync return G_IO_ERROR_CANCELLED. */
void              ember_oauth_flow_cancel                (EmberOAuthFlow         *self);

G_END_DECLS
