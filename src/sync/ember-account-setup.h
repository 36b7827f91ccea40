/* ember-account-setup.h: adding an account end to end (browser sign-in,
 * the account in the store, its tokens in the keyring) and removing one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ember-http-client.h"
#include "ember-store.h"
#include "ember-token-store.h"

G_BEGIN_DECLS

#define EMBER_TYPE_ACCOUNT_SETUP (ember_account_setup_get_type ())
G_DECLARE_FINAL_TYPE (EmberAccountSetup, ember_account_setup, EMBER, ACCOUNT_SETUP, GObject)

/* Signs a new account in. @provider is the store's provider name ("gmail"
 * or "microsoft"), @email the address the person signs in with (it is sent
 * to the provider as login_hint and becomes the account's address). */
EmberAccountSetup *ember_account_setup_new              (EmberHttpClient           *client,
                                                         EmberStore                *store,
                                                         EmberTokenStore           *token_store,
                                                         const char                *provider,
                                                         const char                *email);
/* Signs a stored account in again (after its sign-in was revoked or
 * expired): the new tokens replace the old ones and the account keeps its
 * id, settings and data. Its api_base, auth_base and client_id are used. */
EmberAccountSetup *ember_account_setup_new_for_account  (EmberHttpClient           *client,
                                                         EmberStore                *store,
                                                         EmberTokenStore           *token_store,
                                                         const EmberAccountRecord  *account);

/* Settings; call them before ember_account_setup_start(). NULL means the
 * provider's real service (or, for the client id, the configured default:
 * see ember_oauth_resolve_client_id()). An explicit client id is saved with
 * the account; a client secret (Google desktop clients have one) is saved in
 * the token store, never in the database. */
void               ember_account_setup_set_api_base     (EmberAccountSetup  *self,
                                                         const char         *api_base);
void               ember_account_setup_set_auth_base    (EmberAccountSetup  *self,
                                                         const char         *auth_base);
void               ember_account_setup_set_client       (EmberAccountSetup  *self,
                                                         const char         *client_id,
                                                         const char         *client_secret);
/* How long to wait for the browser (µs, on the HTTP client's clock);
 * default EMBER_OAUTH_DEFAULT_TIMEOUT. */
void               ember_account_setup_set_timeout      (EmberAccountSetup  *self,
                                                         gint64              timeout_usec);

const char        *ember_account_setup_get_provider     (EmberAccountSetup  *self);
/* The address asked for, or after a successful run the provider's. */
const char        *ember_account_setup_get_email        (EmberAccountSetup  *self);
/* 0 for a new account until the setup has succeeded. */
gint64             ember_account_setup_get_account_id   (EmberAccountSetup  *self);

/* Picks the client, starts the loopback listener and builds the
 * authorization URL (then available from get_authorization_url()). For a
 * new account it does no disk or network I/O; signing a stored account in
 * again reads its client secret from the token store unless one was set.
 * Errors:
 * EMBER_AUTH_ERROR_CONFIG (unknown provider, no client id),
 * EMBER_HTTP_ERROR_INSECURE (a plain http:// base that is not loopback),
 * G_IO_ERROR_* from the listener. */
gboolean           ember_account_setup_start            (EmberAccountSetup  *self,
                                                         GError            **error);
/* The URL to open in the person's browser; NULL before start. */
const char        *ember_account_setup_get_authorization_url (EmberAccountSetup *self);

/* Blocks until the browser comes back (or the timeout, or cancellation),
 * exchanges the code for tokens, asks the provider which account signed in
 * (Gmail users/me/profile, Graph /me), then stores the account (a new one)
 * under the provider's address and its tokens with ember_account_add_sync():
 * either everything is kept or nothing. A stored account gets its new
 * tokens (and keeps its id and data), but only when the same account signed
 * in (else EMBER_AUTH_ERROR_FAILED and nothing changes). Returns the
 * account id, or 0 with @error set:
 * EMBER_SYNC_ERROR_FAILED when a new account is already set up (checked
 * before waiting), the EMBER_AUTH_ERROR_* of ember_oauth_flow_finish_sync(),
 * EMBER_STORE_ERROR_*, EMBER_AUTH_ERROR_NO_KEYRING, G_IO_ERROR_CANCELLED.
 * Call it once, from any thread. */
gint64             ember_account_setup_run_sync         (EmberAccountSetup  *self,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
/* The same on a thread of its own (waiting for a browser can take minutes,
 * which does not belong in GIO's shared pool). */
void               ember_account_setup_run_async        (EmberAccountSetup  *self,
                                                         GCancellable       *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer            user_data);
gint64             ember_account_setup_run_finish       (EmberAccountSetup  *self,
                                                         GAsyncResult       *result,
                                                         GError            **error);
/* Thread-safe: a running (or later) run fails with G_IO_ERROR_CANCELLED. */
void               ember_account_setup_cancel           (EmberAccountSetup  *self);

/* ember_account_remove_sync() (ember-accounts.h: first the account's
 * secrets, then the account and everything stored for it) on a worker
 * thread. Tell the sync manager first (ember_sync_manager_remove_account())
 * so that no job writes for the account meanwhile. */
void               ember_account_remove_async           (EmberStore          *store,
                                                         EmberTokenStore     *token_store,
                                                         gint64               account_id,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean           ember_account_remove_finish          (GAsyncResult        *result,
                                                         GError             **error);

G_END_DECLS
