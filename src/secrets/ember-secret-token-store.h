/* ember-secret-token-store.h: tokens in the system keyring (libsecret)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-token-store.h"

G_BEGIN_DECLS

/* The message of EMBER_AUTH_ERROR_NO_KEYRING. */
#define EMBER_NO_KEYRING_MESSAGE \
  "Ember keeps your sign-in in the system keyring; none is running"

/* The libsecret schema name; items carry the attributes "account" (the
 * store's account id) and "kind" (ember_token_kind_to_string()). A secret
 * with an expiry (the access token) is stored as {"token": …, "expires":
 * epoch seconds}; the others as they are. */
#define EMBER_SECRET_SCHEMA_NAME "io.github.ember.Token"

#define EMBER_TYPE_SECRET_TOKEN_STORE (ember_secret_token_store_get_type ())
G_DECLARE_FINAL_TYPE (EmberSecretTokenStore, ember_secret_token_store, EMBER, SECRET_TOKEN_STORE, GObject)

EmberTokenStore *ember_secret_token_store_new (void);

G_END_DECLS
