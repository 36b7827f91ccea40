/* test-fake-oauth.c: the fake OAuth servers, PKCE and bearer checks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "fake-client.h"

#define REDIRECT "http://127.0.0.1:53682/oauth2redirect"
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk.fake~verifier"

static char *
challenge_for (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  g_autofree char *b64 = NULL;
  GString *out;

  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &len);
  b64 = g_base64_encode (digest, len);
  out = g_string_new (NULL);
  for (const char *c = b64; *c && *c != '='; c++)
    g_string_append_c (out, *c == '+' ? '-' : *c == '/' ? '_' : *c);
  return g_string_free (out, FALSE);
}

typedef struct
{
  gboolean    google;
  const char *email;
} Provider;

static const Provider google = { TRUE, "alice@gmail.test" };
static const Provider microsoft = { FALSE, "carol@contoso.test" };

static char *
authorize_url (const Provider *provider,
               const char     *redirect,
               const char     *extra)
{
  g_autofree char *challenge = challenge_for (VERIFIER);
  g_autofree char *redirect_escaped = g_uri_escape_string (redirect, NULL, FALSE);
  const char *scope = provider->google
                      ? "https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fgmail.readonly%20https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcalendar.readonly"
                      : "offline_access%20Mail.Read%20Calendars.Read%20User.Read";

  return g_strdup_printf ("%s?response_type=code&client_id=ember-client&redirect_uri=%s&scope=%s"
                          "&state=st4te&code_challenge=%s&code_challenge_method=S256&login_hint=%s%s%s",
                          provider->google ? "/google/o/oauth2/v2/auth" : "/microsoft/common/oauth2/v2.0/authorize",
                          redirect_escaped, scope, challenge, provider->email,
                          provider->google ? "&access_type=offline" : "", extra != NULL ? extra : "");
}

static const char *
token_path (const Provider *provider)
{
  return provider->google ? "/google/token" : "/microsoft/common/oauth2/v2.0/token";
}

/* Follows authorize; returns the code from the 302 to the redirect URI. */
static char *
get_code (FakeFixture    *fixture,
          const Provider *provider)
{
  g_autofree char *url = authorize_url (provider, REDIRECT, NULL);
  g_autoptr(FakeReply) reply = fake_get (fixture, url, NULL);
  const char *location;
  g_autofree char *state = NULL;

  fake_assert_status (reply, 302);
  location = soup_message_headers_get_one (reply->headers, "Location");
  g_assert_nonnull (location);
  g_assert_true (g_str_has_prefix (location, REDIRECT "?"));
  state = fake_url_param (location, "state");
  g_assert_cmpstr (state, ==, "st4te");
  return fake_url_param (location, "code");
}

static FakeReply *
exchange (FakeFixture    *fixture,
          const Provider *provider,
          const char     *code,
          const char     *verifier,
          const char     *redirect)
{
  g_autofree char *code_escaped = g_uri_escape_string (code, NULL, FALSE);
  g_autofree char *redirect_escaped = g_uri_escape_string (redirect, NULL, FALSE);
  g_autofree char *form = g_strdup_printf ("grant_type=authorization_code&code=%s&redirect_uri=%s&client_id=ember-client"
                                           "&code_verifier=%s%s",
                                           code_escaped, redirect_escaped, verifier,
                                           provider->google ? "&client_secret=desktop-secret" : "");

  return fake_request (fixture, "POST", token_path (provider), NULL,
                       "application/x-www-form-urlencoded", form, NULL);
}

static FakeReply *
refresh (FakeFixture    *fixture,
         const Provider *provider,
         const char     *refresh_token)
{
  g_autofree char *escaped = g_uri_escape_string (refresh_token, NULL, FALSE);
  g_autofree char *form = g_strdup_printf ("grant_type=refresh_token&refresh_token=%s&client_id=ember-client%s",
                                           escaped, provider->google ? "&client_secret=desktop-secret" : "");

  return fake_request (fixture, "POST", token_path (provider), NULL,
                       "application/x-www-form-urlencoded", form, NULL);
}

static void
assert_oauth_error (FakeReply  *reply,
                    guint       status,
                    const char *error)
{
  JsonObject *object;

  fake_assert_status (reply, status);
  object = fake_reply_object (reply);
  fake_assert_member (object, "error", G_TYPE_STRING);
  fake_assert_member (object, "error_description", G_TYPE_STRING);
  g_assert_cmpstr (json_object_get_string_member (object, "error"), ==, error);
}

static const char *
api_path (const Provider *provider)
{
  return provider->google ? "/gmail/v1/users/me/profile" : "/v1.0/me";
}

static void
test_flow (gconstpointer data)
{
  const Provider *provider = data;
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autofree char *code = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh_token = NULL;
  g_autoptr(FakeReply) reply = NULL;
  g_autoptr(FakeReply) api = NULL;
  g_autoptr(FakeReply) refreshed = NULL;
  g_autoptr(FakeReply) again = NULL;
  g_autoptr(FakeReply) revoked = NULL;
  JsonObject *object;
  g_autoptr(GError) error = NULL;

  fake_options_init (&options);
  fixture = fake_fixture_new (&options);

  code = get_code (fixture, provider);
  g_assert_nonnull (code);
  reply = exchange (fixture, provider, code, VERIFIER, REDIRECT);
  fake_assert_status (reply, 200);
  g_assert_cmpstr (soup_message_headers_get_one (reply->headers, "Cache-Control"), ==, "no-store");
  object = fake_reply_object (reply);
  fake_assert_member (object, "access_token", G_TYPE_STRING);
  fake_assert_member (object, "refresh_token", G_TYPE_STRING);
  fake_assert_member (object, "expires_in", G_TYPE_INT64);
  fake_assert_member (object, "scope", G_TYPE_STRING);
  fake_assert_member (object, "token_type", G_TYPE_STRING);
  g_assert_cmpstr (json_object_get_string_member (object, "token_type"), ==, "Bearer");
  g_assert_cmpint (json_object_get_int_member (object, "expires_in"), ==, 3599);
  if (!provider->google)
    fake_assert_member (object, "ext_expires_in", G_TYPE_INT64);
  access = g_strdup (json_object_get_string_member (object, "access_token"));
  refresh_token = g_strdup (json_object_get_string_member (object, "refresh_token"));

  api = fake_get (fixture, api_path (provider), access);
  fake_assert_status (api, 200);

  refreshed = refresh (fixture, provider, refresh_token);
  fake_assert_status (refreshed, 200);
  object = fake_reply_object (refreshed);
  fake_assert_member (object, "access_token", G_TYPE_STRING);
  g_assert_cmpstr (json_object_get_string_member (object, "access_token"), !=, access);
  if (provider->google)
    /* Google keeps the refresh token and leaves it out of the reply. */
    g_assert_false (json_object_has_member (object, "refresh_token"));
  else
    {
      /* Entra rotates it; the old one keeps working. */
      fake_assert_member (object, "refresh_token", G_TYPE_STRING);
      g_assert_cmpstr (json_object_get_string_member (object, "refresh_token"), !=, refresh_token);
    }
  again = refresh (fixture, provider, refresh_token);
  fake_assert_status (again, 200);

  g_assert_true (ember_fake_server_revoke (fixture->server, provider->email, &error));
  g_assert_no_error (error);
  revoked = refresh (fixture, provider, refresh_token);
  assert_oauth_error (revoked, 400, "invalid_grant");
  if (provider->google)
    g_assert_cmpstr (json_object_get_string_member (fake_reply_object (revoked), "error_description"), ==,
                     "Token has been expired or revoked.");
  else
    fake_assert_member (fake_reply_object (revoked), "error_codes", JSON_TYPE_ARRAY);
  {
    /* Revocation also ends the access tokens. */
    g_autoptr(FakeReply) after = fake_get (fixture, api_path (provider), access);

    g_assert_cmpuint (after->status, ==, 401);
  }

  fake_fixture_free (fixture);
}

static void
test_pkce (gconstpointer data)
{
  const Provider *provider = data;
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autofree char *code = NULL;
  g_autofree char *code2 = NULL;
  g_autofree char *code3 = NULL;
  g_autoptr(FakeReply) wrong_verifier = NULL;
  g_autoptr(FakeReply) good = NULL;
  g_autoptr(FakeReply) reused = NULL;
  g_autoptr(FakeReply) wrong_redirect = NULL;
  g_autoptr(FakeReply) expired_code = NULL;

  fake_options_init (&options);
  options.token_ttl_seconds = 60;
  options.code_ttl_seconds = 120;
  fixture = fake_fixture_new (&options);

  /* A wrong verifier is refused, and does not burn the code. */
  code = get_code (fixture, provider);
  wrong_verifier = exchange (fixture, provider, code, "a-perfectly-valid-looking-but-wrong-verifier-0123456789", REDIRECT);
  assert_oauth_error (wrong_verifier, 400, "invalid_grant");
  if (provider->google)
    g_assert_cmpstr (json_object_get_string_member (fake_reply_object (wrong_verifier), "error_description"), ==,
                     "Invalid code verifier.");
  else
    g_assert_nonnull (strstr (json_object_get_string_member (fake_reply_object (wrong_verifier), "error_description"),
                              "AADSTS501481"));

  good = exchange (fixture, provider, code, VERIFIER, REDIRECT);
  fake_assert_status (good, 200);

  /* Codes are single-use. */
  reused = exchange (fixture, provider, code, VERIFIER, REDIRECT);
  assert_oauth_error (reused, 400, "invalid_grant");

  /* The token request must repeat the authorize redirect URI. */
  code2 = get_code (fixture, provider);
  wrong_redirect = exchange (fixture, provider, code2, VERIFIER, "http://127.0.0.1:53682/other");
  assert_oauth_error (wrong_redirect, 400, provider->google ? "redirect_uri_mismatch" : "invalid_grant");

  /* Codes are short-lived. */
  code3 = get_code (fixture, provider);
  ember_fake_server_advance_time (fixture->server, 121);
  expired_code = exchange (fixture, provider, code3, VERIFIER, REDIRECT);
  assert_oauth_error (expired_code, 400, "invalid_grant");

  /* An access token past its lifetime gets the provider's 401. */
  {
    const char *access = json_object_get_string_member (fake_reply_object (good), "access_token");
    g_autoptr(FakeReply) expired = fake_get (fixture, api_path (provider), access);
    const char *www = NULL;

    if (provider->google)
      {
        JsonObject *error;

        fake_assert_google_error (expired, 401, "authError");
        error = json_object_get_object_member (fake_reply_object (expired), "error");
        g_assert_cmpstr (json_object_get_string_member (error, "status"), ==, "UNAUTHENTICATED");
      }
    else
      {
        fake_assert_graph_error (expired, 401, "InvalidAuthenticationToken");
        g_assert_nonnull (strstr (json_object_get_string_member (json_object_get_object_member (fake_reply_object (expired), "error"), "message"),
                                  "expired"));
      }
    www = soup_message_headers_get_one (expired->headers, "WWW-Authenticate");
    g_assert_nonnull (www);
    g_assert_true (g_str_has_prefix (www, "Bearer"));
  }

  fake_fixture_free (fixture);
}

static char *
replace_challenge (const char *query,
                   const char *challenge)
{
  g_auto(GStrv) pieces = g_strsplit (query, "{C}", -1);

  return g_strjoinv (challenge, pieces);
}

static void
test_authorize_validation (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autofree char *challenge = challenge_for (VERIFIER);
  struct
  {
    const char *query;
    const char *error;    /* NULL: an error page, no redirect */
  } cases[] = {
    { "response_type=token&client_id=c&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2F&scope=s&state=x&code_challenge={C}&code_challenge_method=S256",
      "unsupported_response_type" },
    { "response_type=code&client_id=c&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2F&scope=s&state=x&code_challenge_method=S256",
      "invalid_request" },
    { "response_type=code&client_id=c&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2F&scope=s&state=x&code_challenge={C}&code_challenge_method=plain",
      "invalid_request" },
    { "response_type=code&client_id=c&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2F&scope=s&code_challenge={C}&code_challenge_method=S256",
      "invalid_request" },
    { "response_type=code&client_id=c&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2F&scope=s&state=x&code_challenge=short&code_challenge_method=S256",
      "invalid_request" },
    { "response_type=code&client_id=c&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&scope=s&state=x&code_challenge={C}&code_challenge_method=S256",
      NULL },
    { "response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2F&scope=s&state=x&code_challenge={C}&code_challenge_method=S256",
      NULL },
  };

  fake_options_init (&options);
  fixture = fake_fixture_new (&options);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *query = NULL;
      g_autofree char *url = NULL;
      g_autoptr(FakeReply) reply = NULL;

      query = replace_challenge (cases[i].query, challenge);
      url = g_strdup_printf ("/google/o/oauth2/v2/auth?%s", query);
      reply = fake_get (fixture, url, NULL);
      if (cases[i].error == NULL)
        {
          /* Nowhere safe to redirect: an error page. */
          fake_assert_status (reply, 400);
          g_assert_null (soup_message_headers_get_one (reply->headers, "Location"));
        }
      else
        {
          g_autofree char *error = NULL;

          fake_assert_status (reply, 302);
          error = fake_url_param (soup_message_headers_get_one (reply->headers, "Location"), "error");
          g_assert_cmpstr (error, ==, cases[i].error);
        }
    }

  fake_fixture_free (fixture);
}

static void
test_client_secret_rules (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autofree char *google_code = NULL;
  g_autofree char *ms_code = NULL;
  g_autofree char *form = NULL;
  g_autoptr(FakeReply) no_secret = NULL;
  g_autoptr(FakeReply) with_secret = NULL;
  g_autoptr(FakeReply) unknown_grant = NULL;

  fake_options_init (&options);
  fixture = fake_fixture_new (&options);

  google_code = get_code (fixture, &google);
  form = g_strdup_printf ("grant_type=authorization_code&code=%s&redirect_uri=%s&client_id=ember-client&code_verifier=%s",
                          google_code, REDIRECT, VERIFIER);
  no_secret = fake_request (fixture, "POST", "/google/token", NULL, "application/x-www-form-urlencoded", form, NULL);
  assert_oauth_error (no_secret, 400, "invalid_request");

  ms_code = get_code (fixture, &microsoft);
  g_free (form);
  form = g_strdup_printf ("grant_type=authorization_code&code=%s&redirect_uri=%s&client_id=ember-client"
                          "&code_verifier=%s&client_secret=oops", ms_code, REDIRECT, VERIFIER);
  with_secret = fake_request (fixture, "POST", "/microsoft/common/oauth2/v2.0/token", NULL,
                              "application/x-www-form-urlencoded", form, NULL);
  assert_oauth_error (with_secret, 401, "invalid_client");

  unknown_grant = fake_request (fixture, "POST", "/microsoft/common/oauth2/v2.0/token", NULL,
                                "application/x-www-form-urlencoded", "grant_type=password&client_id=x", NULL);
  assert_oauth_error (unknown_grant, 400, "unsupported_grant_type");

  fake_fixture_free (fixture);
}

static void
test_bearer_rules (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autofree char *google_token = NULL;
  g_autofree char *ms_token = NULL;
  g_autoptr(FakeReply) missing = NULL;
  g_autoptr(FakeReply) garbage = NULL;
  g_autoptr(FakeReply) cross = NULL;
  g_autoptr(FakeReply) graph_missing = NULL;

  fake_options_init (&options);
  fixture = fake_fixture_new (&options);
  google_token = fake_token (fixture, "alice@gmail.test");
  ms_token = fake_token (fixture, "carol@contoso.test");

  missing = fake_get (fixture, "/gmail/v1/users/me/profile", NULL);
  fake_assert_google_error (missing, 401, "required");
  garbage = fake_get (fixture, "/gmail/v1/users/me/profile", "ya29.not-a-token");
  fake_assert_google_error (garbage, 401, "authError");
  /* A Microsoft token means nothing to Google. */
  cross = fake_get (fixture, "/gmail/v1/users/me/profile", ms_token);
  fake_assert_google_error (cross, 401, "authError");
  graph_missing = fake_get (fixture, "/v1.0/me", NULL);
  fake_assert_graph_error (graph_missing, 401, "InvalidAuthenticationToken");

  {
    /* The token picks the mailbox. */
    g_autofree char *bob = fake_token (fixture, "bob@gmail.test");
    g_autoptr(FakeReply) alice_profile = fake_get (fixture, "/gmail/v1/users/me/profile", google_token);
    g_autoptr(FakeReply) bob_profile = fake_get (fixture, "/gmail/v1/users/me/profile", bob);
    g_autoptr(FakeReply) delegation = fake_get (fixture, "/gmail/v1/users/bob@gmail.test/profile", google_token);

    g_assert_cmpstr (json_object_get_string_member (fake_reply_object (alice_profile), "emailAddress"), ==, "alice@gmail.test");
    g_assert_cmpstr (json_object_get_string_member (fake_reply_object (bob_profile), "emailAddress"), ==, "bob@gmail.test");
    fake_assert_google_error (delegation, 403, "forbidden");
  }

  fake_fixture_free (fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/ember/fake/oauth/google-flow", &google, test_flow);
  g_test_add_data_func ("/ember/fake/oauth/microsoft-flow", &microsoft, test_flow);
  g_test_add_data_func ("/ember/fake/oauth/google-pkce", &google, test_pkce);
  g_test_add_data_func ("/ember/fake/oauth/microsoft-pkce", &microsoft, test_pkce);
  g_test_add_func ("/ember/fake/oauth/authorize-validation", test_authorize_validation);
  g_test_add_func ("/ember/fake/oauth/client-secret-rules", test_client_secret_rules);
  g_test_add_func ("/ember/fake/oauth/bearer-rules", test_bearer_rules);

  return g_test_run ();
}
