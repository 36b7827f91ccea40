/* ember-memory-token-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-secrets"

#include "config.h"

#include <string.h>

#include "ember-error.h"
#include "ember-memory-token-store.h"
#include "ember-secret-token-store.h"

#define N_KINDS (EMBER_TOKEN_KIND_CLIENT_SECRET + 1)

typedef struct
{
  char   *secret;
  gint64  expires;
} StoredSecret;

struct _EmberMemoryTokenStore
{
  GObject     parent_instance;

  GMutex      mutex;
  GHashTable *secrets;   /* "account:kind" -> StoredSecret */
  gboolean    available;
  guint       n_stores[N_KINDS];
};

static void token_store_iface_init (EmberTokenStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EmberMemoryTokenStore, ember_memory_token_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (EMBER_TYPE_TOKEN_STORE, token_store_iface_init))

static void
stored_secret_free (gpointer data)
{
  StoredSecret *stored = data;

  /* Overwrite before freeing: a test may dump memory, a token must not
   * linger in freed blocks longer than needed. */
  if (stored->secret != NULL)
    memset (stored->secret, 0, strlen (stored->secret));
  g_free (stored->secret);
  g_free (stored);
}

static char *
make_key (gint64         account_id,
          EmberTokenKind kind)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%s", account_id, ember_token_kind_to_string (kind));
}

static gboolean
check_available (EmberMemoryTokenStore  *self,
                 GError                **error)
{
  if (self->available)
    return TRUE;

  g_set_error_literal (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NO_KEYRING,
                       EMBER_NO_KEYRING_MESSAGE);
  return FALSE;
}

static gboolean
memory_store_sync (EmberTokenStore  *store,
                   gint64            account_id,
                   EmberTokenKind    kind,
                   const char       *secret,
                   gint64            expires,
                   GCancellable     *cancellable,
                   GError          **error)
{
  EmberMemoryTokenStore *self = EMBER_MEMORY_TOKEN_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  StoredSecret *stored;

  if (g_cancellable_set_error_if_cancelled (cancellable, error) || !check_available (self, error))
    return FALSE;

  stored = g_new0 (StoredSecret, 1);
  stored->secret = g_strdup (secret);
  stored->expires = expires;
  g_hash_table_replace (self->secrets, make_key (account_id, kind), stored);
  self->n_stores[kind]++;

  return TRUE;
}

static gboolean
memory_lookup_sync (EmberTokenStore  *store,
                    gint64            account_id,
                    EmberTokenKind    kind,
                    char            **out_secret,
                    gint64           *out_expires,
                    GCancellable     *cancellable,
                    GError          **error)
{
  EmberMemoryTokenStore *self = EMBER_MEMORY_TOKEN_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  g_autofree char *key = make_key (account_id, kind);
  StoredSecret *stored;

  if (g_cancellable_set_error_if_cancelled (cancellable, error) || !check_available (self, error))
    return FALSE;

  stored = g_hash_table_lookup (self->secrets, key);
  *out_secret = stored != NULL ? g_strdup (stored->secret) : NULL;
  *out_expires = stored != NULL ? stored->expires : 0;

  return TRUE;
}

static gboolean
memory_delete_sync (EmberTokenStore  *store,
                    gint64            account_id,
                    EmberTokenKind    kind,
                    GCancellable     *cancellable,
                    GError          **error)
{
  EmberMemoryTokenStore *self = EMBER_MEMORY_TOKEN_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);
  g_autofree char *key = make_key (account_id, kind);

  if (g_cancellable_set_error_if_cancelled (cancellable, error) || !check_available (self, error))
    return FALSE;

  g_hash_table_remove (self->secrets, key);
  return TRUE;
}

static gboolean
memory_clear_sync (EmberTokenStore  *store,
                   gint64            account_id,
                   GCancellable     *cancellable,
                   GError          **error)
{
  EmberMemoryTokenStore *self = EMBER_MEMORY_TOKEN_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  if (g_cancellable_set_error_if_cancelled (cancellable, error) || !check_available (self, error))
    return FALSE;

  for (guint kind = 0; kind < N_KINDS; kind++)
    {
      g_autofree char *key = make_key (account_id, kind);

      g_hash_table_remove (self->secrets, key);
    }

  return TRUE;
}

static void
token_store_iface_init (EmberTokenStoreInterface *iface)
{
  iface->store_sync = memory_store_sync;
  iface->lookup_sync = memory_lookup_sync;
  iface->delete_sync = memory_delete_sync;
  iface->clear_sync = memory_clear_sync;
}

static void
ember_memory_token_store_finalize (GObject *object)
{
  EmberMemoryTokenStore *self = EMBER_MEMORY_TOKEN_STORE (object);

  g_clear_pointer (&self->secrets, g_hash_table_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (ember_memory_token_store_parent_class)->finalize (object);
}

static void
ember_memory_token_store_class_init (EmberMemoryTokenStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ember_memory_token_store_finalize;
}

static void
ember_memory_token_store_init (EmberMemoryTokenStore *self)
{
  g_mutex_init (&self->mutex);
  self->secrets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, stored_secret_free);
  self->available = TRUE;
}

EmberTokenStore *
ember_memory_token_store_new (void)
{
  return g_object_new (EMBER_TYPE_MEMORY_TOKEN_STORE, NULL);
}

void
ember_memory_token_store_set_available (EmberMemoryTokenStore *self,
                                        gboolean               available)
{
  g_return_if_fail (EMBER_IS_MEMORY_TOKEN_STORE (self));

  g_mutex_lock (&self->mutex);
  self->available = !!available;
  g_mutex_unlock (&self->mutex);
}

guint
ember_memory_token_store_get_n_secrets (EmberMemoryTokenStore *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (EMBER_IS_MEMORY_TOKEN_STORE (self), 0);

  locker = g_mutex_locker_new (&self->mutex);
  return g_hash_table_size (self->secrets);
}

guint
ember_memory_token_store_get_n_stores (EmberMemoryTokenStore *self,
                                       EmberTokenKind         kind)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (EMBER_IS_MEMORY_TOKEN_STORE (self), 0);
  g_return_val_if_fail (kind < N_KINDS, 0);

  locker = g_mutex_locker_new (&self->mutex);
  return self->n_stores[kind];
}
