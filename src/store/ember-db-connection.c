/* ember-db-connection.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-store"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "ember-db-connection-private.h"
#include "ember-error.h"

/* Readers keep little: the kernel's page cache already holds the file,
 * and 8 MB each (4 readers) grew the app by ~13 MB while a 100,000-row
 * list was scrolled, for no measured gain in paging or search. The writer
 * gets more room because FTS merges touch many pages. Negative = KiB. */
#define READER_CACHE_SIZE_KIB 2048
#define WRITER_CACHE_SIZE_KIB 32768
#define BUSY_TIMEOUT_MSEC     5000
/* Cached statements per connection; the store uses a few dozen. */
#define MAX_CACHED_STATEMENTS 256
/* VM steps between two looks at the cancellable. */
#define PROGRESS_STEPS        4096
/* Pages in the WAL before the writer copies them back (default 1000):
 * pages rewritten by consecutive sync pages (index and FTS pages) are then
 * copied once rather than many times. */
#define WAL_AUTOCHECKPOINT    4096
/* Readers copy pages with pread () rather than map the file: a mapping
 * counts every page a reader touched as Ember's resident memory, once per
 * reader connection (213 MB of 443 MB after scrolling a 100,000-message
 * list), for no measured gain in search or paging. */
#define READER_MMAP_SIZE      0

static const char *
describe_result (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      return _("the disk is full");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return _("the database file is damaged");
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return _("the database cannot be written");
    case SQLITE_CANTOPEN:
      return _("the database file cannot be opened");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return _("the database is locked by another program");
    case SQLITE_IOERR:
      return _("reading or writing the disk failed");
    case SQLITE_CONSTRAINT:
      return _("the data breaks a database rule");
    default:
      return _("a database error happened");
    }
}

static int
classify (sqlite3 *db,
          int      rc)
{
  int system_errno = db != NULL ? sqlite3_system_errno (db) : 0;

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      return EMBER_STORE_ERROR_DISK_FULL;
    case SQLITE_IOERR:
      if (system_errno == ENOSPC || system_errno == EDQUOT)
        return EMBER_STORE_ERROR_DISK_FULL;
      if (system_errno == EROFS)
        return EMBER_STORE_ERROR_READ_ONLY;
      return EMBER_STORE_ERROR_FAILED;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return EMBER_STORE_ERROR_CORRUPT;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return EMBER_STORE_ERROR_READ_ONLY;
    case SQLITE_CANTOPEN:
      if (system_errno == EACCES || system_errno == EROFS || system_errno == EPERM)
        return EMBER_STORE_ERROR_READ_ONLY;
      return EMBER_STORE_ERROR_OPEN;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return EMBER_STORE_ERROR_BUSY;
    default:
      return EMBER_STORE_ERROR_FAILED;
    }
}

void
ember_db_set_error_from_sqlite (GError     **error,
                                sqlite3     *db,
                                int          rc,
                                const char  *context)
{
  const char *detail;

  if ((rc & 0xff) == SQLITE_INTERRUPT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                   "%s: %s", context, _("Operation was cancelled"));
      return;
    }

  /* sqlite3_errmsg () describes the last call on @db, which is the failing
   * one here; without a handle only the generic text is known. */
  detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
  g_set_error (error, EMBER_STORE_ERROR, classify (db, rc),
               "%s: %s (%s)", context, describe_result (rc), detail);
}

void
ember_db_connection_set_error (EmberDbConnection  *self,
                               int                 rc,
                               GError            **error,
                               const char         *context)
{
  g_return_if_fail (self != NULL);

  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_IOERR:
      self->broken = TRUE;
      break;
    default:
      break;
    }

  ember_db_set_error_from_sqlite (error, self->db, rc, context);
}

static int
progress_cb (void *data)
{
  EmberDbConnection *self = data;

  /* Non-zero interrupts the running statement with SQLITE_INTERRUPT. */
  return self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable);
}

typedef struct
{
  char         *sql;
  sqlite3_stmt *stmt;
} CachedStatement;

static void
finalize_statement (gpointer data)
{
  sqlite3_finalize (data);
}

static void
cached_statement_free (gpointer data)
{
  CachedStatement *cached = data;

  sqlite3_finalize (cached->stmt);
  g_free (cached->sql);
  g_free (cached);
}

static gboolean
exec_pragma (sqlite3     *db,
             const char  *sql,
             GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      ember_db_set_error_from_sqlite (error, db, rc, _("Could not set up the database connection"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
enable_wal (sqlite3  *db,
            GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean is_wal = FALSE;
  int rc;

  rc = sqlite3_prepare_v2 (db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          const char *mode = (const char *) sqlite3_column_text (stmt, 0);

          is_wal = mode != NULL && g_ascii_strcasecmp (mode, "wal") == 0;
          rc = SQLITE_OK;
        }
    }
  if (rc != SQLITE_OK)
    {
      ember_db_set_error_from_sqlite (error, db, rc, _("Could not switch the database to WAL mode"));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);

  if (!is_wal)
    {
      g_set_error_literal (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_OPEN,
                           _("Could not switch the database to WAL mode: the file system does not support it"));
      return FALSE;
    }

  return TRUE;
}

EmberDbConnection *
_ember_db_connection_open (const char  *path,
                           gboolean     is_writer,
                           gint64       now,
                           GError     **error)
{
  EmberDbConnection *self;
  g_autofree char *pragmas = NULL;
  sqlite3 *db = NULL;
  int flags;
  int rc;

  /* The pool hands each connection to one thread at a time, so SQLite's
   * per-connection mutex (FULLMUTEX) would only add locking to every call;
   * NOMUTEX keeps the library thread-safe (the build is THREADSAFE=1) with
   * no lock on each connection. Private caches: shared-cache mode would put
   * the connections behind table locks. */
  flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_PRIVATECACHE;
  if (is_writer)
    flags |= SQLITE_OPEN_CREATE;

  rc = sqlite3_open_v2 (path, &db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      ember_db_set_error_from_sqlite (error, db, rc, _("Could not open the database"));
      sqlite3_close_v2 (db);
      return NULL;
    }

  sqlite3_extended_result_codes (db, TRUE);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MSEC);

  if (is_writer)
    pragmas = g_strdup_printf ("PRAGMA foreign_keys = ON;"
                               "PRAGMA synchronous = NORMAL;"
                               "PRAGMA temp_store = MEMORY;"
                               "PRAGMA cache_size = -%d;"
                               "PRAGMA wal_autocheckpoint = %d;",
                               WRITER_CACHE_SIZE_KIB, WAL_AUTOCHECKPOINT);
  else
    pragmas = g_strdup_printf ("PRAGMA foreign_keys = ON;"
                               "PRAGMA synchronous = NORMAL;"
                               "PRAGMA temp_store = MEMORY;"
                               "PRAGMA cache_size = -%d;"
                               "PRAGMA mmap_size = %d;"
                               "PRAGMA query_only = ON;",
                               READER_CACHE_SIZE_KIB, READER_MMAP_SIZE);
  if (!exec_pragma (db, pragmas, error) ||
      (is_writer && !enable_wal (db, error)))
    {
      sqlite3_close_v2 (db);
      return NULL;
    }

  self = g_new0 (EmberDbConnection, 1);
  self->db = db;
  self->is_writer = is_writer;
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, cached_statement_free);
  self->statements_by_address = g_hash_table_new (NULL, NULL);
  self->transient_statements = g_ptr_array_new_with_free_func (finalize_statement);
  self->opened_at = now;
  self->released_at = now;
  self->link.data = self;

  sqlite3_progress_handler (db, PROGRESS_STEPS, progress_cb, self);

  return self;
}

void
_ember_db_connection_close (EmberDbConnection *self)
{
  int rc;

  if (self == NULL)
    return;

  g_clear_pointer (&self->transient_statements, g_ptr_array_unref);
  g_clear_pointer (&self->statements_by_address, g_hash_table_unref);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  rc = sqlite3_close (self->db);
  if (rc != SQLITE_OK)
    {
      /* Only an unfinalized statement can cause this; let SQLite free the
       * handle once it is gone rather than leak it. */
      g_warning ("Closing a database connection failed: %s", sqlite3_errstr (rc));
      sqlite3_close_v2 (self->db);
    }
  g_free (self);
}

void
_ember_db_connection_begin_use (EmberDbConnection *self,
                                GCancellable      *cancellable)
{
  self->cancellable = cancellable;
}

void
_ember_db_connection_end_use (EmberDbConnection *self)
{
  sqlite3_stmt *stmt = NULL;

  /* A statement left mid-way would pin a read snapshot and keep the WAL
   * from being checkpointed. */
  g_ptr_array_set_size (self->transient_statements, 0);
  while ((stmt = sqlite3_next_stmt (self->db, stmt)) != NULL)
    if (sqlite3_stmt_busy (stmt))
      sqlite3_reset (stmt);

  if (!sqlite3_get_autocommit (self->db))
    {
      g_critical ("A database connection was released inside a transaction; rolling back");
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
    }

  self->cancellable = NULL;
}

void
_ember_db_connection_set_in_write (EmberDbConnection *self,
                                   gboolean           in_write)
{
  self->in_write = in_write;
}

sqlite3 *
ember_db_connection_get_handle (EmberDbConnection *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->db;
}

gboolean
ember_db_connection_is_writer (EmberDbConnection *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->is_writer;
}

sqlite3_stmt *
ember_db_connection_prepare (EmberDbConnection  *self,
                             const char         *sql,
                             GError            **error)
{
  CachedStatement *cached;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  /* The same address usually holds the same literal; strcmp () makes sure
   * (a freed buffer's address may come back with other text). */
  cached = g_hash_table_lookup (self->statements_by_address, sql);
  if (cached == NULL || strcmp (cached->sql, sql) != 0)
    {
      cached = g_hash_table_lookup (self->statements, sql);
      if (cached != NULL)
        g_hash_table_insert (self->statements_by_address, (gpointer) sql, cached);
    }
  if (cached != NULL)
    {
      sqlite3_reset (cached->stmt);
      sqlite3_clear_bindings (cached->stmt);
      return cached->stmt;
    }

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      ember_db_connection_set_error (self, rc, error, _("Could not prepare a database query"));
      return NULL;
    }

  /* A bound on the cache guards against a caller that builds SQL from
   * data: past it, statements live until the connection is released
   * (freeing cached ones could pull a statement from under a caller). */
  if (g_hash_table_size (self->statements) >= MAX_CACHED_STATEMENTS ||
      g_hash_table_size (self->statements_by_address) >= 4 * MAX_CACHED_STATEMENTS)
    {
      g_debug ("Statement cache full; not caching %.40s", sql);
      g_ptr_array_add (self->transient_statements, stmt);
      return stmt;
    }
  cached = g_new0 (CachedStatement, 1);
  cached->sql = g_strdup (sql);
  cached->stmt = stmt;
  g_hash_table_insert (self->statements, cached->sql, cached);
  g_hash_table_insert (self->statements_by_address, (gpointer) sql, cached);

  return stmt;
}

gboolean
ember_db_connection_exec (EmberDbConnection  *self,
                          const char         *sql,
                          GError            **error)
{
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);

  rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      ember_db_connection_set_error (self, rc, error, _("A database command failed"));
      return FALSE;
    }

  return TRUE;
}

int
ember_db_connection_step (EmberDbConnection  *self,
                          sqlite3_stmt       *stmt,
                          GError            **error)
{
  int rc;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (stmt != NULL, 0);

  /* SQLite rolls a whole transaction back on some errors (an interrupt,
   * a full disk); a write that went on would commit the rest of its page
   * statement by statement, without what came before. */
  if (self->in_write && sqlite3_get_autocommit (self->db))
    {
      if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
        g_prefix_error (error, "%s", _("A database query failed: "));
      else
        g_set_error_literal (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_FAILED,
                             _("A database write was rolled back half-way"));
      return 0;
    }

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return rc;

  ember_db_connection_set_error (self, rc, error, _("A database query failed"));
  sqlite3_reset (stmt);

  return 0;
}

gboolean
ember_db_connection_reset (EmberDbConnection  *self,
                           sqlite3_stmt       *stmt,
                           GError            **error)
{
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (stmt != NULL, FALSE);

  rc = sqlite3_reset (stmt);
  if (rc != SQLITE_OK)
    {
      ember_db_connection_set_error (self, rc, error, _("A database query failed"));
      return FALSE;
    }

  return TRUE;
}

gboolean
ember_db_connection_run (EmberDbConnection  *self,
                         sqlite3_stmt       *stmt,
                         GError            **error)
{
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (stmt != NULL, FALSE);

  do
    rc = ember_db_connection_step (self, stmt, error);
  while (rc == SQLITE_ROW);

  if (rc == 0)
    return FALSE;

  sqlite3_reset (stmt);

  return TRUE;
}
