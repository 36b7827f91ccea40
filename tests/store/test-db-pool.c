/* test-db-pool.c: the connection pool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/stat.h>

#include "ember-db-pool.h"
#include "ember-error.h"
#include "ember-fake-clock.h"
#include "ember-metrics.h"
#include "ember-test-utils.h"
#include "store-test-helpers.h"

#define MINUTE (G_USEC_PER_SEC * (gint64) 60)

typedef struct
{
  char           *dir;
  char           *path;
  EmberMetrics   *metrics;
  EmberFakeClock *clock;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = store_test_make_dir ("pool");
  f->path = g_build_filename (f->dir, "ember.db", NULL);
  f->metrics = ember_metrics_new ();
  f->clock = ember_fake_clock_new (TEST_EPOCH * G_USEC_PER_SEC);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->metrics);
  g_clear_object (&f->clock);
  g_clear_pointer (&f->path, g_free);
  g_clear_pointer (&f->dir, g_free);
}

static EmberDbPool *
open_pool (Fixture *f,
           guint    acquire_timeout_msec,
           guint    min_connections)
{
  g_autoptr(GError) error = NULL;
  EmberDbPool *pool;

  pool = g_initable_new (EMBER_TYPE_DB_POOL, NULL, &error,
                         "path", f->path,
                         "metrics", f->metrics,
                         "clock", f->clock,
                         "acquire-timeout-msec", acquire_timeout_msec,
                         "min-connections", min_connections,
                         NULL);
  g_assert_no_error (error);
  g_assert_nonnull (pool);

  return pool;
}

static EmberDbPoolStats
get_stats (EmberDbPool *pool)
{
  EmberDbPoolStats stats;

  ember_db_pool_get_stats (pool, &stats);
  return stats;
}

static gint64
query_int (EmberDbConnection *connection,
           const char        *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = ember_db_connection_prepare (connection, sql, &error);
  gint64 value;

  g_assert_no_error (error);
  g_assert_cmpint (ember_db_connection_step (connection, stmt, &error), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  return value;
}

static gboolean
exec_cb (EmberDbConnection  *connection,
         gpointer            user_data,
         GCancellable       *cancellable,
         GError            **error)
{
  return ember_db_connection_exec (connection, user_data, error);
}

static gboolean
count_rows_cb (EmberDbConnection  *connection,
               gpointer            user_data,
               GCancellable       *cancellable,
               GError            **error)
{
  *(gint64 *) user_data = query_int (connection, "SELECT count(*) FROM t");
  return TRUE;
}

static gint64
count_rows (EmberDbPool *pool)
{
  g_autoptr(GError) error = NULL;
  gint64 count = -1;

  ember_db_pool_with_reader (pool, count_rows_cb, &count, NULL, &error);
  g_assert_no_error (error);

  return count;
}

static void
test_open_creates_private_file (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(EmberDbPool) pool = NULL;
  g_autofree char *nested_dir = g_build_filename (f->dir, "data", "ember", NULL);
  g_autofree char *journal_mode = NULL;
  struct stat st;
  mode_t old_umask;

  g_free (f->path);
  f->path = g_build_filename (nested_dir, "ember.db", NULL);

  /* Even a permissive umask must not make mail readable by others. */
  old_umask = umask (0);
  pool = open_pool (f, 1000, 1);
  umask (old_umask);

  g_assert_cmpint (stat (nested_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  journal_mode = store_test_query_text (f->path, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal");
}

static void
test_open_tightens_existing_file (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(EmberDbPool) pool = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  g_file_set_contents (f->path, "", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (chmod (f->path, 0644), ==, 0);

  pool = open_pool (f, 1000, 1);

  g_assert_cmpint (stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

typedef struct
{
  gint64 foreign_keys;
  gint64 synchronous;
  gint64 busy_timeout;
  gint64 query_only;
} Settings;

static gboolean
read_settings_cb (EmberDbConnection  *connection,
                  gpointer            user_data,
                  GCancellable       *cancellable,
                  GError            **error)
{
  Settings *settings = user_data;

  settings->foreign_keys = query_int (connection, "PRAGMA foreign_keys");
  settings->synchronous = query_int (connection, "PRAGMA synchronous");
  settings->busy_timeout = query_int (connection, "PRAGMA busy_timeout");
  settings->query_only = query_int (connection, "PRAGMA query_only");

  return TRUE;
}

static void
test_connection_settings (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(EmberDbPool) pool = open_pool (f, 1000, 1);
  g_autoptr(GError) error = NULL;
  Settings writer = { -1, -1, -1, -1 };
  Settings reader = { -1, -1, -1, -1 };

  ember_db_pool_write_sync (pool, read_settings_cb, &writer, NULL, &error);
  g_assert_no_error (error);
  ember_db_pool_with_reader (pool, read_settings_cb, &reader, NULL, &error);
  g_assert_no_error (error);

  /* synchronous = NORMAL is 1. */
  g_assert_cmpint (writer.foreign_keys, ==, 1);
  g_assert_cmpint (writer.synchronous, ==, 1);
  g_assert_cmpint (writer.busy_timeout, ==, 5000);
  g_assert_cmpint (writer.query_only, ==, 0);
  g_assert_cmpint (reader.foreign_keys, ==, 1);
  g_assert_cmpint (reader.synchronous, ==, 1);
  g_assert_cmpint (reader.busy_timeout, ==, 5000);
  g_assert_cmpint (reader.query_only, ==, 1);
}

static void
test_default_knobs (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberDbPool) pool = ember_db_pool_new_sync (f->path, NULL, &error);
  guint max_connections, min_connections, acquire_timeout, idle_timeout, max_lifetime;

  g_assert_no_error (error);
  g_object_get (pool,
                "max-connections", &max_connections,
                "min-connections", &min_connections,
                "acquire-timeout-msec", &acquire_timeout,
                "idle-timeout-sec", &idle_timeout,
                "max-lifetime-sec", &max_lifetime,
                NULL);
  g_assert_cmpuint (max_connections, ==, 5);
  g_assert_cmpuint (min_connections, ==, 1);
  g_assert_cmpuint (acquire_timeout, ==, 5000);
  g_assert_cmpuint (idle_timeout, ==, 5 * 60);
  g_assert_cmpuint (max_lifetime, ==, 30 * 60);
}

static gboolean
insert_then_fail_cb (EmberDbConnection  *connection,
                     gpointer            user_data,
                     GCancellable       *cancellable,
                     GError            **error)
{
  if (!ember_db_connection_exec (connection, "INSERT INTO t VALUES (1), (2)", error))
    return FALSE;

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the page was bad");
  return FALSE;
}

static void
test_write_commits_or_rolls_back (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(EmberDbPool) pool = open_pool (f, 1000, 1);
  g_autoptr(GError) error = NULL;

  ember_db_pool_write_sync (pool, exec_cb, (gpointer) "CREATE TABLE t (v INTEGER)", NULL, &error);
  g_assert_no_error (error);

  g_assert_false (ember_db_pool_write_sync (pool, insert_then_fail_cb, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, "the page was bad");
  g_clear_error (&error);
  g_assert_cmpint (count_rows (pool), ==, 0);

  g_assert_true (ember_db_pool_write_sync (pool, exec_cb, (gpointer) "INSERT INTO t VALUES (1), (2)", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (pool), ==, 2);
}

typedef struct
{
  EmberDbPool *pool;
  gint         inside;
  gint         max_inside;
  guint        n_increments;
} WriterRace;

static gboolean
increment_cb (EmberDbConnection  *connection,
              gpointer            user_data,
              GCancellable       *cancellable,
              GError            **error)
{
  WriterRace *race = user_data;
  g_autofree char *update = NULL;
  gint inside = g_atomic_int_add (&race->inside, 1) + 1;
  gint max_inside;
  gint64 value;

  do
    max_inside = g_atomic_int_get (&race->max_inside);
  while (inside > max_inside && !g_atomic_int_compare_and_exchange (&race->max_inside, max_inside, inside));

  /* Read-modify-write: loses updates unless writes are serialised. */
  value = query_int (connection, "SELECT v FROM counter");
  g_thread_yield ();
  update = g_strdup_printf ("UPDATE counter SET v = %" G_GINT64_FORMAT, value + 1);
  g_atomic_int_add (&race->inside, -1);

  return ember_db_connection_exec (connection, update, error);
}

static gpointer
increment_thread (gpointer data)
{
  WriterRace *race = data;

  for (guint i = 0; i < race->n_increments; i++)
    {
      g_autoptr(GError) error = NULL;

      ember_db_pool_write_sync (race->pool, increment_cb, race, NULL, &error);
      g_assert_no_error (error);
    }

  return NULL;
}

static gboolean
read_counter_cb (EmberDbConnection  *connection,
                 gpointer            user_data,
                 GCancellable       *cancellable,
                 GError            **error)
{
  *(gint64 *) user_data = query_int (connection, "SELECT v FROM counter");
  return TRUE;
}

static void
test_writes_are_serialised (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(EmberDbPool) pool = open_pool (f, 10000, 1);
  g_autoptr(GError) error = NULL;
  WriterRace race = { pool, 0, 0, 50 };
  GThread *threads[4];
  gint64 value = -1;

  ember_db_pool_write_sync (pool, exec_cb,
                            (gpointer) "CREATE TABLE counter (v INTEGER); INSERT INTO counter VALUES (0)",
                            NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("writer", increment_thread, &race);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  ember_db_pool_with_reader (pool, read_counter_cb, &value, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (value, ==, G_N_ELEMENTS (threads) * race.n_increments);
  g_assert_cmpint (race.max_inside, ==, 1);
}

static void
test_connections_are_reused (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(EmberDbPool) pool = open_pool (f, 1000, 1);
  g_autoptr(GError) error = NULL;
  EmberDbConnection *first, *second;
  sqlite3_stmt *stmt1, *stmt2;
  EmberDbPoolStats stats;

  ember_db_pool_write_sync (pool, exec_cb, (gpointer) "CREATE TABLE t (v INTEGER)", NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 100; i++)
    {
      ember_db_pool_write_sync (pool, exec_cb, (gpointer) "INSERT INTO t VALUES (1)", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (count_rows (pool), ==, i + 1);
    }

  /* One writer plus one reader served all 201 operations. */
  stats = get_stats (pool);
  g_assert_cmpuint (stats.opened, ==, 2);
  g_assert_cmpuint (stats.closed, ==, 0);
  g_assert_cmpuint (stats.in_use, ==, 0);
  g_assert_cmpuint (stats.idle, ==, 2);

  /* The statement cache survives a release. */
  first = ember_db_pool_acquire_reader (pool, NULL, &error);
  g_assert_no_error (error);
  stmt1 = ember_db_connection_prepare (first, "SELECT count(*) FROM t", &error);
  g_assert_no_error (error);
  g_assert_true (ember_db_connection_prepare (first, "SELECT count(*) FROM t", &error) == stmt1);
  /* Left mid-way on purpose: release must reset it. */
  g_assert_cmpint (sqlite3_step (stmt1), ==, SQLITE_ROW);
  ember_db_pool_release (pool, first);
  g_assert_false (sqlite3_stmt_busy (stmt1));

  second = ember_db_pool_acquire_reader (pool, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (second == first);
  stmt2 = ember_db_connection_prepare (second, "SELECT count(*) FROM t", &error);
  g_assert_true (stmt2 == stmt1);
  ember_db_pool_release (pool, second);
}

static void
test_statement_cache_is_bounded (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(EmberDbPool) pool = open_pool (f, 1000, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) statements = g_ptr_array_new ();
  EmberDbConnection *reader;

  reader = ember_db_pool_acquire_reader (pool, NULL, &error);
  g_assert_no_error (error);

  /* SQL built at run time, more distinct texts than the cache holds:
   * every statement handed out must stay usable while the connection is
   * held. */
  for (guint i = 0; i < 600; i++)
    {
      char *sql = g_strdup_printf ("SELECT %u", i);

      g_ptr_array_add (texts, sql);
      g_ptr_array_add (statements, ember_db_connection_prepare (reader, sql, &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < statements->len; i++)
    {
      sqlite3_stmt *stmt = statements->pdata[i];

      g_assert_cmpint (ember_db_connection_step (reader, stmt, &error), ==, SQLITE_ROW);
      g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, i);
      sqlite3_reset (stmt);
    }

  /* A different text at the same address is not taken for the old one. */
  g_free (texts->pdata[0]);
  texts->pdata[0] = NULL;
  {
    char buffer[32];
    sqlite3_stmt *first, *second;

    g_strlcpy (buffer, "SELECT 'a'", sizeof buffer);
    first = ember_db_connection_prepare (reader, buffer, &error);
    g_assert_no_error (error);
    g_strlcpy (buffer, "SELECT 'b'", sizeof buffer);
    second = ember_db_connection_prepare (reader, buffer, &error);
    g_assert_no_error (error);
    g_assert_true (first != second);
    g_assert_cmpint (ember_db_connection_step (reader, second, &error), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (second, 0), ==, "b");
    sqlite3_reset (second);
  }

  ember_db_pool_release (pool, reader);
}

static void
test_reader_is_query_only (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(EmberDbPool) pool = open_pool (f, 1000, 1);
  g_autoptr(GError) error = NULL;

  ember_db_pool_write_sync (pool, exec_cb, (gpointer) "CREATE TABLE t (v INTEGER)", NULL, &error);
  g_assert_no_error (error);

  g_assert_false (ember_db_pool_with_reader (pool, exec_cb, (gpointer) "INSERT INTO t VALUES (1)", NULL, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (pool), ==, 0);
}

static void
test_acquire_times_out (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(EmberDbPool) pool = open_pool (f, 50, 1);
  g_autoptr(GError) error = NULL;
  EmberDbConnection *readers[4];
  EmberDbConnection *extra;
  EmberDbPoolStats stats;
  gint64 started;

  /* Five connections at most, one of them the writer. */
  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    {
      readers[i] = ember_db_pool_acquire_reader (pool, NULL, &error);
      g_assert_no_error (error);
    }

  started = g_get_monotonic_time ();
  extra = ember_db_pool_acquire_reader (pool, NULL, &error);
  g_assert_null (extra);
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_POOL_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "50 ms"));
  g_assert_nonnull (strstr (error->message, "all 4 reading connections are busy"));
  g_clear_error (&error);
  /* It waited for the timeout, and not much longer. */
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 50 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 2 * G_USEC_PER_SEC);

  stats = get_stats (pool);
  g_assert_cmpuint (stats.in_use, ==, 4);
  g_assert_cmpuint (stats.idle, ==, 1);
  g_assert_cmpuint (stats.waits, ==, 1);
  g_assert_cmpuint (stats.timeouts, ==, 1);
  g_assert_cmpuint (stats.wait_time_usec, >=, 50 * 1000);

  g_assert_cmpint (ember_metrics_get (f->metrics, "pool.in_use"), ==, 4);
  g_assert_cmpint (ember_metrics_get (f->metrics, "pool.idle"), ==, 1);
  g_assert_cmpint (ember_metrics_get (f->metrics, "pool.waits"), ==, 1);
  g_assert_cmpint (ember_metrics_get (f->metrics, "pool.timeouts"), ==, 1);
  g_assert_cmpint (ember_metrics_get (f->metrics, "pool.wait_us"), >=, 50 * 1000);
  g_assert_cmpint (ember_metrics_get (f->metrics, "pool.opened"), ==, 5);

  /* The writer's slot stays free for writes. */
  ember_db_pool_write_sync (pool, exec_cb, (gpointer) "CREATE TABLE t (v INTEGER)", NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    ember_db_pool_release (pool, readers[i]);

  stats = get_stats (pool);
  g_assert_cmpuint (stats.in_use, ==, 0);
  g_assert_cmpuint (stats.idle, ==, 5);
  g_assert_cmpint (ember_metrics_get (f->metrics, "pool.in_use"), ==, 0);
  g_assert_cmpint (ember_metrics_get (f->metrics, "pool.idle"), ==, 5);
}

typedef struct
{
  EmberDbPool       *pool;
  GCancellable      *cancellable;
  EmberDbConnection *connection;
  GError            *error;
  gint64             elapsed;
} Waiter;

static gpointer
acquire_thread (gpointer data)
{
  Waiter *waiter = data;
  gint64 started = g_get_monotonic_time ();

  waiter->connection = ember_db_pool_acquire_reader (waiter->pool, waiter->cancellable, &waiter->error);
  waiter->elapsed = g_get_monotonic_time () - started;
  if (waiter->connection != NULL)
    ember_db_pool_release (waiter->pool, waiter->connection);

  return NULL;
}

/* Blocks until someone waits in the pool (a condition, not a fixed sleep). */
static void
wait_for_waiter (EmberDbPool *pool)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (get_stats (pool).waits == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
}

static void
test_waiter_gets_released_connection (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(EmberDbPool) pool = open_pool (f, 60000, 1);
  g_autoptr(GError) error = NULL;
  EmberDbConnection *readers[4];
  Waiter waiter = { pool, NULL, NULL, NULL, 0 };
  GThread *thread;

  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    {
      readers[i] = ember_db_pool_acquire_reader (pool, NULL, &error);
      g_assert_no_error (error);
    }

  thread = g_thread_new ("waiter", acquire_thread, &waiter);
  wait_for_waiter (pool);
  ember_db_pool_release (pool, readers[0]);
  g_thread_join (thread);

  g_assert_no_error (waiter.error);
  g_assert_true (waiter.connection == readers[0]);
  g_assert_cmpuint (get_stats (pool).timeouts, ==, 0);

  for (guint i = 1; i < G_N_ELEMENTS (readers); i++)
    ember_db_pool_release (pool, readers[i]);
}

static void
test_waiting_acquire_is_cancellable (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(EmberDbPool) pool = open_pool (f, 60000, 1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  EmberDbConnection *readers[4];
  Waiter waiter = { pool, cancellable, NULL, NULL, 0 };
  GThread *thread;

  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    {
      readers[i] = ember_db_pool_acquire_reader (pool, NULL, &error);
      g_assert_no_error (error);
    }

  thread = g_thread_new ("waiter", acquire_thread, &waiter);
  wait_for_waiter (pool);
  g_cancellable_cancel (cancellable);
  g_thread_join (thread);

  g_assert_null (waiter.connection);
  g_assert_error (waiter.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&waiter.error);
  /* Woken by the cancel, far before the 60 s timeout. */
  g_assert_cmpint (waiter.elapsed, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpuint (get_stats (pool).timeouts, ==, 0);

  /* An already cancelled cancellable fails at once. */
  g_assert_null (ember_db_pool_acquire_reader (pool, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    ember_db_pool_release (pool, readers[i]);
}

static gboolean
long_query_cb (EmberDbConnection  *connection,
               gpointer            user_data,
               GCancellable       *cancellable,
               GError            **error)
{
  sqlite3_stmt *stmt;

  /* Cancelled while the statement is about to run: the progress handler
   * must stop it. The query alone runs for many seconds. */
  g_cancellable_cancel (cancellable);
  stmt = ember_db_connection_prepare (connection,
                                      "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                                      "WHERE i < 2000000000) SELECT count(*) FROM n",
                                      error);
  if (stmt == NULL)
    return FALSE;

  return ember_db_connection_step (connection, stmt, error) != 0;
}

static void
test_cancel_interrupts_query (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(EmberDbPool) pool = open_pool (f, 1000, 1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  g_assert_false (ember_db_pool_with_reader (pool, long_query_cb, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (get_stats (pool).in_use, ==, 0);
}

static void
test_idle_readers_are_closed (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(EmberDbPool) pool = open_pool (f, 1000, 1);
  g_autoptr(GError) error = NULL;
  EmberDbConnection *readers[3];
  EmberDbConnection *reader;
  EmberDbPoolStats stats;

  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    {
      readers[i] = ember_db_pool_acquire_reader (pool, NULL, &error);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    ember_db_pool_release (pool, readers[i]);
  stats = get_stats (pool);
  g_assert_cmpuint (stats.opened, ==, 4);
  g_assert_cmpuint (stats.idle, ==, 4);

  /* 4 min: nothing is old enough. */
  ember_fake_clock_advance (f->clock, 4 * MINUTE);
  reader = ember_db_pool_acquire_reader (pool, NULL, &error);
  g_assert_no_error (error);
  ember_db_pool_release (pool, reader);
  g_assert_cmpuint (get_stats (pool).closed, ==, 0);

  /* 6 min: the two left unused for 6 min go; the one used 2 min ago stays. */
  ember_fake_clock_advance (f->clock, 2 * MINUTE);
  reader = ember_db_pool_acquire_reader (pool, NULL, &error);
  g_assert_no_error (error);
  ember_db_pool_release (pool, reader);
  stats = get_stats (pool);
  g_assert_cmpuint (stats.closed, ==, 2);
  g_assert_cmpuint (stats.idle, ==, 2);
  g_assert_cmpint (ember_metrics_get (f->metrics, "pool.closed"), ==, 2);

  /* 10 more min: the last reader goes on the next pool call; the writer is
   * the one connection kept warm. */
  ember_fake_clock_advance (f->clock, 10 * MINUTE);
  ember_db_pool_write_sync (pool, exec_cb, (gpointer) "CREATE TABLE t (v INTEGER)", NULL, &error);
  g_assert_no_error (error);
  stats = get_stats (pool);
  g_assert_cmpuint (stats.closed, ==, 3);
  g_assert_cmpuint (stats.idle, ==, 1);
  g_assert_cmpuint (stats.opened, ==, 4);
}

static void
test_min_connections_stay_warm (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(EmberDbPool) pool = open_pool (f, 1000, 3);
  g_autoptr(GError) error = NULL;
  EmberDbConnection *readers[3];
  EmberDbPoolStats stats;

  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    {
      readers[i] = ember_db_pool_acquire_reader (pool, NULL, &error);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    ember_db_pool_release (pool, readers[i]);

  ember_fake_clock_advance (f->clock, 60 * MINUTE / 4);
  ember_db_pool_write_sync (pool, exec_cb, (gpointer) "CREATE TABLE t (v INTEGER)", NULL, &error);
  g_assert_no_error (error);

  /* Writer + 3 readers, all idle too long; min-connections 3 keeps 3. */
  stats = get_stats (pool);
  g_assert_cmpuint (stats.closed, ==, 1);
  g_assert_cmpuint (stats.idle, ==, 3);
}

static gboolean
advance_clock_cb (EmberDbConnection  *connection,
                  gpointer            user_data,
                  GCancellable       *cancellable,
                  GError            **error)
{
  ember_fake_clock_advance (user_data, 31 * MINUTE);
  return ember_db_connection_exec (connection, "INSERT INTO t VALUES (1)", error);
}

static void
test_old_connections_are_replaced (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(EmberDbPool) pool = open_pool (f, 1000, 1);
  g_autoptr(GError) error = NULL;
  EmberDbConnection *reader;
  EmberDbPoolStats stats;

  ember_db_pool_write_sync (pool, exec_cb, (gpointer) "CREATE TABLE t (v INTEGER)", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (pool), ==, 0);
  g_assert_cmpuint (get_stats (pool).opened, ==, 2);

  /* A reader held past its lifetime is closed when it comes back. */
  reader = ember_db_pool_acquire_reader (pool, NULL, &error);
  g_assert_no_error (error);
  ember_fake_clock_advance (f->clock, 31 * MINUTE);
  ember_db_pool_release (pool, reader);
  stats = get_stats (pool);
  g_assert_cmpuint (stats.closed, ==, 1);
  g_assert_cmpuint (stats.idle, ==, 1);

  /* The writer, idle past its lifetime, is replaced at the next write. */
  ember_db_pool_write_sync (pool, exec_cb, (gpointer) "INSERT INTO t VALUES (1)", NULL, &error);
  g_assert_no_error (error);
  stats = get_stats (pool);
  g_assert_cmpuint (stats.closed, ==, 2);
  g_assert_cmpuint (stats.opened, ==, 3);

  /* A writer that grows old during a write is replaced on release, so a
   * warm writer is ready for the next one. */
  ember_db_pool_write_sync (pool, advance_clock_cb, f->clock, NULL, &error);
  g_assert_no_error (error);
  stats = get_stats (pool);
  g_assert_cmpuint (stats.closed, ==, 3);
  g_assert_cmpuint (stats.opened, ==, 4);
  g_assert_cmpuint (stats.idle, ==, 1);
  g_assert_cmpint (count_rows (pool), ==, 2);
}

static void
test_closed_pool_refuses (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(EmberDbPool) pool = open_pool (f, 1000, 1);
  g_autoptr(GError) error = NULL;
  EmberDbPoolStats stats;

  ember_db_pool_with_reader (pool, exec_cb, (gpointer) "SELECT 1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (get_stats (pool).opened, ==, 2);
  ember_db_pool_close (pool);

  stats = get_stats (pool);
  g_assert_cmpuint (stats.idle, ==, 0);
  g_assert_cmpuint (stats.closed, ==, stats.opened);

  g_assert_null (ember_db_pool_acquire_reader (pool, NULL, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_POOL_CLOSED);
  g_clear_error (&error);
  g_assert_false (ember_db_pool_write_sync (pool, exec_cb, (gpointer) "SELECT 1", NULL, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_POOL_CLOSED);
}

static void
test_reports_to_default_metrics (Fixture       *f,
                                 gconstpointer  data)
{
  EmberMetrics *metrics = ember_metrics_get_default ();
  gint64 opened_before = ember_metrics_get (metrics, "pool.opened");
  gint64 idle_before = ember_metrics_get (metrics, "pool.idle");
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberDbPool) pool = ember_db_pool_new_sync (f->path, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (ember_metrics_get (metrics, "pool.opened"), ==, opened_before + 1);
  g_assert_cmpint (ember_metrics_get (metrics, "pool.idle"), ==, idle_before + 1);

  ember_db_pool_close (pool);
  g_assert_cmpint (ember_metrics_get (metrics, "pool.idle"), ==, idle_before);
}

typedef struct
{
  EmberDbPool *pool;
  guint        n_rounds;
} Stress;

static gboolean
read_then_check_cb (EmberDbConnection  *connection,
                    gpointer            user_data,
                    GCancellable       *cancellable,
                    GError            **error)
{
  return query_int (connection, "SELECT count(*) FROM t") >= 0;
}

static gpointer
stress_thread (gpointer data)
{
  Stress *stress = data;

  for (guint i = 0; i < stress->n_rounds; i++)
    {
      g_autoptr(GError) error = NULL;

      if (i % 10 == 0)
        ember_db_pool_write_sync (stress->pool, exec_cb, (gpointer) "INSERT INTO t VALUES (1)", NULL, &error);
      else
        ember_db_pool_with_reader (stress->pool, read_then_check_cb, NULL, NULL, &error);
      g_assert_no_error (error);
    }

  return NULL;
}

static void
test_many_threads (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(EmberDbPool) pool = open_pool (f, 5000, 1);
  g_autoptr(GError) error = NULL;
  Stress stress = { pool, 200 };
  GThread *threads[6];
  EmberDbPoolStats stats;

  ember_db_pool_write_sync (pool, exec_cb, (gpointer) "CREATE TABLE t (v INTEGER)", NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("stress", stress_thread, &stress);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  stats = get_stats (pool);
  g_assert_cmpuint (stats.in_use, ==, 0);
  g_assert_cmpuint (stats.opened, <=, 5);
  g_assert_cmpuint (stats.timeouts, ==, 0);
  g_assert_cmpint (count_rows (pool), ==, G_N_ELEMENTS (threads) * stress.n_rounds / 10);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/ember/store/pool/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("open-creates-private-file", test_open_creates_private_file);
  ADD ("open-tightens-existing-file", test_open_tightens_existing_file);
  ADD ("connection-settings", test_connection_settings);
  ADD ("default-knobs", test_default_knobs);
  ADD ("write-commits-or-rolls-back", test_write_commits_or_rolls_back);
  ADD ("writes-are-serialised", test_writes_are_serialised);
  ADD ("connections-are-reused", test_connections_are_reused);
  ADD ("statement-cache-is-bounded", test_statement_cache_is_bounded);
  ADD ("reader-is-query-only", test_reader_is_query_only);
  ADD ("acquire-times-out", test_acquire_times_out);
  ADD ("waiter-gets-released-connection", test_waiter_gets_released_connection);
  ADD ("waiting-acquire-is-cancellable", test_waiting_acquire_is_cancellable);
  ADD ("cancel-interrupts-query", test_cancel_interrupts_query);
  ADD ("idle-readers-are-closed", test_idle_readers_are_closed);
  ADD ("min-connections-stay-warm", test_min_connections_stay_warm);
  ADD ("old-connections-are-replaced", test_old_connections_are_replaced);
  ADD ("closed-pool-refuses", test_closed_pool_refuses);
  ADD ("reports-to-default-metrics", test_reports_to_default_metrics);
  ADD ("many-threads", test_many_threads);

#undef ADD

  return g_test_run ();
}
