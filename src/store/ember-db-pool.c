/* ember-db-pool.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One writer connection (SQLite allows one writer at a time anyway; having
 * exactly one in the process turns lock contention into a queue) plus up to
 * max-connections - 1 readers, which WAL lets run beside the writer.
 * Connections are opened on demand, kept warm, and closed when idle or old.
 * Nothing here holds the pool mutex across SQLite I/O: connections are
 * opened and closed outside it.
 */
#define _GNU_SOURCE
#define G_LOG_DOMAIN "ember-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ember-clock.h"
#include "ember-db-connection-private.h"
#include "ember-db-pool.h"
#include "ember-error.h"
#include "ember-metrics.h"

#define SQLITE_HEADER_MAGIC "SQLite format 3"
#define SQLITE_HEADER_SIZE  100

struct _EmberDbPool
{
  GObject            parent_instance;

  /* Construct-only. */
  char              *path;
  EmberClock        *clock;
  EmberMetrics      *metrics;
  guint              max_connections;
  guint              min_connections;
  guint              acquire_timeout_msec;
  guint              idle_timeout_sec;
  guint              max_lifetime_sec;
  gboolean           check_integrity;

  GMutex             mutex;
  /* Broadcast whenever a connection or a slot comes free, or the pool
   * closes, or an acquirer's cancellable fires. */
  GCond              cond;

  /* Guarded by mutex. */
  EmberDbConnection *writer;           /* NULL when not open */
  GThread           *writer_owner;     /* the thread holding (or opening) the writer */
  gboolean           writer_opening;
  GQueue             idle_readers;     /* most recently released first */
  guint              readers_in_use;
  guint              readers_opening;
  gboolean           closed;
  EmberDbPoolStats   stats;            /* cumulative fields only */
  gint64             reported_in_use;  /* gauges as last sent to metrics */
  gint64             reported_idle;
};

static void ember_db_pool_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EmberDbPool, ember_db_pool, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      ember_db_pool_initable_iface_init))

enum {
  PROP_0,
  PROP_PATH,
  PROP_CLOCK,
  PROP_METRICS,
  PROP_MAX_CONNECTIONS,
  PROP_MIN_CONNECTIONS,
  PROP_ACQUIRE_TIMEOUT_MSEC,
  PROP_IDLE_TIMEOUT_SEC,
  PROP_MAX_LIFETIME_SEC,
  PROP_CHECK_INTEGRITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What changed while the mutex was held; sent to the metrics registry
 * after it is dropped. */
typedef struct
{
  gint64 in_use;
  gint64 idle;
  gint64 waits;
  gint64 wait_usec;
  gint64 timeouts;
  gint64 opened;
  gint64 closed;
} MetricsDelta;

static void
take_gauges_locked (EmberDbPool  *self,
                    MetricsDelta *delta)
{
  gint64 in_use = (self->writer_owner != NULL ? 1 : 0) + self->readers_in_use;
  gint64 idle = (self->writer != NULL && self->writer_owner == NULL ? 1 : 0) +
                self->idle_readers.length;

  /* Deltas rather than absolute values: several pools (tests, the CLI
   * beside a store) add up in the one process-wide registry. */
  delta->in_use += in_use - self->reported_in_use;
  delta->idle += idle - self->reported_idle;
  self->reported_in_use = in_use;
  self->reported_idle = idle;
}

static void
report_metrics (EmberDbPool        *self,
                const MetricsDelta *delta)
{
  if (delta->in_use != 0)
    ember_metrics_gauge_add (self->metrics, "pool.in_use", delta->in_use);
  if (delta->idle != 0)
    ember_metrics_gauge_add (self->metrics, "pool.idle", delta->idle);
  if (delta->waits != 0)
    {
      ember_metrics_counter_add (self->metrics, "pool.waits", delta->waits);
      ember_metrics_counter_add (self->metrics, "pool.wait_us", delta->wait_usec);
      ember_metrics_observe (self->metrics, "pool.acquire_wait_us", delta->wait_usec);
    }
  if (delta->timeouts != 0)
    ember_metrics_counter_add (self->metrics, "pool.timeouts", delta->timeouts);
  if (delta->opened != 0)
    ember_metrics_counter_add (self->metrics, "pool.opened", delta->opened);
  if (delta->closed != 0)
    ember_metrics_counter_add (self->metrics, "pool.closed", delta->closed);
}

static guint
count_readers_locked (EmberDbPool *self)
{
  return self->idle_readers.length + self->readers_in_use + self->readers_opening;
}

static guint
count_open_locked (EmberDbPool *self)
{
  return (self->writer != NULL || self->writer_opening ? 1 : 0) + count_readers_locked (self);
}

static gboolean
is_expired (EmberDbPool       *self,
            EmberDbConnection *connection,
            gint64             now)
{
  return connection->broken ||
         (self->max_lifetime_sec > 0 &&
          now - connection->opened_at >= (gint64) self->max_lifetime_sec * G_USEC_PER_SEC);
}

static void
schedule_close_locked (EmberDbPool        *self,
                       EmberDbConnection  *connection,
                       GPtrArray         **to_close,
                       MetricsDelta       *delta)
{
  if (*to_close == NULL)
    *to_close = g_ptr_array_new_with_free_func ((GDestroyNotify) _ember_db_connection_close);
  g_ptr_array_add (*to_close, connection);
  self->stats.closed++;
  delta->closed++;
}

/* Idle readers past their lifetime go; so do those idle for longer than
 * the idle timeout, as long as min-connections stay open. The oldest
 * releases sit at the tail. */
static void
reap_idle_readers_locked (EmberDbPool   *self,
                          gint64         now,
                          GPtrArray    **to_close,
                          MetricsDelta  *delta)
{
  gint64 idle_limit = (gint64) self->idle_timeout_sec * G_USEC_PER_SEC;
  guint open = count_open_locked (self);
  GList *l = self->idle_readers.tail;

  while (l != NULL)
    {
      EmberDbConnection *connection = l->data;
      GList *prev = l->prev;
      gboolean idle_too_long = self->idle_timeout_sec > 0 && now - connection->released_at >= idle_limit;

      if (is_expired (self, connection, now) || (idle_too_long && open > self->min_connections))
        {
          g_queue_unlink (&self->idle_readers, l);
          schedule_close_locked (self, connection, to_close, delta);
          open--;
        }
      l = prev;
    }
}

static void
acquire_cancelled_cb (GCancellable *cancellable,
                      gpointer      data)
{
  EmberDbPool *self = data;

  g_mutex_lock (&self->mutex);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

typedef enum
{
  ACQUIRE_OK,
  ACQUIRE_CLOSED,
  ACQUIRE_CANCELLED,
  ACQUIRE_TIMED_OUT,
  ACQUIRE_NESTED,
} AcquireOutcome;

static EmberDbConnection *
pool_acquire (EmberDbPool   *self,
              gboolean       want_writer,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GPtrArray) to_close = NULL;
  EmberDbConnection *connection = NULL;
  MetricsDelta delta = { 0 };
  AcquireOutcome outcome;
  gint64 started = g_get_monotonic_time ();
  gint64 deadline = started + (gint64) self->acquire_timeout_msec * 1000;
  gulong handler_id = 0;
  gboolean waited = FALSE;
  gboolean must_open = FALSE;
  gint64 now;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  now = ember_clock_get_monotonic (self->clock);

  g_mutex_lock (&self->mutex);
  for (;;)
    {
      if (self->closed)
        {
          outcome = ACQUIRE_CLOSED;
          break;
        }
      if (g_cancellable_is_cancelled (cancellable))
        {
          outcome = ACQUIRE_CANCELLED;
          break;
        }

      reap_idle_readers_locked (self, now, &to_close, &delta);

      if (want_writer)
        {
          if (self->writer_owner == g_thread_self ())
            {
              outcome = ACQUIRE_NESTED;
              break;
            }
          if (self->writer_owner == NULL && !self->writer_opening)
            {
              if (self->writer != NULL && is_expired (self, self->writer, now))
                {
                  schedule_close_locked (self, self->writer, &to_close, &delta);
                  self->writer = NULL;
                }
              self->writer_owner = g_thread_self ();
              if (self->writer != NULL)
                connection = self->writer;
              else
                self->writer_opening = must_open = TRUE;
              outcome = ACQUIRE_OK;
              break;
            }
        }
      else
        {
          GList *link = g_queue_pop_head_link (&self->idle_readers);

          if (link != NULL)
            {
              connection = link->data;
              self->readers_in_use++;
              outcome = ACQUIRE_OK;
              break;
            }
          /* One slot of max-connections always belongs to the writer. */
          if (count_readers_locked (self) + 1 < self->max_connections)
            {
              self->readers_opening++;
              must_open = TRUE;
              outcome = ACQUIRE_OK;
              break;
            }
        }

      if (!waited)
        {
          waited = TRUE;
          self->stats.waits++;
          delta.waits++;
        }

      if (cancellable != NULL && handler_id == 0)
        {
          /* Connected outside the mutex: the callback runs at once (and
           * takes the mutex) when @cancellable is already cancelled, in
           * which case the id is 0 and the check above ends the loop. */
          g_mutex_unlock (&self->mutex);
          handler_id = g_cancellable_connect (cancellable, G_CALLBACK (acquire_cancelled_cb), self, NULL);
          g_mutex_lock (&self->mutex);
          if (handler_id == 0)
            continue;
        }

      if (g_get_monotonic_time () >= deadline)
        {
          outcome = ACQUIRE_TIMED_OUT;
          self->stats.timeouts++;
          delta.timeouts++;
          break;
        }

      g_cond_wait_until (&self->cond, &self->mutex, deadline);
      now = ember_clock_get_monotonic (self->clock);
    }

  if (waited)
    {
      gint64 waited_usec = g_get_monotonic_time () - started;

      self->stats.wait_time_usec += waited_usec;
      delta.wait_usec += waited_usec;
    }
  take_gauges_locked (self, &delta);
  g_mutex_unlock (&self->mutex);

  if (handler_id != 0)
    g_cancellable_disconnect (cancellable, handler_id);
  g_clear_pointer (&to_close, g_ptr_array_unref);
  report_metrics (self, &delta);

  switch (outcome)
    {
    case ACQUIRE_OK:
      break;
    case ACQUIRE_CLOSED:
      g_set_error_literal (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_POOL_CLOSED,
                           _("The database is closed"));
      return NULL;
    case ACQUIRE_CANCELLED:
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return NULL;
    case ACQUIRE_TIMED_OUT:
      if (want_writer)
        g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_POOL_TIMEOUT,
                     _("Gave up waiting for the database after %u ms: another write is still running"),
                     self->acquire_timeout_msec);
      else
        g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_POOL_TIMEOUT,
                     _("Gave up waiting for the database after %u ms: all %u reading connections are busy"),
                     self->acquire_timeout_msec, self->max_connections - 1);
      return NULL;
    case ACQUIRE_NESTED:
      g_critical ("A database write was started inside another write on the same thread");
      g_set_error_literal (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_FAILED,
                           "Nested database write transactions are not allowed");
      return NULL;
    default:
      g_assert_not_reached ();
    }

  if (must_open)
    {
      g_autoptr(GError) local_error = NULL;
      MetricsDelta open_delta = { 0 };

      connection = _ember_db_connection_open (self->path, want_writer,
                                              ember_clock_get_monotonic (self->clock),
                                              &local_error);

      g_mutex_lock (&self->mutex);
      if (want_writer)
        {
          self->writer_opening = FALSE;
          if (connection != NULL)
            self->writer = connection;
          else
            self->writer_owner = NULL;
        }
      else
        {
          self->readers_opening--;
          if (connection != NULL)
            self->readers_in_use++;
        }
      if (connection != NULL)
        {
          self->stats.opened++;
          open_delta.opened++;
        }
      take_gauges_locked (self, &open_delta);
      /* On failure the slot is free again for someone else to try. */
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->mutex);

      report_metrics (self, &open_delta);

      if (connection == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  _ember_db_connection_begin_use (connection, cancellable);
  g_object_ref (self);

  return connection;
}

EmberDbConnection *
ember_db_pool_acquire_reader (EmberDbPool   *self,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_return_val_if_fail (EMBER_IS_DB_POOL (self), NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return pool_acquire (self, FALSE, cancellable, error);
}

void
ember_db_pool_release (EmberDbPool       *self,
                       EmberDbConnection *connection)
{
  g_autoptr(GPtrArray) to_close = NULL;
  MetricsDelta delta = { 0 };
  gboolean reopen_writer = FALSE;
  gint64 now;

  g_return_if_fail (EMBER_IS_DB_POOL (self));
  g_return_if_fail (connection != NULL);

  _ember_db_connection_end_use (connection);
  now = ember_clock_get_monotonic (self->clock);

  g_mutex_lock (&self->mutex);
  connection->released_at = now;
  if (connection->is_writer)
    {
      g_assert (self->writer == connection);
      self->writer_owner = NULL;
      if (self->closed || is_expired (self, connection, now))
        {
          /* The writer is the connection kept warm: replace an old one at
           * once instead of leaving the next write to pay for the open. */
          reopen_writer = !self->closed && !connection->broken;
          self->writer = NULL;
          self->writer_opening = reopen_writer;
          schedule_close_locked (self, connection, &to_close, &delta);
        }
    }
  else
    {
      g_assert (self->readers_in_use > 0);
      self->readers_in_use--;
      if (self->closed || is_expired (self, connection, now))
        schedule_close_locked (self, connection, &to_close, &delta);
      else
        g_queue_push_head_link (&self->idle_readers, &connection->link);
    }
  reap_idle_readers_locked (self, now, &to_close, &delta);
  take_gauges_locked (self, &delta);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  g_clear_pointer (&to_close, g_ptr_array_unref);
  report_metrics (self, &delta);

  if (reopen_writer)
    {
      g_autoptr(GError) local_error = NULL;
      EmberDbConnection *writer;
      MetricsDelta open_delta = { 0 };

      writer = _ember_db_connection_open (self->path, TRUE, ember_clock_get_monotonic (self->clock),
                                          &local_error);
      if (writer == NULL)
        g_debug ("Could not reopen the database writer (the next write retries): %s",
                 local_error->message);

      g_mutex_lock (&self->mutex);
      self->writer_opening = FALSE;
      if (writer != NULL)
        {
          self->writer = writer;
          self->stats.opened++;
          open_delta.opened++;
        }
      take_gauges_locked (self, &open_delta);
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->mutex);

      report_metrics (self, &open_delta);
    }

  g_object_unref (self);
}

static gboolean
run_cached (EmberDbConnection  *connection,
            const char         *sql,
            GError            **error)
{
  sqlite3_stmt *stmt = ember_db_connection_prepare (connection, sql, error);

  return stmt != NULL && ember_db_connection_run (connection, stmt, error);
}

static void
finish_transaction (EmberDbConnection *connection,
                    gboolean           commit,
                    GError           **error)
{
  g_autoptr(GError) rollback_error = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = ember_db_connection_get_handle (connection);

  if (commit)
    {
      GCancellable *cancellable = connection->cancellable;
      gboolean committed;

      /* An interrupt could fail a COMMIT that went through (FTS5 flushes
       * in it): whether the page is stored must never be in doubt. */
      connection->cancellable = NULL;
      committed = run_cached (connection, "COMMIT", error);
      connection->cancellable = cancellable;
      if (committed)
        return;
      g_prefix_error (error, "%s", _("Could not commit the changes: "));
    }

  /* SQLite may already have rolled back by itself (disk full, interrupt). */
  if (sqlite3_get_autocommit (db))
    return;

  while ((stmt = sqlite3_next_stmt (db, stmt)) != NULL)
    if (sqlite3_stmt_busy (stmt))
      sqlite3_reset (stmt);

  if (!run_cached (connection, "ROLLBACK", &rollback_error))
    g_warning ("Rolling back a transaction failed: %s", rollback_error->message);
}

/* A callback that fails must say why; one that does not is a bug, and the
 * caller still gets an error. */
static void
ensure_error (gboolean     ok,
              GError     **local_error,
              const char  *what)
{
  if (!ok && *local_error == NULL)
    {
      g_critical ("A database %s function failed without setting an error", what);
      g_set_error (local_error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_FAILED, "A database %s failed", what);
    }
}

/* Gives @connection back and hands on *@local_error, if any. */
static gboolean
release_and_propagate (EmberDbPool        *self,
                       EmberDbConnection  *connection,
                       GError            **local_error,
                       GError            **error)
{
  ember_db_pool_release (self, connection);

  if (*local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (local_error));
      return FALSE;
    }

  return TRUE;
}

gboolean
ember_db_pool_with_reader (EmberDbPool   *self,
                           EmberDbFunc    func,
                           gpointer       user_data,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  EmberDbConnection *connection;
  gboolean ok;

  g_return_val_if_fail (EMBER_IS_DB_POOL (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  connection = pool_acquire (self, FALSE, cancellable, error);
  if (connection == NULL)
    return FALSE;

  ok = run_cached (connection, "BEGIN", &local_error) &&
       func (connection, user_data, cancellable, &local_error);
  ensure_error (ok, &local_error, "read");
  /* A read transaction has nothing to keep; ending it frees the snapshot. */
  finish_transaction (connection, ok, ok ? &local_error : NULL);

  return release_and_propagate (self, connection, &local_error, error);
}

gboolean
ember_db_pool_write_sync (EmberDbPool   *self,
                          EmberDbFunc    func,
                          gpointer       user_data,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  EmberDbConnection *connection;

  g_return_val_if_fail (EMBER_IS_DB_POOL (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  connection = pool_acquire (self, TRUE, cancellable, error);
  if (connection == NULL)
    return FALSE;

  /* IMMEDIATE takes the write lock up front, so another process writing
   * makes us wait (busy_timeout) here rather than fail half-way. */
  if (!run_cached (connection, "BEGIN IMMEDIATE", &local_error))
    {
      g_prefix_error (&local_error, "%s", _("Could not start a database write: "));
      /* An interrupt can fail BEGIN after it opened the transaction. */
      finish_transaction (connection, FALSE, NULL);
    }
  else
    {
      gboolean ok;

      _ember_db_connection_set_in_write (connection, TRUE);
      ok = func (connection, user_data, cancellable, &local_error);
      _ember_db_connection_set_in_write (connection, FALSE);
      ensure_error (ok, &local_error, "write");
      finish_transaction (connection, ok, ok ? &local_error : NULL);
    }

  return release_and_propagate (self, connection, &local_error, error);
}

void
ember_db_pool_get_stats (EmberDbPool      *self,
                         EmberDbPoolStats *stats)
{
  g_return_if_fail (EMBER_IS_DB_POOL (self));
  g_return_if_fail (stats != NULL);

  g_mutex_lock (&self->mutex);
  *stats = self->stats;
  stats->in_use = (self->writer_owner != NULL ? 1 : 0) + self->readers_in_use;
  stats->idle = (self->writer != NULL && self->writer_owner == NULL ? 1 : 0) +
                self->idle_readers.length;
  g_mutex_unlock (&self->mutex);
}

const char *
ember_db_pool_get_path (EmberDbPool *self)
{
  g_return_val_if_fail (EMBER_IS_DB_POOL (self), NULL);

  return self->path;
}

void
ember_db_pool_close (EmberDbPool *self)
{
  g_autoptr(GPtrArray) to_close = NULL;
  MetricsDelta delta = { 0 };
  GList *link;

  g_return_if_fail (EMBER_IS_DB_POOL (self));

  g_mutex_lock (&self->mutex);
  self->closed = TRUE;
  while ((link = g_queue_pop_head_link (&self->idle_readers)) != NULL)
    schedule_close_locked (self, link->data, &to_close, &delta);
  if (self->writer != NULL && self->writer_owner == NULL)
    {
      schedule_close_locked (self, self->writer, &to_close, &delta);
      self->writer = NULL;
    }
  take_gauges_locked (self, &delta);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  g_clear_pointer (&to_close, g_ptr_array_unref);
  report_metrics (self, &delta);
}

/* Opening */

static int
rename_no_replace (const char *from,
                   const char *to)
{
  if (renameat2 (AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
    return 0;
  if (errno != EINVAL && errno != ENOSYS)
    return -1;

  /* A file system without RENAME_NOREPLACE: link () never replaces. */
  if (link (from, to) != 0)
    return -1;

  return unlink (from);
}

/* Moves a damaged database (and its WAL and shared-memory files) to
 * <path>.corrupt-<UTC time>, never over an existing file. Returns the new
 * path. */
static char *
move_aside (EmberDbPool  *self,
            GError      **error)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;
  static const char * const sidecars[] = { "-wal", "-shm", "-journal" };

  now = g_date_time_new_from_unix_utc (ember_clock_get_real (self->clock) / G_USEC_PER_SEC);
  stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");

  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_autofree char *target = NULL;
      int saved_errno;

      if (attempt == 0)
        target = g_strdup_printf ("%s.corrupt-%s", self->path, stamp);
      else
        target = g_strdup_printf ("%s.corrupt-%s-%u", self->path, stamp, attempt);

      if (rename_no_replace (self->path, target) != 0)
        {
          saved_errno = errno;
          if (saved_errno == EEXIST)
            continue;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Could not rename %s to %s: %s"),
                       self->path, target, g_strerror (saved_errno));
          return NULL;
        }

      /* A WAL left behind would be replayed into the new, empty database. */
      for (guint i = 0; i < G_N_ELEMENTS (sidecars); i++)
        {
          g_autofree char *from = g_strconcat (self->path, sidecars[i], NULL);
          g_autofree char *to = g_strconcat (target, sidecars[i], NULL);

          if (!g_file_test (from, G_FILE_TEST_EXISTS))
            continue;
          if (rename_no_replace (from, to) != 0)
            {
              g_warning ("Could not move %s aside (%s); deleting it", from, g_strerror (errno));
              g_unlink (from);
            }
        }

      return g_steal_pointer (&target);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               _("Could not find a free name to move %s aside"), self->path);
  return NULL;
}

static gboolean
fail_corrupt (EmberDbPool  *self,
              const char   *reason,
              GError      **error)
{
  g_autoptr(GError) move_error = NULL;
  g_autofree char *moved_to = move_aside (self, &move_error);

  if (moved_to == NULL)
    {
      g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_CORRUPT,
                   _("The database %s is damaged or is not an Ember database (%s), and it could not be moved aside: %s"),
                   self->path, reason, move_error->message);
      return FALSE;
    }

  g_info ("Moved the damaged database %s to %s", self->path, moved_to);
  g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_CORRUPT,
               _("The database %s is damaged or is not an Ember database (%s). It was moved to %s; "
                 "a new, empty database is created the next time it is opened, and a sync fills it again."),
               self->path, reason, moved_to);
  return FALSE;
}

static int
store_error_from_errno (int saved_errno)
{
  switch (saved_errno)
    {
    case EACCES:
    case EPERM:
    case EROFS:
      return EMBER_STORE_ERROR_READ_ONLY;
    case ENOSPC:
    case EDQUOT:
      return EMBER_STORE_ERROR_DISK_FULL;
    default:
      return EMBER_STORE_ERROR_OPEN;
    }
}

/* Whether a new file can be made in @dir. */
static gboolean
probe_folder (const char *dir,
              int        *saved_errno)
{
  g_autofree char *probe = g_build_filename (dir, ".ember-write-test-XXXXXX", NULL);
  int fd = g_mkstemp_full (probe, O_RDWR | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      *saved_errno = errno;
      return FALSE;
    }

  close (fd);
  g_unlink (probe);
  return TRUE;
}

typedef enum
{
  FILE_NEW,     /* missing or empty: SQLite starts a new database */
  FILE_SQLITE,
  FILE_FOREIGN, /* something else is at the path */
} FileState;

/* Makes the folder (0700) and the file (0600) exist and are writable, and
 * tells whether the file looks like SQLite. */
static gboolean
prepare_file (EmberDbPool  *self,
              FileState    *state,
              GError      **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  guint8 header[SQLITE_HEADER_SIZE];
  struct stat st;
  ssize_t n_read;
  int saved_errno;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      saved_errno = errno;
      if (saved_errno == ENOTDIR || saved_errno == EEXIST)
        g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_OPEN,
                     _("Could not create the data folder %s: a file is in the way (%s)"),
                     dir, g_strerror (saved_errno));
      else
        g_set_error (error, EMBER_STORE_ERROR, store_error_from_errno (saved_errno),
                     _("Could not create the data folder %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  fd = g_open (self->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      saved_errno = errno;
      if (store_error_from_errno (saved_errno) == EMBER_STORE_ERROR_READ_ONLY)
        g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_READ_ONLY,
                     _("Cannot write the database %s: the data folder is read-only (%s)"),
                     self->path, g_strerror (saved_errno));
      else
        g_set_error (error, EMBER_STORE_ERROR, store_error_from_errno (saved_errno),
                     _("Could not open the database %s: %s"), self->path, g_strerror (saved_errno));
      return FALSE;
    }

  /* SQLite creates its WAL and shared-memory files beside the database:
   * a folder that takes no new file is read-only for us even when the
   * file itself can be written (and SQLite's own error would not say). */
  if (!probe_folder (dir, &saved_errno))
    {
      close (fd);
      if (store_error_from_errno (saved_errno) == EMBER_STORE_ERROR_READ_ONLY)
        g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_READ_ONLY,
                     _("Cannot write in the data folder %s: it is read-only (%s)"),
                     dir, g_strerror (saved_errno));
      else
        g_set_error (error, EMBER_STORE_ERROR, store_error_from_errno (saved_errno),
                     _("Cannot write in the data folder %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_OPEN,
                   _("Could not open the database %s: it is not a regular file"), self->path);
      close (fd);
      return FALSE;
    }

  /* Mail is private: tighten a file someone made readable to others. */
  if ((st.st_mode & 0077) != 0 && fchmod (fd, 0600) != 0)
    g_debug ("Could not make %s private: %s", self->path, g_strerror (errno));

  n_read = read (fd, header, sizeof header);
  saved_errno = errno;
  close (fd);

  if (n_read < 0)
    {
      g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_OPEN,
                   _("Could not read the database %s: %s"), self->path, g_strerror (saved_errno));
      return FALSE;
    }

  if (n_read == 0)
    *state = FILE_NEW;
  else if (n_read == sizeof header &&
           memcmp (header, SQLITE_HEADER_MAGIC, sizeof SQLITE_HEADER_MAGIC) == 0)
    *state = FILE_SQLITE;
  else
    *state = FILE_FOREIGN;

  return TRUE;
}

static gboolean
check_integrity (EmberDbConnection  *writer,
                 gboolean            thorough,
                 char              **problem,
                 GError            **error)
{
  sqlite3 *db = ember_db_connection_get_handle (writer);
  sqlite3_stmt *stmt = NULL;
  int rc;

  /* Reading the schema is what fails first on a damaged header or a file
   * that only starts like SQLite; quick_check then walks every page. */
  rc = sqlite3_prepare_v2 (db,
                           thorough ? "PRAGMA quick_check(1)" : "SELECT count(*) FROM sqlite_schema",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    {
      const char *result = (const char *) sqlite3_column_text (stmt, 0);

      if (thorough && g_strcmp0 (result, "ok") != 0)
        *problem = g_strdup_printf ("quick_check: %s", result != NULL ? result : "?");
      sqlite3_finalize (stmt);
      return TRUE;
    }

  if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
    {
      *problem = g_strdup (sqlite3_errmsg (db));
      sqlite3_finalize (stmt);
      return TRUE;
    }

  ember_db_set_error_from_sqlite (error, db, rc, _("Could not check the database"));
  sqlite3_finalize (stmt);
  return FALSE;
}

static gboolean
ember_db_pool_initable_init (GInitable     *initable,
                             GCancellable  *cancellable,
                             GError       **error)
{
  EmberDbPool *self = EMBER_DB_POOL (initable);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *problem = NULL;
  EmberDbConnection *writer;
  MetricsDelta delta = { 0 };
  FileState state;

  if (self->path == NULL || *self->path == '\0')
    {
      g_set_error_literal (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_OPEN,
                           _("No database path was given"));
      return FALSE;
    }

  if (!sqlite3_threadsafe ())
    {
      g_set_error_literal (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_OPEN,
                           "SQLite was built without thread support");
      return FALSE;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!prepare_file (self, &state, error))
    return FALSE;

  if (state == FILE_FOREIGN)
    return fail_corrupt (self, _("the file does not start with an SQLite header"), error);

  writer = _ember_db_connection_open (self->path, TRUE, ember_clock_get_monotonic (self->clock),
                                      &local_error);
  if (writer == NULL)
    {
      if (g_error_matches (local_error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_CORRUPT))
        return fail_corrupt (self, local_error->message, error);
      /* Typically the file is writable but its folder is not, so the WAL
       * cannot be created beside it. */
      if (g_error_matches (local_error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_READ_ONLY))
        {
          g_autofree char *dir = g_path_get_dirname (self->path);

          g_prefix_error (&local_error, _("Cannot write in the data folder %s: "), dir);
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (state == FILE_SQLITE &&
      !check_integrity (writer, self->check_integrity, &problem, error))
    {
      _ember_db_connection_close (writer);
      return FALSE;
    }
  if (problem != NULL)
    {
      _ember_db_connection_close (writer);
      return fail_corrupt (self, problem, error);
    }

  g_mutex_lock (&self->mutex);
  self->writer = writer;
  self->stats.opened++;
  delta.opened++;
  take_gauges_locked (self, &delta);
  g_mutex_unlock (&self->mutex);
  report_metrics (self, &delta);

  return TRUE;
}

static void
ember_db_pool_initable_iface_init (GInitableIface *iface)
{
  iface->init = ember_db_pool_initable_init;
}

static void
ember_db_pool_dispose (GObject *object)
{
  EmberDbPool *self = (EmberDbPool *)object;

  ember_db_pool_close (self);

  G_OBJECT_CLASS (ember_db_pool_parent_class)->dispose (object);
}

static void
ember_db_pool_finalize (GObject *object)
{
  EmberDbPool *self = (EmberDbPool *)object;

  /* Every checked-out connection holds a reference, so all are back. */
  g_assert (self->writer == NULL);
  g_assert (self->readers_in_use == 0);
  g_assert (g_queue_is_empty (&self->idle_readers));

  g_clear_pointer (&self->path, g_free);
  g_clear_object (&self->clock);
  g_clear_object (&self->metrics);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (ember_db_pool_parent_class)->finalize (object);
}

static void
ember_db_pool_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  EmberDbPool *self = EMBER_DB_POOL (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;
    case PROP_METRICS:
      g_value_set_object (value, self->metrics);
      break;
    case PROP_MAX_CONNECTIONS:
      g_value_set_uint (value, self->max_connections);
      break;
    case PROP_MIN_CONNECTIONS:
      g_value_set_uint (value, self->min_connections);
      break;
    case PROP_ACQUIRE_TIMEOUT_MSEC:
      g_value_set_uint (value, self->acquire_timeout_msec);
      break;
    case PROP_IDLE_TIMEOUT_SEC:
      g_value_set_uint (value, self->idle_timeout_sec);
      break;
    case PROP_MAX_LIFETIME_SEC:
      g_value_set_uint (value, self->max_lifetime_sec);
      break;
    case PROP_CHECK_INTEGRITY:
      g_value_set_boolean (value, self->check_integrity);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_db_pool_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  EmberDbPool *self = EMBER_DB_POOL (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    case PROP_CLOCK:
      g_set_object (&self->clock, g_value_get_object (value));
      break;
    case PROP_METRICS:
      g_set_object (&self->metrics, g_value_get_object (value));
      break;
    case PROP_MAX_CONNECTIONS:
      self->max_connections = g_value_get_uint (value);
      break;
    case PROP_MIN_CONNECTIONS:
      self->min_connections = g_value_get_uint (value);
      break;
    case PROP_ACQUIRE_TIMEOUT_MSEC:
      self->acquire_timeout_msec = g_value_get_uint (value);
      break;
    case PROP_IDLE_TIMEOUT_SEC:
      self->idle_timeout_sec = g_value_get_uint (value);
      break;
    case PROP_MAX_LIFETIME_SEC:
      self->max_lifetime_sec = g_value_get_uint (value);
      break;
    case PROP_CHECK_INTEGRITY:
      self->check_integrity = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_db_pool_constructed (GObject *object)
{
  EmberDbPool *self = (EmberDbPool *)object;

  G_OBJECT_CLASS (ember_db_pool_parent_class)->constructed (object);

  if (self->clock == NULL)
    self->clock = g_object_ref (ember_clock_get_default ());
  if (self->metrics == NULL)
    self->metrics = g_object_ref (ember_metrics_get_default ());
}

static void
ember_db_pool_class_init (EmberDbPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ember_db_pool_constructed;
  object_class->dispose = ember_db_pool_dispose;
  object_class->finalize = ember_db_pool_finalize;
  object_class->get_property = ember_db_pool_get_property;
  object_class->set_property = ember_db_pool_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Idle timeouts and lifetimes are measured on this clock. */
  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL,
                         EMBER_TYPE_CLOCK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_METRICS] =
    g_param_spec_object ("metrics", NULL, NULL,
                         EMBER_TYPE_METRICS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* The writer included, so at least 2. */
  properties[PROP_MAX_CONNECTIONS] =
    g_param_spec_uint ("max-connections", NULL, NULL,
                       2, 64, EMBER_DB_POOL_DEFAULT_MAX_CONNECTIONS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MIN_CONNECTIONS] =
    g_param_spec_uint ("min-connections", NULL, NULL,
                       1, 64, EMBER_DB_POOL_DEFAULT_MIN_CONNECTIONS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACQUIRE_TIMEOUT_MSEC] =
    g_param_spec_uint ("acquire-timeout-msec", NULL, NULL,
                       1, G_MAXUINT, EMBER_DB_POOL_DEFAULT_ACQUIRE_TIMEOUT_MSEC,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* 0 disables. */
  properties[PROP_IDLE_TIMEOUT_SEC] =
    g_param_spec_uint ("idle-timeout-sec", NULL, NULL,
                       0, G_MAXUINT, EMBER_DB_POOL_DEFAULT_IDLE_TIMEOUT_SEC,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_LIFETIME_SEC] =
    g_param_spec_uint ("max-lifetime-sec", NULL, NULL,
                       0, G_MAXUINT, EMBER_DB_POOL_DEFAULT_MAX_LIFETIME_SEC,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Run PRAGMA quick_check on open (on top of the header and schema checks
   * that always run). */
  properties[PROP_CHECK_INTEGRITY] =
    g_param_spec_boolean ("check-integrity", NULL, NULL,
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ember_db_pool_init (EmberDbPool *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_queue_init (&self->idle_readers);
}

/**
 * ember_db_pool_new_sync:
 * @path: the database file
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the pool, or %NULL with @error set
 */
EmberDbPool *
ember_db_pool_new_sync (const char    *path,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (EMBER_TYPE_DB_POOL, cancellable, error,
                         "path", path,
                         NULL);
}
