/* test-log.c: the log writer redacts every record before it is written
 *
 * Its own test binary: a process may install a GLog writer only once, and
 * each case runs in a subprocess that installs it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
/* Like the library: g_message() and friends use the structured API. */
#define G_LOG_USE_STRUCTURED 1
#define G_LOG_DOMAIN EMBER_LOG_DOMAIN_NET

#include "config.h"

#include "ember-log.h"
#include "ember-redact.h"
#include "ember-test-utils.h"

#define KEYRING_TOKEN "kr-0123456789-opaque"

/* What a program (not a test) has: g_test_init() installs a default
 * handler that echoes g_log() calls itself, unredacted, before GLib's. */
static void
behave_like_a_program (void)
{
  g_log_set_default_handler (g_log_default_handler, NULL);
  /* Warnings must be written, not abort the subprocess. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
}

static void
log_secrets (void)
{
  behave_like_a_program ();

  ember_log_init ();
  ember_log_init (); /* a second call does nothing */

  ember_redact_register_secret (KEYRING_TOKEN);

  /* Structured, as everything in libember logs ... */
  g_message ("request sent with Authorization: Bearer ya29.LEAKED-HEADER");
  g_warning ("token reply {\"access_token\": \"%s\", \"refresh_token\": \"%s\"}",
             "LEAKED-JSON", "LEAKED-REFRESH");
  /* ... and the old g_log() API, as GLib and libsoup log. */
  g_log (EMBER_LOG_DOMAIN_SECRETS, G_LOG_LEVEL_MESSAGE,
         "stored token " KEYRING_TOKEN " for account 1");
  g_log_structured (EMBER_LOG_DOMAIN_NET, G_LOG_LEVEL_MESSAGE,
                    "MESSAGE", "POST body code=LEAKED-CODE&code_verifier=LEAKED-VERIFIER");
  {
    /* MESSAGE with an explicit length, not NUL-terminated where it ends. */
    static const char body[] = "client_secret=LEAKED-LENGTH&x=1 and more";
    const GLogField fields[] = {
      { "GLIB_DOMAIN", EMBER_LOG_DOMAIN_NET, -1 },
      { "PRIORITY", "5", -1 },
      { "MESSAGE", body, 31 },
    };

    g_log_structured_array (G_LOG_LEVEL_MESSAGE, fields, G_N_ELEMENTS (fields));
  }
}

static void
test_redacts_everything_subprocess (void)
{
  log_secrets ();
}

static void
test_redacts_everything (void)
{
  static const char * const leaks[] = {
    "*ya29.LEAKED-HEADER*", "*LEAKED-JSON*", "*LEAKED-REFRESH*", "*" KEYRING_TOKEN "*",
    "*LEAKED-CODE*", "*LEAKED-VERIFIER*", "*LEAKED-LENGTH*",
  };

  g_test_trap_subprocess ("/ember/core/log/redacts-everything/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();

  /* The records were written ... */
  g_test_trap_assert_stderr ("*request sent with Authorization: [REDACTED]*");
  g_test_trap_assert_stderr ("*\"access_token\": \"[REDACTED]\", \"refresh_token\": \"[REDACTED]\"*");
  g_test_trap_assert_stderr ("*stored token [REDACTED] for account 1*");
  g_test_trap_assert_stderr ("*POST body code=[REDACTED]&code_verifier=[REDACTED]*");
  g_test_trap_assert_stderr ("*client_secret=[REDACTED]&x=1*");
  g_test_trap_assert_stderr_unmatched ("*and more*");

  /* ... and not one secret reached either stream. */
  for (gsize i = 0; i < G_N_ELEMENTS (leaks); i++)
    {
      g_test_trap_assert_stderr_unmatched (leaks[i]);
      g_test_trap_assert_stdout_unmatched (leaks[i]);
    }
}

static void
test_debug_per_domain_subprocess (void)
{
  behave_like_a_program ();
  g_setenv ("G_MESSAGES_DEBUG", EMBER_LOG_DOMAIN_NET, TRUE);
  ember_log_init ();

  g_debug ("net debug shown, refresh_token=%s", "LEAKED-DEBUG");
  g_log (EMBER_LOG_DOMAIN_STORE, G_LOG_LEVEL_DEBUG, "store debug hidden");
  g_log (EMBER_LOG_DOMAIN_STORE, G_LOG_LEVEL_INFO, "store info hidden");
}

static void
test_debug_per_domain (void)
{
  g_test_trap_subprocess ("/ember/core/log/debug-per-domain/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  /* Debug and info go to stdout with GLib's default writer. */
  g_test_trap_assert_stdout ("*ember-net-DEBUG*net debug shown, refresh_token=[REDACTED]*");
  g_test_trap_assert_stdout_unmatched ("*LEAKED-DEBUG*");
  g_test_trap_assert_stderr_unmatched ("*LEAKED-DEBUG*");
  g_test_trap_assert_stdout_unmatched ("*store * hidden*");
  g_test_trap_assert_stderr_unmatched ("*store * hidden*");
}

static void
test_debug_off_by_default_subprocess (void)
{
  behave_like_a_program ();
  g_unsetenv ("G_MESSAGES_DEBUG");
  ember_log_init ();

  g_log (EMBER_LOG_DOMAIN_NET, G_LOG_LEVEL_DEBUG, "net debug hidden");
  g_log (EMBER_LOG_DOMAIN_NET, G_LOG_LEVEL_MESSAGE, "net message shown");
}

static void
test_debug_off_by_default (void)
{
  g_test_trap_subprocess ("/ember/core/log/debug-off-by-default/subprocess", 0,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*net message shown*");
  g_test_trap_assert_stdout_unmatched ("*net debug hidden*");
  g_test_trap_assert_stderr_unmatched ("*net debug hidden*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/core/log/redacts-everything", test_redacts_everything);
  g_test_add_func ("/ember/core/log/redacts-everything/subprocess", test_redacts_everything_subprocess);
  g_test_add_func ("/ember/core/log/debug-per-domain", test_debug_per_domain);
  g_test_add_func ("/ember/core/log/debug-per-domain/subprocess", test_debug_per_domain_subprocess);
  g_test_add_func ("/ember/core/log/debug-off-by-default", test_debug_off_by_default);
  g_test_add_func ("/ember/core/log/debug-off-by-default/subprocess", test_debug_off_by_default_subprocess);

  return g_test_run ();
}
