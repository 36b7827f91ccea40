/* test-accounts-setup.c: EmberAccountSetup and account removal against the
 * fake server (GLib only: what the accounts pane and the demo run)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "ember-account-setup.h"
#include "ember-accounts.h"
#include "ember-error.h"
#include "ember-fake-server.h"
#include "ember-memory-token-store.h"
#include "ember-test-utils.h"

#define TEST_CLIENT_ID     "test-client"
#define TEST_CLIENT_SECRET "test-client-secret"

typedef struct
{
  EmberFakeServer *server;
  EmberStore      *store;
  EmberTokenStore *tokens;
  EmberHttpClient *client;
  char            *data_dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  EmberFakeServerOptions options;

  ember_fake_server_options_init (&options);
  options.n_messages = 5;
  options.n_events = 2;
  fixture->server = ember_fake_server_new (&options);
  g_assert_true (ember_fake_server_start (fixture->server, &error));
  g_assert_no_error (error);

  fixture->data_dir = g_build_filename (ember_test_get_tmpdir (), "setup-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (fixture->data_dir));
  fixture->store = ember_store_new_sync (fixture->data_dir, NULL, &error);
  g_assert_no_error (error);
  fixture->tokens = ember_memory_token_store_new ();
  fixture->client = ember_http_client_new (ember_clock_get_default ());
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  ember_fake_server_stop (fixture->server);
  g_clear_object (&fixture->server);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->tokens);
  g_clear_object (&fixture->store);
  g_clear_pointer (&fixture->data_dir, g_free);
}

static EmberAccountSetup *
new_setup (Fixture    *fixture,
           const char *provider,
           const char *email)
{
  EmberAccountSetup *setup = ember_account_setup_new (fixture->client, fixture->store, fixture->tokens,
                                                      provider, email);
  const char *base = ember_fake_server_get_base_uri (fixture->server);
  g_autofree char *auth_base = g_strconcat (base, g_strcmp0 (provider, "gmail") == 0 ? "/google" : "/microsoft", NULL);
  g_autofree char *api_base = g_strcmp0 (provider, "gmail") == 0 ? g_strdup (base) : g_strconcat (base, "/v1.0", NULL);

  ember_account_setup_set_api_base (setup, api_base);
  ember_account_setup_set_auth_base (setup, auth_base);
  /* Only Google's token endpoint wants (and Microsoft's refuses) a secret
   * from a public client. */
  ember_account_setup_set_client (setup, TEST_CLIENT_ID,
                                  g_strcmp0 (provider, "gmail") == 0 ? TEST_CLIENT_SECRET : NULL);
  return setup;
}

/* The browser: GET the URL and follow the redirects, as a browser whose
 * person consents does. Returns the final HTTP status. */
static guint
browse (const char *url)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  return soup_message_get_status (message);
}

typedef struct
{
  char *url;
  guint status;
} Browser;

static gpointer
browser_thread (gpointer data)
{
  Browser *browser = data;

  browser->status = browse (browser->url);
  return NULL;
}

typedef struct
{
  GAsyncResult *result;
} Waiter;

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return ((Waiter *) data)->result != NULL;
}

/* The person picks another account in the browser than the one Ember
 * suggested: without login_hint the fake signs in the provider's first
 * account (alice@gmail.test, carol@contoso.test). */
static char *
without_login_hint (const char *url)
{
  g_autoptr(GRegex) regex = g_regex_new ("&login_hint=[^&]*", 0, 0, NULL);

  return g_regex_replace_literal (regex, url, -1, 0, "", 0, NULL);
}

static gint64 sign_in_with (EmberAccountSetup *setup, gboolean other_account, GError **error);

/* Runs the setup while a "browser" thread consents; returns the id. */
static gint64
sign_in (EmberAccountSetup  *setup,
         GError            **error)
{
  return sign_in_with (setup, FALSE, error);
}

static gint64
sign_in_with (EmberAccountSetup  *setup,
              gboolean            other_account,
              GError            **error)
{
  Waiter waiter = { NULL };
  Browser browser = { NULL, 0 };
  GThread *thread;
  gint64 account_id;

  if (!ember_account_setup_start (setup, error))
    return 0;

  ember_account_setup_run_async (setup, NULL, store_result_cb, &waiter);
  browser.url = other_account ? without_login_hint (ember_account_setup_get_authorization_url (setup))
                              : g_strdup (ember_account_setup_get_authorization_url (setup));
  g_assert_true (other_account == (strstr (browser.url, "login_hint") == NULL));
  thread = g_thread_new ("browser", browser_thread, &browser);
  g_assert_true (ember_test_wait_for (has_result, &waiter, 20000));
  g_thread_join (thread);
  /* The loopback listener shows the person a page saying it worked. */
  g_assert_cmpuint (browser.status, ==, 200);
  g_free (browser.url);

  account_id = ember_account_setup_run_finish (setup, waiter.result, error);
  g_object_unref (waiter.result);
  return account_id;
}

static char *
lookup_secret (Fixture        *fixture,
               gint64          account_id,
               EmberTokenKind  kind)
{
  g_autoptr(GError) error = NULL;
  char *secret = NULL;

  g_assert_true (ember_token_store_lookup_sync (fixture->tokens, account_id, kind, &secret, NULL, NULL, &error));
  g_assert_no_error (error);
  return secret;
}

static guint
count_accounts (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = ember_store_list_accounts_sync (fixture->store, NULL, &error);

  g_assert_no_error (error);
  return accounts->len;
}

static void
test_adds_google_account (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(EmberAccountSetup) setup = new_setup (fixture, "gmail", "alice@gmail.test");
  g_autoptr(EmberAccountRecord) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *access = NULL;
  g_autofree char *secret = NULL;
  gint64 account_id;

  account_id = sign_in (setup, &error);
  g_assert_no_error (error);
  g_assert_cmpint (account_id, >, 0);
  g_assert_cmpint (ember_account_setup_get_account_id (setup), ==, account_id);

  account = ember_store_get_account_sync (fixture->store, account_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (account->provider, ==, "gmail");
  g_assert_cmpstr (account->email, ==, "alice@gmail.test");
  g_assert_cmpstr (account->api_base, ==, ember_fake_server_get_base_uri (fixture->server));
  g_assert_true (g_str_has_suffix (account->auth_base, "/google"));
  g_assert_cmpstr (account->client_id, ==, TEST_CLIENT_ID);
  g_assert_true (account->mail_enabled);
  g_assert_true (account->calendar_enabled);

  /* Secrets in the token store, none in the database. */
  refresh = lookup_secret (fixture, account_id, EMBER_TOKEN_KIND_REFRESH);
  access = lookup_secret (fixture, account_id, EMBER_TOKEN_KIND_ACCESS);
  secret = lookup_secret (fixture, account_id, EMBER_TOKEN_KIND_CLIENT_SECRET);
  g_assert_nonnull (refresh);
  g_assert_nonnull (access);
  g_assert_cmpstr (secret, ==, TEST_CLIENT_SECRET);

  /* The code went through the fake's token endpoint exactly once. */
  g_assert_cmpuint (ember_fake_server_count_requests (fixture->server, "POST", "/google/token", 200), ==, 1);
}

static void
test_adds_microsoft_account (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(EmberAccountSetup) setup = new_setup (fixture, "microsoft", "carol@contoso.test");
  g_autoptr(EmberAccountRecord) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *secret = NULL;
  gint64 account_id;

  account_id = sign_in (setup, &error);
  g_assert_no_error (error);
  g_assert_cmpint (account_id, >, 0);

  account = ember_store_get_account_sync (fixture->store, account_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (account->provider, ==, "microsoft");
  g_assert_cmpstr (account->email, ==, "carol@contoso.test");
  refresh = lookup_secret (fixture, account_id, EMBER_TOKEN_KIND_REFRESH);
  secret = lookup_secret (fixture, account_id, EMBER_TOKEN_KIND_CLIENT_SECRET);
  g_assert_nonnull (refresh);
  g_assert_null (secret);
}

static void
test_refuses_duplicate_before_browser (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autoptr(EmberAccountSetup) first = new_setup (fixture, "gmail", "alice@gmail.test");
  g_autoptr(EmberAccountSetup) second = new_setup (fixture, "gmail", "Alice@Gmail.test");
  g_autoptr(GError) error = NULL;
  guint n_secrets;

  g_assert_cmpint (sign_in (first, &error), >, 0);
  g_assert_no_error (error);
  n_secrets = ember_memory_token_store_get_n_secrets (EMBER_MEMORY_TOKEN_STORE (fixture->tokens));

  /* No browser: the run must end by itself, at once. */
  g_assert_true (ember_account_setup_start (second, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ember_account_setup_run_sync (second, NULL, &error), ==, 0);
  g_assert_error (error, EMBER_SYNC_ERROR, EMBER_SYNC_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "already set up"));

  g_assert_cmpuint (count_accounts (fixture), ==, 1);
  g_assert_cmpuint (ember_memory_token_store_get_n_secrets (EMBER_MEMORY_TOKEN_STORE (fixture->tokens)), ==, n_secrets);
}

static gboolean
cancel_setup_cb (gpointer data)
{
  ember_account_setup_cancel (EMBER_ACCOUNT_SETUP (data));
  return G_SOURCE_REMOVE;
}

static void
test_cancel_stores_nothing (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(EmberAccountSetup) setup = new_setup (fixture, "gmail", "alice@gmail.test");
  g_autoptr(GError) error = NULL;
  Waiter waiter = { NULL };

  g_assert_true (ember_account_setup_start (setup, &error));
  ember_account_setup_run_async (setup, NULL, store_result_cb, &waiter);
  g_timeout_add (100, cancel_setup_cb, setup);
  g_assert_true (ember_test_wait_for (has_result, &waiter, 10000));

  g_assert_cmpint (ember_account_setup_run_finish (setup, waiter.result, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_object_unref (waiter.result);

  g_assert_cmpuint (count_accounts (fixture), ==, 0);
  g_assert_cmpuint (ember_memory_token_store_get_n_secrets (EMBER_MEMORY_TOKEN_STORE (fixture->tokens)), ==, 0);
  g_assert_cmpuint (ember_fake_server_count_requests (fixture->server, "POST", "/google/token", 0), ==, 0);
}

static void
test_access_denied (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(EmberAccountSetup) setup = new_setup (fixture, "gmail", "alice@gmail.test");
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *escaped_state = NULL;
  g_autofree char *denied = NULL;
  Browser browser = { NULL, 0 };
  Waiter waiter = { NULL };
  GThread *thread;

  g_assert_true (ember_account_setup_start (setup, &error));
  g_assert_no_error (error);
  ember_account_setup_run_async (setup, NULL, store_result_cb, &waiter);

  /* The person says no: the provider sends the browser back with an
   * error instead of a code. */
  uri = g_uri_parse (ember_account_setup_get_authorization_url (setup), G_URI_FLAGS_ENCODED_QUERY, &error);
  g_assert_no_error (error);
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, &error);
  g_assert_no_error (error);
  escaped_state = g_uri_escape_string (g_hash_table_lookup (params, "state"), NULL, FALSE);
  denied = g_strconcat (g_hash_table_lookup (params, "redirect_uri"),
                        "?error=access_denied&state=", escaped_state, NULL);
  browser.url = denied;
  thread = g_thread_new ("browser", browser_thread, &browser);
  g_assert_true (ember_test_wait_for (has_result, &waiter, 20000));
  g_thread_join (thread);

  g_assert_cmpint (ember_account_setup_run_finish (setup, waiter.result, &error), ==, 0);
  g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_ACCESS_DENIED);
  g_object_unref (waiter.result);
  g_assert_cmpuint (count_accounts (fixture), ==, 0);
  g_assert_cmpuint (ember_memory_token_store_get_n_secrets (EMBER_MEMORY_TOKEN_STORE (fixture->tokens)), ==, 0);
}

static void
test_no_keyring_keeps_no_account (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(EmberAccountSetup) setup = new_setup (fixture, "gmail", "alice@gmail.test");
  g_autoptr(GError) error = NULL;

  ember_memory_token_store_set_available (EMBER_MEMORY_TOKEN_STORE (fixture->tokens), FALSE);
  g_assert_cmpint (sign_in (setup, &error), ==, 0);
  g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NO_KEYRING);

  /* The account row went in first and had to come out again. */
  g_assert_cmpuint (count_accounts (fixture), ==, 0);
}

static void
test_sign_in_again_replaces_tokens (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(EmberAccountSetup) setup = new_setup (fixture, "gmail", "alice@gmail.test");
  g_autoptr(EmberAccountSetup) again = NULL;
  g_autoptr(EmberAccountRecord) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_refresh = NULL;
  g_autofree char *new_refresh = NULL;
  gint64 account_id;

  account_id = sign_in (setup, &error);
  g_assert_no_error (error);
  old_refresh = lookup_secret (fixture, account_id, EMBER_TOKEN_KIND_REFRESH);

  /* The provider revokes the sign-in; the person signs in again. */
  g_assert_true (ember_fake_server_revoke (fixture->server, "alice@gmail.test", &error));
  g_assert_no_error (error);
  account = ember_store_get_account_sync (fixture->store, account_id, NULL, &error);
  g_assert_no_error (error);
  /* The client secret is read back from the token store. */
  again = ember_account_setup_new_for_account (fixture->client, fixture->store, fixture->tokens, account);
  g_assert_cmpint (sign_in (again, &error), ==, account_id);
  g_assert_no_error (error);

  new_refresh = lookup_secret (fixture, account_id, EMBER_TOKEN_KIND_REFRESH);
  g_assert_nonnull (new_refresh);
  g_assert_cmpstr (new_refresh, !=, old_refresh);
  g_assert_cmpuint (count_accounts (fixture), ==, 1);
  g_assert_cmpuint (ember_fake_server_count_requests (fixture->server, "POST", "/google/token", 200), ==, 2);
}

static void
test_remove_deletes_data_and_secrets (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(EmberAccountSetup) alice = new_setup (fixture, "gmail", "alice@gmail.test");
  g_autoptr(EmberAccountSetup) carol = new_setup (fixture, "microsoft", "carol@contoso.test");
  g_autoptr(GError) error = NULL;
  g_autofree char *carol_refresh = NULL;
  Waiter waiter = { NULL };
  gint64 alice_id, carol_id;
  char *secret = NULL;

  alice_id = sign_in (alice, &error);
  g_assert_no_error (error);
  carol_id = sign_in (carol, &error);
  g_assert_no_error (error);

  /* With the keyring away nothing is removed. */
  ember_memory_token_store_set_available (EMBER_MEMORY_TOKEN_STORE (fixture->tokens), FALSE);
  ember_account_remove_async (fixture->store, fixture->tokens, alice_id, NULL, store_result_cb, &waiter);
  g_assert_true (ember_test_wait_for (has_result, &waiter, 10000));
  g_assert_false (ember_account_remove_finish (waiter.result, &error));
  g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NO_KEYRING);
  g_clear_error (&error);
  g_clear_object (&waiter.result);
  g_assert_cmpuint (count_accounts (fixture), ==, 2);

  ember_memory_token_store_set_available (EMBER_MEMORY_TOKEN_STORE (fixture->tokens), TRUE);
  ember_account_remove_async (fixture->store, fixture->tokens, alice_id, NULL, store_result_cb, &waiter);
  g_assert_true (ember_test_wait_for (has_result, &waiter, 10000));
  g_assert_true (ember_account_remove_finish (waiter.result, &error));
  g_assert_no_error (error);
  g_clear_object (&waiter.result);

  g_assert_null (ember_store_get_account_sync (fixture->store, alice_id, NULL, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  for (EmberTokenKind kind = EMBER_TOKEN_KIND_REFRESH; kind <= EMBER_TOKEN_KIND_CLIENT_SECRET; kind++)
    {
      g_assert_true (ember_token_store_lookup_sync (fixture->tokens, alice_id, kind, &secret, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_null (secret);
    }

  /* The other account is untouched. */
  g_assert_cmpuint (count_accounts (fixture), ==, 1);
  carol_refresh = lookup_secret (fixture, carol_id, EMBER_TOKEN_KIND_REFRESH);
  g_assert_nonnull (carol_refresh);
}

static void
test_missing_client_id_fails_at_start (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autoptr(EmberAccountSetup) setup = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *auth_base = g_strconcat (ember_fake_server_get_base_uri (fixture->server), "/google", NULL);

  /* No client configured anywhere (tests build without default ids and
   * run without the GSettings schema keys set). */
  setup = ember_account_setup_new (fixture->client, fixture->store, fixture->tokens, "gmail", "alice@gmail.test");
  ember_account_setup_set_auth_base (setup, auth_base);
  if (ember_account_setup_start (setup, &error))
    {
      g_test_skip ("this build has a default Google client id");
      return;
    }
  g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_CONFIG);
  g_assert_null (ember_account_setup_get_authorization_url (setup));
}

static void
test_stores_provider_address (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(EmberAccountSetup) google = new_setup (fixture, "gmail", "Alice@Gmail.test");
  g_autoptr(EmberAccountSetup) microsoft = new_setup (fixture, "microsoft", "carol@contoso.test");
  g_autoptr(EmberAccountRecord) alice = NULL;
  g_autoptr(EmberAccountRecord) carol = NULL;
  g_autoptr(GError) error = NULL;
  gint64 alice_id, carol_id;

  alice_id = sign_in (google, &error);
  g_assert_no_error (error);
  carol_id = sign_in (microsoft, &error);
  g_assert_no_error (error);

  /* The address as the provider spells it (Gmail's profile, Graph's /me),
   * and Graph's name for the person. */
  alice = ember_store_get_account_sync (fixture->store, alice_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (alice->email, ==, "alice@gmail.test");
  g_assert_cmpstr (ember_account_setup_get_email (google), ==, "alice@gmail.test");
  carol = ember_store_get_account_sync (fixture->store, carol_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (carol->email, ==, "carol@contoso.test");
  g_assert_nonnull (carol->display_name);
  g_assert_cmpstr (carol->display_name, !=, "");
  g_assert_cmpuint (ember_fake_server_count_requests (fixture->server, "GET", "/gmail/v1/users/me/profile", 200), ==, 1);
  g_assert_cmpuint (ember_fake_server_count_requests (fixture->server, "GET", "/v1.0/me", 200), ==, 1);
}

static void
test_other_account_in_browser (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(EmberAccountSetup) asked_bob = new_setup (fixture, "gmail", "bob@gmail.test");
  g_autoptr(EmberAccountSetup) bob = new_setup (fixture, "gmail", "bob@gmail.test");
  g_autoptr(EmberAccountSetup) again = NULL;
  g_autoptr(EmberAccountRecord) alice_record = NULL;
  g_autoptr(EmberAccountRecord) bob_record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bob_refresh = NULL;
  g_autofree char *bob_refresh_after = NULL;
  gint64 bob_id, alice_id;

  /* Asked for bob, signed in as alice: alice is added, under her own
   * address. */
  alice_id = sign_in_with (asked_bob, TRUE, &error);
  g_assert_no_error (error);
  alice_record = ember_store_get_account_sync (fixture->store, alice_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (alice_record->email, ==, "alice@gmail.test");

  bob_id = sign_in (bob, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bob_id, !=, alice_id);
  bob_refresh = lookup_secret (fixture, bob_id, EMBER_TOKEN_KIND_REFRESH);

  /* Signing bob in again as alice must not give bob alice's mailbox. */
  bob_record = ember_store_get_account_sync (fixture->store, bob_id, NULL, &error);
  g_assert_no_error (error);
  again = ember_account_setup_new_for_account (fixture->client, fixture->store, fixture->tokens, bob_record);
  g_assert_cmpint (sign_in_with (again, TRUE, &error), ==, 0);
  g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "You signed in as alice@gmail.test"));
  bob_refresh_after = lookup_secret (fixture, bob_id, EMBER_TOKEN_KIND_REFRESH);
  g_assert_cmpstr (bob_refresh_after, ==, bob_refresh);
  g_assert_cmpuint (count_accounts (fixture), ==, 2);
}

static void
test_other_account_already_set_up (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(EmberAccountSetup) alice = new_setup (fixture, "gmail", "alice@gmail.test");
  g_autoptr(EmberAccountSetup) asked_bob = new_setup (fixture, "gmail", "bob@gmail.test");
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (sign_in (alice, &error), >, 0);
  g_assert_no_error (error);

  /* Asked for bob, signed in as alice, who is already there. */
  g_assert_cmpint (sign_in_with (asked_bob, TRUE, &error), ==, 0);
  g_assert_error (error, EMBER_SYNC_ERROR, EMBER_SYNC_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "alice@gmail.test is already set up"));
  g_assert_cmpuint (count_accounts (fixture), ==, 1);
  g_assert_cmpuint (ember_memory_token_store_get_n_secrets (EMBER_MEMORY_TOKEN_STORE (fixture->tokens)), ==, 3);
}

static void
add_test (const char *path,
          void      (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  add_test ("/ember/accounts/setup/adds-google-account", test_adds_google_account);
  add_test ("/ember/accounts/setup/adds-microsoft-account", test_adds_microsoft_account);
  add_test ("/ember/accounts/setup/refuses-duplicate-before-browser", test_refuses_duplicate_before_browser);
  add_test ("/ember/accounts/setup/cancel-stores-nothing", test_cancel_stores_nothing);
  add_test ("/ember/accounts/setup/access-denied", test_access_denied);
  add_test ("/ember/accounts/setup/no-keyring-keeps-no-account", test_no_keyring_keeps_no_account);
  add_test ("/ember/accounts/setup/sign-in-again-replaces-tokens", test_sign_in_again_replaces_tokens);
  add_test ("/ember/accounts/setup/remove-deletes-data-and-secrets", test_remove_deletes_data_and_secrets);
  add_test ("/ember/accounts/setup/missing-client-id-fails-at-start", test_missing_client_id_fails_at_start);
  add_test ("/ember/accounts/setup/stores-provider-address", test_stores_provider_address);
  add_test ("/ember/accounts/setup/other-account-in-browser", test_other_account_in_browser);
  add_test ("/ember/accounts/setup/other-account-already-set-up", test_other_account_already_set_up);

  return g_test_run ();
}
