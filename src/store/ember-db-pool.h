/* ember-db-pool.h: one writer and a few readers over one SQLite file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ember-db-connection.h"

G_BEGIN_DECLS

#define EMBER_DB_POOL_DEFAULT_MAX_CONNECTIONS      5
#define EMBER_DB_POOL_DEFAULT_MIN_CONNECTIONS      1
#define EMBER_DB_POOL_DEFAULT_ACQUIRE_TIMEOUT_MSEC 5000
#define EMBER_DB_POOL_DEFAULT_IDLE_TIMEOUT_SEC     (5 * 60)
#define EMBER_DB_POOL_DEFAULT_MAX_LIFETIME_SEC     (30 * 60)

#define EMBER_TYPE_DB_POOL (ember_db_pool_get_type ())
G_DECLARE_FINAL_TYPE (EmberDbPool, ember_db_pool, EMBER, DB_POOL, GObject)

/* A snapshot of the pool's counters (the same numbers go to the metrics
 * registry as "pool.in_use", "pool.idle", "pool.waits", "pool.wait_us",
 * "pool.timeouts", "pool.opened", "pool.closed"). */
typedef struct
{
  guint   in_use;         /* connections checked out now (writer included) */
  guint   idle;           /* open and free now (writer included) */
  guint64 waits;          /* acquisitions that had to wait */
  guint64 wait_time_usec; /* total time spent waiting */
  guint64 timeouts;       /* acquisitions that gave up (POOL_TIMEOUT) */
  guint64 opened;         /* connections opened since the pool was made */
  guint64 closed;         /* connections closed since the pool was made */
} EmberDbPoolStats;

/* Runs with a connection checked out; returns FALSE with @error set to fail. */
typedef gboolean (*EmberDbFunc) (EmberDbConnection  *connection,
                                 gpointer            user_data,
                                 GCancellable       *cancellable,
                                 GError            **error);

/* Opens (creating it, mode 0600, and its folder, mode 0700) the database at
 * @path with the default knobs. Fails with EMBER_STORE_ERROR_CORRUPT after
 * moving a damaged or foreign file aside (the message names the new path),
 * EMBER_STORE_ERROR_READ_ONLY when the folder or file cannot be written,
 * EMBER_STORE_ERROR_OPEN otherwise. Other knobs: g_initable_new () with the
 * properties "path", "clock", "metrics", "max-connections",
 * "min-connections", "acquire-timeout-msec", "idle-timeout-sec",
 * "max-lifetime-sec", "check-integrity". */
EmberDbPool       *ember_db_pool_new_sync        (const char          *path,
                                                  GCancellable        *cancellable,
                                                  GError             **error);
const char        *ember_db_pool_get_path        (EmberDbPool         *self);

/* Checks out a reader (query_only) connection, waiting at most the acquire
 * timeout (EMBER_STORE_ERROR_POOL_TIMEOUT) and waking when @cancellable
 * fires (G_IO_ERROR_CANCELLED). Give it back with ember_db_pool_release ()
 * on the same thread. */
EmberDbConnection *ember_db_pool_acquire_reader  (EmberDbPool         *self,
                                                  GCancellable        *cancellable,
                                                  GError             **error);
void               ember_db_pool_release         (EmberDbPool         *self,
                                                  EmberDbConnection   *connection);
/* Runs @func on a reader inside one read transaction, so every query it
 * makes sees the same snapshot. */
gboolean           ember_db_pool_with_reader     (EmberDbPool         *self,
                                                  EmberDbFunc          func,
                                                  gpointer             user_data,
                                                  GCancellable        *cancellable,
                                                  GError             **error);
/* Runs @func on the one writer connection inside BEGIN IMMEDIATE .. COMMIT;
 * when @func or the COMMIT fails, everything it did is rolled back. Writes
 * from all threads are serialised. Must not be nested. */
gboolean           ember_db_pool_write_sync      (EmberDbPool         *self,
                                                  EmberDbFunc          func,
                                                  gpointer             user_data,
                                                  GCancellable        *cancellable,
                                                  GError             **error);
void               ember_db_pool_get_stats       (EmberDbPool         *self,
                                                  EmberDbPoolStats    *stats);
/* Closes idle connections now and the others when released; later
 * acquisitions fail with EMBER_STORE_ERROR_POOL_CLOSED. */
void               ember_db_pool_close           (EmberDbPool         *self);

G_END_DECLS
