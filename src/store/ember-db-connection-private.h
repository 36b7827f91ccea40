/* ember-db-connection-private.h: what the pool knows about a connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-db-connection.h"

G_BEGIN_DECLS

struct _EmberDbConnection
{
  sqlite3      *db;
  /* SQL text -> CachedStatement (owner), and the address of the caller's
   * SQL text -> the same CachedStatement: hashing a long statement on every
   * call costs more than running it, and callers pass literals. */
  GHashTable   *statements;
  GHashTable   *statements_by_address;
  /* Prepared past the cache's bound; finalized on release. */
  GPtrArray    *transient_statements;
  gboolean      is_writer;
  /* A damaging error (corruption, I/O) happened: close on release. */
  gboolean      broken;
  /* EmberClock monotonic µs. */
  gint64        opened_at;
  gint64        released_at;
  /* The holder's cancellable (borrowed while acquired): interrupts long
   * statements through the progress handler. */
  GCancellable *cancellable;
  /* Inside the pool's write transaction: no statement may run once SQLite
   * has ended it by itself. */
  gboolean      in_write;
  /* In the pool's idle queue. */
  GList         link;
};

/* Opens @path and applies the per-connection settings (WAL on the writer,
 * query_only on readers). */
EmberDbConnection *_ember_db_connection_open      (const char         *path,
                                                   gboolean            is_writer,
                                                   gint64              now,
                                                   GError            **error);
void               _ember_db_connection_close     (EmberDbConnection  *self);
void               _ember_db_connection_begin_use (EmberDbConnection  *self,
                                                   GCancellable       *cancellable);
void               _ember_db_connection_end_use   (EmberDbConnection  *self);
void               _ember_db_connection_set_in_write (EmberDbConnection *self,
                                                      gboolean           in_write);

G_END_DECLS
