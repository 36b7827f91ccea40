/* ember-token-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-secrets"

#include "config.h"

#include "ember-redact.h"
#include "ember-token-store.h"

G_DEFINE_INTERFACE (EmberTokenStore, ember_token_store, G_TYPE_OBJECT)

static void
ember_token_store_default_init (EmberTokenStoreInterface *iface)
{
}

const char *
ember_token_kind_to_string (EmberTokenKind kind)
{
  switch (kind)
    {
    case EMBER_TOKEN_KIND_REFRESH:
      return "refresh";
    case EMBER_TOKEN_KIND_ACCESS:
      return "access";
    case EMBER_TOKEN_KIND_CLIENT_SECRET:
      return "client-secret";
    default:
      g_return_val_if_reached ("unknown");
    }
}

gboolean
ember_token_store_store_sync (EmberTokenStore  *self,
                              gint64            account_id,
                              EmberTokenKind    kind,
                              const char       *secret,
                              gint64            expires,
                              GCancellable     *cancellable,
                              GError          **error)
{
  g_return_val_if_fail (EMBER_IS_TOKEN_STORE (self), FALSE);
  g_return_val_if_fail (account_id > 0, FALSE);
  g_return_val_if_fail (secret != NULL && *secret != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Registered before it can reach any error message below. */
  ember_redact_register_secret (secret);

  return EMBER_TOKEN_STORE_GET_IFACE (self)->store_sync (self, account_id, kind, secret,
                                                         expires, cancellable, error);
}

gboolean
ember_token_store_lookup_sync (EmberTokenStore  *self,
                               gint64            account_id,
                               EmberTokenKind    kind,
                               char            **out_secret,
                               gint64           *out_expires,
                               GCancellable     *cancellable,
                               GError          **error)
{
  g_autofree char *secret = NULL;
  gint64 expires = 0;

  g_return_val_if_fail (EMBER_IS_TOKEN_STORE (self), FALSE);
  g_return_val_if_fail (account_id > 0, FALSE);
  g_return_val_if_fail (out_secret != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!EMBER_TOKEN_STORE_GET_IFACE (self)->lookup_sync (self, account_id, kind, &secret,
                                                        &expires, cancellable, error))
    return FALSE;

  if (secret != NULL)
    ember_redact_register_secret (secret);

  *out_secret = g_steal_pointer (&secret);
  if (out_expires != NULL)
    *out_expires = expires;
  return TRUE;
}

gboolean
ember_token_store_delete_sync (EmberTokenStore  *self,
                               gint64            account_id,
                               EmberTokenKind    kind,
                               GCancellable     *cancellable,
                               GError          **error)
{
  g_return_val_if_fail (EMBER_IS_TOKEN_STORE (self), FALSE);
  g_return_val_if_fail (account_id > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return EMBER_TOKEN_STORE_GET_IFACE (self)->delete_sync (self, account_id, kind,
                                                          cancellable, error);
}

gboolean
ember_token_store_clear_sync (EmberTokenStore  *self,
                              gint64            account_id,
                              GCancellable     *cancellable,
                              GError          **error)
{
  g_return_val_if_fail (EMBER_IS_TOKEN_STORE (self), FALSE);
  g_return_val_if_fail (account_id > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return EMBER_TOKEN_STORE_GET_IFACE (self)->clear_sync (self, account_id, cancellable, error);
}
