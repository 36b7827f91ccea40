/* test-gmail-bench.c: Gmail sync benchmarks against the in-process fake
 * server (suite "bench"; numbers are printed, nothing is asserted beyond
 * the sync working)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Set EMBER_BENCH_MESSAGES to change the mailbox size (default 20,000).
 * Every figure is also printed as one "BENCH ..." line on stderr.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "ember-test-utils.h"
#include "test-gmail-fixture.h"
#include "test-main-loop-probe.h"

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

/* Every message the sync stored, bodies and labels included, oldest
 * last as listed. */
static GPtrArray *
read_back_messages (GmailFixture *fixture)
{
  g_autoptr(GPtrArray) listed = gmail_fixture_list_stored_messages (fixture);
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_message_record_free);

  for (guint i = 0; i < listed->len; i++)
    {
      EmberMessageRecord *message = g_ptr_array_index (listed, i);
      g_autoptr(GError) error = NULL;

      g_ptr_array_add (all, ember_store_get_message_sync (fixture->store, message->id, NULL, &error));
      g_assert_no_error (error);
    }

  return g_steal_pointer (&all);
}

/* The store-only ceiling: the same messages saved into a fresh store in
 * the sync's pages (a batch each, with a cursor), messages per second. */
static double
store_only_rate (GmailFixture *fixture)
{
  g_autoptr(GPtrArray) messages = read_back_messages (fixture);
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_message_page_free);
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(EmberFolderPage) folder_page = ember_folder_page_new ("folders");
  g_autoptr(EmberAccountRecord) account = ember_account_record_copy (fixture->account);
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *path = g_build_filename (ember_test_get_tmpdir (), "store-only-XXXXXX", NULL);
  const char *name;
  gint64 start;
  double seconds;

  g_assert_nonnull (g_mkdtemp (path));
  store = ember_store_new_sync (path, NULL, &error);
  g_assert_no_error (error);
  account->id = 0;
  account->id = ember_store_add_account_sync (store, account, NULL, &error);
  g_assert_no_error (error);
  folders = ember_store_list_folders_sync (fixture->store, fixture->account->id, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < folders->len; i++)
    g_ptr_array_add (folder_page->folders, ember_folder_record_copy (g_ptr_array_index (folders, i)));
  folder_page->complete = TRUE;
  g_assert_true (ember_store_save_folder_page_sync (store, account->id, folder_page, NULL, &error));

  for (guint offset = 0; offset < messages->len; offset += EMBER_GMAIL_DEFAULT_BATCH_SIZE)
    {
      EmberMessagePage *page = ember_message_page_new ("mail");

      for (guint i = offset; i < MIN (offset + EMBER_GMAIL_DEFAULT_BATCH_SIZE, messages->len); i++)
        g_ptr_array_add (page->messages, ember_message_record_copy (g_ptr_array_index (messages, i)));
      page->cursor = g_strdup_printf ("{\"page\": %u}", offset);
      g_ptr_array_add (pages, page);
    }

  start = g_get_monotonic_time ();
  for (guint i = 0; i < pages->len; i++)
    {
      g_assert_true (ember_store_save_message_page_sync (store, account->id, g_ptr_array_index (pages, i),
                                                         NULL, &error));
      g_assert_no_error (error);
    }
  seconds = seconds_since (start);

  g_clear_object (&store);
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);

      g_unlink (file);
    }
  g_rmdir (path);

  return messages->len / seconds;
}

static void
bench_full_no_quota (void)
{
  GmailFixture fixture;
  EmberFakeServerOptions options;
  guint n = bench_messages ();
  gint64 start;
  double seconds, ceiling;

  ember_fake_server_options_init (&options);
  options.n_messages = n;
  options.n_events = 10;
  options.no_quota = TRUE;
  gmail_fixture_init (&fixture, &options);

  start = g_get_monotonic_time ();
  sync_ok (&fixture);
  seconds = seconds_since (start);

  g_assert_cmpuint (gmail_fixture_count_stored_messages (&fixture), ==, n);
  ceiling = store_only_rate (&fixture);
  g_test_minimized_result (seconds, "full sync, no quota: %u messages in %.2f s = %.0f messages/s "
                           "(%u HTTP requests); store-only ceiling %.0f messages/s; ratio %.0f %%",
                           n, seconds, n / seconds, gmail_fixture_count_calls (&fixture, NULL, "/", NULL),
                           ceiling, 100 * n / seconds / ceiling);
  g_printerr ("BENCH gmail full sync, no quota: %u messages in %.2f s = %.0f messages/s; "
              "store-only ceiling (same messages, same pages, same run) %.0f messages/s; ratio %.0f %%\n",
              n, seconds, n / seconds, ceiling, 100 * n / seconds / ceiling);

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
  g_printerr ("BENCH gmail full sync, quota on (6,000 units/min at 30x): %u messages in %.1f s = %.1f messages/s "
              "(%.1f real-time); %.1f %% of the quota used; %u refused (429)\n",
              n, seconds, n / seconds, n / seconds / 30, 100 * used, gmail_fixture_count_status (&fixture, 429));

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
  g_printerr ("BENCH gmail incremental sync, 10 changes on %u messages: %u requests (batch parts included), "
              "%.3f s wall, %" G_GUINT64_FORMAT " quota units\n", n, requests, seconds, units);

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
  g_printerr ("BENCH gmail newest 50 INBOX messages stored after %.2f s (%u-message account, quota on, "
              "real time; goal < 3 s)\n", run.seconds, n);

  gmail_fixture_clear (&fixture);
}

static void
bench_main_loop (void)
{
  GmailFixture fixture;
  EmberFakeServerOptions options;
  ManagerSyncResult result = { 0 };
  guint n = bench_messages ();

  ember_fake_server_options_init (&options);
  options.n_messages = n;
  options.n_events = 10;
  options.no_quota = TRUE;
  gmail_fixture_init (&fixture, &options);

  gmail_fixture_sync_through_manager (&fixture, &result);
  g_assert_cmpuint (gmail_fixture_count_stored_messages (&fixture), ==, n);

  g_test_minimized_result (result.lateness.worst_us / 1000.0,
                           "main loop during a %u-message sync through the sync manager: 1 ms timer late by "
                           "at worst %.1f ms, p99 %.1f ms, median %.2f ms; worst less run-queue wait %.1f ms",
                           n, result.lateness.worst_us / 1000.0, result.lateness.p99_us / 1000.0,
                           result.lateness.median_us / 1000.0, result.lateness.worst_blocked_us / 1000.0);
  g_printerr ("BENCH gmail main loop during a %u-message sync (no quota) through the sync manager: 1 ms timer "
              "lateness worst %.1f ms, p99 %.1f ms, median %.2f ms over %u ticks (goal worst < 16 ms); "
              "worst less the main thread's run-queue wait %.1f ms; %.0f messages/s, %u progress signals\n",
              n, result.lateness.worst_us / 1000.0, result.lateness.p99_us / 1000.0,
              result.lateness.median_us / 1000.0, result.lateness.n_ticks,
              result.lateness.worst_blocked_us / 1000.0, n / result.seconds, result.n_progress);

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
  g_test_add_func ("/ember/providers/gmail-bench/main-loop", bench_main_loop);

  return g_test_run ();
}
