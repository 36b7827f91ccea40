/* test-oauth.c: PKCE, state, and the loopback listener under bad input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsoup/soup.h>

#include "ember-error.h"
#include "ember-fake-clock.h"
#include "ember-oauth-config.h"
#include "ember-pkce.h"
#include "ember-redirect-listener.h"
#include "ember-test-utils.h"

#define STATE "expected-state-123"
#define EMBER_OAUTH_TEST_TIMEOUT (5 * 60 * G_USEC_PER_SEC)

static void
test_pkce_vector (void)
{
  /* RFC 7636, appendix B. */
  static const guint8 octets[] = { 116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216,
                                   173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88,
                                   5, 88, 83, 132, 141, 121 };
  g_autofree char *verifier = ember_base64url_encode (octets, sizeof octets);
  g_autofree char *challenge = NULL;

  g_assert_cmpstr (verifier, ==, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  challenge = ember_pkce_challenge_s256 (verifier);
  g_assert_cmpstr (challenge, ==, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

static void
test_pkce_random (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = ember_pkce_new_verifier (&error);
  g_autofree char *second = ember_pkce_new_verifier (&error);
  g_autofree char *state = ember_oauth_new_state (&error);
  g_autofree char *challenge = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (strlen (first), ==, 43);
  g_assert_cmpstr (first, !=, second);
  for (const char *p = first; *p != '\0'; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
  g_assert_cmpuint (strlen (state), ==, 22);

  challenge = ember_pkce_challenge_s256 (first);
  g_assert_cmpuint (strlen (challenge), ==, 43);
  g_assert_null (strchr (challenge, '='));

  g_assert_true (ember_secret_equal ("abc", "abc"));
  g_assert_false (ember_secret_equal ("abc", "abd"));
  g_assert_false (ember_secret_equal ("abc", "abcd"));
  g_assert_false (ember_secret_equal ("", "a"));
  g_assert_false (ember_secret_equal (NULL, "a"));
}

static void
test_config (void)
{
  g_autoptr(EmberOAuthConfig) google = ember_oauth_config_new (EMBER_OAUTH_PROVIDER_GOOGLE, NULL, "id", "secret");
  g_autoptr(EmberOAuthConfig) microsoft = ember_oauth_config_new (EMBER_OAUTH_PROVIDER_MICROSOFT, NULL, "id", "");
  g_autoptr(EmberOAuthConfig) fake = ember_oauth_config_new (EMBER_OAUTH_PROVIDER_MICROSOFT,
                                                             "http://127.0.0.1:8080/microsoft/", "id", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *chosen = NULL;
  EmberOAuthProvider provider;

  g_assert_cmpstr (google->authorize_url, ==, "https://accounts.google.com/o/oauth2/v2/auth");
  g_assert_cmpstr (google->token_url, ==, "https://oauth2.googleapis.com/token");
  g_assert_cmpstr (google->client_secret, ==, "secret");
  g_assert_nonnull (strstr (google->scopes, "gmail.readonly"));
  g_assert_cmpstr (microsoft->authorize_url, ==, "https://login.microsoftonline.com/common/oauth2/v2.0/authorize");
  g_assert_cmpstr (microsoft->token_url, ==, "https://login.microsoftonline.com/common/oauth2/v2.0/token");
  g_assert_null (microsoft->client_secret);
  g_assert_nonnull (strstr (microsoft->scopes, "offline_access"));
  g_assert_cmpstr (fake->token_url, ==, "http://127.0.0.1:8080/microsoft/common/oauth2/v2.0/token");

  g_assert_true (ember_oauth_provider_from_account_provider ("gmail", &provider, NULL));
  g_assert_cmpint (provider, ==, EMBER_OAUTH_PROVIDER_GOOGLE);
  g_assert_false (ember_oauth_provider_from_account_provider ("yahoo", &provider, &error));
  g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_CONFIG);
  g_clear_error (&error);

  /* The command line wins, then the account's own. */
  chosen = ember_oauth_resolve_client_id (EMBER_OAUTH_PROVIDER_GOOGLE, "from-cli", "from-account", &error);
  g_assert_cmpstr (chosen, ==, "from-cli");
  g_clear_pointer (&chosen, g_free);
  chosen = ember_oauth_resolve_client_id (EMBER_OAUTH_PROVIDER_GOOGLE, NULL, "from-account", &error);
  g_assert_cmpstr (chosen, ==, "from-account");
  g_clear_pointer (&chosen, g_free);

  /* This build has no default client id: a clear configuration error. */
  if (*EMBER_DEFAULT_MICROSOFT_CLIENT_ID == '\0')
    {
      chosen = ember_oauth_resolve_client_id (EMBER_OAUTH_PROVIDER_MICROSOFT, NULL, NULL, &error);
      g_assert_null (chosen);
      g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_CONFIG);
      g_assert_nonnull (strstr (error->message, "README"));
    }
}

typedef struct
{
  EmberFakeClock        *clock;
  EmberRedirectListener *listener;
  SoupSession           *session;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->clock = ember_fake_clock_new (0);
  fixture->listener = ember_redirect_listener_new (STATE);
  g_assert_true (ember_redirect_listener_start (fixture->listener, &error));
  g_assert_no_error (error);
  fixture->session = soup_session_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->listener);
  g_clear_object (&fixture->clock);
}

/* Sends a GET to the listener; returns the status and the page. */
static guint
fetch (Fixture     *fixture,
       const char  *path_and_query,
       char       **out_page)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s",
                                          ember_redirect_listener_get_port (fixture->listener),
                                          path_and_query);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (message);
  body = soup_session_send_and_read (fixture->session, message, NULL, &error);
  g_assert_no_error (error);
  if (out_page != NULL)
    *out_page = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  return soup_message_get_status (message);
}

/* Raw bytes, for what no HTTP library would send. Returns the reply. */
static char *
send_raw (Fixture    *fixture,
          const char *head,
          gsize       filler_size,
          const char *tail)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *filler = NULL;
  GOutputStream *output;
  GInputStream *input;
  char buffer[8192];
  gssize got;
  GString *reply = g_string_new (NULL);

  g_socket_client_set_timeout (client, 10);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                ember_redirect_listener_get_port (fixture->listener),
                                                NULL, &error);
  g_assert_no_error (error);
  output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  input = g_io_stream_get_input_stream (G_IO_STREAM (connection));

  /* The server may close early: write errors are part of the test. */
  g_output_stream_write_all (output, head, strlen (head), NULL, NULL, NULL);
  if (filler_size > 0)
    {
      filler = g_malloc (filler_size);
      memset (filler, 'A', filler_size);
      g_output_stream_write_all (output, filler, filler_size, NULL, NULL, NULL);
    }
  if (tail != NULL)
    g_output_stream_write_all (output, tail, strlen (tail), NULL, NULL, NULL);

  while ((got = g_input_stream_read (input, buffer, sizeof buffer, NULL, NULL)) > 0)
    {
      g_string_append_len (reply, buffer, got);
      if (reply->len > 64 * 1024)
        break;
    }

  return g_string_free (reply, FALSE);
}

static void
expect_still_waiting (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  /* Nothing finished the sign-in: waiting runs into the timeout. */
  code = ember_redirect_listener_wait_sync (fixture->listener, EMBER_CLOCK (fixture->clock), 0, NULL, &error);
  g_assert_null (code);
  g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_TIMED_OUT);
}

static void
test_bad_input (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *page = NULL;
  g_autofree char *reply = NULL;
  g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  guint status;

  status = fetch (fixture, "/", &page);
  g_assert_cmpuint (status, ==, 400);
  g_assert_nonnull (strstr (page, "Not a sign-in answer"));
  g_clear_pointer (&page, g_free);

  status = fetch (fixture, "/?code=stolen-code", &page);
  g_assert_cmpuint (status, ==, 400);
  g_assert_nonnull (strstr (page, "Sign-in not recognized"));
  g_clear_pointer (&page, g_free);

  status = fetch (fixture, "/?state=wrong&code=stolen-code", &page);
  g_assert_cmpuint (status, ==, 400);
  g_assert_nonnull (strstr (page, "does not belong to the sign-in Ember started"));
  g_clear_pointer (&page, g_free);

  status = fetch (fixture, "/?state=wrong&error=access_denied", NULL);
  g_assert_cmpuint (status, ==, 400);

  reply = send_raw (fixture, "GET /?%ZZ%%=&&==;;%00&state HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Connection: close\r\n\r\n", 0, NULL);
  g_assert_nonnull (strstr (reply, " 400 "));
  g_clear_pointer (&reply, g_free);

  status = fetch (fixture, "/favicon.ico", NULL);
  g_assert_cmpuint (status, ==, 404);

  /* 10 MB of body: refused from its headers, never read into memory. */
  reply = send_raw (fixture, "POST /?state=" STATE "&code=x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Connection: close\r\nContent-Length: 10485760\r\n\r\n", 10 * 1024 * 1024, NULL);
  g_assert_true (reply[0] == '\0' || strstr (reply, " 413 ") != NULL);
  g_clear_pointer (&reply, g_free);

  /* 10 MB of request line. */
  reply = send_raw (fixture, "GET /?state=" STATE "&code=", 10 * 1024 * 1024,
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  g_assert_true (reply[0] == '\0' || strstr (reply, "HTTP/1.1 4") != NULL);
  g_clear_pointer (&reply, g_free);

  /* Plain garbage. */
  reply = send_raw (fixture, "\x16\x03\x01 this is not http\r\n\r\n", 0, NULL);
  g_test_message ("garbage got %" G_GSIZE_FORMAT " bytes back", strlen (reply));
  g_clear_pointer (&reply, g_free);

  /* Many idle connections at once. */
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GError) error = NULL;
      GSocketConnection *connection = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                                       ember_redirect_listener_get_port (fixture->listener),
                                                                       NULL, &error);

      g_assert_no_error (error);
      g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                 "GET /?sta", 9, NULL, NULL, NULL);
      g_ptr_array_add (connections, connection);
    }
  /* The listener still answers while they hang around. */
  status = fetch (fixture, "/?state=nope", NULL);
  g_assert_cmpuint (status, ==, 400);
  g_ptr_array_set_size (connections, 0);

  g_assert_cmpuint (ember_redirect_listener_get_n_refused (fixture->listener), >=, 6);
  expect_still_waiting (fixture);

  /* After all that, the real answer still completes the sign-in. */
  status = fetch (fixture, "/?state=" STATE "&code=the-real-code&scope=x", &page);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (page, "You can close this tab"));
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *code = ember_redirect_listener_wait_sync (fixture->listener, EMBER_CLOCK (fixture->clock),
                                                               G_USEC_PER_SEC, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (code, ==, "the-real-code");
  }

  /* A second answer cannot replace the first. */
  status = fetch (fixture, "/?state=" STATE "&code=another", NULL);
  g_assert_cmpuint (status, ==, 410);
}

static void
test_access_denied (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *page = NULL;
  g_autofree char *code = NULL;

  g_assert_cmpuint (fetch (fixture, "/?state=" STATE "&error=access_denied", &page), ==, 200);
  g_assert_nonnull (strstr (page, "Sign-in cancelled"));
  code = ember_redirect_listener_wait_sync (fixture->listener, EMBER_CLOCK (fixture->clock),
                                            G_USEC_PER_SEC, NULL, &error);
  g_assert_null (code);
  g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_ACCESS_DENIED);
}

static void
test_missing_code (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;

  g_assert_cmpuint (fetch (fixture, "/?state=" STATE "&scope=mail", NULL), ==, 400);
  code = ember_redirect_listener_wait_sync (fixture->listener, EMBER_CLOCK (fixture->clock),
                                            G_USEC_PER_SEC, NULL, &error);
  g_assert_null (code);
  g_assert_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NO_CODE);
}

typedef struct
{
  Fixture      *fixture;
  GCancellable *cancellable;
  GError       *error;
  char         *code;
  gint          done;
} WaitJob;

static gpointer
wait_thread (gpointer data)
{
  WaitJob *job = data;

  job->code = ember_redirect_listener_wait_sync (job->fixture->listener, EMBER_CLOCK (job->fixture->clock),
                                                 EMBER_OAUTH_TEST_TIMEOUT, job->cancellable, &job->error);
  g_atomic_int_set (&job->done, TRUE);
  return NULL;
}

static void
test_timeout_and_cancel (Fixture       *fixture,
                         gconstpointer  data)
{
  WaitJob job = { .fixture = fixture, .cancellable = g_cancellable_new () };
  GThread *thread;

  /* Five minutes on the fake clock: nothing before, timed out after. */
  thread = g_thread_new ("wait", wait_thread, &job);
  g_assert_true (ember_fake_clock_wait_for_waiters (fixture->clock, 1, 5 * G_USEC_PER_SEC));
  ember_fake_clock_advance (fixture->clock, EMBER_OAUTH_TEST_TIMEOUT - 1);
  g_usleep (20 * 1000);
  g_assert_false (g_atomic_int_get (&job.done));
  ember_fake_clock_advance (fixture->clock, 1);
  g_thread_join (thread);
  g_assert_error (job.error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (job.error->message, "5 minutes"));
  g_clear_error (&job.error);

  /* Cancelling wakes the waiter at once. */
  job.done = FALSE;
  thread = g_thread_new ("wait", wait_thread, &job);
  g_assert_true (ember_fake_clock_wait_for_waiters (fixture->clock, 1, 5 * G_USEC_PER_SEC));
  g_cancellable_cancel (job.cancellable);
  g_thread_join (thread);
  g_assert_error (job.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (job.code);
  g_clear_error (&job.error);
  g_clear_object (&job.cancellable);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/net/oauth/pkce-vector", test_pkce_vector);
  g_test_add_func ("/ember/net/oauth/pkce-random", test_pkce_random);
  g_test_add_func ("/ember/net/oauth/config", test_config);
  g_test_add ("/ember/net/oauth/listener-bad-input", Fixture, NULL, fixture_set_up, test_bad_input, fixture_tear_down);
  g_test_add ("/ember/net/oauth/listener-access-denied", Fixture, NULL, fixture_set_up, test_access_denied, fixture_tear_down);
  g_test_add ("/ember/net/oauth/listener-missing-code", Fixture, NULL, fixture_set_up, test_missing_code, fixture_tear_down);
  g_test_add ("/ember/net/oauth/listener-timeout-cancel", Fixture, NULL, fixture_set_up, test_timeout_and_cancel, fixture_tear_down);

  return g_test_run ();
}
