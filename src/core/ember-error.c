/* ember-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-error.h"

G_DEFINE_QUARK (ember-store-error-quark, ember_store_error)
G_DEFINE_QUARK (ember-http-error-quark, ember_http_error)
G_DEFINE_QUARK (ember-auth-error-quark, ember_auth_error)
G_DEFINE_QUARK (ember-provider-error-quark, ember_provider_error)
G_DEFINE_QUARK (ember-sync-error-quark, ember_sync_error)
