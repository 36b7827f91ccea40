/* ember-provider-factory.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-sync"

#include "config.h"

#include "ember-accounts.h"
#include "ember-gmail-provider.h"
#include "ember-graph-provider.h"
#include "ember-provider-factory.h"

struct _EmberProviderFactory
{
  GObject          parent_instance;

  EmberStore      *store;
  EmberHttpClient *client;
  EmberTokenStore *tokens;

  GMutex           mutex;
  GHashTable      *providers;   /* gint64* account id -> Entry */
};

typedef struct
{
  EmberProvider    *provider;
  EmberAuthSession *session;
} Entry;

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_clear_object (&entry->provider);
  g_clear_object (&entry->session);
  g_free (entry);
}

G_DEFINE_FINAL_TYPE (EmberProviderFactory, ember_provider_factory, G_TYPE_OBJECT)

EmberProviderFactory *
ember_provider_factory_new (EmberStore      *store,
                            EmberHttpClient *client,
                            EmberTokenStore *tokens)
{
  EmberProviderFactory *self;

  g_return_val_if_fail (EMBER_IS_STORE (store), NULL);
  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (client), NULL);
  g_return_val_if_fail (EMBER_IS_TOKEN_STORE (tokens), NULL);

  self = g_object_new (EMBER_TYPE_PROVIDER_FACTORY, NULL);
  self->store = g_object_ref (store);
  self->client = g_object_ref (client);
  self->tokens = g_object_ref (tokens);

  return self;
}

static Entry *
make_entry (EmberProviderFactory     *self,
            const EmberAccountRecord *account,
            GError                  **error)
{
  g_autoptr(EmberAuthSession) session = NULL;
  g_autoptr(EmberApiEndpoint) endpoint = NULL;
  Entry *entry;

  session = ember_account_new_auth_session (self->client, self->tokens, account, NULL, error);
  if (session == NULL)
    return NULL;

  entry = g_new0 (Entry, 1);
  entry->session = g_object_ref (session);
  if (g_strcmp0 (account->provider, "gmail") == 0)
    entry->provider = EMBER_PROVIDER (ember_gmail_provider_new (account, self->store, self->client, session));
  else
    {
      endpoint = ember_account_new_endpoint (account, EMBER_API_KIND_GRAPH,
                                             ember_http_client_get_clock (self->client), session);
      entry->provider = ember_graph_provider_new (self->store, self->client, endpoint, account->id);
    }

  return entry;
}

EmberProvider *
ember_provider_factory_get (const EmberAccountRecord *account,
                            gpointer                  factory,
                            GError                  **error)
{
  EmberProviderFactory *self = factory;
  EmberProvider *provider = NULL;
  Entry *entry;

  g_return_val_if_fail (EMBER_IS_PROVIDER_FACTORY (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);

  g_mutex_lock (&self->mutex);
  entry = g_hash_table_lookup (self->providers, &account->id);
  /* A session that lost its sign-in stays lost; after the person signs in
   * again the keyring holds new tokens, which only a new session reads. */
  if (entry != NULL && ember_auth_session_get_needs_sign_in (entry->session))
    {
      g_hash_table_remove (self->providers, &account->id);
      entry = NULL;
    }
  if (entry == NULL)
    {
      entry = make_entry (self, account, error);
      if (entry != NULL)
        {
          gint64 *key = g_new (gint64, 1);

          *key = account->id;
          g_hash_table_insert (self->providers, key, entry);
        }
    }
  if (entry != NULL)
    provider = g_object_ref (entry->provider);
  g_mutex_unlock (&self->mutex);

  return provider;
}

void
ember_provider_factory_forget (EmberProviderFactory *self,
                               gint64                account_id)
{
  g_return_if_fail (EMBER_IS_PROVIDER_FACTORY (self));

  g_mutex_lock (&self->mutex);
  g_hash_table_remove (self->providers, &account_id);
  g_mutex_unlock (&self->mutex);
}

static void
ember_provider_factory_finalize (GObject *object)
{
  EmberProviderFactory *self = EMBER_PROVIDER_FACTORY (object);

  g_clear_pointer (&self->providers, g_hash_table_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_clear_object (&self->tokens);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (ember_provider_factory_parent_class)->finalize (object);
}

static void
ember_provider_factory_class_init (EmberProviderFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ember_provider_factory_finalize;
}

static void
ember_provider_factory_init (EmberProviderFactory *self)
{
  g_mutex_init (&self->mutex);
  self->providers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, entry_free);
}
