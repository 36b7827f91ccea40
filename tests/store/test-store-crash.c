/* test-store-crash.c: SIGKILL at random moments never breaks a page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sqlite3.h>

#include "ember-test-utils.h"
#include "store-test-helpers.h"

#define N_KILLS            50
#define MESSAGES_PER_PAGE  20

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

static char *
query_text (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else
    g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  return value;
}

/* Returns the last committed page; checks that exactly the pages up to it
 * are there. */
static guint64
check_database (const char *path)
{
  g_autofree char *integrity = NULL;
  g_autofree char *cursor = NULL;
  sqlite3 *db = NULL;
  guint64 pages = 0;
  gint64 expected;
  int rc;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return 0;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);

  integrity = query_text (db, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");

  /* Killed before the schema was in (each migration commits on its own,
   * and the search index comes with the second): nothing else to check. */
  if (query_int (db, "SELECT count(*) FROM sqlite_schema WHERE name IN ('sync_state', 'message_search')") < 2)
    {
      sqlite3_close (db);
      return 0;
    }

  rc = sqlite3_exec (db, "INSERT INTO message_search (message_search) VALUES ('integrity-check')", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    g_error ("Search index check failed: %s", sqlite3_errmsg (db));

  cursor = query_text (db, "SELECT cursor FROM sync_state WHERE resource = 'mail'");
  if (cursor != NULL)
    {
      g_assert_true (g_str_has_prefix (cursor, "page:"));
      pages = g_ascii_strtoull (cursor + strlen ("page:"), NULL, 10);
    }

  /* 19 per earlier page, 20 for the last, none beyond. */
  expected = pages == 0 ? 0 : (gint64) pages * (MESSAGES_PER_PAGE - 1) + 1;
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM messages"), ==, expected);
  g_assert_cmpint (query_int (db, "SELECT count(DISTINCT substr (provider_id, 1, instr (provider_id, '-'))) "
                                  "FROM messages"), ==, pages);
  g_assert_cmpint (query_int (db, "SELECT coalesce (max (CAST (substr (provider_id, 2, instr (provider_id, '-') - 2) "
                                  "AS INTEGER)), 0) FROM messages"), ==, pages);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM message_folders"), ==, expected);
  /* Every earlier page was marked read by the page after it. */
  if (pages > 0)
    g_assert_cmpint (query_int (db, "SELECT count(*) FROM messages WHERE unread = 1"), ==, MESSAGES_PER_PAGE);

  sqlite3_close (db);
  return pages;
}

static void
test_kill_at_random_moments (void)
{
  g_autofree char *helper = ember_test_build_path ("tests", "store", "ember-store-crash-helper", NULL);
  g_autofree char *dir = store_test_make_dir ("crash");
  g_autofree char *path = g_build_filename (dir, "ember.db", NULL);
  guint64 last_pages = 0;
  guint n_killed_before_ready = 0;
  gint64 started = g_get_monotonic_time ();

  g_assert_true (g_file_test (helper, G_FILE_TEST_IS_EXECUTABLE));

  for (guint round = 0; round < N_KILLS; round++)
    {
      g_autoptr(GSubprocess) child = NULL;
      g_autoptr(GDataInputStream) output = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *line = NULL;
      guint64 confirmed = 0;
      guint64 pages;

      child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, helper, dir, NULL);
      g_assert_no_error (error);

      if (round % 5 == 0)
        {
          /* Somewhere in start-up: opening, migrating, the first pages. */
          g_usleep (g_test_rand_int_range (0, 30000));
          n_killed_before_ready++;
        }
      else
        {
          output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
          line = g_data_input_stream_read_line (output, NULL, NULL, &error);
          g_assert_no_error (error);
          g_assert_nonnull (line);
          g_assert_true (g_str_has_prefix (line, "ready "));
          /* It resumes from its last committed page. */
          g_assert_cmpuint (g_ascii_strtoull (line + strlen ("ready "), NULL, 10), ==, last_pages);

          /* Let it commit a few pages, then kill it a random moment
           * later: almost always inside the next page's transaction. */
          for (guint i = g_test_rand_int_range (1, 4); i > 0; i--)
            {
              g_clear_pointer (&line, g_free);
              line = g_data_input_stream_read_line (output, NULL, NULL, &error);
              g_assert_no_error (error);
              g_assert_true (g_str_has_prefix (line, "page "));
              confirmed = g_ascii_strtoull (line + strlen ("page "), NULL, 10);
            }
          g_usleep (g_test_rand_int_range (0, 5000));
        }

      g_subprocess_send_signal (child, SIGKILL);
      g_subprocess_wait (child, NULL, &error);
      g_assert_no_error (error);
      /* It must have died of the kill, not of an error of its own. */
      g_assert_true (g_subprocess_get_if_signaled (child));
      g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);

      pages = check_database (path);
      /* Nothing it reported committed is lost. */
      g_assert_cmpuint (pages, >=, confirmed);
      g_assert_cmpuint (pages, >=, last_pages);
      last_pages = pages;
    }

  g_test_message ("%u kills (%u during start-up), %" G_GUINT64_FORMAT " pages committed, %.1f s",
                  N_KILLS, n_killed_before_ready, last_pages,
                  (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
  /* Each of the later rounds committed at least one page before its kill. */
  g_assert_cmpuint (last_pages, >=, N_KILLS - n_killed_before_ready);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/store/crash/kill-at-random-moments", test_kill_at_random_moments);

  return g_test_run ();
}
