/* ember-oauth-config.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-net"

#include "config.h"

#include <gio/gio.h>

#include "ember-error.h"
#include "ember-oauth-config.h"

G_DEFINE_BOXED_TYPE (EmberOAuthConfig, ember_oauth_config,
                     ember_oauth_config_copy, ember_oauth_config_free)

#define GOOGLE_AUTHORIZE_URL "https://accounts.google.com/o/oauth2/v2/auth"
#define GOOGLE_TOKEN_URL     "https://oauth2.googleapis.com/token"
#define MICROSOFT_AUTH_ROOT  "https://login.microsoftonline.com"

static char *
strip_trailing_slashes (const char *base)
{
  char *copy = g_strdup (base);
  gsize len = strlen (copy);

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';

  return copy;
}

EmberOAuthConfig *
ember_oauth_config_new (EmberOAuthProvider  provider,
                        const char         *auth_base,
                        const char         *client_id,
                        const char         *client_secret)
{
  EmberOAuthConfig *self;
  g_autofree char *base = NULL;

  g_return_val_if_fail (client_id != NULL && *client_id != '\0', NULL);

  if (auth_base != NULL && *auth_base != '\0')
    base = strip_trailing_slashes (auth_base);

  self = g_new0 (EmberOAuthConfig, 1);
  self->provider = provider;
  self->client_id = g_strdup (client_id);
  self->client_secret = client_secret != NULL && *client_secret != '\0' ? g_strdup (client_secret) : NULL;

  switch (provider)
    {
    case EMBER_OAUTH_PROVIDER_GOOGLE:
      self->scopes = g_strdup (EMBER_GOOGLE_SCOPES);
      if (base != NULL)
        {
          self->authorize_url = g_strconcat (base, "/o/oauth2/v2/auth", NULL);
          self->token_url = g_strconcat (base, "/token", NULL);
        }
      else
        {
          self->authorize_url = g_strdup (GOOGLE_AUTHORIZE_URL);
          self->token_url = g_strdup (GOOGLE_TOKEN_URL);
        }
      break;

    case EMBER_OAUTH_PROVIDER_MICROSOFT:
      {
        g_autofree char *root = NULL;

        self->scopes = g_strdup (EMBER_MICROSOFT_SCOPES);
        root = base != NULL
          ? g_strconcat (base, "/", EMBER_MICROSOFT_DEFAULT_TENANT, "/oauth2/v2.0", NULL)
          : g_strconcat (MICROSOFT_AUTH_ROOT, "/", EMBER_MICROSOFT_DEFAULT_TENANT, "/oauth2/v2.0", NULL);
        self->authorize_url = g_strconcat (root, "/authorize", NULL);
        self->token_url = g_strconcat (root, "/token", NULL);
      }
      break;

    default:
      g_assert_not_reached ();
    }

  return self;
}

EmberOAuthConfig *
ember_oauth_config_copy (const EmberOAuthConfig *self)
{
  EmberOAuthConfig *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (EmberOAuthConfig, 1);
  copy->provider = self->provider;
  copy->authorize_url = g_strdup (self->authorize_url);
  copy->token_url = g_strdup (self->token_url);
  copy->client_id = g_strdup (self->client_id);
  copy->client_secret = g_strdup (self->client_secret);
  copy->scopes = g_strdup (self->scopes);

  return copy;
}

void
ember_oauth_config_free (EmberOAuthConfig *self)
{
  if (self == NULL)
    return;

  g_free (self->authorize_url);
  g_free (self->token_url);
  g_free (self->client_id);
  g_free (self->client_secret);
  g_free (self->scopes);
  g_free (self);
}

gboolean
ember_oauth_provider_from_account_provider (const char          *account_provider,
                                            EmberOAuthProvider  *out_provider,
                                            GError             **error)
{
  g_return_val_if_fail (out_provider != NULL, FALSE);

  if (g_strcmp0 (account_provider, "gmail") == 0 || g_strcmp0 (account_provider, "google") == 0)
    {
      *out_provider = EMBER_OAUTH_PROVIDER_GOOGLE;
      return TRUE;
    }

  if (g_strcmp0 (account_provider, "microsoft") == 0)
    {
      *out_provider = EMBER_OAUTH_PROVIDER_MICROSOFT;
      return TRUE;
    }

  g_set_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_CONFIG,
               "Unknown account provider “%s”: expected “gmail” or “microsoft”",
               account_provider != NULL ? account_provider : "");
  return FALSE;
}

const char *
ember_oauth_provider_get_name (EmberOAuthProvider provider)
{
  switch (provider)
    {
    case EMBER_OAUTH_PROVIDER_GOOGLE:
      return "Google";
    case EMBER_OAUTH_PROVIDER_MICROSOFT:
      return "Microsoft";
    default:
      g_return_val_if_reached ("unknown");
    }
}

static char *
lookup_setting (EmberOAuthProvider  provider,
                const char         *suffix)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *key = g_strconcat (provider == EMBER_OAUTH_PROVIDER_GOOGLE ? "google-" : "microsoft-",
                                      suffix, NULL);

  /* The command line and tests may run without the schema installed. */
  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, key))
    return NULL;

  settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_string (settings, key);
}

char *
ember_oauth_resolve_client_id (EmberOAuthProvider   provider,
                               const char          *explicit_client_id,
                               const char          *account_client_id,
                               GError             **error)
{
  g_autofree char *from_settings = NULL;
  const char *build_default;

  if (explicit_client_id != NULL && *explicit_client_id != '\0')
    return g_strdup (explicit_client_id);
  if (account_client_id != NULL && *account_client_id != '\0')
    return g_strdup (account_client_id);

  from_settings = lookup_setting (provider, "client-id");
  if (from_settings != NULL && *from_settings != '\0')
    return g_steal_pointer (&from_settings);

  build_default = provider == EMBER_OAUTH_PROVIDER_GOOGLE
    ? EMBER_DEFAULT_GOOGLE_CLIENT_ID
    : EMBER_DEFAULT_MICROSOFT_CLIENT_ID;
  if (*build_default != '\0')
    return g_strdup (build_default);

  g_set_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_CONFIG,
               "No %s OAuth client id is configured: register one (see the README, "
               "“Using your own OAuth client”) and pass it with --client-id, or set the "
               "GSettings key %s-client-id",
               ember_oauth_provider_get_name (provider),
               provider == EMBER_OAUTH_PROVIDER_GOOGLE ? "google" : "microsoft");
  return NULL;
}

char *
ember_oauth_resolve_client_secret (EmberOAuthProvider  provider,
                                   const char         *explicit_client_secret)
{
  g_autofree char *from_settings = NULL;

  if (explicit_client_secret != NULL && *explicit_client_secret != '\0')
    return g_strdup (explicit_client_secret);

  from_settings = lookup_setting (provider, "client-secret");
  if (from_settings != NULL && *from_settings != '\0')
    return g_steal_pointer (&from_settings);

  return NULL;
}
