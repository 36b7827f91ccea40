/* ember-provider-factory.h: the provider for each account, made once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-http-client.h"
#include "ember-provider.h"
#include "ember-store.h"
#include "ember-token-store.h"

G_BEGIN_DECLS

#define EMBER_TYPE_PROVIDER_FACTORY (ember_provider_factory_get_type ())
G_DECLARE_FINAL_TYPE (EmberProviderFactory, ember_provider_factory, EMBER, PROVIDER_FACTORY, GObject)

EmberProviderFactory *ember_provider_factory_new (EmberStore        *store,
                                                  EmberHttpClient   *client,
                                                  EmberTokenStore   *tokens);
/* Gmail or Graph for @account, with its sign-in session. Each account keeps
 * one provider (and so one set of rate limiters) for the factory's life,
 * so what one sync spent of a quota is remembered by the next. Thread-safe;
 * matches EmberProviderFactoryFunc with the factory as user data. */
EmberProvider        *ember_provider_factory_get (const EmberAccountRecord *account,
                                                  gpointer                  factory,
                                                  GError                  **error);
/* Forgets @account_id's provider (the account was removed or signed in
 * again). */
void                  ember_provider_factory_forget (EmberProviderFactory *self,
                                                     gint64                account_id);

G_END_DECLS
