/* test-secret-token-store.c: tokens in a real (headless) keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-error.h"
#include "ember-secret-token-store.h"
#include "ember-test-utils.h"

/* Account ids far from what other tests in the same keyring use. */
#define ACCOUNT_A 910001
#define ACCOUNT_B 910002

static char *
run_secret_tool_search (gint64 account_id)
{
  g_autofree char *account = g_strdup_printf ("%" G_GINT64_FORMAT, account_id);
  const char *argv[] = { "secret-tool", "search", "--all", "--unlock",
                         "xdg:schema", EMBER_SECRET_SCHEMA_NAME, "account", account, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error))
    {
      g_test_message ("secret-tool not available: %s", error->message);
      return NULL;
    }

  /* secret-tool prints attributes on stderr and secrets on stdout. */
  return g_strconcat (out, err, NULL);
}

static void
test_keyring_round_trip (void)
{
  g_autoptr(EmberTokenStore) store = ember_secret_token_store_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *listing = NULL;
  gint64 expires = 0;

  g_assert_true (ember_token_store_clear_sync (store, ACCOUNT_A, NULL, &error));
  g_assert_true (ember_token_store_clear_sync (store, ACCOUNT_B, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (ember_token_store_store_sync (store, ACCOUNT_A, EMBER_TOKEN_KIND_REFRESH,
                                               "kr-refresh-1", 0, NULL, &error));
  g_assert_true (ember_token_store_store_sync (store, ACCOUNT_A, EMBER_TOKEN_KIND_ACCESS,
                                               "kr-access-1", 1800000000, NULL, &error));
  g_assert_true (ember_token_store_store_sync (store, ACCOUNT_B, EMBER_TOKEN_KIND_REFRESH,
                                               "kr-refresh-b", 0, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (ember_token_store_lookup_sync (store, ACCOUNT_A, EMBER_TOKEN_KIND_ACCESS,
                                                &secret, &expires, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "kr-access-1");
  g_assert_cmpint (expires, ==, 1800000000);
  g_clear_pointer (&secret, g_free);

  /* A rotated refresh token and a new access token replace the old ones. */
  g_assert_true (ember_token_store_store_sync (store, ACCOUNT_A, EMBER_TOKEN_KIND_REFRESH,
                                               "kr-refresh-2", 0, NULL, &error));
  g_assert_true (ember_token_store_store_sync (store, ACCOUNT_A, EMBER_TOKEN_KIND_ACCESS,
                                               "kr-access-2", 1800003600, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (ember_token_store_lookup_sync (store, ACCOUNT_A, EMBER_TOKEN_KIND_REFRESH,
                                                &secret, NULL, NULL, &error));
  g_assert_cmpstr (secret, ==, "kr-refresh-2");
  g_clear_pointer (&secret, g_free);
  g_assert_true (ember_token_store_lookup_sync (store, ACCOUNT_A, EMBER_TOKEN_KIND_ACCESS,
                                                &secret, &expires, NULL, &error));
  g_assert_cmpstr (secret, ==, "kr-access-2");
  g_assert_cmpint (expires, ==, 1800003600);
  g_clear_pointer (&secret, g_free);

  listing = run_secret_tool_search (ACCOUNT_A);
  if (listing != NULL)
    {
      g_test_message ("secret-tool: %s", listing);
      g_assert_nonnull (strstr (listing, "kr-refresh-2"));
      g_assert_nonnull (strstr (listing, "kr-access-2"));
      g_assert_null (strstr (listing, "kr-refresh-1"));
      g_assert_null (strstr (listing, "kr-access-1"));
      g_assert_null (strstr (listing, "kr-refresh-b"));
    }

  g_assert_true (ember_token_store_delete_sync (store, ACCOUNT_A, EMBER_TOKEN_KIND_ACCESS,
                                                NULL, &error));
  g_assert_true (ember_token_store_lookup_sync (store, ACCOUNT_A, EMBER_TOKEN_KIND_ACCESS,
                                                &secret, NULL, NULL, &error));
  g_assert_null (secret);

  g_assert_true (ember_token_store_clear_sync (store, ACCOUNT_A, NULL, &error));
  g_assert_true (ember_token_store_lookup_sync (store, ACCOUNT_A, EMBER_TOKEN_KIND_REFRESH,
                                                &secret, NULL, NULL, &error));
  g_assert_null (secret);
  g_assert_true (ember_token_store_lookup_sync (store, ACCOUNT_B, EMBER_TOKEN_KIND_REFRESH,
                                                &secret, NULL, NULL, &error));
  g_assert_cmpstr (secret, ==, "kr-refresh-b");
  g_clear_pointer (&secret, g_free);

  g_assert_true (ember_token_store_clear_sync (store, ACCOUNT_B, NULL, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!ember_test_has_secret_service ())
    {
      g_printerr ("No Secret Service on the session bus; skipping\n");
      return 77;
    }

  g_test_add_func ("/ember/secrets/keyring-round-trip", test_keyring_round_trip);

  return g_test_run ();
}
