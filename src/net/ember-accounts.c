/* ember-accounts.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-net"

#include "config.h"

#include <string.h>

#include "ember-accounts.h"
#include "ember-error.h"

const char *
ember_account_auth_state_to_string (EmberAccountAuthState state)
{
  switch (state)
    {
    case EMBER_ACCOUNT_AUTH_SIGNED_IN:
      return "signed-in";
    case EMBER_ACCOUNT_AUTH_NEEDS_SIGN_IN:
      return "needs-sign-in";
    case EMBER_ACCOUNT_AUTH_UNKNOWN:
      return "unknown";
    default:
      g_return_val_if_reached ("unknown");
    }
}

EmberOAuthConfig *
ember_account_build_oauth_config (const EmberAccountRecord  *account,
                                  const char                *client_id_override,
                                  const char                *client_secret_override,
                                  EmberTokenStore           *tokens,
                                  GCancellable              *cancellable,
                                  GError                   **error)
{
  g_autofree char *client_id = NULL;
  g_autofree char *client_secret = NULL;
  EmberOAuthProvider provider;

  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (tokens == NULL || EMBER_IS_TOKEN_STORE (tokens), NULL);

  if (!ember_oauth_provider_from_account_provider (account->provider, &provider, error))
    return NULL;

  client_id = ember_oauth_resolve_client_id (provider, client_id_override, account->client_id, error);
  if (client_id == NULL)
    return NULL;

  if (client_secret_override != NULL && *client_secret_override != '\0')
    client_secret = g_strdup (client_secret_override);
  else if (tokens != NULL && account->id > 0 &&
           !ember_token_store_lookup_sync (tokens, account->id, EMBER_TOKEN_KIND_CLIENT_SECRET,
                                           &client_secret, NULL, cancellable, error))
    return NULL;
  if (client_secret == NULL)
    client_secret = ember_oauth_resolve_client_secret (provider, NULL);

  return ember_oauth_config_new (provider, account->auth_base, client_id, client_secret);
}

gint64
ember_account_add_sync (EmberStore                *store,
                        EmberTokenStore           *tokens,
                        const EmberAccountRecord  *account,
                        const EmberOAuthTokens    *oauth_tokens,
                        const char                *client_secret,
                        GCancellable              *cancellable,
                        GError                   **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 account_id;

  g_return_val_if_fail (EMBER_IS_STORE (store), 0);
  g_return_val_if_fail (EMBER_IS_TOKEN_STORE (tokens), 0);
  g_return_val_if_fail (account != NULL, 0);
  g_return_val_if_fail (oauth_tokens != NULL, 0);

  account_id = ember_store_add_account_sync (store, account, cancellable, error);
  if (account_id <= 0)
    return 0;

  if (!ember_oauth_tokens_save_sync (oauth_tokens, tokens, account_id, cancellable, &local_error) ||
      (client_secret != NULL && *client_secret != '\0' &&
       !ember_token_store_store_sync (tokens, account_id, EMBER_TOKEN_KIND_CLIENT_SECRET,
                                      client_secret, 0, cancellable, &local_error)))
    {
      /* Without its tokens the account could never sync: take it out. */
      ember_token_store_clear_sync (tokens, account_id, NULL, NULL);
      ember_store_remove_account_sync (store, account_id, NULL, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return 0;
    }

  return account_id;
}

gboolean
ember_account_remove_sync (EmberStore    *store,
                           EmberTokenStore *tokens,
                           gint64         account_id,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(EmberAccountRecord) account = NULL;

  g_return_val_if_fail (EMBER_IS_STORE (store), FALSE);
  g_return_val_if_fail (EMBER_IS_TOKEN_STORE (tokens), FALSE);

  account = ember_store_get_account_sync (store, account_id, cancellable, error);
  if (account == NULL)
    return FALSE;

  if (!ember_token_store_clear_sync (tokens, account_id, cancellable, error))
    {
      g_prefix_error (error, "The account was kept: ");
      return FALSE;
    }

  return ember_store_remove_account_sync (store, account_id, cancellable, error);
}

EmberAccountAuthState
ember_account_get_auth_state_sync (EmberTokenStore *tokens,
                                   gint64           account_id,
                                   GCancellable    *cancellable)
{
  g_autofree char *refresh_token = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (EMBER_IS_TOKEN_STORE (tokens), EMBER_ACCOUNT_AUTH_UNKNOWN);

  if (!ember_token_store_lookup_sync (tokens, account_id, EMBER_TOKEN_KIND_REFRESH,
                                      &refresh_token, NULL, cancellable, &error))
    {
      g_debug ("Cannot read the sign-in of account %" G_GINT64_FORMAT ": %s", account_id, error->message);
      return EMBER_ACCOUNT_AUTH_UNKNOWN;
    }

  if (refresh_token != NULL)
    memset (refresh_token, 0, strlen (refresh_token));

  return refresh_token != NULL ? EMBER_ACCOUNT_AUTH_SIGNED_IN : EMBER_ACCOUNT_AUTH_NEEDS_SIGN_IN;
}

EmberAuthSession *
ember_account_new_auth_session (EmberHttpClient           *client,
                                EmberTokenStore           *tokens,
                                const EmberAccountRecord  *account,
                                GCancellable              *cancellable,
                                GError                   **error)
{
  g_autoptr(EmberOAuthConfig) config = NULL;

  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (client), NULL);
  g_return_val_if_fail (EMBER_IS_TOKEN_STORE (tokens), NULL);
  g_return_val_if_fail (account != NULL && account->id > 0, NULL);

  config = ember_account_build_oauth_config (account, NULL, NULL, tokens, cancellable, error);
  if (config == NULL)
    return NULL;

  return ember_auth_session_new (client, config, tokens, account->id);
}

EmberApiEndpoint *
ember_account_new_endpoint (const EmberAccountRecord *account,
                            EmberApiKind              kind,
                            EmberClock               *clock,
                            EmberAuthSession         *auth)
{
  g_autofree char *base = NULL;
  EmberApiEndpoint *endpoint;

  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (EMBER_IS_CLOCK (clock), NULL);

  if (account->api_base != NULL && *account->api_base != '\0')
    {
      base = g_strdup (account->api_base);
      g_strchomp (base);
      while (g_str_has_suffix (base, "/"))
        base[strlen (base) - 1] = '\0';
      if (kind == EMBER_API_KIND_GRAPH &&
          !g_str_has_suffix (base, "/v1.0") && !g_str_has_suffix (base, "/beta"))
        {
          char *versioned = g_strconcat (base, "/v1.0", NULL);

          g_free (base);
          base = versioned;
        }
    }

  endpoint = ember_api_endpoint_new (kind, base, clock);
  if (auth != NULL)
    ember_api_endpoint_set_auth_session (endpoint, auth);

  return endpoint;
}
