/* ember-memory-token-store.h: a token store in process memory, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-token-store.h"

G_BEGIN_DECLS

#define EMBER_TYPE_MEMORY_TOKEN_STORE (ember_memory_token_store_get_type ())
G_DECLARE_FINAL_TYPE (EmberMemoryTokenStore, ember_memory_token_store, EMBER, MEMORY_TOKEN_STORE, GObject)

EmberTokenStore *ember_memory_token_store_new             (void);
/* While unavailable, every call fails with EMBER_AUTH_ERROR_NO_KEYRING, as
 * the keyring store does when no Secret Service runs. */
void             ember_memory_token_store_set_available   (EmberMemoryTokenStore *self,
                                                           gboolean               available);
/* Number of secrets held, for every account. */
guint            ember_memory_token_store_get_n_secrets   (EmberMemoryTokenStore *self);
/* Times a secret of @kind was written, for every account. */
guint            ember_memory_token_store_get_n_stores    (EmberMemoryTokenStore *self,
                                                           EmberTokenKind         kind);

G_END_DECLS
