/* test-backoff.c: delays, cap, give-up point, Retry-After, reset; all on
 * the fake clock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-backoff.h"
#include "ember-error.h"
#include "ember-fake-clock.h"
#include "ember-test-utils.h"

#define MS G_TIME_SPAN_MILLISECOND
#define S  G_TIME_SPAN_SECOND

static EmberBackoff *
new_backoff_without_jitter (EmberFakeClock *clock)
{
  EmberBackoff *backoff = ember_backoff_new (EMBER_CLOCK (clock));

  g_object_set (backoff, "jitter", FALSE, NULL);
  return backoff;
}

static void
test_defaults (void)
{
  g_autoptr(EmberBackoff) backoff = ember_backoff_new (NULL);
  g_autoptr(EmberClock) clock = NULL;
  gint64 initial, max_interval, max_elapsed, max_retry_after;
  double multiplier;
  gboolean jitter;

  g_object_get (backoff,
                "clock", &clock,
                "initial-interval", &initial,
                "multiplier", &multiplier,
                "max-interval", &max_interval,
                "max-elapsed", &max_elapsed,
                "max-retry-after", &max_retry_after,
                "jitter", &jitter,
                NULL);

  g_assert_true (clock == ember_clock_get_default ());
  g_assert_cmpint (initial, ==, 500 * MS);
  g_assert_cmpfloat (multiplier, ==, 2.0);
  g_assert_cmpint (max_interval, ==, 60 * S);
  g_assert_cmpint (max_elapsed, ==, 5 * 60 * S);
  g_assert_cmpint (max_retry_after, ==, 120 * S);
  g_assert_true (jitter);
  g_assert_cmpuint (ember_backoff_get_attempts (backoff), ==, 0);
}

/* Waiting exactly each delay on the fake clock, the sequence doubles up to
 * the 60 s cap and gives up when the next wait would end past 5 min after
 * the first failure: 0.5+1+2+4+8+16+32 = 63.5 s, then 60 s three times is
 * 243.5 s, and one more 60 s would end at 303.5 s > 300 s. */
static void
test_sequence_cap_and_give_up (void)
{
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (0);
  g_autoptr(EmberBackoff) backoff = new_backoff_without_jitter (clock);
  static const gint64 expected[] = {
    500 * MS, 1 * S, 2 * S, 4 * S, 8 * S, 16 * S, 32 * S, 60 * S, 60 * S, 60 * S,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      gint64 delay = ember_backoff_next_delay (backoff, -1);

      g_assert_cmpint (delay, ==, expected[i]);
      g_assert_cmpuint (ember_backoff_get_attempts (backoff), ==, i + 1);
      ember_fake_clock_advance (clock, delay);
    }

  g_assert_cmpint (ember_clock_get_monotonic (EMBER_CLOCK (clock)), ==, 243500 * MS);
  g_assert_cmpint (ember_backoff_next_delay (backoff, -1), ==, -1);
  /* Giving up is final until a reset, even for a short Retry-After. */
  g_assert_cmpint (ember_backoff_next_delay (backoff, 0), ==, -1);
  g_assert_cmpuint (ember_backoff_get_attempts (backoff), ==, G_N_ELEMENTS (expected));
}

static void
test_give_up_counts_time_since_first_failure (void)
{
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (1000 * S);
  g_autoptr(EmberBackoff) backoff = new_backoff_without_jitter (clock);

  g_assert_cmpint (ember_backoff_next_delay (backoff, -1), ==, 500 * MS);
  /* The request itself took long: 299 s after the first failure the
   * second delay (1 s) still fits exactly ... */
  ember_fake_clock_advance (clock, 299 * S);
  g_assert_cmpint (ember_backoff_next_delay (backoff, -1), ==, 1 * S);
  /* ... the third (2 s) no longer does. */
  ember_fake_clock_advance (clock, 1 * S);
  g_assert_cmpint (ember_backoff_next_delay (backoff, -1), ==, -1);
}

static void
test_custom_knobs (void)
{
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (0);
  g_autoptr(EmberBackoff) backoff = new_backoff_without_jitter (clock);

  g_object_set (backoff,
                "initial-interval", (gint64) (100 * MS),
                "multiplier", 3.0,
                "max-interval", (gint64) (1 * S),
                "max-elapsed", (gint64) 0,
                NULL);

  g_assert_cmpint (ember_backoff_next_delay (backoff, -1), ==, 100 * MS);
  g_assert_cmpint (ember_backoff_next_delay (backoff, -1), ==, 300 * MS);
  g_assert_cmpint (ember_backoff_next_delay (backoff, -1), ==, 900 * MS);
  g_assert_cmpint (ember_backoff_next_delay (backoff, -1), ==, 1 * S);

  /* max-elapsed 0: never give up, even a day later after 1000 attempts. */
  ember_fake_clock_advance (clock, 24 * G_TIME_SPAN_HOUR);
  for (int i = 0; i < 1000; i++)
    g_assert_cmpint (ember_backoff_next_delay (backoff, -1), ==, 1 * S);
}

static void
test_jitter_stays_in_range (void)
{
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (0);
  g_autoptr(EmberBackoff) backoff = ember_backoff_new (EMBER_CLOCK (clock));
  gint64 min_seen = G_MAXINT64;
  gint64 max_seen = 0;

  g_object_set (backoff, "max-elapsed", (gint64) 0, NULL);

  /* Full jitter on the first attempt: uniform in [0, 500 ms]. */
  for (int i = 0; i < 2000; i++)
    {
      gint64 delay;

      ember_backoff_reset (backoff);
      delay = ember_backoff_next_delay (backoff, -1);
      g_assert_cmpint (delay, >=, 0);
      g_assert_cmpint (delay, <=, 500 * MS);
      min_seen = MIN (min_seen, delay);
      max_seen = MAX (max_seen, delay);
    }
  /* Spread over the range, not a constant. */
  g_assert_cmpint (min_seen, <, 50 * MS);
  g_assert_cmpint (max_seen, >, 450 * MS);

  /* At the cap: in [0, 60 s]. */
  for (int i = 0; i < 20; i++)
    ember_backoff_next_delay (backoff, -1);
  for (int i = 0; i < 200; i++)
    {
      gint64 delay = ember_backoff_next_delay (backoff, -1);

      g_assert_cmpint (delay, >=, 0);
      g_assert_cmpint (delay, <=, 60 * S);
    }
}

static void
test_retry_after_overrides_and_is_capped (void)
{
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (0);
  g_autoptr(EmberBackoff) backoff = ember_backoff_new (EMBER_CLOCK (clock));

  /* Jitter on: a Retry-After replaces the random delay exactly. */
  g_assert_cmpint (ember_backoff_next_delay (backoff, 7 * S), ==, 7 * S);
  g_assert_cmpint (ember_backoff_next_delay (backoff, 0), ==, 0);
  g_assert_cmpint (ember_backoff_next_delay (backoff, 3600 * S), ==, 120 * S);
  g_assert_cmpuint (ember_backoff_get_attempts (backoff), ==, 3);

  g_object_set (backoff, "max-retry-after", (gint64) (10 * S), NULL);
  g_assert_cmpint (ember_backoff_next_delay (backoff, 30 * S), ==, 10 * S);

  /* A Retry-After that would end past the give-up point gives up. */
  ember_fake_clock_advance (clock, 295 * S);
  g_assert_cmpint (ember_backoff_next_delay (backoff, 6 * S), ==, -1);
}

static void
test_reset (void)
{
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (0);
  g_autoptr(EmberBackoff) backoff = new_backoff_without_jitter (clock);

  for (int i = 0; i < 4; i++)
    ember_backoff_next_delay (backoff, -1);
  g_assert_cmpint (ember_backoff_next_delay (backoff, -1), ==, 8 * S);

  ember_backoff_reset (backoff);
  g_assert_cmpuint (ember_backoff_get_attempts (backoff), ==, 0);
  g_assert_cmpint (ember_backoff_next_delay (backoff, -1), ==, 500 * MS);

  /* After giving up, a reset (a success) opens a new 5 min window that
   * starts at the next failure. */
  ember_fake_clock_advance (clock, 400 * S);
  g_assert_cmpint (ember_backoff_next_delay (backoff, -1), ==, -1);
  ember_backoff_reset (backoff);
  ember_fake_clock_advance (clock, 1000 * S);
  g_assert_cmpint (ember_backoff_next_delay (backoff, -1), ==, 500 * MS);
  ember_fake_clock_advance (clock, 299 * S);
  g_assert_cmpint (ember_backoff_next_delay (backoff, -1), ==, 1 * S);
}

typedef struct
{
  EmberBackoff *backoff;
  GCancellable *cancellable;
  gint64        retry_after;
  gboolean      result;
  GError       *error;
} WaitJob;

static gpointer
wait_thread (gpointer data)
{
  WaitJob *job = data;

  job->result = ember_backoff_wait (job->backoff, job->retry_after, job->cancellable, &job->error);
  return NULL;
}

static void
test_wait_on_fake_clock (void)
{
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (0);
  g_autoptr(EmberBackoff) backoff = new_backoff_without_jitter (clock);
  WaitJob job = { .backoff = backoff, .retry_after = -1 };
  GThread *thread;

  thread = g_thread_new ("backoff", wait_thread, &job);
  g_assert_true (ember_fake_clock_wait_for_waiters (clock, 1, 5 * S));
  g_assert_cmpint (ember_fake_clock_get_next_deadline (clock), ==, 500 * MS);
  ember_fake_clock_advance (clock, 499 * MS);
  g_assert_cmpuint (ember_fake_clock_get_n_waiters (clock), ==, 1);
  ember_fake_clock_advance (clock, 1 * MS);
  g_thread_join (thread);
  g_assert_no_error (job.error);
  g_assert_true (job.result);

  /* The Retry-After form waits for the server's delay. */
  job.retry_after = 42 * S;
  thread = g_thread_new ("backoff", wait_thread, &job);
  g_assert_true (ember_fake_clock_wait_for_waiters (clock, 1, 5 * S));
  g_assert_cmpint (ember_fake_clock_get_next_deadline (clock), ==, 500 * MS + 42 * S);
  ember_fake_clock_advance (clock, 42 * S);
  g_thread_join (thread);
  g_assert_true (job.result);
}

static void
test_wait_cancel_and_give_up (void)
{
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (0);
  g_autoptr(EmberBackoff) backoff = new_backoff_without_jitter (clock);
  WaitJob job = { .backoff = backoff, .retry_after = -1 };
  GThread *thread;

  job.cancellable = g_cancellable_new ();
  thread = g_thread_new ("backoff", wait_thread, &job);
  g_assert_true (ember_fake_clock_wait_for_waiters (clock, 1, 5 * S));
  g_cancellable_cancel (job.cancellable);
  g_thread_join (thread);
  g_assert_false (job.result);
  g_assert_error (job.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&job.error);
  g_clear_object (&job.cancellable);

  /* Past the give-up point the wait fails at once without waiting. */
  ember_fake_clock_advance (clock, 300 * S);
  g_assert_false (ember_backoff_wait (backoff, -1, NULL, &job.error));
  g_assert_error (job.error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_GAVE_UP);
  g_assert_cmpstr (job.error->message, ==, "Gave up after 2 failed attempts");
  g_assert_cmpuint (ember_fake_clock_get_n_waiters (clock), ==, 0);
  g_clear_error (&job.error);
}

static void
test_parse_retry_after (void)
{
  /* Wed, 21 Oct 2015 07:28:00 GMT */
  const gint64 date_usec = G_GINT64_CONSTANT (1445412480) * S;

  g_assert_cmpint (ember_parse_retry_after ("120", 0), ==, 120 * S);
  g_assert_cmpint (ember_parse_retry_after ("  7 ", 0), ==, 7 * S);
  g_assert_cmpint (ember_parse_retry_after ("0", 0), ==, 0);
  g_assert_cmpint (ember_parse_retry_after ("99999999999999999999999", 0), ==, G_MAXINT64);

  g_assert_cmpint (ember_parse_retry_after ("Wed, 21 Oct 2015 07:28:00 GMT", date_usec - 90 * S),
                   ==, 90 * S);
  /* The other two date formats HTTP allows. */
  g_assert_cmpint (ember_parse_retry_after ("Wednesday, 21-Oct-15 07:28:00 GMT", date_usec - 5 * S),
                   ==, 5 * S);
  g_assert_cmpint (ember_parse_retry_after ("Wed Oct 21 07:28:00 2015", date_usec - 1 * S),
                   ==, 1 * S);
  /* A date already past means "now". */
  g_assert_cmpint (ember_parse_retry_after ("Wed, 21 Oct 2015 07:28:00 GMT", date_usec + 10 * S),
                   ==, 0);

  g_assert_cmpint (ember_parse_retry_after (NULL, 0), ==, -1);
  g_assert_cmpint (ember_parse_retry_after ("", 0), ==, -1);
  g_assert_cmpint (ember_parse_retry_after ("   ", 0), ==, -1);
  g_assert_cmpint (ember_parse_retry_after ("-5", 0), ==, -1);
  g_assert_cmpint (ember_parse_retry_after ("1.5", 0), ==, -1);
  g_assert_cmpint (ember_parse_retry_after ("soon", 0), ==, -1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/core/backoff/defaults", test_defaults);
  g_test_add_func ("/ember/core/backoff/sequence-cap-give-up", test_sequence_cap_and_give_up);
  g_test_add_func ("/ember/core/backoff/give-up-since-first-failure", test_give_up_counts_time_since_first_failure);
  g_test_add_func ("/ember/core/backoff/custom-knobs", test_custom_knobs);
  g_test_add_func ("/ember/core/backoff/jitter", test_jitter_stays_in_range);
  g_test_add_func ("/ember/core/backoff/retry-after", test_retry_after_overrides_and_is_capped);
  g_test_add_func ("/ember/core/backoff/reset", test_reset);
  g_test_add_func ("/ember/core/backoff/wait", test_wait_on_fake_clock);
  g_test_add_func ("/ember/core/backoff/wait-cancel-give-up", test_wait_cancel_and_give_up);
  g_test_add_func ("/ember/core/backoff/parse-retry-after", test_parse_retry_after);

  return g_test_run ();
}
