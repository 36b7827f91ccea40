/* ember-store-schema.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ember-error.h"
#include "ember-store-resources.h"
#include "ember-store-schema.h"

#define SCRIPT_PATH_FORMAT "/io/github/ember/Ember/store/sql/version-%03u.sql"

static gboolean
script_exists (guint version)
{
  g_autofree char *path = g_strdup_printf (SCRIPT_PATH_FORMAT, version);

  return g_resource_get_info (ember_store_get_resource (), path,
                              G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL);
}

static GBytes *
lookup_script (guint    version,
               GError **error)
{
  g_autofree char *path = g_strdup_printf (SCRIPT_PATH_FORMAT, version);

  return g_resource_lookup_data (ember_store_get_resource (), path,
                                 G_RESOURCE_LOOKUP_FLAGS_NONE, error);
}

guint
ember_store_schema_get_latest_version (void)
{
  static gsize latest = 0;

  if (g_once_init_enter (&latest))
    {
      gsize version = 0;

      /* The scripts are numbered without gaps. */
      while (script_exists (version + 1))
        version++;
      g_once_init_leave (&latest, version);
    }

  return latest;
}

static gboolean
read_int (EmberDbConnection  *connection,
          const char         *sql,
          gint64             *value,
          GError            **error)
{
  sqlite3_stmt *stmt = ember_db_connection_prepare (connection, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = ember_db_connection_step (connection, stmt, error);
  if (rc == 0)
    return FALSE;
  *value = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  sqlite3_reset (stmt);

  return TRUE;
}

static gboolean
read_version_cb (EmberDbConnection  *connection,
                 gpointer            user_data,
                 GCancellable       *cancellable,
                 GError            **error)
{
  guint *version = user_data;
  gint64 value;

  if (!read_int (connection, "PRAGMA user_version", &value, error))
    return FALSE;
  *version = (guint) value;

  return TRUE;
}

gboolean
ember_store_schema_get_version_sync (EmberDbPool   *pool,
                                     guint         *version,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  g_return_val_if_fail (EMBER_IS_DB_POOL (pool), FALSE);
  g_return_val_if_fail (version != NULL, FALSE);

  return ember_db_pool_with_reader (pool, read_version_cb, version, cancellable, error);
}

typedef struct
{
  const char *path;
  guint       target;
  guint       reached;  /* out: the version after this step */
  gboolean    done;     /* out: nothing was left to do */
} MigrateStep;

/* Applies the one script after the current version. The version is read
 * inside the write transaction so that two processes opening the same new
 * file cannot both apply a script. */
static gboolean
migrate_step_cb (EmberDbConnection  *connection,
                 gpointer            user_data,
                 GCancellable       *cancellable,
                 GError            **error)
{
  MigrateStep *step = user_data;
  guint latest = ember_store_schema_get_latest_version ();
  g_autoptr(GBytes) script = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *set_version = NULL;
  gint64 version;
  guint next;

  if (!read_int (connection, "PRAGMA user_version", &version, error))
    return FALSE;

  if (version < 0 || version > latest)
    {
      g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_SCHEMA_TOO_NEW,
                   _("The database %s was written by a newer version of Ember (schema version %" G_GINT64_FORMAT
                     ", this version knows up to %u). Update Ember to use it; the file was left unchanged."),
                   step->path, version, latest);
      return FALSE;
    }

  if (version >= step->target)
    {
      step->reached = (guint) version;
      step->done = TRUE;
      return TRUE;
    }

  if (version == 0)
    {
      gint64 n_tables;

      if (!read_int (connection, "SELECT count(*) FROM sqlite_schema", &n_tables, error))
        return FALSE;
      if (n_tables > 0)
        {
          g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_MIGRATION,
                       _("The database %s holds tables but no Ember schema version; it was left unchanged"),
                       step->path);
          return FALSE;
        }
    }

  next = (guint) version + 1;
  script = lookup_script (next, error);
  if (script == NULL)
    return FALSE;

  g_debug ("Upgrading %s to schema version %u", step->path, next);

  set_version = g_strdup_printf ("PRAGMA user_version = %u", next);
  if (!ember_db_connection_exec (connection, g_bytes_get_data (script, NULL), &local_error) ||
      !ember_db_connection_exec (connection, set_version, &local_error))
    {
      /* Running out of space or a damaged file say more than "migration". */
      if (local_error->domain == EMBER_STORE_ERROR && local_error->code == EMBER_STORE_ERROR_FAILED)
        local_error->code = EMBER_STORE_ERROR_MIGRATION;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("Could not upgrade the database to schema version %u: "), next);
      return FALSE;
    }

  step->reached = next;
  return TRUE;
}

gboolean
ember_store_schema_migrate_sync (EmberDbPool   *pool,
                                 guint          target_version,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  guint latest = ember_store_schema_get_latest_version ();
  MigrateStep step = { 0 };

  g_return_val_if_fail (EMBER_IS_DB_POOL (pool), FALSE);
  g_return_val_if_fail (target_version <= latest, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  step.path = ember_db_pool_get_path (pool);
  step.target = target_version == 0 ? latest : target_version;

  /* Each step is one transaction; a script that would need the previous
   * one's effects sees them committed. */
  do
    {
      if (!ember_db_pool_write_sync (pool, migrate_step_cb, &step, cancellable, error))
        return FALSE;
    }
  while (!step.done);

  return TRUE;
}
