/* ember-db-connection.h: one SQLite connection handed out by EmberDbPool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* Owned by its EmberDbPool; valid between acquire and release, and only on
 * the thread that acquired it. */
typedef struct _EmberDbConnection EmberDbConnection;

sqlite3      *ember_db_connection_get_handle (EmberDbConnection *self);
gboolean      ember_db_connection_is_writer  (EmberDbConnection *self);
/* The connection's cached prepared statement for @sql (transfer none),
 * already reset with its bindings cleared. Reset it when done; the pool
 * resets any statement left running when the connection is released.
 * Statements are cached per connection for its whole life, so pass
 * constant SQL, never SQL built from data (past 256 distinct statements,
 * new ones only live until the connection is released). */
sqlite3_stmt *ember_db_connection_prepare    (EmberDbConnection  *self,
                                              const char         *sql,
                                              GError            **error);
/* Runs one or more statements that return no rows (not cached). */
gboolean      ember_db_connection_exec       (EmberDbConnection  *self,
                                              const char         *sql,
                                              GError            **error);
/* Steps @stmt once: returns SQLITE_ROW or SQLITE_DONE, or 0 with @error set
 * (the statement is then reset). */
int           ember_db_connection_step       (EmberDbConnection  *self,
                                              sqlite3_stmt       *stmt,
                                              GError            **error);
/* Resets @stmt after its last wanted row, with @error set if ending it
 * failed: a write with RETURNING finishes its work only here (an interrupt
 * then rolls the whole transaction back). */
gboolean      ember_db_connection_reset      (EmberDbConnection  *self,
                                              sqlite3_stmt       *stmt,
                                              GError            **error);
/* Steps a statement that returns no rows, then resets it. */
gboolean      ember_db_connection_run        (EmberDbConnection  *self,
                                              sqlite3_stmt       *stmt,
                                              GError            **error);
/* Sets @error from the SQLite result code @rc (EMBER_STORE_ERROR_DISK_FULL,
 * _CORRUPT, _READ_ONLY, _BUSY, G_IO_ERROR_CANCELLED for an interrupt by the
 * cancellable, ...), with @context (e.g. "Could not save messages") first.
 * A damaging error marks the connection so the pool closes it. */
void          ember_db_connection_set_error  (EmberDbConnection  *self,
                                              int                 rc,
                                              GError            **error,
                                              const char         *context);

/* The same mapping for a bare handle (@db may be NULL). */
void          ember_db_set_error_from_sqlite (GError            **error,
                                              sqlite3            *db,
                                              int                 rc,
                                              const char         *context);

G_END_DECLS
