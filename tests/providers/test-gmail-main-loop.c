/* test-gmail-main-loop.c: the main loop stays free while EmberSyncManager
 * runs a full Gmail sync against the in-process fake server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-test-utils.h"
#include "test-main-loop-probe.h"

/* No main-loop iteration may be blocked longer than this. */
#define MAX_BLOCKED_MS 50

static void
test_full_sync_keeps_main_loop_free (void)
{
  GmailFixture fixture;
  EmberFakeServerOptions options;
  ManagerSyncResult result = { 0 };

  /* No quota: pages are stored as fast as this machine can, so the most
   * progress and the most completions per second reach the main loop. */
  ember_fake_server_options_init (&options);
  options.n_messages = gmail_fixture_scale (5000);
  options.n_events = 10;
  options.no_quota = TRUE;
  gmail_fixture_init (&fixture, &options);

  gmail_fixture_sync_through_manager (&fixture, &result);

  g_test_message ("%u messages in %.1f s through the sync manager, %u progress signals; 1 ms timer: "
                  "%u ticks, lateness median %.1f ms, p99 %.1f ms, worst %.1f ms; worst less run-queue wait "
                  "%.1f ms%s",
                  options.n_messages, result.seconds, result.n_progress, result.lateness.n_ticks,
                  result.lateness.median_us / 1000.0, result.lateness.p99_us / 1000.0,
                  result.lateness.worst_us / 1000.0, result.lateness.worst_blocked_us / 1000.0,
                  result.lateness.has_run_queue ? "" : " (run-queue wait unknown here)");

  g_assert_cmpuint (gmail_fixture_count_stored_messages (&fixture), ==, options.n_messages);
  /* The main loop heard about the sync as it went, not just at its end,
   * and the timer kept running all along. */
  g_assert_cmpuint (result.n_progress, >, 10);
  g_assert_cmpuint (result.lateness.n_ticks, >, result.seconds * 100);
  /* Time the main thread waited for a CPU held by other processes is
   * the machine's business; any other delay is the main loop blocked. */
  g_assert_cmpint (result.lateness.worst_blocked_us, <, MAX_BLOCKED_MS * 1000);

  gmail_fixture_clear (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/providers/gmail-main-loop/full-sync-keeps-main-loop-free",
                   test_full_sync_keeps_main_loop_free);

  return g_test_run ();
}
