/* ember-oauth-tokens.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-net"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "ember-error.h"
#include "ember-oauth-tokens.h"
#include "ember-redact.h"

#define MAX_EXPIRY_MARGIN (60 * G_USEC_PER_SEC)
#define DEFAULT_LIFETIME_SECONDS 3600

G_DEFINE_BOXED_TYPE (EmberOAuthTokens, ember_oauth_tokens,
                     ember_oauth_tokens_copy, ember_oauth_tokens_free)

EmberOAuthTokens *
ember_oauth_tokens_copy (const EmberOAuthTokens *self)
{
  EmberOAuthTokens *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (EmberOAuthTokens, 1);
  copy->access_token = g_strdup (self->access_token);
  copy->refresh_token = g_strdup (self->refresh_token);
  copy->expires = self->expires;
  copy->scope = g_strdup (self->scope);

  return copy;
}

static void
free_secret (char *secret)
{
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
  g_free (secret);
}

void
ember_oauth_tokens_free (EmberOAuthTokens *self)
{
  if (self == NULL)
    return;

  free_secret (self->access_token);
  free_secret (self->refresh_token);
  g_free (self->scope);
  g_free (self);
}

static void
append_form_field (GString    *form,
                   const char *name,
                   const char *value)
{
  if (value == NULL)
    return;
  if (form->len > 0)
    g_string_append_c (form, '&');
  g_string_append_uri_escaped (form, name, NULL, FALSE);
  g_string_append_c (form, '=');
  g_string_append_uri_escaped (form, value, NULL, FALSE);
}

static EmberOAuthTokens *
parse_token_response (JsonNode    *root,
                      EmberClock  *clock,
                      const char  *provider_name,
                      GError     **error)
{
  g_autoptr(EmberOAuthTokens) tokens = NULL;
  JsonObject *object;
  const char *token_type;
  gint64 lifetime_seconds = DEFAULT_LIFETIME_SECONDS;
  gint64 lifetime, margin;

  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      json_object_get_string_member_with_default (json_node_get_object (root), "access_token", NULL) == NULL)
    {
      g_set_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_FAILED,
                   "%s sent a token reply without an access token", provider_name);
      return NULL;
    }

  object = json_node_get_object (root);
  token_type = json_object_get_string_member_with_default (object, "token_type", "Bearer");
  if (g_ascii_strcasecmp (token_type, "Bearer") != 0)
    {
      g_autofree char *redacted = ember_redact (token_type);

      g_set_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_FAILED,
                   "%s sent a token of unsupported type “%s”", provider_name, redacted);
      return NULL;
    }

  if (json_object_has_member (object, "expires_in"))
    {
      JsonNode *expires_in = json_object_get_member (object, "expires_in");

      /* Some servers send the number as a string. */
      if (JSON_NODE_HOLDS_VALUE (expires_in) && json_node_get_value_type (expires_in) == G_TYPE_STRING)
        lifetime_seconds = g_ascii_strtoll (json_node_get_string (expires_in), NULL, 10);
      else if (JSON_NODE_HOLDS_VALUE (expires_in))
        lifetime_seconds = json_node_get_int (expires_in);
    }
  if (lifetime_seconds <= 0)
    lifetime_seconds = DEFAULT_LIFETIME_SECONDS;

  lifetime = lifetime_seconds * G_USEC_PER_SEC;
  margin = MIN (MAX_EXPIRY_MARGIN, lifetime / 10);

  tokens = g_new0 (EmberOAuthTokens, 1);
  tokens->access_token = g_strdup (json_object_get_string_member (object, "access_token"));
  tokens->refresh_token = g_strdup (json_object_get_string_member_with_default (object, "refresh_token", NULL));
  if (tokens->refresh_token != NULL && *tokens->refresh_token == '\0')
    g_clear_pointer (&tokens->refresh_token, g_free);
  tokens->scope = g_strdup (json_object_get_string_member_with_default (object, "scope", NULL));
  tokens->expires = ember_clock_get_real (clock) + lifetime - margin;

  ember_redact_register_secret (tokens->access_token);
  if (tokens->refresh_token != NULL)
    ember_redact_register_secret (tokens->refresh_token);

  return g_steal_pointer (&tokens);
}

EmberOAuthTokens *
ember_oauth_request_tokens_sync (EmberHttpClient         *client,
                                 const EmberOAuthConfig  *config,
                                 GCancellable            *cancellable,
                                 GError                 **error,
                                 const char              *grant_type,
                                 ...)
{
  g_autoptr(EmberApiEndpoint) endpoint = NULL;
  g_autoptr(EmberHttpRequest) request = NULL;
  g_autoptr(GString) form = g_string_new (NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *provider_name;
  const char *name;
  va_list args;

  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (client), NULL);
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (grant_type != NULL, NULL);

  provider_name = ember_oauth_provider_get_name (config->provider);

  append_form_field (form, "grant_type", grant_type);
  va_start (args, grant_type);
  for (name = va_arg (args, const char *); name != NULL; name = va_arg (args, const char *))
    append_form_field (form, name, va_arg (args, const char *));
  va_end (args);
  append_form_field (form, "client_id", config->client_id);
  append_form_field (form, "client_secret", config->client_secret);

  endpoint = ember_api_endpoint_new (EMBER_API_KIND_OAUTH, NULL, ember_http_client_get_clock (client));
  request = ember_http_request_new ("POST", config->token_url);
  ember_http_request_set_authenticated (request, FALSE);
  body = g_bytes_new (form->str, form->len);
  ember_http_request_set_body (request, "application/x-www-form-urlencoded", body);
  /* The form holds a code, verifier or refresh token: wipe the copy. */
  memset (form->str, 0, form->len);

  root = ember_http_client_send_json_sync (client, endpoint, request, cancellable, &local_error);
  if (root == NULL)
    {
      const char *reason = ember_http_request_get_error_reason (request);

      if (g_error_matches (local_error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_CLIENT))
        {
          if (g_strcmp0 (reason, "invalid_grant") == 0)
            g_set_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NEEDS_SIGN_IN,
                         "%s no longer accepts this account’s sign-in (it expired or was revoked); "
                         "sign in again", provider_name);
          else if (g_strcmp0 (reason, "invalid_client") == 0 ||
                   g_strcmp0 (reason, "unauthorized_client") == 0)
            g_set_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_CONFIG,
                         "%s does not accept Ember’s OAuth client id: %s", provider_name,
                         local_error->message);
          else
            g_set_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_FAILED,
                         "%s refused the sign-in: %s", provider_name, local_error->message);
          return NULL;
        }

      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return parse_token_response (root, ember_http_client_get_clock (client), provider_name, error);
}

gboolean
ember_oauth_tokens_save_sync (const EmberOAuthTokens  *self,
                              EmberTokenStore         *store,
                              gint64                   account_id,
                              GCancellable            *cancellable,
                              GError                 **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (EMBER_IS_TOKEN_STORE (store), FALSE);

  /* The refresh token first: Microsoft rotates it on every refresh and the
   * old one may stop working, so the newest must never be lost. */
  if (self->refresh_token != NULL &&
      !ember_token_store_store_sync (store, account_id, EMBER_TOKEN_KIND_REFRESH,
                                     self->refresh_token, 0, cancellable, error))
    return FALSE;

  /* The keyring keeps whole seconds: round up, or a short-lived token
   * would look expired at once (the margin already keeps it early). */
  return ember_token_store_store_sync (store, account_id, EMBER_TOKEN_KIND_ACCESS,
                                       self->access_token,
                                       (self->expires + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC,
                                       cancellable, error);
}
