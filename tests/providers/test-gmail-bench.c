/* test-gmail-bench.c: Gmail sync benchmarks against the in-process fake
 * server (suite "bench"; numbers are printed, nothing is asserted beyond
 * the sync working)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Set EMBER_BENCH_MESSAGES to change the mailbox size (default 20,000).
 */
#include "config.h"

#include <string.h>

#include "ember-test-utils.h"
#include "test-gmail-fixture.h"

#define GMAIL_MESSAGES_PATH "/gmail/v1/users/me/messages"

static guint
bench_messages (void)
{
  const char *text = g_getenv ("EMBER_BENCH_MESSAGES");
  guint64 value;

  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 100, 1000000, &value, NULL))
    return (guint) value;
  return 20000;
}

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

static void
sync_ok (GmailFixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gmail_fixture_sync_mail (fixture, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
bench_full_no_quota (void)
{
  GmailFixture fixture;
  EmberFakeServerOptions options;
  guint n = bench_messages ();
  gint64 start;
  double seconds;

  ember_fake_server_options_init (&options);
  options.n_messages = n;
  options.n_events = 10;
  options.no_quota = TRUE;
  gmail_fixture_init (&fixture, &options);

  start = g_get_monotonic_time ();
  sync_ok (&fixture);
  seconds = seconds_since (start);

  g_assert_cmpuint (gmail_fixture_count_stored_messages (&fixture), ==, n);
  g_test_minimized_result (seconds, "full sync, no quota: %u messages in %.2f s = %.0f messages/s "
                           "(%u HTTP requests)", n, seconds, n / seconds,
                           gmail_fixture_count_calls (&fixture, NULL, "/", NULL));
  g_printerr ("full sync, no quota: %u messages in %.2f s = %.0f messages/s\n", n, seconds, n / seconds);

  gmail_fixture_clear (&fixture);
}

static void
bench_full_quota (void)
{
  GmailFixture fixture;
  EmberFakeServerOptions options;
  guint n = bench_messages ();
  guint units_per_second = 3000;
  guint64 units;
  gint64 start;
  double seconds, used;

  /* Gmail's per-user quota (6,000 units a minute) sped up 30 times, over a
   * 10 s window: 30,000 units per 10 s. The client's limiter gets the same
   * numbers. At 30x the client is not CPU-bound on this machine, so the
   * share of the quota used is what the pacing achieves. */
  gmail_fixture_options_with_quota (&options, n, 30, 6);
  options.n_events = 10;
  gmail_fixture_init (&fixture, &options);

  start = g_get_monotonic_time ();
  sync_ok (&fixture);
  seconds = seconds_since (start);

  units = gmail_fixture_sum_cost (&fixture);
  used = units / (units_per_second * seconds);
  g_assert_cmpuint (gmail_fixture_count_stored_messages (&fixture), ==, n);
  g_test_maximized_result (used, "full sync, quota on (6,000 units/min at 30x): %u messages in %.1f s = "
                           "%.1f messages/s (%.1f real-time), %.1f %% of the quota used, %u refused (429)",
                           n, seconds, n / seconds, n / seconds / 30, 100 * used,
                           gmail_fixture_count_status (&fixture, 429));
  g_printerr ("full sync, quota on (30x): %u messages in %.1f s, %.1f %% of quota, %u x 429\n",
              n, seconds, 100 * used, gmail_fixture_count_status (&fixture, 429));

  gmail_fixture_clear (&fixture);
}

static void
bench_incremental (void)
{
  GmailFixture fixture;
  EmberFakeServerOptions options;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  guint n = bench_messages ();
  gint64 start;
  double seconds;
  guint requests;
  guint64 units;

  ember_fake_server_options_init (&options);
  options.n_messages = n;
  options.n_events = 10;
  options.no_quota = TRUE;
  gmail_fixture_init (&fixture, &options);
  sync_ok (&fixture);

  /* Ten changes: 3 new, 2 deleted, 3 read, 2 relabelled. */
  ids = ember_fake_server_list_message_ids (fixture.server, GMAIL_TEST_EMAIL, "INBOX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      EmberFakeMessageSpec spec = { 0 };
      g_autofree char *id = NULL;

      spec.subject = "Benchmark arrival";
      spec.from_address = "bench@example.org";
      spec.text = "New.";
      id = ember_fake_server_add_message (fixture.server, GMAIL_TEST_EMAIL, &spec, &error);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < 2; i++)
    g_assert_true (ember_fake_server_delete_message (fixture.server, GMAIL_TEST_EMAIL, ids[i], &error));
  for (guint i = 2; i < 5; i++)
    g_assert_true (ember_fake_server_set_message_unread (fixture.server, GMAIL_TEST_EMAIL, ids[i], FALSE, &error));
  for (guint i = 5; i < 7; i++)
    {
      const char *add[] = { "STARRED", NULL };

      g_assert_true (ember_fake_server_relabel_message (fixture.server, GMAIL_TEST_EMAIL, ids[i], add, NULL, &error));
    }
  g_assert_no_error (error);

  ember_fake_server_clear_request_log (fixture.server);
  start = g_get_monotonic_time ();
  sync_ok (&fixture);
  seconds = seconds_since (start);
  requests = gmail_fixture_count_calls (&fixture, NULL, "/", NULL);
  units = gmail_fixture_sum_cost (&fixture);

  g_test_minimized_result (seconds, "incremental sync, 10 changes on %u messages: %.3f s, "
                           "%u requests (batch parts included), %" G_GUINT64_FORMAT " quota units",
                           n, seconds, requests, units);
  g_printerr ("incremental sync, 10 changes on %u messages: %.3f s, %u requests, %" G_GUINT64_FORMAT " units\n",
              n, seconds, requests, units);

  gmail_fixture_clear (&fixture);
}

typedef struct
{
  GCancellable *cancellable;
  gint64        start;
  double        seconds;
  guint         threshold;
} NewestFifty;

static void
stop_at_fifty_cb (EmberSyncReport *report,
                  gpointer         user_data)
{
  NewestFifty *run = user_data;

  if (run->seconds == 0 && ember_sync_report_get_stored_messages (report) >= run->threshold)
    {
      run->seconds = seconds_since (run->start);
      g_cancellable_cancel (run->cancellable);
    }
}

static void
bench_newest_fifty (void)
{
  GmailFixture fixture;
  EmberFakeServerOptions options;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(EmberSyncReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberGmailProvider) provider = NULL;
  g_auto(GStrv) inbox = NULL;
  NewestFifty run = { 0 };
  guint n = bench_messages ();

  /* The real per-user quota, not compressed: 6,000 units per 60 s. */
  ember_fake_server_options_init (&options);
  options.n_messages = n;
  options.n_events = 10;
  gmail_fixture_init (&fixture, &options);

  run.cancellable = cancellable;
  run.threshold = 50;
  report = ember_sync_report_new (stop_at_fifty_cb, &run, NULL);
  provider = gmail_fixture_new_provider (&fixture);
  run.start = g_get_monotonic_time ();
  g_assert_false (ember_provider_sync_mail (EMBER_PROVIDER (provider), report, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpfloat (run.seconds, >, 0);

  /* They are the newest INBOX messages. */
  inbox = ember_fake_server_list_message_ids (fixture.server, GMAIL_TEST_EMAIL, "INBOX", NULL);
  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(GError) find_error = NULL;
      g_autoptr(EmberMessageRecord) record = ember_store_find_message_sync (fixture.store, fixture.account->id,
                                                                            inbox[i], NULL, &find_error);

      g_assert_no_error (find_error);
    }

  g_test_minimized_result (run.seconds, "newest 50 INBOX messages stored after %.2f s (%u-message account, "
                           "quota on: 6,000 units per 60 s)", run.seconds, n);
  g_printerr ("newest 50 INBOX messages stored after %.2f s (quota on, real time)\n", run.seconds);

  gmail_fixture_clear (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/providers/gmail-bench/full-no-quota", bench_full_no_quota);
  g_test_add_func ("/ember/providers/gmail-bench/full-quota", bench_full_quota);
  g_test_add_func ("/ember/providers/gmail-bench/incremental", bench_incremental);
  g_test_add_func ("/ember/providers/gmail-bench/newest-fifty", bench_newest_fifty);

  return g_test_run ();
}
