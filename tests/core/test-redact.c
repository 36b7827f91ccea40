/* test-redact.c: secrets never survive ember_redact()
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-redact.h"
#include "ember-test-utils.h"

typedef struct
{
  const char *input;
  const char *expected;
} Case;

static void
check_cases (const Case *cases,
             gsize       n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      g_autofree char *redacted = ember_redact (cases[i].input);

      g_test_message ("input: %s", cases[i].input);
      g_assert_cmpstr (redacted, ==, cases[i].expected);
    }
}

static void
test_null_and_plain (void)
{
  static const Case cases[] = {
    { "", "" },
    { "Synced 42 messages in 3 folders", "Synced 42 messages in 3 folders" },
    { "passcode=1234 barcode: 99", "passcode=1234 barcode: 99" },
    { "nextPageToken=abc&syncToken=def", "nextPageToken=abc&syncToken=def" },
    { "authorization failed", "authorization failed" },
  };

  g_assert_null (ember_redact (NULL));
  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_headers (void)
{
  static const Case cases[] = {
    { "Authorization: Bearer x", "Authorization: [REDACTED]" },
    { "authorization:Bearer ya29.a0AfH6SMB", "authorization:[REDACTED]" },
    { "AUTHORIZATION: Basic dXNlcjpwYXNz\r\nAccept: */*",
      "AUTHORIZATION: [REDACTED]\r\nAccept: */*" },
    { "Proxy-Authorization: Negotiate abc def\nHost: example.com",
      "Proxy-Authorization: [REDACTED]\nHost: example.com" },
    { "Cookie: SID=abc; HSID=def", "Cookie: [REDACTED]" },
    { "Set-Cookie: session=xyz; Path=/; HttpOnly", "Set-Cookie: [REDACTED]" },
    { "> GET /gmail/v1/users/me\n> Authorization: Bearer tok123\n> Accept: application/json",
      "> GET /gmail/v1/users/me\n> Authorization: [REDACTED]\n> Accept: application/json" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_bearer_anywhere (void)
{
  static const Case cases[] = {
    { "sent Bearer abc.def-ghi_jkl~mno+/= to server", "sent Bearer [REDACTED] to server" },
    { "bearer   S3cr3tT0k3n!", "bearer   [REDACTED]!" },
    { "BEARER%20encodedtoken&x=1", "BEARER%20[REDACTED]&x=1" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_json (void)
{
  static const Case cases[] = {
    { "{\"access_token\": \"ya29.secret\", \"expires_in\": 3599}",
      "{\"access_token\": \"[REDACTED]\", \"expires_in\": 3599}" },
    { "{\"refresh_token\":\"1//0gSecret\",\"scope\":\"mail\"}",
      "{\"refresh_token\":\"[REDACTED]\",\"scope\":\"mail\"}" },
    { "{\"ID_TOKEN\" : \"eyJhbGciOi.eyJzdWIi.sig\"}",
      "{\"ID_TOKEN\" : \"[REDACTED]\"}" },
    { "{\"client_secret\": \"GOCSPX-abc\", \"password\": \"hunter2\"}",
      "{\"client_secret\": \"[REDACTED]\", \"password\": \"[REDACTED]\"}" },
    { "{\"code\": \"4/0AX4XfWh\", \"code_verifier\": \"dBjftJeZ4CVP\"}",
      "{\"code\": \"[REDACTED]\", \"code_verifier\": \"[REDACTED]\"}" },
    /* Error codes stay readable; an authorization code never looks like one. */
    { "{\"error\": {\"code\": 401, \"message\": \"Request had invalid credentials\"}}",
      "{\"error\": {\"code\": 401, \"message\": \"Request had invalid credentials\"}}" },
    { "{\"error\": {\"code\": \"InvalidAuthenticationToken\"}}",
      "{\"error\": {\"code\": \"InvalidAuthenticationToken\"}}" },
    { "{\"code\": \"M.C507_BAY.2.U.6b8f\"}", "{\"code\": \"[REDACTED]\"}" },
    { "code=InvalidLooking&x=1", "code=[REDACTED]&x=1" },
    { "{\"assertion\": \"jwt\\\"with quote\", \"next\": 1}",
      "{\"assertion\": \"[REDACTED]\", \"next\": 1}" },
    { "{\"password\": 123456}", "{\"password\": [REDACTED]}" },
    { "{\"Authorization\": \"Bearer abc\", \"accept\": \"json\"}",
      "{\"Authorization\": \"[REDACTED]\", \"accept\": \"json\"}" },
    /* JSON escaped inside another JSON string or a C string literal. */
    { "{\"body\": \"{\\\"access_token\\\":\\\"tok\\\",\\\"x\\\":1}\"}",
      "{\"body\": \"{\\\"access_token\\\":\\\"[REDACTED]\\\",\\\"x\\\":1}\"}" },
    { "{'refresh_token': 'abc'}", "{'refresh_token': '[REDACTED]'}" },
    { "{\"access_token\":\n  \"multi-line\"}", "{\"access_token\":\n  \"[REDACTED]\"}" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_form_and_query (void)
{
  static const Case cases[] = {
    { "grant_type=refresh_token&refresh_token=1%2F%2F0gabc&client_id=123",
      "grant_type=refresh_token&refresh_token=[REDACTED]&client_id=123" },
    { "code=4%2F0AX4&code_verifier=xyz&client_secret=s3cr3t&redirect_uri=http%3A%2F%2F127.0.0.1",
      "code=[REDACTED]&code_verifier=[REDACTED]&client_secret=[REDACTED]&redirect_uri=http%3A%2F%2F127.0.0.1" },
    { "GET http://127.0.0.1:4321/?state=abc&code=4/0AX4XfWh&scope=mail HTTP/1.1",
      "GET http://127.0.0.1:4321/?state=abc&code=[REDACTED]&scope=mail HTTP/1.1" },
    { "https://x/?Access_Token=abc", "https://x/?Access_Token=[REDACTED]" },
    { "client_assertion_type=jwt-bearer&client_assertion=eyJabc&assertion=def",
      "client_assertion_type=jwt-bearer&client_assertion=[REDACTED]&assertion=[REDACTED]" },
    { "password: hunter2 was rejected", "password: [REDACTED] was rejected" },
    { "ID_Token = abc; next", "ID_Token = [REDACTED]; next" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_known_shapes (void)
{
  static const Case cases[] = {
    { "token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl in text",
      "token [REDACTED] in text" },
    { "got ya29.a0AfH6SMBx-y_z back", "got [REDACTED] back" },
    { "secret GOCSPX-1a2b3c_d-e leaked", "secret [REDACTED] leaked" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_registered_secrets (void)
{
  const char *secret = "opaque+token/with=chars";
  g_autofree char *redacted = NULL;

  redacted = ember_redact ("failed with opaque+token/with=chars inside");
  g_assert_cmpstr (redacted, ==, "failed with opaque+token/with=chars inside");
  g_clear_pointer (&redacted, g_free);

  ember_redact_register_secret (secret);
  /* Registering twice needs two unregistrations. */
  ember_redact_register_secret (secret);

  redacted = ember_redact ("failed with opaque+token/with=chars inside, twice: opaque+token/with=chars");
  g_assert_cmpstr (redacted, ==, "failed with [REDACTED] inside, twice: [REDACTED]");
  g_clear_pointer (&redacted, g_free);

  /* Its percent-encoded form too. */
  redacted = ember_redact ("url?t=opaque%2Btoken%2Fwith%3Dchars&x=1");
  g_assert_cmpstr (redacted, ==, "url?t=[REDACTED]&x=1");
  g_clear_pointer (&redacted, g_free);

  ember_redact_unregister_secret (secret);
  redacted = ember_redact ("still opaque+token/with=chars");
  g_assert_cmpstr (redacted, ==, "still [REDACTED]");
  g_clear_pointer (&redacted, g_free);

  ember_redact_unregister_secret (secret);
  redacted = ember_redact ("now opaque+token/with=chars");
  g_assert_cmpstr (redacted, ==, "now opaque+token/with=chars");
  g_clear_pointer (&redacted, g_free);

  /* A longer secret containing a shorter one goes as a whole. */
  ember_redact_register_secret ("abcd");
  ember_redact_register_secret ("xxabcdxx");
  redacted = ember_redact ("1 xxabcdxx 2 abcd");
  g_assert_cmpstr (redacted, ==, "1 [REDACTED] 2 [REDACTED]");
  g_clear_pointer (&redacted, g_free);
  ember_redact_unregister_secret ("abcd");
  ember_redact_unregister_secret ("xxabcdxx");

  /* Too short to register: it would only mangle text. */
  ember_redact_register_secret ("abc");
  redacted = ember_redact ("abc");
  g_assert_cmpstr (redacted, ==, "abc");
  ember_redact_unregister_secret ("abc");
}

static void
test_not_utf8 (void)
{
  g_autofree char *redacted = ember_redact ("\xff\xfe access_token=abc \xc3");

  g_assert_cmpstr (redacted, ==, "\xff\xfe access_token=[REDACTED] \xc3");
}

static gpointer
redact_thread (gpointer data)
{
  for (int i = 0; i < 300; i++)
    {
      g_autofree char *secret = g_strdup_printf ("thread-secret-%p-%d", data, i);
      g_autofree char *text = g_strdup_printf ("x %s y Authorization: Bearer t%d", secret, i);
      g_autofree char *redacted = NULL;

      ember_redact_register_secret (secret);
      redacted = ember_redact (text);
      ember_redact_unregister_secret (secret);

      if (g_strcmp0 (redacted, "x [REDACTED] y Authorization: [REDACTED]") != 0)
        return g_strdup (redacted);
    }

  return NULL;
}

static void
test_threads (void)
{
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("redact", redact_thread, GUINT_TO_POINTER (i + 1));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_autofree char *bad = g_thread_join (threads[i]);

      g_assert_null (bad);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/core/redact/plain", test_null_and_plain);
  g_test_add_func ("/ember/core/redact/headers", test_headers);
  g_test_add_func ("/ember/core/redact/bearer", test_bearer_anywhere);
  g_test_add_func ("/ember/core/redact/json", test_json);
  g_test_add_func ("/ember/core/redact/form-and-query", test_form_and_query);
  g_test_add_func ("/ember/core/redact/known-shapes", test_known_shapes);
  g_test_add_func ("/ember/core/redact/registered-secrets", test_registered_secrets);
  g_test_add_func ("/ember/core/redact/not-utf8", test_not_utf8);
  g_test_add_func ("/ember/core/redact/threads", test_threads);

  return g_test_run ();
}
