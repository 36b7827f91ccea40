/* test-token-store.c: the in-memory token store and the keyring store's
 * "no Secret Service" error
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsecret/secret.h>

#include "ember-error.h"
#include "ember-memory-token-store.h"
#include "ember-redact.h"
#include "ember-secret-token-store.h"
#include "ember-test-utils.h"

static void
test_memory_round_trip (void)
{
  g_autoptr(EmberTokenStore) store = ember_memory_token_store_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  gint64 expires = -1;

  g_assert_true (ember_token_store_lookup_sync (store, 1, EMBER_TOKEN_KIND_REFRESH,
                                                &secret, &expires, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (secret);
  g_assert_cmpint (expires, ==, 0);

  g_assert_true (ember_token_store_store_sync (store, 1, EMBER_TOKEN_KIND_REFRESH,
                                               "refresh-one", 0, NULL, &error));
  g_assert_true (ember_token_store_store_sync (store, 1, EMBER_TOKEN_KIND_ACCESS,
                                               "access-one", 1700000000, NULL, &error));
  g_assert_true (ember_token_store_store_sync (store, 2, EMBER_TOKEN_KIND_REFRESH,
                                               "refresh-two", 0, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (ember_token_store_lookup_sync (store, 1, EMBER_TOKEN_KIND_ACCESS,
                                                &secret, &expires, NULL, &error));
  g_assert_cmpstr (secret, ==, "access-one");
  g_assert_cmpint (expires, ==, 1700000000);
  g_clear_pointer (&secret, g_free);

  /* Replacing keeps one secret per kind. */
  g_assert_true (ember_token_store_store_sync (store, 1, EMBER_TOKEN_KIND_ACCESS,
                                               "access-one-b", 1700003600, NULL, &error));
  g_assert_true (ember_token_store_lookup_sync (store, 1, EMBER_TOKEN_KIND_ACCESS,
                                                &secret, &expires, NULL, &error));
  g_assert_cmpstr (secret, ==, "access-one-b");
  g_assert_cmpint (expires, ==, 1700003600);
  g_clear_pointer (&secret, g_free);
  g_assert_cmpuint (ember_memory_token_store_get_n_secrets (EMBER_MEMORY_TOKEN_STORE (store)), ==, 3);

  g_assert_true (ember_token_store_delete_sync (store, 1, EMBER_TOKEN_KIND_ACCESS, NULL, &error));
  g_assert_true (ember_token_store_lookup_sync (store, 1, EMBER_TOKEN_KIND_ACCESS,
                                                &secret, NULL, NULL, &error));
  g_assert_null (secret);
  g_assert_true (ember_token_store_lookup_sync (store, 1, EMBER_TOKEN_KIND_REFRESH,
                                                &secret, NULL, NULL, &error));
  g_assert_cmpstr (secret, ==, "refresh-one");
  g_clear_pointer (&secret, g_free);

  /* Clearing one account leaves the other alone. */
  g_assert_true (ember_token_store_clear_sync (store, 1, NULL, &error));
  g_assert_true (ember_token_store_lookup_sync (store, 1, EMBER_TOKEN_KIND_REFRESH,
                                                &secret, NULL, NULL, &error));
  g_assert_null (secret);
  g_assert_true (ember_token_store_lookup_sync (store, 2, EMBER_TOKEN_KIND_REFRESH,
                                                &secret, NULL, NULL, &error));
  g_assert_cmpstr (secret, ==, "refresh-two");
  g_assert_no_error (error);
  g_assert_cmpuint (ember_memory_token_store_get_n_secrets (EMBER_MEMORY_TOKEN_STORE (store)), ==, 1);
}

static void
test_memory_unavailable (void)
{
  g_autoptr(EmberTokenStore) store = ember_memory_token_store_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  ember_memory_token_store_set_available (EMBER_MEMORY_TOKEN_STORE (store), FALSE);
  g_assert_false (ember_token_store_store_sync (store, 1, EMBER_TOKEN_KIND_REFRESH,
                                                "refresh-x", 0, NULL, &error));
  g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NO_KEYRING);
  g_assert_cmpstr (error->message, ==, EMBER_NO_KEYRING_MESSAGE);
  g_clear_error (&error);

  g_assert_false (ember_token_store_lookup_sync (store, 1, EMBER_TOKEN_KIND_REFRESH,
                                                 &secret, NULL, NULL, &error));
  g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NO_KEYRING);
  g_assert_null (secret);
}

static void
test_secrets_are_redacted (void)
{
  g_autoptr(EmberTokenStore) store = ember_memory_token_store_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *redacted = NULL;
  /* Shaped so that no syntax rule of ember_redact() could catch it. */
  const char *token = "plainword7f3a9c2e";

  g_assert_true (ember_token_store_store_sync (store, 5, EMBER_TOKEN_KIND_ACCESS,
                                               token, 0, NULL, &error));
  g_assert_true (ember_token_store_lookup_sync (store, 5, EMBER_TOKEN_KIND_ACCESS,
                                                &secret, NULL, NULL, &error));
  g_assert_no_error (error);

  redacted = ember_redact ("server said plainword7f3a9c2e was bad");
  g_assert_null (strstr (redacted, token));
}

static void
test_keyring_missing (void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(EmberTokenStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  /* A private bus that nobody serves org.freedesktop.secrets on. */
  g_test_dbus_up (bus);
  store = ember_secret_token_store_new ();

  g_assert_false (ember_token_store_store_sync (store, 1, EMBER_TOKEN_KIND_REFRESH,
                                                "refresh-nowhere", 0, NULL, &error));
  g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NO_KEYRING);
  g_assert_cmpstr (error->message, ==, EMBER_NO_KEYRING_MESSAGE);
  g_clear_error (&error);

  g_assert_false (ember_token_store_lookup_sync (store, 1, EMBER_TOKEN_KIND_REFRESH,
                                                 &secret, NULL, NULL, &error));
  g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NO_KEYRING);

  g_clear_object (&store);
  /* libsecret keeps its service proxy, and with it the bus, alive. */
  secret_service_disconnect ();
  g_test_dbus_down (bus);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/secrets/memory-round-trip", test_memory_round_trip);
  g_test_add_func ("/ember/secrets/memory-unavailable", test_memory_unavailable);
  g_test_add_func ("/ember/secrets/redacted", test_secrets_are_redacted);
  g_test_add_func ("/ember/secrets/keyring-missing", test_keyring_missing);

  return g_test_run ();
}
