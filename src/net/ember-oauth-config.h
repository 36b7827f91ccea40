/* ember-oauth-config.h: OAuth 2.0 endpoints, scopes and client of one
 * provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  EMBER_OAUTH_PROVIDER_GOOGLE,
  EMBER_OAUTH_PROVIDER_MICROSOFT,
} EmberOAuthProvider;

/* Scopes asked for: read mail, read calendar, offline access. */
#define EMBER_GOOGLE_SCOPES \
  "https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/calendar.readonly"
#define EMBER_MICROSOFT_SCOPES \
  "offline_access https://graph.microsoft.com/User.Read https://graph.microsoft.com/Mail.Read " \
  "https://graph.microsoft.com/Calendars.Read"
/* Work, school and personal Microsoft accounts. */
#define EMBER_MICROSOFT_DEFAULT_TENANT "common"

typedef struct
{
  EmberOAuthProvider  provider;
  char               *authorize_url;  /* required */
  char               *token_url;      /* required */
  char               *client_id;      /* required */
  char               *client_secret;  /* NULL for a public client */
  char               *scopes;         /* space-separated */
} EmberOAuthConfig;

#define EMBER_TYPE_OAUTH_CONFIG (ember_oauth_config_get_type ())

GType             ember_oauth_config_get_type (void) G_GNUC_CONST;
/* The documented endpoints of @provider, or below @auth_base (a proxy, or
 * the fake server's BASE/google and BASE/microsoft): Google
 * AUTH_BASE/o/oauth2/v2/auth and AUTH_BASE/token; Microsoft
 * AUTH_BASE/common/oauth2/v2.0/authorize and .../token (the real bases are
 * https://accounts.google.com with token https://oauth2.googleapis.com/token,
 * and https://login.microsoftonline.com). */
EmberOAuthConfig *ember_oauth_config_new      (EmberOAuthProvider      provider,
                                               const char             *auth_base,
                                               const char             *client_id,
                                               const char             *client_secret);
EmberOAuthConfig *ember_oauth_config_copy     (const EmberOAuthConfig *self);
void              ember_oauth_config_free     (EmberOAuthConfig       *self);

/* "gmail" -> GOOGLE, "microsoft" -> MICROSOFT (the store's provider names). */
gboolean          ember_oauth_provider_from_account_provider (const char         *account_provider,
                                                              EmberOAuthProvider *out_provider,
                                                              GError            **error);
const char       *ember_oauth_provider_get_name (EmberOAuthProvider provider);

/* Picks the client id: @explicit_client_id (the command line), then
 * @account_client_id (saved with the account), then the GSettings key
 * "google-client-id" / "microsoft-client-id", then the build's default
 * (meson option google_client_id / microsoft_client_id). NULL with
 * EMBER_AUTH_ERROR_CONFIG when none is set. */
char             *ember_oauth_resolve_client_id (EmberOAuthProvider   provider,
                                                 const char          *explicit_client_id,
                                                 const char          *account_client_id,
                                                 GError             **error);

/* The client secret when one is configured: @explicit_client_secret (the
 * command line), else the GSettings key "google-client-secret" /
 * "microsoft-client-secret". NULL when none (a public client). */
char             *ember_oauth_resolve_client_secret (EmberOAuthProvider  provider,
                                                     const char         *explicit_client_secret);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberOAuthConfig, ember_oauth_config_free)

G_END_DECLS
