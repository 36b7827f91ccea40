/* test-user-error.c: the one mapping from GError to what people see
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ember-error.h"
#include "ember-user-error.h"
#include "ember-test-utils.h"

typedef struct
{
  GQuark      domain;
  int         code;
  gboolean    retryable;
  gboolean    needs_sign_in;
  const char *message;
} Mapping;

static void
check_mapping (const Mapping *mapping)
{
  g_autoptr(GError) error = g_error_new_literal (mapping->domain, mapping->code, "low-level text");
  g_autoptr(EmberUserError) user_error = ember_user_error_new_from_error (error);
  g_autofree char *expected_details = g_strdup_printf ("low-level text (%s %d)",
                                                       g_quark_to_string (mapping->domain),
                                                       mapping->code);

  g_test_message ("%s %d", g_quark_to_string (mapping->domain), mapping->code);
  g_assert_nonnull (user_error);
  g_assert_cmpstr (user_error->message, ==, mapping->message);
  g_assert_cmpint (user_error->retryable, ==, mapping->retryable);
  g_assert_cmpint (user_error->needs_sign_in, ==, mapping->needs_sign_in);
  g_assert_cmpstr (user_error->details, ==, expected_details);
}

static void
test_ember_domains (void)
{
  const Mapping mappings[] = {
    { EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NEEDS_SIGN_IN, FALSE, TRUE,
      "Sign in again to keep this account in sync." },
    { EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NO_TOKEN, FALSE, TRUE,
      "Sign in again to keep this account in sync." },
    { EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_ACCESS_DENIED, FALSE, FALSE,
      "Access to the account was not granted." },
    { EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NO_KEYRING, FALSE, FALSE,
      "No keyring is available to store the account’s sign-in." },
    { EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_TIMED_OUT, TRUE, FALSE,
      "Signing in took too long. Try signing in again." },
    { EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_NETWORK, TRUE, FALSE,
      "Could not connect to the server. Check your internet connection." },
    { EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_TIMEOUT, TRUE, FALSE,
      "The server took too long to respond." },
    { EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_RATE_LIMITED, TRUE, FALSE,
      "The server is receiving too many requests. Ember will try again shortly." },
    { EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_SERVER, TRUE, FALSE,
      "The server had a problem. Try again later." },
    { EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_CLIENT, FALSE, FALSE,
      "The server refused the request." },
    { EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_INSECURE, FALSE, FALSE,
      "Refusing to send account data over an unencrypted connection." },
    { EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_GAVE_UP, TRUE, FALSE,
      "The server still did not respond after several attempts. Try again later." },
    { EMBER_STORE_ERROR, EMBER_STORE_ERROR_DISK_FULL, TRUE, FALSE,
      "The disk is full. Free up some space and try again." },
    { EMBER_STORE_ERROR, EMBER_STORE_ERROR_POOL_TIMEOUT, TRUE, FALSE,
      "Ember is busy. Try again in a moment." },
    { EMBER_STORE_ERROR, EMBER_STORE_ERROR_CORRUPT, FALSE, FALSE,
      "The local mail and calendar database is damaged." },
    { EMBER_STORE_ERROR, EMBER_STORE_ERROR_SCHEMA_TOO_NEW, FALSE, FALSE,
      "The local database was created by a newer version of Ember." },
    { EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_CURSOR_EXPIRED, TRUE, FALSE,
      "The account needs a full sync." },
    { EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_FORBIDDEN, FALSE, FALSE,
      "The account does not allow access to this data." },
    { EMBER_SYNC_ERROR, EMBER_SYNC_ERROR_OFFLINE, TRUE, FALSE,
      "You are offline. Ember will sync when the connection is back." },
    { EMBER_SYNC_ERROR, EMBER_SYNC_ERROR_SHUTTING_DOWN, FALSE, FALSE,
      "Ember is shutting down." },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (mappings); i++)
    check_mapping (&mappings[i]);
}

static void
test_every_ember_code_has_a_message (void)
{
  static const struct { GQuark (*domain) (void); int n_codes; } domains[] = {
    { ember_store_error_quark, EMBER_STORE_ERROR_BUSY + 1 },
    { ember_http_error_quark, EMBER_HTTP_ERROR_GAVE_UP + 1 },
    { ember_auth_error_quark, EMBER_AUTH_ERROR_CONFIG + 1 },
    { ember_provider_error_quark, EMBER_PROVIDER_ERROR_FORBIDDEN + 1 },
    { ember_sync_error_quark, EMBER_SYNC_ERROR_SHUTTING_DOWN + 1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (domains); i++)
    for (int code = 0; code < domains[i].n_codes; code++)
      {
        g_autoptr(GError) error = g_error_new_literal (domains[i].domain (), code, "x");
        g_autoptr(EmberUserError) user_error = ember_user_error_new_from_error (error);

        /* Each of our own codes is known: never the catch-all. */
        g_assert_cmpstr (user_error->message, !=, "Something went wrong.");
        g_assert_true (g_str_has_suffix (user_error->message, "."));
      }
}

static void
test_foreign_domains (void)
{
  const Mapping mappings[] = {
    { G_IO_ERROR, G_IO_ERROR_NO_SPACE, TRUE, FALSE,
      "The disk is full. Free up some space and try again." },
    { G_IO_ERROR, G_IO_ERROR_TIMED_OUT, TRUE, FALSE,
      "The server took too long to respond." },
    { G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, TRUE, FALSE,
      "Could not connect to the server. Check your internet connection." },
    { G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE, TRUE, FALSE,
      "Could not connect to the server. Check your internet connection." },
    { G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, TRUE, FALSE,
      "Could not connect to the server. Check your internet connection." },
    { G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, FALSE, FALSE,
      "Ember is not allowed to access a file it needs." },
    { G_IO_ERROR, G_IO_ERROR_CLOSED, FALSE, FALSE, "Ember is shutting down." },
    { G_IO_ERROR, G_IO_ERROR_CANCELLED, TRUE, FALSE, "The operation was cancelled." },
    { G_IO_ERROR, G_IO_ERROR_WOULD_MERGE, FALSE, FALSE, "Something went wrong." },
    { G_FILE_ERROR, G_FILE_ERROR_NOSPC, TRUE, FALSE,
      "The disk is full. Free up some space and try again." },
    { G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, TRUE, FALSE,
      "Could not find the server. Check your internet connection." },
    { G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE, TRUE, FALSE,
      "Could not find the server. Check your internet connection." },
    { G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, FALSE, FALSE,
      "The server’s security certificate is not trusted." },
    { G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE, TRUE, FALSE,
      "A secure connection to the server could not be established." },
    { SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_PARSING, TRUE, FALSE,
      "The server sent a reply that could not be read." },
    { SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_TOO_MANY_REDIRECTS, FALSE, FALSE,
      "The server redirected the request too many times." },
    { JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE, TRUE, FALSE,
      "The server sent a reply that could not be read." },
    { G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, FALSE, FALSE, "Something went wrong." },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (mappings); i++)
    check_mapping (&mappings[i]);
}

static void
test_details_are_redacted (void)
{
  g_autoptr(GError) error = g_error_new_literal (EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_CLIENT,
                                                 "HTTP 400: {\"error\":\"invalid_request\","
                                                 "\"refresh_token\":\"1//LEAK\"}");
  g_autoptr(EmberUserError) user_error = NULL;

  g_prefix_error (&error, "Refreshing the token for %s: ", "me@example.com");
  user_error = ember_user_error_new_from_error (error);

  g_assert_cmpstr (user_error->details, ==,
                   "Refreshing the token for me@example.com: HTTP 400: "
                   "{\"error\":\"invalid_request\",\"refresh_token\":\"[REDACTED]\"} "
                   "(ember-http-error-quark 5)");
  g_assert_null (strstr (user_error->details, "LEAK"));
}

static void
test_new_copy_free (void)
{
  g_autoptr(EmberUserError) user_error = NULL;
  g_autoptr(EmberUserError) copy = NULL;
  g_autoptr(EmberUserError) no_details = NULL;

  user_error = ember_user_error_new ("Could not sync.", "Authorization: Bearer abc", TRUE);
  g_assert_cmpstr (user_error->message, ==, "Could not sync.");
  g_assert_cmpstr (user_error->details, ==, "Authorization: [REDACTED]");
  g_assert_true (user_error->retryable);
  g_assert_false (user_error->needs_sign_in);

  user_error->needs_sign_in = TRUE;
  copy = ember_user_error_copy (user_error);
  g_assert_true (copy != user_error);
  g_assert_true (copy->message != user_error->message);
  g_assert_cmpstr (copy->message, ==, user_error->message);
  g_assert_cmpstr (copy->details, ==, user_error->details);
  g_assert_true (copy->retryable);
  g_assert_true (copy->needs_sign_in);

  no_details = ember_user_error_new ("Done.", NULL, FALSE);
  g_assert_null (no_details->details);

  /* The boxed type copies and frees through the same functions. */
  g_assert_true (G_TYPE_IS_BOXED (EMBER_TYPE_USER_ERROR));
  {
    EmberUserError *boxed = g_boxed_copy (EMBER_TYPE_USER_ERROR, copy);

    g_assert_cmpstr (boxed->details, ==, "Authorization: [REDACTED]");
    g_boxed_free (EMBER_TYPE_USER_ERROR, boxed);
  }

  ember_user_error_free (NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/core/user-error/ember-domains", test_ember_domains);
  g_test_add_func ("/ember/core/user-error/every-ember-code", test_every_ember_code_has_a_message);
  g_test_add_func ("/ember/core/user-error/foreign-domains", test_foreign_domains);
  g_test_add_func ("/ember/core/user-error/details-redacted", test_details_are_redacted);
  g_test_add_func ("/ember/core/user-error/new-copy-free", test_new_copy_free);

  return g_test_run ();
}
