/* ember-fake-oauth.c: Google- and Microsoft-style OAuth 2.0 with PKCE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-fake"

#include "config.h"

#include <string.h>

#include "ember-fake-private.h"

typedef struct
{
  char              *value;
  char              *email;
  EmberFakeProvider  provider;
  char              *client_id;
  char              *redirect_uri;
  char              *challenge;
  char              *scope;
  gboolean           offline;
  gint64             expires_us;   /* monotonic */
  gboolean           used;
} Code;

typedef struct
{
  char              *value;
  char              *email;
  EmberFakeProvider  provider;
  char              *client_id;
  char              *scope;
  guint              scopes;       /* EmberFakeScopes */
  gint64             expires_us;   /* monotonic; access tokens only */
  gboolean           revoked;
} Token;

struct _EmberFakeAuth
{
  GHashTable   *codes;     /* value -> Code */
  GHashTable   *access;    /* value -> Token */
  GHashTable   *refresh;   /* value -> Token */
  EmberFakeRng  rng;
};

static const char *google_scopes_all =
  "https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/calendar.readonly "
  "openid https://www.googleapis.com/auth/userinfo.email";
static const char *microsoft_scopes_all =
  "https://graph.microsoft.com/Mail.Read https://graph.microsoft.com/Calendars.Read "
  "https://graph.microsoft.com/User.Read openid profile email offline_access";

static void
code_free (gpointer data)
{
  Code *code = data;

  g_free (code->value);
  g_free (code->email);
  g_free (code->client_id);
  g_free (code->redirect_uri);
  g_free (code->challenge);
  g_free (code->scope);
  g_free (code);
}

static void
token_free (gpointer data)
{
  Token *token = data;

  g_free (token->value);
  g_free (token->email);
  g_free (token->client_id);
  g_free (token->scope);
  g_free (token);
}

EmberFakeAuth *
ember_fake_auth_new (guint64 seed)
{
  EmberFakeAuth *self = g_new0 (EmberFakeAuth, 1);

  self->codes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, code_free);
  self->access = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, token_free);
  self->refresh = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, token_free);
  ember_fake_rng_init (&self->rng, ember_fake_mix64 (seed, 0x0a07));
  return self;
}

void
ember_fake_auth_free (EmberFakeAuth *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->codes);
  g_hash_table_unref (self->access);
  g_hash_table_unref (self->refresh);
  g_free (self);
}

static char *
new_access_value (EmberFakeAuth     *self,
                  EmberFakeProvider  provider)
{
  if (provider == EMBER_FAKE_PROVIDER_GOOGLE)
    {
      g_autofree char *body = ember_fake_random_token (&self->rng, 160);

      return g_strdup_printf ("ya29.a0%s", body);
    }
  else
    {
      /* Shaped like a JWT, and as long as Entra's (over a kilobyte). */
      g_autofree char *payload = ember_fake_random_token (&self->rng, 1100);
      g_autofree char *signature = ember_fake_random_token (&self->rng, 342);

      return g_strdup_printf ("eyJ0eXAiOiJKV1QiLCJub25jZSI6ImZha2UiLCJhbGciOiJSUzI1NiJ9.%s.%s",
                              payload, signature);
    }
}

static char *
new_refresh_value (EmberFakeAuth     *self,
                   EmberFakeProvider  provider)
{
  g_autofree char *body = ember_fake_random_token (&self->rng, provider == EMBER_FAKE_PROVIDER_GOOGLE ? 100 : 760);

  return g_strdup_printf (provider == EMBER_FAKE_PROVIDER_GOOGLE ? "1//0%s" : "0.AXoA%s", body);
}

static guint
scopes_for (const char *scope)
{
  static const char *gmail[] = {
    "https://mail.google.com/", "https://www.googleapis.com/auth/gmail.readonly",
    "https://www.googleapis.com/auth/gmail.modify", NULL };
  static const char *calendar[] = {
    "https://www.googleapis.com/auth/calendar", "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar.events", "https://www.googleapis.com/auth/calendar.events.readonly", NULL };
  static const char *graph_mail[] = { "Mail.Read", "Mail.ReadWrite", "Mail.ReadBasic", NULL };
  static const char *graph_calendar[] = { "Calendars.Read", "Calendars.ReadWrite", "Calendars.ReadBasic", NULL };
  static const char *graph_user[] = { "User.Read", "User.ReadBasic.All", "User.Read.All", NULL };
  static const struct
  {
    const char **names;
    guint        flag;
  } families[] = {
    { gmail, EMBER_FAKE_SCOPE_GMAIL },
    { calendar, EMBER_FAKE_SCOPE_CALENDAR },
    { graph_mail, EMBER_FAKE_SCOPE_GRAPH_MAIL },
    { graph_calendar, EMBER_FAKE_SCOPE_GRAPH_CALENDAR },
    { graph_user, EMBER_FAKE_SCOPE_GRAPH_USER },
  };
  g_auto(GStrv) items = g_strsplit (scope != NULL ? scope : "", " ", -1);
  guint scopes = 0;

  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *item = items[i];

      /* Graph scopes come short or fully qualified. */
      if (g_str_has_prefix (item, "https://graph.microsoft.com/"))
        item += strlen ("https://graph.microsoft.com/");
      for (guint f = 0; f < G_N_ELEMENTS (families); f++)
        for (guint k = 0; families[f].names[k] != NULL; k++)
          if (g_ascii_strcasecmp (item, families[f].names[k]) == 0)
            scopes |= families[f].flag;
      if (strcmp (item, "https://www.googleapis.com/auth/gmail.metadata") == 0)
        scopes |= EMBER_FAKE_SCOPE_GMAIL_METADATA_ONLY;
    }

  /* gmail.metadata alone: no bodies, no q. */
  if (scopes & EMBER_FAKE_SCOPE_GMAIL)
    scopes &= ~EMBER_FAKE_SCOPE_GMAIL_METADATA_ONLY;
  else if (scopes & EMBER_FAKE_SCOPE_GMAIL_METADATA_ONLY)
    scopes |= EMBER_FAKE_SCOPE_GMAIL;
  return scopes;
}

static Token *
issue (EmberFakeServer   *server,
       GHashTable        *table,
       char              *value,
       EmberFakeAccount  *account,
       const char        *client_id,
       const char        *scope,
       gboolean           access)
{
  Token *token = g_new0 (Token, 1);

  token->value = value;
  token->email = g_strdup (account->email);
  token->provider = account->provider;
  token->client_id = g_strdup (client_id);
  token->scope = g_strdup (scope);
  token->scopes = scopes_for (scope);
  if (access)
    token->expires_us = ember_fake_server_mono_us (server) +
                        (gint64) server->options.token_ttl_seconds * G_USEC_PER_SEC;
  g_hash_table_insert (table, token->value, token);
  return token;
}

gboolean
ember_fake_auth_issue_direct (EmberFakeServer   *server,
                              EmberFakeAccount  *account,
                              char             **access_token,
                              char             **refresh_token,
                              guint             *expires_in)
{
  EmberFakeAuth *self = server->auth;
  const char *scope = account->provider == EMBER_FAKE_PROVIDER_GOOGLE ? google_scopes_all : microsoft_scopes_all;
  Token *access = issue (server, self->access, new_access_value (self, account->provider),
                         account, "ember-test-client", scope, TRUE);
  Token *refresh = issue (server, self->refresh, new_refresh_value (self, account->provider),
                          account, "ember-test-client", scope, FALSE);

  if (access_token != NULL)
    *access_token = g_strdup (access->value);
  if (refresh_token != NULL)
    *refresh_token = g_strdup (refresh->value);
  if (expires_in != NULL)
    *expires_in = server->options.token_ttl_seconds;
  return TRUE;
}

void
ember_fake_auth_revoke_account (EmberFakeServer *server,
                                const char      *email)
{
  EmberFakeAuth *self = server->auth;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->refresh);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Token *token = value;

      if (strcmp (token->email, email) == 0)
        token->revoked = TRUE;
    }

  g_hash_table_iter_init (&iter, self->access);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Token *token = value;

      if (strcmp (token->email, email) == 0)
        g_hash_table_iter_remove (&iter);
    }
}

/* ------------------------------------------------------------------------ */
/* Replies.                                                                 */

static void
oauth_json_error (EmberFakeRequest  *request,
                  EmberFakeResponse *response,
                  EmberFakeProvider  provider,
                  guint              status,
                  const char        *error,
                  const char        *description,
                  guint              aadsts)
{
  GString *body = g_string_new (NULL);
  EmberFakeJson json;

  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  ember_fake_json_member_string (&json, "error", error);
  if (provider == EMBER_FAKE_PROVIDER_GOOGLE)
    ember_fake_json_member_string (&json, "error_description", description);
  else
    {
      g_autofree char *timestamp = ember_fake_format_rfc3339_utc (ember_fake_server_now_us (request->server) / G_USEC_PER_SEC);
      g_autofree char *text = g_strdup_printf ("AADSTS%u: %s\r\nTrace ID: 0f5b7a4c-0000-4000-8000-%012" G_GINT64_MODIFIER "x\r\n"
                                               "Correlation ID: 6c1a0b2e-0000-4000-8000-%012" G_GINT64_MODIFIER "x\r\nTimestamp: %s",
                                               aadsts, description, request->seq, request->seq, timestamp);
      g_autofree char *uri = g_strdup_printf ("https://login.microsoftonline.com/error?code=%u", aadsts);

      ember_fake_json_member_string (&json, "error_description", text);
      ember_fake_json_key (&json, "error_codes");
      ember_fake_json_begin_array (&json);
      ember_fake_json_int (&json, aadsts);
      ember_fake_json_end_array (&json);
      ember_fake_json_member_string (&json, "timestamp", timestamp);
      ember_fake_json_member_string (&json, "trace_id", "0f5b7a4c-0000-4000-8000-000000000000");
      ember_fake_json_member_string (&json, "correlation_id", "6c1a0b2e-0000-4000-8000-000000000000");
      ember_fake_json_member_string (&json, "error_uri", uri);
    }
  ember_fake_json_end_object (&json);

  ember_fake_response_set_json (response, status, body);
  ember_fake_response_add_header (response, "Cache-Control", "no-store");
  ember_fake_response_add_header (response, "Pragma", "no-cache");
}

static void
error_page (EmberFakeResponse *response,
            const char        *error,
            const char        *description)
{
  g_autofree char *escaped = g_markup_escape_text (description, -1);

  ember_fake_response_reset (response);
  response->status = 400;
  response->content_type = g_strdup ("text/html; charset=utf-8");
  g_string_printf (response->body,
                   "<!DOCTYPE html><html><head><title>Error 400 (%s)</title></head>"
                   "<body><h1>Access blocked: authorization error</h1><p>Error 400: %s</p><p>%s</p></body></html>\n",
                   error, error, escaped);
}

static void
append_param (GString    *uri,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_c (uri, strchr (uri->str, '?') != NULL ? '&' : '?');
  g_string_append_printf (uri, "%s=%s", name, escaped);
}

static void
redirect (EmberFakeResponse *response,
          GString           *location)
{
  ember_fake_response_reset (response);
  response->status = 302;
  ember_fake_response_add_header (response, "Location", location->str);
  response->content_type = g_strdup ("text/html; charset=UTF-8");
  g_string_assign (response->body, "<HTML><HEAD><TITLE>Moved Temporarily</TITLE></HEAD><BODY>Moved</BODY></HTML>\n");
}

static void
redirect_error (EmberFakeResponse *response,
                const char        *redirect_uri,
                const char        *error,
                const char        *description,
                const char        *state)
{
  g_autoptr(GString) location = g_string_new (redirect_uri);

  append_param (location, "error", error);
  append_param (location, "error_description", description);
  if (state != NULL)
    append_param (location, "state", state);
  redirect (response, location);
}

/* RFC 8252 §7.3: http, a loopback literal (or localhost), any port. */
static gboolean
is_loopback_redirect (const char *uri_text)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;

  if (uri_text == NULL)
    return FALSE;
  uri = g_uri_parse (uri_text, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "http") != 0)
    return FALSE;
  host = g_uri_get_host (uri);
  return g_strcmp0 (host, "127.0.0.1") == 0 || g_strcmp0 (host, "::1") == 0 ||
         g_strcmp0 (host, "[::1]") == 0 || g_strcmp0 (host, "localhost") == 0;
}

static gboolean
valid_pkce_string (const char *value)
{
  gsize len = value != NULL ? strlen (value) : 0;

  if (len < 43 || len > 128)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (value[i]) && strchr ("-._~", value[i]) == NULL)
      return FALSE;
  return TRUE;
}

static char *
s256 (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;

  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &len);
  return ember_fake_base64url_encode_unpadded (digest, len);
}

static gboolean
scope_contains (const char *scope,
                const char *wanted)
{
  g_auto(GStrv) items = NULL;

  if (scope == NULL)
    return FALSE;
  items = g_strsplit (scope, " ", -1);
  for (guint i = 0; items[i] != NULL; i++)
    if (g_ascii_strcasecmp (items[i], wanted) == 0)
      return TRUE;
  return FALSE;
}

static EmberFakeAccount *
first_account (EmberFakeServer   *server,
               EmberFakeProvider  provider)
{
  for (guint i = 0; i < server->dataset->accounts->len; i++)
    {
      EmberFakeAccount *account = g_ptr_array_index (server->dataset->accounts, i);

      if (account->provider == provider)
        return account;
    }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Endpoints.                                                              */

static void
authorize (EmberFakeRequest  *request,
           EmberFakeResponse *response,
           EmberFakeProvider  provider)
{
  EmberFakeServer *server = request->server;
  EmberFakeAuth *self = server->auth;
  gboolean google = provider == EMBER_FAKE_PROVIDER_GOOGLE;
  const char *client_id = ember_fake_request_param (request, "client_id");
  const char *redirect_uri = ember_fake_request_param (request, "redirect_uri");
  const char *response_type = ember_fake_request_param (request, "response_type");
  const char *state = ember_fake_request_param (request, "state");
  const char *scope = ember_fake_request_param (request, "scope");
  const char *challenge = ember_fake_request_param (request, "code_challenge");
  const char *method = ember_fake_request_param (request, "code_challenge_method");
  const char *login_hint = ember_fake_request_param (request, "login_hint");
  const char *access_type = ember_fake_request_param (request, "access_type");
  EmberFakeAccount *account;
  g_autoptr(GString) location = NULL;
  g_autofree char *code_body = NULL;
  Code *code;

  /* Without a client or a valid redirect there is nowhere safe to send
   * the error: show it (RFC 6749 §4.1.2.1). */
  if (client_id == NULL || *client_id == '\0')
    {
      error_page (response, "invalid_request", google ? "Missing required parameter: client_id"
                                                      : "AADSTS900144: The request body must contain the following parameter: 'client_id'.");
      return;
    }
  if (redirect_uri == NULL)
    {
      error_page (response, "invalid_request", "Missing required parameter: redirect_uri");
      return;
    }
  if (!is_loopback_redirect (redirect_uri))
    {
      error_page (response, google ? "redirect_uri_mismatch" : "invalid_request",
                  google ? "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy: "
                           "desktop clients must use a loopback redirect_uri."
                         : "AADSTS50011: The redirect URI specified in the request does not match the redirect URIs "
                           "configured for the application.");
      return;
    }

  if (g_strcmp0 (response_type, "code") != 0)
    {
      redirect_error (response, redirect_uri, response_type == NULL ? "invalid_request" : "unsupported_response_type",
                      response_type == NULL ? "Missing required parameter: response_type"
                                            : "Only response_type=code is supported.", state);
      return;
    }
  if (scope == NULL || *scope == '\0')
    {
      redirect_error (response, redirect_uri, "invalid_request", "Missing required parameter: scope", state);
      return;
    }
  if (state == NULL || *state == '\0')
    {
      redirect_error (response, redirect_uri, "invalid_request", "Missing required parameter: state", state);
      return;
    }
  if (challenge == NULL)
    {
      redirect_error (response, redirect_uri, "invalid_request",
                      "Missing required parameter: code_challenge (PKCE is required for native clients)", state);
      return;
    }
  if (g_strcmp0 (method, "S256") != 0)
    {
      redirect_error (response, redirect_uri, "invalid_request",
                      "Invalid code_challenge_method: only S256 is accepted.", state);
      return;
    }
  if (!valid_pkce_string (challenge))
    {
      redirect_error (response, redirect_uri, "invalid_request",
                      "Invalid code_challenge: 43 to 128 characters from [A-Za-z0-9-._~].", state);
      return;
    }

  account = login_hint != NULL ? ember_fake_dataset_lookup (server->dataset, login_hint)
                               : first_account (server, provider);
  if (account == NULL || account->provider != provider)
    {
      redirect_error (response, redirect_uri, "access_denied",
                      "The user has no account on this identity provider.", state);
      return;
    }

  code_body = ember_fake_random_token (&self->rng, google ? 70 : 600);
  code = g_new0 (Code, 1);
  code->value = g_strdup_printf ("%s%s", google ? "4/0A" : "0.AXoA", code_body);
  code->email = g_strdup (account->email);
  code->provider = provider;
  code->client_id = g_strdup (client_id);
  code->redirect_uri = g_strdup (redirect_uri);
  code->challenge = g_strdup (challenge);
  code->scope = g_strdup (scope);
  code->offline = google ? g_strcmp0 (access_type, "offline") == 0 : scope_contains (scope, "offline_access");
  code->expires_us = ember_fake_server_mono_us (server) +
                     (gint64) server->options.code_ttl_seconds * G_USEC_PER_SEC;
  g_hash_table_insert (self->codes, code->value, code);

  location = g_string_new (redirect_uri);
  if (google)
    {
      append_param (location, "state", state);
      append_param (location, "code", code->value);
      append_param (location, "scope", scope);
    }
  else
    {
      append_param (location, "code", code->value);
      append_param (location, "state", state);
      append_param (location, "session_state", "5f9c3a2e-0000-4000-8000-00000000fa7e");
    }
  redirect (response, location);
  response->account = g_strdup (account->email);
}

static void
token_reply (EmberFakeRequest  *request,
             EmberFakeResponse *response,
             EmberFakeProvider  provider,
             Token             *access,
             Token             *refresh)
{
  EmberFakeServer *server = request->server;
  GString *body = g_string_new (NULL);
  EmberFakeJson json;
  guint expires_in = server->options.token_ttl_seconds > 1 ? server->options.token_ttl_seconds - 1 : 1;

  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  if (provider == EMBER_FAKE_PROVIDER_GOOGLE)
    {
      ember_fake_json_member_string (&json, "access_token", access->value);
      ember_fake_json_member_int (&json, "expires_in", expires_in);
      if (refresh != NULL)
        ember_fake_json_member_string (&json, "refresh_token", refresh->value);
      ember_fake_json_member_string (&json, "scope", access->scope);
      ember_fake_json_member_string (&json, "token_type", "Bearer");
      if (scope_contains (access->scope, "openid"))
        ember_fake_json_member_string (&json, "id_token",
                                       "eyJhbGciOiJSUzI1NiIsImtpZCI6ImZha2UifQ.eyJpc3MiOiJmYWtlIn0.c2lnbmF0dXJl");
    }
  else
    {
      ember_fake_json_member_string (&json, "token_type", "Bearer");
      ember_fake_json_member_string (&json, "scope", access->scope);
      ember_fake_json_member_int (&json, "expires_in", expires_in);
      ember_fake_json_member_int (&json, "ext_expires_in", expires_in);
      ember_fake_json_member_string (&json, "access_token", access->value);
      if (refresh != NULL)
        ember_fake_json_member_string (&json, "refresh_token", refresh->value);
      if (scope_contains (access->scope, "openid"))
        ember_fake_json_member_string (&json, "id_token",
                                       "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJmYWtlIn0.c2lnbmF0dXJl");
    }
  ember_fake_json_end_object (&json);

  ember_fake_response_set_json (response, 200, body);
  ember_fake_response_add_header (response, "Cache-Control", "no-store");
  ember_fake_response_add_header (response, "Pragma", "no-cache");
  response->account = g_strdup (access->email);
}

static char *
granted_scope (EmberFakeProvider  provider,
               const char        *requested)
{
  if (provider == EMBER_FAKE_PROVIDER_GOOGLE)
    return g_strdup (requested);
  else
    {
      /* Entra answers with fully qualified Graph scopes and leaves
       * offline_access out of "scope". */
      g_auto(GStrv) items = g_strsplit (requested, " ", -1);
      GString *out = g_string_new (NULL);

      for (guint i = 0; items[i] != NULL; i++)
        {
          const char *item = items[i];

          if (*item == '\0' || g_ascii_strcasecmp (item, "offline_access") == 0)
            continue;
          if (out->len > 0)
            g_string_append_c (out, ' ');
          if (strchr (item, '/') == NULL && strchr (item, '.') != NULL)
            g_string_append_printf (out, "https://graph.microsoft.com/%s", item);
          else
            g_string_append (out, item);
        }
      return g_string_free (out, FALSE);
    }
}

static void
token_endpoint (EmberFakeRequest  *request,
                EmberFakeResponse *response,
                EmberFakeProvider  provider)
{
  EmberFakeServer *server = request->server;
  EmberFakeAuth *self = server->auth;
  gboolean google = provider == EMBER_FAKE_PROVIDER_GOOGLE;
  const char *content_type = ember_fake_request_header (request, "Content-Type");
  g_autoptr(EmberFakeRequest) form = NULL;
  g_autofree char *form_text = NULL;
  const char *grant_type;
  const char *client_id;
  const char *client_secret;
  gint64 now_us = ember_fake_server_mono_us (server);

  if (strcmp (request->method, "POST") != 0)
    {
      oauth_json_error (request, response, provider, 405, "invalid_request", "The token endpoint only accepts POST.", 900561);
      return;
    }
  if (content_type == NULL || !g_str_has_prefix (content_type, "application/x-www-form-urlencoded"))
    {
      oauth_json_error (request, response, provider, 400, "invalid_request",
                        "The request body must be application/x-www-form-urlencoded.", 900144);
      return;
    }

  form_text = g_strndup (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body));
  form = ember_fake_request_new (server, "POST", request->path, form_text, NULL, NULL);
  form->seq = request->seq;
  grant_type = ember_fake_request_param (form, "grant_type");
  client_id = ember_fake_request_param (form, "client_id");
  client_secret = ember_fake_request_param (form, "client_secret");

  if (grant_type == NULL)
    {
      oauth_json_error (request, response, provider, 400, "invalid_request",
                        google ? "Missing required parameter: grant_type"
                               : "The request body must contain the following parameter: 'grant_type'.", 900144);
      return;
    }
  if (client_id == NULL)
    {
      oauth_json_error (request, response, provider, 400, "invalid_request",
                        google ? "Could not determine client ID from request."
                               : "The request body must contain the following parameter: 'client_id'.", 900144);
      return;
    }
  /* Google desktop clients must send their (not so secret) secret; Entra
   * refuses one from a public client. */
  if (google && (client_secret == NULL || *client_secret == '\0'))
    {
      oauth_json_error (request, response, provider, 400, "invalid_request", "client_secret is missing.", 0);
      return;
    }
  if (!google && client_secret != NULL)
    {
      oauth_json_error (request, response, provider, 401, "invalid_client",
                        "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
                        700025);
      return;
    }

  if (strcmp (grant_type, "authorization_code") == 0)
    {
      const char *code_value = ember_fake_request_param (form, "code");
      const char *redirect_uri = ember_fake_request_param (form, "redirect_uri");
      const char *verifier = ember_fake_request_param (form, "code_verifier");
      Code *code = code_value != NULL ? g_hash_table_lookup (self->codes, code_value) : NULL;
      EmberFakeAccount *account;
      g_autofree char *computed = NULL;
      g_autofree char *scope = NULL;
      Token *access;
      Token *refresh = NULL;

      if (code_value == NULL)
        {
          oauth_json_error (request, response, provider, 400, "invalid_request",
                            google ? "Missing required parameter: code"
                                   : "The request body must contain the following parameter: 'code'.", 900144);
          return;
        }
      if (code == NULL || code->provider != provider)
        {
          oauth_json_error (request, response, provider, 400, "invalid_grant",
                            google ? "Malformed auth code." : "Malformed or invalid authorization code.", 9002313);
          return;
        }
      if (code->used)
        {
          oauth_json_error (request, response, provider, 400, "invalid_grant",
                            google ? "Bad Request" : "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
                            54005);
          return;
        }
      if (now_us >= code->expires_us)
        {
          oauth_json_error (request, response, provider, 400, "invalid_grant",
                            google ? "Bad Request" : "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
                            70008);
          return;
        }
      if (strcmp (code->client_id, client_id) != 0)
        {
          oauth_json_error (request, response, provider, google ? 401 : 400,
                            google ? "unauthorized_client" : "invalid_grant",
                            google ? "Unauthorized" : "The provided authorization code was issued to a different client.", 70000);
          return;
        }
      if (g_strcmp0 (code->redirect_uri, redirect_uri) != 0)
        {
          if (google)
            oauth_json_error (request, response, provider, 400, "redirect_uri_mismatch", "Bad Request", 0);
          else
            oauth_json_error (request, response, provider, 400, "invalid_grant",
                              "The reply address used to redeem the authorization code does not match the one used "
                              "to request it.", 500112);
          return;
        }
      if (verifier == NULL)
        {
          oauth_json_error (request, response, provider, 400, "invalid_request",
                            google ? "Missing code verifier." : "The request body must contain the following parameter: 'code_verifier'.",
                            900144);
          return;
        }
      computed = valid_pkce_string (verifier) ? s256 (verifier) : NULL;
      if (computed == NULL || strcmp (computed, code->challenge) != 0)
        {
          oauth_json_error (request, response, provider, 400, "invalid_grant",
                            google ? "Invalid code verifier." : "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
                            501481);
          return;
        }

      account = ember_fake_dataset_lookup (server->dataset, code->email);
      code->used = TRUE;
      scope = granted_scope (provider, code->scope);
      access = issue (server, self->access, new_access_value (self, provider), account, client_id, scope, TRUE);
      if (code->offline)
        refresh = issue (server, self->refresh, new_refresh_value (self, provider), account, client_id, scope, FALSE);
      token_reply (request, response, provider, access, refresh);
      return;
    }

  if (strcmp (grant_type, "refresh_token") == 0)
    {
      const char *value = ember_fake_request_param (form, "refresh_token");
      Token *old = value != NULL ? g_hash_table_lookup (self->refresh, value) : NULL;
      EmberFakeAccount *account;
      Token *access;
      Token *rotated = NULL;

      if (value == NULL)
        {
          oauth_json_error (request, response, provider, 400, "invalid_request",
                            google ? "Missing required parameter: refresh_token"
                                   : "The request body must contain the following parameter: 'refresh_token'.", 900144);
          return;
        }
      if (old == NULL || old->revoked || old->provider != provider)
        {
          oauth_json_error (request, response, provider, 400, "invalid_grant",
                            google ? "Token has been expired or revoked."
                                   : "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access or because the user revoked it.",
                            700082);
          return;
        }
      if (strcmp (old->client_id, client_id) != 0 && strcmp (old->client_id, "ember-test-client") != 0)
        {
          oauth_json_error (request, response, provider, google ? 401 : 400,
                            google ? "unauthorized_client" : "invalid_grant",
                            google ? "Unauthorized" : "The refresh token was issued to a different client.", 700024);
          return;
        }

      account = ember_fake_dataset_lookup (server->dataset, old->email);
      access = issue (server, self->access, new_access_value (self, provider), account, client_id, old->scope, TRUE);
      /* Entra rotates refresh tokens (the old one stays valid); Google
       * keeps the same one and leaves it out of the reply. */
      if (!google)
        rotated = issue (server, self->refresh, new_refresh_value (self, provider), account, client_id, old->scope, FALSE);
      token_reply (request, response, provider, access, rotated);
      return;
    }

  oauth_json_error (request, response, provider, 400, "unsupported_grant_type",
                    google ? "Invalid grant_type: only authorization_code and refresh_token are supported."
                           : "The provided value for the input parameter 'grant_type' is not valid.", 70003);
}

gboolean
ember_fake_oauth_handle (EmberFakeRequest  *request,
                         EmberFakeResponse *response)
{
  g_auto(GStrv) segments = NULL;

  if (strcmp (request->path, "/google/o/oauth2/v2/auth") == 0)
    {
      authorize (request, response, EMBER_FAKE_PROVIDER_GOOGLE);
      return TRUE;
    }
  if (strcmp (request->path, "/google/token") == 0)
    {
      token_endpoint (request, response, EMBER_FAKE_PROVIDER_GOOGLE);
      return TRUE;
    }

  /* /microsoft/{tenant}/oauth2/v2.0/(authorize|token) */
  segments = ember_fake_request_segments (request, "/microsoft/");
  if (segments != NULL && g_strv_length (segments) == 4 && *segments[0] != '\0' &&
      strcmp (segments[1], "oauth2") == 0 && strcmp (segments[2], "v2.0") == 0)
    {
      if (strcmp (segments[3], "authorize") == 0)
        {
          authorize (request, response, EMBER_FAKE_PROVIDER_MICROSOFT);
          return TRUE;
        }
      if (strcmp (segments[3], "token") == 0)
        {
          token_endpoint (request, response, EMBER_FAKE_PROVIDER_MICROSOFT);
          return TRUE;
        }
    }
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* Bearer tokens on API requests.                                           */

gboolean
ember_fake_oauth_authenticate (EmberFakeRequest  *request,
                               EmberFakeResponse *response,
                               EmberFakeProvider  provider,
                               guint              required)
{
  EmberFakeServer *server = request->server;
  const char *header = ember_fake_request_header (request, "Authorization");
  const char *value = NULL;
  Token *token = NULL;
  gboolean expired = FALSE;
  gboolean google = provider == EMBER_FAKE_PROVIDER_GOOGLE;

  if (header != NULL && g_ascii_strncasecmp (header, "Bearer ", 7) == 0)
    {
      value = header + 7;
      while (*value == ' ')
        value++;
      token = g_hash_table_lookup (server->auth->access, value);
      if (token != NULL && token->provider != provider)
        token = NULL;
      if (token != NULL && ember_fake_server_mono_us (server) >= token->expires_us)
        {
          expired = TRUE;
          token = NULL;
        }
    }

  if (token == NULL)
    {
      if (google)
        {
          if (value == NULL)
            ember_fake_google_error (response, 401, "UNAUTHENTICATED", "global", "required",
                                     "Request is missing required authentication credential. Expected OAuth 2 access token, "
                                     "login cookie or other valid authentication credential. "
                                     "See https://developers.google.com/identity/sign-in/web/devconsole-project.",
                                     "header", "Authorization");
          else
            ember_fake_google_error (response, 401, "UNAUTHENTICATED", "global", "authError",
                                     "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                                     "login cookie or other valid authentication credential. "
                                     "See https://developers.google.com/identity/sign-in/web/devconsole-project.",
                                     "header", "Authorization");
          ember_fake_response_add_header (response, "WWW-Authenticate",
                                          value == NULL ? "Bearer realm=\"https://accounts.google.com/\""
                                                        : "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"");
        }
      else
        {
          ember_fake_graph_error (request, response, 401, "InvalidAuthenticationToken",
                                  value == NULL ? "Access token is empty."
                                  : expired ? "Lifetime validation failed, the token is expired."
                                  : "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format.");
          ember_fake_response_add_header (response, "WWW-Authenticate",
                                          "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", "
                                          "client_id=\"00000003-0000-0000-c000-000000000000\"");
        }
      g_free (response->fault);
      response->fault = g_strdup (expired ? "expired-token" : "bad-token");
      return FALSE;
    }

  request->account = ember_fake_dataset_lookup (server->dataset, token->email);
  request->scopes = token->scopes;
  g_free (response->account);
  response->account = g_strdup (token->email);

  if ((token->scopes & required) == 0)
    {
      if (google)
        ember_fake_google_error (response, 403, "PERMISSION_DENIED", "global", "insufficientPermissions",
                                 "Request had insufficient authentication scopes.", NULL, NULL);
      else
        ember_fake_graph_error (request, response, 403, "ErrorAccessDenied",
                                "Access is denied. Check credentials and try again.");
      return FALSE;
    }
  return TRUE;
}
