/* ember-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Writes go through the pool's one writer, each public call in one
 * transaction; reads run on a reader inside one read transaction. SQL is
 * constant text so every statement is prepared once per connection.
 */
#define G_LOG_DOMAIN "ember-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "ember-clock.h"
#include "ember-error.h"
#include "ember-redact.h"
#include "ember-store.h"
#include "ember-store-schema.h"
#include "ember-store-search.h"

#define DEFAULT_PAGE_SIZE   100
#define MAX_PAGE_SIZE       1000
#define DEFAULT_SEARCH_SIZE 50
#define SEARCH_TIE_SLACK    20

struct _EmberStore
{
  GObject      parent_instance;

  char        *data_dir;
  EmberDbPool *pool;
  EmberClock  *clock;
  gboolean     check_integrity;
};

static void ember_store_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EmberStore, ember_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      ember_store_initable_iface_init))

enum {
  PROP_0,
  PROP_DATA_DIR,
  PROP_POOL,
  PROP_CLOCK,
  PROP_CHECK_INTEGRITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Helpers */

static gint64
now_seconds (EmberStore *self)
{
  return ember_clock_get_real (self->clock) / G_USEC_PER_SEC;
}

/* The bound strings must outlive the statement's next reset, which every
 * caller does before its data goes away. */
static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *value)
{
  sqlite3_bind_text (stmt, index, value, -1, SQLITE_STATIC);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static gboolean
step_row (EmberDbConnection  *connection,
          sqlite3_stmt       *stmt,
          gboolean           *has_row,
          GError            **error)
{
  int rc = ember_db_connection_step (connection, stmt, error);

  if (rc == 0)
    return FALSE;
  *has_row = rc == SQLITE_ROW;
  return TRUE;
}

static gboolean
query_int64 (EmberDbConnection  *connection,
             sqlite3_stmt       *stmt,
             gint64             *value,
             gboolean           *found,
             GError            **error)
{
  gboolean has_row;

  if (!step_row (connection, stmt, &has_row, error))
    return FALSE;
  *value = has_row ? sqlite3_column_int64 (stmt, 0) : 0;
  if (found != NULL)
    *found = has_row;
  /* An INSERT … RETURNING can still fail here. */
  return ember_db_connection_reset (connection, stmt, error);
}

static gboolean
check_cancelled (GCancellable  *cancellable,
                 GError       **error)
{
  return g_cancellable_set_error_if_cancelled (cancellable, error);
}

static gboolean
require_account (EmberDbConnection  *connection,
                 gint64              account_id,
                 GError            **error)
{
  sqlite3_stmt *stmt;
  gboolean found;
  gint64 unused;

  stmt = ember_db_connection_prepare (connection, "SELECT 1 FROM accounts WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  if (!query_int64 (connection, stmt, &unused, &found, error))
    return FALSE;

  if (!found)
    {
      /* Typically the account was removed while a sync of it ran. */
      g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND,
                   _("There is no account with id %" G_GINT64_FORMAT), account_id);
      return FALSE;
    }

  return TRUE;
}

static gboolean
upsert_cursor (EmberDbConnection  *connection,
               gint64              account_id,
               const char         *resource,
               const char         *cursor,
               const char         *phase,
               gint64              now,
               GError            **error)
{
  sqlite3_stmt *stmt;

  stmt = ember_db_connection_prepare (connection,
                                      "INSERT INTO sync_state (account_id, resource, cursor, phase, updated) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5) "
                                      "ON CONFLICT (account_id, resource) DO UPDATE SET "
                                      "  cursor = excluded.cursor, "
                                      "  phase = coalesce (excluded.phase, sync_state.phase), "
                                      "  updated = excluded.updated",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  bind_text (stmt, 2, resource);
  bind_text (stmt, 3, cursor);
  bind_text (stmt, 4, phase);
  sqlite3_bind_int64 (stmt, 5, now);

  return ember_db_connection_run (connection, stmt, error);
}

static gboolean
validate_provider (const char  *provider,
                   GError     **error)
{
  if (g_strcmp0 (provider, "gmail") == 0 || g_strcmp0 (provider, "microsoft") == 0)
    return TRUE;

  g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_FAILED,
               _("Unknown account provider “%s”: expected gmail or microsoft"),
               provider != NULL ? provider : "");
  return FALSE;
}

static gboolean
require_string (const char  *value,
                const char  *what,
                GError     **error)
{
  if (value != NULL && *value != '\0')
    return TRUE;

  g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_FAILED,
               _("Cannot store a record without %s"), what);
  return FALSE;
}

/* Accounts */

#define ACCOUNT_COLUMNS \
  "id, provider, email, display_name, api_base, auth_base, client_id, " \
  "mail_enabled, calendar_enabled, created"

static EmberAccountRecord *
account_from_row (sqlite3_stmt *stmt)
{
  EmberAccountRecord *account = ember_account_record_new ();

  account->id = sqlite3_column_int64 (stmt, 0);
  account->provider = column_dup (stmt, 1);
  account->email = column_dup (stmt, 2);
  account->display_name = column_dup (stmt, 3);
  account->api_base = column_dup (stmt, 4);
  account->auth_base = column_dup (stmt, 5);
  account->client_id = column_dup (stmt, 6);
  account->mail_enabled = sqlite3_column_int (stmt, 7) != 0;
  account->calendar_enabled = sqlite3_column_int (stmt, 8) != 0;
  account->created = sqlite3_column_int64 (stmt, 9);

  return account;
}

typedef struct
{
  EmberStore               *store;
  const EmberAccountRecord *account;
  gint64                    id;     /* out for add */
} AccountWrite;

static gboolean
add_account_cb (EmberDbConnection  *connection,
                gpointer            user_data,
                GCancellable       *cancellable,
                GError            **error)
{
  AccountWrite *data = user_data;
  const EmberAccountRecord *account = data->account;
  sqlite3_stmt *stmt;
  gboolean found;
  gint64 existing;

  stmt = ember_db_connection_prepare (connection,
                                      "SELECT id FROM accounts WHERE provider = ?1 AND email = ?2 COLLATE NOCASE",
                                      error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, account->provider);
  bind_text (stmt, 2, account->email);
  if (!query_int64 (connection, stmt, &existing, &found, error))
    return FALSE;
  if (found)
    {
      g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_FAILED,
                   _("The %s account %s is already set up (account %" G_GINT64_FORMAT ")"),
                   account->provider, account->email, existing);
      return FALSE;
    }

  stmt = ember_db_connection_prepare (connection,
                                      "INSERT INTO accounts (provider, email, display_name, api_base, auth_base, "
                                      "  client_id, mail_enabled, calendar_enabled, created) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
                                      error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, account->provider);
  bind_text (stmt, 2, account->email);
  bind_text (stmt, 3, account->display_name);
  bind_text (stmt, 4, account->api_base);
  bind_text (stmt, 5, account->auth_base);
  bind_text (stmt, 6, account->client_id);
  sqlite3_bind_int (stmt, 7, account->mail_enabled ? 1 : 0);
  sqlite3_bind_int (stmt, 8, account->calendar_enabled ? 1 : 0);
  sqlite3_bind_int64 (stmt, 9, account->created != 0 ? account->created : now_seconds (data->store));

  return query_int64 (connection, stmt, &data->id, NULL, error);
}

gint64
ember_store_add_account_sync (EmberStore                *self,
                              const EmberAccountRecord  *account,
                              GCancellable              *cancellable,
                              GError                   **error)
{
  AccountWrite data = { self, account, 0 };

  g_return_val_if_fail (EMBER_IS_STORE (self), 0);
  g_return_val_if_fail (account != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!validate_provider (account->provider, error) ||
      !require_string (account->email, _("an email address"), error))
    return 0;

  if (!ember_db_pool_write_sync (self->pool, add_account_cb, &data, cancellable, error))
    {
      g_prefix_error (error, _("Could not add the account: "));
      return 0;
    }

  return data.id;
}

static gboolean
update_account_cb (EmberDbConnection  *connection,
                   gpointer            user_data,
                   GCancellable       *cancellable,
                   GError            **error)
{
  AccountWrite *data = user_data;
  const EmberAccountRecord *account = data->account;
  sqlite3_stmt *stmt;

  stmt = ember_db_connection_prepare (connection,
                                      "UPDATE accounts SET provider = ?2, email = ?3, display_name = ?4, "
                                      "  api_base = ?5, auth_base = ?6, client_id = ?7, mail_enabled = ?8, "
                                      "  calendar_enabled = ?9 "
                                      "WHERE id = ?1",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account->id);
  bind_text (stmt, 2, account->provider);
  bind_text (stmt, 3, account->email);
  bind_text (stmt, 4, account->display_name);
  bind_text (stmt, 5, account->api_base);
  bind_text (stmt, 6, account->auth_base);
  bind_text (stmt, 7, account->client_id);
  sqlite3_bind_int (stmt, 8, account->mail_enabled ? 1 : 0);
  sqlite3_bind_int (stmt, 9, account->calendar_enabled ? 1 : 0);
  if (!ember_db_connection_run (connection, stmt, error))
    return FALSE;

  if (sqlite3_changes (ember_db_connection_get_handle (connection)) == 0)
    {
      g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND,
                   _("There is no account with id %" G_GINT64_FORMAT), account->id);
      return FALSE;
    }

  return TRUE;
}

gboolean
ember_store_update_account_sync (EmberStore                *self,
                                 const EmberAccountRecord  *account,
                                 GCancellable              *cancellable,
                                 GError                   **error)
{
  AccountWrite data = { self, account, 0 };

  g_return_val_if_fail (EMBER_IS_STORE (self), FALSE);
  g_return_val_if_fail (account != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!validate_provider (account->provider, error) ||
      !require_string (account->email, _("an email address"), error))
    return FALSE;

  if (!ember_db_pool_write_sync (self->pool, update_account_cb, &data, cancellable, error))
    {
      g_prefix_error (error, _("Could not update the account: "));
      return FALSE;
    }

  return TRUE;
}

static gboolean
remove_account_cb (EmberDbConnection  *connection,
                   gpointer            user_data,
                   GCancellable       *cancellable,
                   GError            **error)
{
  const gint64 *account_id = user_data;
  sqlite3_stmt *stmt;

  /* Foreign keys cascade to folders, messages (and through the triggers
   * their search index entries), calendars, events and sync state. */
  stmt = ember_db_connection_prepare (connection, "DELETE FROM accounts WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, *account_id);
  if (!ember_db_connection_run (connection, stmt, error))
    return FALSE;

  if (sqlite3_changes (ember_db_connection_get_handle (connection)) == 0)
    {
      g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND,
                   _("There is no account with id %" G_GINT64_FORMAT), *account_id);
      return FALSE;
    }

  return TRUE;
}

gboolean
ember_store_remove_account_sync (EmberStore    *self,
                                 gint64         account_id,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_return_val_if_fail (EMBER_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ember_db_pool_write_sync (self->pool, remove_account_cb, &account_id, cancellable, error))
    {
      g_prefix_error (error, _("Could not remove the account: "));
      return FALSE;
    }

  return TRUE;
}

typedef struct
{
  gint64     id;
  gpointer   result;
} ReadById;

static gboolean
get_account_cb (EmberDbConnection  *connection,
                gpointer            user_data,
                GCancellable       *cancellable,
                GError            **error)
{
  ReadById *data = user_data;
  sqlite3_stmt *stmt;
  gboolean has_row;

  stmt = ember_db_connection_prepare (connection,
                                      "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = ?1",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, data->id);
  if (!step_row (connection, stmt, &has_row, error))
    return FALSE;
  if (!has_row)
    {
      g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND,
                   _("There is no account with id %" G_GINT64_FORMAT), data->id);
      return FALSE;
    }
  data->result = account_from_row (stmt);
  sqlite3_reset (stmt);

  return TRUE;
}

EmberAccountRecord *
ember_store_get_account_sync (EmberStore    *self,
                              gint64         account_id,
                              GCancellable  *cancellable,
                              GError       **error)
{
  ReadById data = { account_id, NULL };

  g_return_val_if_fail (EMBER_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ember_db_pool_with_reader (self->pool, get_account_cb, &data, cancellable, error))
    return NULL;

  return data.result;
}

static gboolean
collect_accounts (EmberDbConnection  *connection,
                  GPtrArray          *accounts,
                  GError            **error)
{
  sqlite3_stmt *stmt;
  gboolean has_row;
  gboolean ok;

  stmt = ember_db_connection_prepare (connection,
                                      "SELECT " ACCOUNT_COLUMNS " FROM accounts ORDER BY id",
                                      error);
  if (stmt == NULL)
    return FALSE;
  while ((ok = step_row (connection, stmt, &has_row, error)) && has_row)
    g_ptr_array_add (accounts, account_from_row (stmt));
  if (!ok)
    return FALSE;
  sqlite3_reset (stmt);

  return TRUE;
}

static gboolean
list_accounts_cb (EmberDbConnection  *connection,
                  gpointer            user_data,
                  GCancellable       *cancellable,
                  GError            **error)
{
  return collect_accounts (connection, user_data, error);
}

GPtrArray *
ember_store_list_accounts_sync (EmberStore    *self,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_autoptr(GPtrArray) accounts = NULL;

  g_return_val_if_fail (EMBER_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_account_record_free);
  if (!ember_db_pool_with_reader (self->pool, list_accounts_cb, accounts, cancellable, error))
    return NULL;

  return g_steal_pointer (&accounts);
}

/* Folders */

typedef struct
{
  EmberStore        *store;
  gint64             account_id;
  gconstpointer      page;
  GHashTable        *folder_ids; /* provider id -> gint64 *row id, within one page */
} PageWrite;

static gboolean
upsert_folder (EmberDbConnection        *connection,
               gint64                    account_id,
               const EmberFolderRecord  *folder,
               GError                  **error)
{
  sqlite3_stmt *stmt;

  stmt = ember_db_connection_prepare (connection,
                                      "INSERT INTO folders (account_id, provider_id, name, kind, parent_provider_id) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5) "
                                      "ON CONFLICT (account_id, provider_id) DO UPDATE SET "
                                      "  name = excluded.name, kind = excluded.kind, "
                                      "  parent_provider_id = excluded.parent_provider_id",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  bind_text (stmt, 2, folder->provider_id);
  bind_text (stmt, 3, folder->name);
  bind_text (stmt, 4, ember_folder_kind_to_string (folder->kind));
  bind_text (stmt, 5, folder->parent_provider_id);

  return ember_db_connection_run (connection, stmt, error);
}

static gboolean
delete_by_provider_id (EmberDbConnection  *connection,
                       const char         *sql,
                       gint64              owner_id,
                       const char         *provider_id,
                       GError            **error)
{
  sqlite3_stmt *stmt = ember_db_connection_prepare (connection, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, owner_id);
  bind_text (stmt, 2, provider_id);

  return ember_db_connection_run (connection, stmt, error);
}

/* Deletes the rows of @account_id in a table whose provider ids are not
 * in @keep (a complete list from the provider). */
static gboolean
delete_missing (EmberDbConnection  *connection,
                const char         *select_sql,
                const char         *delete_sql,
                gint64              account_id,
                GHashTable         *keep,
                GError            **error)
{
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  gboolean has_row;
  gboolean ok;

  stmt = ember_db_connection_prepare (connection, select_sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  while ((ok = step_row (connection, stmt, &has_row, error)) && has_row)
    {
      const char *provider_id = (const char *) sqlite3_column_text (stmt, 0);

      if (!g_hash_table_contains (keep, provider_id))
        g_ptr_array_add (gone, g_strdup (provider_id));
    }
  if (!ok)
    return FALSE;
  sqlite3_reset (stmt);

  for (guint i = 0; i < gone->len; i++)
    if (!delete_by_provider_id (connection, delete_sql, account_id, g_ptr_array_index (gone, i), error))
      return FALSE;

  return TRUE;
}

/* Folder and calendar pages share one shape: records keyed by provider
 * id, deleted ids, and a complete flag under which the stored rows the page
 * leaves out go. */
typedef gboolean (*SaveListItemFunc) (EmberDbConnection  *connection,
                                      gint64              account_id,
                                      gconstpointer       item,
                                      char              **provider_id,
                                      GError            **error);

typedef struct
{
  const char       *select_sql; /* provider ids of one account's rows */
  const char       *delete_sql; /* one row by account and provider id */
  SaveListItemFunc  save_item;  /* checks and upserts one record */
} ListTable;

typedef struct
{
  EmberStore      *store;
  gint64           account_id;
  const ListTable *table;
  const char      *resource;
  const char      *cursor;
  const char      *phase;
  GPtrArray       *items;
  GPtrArray       *deleted_ids;
  gboolean         complete;
} ListPageWrite;

static gboolean
save_list_page_cb (EmberDbConnection  *connection,
                   gpointer            user_data,
                   GCancellable       *cancellable,
                   GError            **error)
{
  ListPageWrite *data = user_data;
  const ListTable *table = data->table;
  g_autoptr(GHashTable) keep = g_hash_table_new (g_str_hash, g_str_equal);

  if (!require_account (connection, data->account_id, error))
    return FALSE;

  for (guint i = 0; data->items != NULL && i < data->items->len; i++)
    {
      char *provider_id = NULL;

      if (!table->save_item (connection, data->account_id, g_ptr_array_index (data->items, i),
                             &provider_id, error))
        return FALSE;
      g_hash_table_add (keep, provider_id);
    }

  for (guint i = 0; data->deleted_ids != NULL && i < data->deleted_ids->len; i++)
    if (!delete_by_provider_id (connection, table->delete_sql,
                                data->account_id, g_ptr_array_index (data->deleted_ids, i), error))
      return FALSE;

  if (data->complete &&
      !delete_missing (connection, table->select_sql, table->delete_sql, data->account_id, keep, error))
    return FALSE;

  if (data->resource != NULL &&
      !upsert_cursor (connection, data->account_id, data->resource, data->cursor, data->phase,
                      now_seconds (data->store), error))
    return FALSE;

  return !check_cancelled (cancellable, error);
}

static gboolean
save_list_page (ListPageWrite  *data,
                const char     *error_prefix,
                GCancellable   *cancellable,
                GError        **error)
{
  if (!ember_db_pool_write_sync (data->store->pool, save_list_page_cb, data, cancellable, error))
    {
      g_prefix_error (error, "%s", error_prefix);
      return FALSE;
    }

  return TRUE;
}

static gboolean
save_folder_item (EmberDbConnection  *connection,
                  gint64              account_id,
                  gconstpointer       item,
                  char              **provider_id,
                  GError            **error)
{
  const EmberFolderRecord *folder = item;

  if (!require_string (folder->provider_id, _("a folder id"), error) ||
      !require_string (folder->name, _("a folder name"), error) ||
      !upsert_folder (connection, account_id, folder, error))
    return FALSE;
  *provider_id = folder->provider_id;

  return TRUE;
}

static const ListTable folder_table = {
  "SELECT provider_id FROM folders WHERE account_id = ?1",
  "DELETE FROM folders WHERE account_id = ?1 AND provider_id = ?2",
  save_folder_item,
};

gboolean
ember_store_save_folder_page_sync (EmberStore             *self,
                                   gint64                  account_id,
                                   const EmberFolderPage  *page,
                                   GCancellable           *cancellable,
                                   GError                **error)
{
  ListPageWrite data;

  g_return_val_if_fail (EMBER_IS_STORE (self), FALSE);
  g_return_val_if_fail (page != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = (ListPageWrite) { self, account_id, &folder_table, page->resource, page->cursor, page->phase,
                           page->folders, page->deleted_ids, page->complete };

  return save_list_page (&data, _("Could not save the folders: "), cancellable, error);
}

/* Messages */

/* The row id of a folder by its provider id, creating a placeholder for
 * one not seen yet (a label can arrive on a message before the label list
 * is synced); the folder sync names it later. */
static gboolean
resolve_folder (EmberDbConnection  *connection,
                PageWrite          *data,
                const char         *provider_id,
                gint64             *folder_id,
                GError            **error)
{
  gint64 *cached = g_hash_table_lookup (data->folder_ids, provider_id);
  sqlite3_stmt *stmt;
  gboolean found;

  if (cached != NULL)
    {
      *folder_id = *cached;
      return TRUE;
    }

  stmt = ember_db_connection_prepare (connection,
                                      "SELECT id FROM folders WHERE account_id = ?1 AND provider_id = ?2",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, data->account_id);
  bind_text (stmt, 2, provider_id);
  if (!query_int64 (connection, stmt, folder_id, &found, error))
    return FALSE;

  if (!found)
    {
      stmt = ember_db_connection_prepare (connection,
                                          "INSERT INTO folders (account_id, provider_id, name, kind) "
                                          "VALUES (?1, ?2, ?2, 'other') RETURNING id",
                                          error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, data->account_id);
      bind_text (stmt, 2, provider_id);
      if (!query_int64 (connection, stmt, folder_id, NULL, error))
        return FALSE;
    }

  g_hash_table_insert (data->folder_ids, g_strdup (provider_id), g_memdup2 (folder_id, sizeof *folder_id));

  return TRUE;
}

static gboolean
resolve_folders (EmberDbConnection  *connection,
                 PageWrite          *data,
                 const GPtrArray    *provider_ids,
                 GArray             *folder_ids,
                 GError            **error)
{
  for (guint i = 0; i < provider_ids->len; i++)
    {
      gint64 folder_id;
      gboolean seen = FALSE;

      if (!resolve_folder (connection, data, g_ptr_array_index (provider_ids, i), &folder_id, error))
        return FALSE;
      for (guint j = 0; j < folder_ids->len && !seen; j++)
        seen = g_array_index (folder_ids, gint64, j) == folder_id;
      if (!seen)
        g_array_append_val (folder_ids, folder_id);
    }

  return TRUE;
}

static gboolean
current_folders (EmberDbConnection  *connection,
                 gint64              message_id,
                 GArray             *folder_ids,
                 GError            **error)
{
  sqlite3_stmt *stmt;
  gboolean has_row;
  gboolean ok;

  stmt = ember_db_connection_prepare (connection,
                                      "SELECT folder_id FROM message_folders WHERE message_id = ?1",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, message_id);
  while ((ok = step_row (connection, stmt, &has_row, error)) && has_row)
    {
      gint64 folder_id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (folder_ids, folder_id);
    }
  if (!ok)
    return FALSE;
  sqlite3_reset (stmt);

  return TRUE;
}

static gboolean
array_contains (GArray *array,
                gint64  value)
{
  for (guint i = 0; i < array->len; i++)
    if (g_array_index (array, gint64, i) == value)
      return TRUE;

  return FALSE;
}

/* A stored message's row id and date, by provider id. */
typedef struct
{
  gint64 id;
  gint64 date;
} MessageKey;

static gboolean
add_membership (EmberDbConnection  *connection,
                const MessageKey   *message,
                gint64              folder_id,
                GError            **error)
{
  sqlite3_stmt *stmt;

  /* The date copy serves the (folder, date) keyset index. */
  stmt = ember_db_connection_prepare (connection,
                                      "INSERT INTO message_folders (message_id, folder_id, date) "
                                      "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, message->id);
  sqlite3_bind_int64 (stmt, 2, folder_id);
  sqlite3_bind_int64 (stmt, 3, message->date);

  return ember_db_connection_run (connection, stmt, error);
}

static gboolean
remove_membership (EmberDbConnection  *connection,
                   gint64              message_id,
                   gint64              folder_id,
                   GError            **error)
{
  sqlite3_stmt *stmt;

  stmt = ember_db_connection_prepare (connection,
                                      "DELETE FROM message_folders WHERE message_id = ?1 AND folder_id = ?2",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, message_id);
  sqlite3_bind_int64 (stmt, 2, folder_id);

  return ember_db_connection_run (connection, stmt, error);
}

/* @is_new: the message was just inserted, so it is in no folder yet. */
static gboolean
change_folders (EmberDbConnection    *connection,
                PageWrite            *data,
                const MessageKey     *message,
                gboolean              is_new,
                EmberFolderChangeOp   op,
                const GPtrArray      *provider_ids,
                GError              **error)
{
  g_autoptr(GArray) wanted = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) current = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (!resolve_folders (connection, data, provider_ids, wanted, error))
    return FALSE;

  switch (op)
    {
    case EMBER_FOLDER_CHANGE_ADD:
      for (guint i = 0; i < wanted->len; i++)
        if (!add_membership (connection, message, g_array_index (wanted, gint64, i), error))
          return FALSE;
      return TRUE;

    case EMBER_FOLDER_CHANGE_REMOVE:
      for (guint i = 0; i < wanted->len; i++)
        if (!remove_membership (connection, message->id, g_array_index (wanted, gint64, i), error))
          return FALSE;
      return TRUE;

    case EMBER_FOLDER_CHANGE_REPLACE:
      if (!is_new && !current_folders (connection, message->id, current, error))
        return FALSE;
      for (guint i = 0; i < current->len; i++)
        if (!array_contains (wanted, g_array_index (current, gint64, i)) &&
            !remove_membership (connection, message->id, g_array_index (current, gint64, i), error))
          return FALSE;
      for (guint i = 0; i < wanted->len; i++)
        if (!array_contains (current, g_array_index (wanted, gint64, i)) &&
            !add_membership (connection, message, g_array_index (wanted, gint64, i), error))
          return FALSE;
      return TRUE;

    default:
      g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_FAILED,
                   "Unknown folder change %d", (int) op);
      return FALSE;
    }
}

static gboolean
upsert_message (EmberDbConnection         *connection,
                PageWrite                 *data,
                const EmberMessageRecord  *message,
                GError                   **error)
{
  sqlite3 *db = ember_db_connection_get_handle (connection);
  MessageKey key = { 0, message->date };
  sqlite3_stmt *stmt;
  gint64 last_rowid;

  if (!require_string (message->provider_id, _("a message id"), error))
    return FALSE;

  /* NULL bodies mean "not fetched": keep what is stored. */
  stmt = ember_db_connection_prepare (connection,
                                      "INSERT INTO messages (account_id, provider_id, thread_id, internet_message_id, "
                                      "  subject, from_name, from_address, to_recipients, cc_recipients, date, "
                                      "  snippet, unread, starred, has_attachments, size, body_text, body_html, "
                                      "  attachments_json) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                                      "  ?16, ?17, ?18) "
                                      "ON CONFLICT (account_id, provider_id) DO UPDATE SET "
                                      "  thread_id = excluded.thread_id, "
                                      "  internet_message_id = excluded.internet_message_id, "
                                      "  subject = excluded.subject, "
                                      "  from_name = excluded.from_name, "
                                      "  from_address = excluded.from_address, "
                                      "  to_recipients = excluded.to_recipients, "
                                      "  cc_recipients = excluded.cc_recipients, "
                                      "  date = excluded.date, "
                                      "  snippet = excluded.snippet, "
                                      "  unread = excluded.unread, "
                                      "  starred = excluded.starred, "
                                      "  has_attachments = excluded.has_attachments, "
                                      "  size = excluded.size, "
                                      "  body_text = coalesce (excluded.body_text, messages.body_text), "
                                      "  body_html = coalesce (excluded.body_html, messages.body_html), "
                                      "  attachments_json = coalesce (excluded.attachments_json, messages.attachments_json) "
                                      "RETURNING id",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, data->account_id);
  bind_text (stmt, 2, message->provider_id);
  bind_text (stmt, 3, message->thread_id);
  bind_text (stmt, 4, message->internet_message_id);
  bind_text (stmt, 5, message->subject != NULL ? message->subject : "");
  bind_text (stmt, 6, message->from_name);
  bind_text (stmt, 7, message->from_address);
  bind_text (stmt, 8, message->to);
  bind_text (stmt, 9, message->cc);
  sqlite3_bind_int64 (stmt, 10, message->date);
  bind_text (stmt, 11, message->snippet);
  sqlite3_bind_int (stmt, 12, message->unread ? 1 : 0);
  sqlite3_bind_int (stmt, 13, message->starred ? 1 : 0);
  sqlite3_bind_int (stmt, 14, message->has_attachments ? 1 : 0);
  sqlite3_bind_int64 (stmt, 15, message->size);
  bind_text (stmt, 16, message->body_text);
  bind_text (stmt, 17, message->body_html);
  bind_text (stmt, 18, message->attachments_json);
  last_rowid = sqlite3_last_insert_rowid (db);
  if (!query_int64 (connection, stmt, &key.id, NULL, error))
    return FALSE;

  /* Only an insert moves the last rowid (a trigger's inserts do not
   * leak out): a new message has no folders to look up. */
  if (message->folder_ids != NULL &&
      !change_folders (connection, data, &key, sqlite3_last_insert_rowid (db) != last_rowid,
                       EMBER_FOLDER_CHANGE_REPLACE, message->folder_ids, error))
    return FALSE;

  return TRUE;
}

static gboolean
find_message_key (EmberDbConnection  *connection,
                  gint64              account_id,
                  const char         *provider_id,
                  MessageKey         *key,
                  gboolean           *found,
                  GError            **error)
{
  sqlite3_stmt *stmt;
  gboolean ok;

  stmt = ember_db_connection_prepare (connection,
                                      "SELECT id, date FROM messages WHERE account_id = ?1 AND provider_id = ?2",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  bind_text (stmt, 2, provider_id);

  ok = step_row (connection, stmt, found, error);
  if (ok && *found)
    {
      key->id = sqlite3_column_int64 (stmt, 0);
      key->date = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);

  return ok;
}

static gboolean
apply_folder_change (EmberDbConnection        *connection,
                     PageWrite                *data,
                     const EmberFolderChange  *change,
                     GError                  **error)
{
  MessageKey key = { 0, 0 };
  sqlite3_stmt *stmt;
  gint64 n_folders = 0;
  gboolean found = FALSE;

  if (!require_string (change->message_provider_id, _("a message id"), error) ||
      !find_message_key (connection, data->account_id, change->message_provider_id, &key, &found, error))
    return FALSE;
  if (!found)
    return TRUE;

  if (change->folder_ids != NULL &&
      !change_folders (connection, data, &key, FALSE, change->op, change->folder_ids, error))
    return FALSE;

  if (!change->delete_if_no_folders)
    return TRUE;

  stmt = ember_db_connection_prepare (connection,
                                      "SELECT count(*) FROM message_folders WHERE message_id = ?1",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, key.id);
  if (!query_int64 (connection, stmt, &n_folders, NULL, error))
    return FALSE;
  if (n_folders > 0)
    return TRUE;

  stmt = ember_db_connection_prepare (connection, "DELETE FROM messages WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, key.id);

  return ember_db_connection_run (connection, stmt, error);
}

static gboolean
save_message_page_cb (EmberDbConnection  *connection,
                      gpointer            user_data,
                      GCancellable       *cancellable,
                      GError            **error)
{
  PageWrite *data = user_data;
  const EmberMessagePage *page = data->page;

  if (!require_account (connection, data->account_id, error))
    return FALSE;

  for (guint i = 0; page->messages != NULL && i < page->messages->len; i++)
    {
      if (check_cancelled (cancellable, error) ||
          !upsert_message (connection, data, g_ptr_array_index (page->messages, i), error))
        return FALSE;
    }

  for (guint i = 0; page->deleted_ids != NULL && i < page->deleted_ids->len; i++)
    if (!delete_by_provider_id (connection,
                                "DELETE FROM messages WHERE account_id = ?1 AND provider_id = ?2",
                                data->account_id, g_ptr_array_index (page->deleted_ids, i), error))
      return FALSE;

  for (guint i = 0; page->folder_changes != NULL && i < page->folder_changes->len; i++)
    if (!apply_folder_change (connection, data, g_ptr_array_index (page->folder_changes, i), error))
      return FALSE;

  if (!upsert_cursor (connection, data->account_id, page->resource, page->cursor, page->phase,
                      now_seconds (data->store), error))
    return FALSE;

  /* Past this point the page is committed whole even if cancelled. */
  return !check_cancelled (cancellable, error);
}

gboolean
ember_store_save_message_page_sync (EmberStore              *self,
                                    gint64                   account_id,
                                    const EmberMessagePage  *page,
                                    GCancellable            *cancellable,
                                    GError                 **error)
{
  g_autoptr(GHashTable) folder_ids = NULL;
  PageWrite data = { self, account_id, page, NULL };

  g_return_val_if_fail (EMBER_IS_STORE (self), FALSE);
  g_return_val_if_fail (page != NULL, FALSE);
  g_return_val_if_fail (page->resource != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  folder_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  data.folder_ids = folder_ids;

  if (!ember_db_pool_write_sync (self->pool, save_message_page_cb, &data, cancellable, error))
    {
      g_prefix_error (error, _("Could not save a page of messages: "));
      return FALSE;
    }

  return TRUE;
}

/* Calendars and events */

static gboolean
upsert_calendar (EmberDbConnection          *connection,
                 gint64                      account_id,
                 const EmberCalendarRecord  *calendar,
                 GError                    **error)
{
  sqlite3_stmt *stmt;

  stmt = ember_db_connection_prepare (connection,
                                      "INSERT INTO calendars (account_id, provider_id, name, color, time_zone, is_primary, "
                                      "  default_reminder_minutes) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                                      "ON CONFLICT (account_id, provider_id) DO UPDATE SET "
                                      "  name = excluded.name, color = excluded.color, "
                                      "  time_zone = excluded.time_zone, is_primary = excluded.is_primary, "
                                      "  default_reminder_minutes = excluded.default_reminder_minutes",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  bind_text (stmt, 2, calendar->provider_id);
  bind_text (stmt, 3, calendar->name);
  bind_text (stmt, 4, calendar->color);
  bind_text (stmt, 5, calendar->time_zone);
  sqlite3_bind_int (stmt, 6, calendar->is_primary ? 1 : 0);
  if (calendar->has_default_reminder)
    sqlite3_bind_int64 (stmt, 7, calendar->default_reminder_minutes);
  else
    sqlite3_bind_null (stmt, 7);

  return ember_db_connection_run (connection, stmt, error);
}

static gboolean
save_calendar_item (EmberDbConnection  *connection,
                    gint64              account_id,
                    gconstpointer       item,
                    char              **provider_id,
                    GError            **error)
{
  const EmberCalendarRecord *calendar = item;

  if (!require_string (calendar->provider_id, _("a calendar id"), error) ||
      !require_string (calendar->name, _("a calendar name"), error) ||
      !upsert_calendar (connection, account_id, calendar, error))
    return FALSE;
  *provider_id = calendar->provider_id;

  return TRUE;
}

static const ListTable calendar_table = {
  "SELECT provider_id FROM calendars WHERE account_id = ?1",
  "DELETE FROM calendars WHERE account_id = ?1 AND provider_id = ?2",
  save_calendar_item,
};

gboolean
ember_store_save_calendar_page_sync (EmberStore               *self,
                                     gint64                    account_id,
                                     const EmberCalendarPage  *page,
                                     GCancellable             *cancellable,
                                     GError                  **error)
{
  ListPageWrite data;

  g_return_val_if_fail (EMBER_IS_STORE (self), FALSE);
  g_return_val_if_fail (page != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = (ListPageWrite) { self, account_id, &calendar_table, page->resource, page->cursor, page->phase,
                           page->calendars, page->deleted_ids, page->complete };

  return save_list_page (&data, _("Could not save the calendars: "), cancellable, error);
}

/* "YYYY-MM-DD" to UTC midnight in epoch seconds. */
static gboolean
parse_date (const char *text,
            gint64     *seconds)
{
  g_autoptr(GDateTime) midnight = NULL;
  int year, month, day;
  char rest;

  if (text == NULL || sscanf (text, "%4d-%2d-%2d%c", &year, &month, &day, &rest) != 3 ||
      !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    return FALSE;

  midnight = g_date_time_new_utc (year, month, day, 0, 0, 0);
  if (midnight == NULL)
    return FALSE;
  *seconds = g_date_time_to_unix (midnight);

  return TRUE;
}

static gboolean
upsert_event (EmberDbConnection       *connection,
              gint64                   account_id,
              gint64                   calendar_id,
              const EmberEventRecord  *event,
              GError                 **error)
{
  g_autofree char *end_date = NULL;
  sqlite3_stmt *stmt;
  gint64 start = event->start;
  gint64 end = event->end;

  if (!require_string (event->provider_id, _("an event id"), error))
    return FALSE;

  if (event->all_day)
    {
      if (!parse_date (event->start_date, &start))
        {
          g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_FAILED,
                       _("The all-day event %s has no valid start date (expected YYYY-MM-DD)"),
                       event->provider_id);
          return FALSE;
        }
      /* Providers always send the (exclusive) end; a missing one means a
       * one-day event. */
      if (event->end_date == NULL)
        {
          g_autoptr(GDateTime) next_day = g_date_time_new_from_unix_utc (start + 24 * 60 * 60);

          end_date = g_date_time_format (next_day, "%Y-%m-%d");
        }
      else
        end_date = g_strdup (event->end_date);

      if (!parse_date (end_date, &end) || end < start)
        {
          g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_FAILED,
                       _("The all-day event %s has no valid end date (expected YYYY-MM-DD, not before the start)"),
                       event->provider_id);
          return FALSE;
        }
    }
  else if (end < start)
    {
      g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_FAILED,
                   _("The event %s ends before it starts"), event->provider_id);
      return FALSE;
    }

  stmt = ember_db_connection_prepare (connection,
                                      "INSERT INTO events (account_id, calendar_id, provider_id, summary, description, "
                                      "  location, start_utc, end_utc, time_zone, all_day, start_date, end_date, "
                                      "  status, recurring_event_id, original_start, organizer, attendees_json, updated, "
                                      "  reminder_minutes, reminder_default) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
                                      "  ?17, ?18, ?19, ?20) "
                                      "ON CONFLICT (calendar_id, provider_id) DO UPDATE SET "
                                      "  summary = excluded.summary, description = excluded.description, "
                                      "  location = excluded.location, start_utc = excluded.start_utc, "
                                      "  end_utc = excluded.end_utc, time_zone = excluded.time_zone, "
                                      "  all_day = excluded.all_day, start_date = excluded.start_date, "
                                      "  end_date = excluded.end_date, status = excluded.status, "
                                      "  recurring_event_id = excluded.recurring_event_id, "
                                      "  original_start = excluded.original_start, organizer = excluded.organizer, "
                                      "  attendees_json = excluded.attendees_json, updated = excluded.updated, "
                                      "  reminder_minutes = excluded.reminder_minutes, "
                                      "  reminder_default = excluded.reminder_default",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, calendar_id);
  bind_text (stmt, 3, event->provider_id);
  bind_text (stmt, 4, event->summary);
  bind_text (stmt, 5, event->description);
  bind_text (stmt, 6, event->location);
  sqlite3_bind_int64 (stmt, 7, start);
  sqlite3_bind_int64 (stmt, 8, end);
  bind_text (stmt, 9, event->time_zone);
  sqlite3_bind_int (stmt, 10, event->all_day ? 1 : 0);
  bind_text (stmt, 11, event->all_day ? event->start_date : NULL);
  bind_text (stmt, 12, event->all_day ? end_date : NULL);
  bind_text (stmt, 13, event->status);
  bind_text (stmt, 14, event->recurring_event_id);
  if (event->original_start != 0)
    sqlite3_bind_int64 (stmt, 15, event->original_start);
  else
    sqlite3_bind_null (stmt, 15);
  bind_text (stmt, 16, event->organizer);
  bind_text (stmt, 17, event->attendees_json);
  sqlite3_bind_int64 (stmt, 18, event->updated);
  if (!event->reminder_default && event->has_reminder)
    sqlite3_bind_int64 (stmt, 19, event->reminder_minutes);
  else
    sqlite3_bind_null (stmt, 19);
  sqlite3_bind_int (stmt, 20, event->reminder_default ? 1 : 0);

  return ember_db_connection_run (connection, stmt, error);
}

static gboolean
save_event_page_cb (EmberDbConnection  *connection,
                    gpointer            user_data,
                    GCancellable       *cancellable,
                    GError            **error)
{
  PageWrite *data = user_data;
  const EmberEventPage *page = data->page;
  sqlite3_stmt *stmt;
  gint64 calendar_id;
  gboolean found;

  if (!require_account (connection, data->account_id, error))
    return FALSE;

  stmt = ember_db_connection_prepare (connection,
                                      "SELECT id FROM calendars WHERE account_id = ?1 AND provider_id = ?2",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, data->account_id);
  bind_text (stmt, 2, page->calendar_provider_id);
  if (!query_int64 (connection, stmt, &calendar_id, &found, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND,
                   _("The calendar %s of account %" G_GINT64_FORMAT " is not stored; save the calendar list first"),
                   page->calendar_provider_id, data->account_id);
      return FALSE;
    }

  for (guint i = 0; page->events != NULL && i < page->events->len; i++)
    if (check_cancelled (cancellable, error) ||
        !upsert_event (connection, data->account_id, calendar_id, g_ptr_array_index (page->events, i), error))
      return FALSE;

  for (guint i = 0; page->deleted_ids != NULL && i < page->deleted_ids->len; i++)
    if (!delete_by_provider_id (connection,
                                "DELETE FROM events WHERE calendar_id = ?1 AND provider_id = ?2",
                                calendar_id, g_ptr_array_index (page->deleted_ids, i), error))
      return FALSE;

  if (!upsert_cursor (connection, data->account_id, page->resource, page->cursor, page->phase,
                      now_seconds (data->store), error))
    return FALSE;

  return !check_cancelled (cancellable, error);
}

gboolean
ember_store_save_event_page_sync (EmberStore            *self,
                                  gint64                 account_id,
                                  const EmberEventPage  *page,
                                  GCancellable          *cancellable,
                                  GError               **error)
{
  PageWrite data = { self, account_id, page, NULL };

  g_return_val_if_fail (EMBER_IS_STORE (self), FALSE);
  g_return_val_if_fail (page != NULL, FALSE);
  g_return_val_if_fail (page->resource != NULL, FALSE);
  g_return_val_if_fail (page->calendar_provider_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ember_db_pool_write_sync (self->pool, save_event_page_cb, &data, cancellable, error))
    {
      g_prefix_error (error, _("Could not save a page of events: "));
      return FALSE;
    }

  return TRUE;
}

/* Sync state */

#define SYNC_STATE_COLUMNS \
  "account_id, resource, cursor, phase, last_success, last_error, last_error_time, extra_json, updated"

static EmberSyncState *
sync_state_from_row (sqlite3_stmt *stmt)
{
  EmberSyncState *state = ember_sync_state_new ();

  state->account_id = sqlite3_column_int64 (stmt, 0);
  state->resource = column_dup (stmt, 1);
  state->cursor = column_dup (stmt, 2);
  state->phase = column_dup (stmt, 3);
  state->last_success = sqlite3_column_int64 (stmt, 4);
  state->last_error = column_dup (stmt, 5);
  state->last_error_time = sqlite3_column_int64 (stmt, 6);
  state->extra_json = column_dup (stmt, 7);
  state->updated = sqlite3_column_int64 (stmt, 8);

  return state;
}

typedef struct
{
  gint64          account_id;
  const char     *resource;
  EmberSyncState *result;
} SyncStateRead;

static gboolean
get_sync_state_cb (EmberDbConnection  *connection,
                   gpointer            user_data,
                   GCancellable       *cancellable,
                   GError            **error)
{
  SyncStateRead *data = user_data;
  sqlite3_stmt *stmt;
  gboolean has_row;

  stmt = ember_db_connection_prepare (connection,
                                      "SELECT " SYNC_STATE_COLUMNS " FROM sync_state "
                                      "WHERE account_id = ?1 AND resource = ?2",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, data->account_id);
  bind_text (stmt, 2, data->resource);
  if (!step_row (connection, stmt, &has_row, error))
    return FALSE;

  if (has_row)
    data->result = sync_state_from_row (stmt);
  else
    {
      data->result = ember_sync_state_new ();
      data->result->account_id = data->account_id;
      data->result->resource = g_strdup (data->resource);
    }
  sqlite3_reset (stmt);

  return TRUE;
}

EmberSyncState *
ember_store_get_sync_state_sync (EmberStore    *self,
                                 gint64         account_id,
                                 const char    *resource,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  SyncStateRead data = { account_id, resource, NULL };

  g_return_val_if_fail (EMBER_IS_STORE (self), NULL);
  g_return_val_if_fail (resource != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ember_db_pool_with_reader (self->pool, get_sync_state_cb, &data, cancellable, error))
    return NULL;

  return data.result;
}

static gboolean
collect_sync_states (EmberDbConnection  *connection,
                     gint64              account_id,
                     GPtrArray          *states,
                     GError            **error)
{
  sqlite3_stmt *stmt;
  gboolean has_row;
  gboolean ok;

  stmt = ember_db_connection_prepare (connection,
                                      "SELECT " SYNC_STATE_COLUMNS " FROM sync_state "
                                      "WHERE account_id = ?1 ORDER BY resource",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  while ((ok = step_row (connection, stmt, &has_row, error)) && has_row)
    g_ptr_array_add (states, sync_state_from_row (stmt));
  if (!ok)
    return FALSE;
  sqlite3_reset (stmt);

  return TRUE;
}

typedef struct
{
  gint64     account_id;
  GPtrArray *states;
} SyncStatesRead;

static gboolean
list_sync_states_cb (EmberDbConnection  *connection,
                     gpointer            user_data,
                     GCancellable       *cancellable,
                     GError            **error)
{
  SyncStatesRead *data = user_data;

  return collect_sync_states (connection, data->account_id, data->states, error);
}

GPtrArray *
ember_store_list_sync_states_sync (EmberStore    *self,
                                   gint64         account_id,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_autoptr(GPtrArray) states = NULL;
  SyncStatesRead data;

  g_return_val_if_fail (EMBER_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  states = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_sync_state_free);
  data.account_id = account_id;
  data.states = states;
  if (!ember_db_pool_with_reader (self->pool, list_sync_states_cb, &data, cancellable, error))
    return NULL;

  return g_steal_pointer (&states);
}

typedef enum
{
  SYNC_WRITE_CURSOR,
  SYNC_WRITE_SUCCESS,
  SYNC_WRITE_ERROR,
  SYNC_WRITE_EXTRA,
} SyncWriteKind;

typedef struct
{
  EmberStore    *store;
  SyncWriteKind  kind;
  gint64         account_id;
  const char    *resource;
  const char    *text;   /* cursor, error message or extra JSON */
  const char    *phase;
} SyncWrite;

static gboolean
write_sync_state_cb (EmberDbConnection  *connection,
                     gpointer            user_data,
                     GCancellable       *cancellable,
                     GError            **error)
{
  SyncWrite *data = user_data;
  gint64 now = now_seconds (data->store);
  sqlite3_stmt *stmt = NULL;

  if (!require_account (connection, data->account_id, error))
    return FALSE;

  switch (data->kind)
    {
    case SYNC_WRITE_CURSOR:
      return upsert_cursor (connection, data->account_id, data->resource, data->text, data->phase, now, error);

    case SYNC_WRITE_SUCCESS:
      stmt = ember_db_connection_prepare (connection,
                                          "INSERT INTO sync_state (account_id, resource, last_success, updated) "
                                          "VALUES (?1, ?2, ?3, ?3) "
                                          "ON CONFLICT (account_id, resource) DO UPDATE SET "
                                          "  last_success = excluded.last_success, last_error = NULL, "
                                          "  last_error_time = NULL, updated = excluded.updated",
                                          error);
      break;

    case SYNC_WRITE_ERROR:
      stmt = ember_db_connection_prepare (connection,
                                          "INSERT INTO sync_state (account_id, resource, last_error, last_error_time, updated) "
                                          "VALUES (?1, ?2, ?4, ?3, ?3) "
                                          "ON CONFLICT (account_id, resource) DO UPDATE SET "
                                          "  last_error = excluded.last_error, "
                                          "  last_error_time = excluded.last_error_time, updated = excluded.updated",
                                          error);
      break;

    case SYNC_WRITE_EXTRA:
      stmt = ember_db_connection_prepare (connection,
                                          "INSERT INTO sync_state (account_id, resource, extra_json, updated) "
                                          "VALUES (?1, ?2, ?4, ?3) "
                                          "ON CONFLICT (account_id, resource) DO UPDATE SET "
                                          "  extra_json = excluded.extra_json, updated = excluded.updated",
                                          error);
      break;

    default:
      g_assert_not_reached ();
    }

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, data->account_id);
  bind_text (stmt, 2, data->resource);
  sqlite3_bind_int64 (stmt, 3, now);
  if (data->kind != SYNC_WRITE_SUCCESS)
    bind_text (stmt, 4, data->text);

  return ember_db_connection_run (connection, stmt, error);
}

static gboolean
write_sync_state (EmberStore    *self,
                  SyncWrite     *data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  if (!ember_db_pool_write_sync (self->pool, write_sync_state_cb, data, cancellable, error))
    {
      g_prefix_error (error, _("Could not save the sync state of %s: "), data->resource);
      return FALSE;
    }

  return TRUE;
}

gboolean
ember_store_set_sync_cursor_sync (EmberStore    *self,
                                  gint64         account_id,
                                  const char    *resource,
                                  const char    *cursor,
                                  const char    *phase,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  SyncWrite data = { self, SYNC_WRITE_CURSOR, account_id, resource, cursor, phase };

  g_return_val_if_fail (EMBER_IS_STORE (self), FALSE);
  g_return_val_if_fail (resource != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return write_sync_state (self, &data, cancellable, error);
}

gboolean
ember_store_record_sync_success_sync (EmberStore    *self,
                                      gint64         account_id,
                                      const char    *resource,
                                      GCancellable  *cancellable,
                                      GError       **error)
{
  SyncWrite data = { self, SYNC_WRITE_SUCCESS, account_id, resource, NULL, NULL };

  g_return_val_if_fail (EMBER_IS_STORE (self), FALSE);
  g_return_val_if_fail (resource != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return write_sync_state (self, &data, cancellable, error);
}

gboolean
ember_store_record_sync_error_sync (EmberStore    *self,
                                    gint64         account_id,
                                    const char    *resource,
                                    const char    *message,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  /* The message may quote a server reply; the database outlives logs. */
  g_autofree char *redacted = ember_redact (message != NULL ? message : "");
  SyncWrite data = { self, SYNC_WRITE_ERROR, account_id, resource, redacted, NULL };

  g_return_val_if_fail (EMBER_IS_STORE (self), FALSE);
  g_return_val_if_fail (resource != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return write_sync_state (self, &data, cancellable, error);
}

gboolean
ember_store_record_sync_result_sync (EmberStore    *self,
                                     gint64         account_id,
                                     const char    *resource,
                                     const char    *error_message,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  if (error_message == NULL)
    return ember_store_record_sync_success_sync (self, account_id, resource, cancellable, error);

  return ember_store_record_sync_error_sync (self, account_id, resource, error_message, cancellable, error);
}

gboolean
ember_store_set_sync_extra_sync (EmberStore    *self,
                                 gint64         account_id,
                                 const char    *resource,
                                 const char    *extra_json,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  SyncWrite data = { self, SYNC_WRITE_EXTRA, account_id, resource, extra_json, NULL };

  g_return_val_if_fail (EMBER_IS_STORE (self), FALSE);
  g_return_val_if_fail (resource != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return write_sync_state (self, &data, cancellable, error);
}

/* Mail queries */

typedef struct
{
  gint64     account_id;
  GPtrArray *folders;
} FoldersRead;

static gboolean
list_folders_cb (EmberDbConnection  *connection,
                 gpointer            user_data,
                 GCancellable       *cancellable,
                 GError            **error)
{
  FoldersRead *data = user_data;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  sqlite3_stmt *stmt;
  gboolean has_row;
  gboolean ok;

  /* Totals walk the (folder, date) index; unread counts start from the
   * few unread messages (a partial index) instead of the whole folder. */
  stmt = ember_db_connection_prepare (connection,
                                      "SELECT f.id, f.account_id, f.provider_id, f.name, f.kind, f.parent_provider_id, "
                                      "  (SELECT count(*) FROM message_folders mf WHERE mf.folder_id = f.id) "
                                      "FROM folders f WHERE ?1 = 0 OR f.account_id = ?1 "
                                      "ORDER BY f.account_id, "
                                      "  CASE f.kind WHEN 'inbox' THEN 0 WHEN 'drafts' THEN 1 WHEN 'sent' THEN 2 "
                                      "    WHEN 'archive' THEN 3 WHEN 'junk' THEN 4 WHEN 'trash' THEN 5 "
                                      "    WHEN 'label' THEN 6 ELSE 7 END, "
                                      "  f.name COLLATE NOCASE, f.id",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, data->account_id);
  while ((ok = step_row (connection, stmt, &has_row, error)) && has_row)
    {
      EmberFolderRecord *folder = ember_folder_record_new ();

      folder->id = sqlite3_column_int64 (stmt, 0);
      folder->account_id = sqlite3_column_int64 (stmt, 1);
      folder->provider_id = column_dup (stmt, 2);
      folder->name = column_dup (stmt, 3);
      folder->kind = ember_folder_kind_from_string ((const char *) sqlite3_column_text (stmt, 4));
      folder->parent_provider_id = column_dup (stmt, 5);
      folder->total_count = sqlite3_column_int64 (stmt, 6);
      g_ptr_array_add (data->folders, folder);
      g_hash_table_insert (by_id, &folder->id, folder);
    }
  if (!ok)
    return FALSE;
  sqlite3_reset (stmt);

  /* CROSS JOIN keeps the unread messages (their partial index) outside:
   * walking every folder membership instead looks up every message, which
   * reads the whole table (0.26 s against 0.03 s for 100,000 messages). */
  stmt = ember_db_connection_prepare (connection,
                                      "SELECT mf.folder_id, count(*) FROM messages m "
                                      "CROSS JOIN message_folders mf ON mf.message_id = m.id "
                                      "WHERE m.unread = 1 AND (?1 = 0 OR m.account_id = ?1) "
                                      "GROUP BY mf.folder_id",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, data->account_id);
  while ((ok = step_row (connection, stmt, &has_row, error)) && has_row)
    {
      gint64 folder_id = sqlite3_column_int64 (stmt, 0);
      EmberFolderRecord *folder = g_hash_table_lookup (by_id, &folder_id);

      if (folder != NULL)
        folder->unread_count = sqlite3_column_int64 (stmt, 1);
    }
  if (!ok)
    return FALSE;
  sqlite3_reset (stmt);

  return TRUE;
}

GPtrArray *
ember_store_list_folders_sync (EmberStore    *self,
                               gint64         account_id,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(GPtrArray) folders = NULL;
  FoldersRead data;

  g_return_val_if_fail (EMBER_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  folders = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_folder_record_free);
  data.account_id = account_id;
  data.folders = folders;
  if (!ember_db_pool_with_reader (self->pool, list_folders_cb, &data, cancellable, error))
    return NULL;

  return g_steal_pointer (&folders);
}

#define MESSAGE_COLUMNS \
  "m.id, m.account_id, m.provider_id, m.thread_id, m.internet_message_id, m.subject, " \
  "m.from_name, m.from_address, m.to_recipients, m.cc_recipients, m.date, m.snippet, " \
  "m.unread, m.starred, m.has_attachments, m.size"
#define N_MESSAGE_COLUMNS 16

static EmberMessageRecord *
message_from_row (sqlite3_stmt *stmt,
                  gboolean      with_body)
{
  EmberMessageRecord *message = ember_message_record_new ();

  message->id = sqlite3_column_int64 (stmt, 0);
  message->account_id = sqlite3_column_int64 (stmt, 1);
  message->provider_id = column_dup (stmt, 2);
  message->thread_id = column_dup (stmt, 3);
  message->internet_message_id = column_dup (stmt, 4);
  message->subject = column_dup (stmt, 5);
  message->from_name = column_dup (stmt, 6);
  message->from_address = column_dup (stmt, 7);
  message->to = column_dup (stmt, 8);
  message->cc = column_dup (stmt, 9);
  message->date = sqlite3_column_int64 (stmt, 10);
  message->snippet = column_dup (stmt, 11);
  message->unread = sqlite3_column_int (stmt, 12) != 0;
  message->starred = sqlite3_column_int (stmt, 13) != 0;
  message->has_attachments = sqlite3_column_int (stmt, 14) != 0;
  message->size = sqlite3_column_int64 (stmt, 15);
  if (with_body)
    {
      message->body_text = column_dup (stmt, N_MESSAGE_COLUMNS);
      message->body_html = column_dup (stmt, N_MESSAGE_COLUMNS + 1);
      message->attachments_json = column_dup (stmt, N_MESSAGE_COLUMNS + 2);
    }

  return message;
}

static gboolean
fill_folders (EmberDbConnection   *connection,
              EmberMessageRecord  *message,
              GError             **error)
{
  sqlite3_stmt *stmt;
  gboolean has_row;
  gboolean ok;

  stmt = ember_db_connection_prepare (connection,
                                      "SELECT f.provider_id, f.name FROM message_folders mf "
                                      "JOIN folders f ON f.id = mf.folder_id "
                                      "WHERE mf.message_id = ?1 ORDER BY f.kind <> 'inbox', f.name, f.id",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, message->id);

  g_clear_pointer (&message->folder_ids, g_ptr_array_unref);
  g_clear_pointer (&message->folder_names, g_ptr_array_unref);
  message->folder_ids = g_ptr_array_new_with_free_func (g_free);
  message->folder_names = g_ptr_array_new_with_free_func (g_free);
  while ((ok = step_row (connection, stmt, &has_row, error)) && has_row)
    {
      g_ptr_array_add (message->folder_ids, column_dup (stmt, 0));
      g_ptr_array_add (message->folder_names, column_dup (stmt, 1));
    }
  if (!ok)
    return FALSE;
  sqlite3_reset (stmt);

  return TRUE;
}

/* Reads every row of a bound message statement into @messages. */
static gboolean
collect_messages (EmberDbConnection  *connection,
                  sqlite3_stmt       *stmt,
                  GPtrArray          *messages,
                  GCancellable       *cancellable,
                  GError            **error)
{
  gboolean has_row;
  gboolean ok;

  while ((ok = step_row (connection, stmt, &has_row, error)) && has_row)
    g_ptr_array_add (messages, message_from_row (stmt, FALSE));
  if (!ok)
    return FALSE;
  sqlite3_reset (stmt);

  return !check_cancelled (cancellable, error);
}

static gboolean
fill_all_folders (EmberDbConnection  *connection,
                  GPtrArray          *messages,
                  GError            **error)
{
  for (guint i = 0; i < messages->len; i++)
    if (!fill_folders (connection, g_ptr_array_index (messages, i), error))
      return FALSE;

  return TRUE;
}

typedef struct
{
  EmberMessageQuery  query;
  const gint64      *ids;   /* ember_store_list_messages_by_id_sync () */
  guint              n_ids;
  GPtrArray         *messages;
} MessagesRead;

/* Runs @read on a reader to fill a new array of list rows. */
static GPtrArray *
read_messages (EmberStore    *self,
               EmberDbFunc    read,
               MessagesRead  *data,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_message_record_free);

  data->messages = messages;
  if (!ember_db_pool_with_reader (self->pool, read, data, cancellable, error))
    {
      g_prefix_error (error, _("Could not list messages: "));
      return NULL;
    }

  return g_steal_pointer (&messages);
}

static gboolean
list_folder_page (EmberDbConnection   *connection,
                  gint64               folder_id,
                  gint64               after_date,
                  gint64               after_id,
                  guint                limit,
                  GPtrArray           *messages,
                  GCancellable        *cancellable,
                  GError             **error)
{
  sqlite3_stmt *stmt;

  stmt = ember_db_connection_prepare (connection,
                                      "SELECT " MESSAGE_COLUMNS " FROM message_folders mf "
                                      "JOIN messages m ON m.id = mf.message_id "
                                      "WHERE mf.folder_id = ?1 AND (mf.date, mf.message_id) < (?2, ?3) "
                                      "ORDER BY mf.date DESC, mf.message_id DESC LIMIT ?4",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, after_date);
  sqlite3_bind_int64 (stmt, 3, after_id);
  sqlite3_bind_int (stmt, 4, (int) limit);

  return collect_messages (connection, stmt, messages, cancellable, error);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const EmberMessageRecord *ma = *(EmberMessageRecord * const *) a;
  const EmberMessageRecord *mb = *(EmberMessageRecord * const *) b;

  if (ma->date != mb->date)
    return ma->date > mb->date ? -1 : 1;
  if (ma->id != mb->id)
    return ma->id > mb->id ? -1 : 1;
  return 0;
}

/* Merges pages of several folders or accounts into one. */
static void
keep_newest (GPtrArray *messages,
             guint      limit)
{
  g_ptr_array_sort (messages, compare_newest_first);
  if (messages->len > limit)
    g_ptr_array_remove_range (messages, limit, messages->len - limit);
}

static gboolean
collect_page (EmberDbConnection  *connection,
              MessagesRead       *data,
              GCancellable       *cancellable,
              GError            **error)
{
  const EmberMessageQuery *query = &data->query;
  guint limit = query->limit == 0 ? DEFAULT_PAGE_SIZE : MIN (query->limit, MAX_PAGE_SIZE);
  gint64 after_date = query->after.date;
  gint64 after_id = query->after.id;
  g_autoptr(GArray) inboxes = NULL;
  g_autoptr(GArray) accounts = NULL;
  sqlite3_stmt *stmt;
  gboolean has_row;
  gboolean ok;

  if (after_date == 0 && after_id == 0)
    after_date = after_id = G_MAXINT64;

  switch (query->scope)
    {
    case EMBER_MESSAGE_SCOPE_FOLDER:
      return list_folder_page (connection, query->folder_id, after_date, after_id, limit,
                               data->messages, cancellable, error);

    case EMBER_MESSAGE_SCOPE_INBOX:
      /* One keyset page per inbox, merged: each is a short index walk,
       * where filtering all mail by "is in an inbox" could scan most of
       * an archive-heavy mailbox. */
      inboxes = g_array_new (FALSE, FALSE, sizeof (gint64));
      stmt = ember_db_connection_prepare (connection,
                                          "SELECT id FROM folders WHERE kind = 'inbox' AND (?1 = 0 OR account_id = ?1)",
                                          error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, query->account_id);
      while ((ok = step_row (connection, stmt, &has_row, error)) && has_row)
        {
          gint64 folder_id = sqlite3_column_int64 (stmt, 0);

          g_array_append_val (inboxes, folder_id);
        }
      if (!ok)
        return FALSE;
      sqlite3_reset (stmt);

      for (guint i = 0; i < inboxes->len; i++)
        if (!list_folder_page (connection, g_array_index (inboxes, gint64, i), after_date, after_id, limit,
                               data->messages, cancellable, error))
          return FALSE;
      keep_newest (data->messages, limit);
      return TRUE;

    case EMBER_MESSAGE_SCOPE_ALL:
      /* Like the unified inbox: a walk of each account's date index. */
      accounts = g_array_new (FALSE, FALSE, sizeof (gint64));
      if (query->account_id != 0)
        g_array_append_val (accounts, query->account_id);
      else
        {
          stmt = ember_db_connection_prepare (connection, "SELECT id FROM accounts", error);
          if (stmt == NULL)
            return FALSE;
          while ((ok = step_row (connection, stmt, &has_row, error)) && has_row)
            {
              gint64 account_id = sqlite3_column_int64 (stmt, 0);

              g_array_append_val (accounts, account_id);
            }
          if (!ok)
            return FALSE;
          sqlite3_reset (stmt);
        }

      for (guint i = 0; i < accounts->len; i++)
        {
          stmt = ember_db_connection_prepare (connection,
                                              "SELECT " MESSAGE_COLUMNS " FROM messages m "
                                              "WHERE m.account_id = ?1 AND (m.date, m.id) < (?2, ?3) "
                                              "ORDER BY m.date DESC, m.id DESC LIMIT ?4",
                                              error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_int64 (stmt, 1, g_array_index (accounts, gint64, i));
          sqlite3_bind_int64 (stmt, 2, after_date);
          sqlite3_bind_int64 (stmt, 3, after_id);
          sqlite3_bind_int (stmt, 4, (int) limit);
          if (!collect_messages (connection, stmt, data->messages, cancellable, error))
            return FALSE;
        }
      keep_newest (data->messages, limit);
      return TRUE;

    default:
      g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_FAILED,
                   "Unknown message scope %d", (int) query->scope);
      return FALSE;
    }
}

static gboolean
list_messages_cb (EmberDbConnection  *connection,
                  gpointer            user_data,
                  GCancellable       *cancellable,
                  GError            **error)
{
  MessagesRead *data = user_data;

  /* Folders only for the rows that made it into the page. */
  return collect_page (connection, data, cancellable, error) &&
         fill_all_folders (connection, data->messages, error);
}

GPtrArray *
ember_store_list_messages_sync (EmberStore               *self,
                                const EmberMessageQuery  *query,
                                GCancellable             *cancellable,
                                GError                  **error)
{
  MessagesRead data = { 0 };

  g_return_val_if_fail (EMBER_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data.query = *query;
  return read_messages (self, list_messages_cb, &data, cancellable, error);
}

static gboolean
list_messages_by_id_cb (EmberDbConnection  *connection,
                        gpointer            user_data,
                        GCancellable       *cancellable,
                        GError            **error)
{
  MessagesRead *data = user_data;
  sqlite3_stmt *stmt;

  /* One primary-key look-up each: a few microseconds, in the caller's order. */
  stmt = ember_db_connection_prepare (connection, "SELECT " MESSAGE_COLUMNS " FROM messages m WHERE m.id = ?1", error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < data->n_ids; i++)
    {
      sqlite3_bind_int64 (stmt, 1, data->ids[i]);
      if (!collect_messages (connection, stmt, data->messages, cancellable, error))
        return FALSE;
    }

  return TRUE;
}

GPtrArray *
ember_store_list_messages_by_id_sync (EmberStore    *self,
                                      const gint64  *ids,
                                      guint          n_ids,
                                      GCancellable  *cancellable,
                                      GError       **error)
{
  MessagesRead data = { .ids = ids, .n_ids = n_ids };

  g_return_val_if_fail (EMBER_IS_STORE (self), NULL);
  g_return_val_if_fail (ids != NULL || n_ids == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return read_messages (self, list_messages_by_id_cb, &data, cancellable, error);
}

typedef struct
{
  gint64              id;
  gint64              account_id;
  const char         *provider_id;
  EmberMessageRecord *result;
} MessageRead;

static gboolean
get_message_cb (EmberDbConnection  *connection,
                gpointer            user_data,
                GCancellable       *cancellable,
                GError            **error)
{
  MessageRead *data = user_data;
  sqlite3_stmt *stmt;
  gboolean has_row;

  if (data->provider_id != NULL)
    {
      stmt = ember_db_connection_prepare (connection,
                                          "SELECT " MESSAGE_COLUMNS ", m.body_text, m.body_html, m.attachments_json "
                                          "FROM messages m WHERE m.account_id = ?1 AND m.provider_id = ?2",
                                          error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, data->account_id);
      bind_text (stmt, 2, data->provider_id);
    }
  else
    {
      stmt = ember_db_connection_prepare (connection,
                                          "SELECT " MESSAGE_COLUMNS ", m.body_text, m.body_html, m.attachments_json "
                                          "FROM messages m WHERE m.id = ?1",
                                          error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, data->id);
    }

  if (!step_row (connection, stmt, &has_row, error))
    return FALSE;
  if (!has_row)
    {
      if (data->provider_id != NULL)
        g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND,
                     _("Account %" G_GINT64_FORMAT " has no message %s"), data->account_id, data->provider_id);
      else
        g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND,
                     _("There is no message with id %" G_GINT64_FORMAT), data->id);
      return FALSE;
    }
  data->result = message_from_row (stmt, TRUE);
  sqlite3_reset (stmt);

  return fill_folders (connection, data->result, error);
}

EmberMessageRecord *
ember_store_get_message_sync (EmberStore    *self,
                              gint64         message_id,
                              GCancellable  *cancellable,
                              GError       **error)
{
  MessageRead data = { message_id, 0, NULL, NULL };

  g_return_val_if_fail (EMBER_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ember_db_pool_with_reader (self->pool, get_message_cb, &data, cancellable, error))
    {
      g_clear_pointer (&data.result, ember_message_record_free);
      return NULL;
    }

  return data.result;
}

EmberMessageRecord *
ember_store_find_message_sync (EmberStore    *self,
                               gint64         account_id,
                               const char    *provider_id,
                               GCancellable  *cancellable,
                               GError       **error)
{
  MessageRead data = { 0, account_id, provider_id, NULL };

  g_return_val_if_fail (EMBER_IS_STORE (self), NULL);
  g_return_val_if_fail (provider_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ember_db_pool_with_reader (self->pool, get_message_cb, &data, cancellable, error))
    {
      g_clear_pointer (&data.result, ember_message_record_free);
      return NULL;
    }

  return data.result;
}

typedef struct
{
  const char *match;
  gint64      account_id;
  guint       limit;
  GPtrArray  *messages;
} SearchRead;

static gboolean
search_cb (EmberDbConnection  *connection,
           gpointer            user_data,
           GCancellable       *cancellable,
           GError            **error)
{
  SearchRead *data = user_data;
  sqlite3_stmt *stmt;

  /* rank is bm25 with the column weights set in version-002.sql. Across
   * all accounts, FTS5 picks the best few by itself and only those are
   * joined to messages; the date orders ties among them. A tie at the
   * cut wider than SEARCH_TIE_SLACK could lose a newer equal. One account
   * needs the join to filter, over every match. */
  if (data->account_id == 0)
    {
      stmt = ember_db_connection_prepare (connection,
                                          "WITH hits AS MATERIALIZED ("
                                          "  SELECT rowid, rank FROM message_search WHERE message_search MATCH ?1 "
                                          "  ORDER BY rank LIMIT ?3 + " G_STRINGIFY (SEARCH_TIE_SLACK) ") "
                                          "SELECT " MESSAGE_COLUMNS " FROM hits JOIN messages m ON m.id = hits.rowid "
                                          "ORDER BY hits.rank, m.date DESC, m.id DESC LIMIT ?3",
                                          error);
      if (stmt == NULL)
        return FALSE;
    }
  else
    {
      stmt = ember_db_connection_prepare (connection,
                                          "SELECT " MESSAGE_COLUMNS " FROM message_search s "
                                          "JOIN messages m ON m.id = s.rowid "
                                          "WHERE message_search MATCH ?1 AND m.account_id = ?2 "
                                          "ORDER BY s.rank, m.date DESC, m.id DESC LIMIT ?3",
                                          error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 2, data->account_id);
    }
  bind_text (stmt, 1, data->match);
  sqlite3_bind_int (stmt, 3, (int) data->limit);

  return collect_messages (connection, stmt, data->messages, cancellable, error) &&
         fill_all_folders (connection, data->messages, error);
}

GPtrArray *
ember_store_search_messages_sync (EmberStore    *self,
                                  const char    *text,
                                  gint64         account_id,
                                  guint          limit,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *match = NULL;
  SearchRead data;

  g_return_val_if_fail (EMBER_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  messages = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_message_record_free);
  match = ember_store_search_build_query (text);
  if (match == NULL)
    return g_steal_pointer (&messages);

  data.match = match;
  data.account_id = account_id;
  data.limit = limit == 0 ? DEFAULT_SEARCH_SIZE : MIN (limit, MAX_PAGE_SIZE);
  data.messages = messages;
  if (!ember_db_pool_with_reader (self->pool, search_cb, &data, cancellable, error))
    {
      g_prefix_error (error, _("Could not search messages: "));
      return NULL;
    }

  return g_steal_pointer (&messages);
}

/* Maintenance */

static gboolean
merge_search_segments_cb (EmberDbConnection  *connection,
                          gpointer            user_data,
                          GCancellable       *cancellable,
                          GError            **error)
{
  sqlite3 *db = ember_db_connection_get_handle (connection);
  gboolean *done = user_data;
  int changes_before = sqlite3_total_changes (db);

  /* FTS5: a negative 'merge' works towards one segment, 500 pages at a
   * time; one that changes fewer than 2 rows found nothing left. */
  if (!ember_db_connection_exec (connection,
                                 "INSERT INTO message_search (message_search, rank) VALUES ('merge', -500)",
                                 error))
    return FALSE;
  *done = sqlite3_total_changes (db) - changes_before < 2;

  return TRUE;
}

static gboolean
analyze_cb (EmberDbConnection  *connection,
            gpointer            user_data,
            GCancellable       *cancellable,
            GError            **error)
{
  return ember_db_connection_exec (connection, "PRAGMA optimize", error);
}

gboolean
ember_store_optimize_sync (EmberStore    *self,
                           GCancellable  *cancellable,
                           GError       **error)
{
  gboolean done = FALSE;

  g_return_val_if_fail (EMBER_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Many short transactions, so sync pages can go in between. */
  while (!done)
    if (!ember_db_pool_write_sync (self->pool, merge_search_segments_cb, &done, cancellable, error))
      {
        g_prefix_error (error, _("Could not tidy the search index: "));
        return FALSE;
      }

  if (!ember_db_pool_write_sync (self->pool, analyze_cb, NULL, cancellable, error))
    {
      g_prefix_error (error, _("Could not tidy the database: "));
      return FALSE;
    }

  return TRUE;
}

/* Calendar queries */

typedef struct
{
  gint64     account_id;
  gint64     from;
  gint64     to;
  GPtrArray *results;
  gint64     event_id;  /* get_event_cb () */
} CalendarRead;

static gboolean
list_calendars_cb (EmberDbConnection  *connection,
                   gpointer            user_data,
                   GCancellable       *cancellable,
                   GError            **error)
{
  CalendarRead *data = user_data;
  sqlite3_stmt *stmt;
  gboolean has_row;
  gboolean ok;

  stmt = ember_db_connection_prepare (connection,
                                      "SELECT id, account_id, provider_id, name, color, time_zone, is_primary, "
                                      "  default_reminder_minutes "
                                      "FROM calendars WHERE ?1 = 0 OR account_id = ?1 "
                                      "ORDER BY account_id, is_primary DESC, name COLLATE NOCASE, id",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, data->account_id);
  while ((ok = step_row (connection, stmt, &has_row, error)) && has_row)
    {
      EmberCalendarRecord *calendar = ember_calendar_record_new ();

      calendar->id = sqlite3_column_int64 (stmt, 0);
      calendar->account_id = sqlite3_column_int64 (stmt, 1);
      calendar->provider_id = column_dup (stmt, 2);
      calendar->name = column_dup (stmt, 3);
      calendar->color = column_dup (stmt, 4);
      calendar->time_zone = column_dup (stmt, 5);
      calendar->is_primary = sqlite3_column_int (stmt, 6) != 0;
      calendar->has_default_reminder = sqlite3_column_type (stmt, 7) != SQLITE_NULL;
      calendar->default_reminder_minutes = (guint) sqlite3_column_int64 (stmt, 7);
      g_ptr_array_add (data->results, calendar);
    }
  if (!ok)
    return FALSE;
  sqlite3_reset (stmt);

  return TRUE;
}

GPtrArray *
ember_store_list_calendars_sync (EmberStore    *self,
                                 gint64         account_id,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_autoptr(GPtrArray) calendars = NULL;
  CalendarRead data = { account_id, 0, 0, NULL };

  g_return_val_if_fail (EMBER_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  calendars = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_calendar_record_free);
  data.results = calendars;
  if (!ember_db_pool_with_reader (self->pool, list_calendars_cb, &data, cancellable, error))
    return NULL;

  return g_steal_pointer (&calendars);
}

/* The columns read_event_row () reads. An event following its calendar's
 * default reminder takes the calendar's. */
#define EVENT_COLUMNS \
  "e.id, e.account_id, e.calendar_id, c.provider_id, e.provider_id, " \
  "e.summary, e.description, e.location, e.start_utc, e.end_utc, e.time_zone, " \
  "e.all_day, e.start_date, e.end_date, e.status, e.recurring_event_id, " \
  "e.original_start, e.organizer, e.attendees_json, e.updated, e.reminder_default, " \
  "CASE WHEN e.reminder_default THEN c.default_reminder_minutes ELSE e.reminder_minutes END "

static EmberEventRecord *
read_event_row (sqlite3_stmt *stmt)
{
  EmberEventRecord *event = ember_event_record_new ();

  event->id = sqlite3_column_int64 (stmt, 0);
  event->account_id = sqlite3_column_int64 (stmt, 1);
  event->calendar_id = sqlite3_column_int64 (stmt, 2);
  event->calendar_provider_id = column_dup (stmt, 3);
  event->provider_id = column_dup (stmt, 4);
  event->summary = column_dup (stmt, 5);
  event->description = column_dup (stmt, 6);
  event->location = column_dup (stmt, 7);
  event->start = sqlite3_column_int64 (stmt, 8);
  event->end = sqlite3_column_int64 (stmt, 9);
  event->time_zone = column_dup (stmt, 10);
  event->all_day = sqlite3_column_int (stmt, 11) != 0;
  event->start_date = column_dup (stmt, 12);
  event->end_date = column_dup (stmt, 13);
  event->status = column_dup (stmt, 14);
  event->recurring_event_id = column_dup (stmt, 15);
  event->original_start = sqlite3_column_int64 (stmt, 16);
  event->organizer = column_dup (stmt, 17);
  event->attendees_json = column_dup (stmt, 18);
  event->updated = sqlite3_column_int64 (stmt, 19);
  event->reminder_default = sqlite3_column_int (stmt, 20) != 0;
  event->has_reminder = sqlite3_column_type (stmt, 21) != SQLITE_NULL;
  event->reminder_minutes = (guint) sqlite3_column_int64 (stmt, 21);

  return event;
}

static gboolean
list_events_cb (EmberDbConnection  *connection,
                gpointer            user_data,
                GCancellable       *cancellable,
                GError            **error)
{
  CalendarRead *data = user_data;
  sqlite3_stmt *stmt;
  gboolean has_row;
  gboolean ok;

  /* Overlap with [from, to); an instant event counts when it lies inside. */
  stmt = ember_db_connection_prepare (connection,
                                      "SELECT " EVENT_COLUMNS
                                      "FROM events e JOIN calendars c ON c.id = e.calendar_id "
                                      "WHERE e.start_utc < ?2 "
                                      "  AND (e.end_utc > ?1 OR (e.end_utc = e.start_utc AND e.start_utc >= ?1)) "
                                      "  AND (?3 = 0 OR e.account_id = ?3) "
                                      "  AND e.status IS NOT 'cancelled' "
                                      "ORDER BY e.start_utc, e.all_day DESC, e.end_utc, e.id",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, data->from);
  sqlite3_bind_int64 (stmt, 2, data->to);
  sqlite3_bind_int64 (stmt, 3, data->account_id);
  while ((ok = step_row (connection, stmt, &has_row, error)) && has_row)
    g_ptr_array_add (data->results, read_event_row (stmt));
  if (!ok)
    return FALSE;
  sqlite3_reset (stmt);

  return TRUE;
}

static gboolean
get_event_cb (EmberDbConnection  *connection,
              gpointer            user_data,
              GCancellable       *cancellable,
              GError            **error)
{
  CalendarRead *data = user_data;
  sqlite3_stmt *stmt;
  gboolean has_row;

  stmt = ember_db_connection_prepare (connection,
                                      "SELECT " EVENT_COLUMNS
                                      "FROM events e JOIN calendars c ON c.id = e.calendar_id "
                                      "WHERE e.id = ?1",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, data->event_id);
  if (!step_row (connection, stmt, &has_row, error))
    return FALSE;
  if (has_row)
    g_ptr_array_add (data->results, read_event_row (stmt));
  sqlite3_reset (stmt);

  return TRUE;
}

/**
 * ember_store_get_event_sync:
 * @event_id: the event's row id
 *
 * Returns: (transfer full): the event, or %NULL with
 *   %EMBER_STORE_ERROR_NOT_FOUND when there is none
 */
EmberEventRecord *
ember_store_get_event_sync (EmberStore    *self,
                            gint64         event_id,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(GPtrArray) events = NULL;
  CalendarRead data = { 0, 0, 0, NULL, event_id };

  g_return_val_if_fail (EMBER_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  events = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_event_record_free);
  data.results = events;
  if (!ember_db_pool_with_reader (self->pool, get_event_cb, &data, cancellable, error))
    return NULL;
  if (events->len == 0)
    {
      g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND,
                   _("The event is no longer stored"));
      return NULL;
    }

  return g_ptr_array_steal_index (events, 0);
}

GPtrArray *
ember_store_list_events_sync (EmberStore    *self,
                              gint64         account_id,
                              gint64         from,
                              gint64         to,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(GPtrArray) events = NULL;
  CalendarRead data = { account_id, from, to, NULL };

  g_return_val_if_fail (EMBER_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  events = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_event_record_free);
  data.results = events;
  if (!ember_db_pool_with_reader (self->pool, list_events_cb, &data, cancellable, error))
    {
      g_prefix_error (error, _("Could not list events: "));
      return NULL;
    }

  return g_steal_pointer (&events);
}

/* Status */

static gboolean
read_counts (EmberDbConnection   *connection,
             gint64               account_id,
             EmberAccountCounts  *counts,
             GError             **error)
{
  sqlite3_stmt *stmt;
  gboolean has_row;

  stmt = ember_db_connection_prepare (connection,
                                      "SELECT (SELECT count(*) FROM messages WHERE account_id = ?1), "
                                      "  (SELECT count(*) FROM messages WHERE account_id = ?1 AND unread = 1), "
                                      "  (SELECT count(*) FROM folders WHERE account_id = ?1), "
                                      "  (SELECT count(*) FROM calendars WHERE account_id = ?1), "
                                      "  (SELECT count(*) FROM events WHERE account_id = ?1)",
                                      error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  if (!step_row (connection, stmt, &has_row, error))
    return FALSE;
  g_assert (has_row);
  counts->messages = sqlite3_column_int64 (stmt, 0);
  counts->unread = sqlite3_column_int64 (stmt, 1);
  counts->folders = sqlite3_column_int64 (stmt, 2);
  counts->calendars = sqlite3_column_int64 (stmt, 3);
  counts->events = sqlite3_column_int64 (stmt, 4);
  sqlite3_reset (stmt);

  return TRUE;
}

typedef struct
{
  gint64              account_id;
  EmberAccountCounts *counts;
} CountsRead;

static gboolean
get_counts_cb (EmberDbConnection  *connection,
               gpointer            user_data,
               GCancellable       *cancellable,
               GError            **error)
{
  CountsRead *data = user_data;

  return require_account (connection, data->account_id, error) &&
         read_counts (connection, data->account_id, data->counts, error);
}

gboolean
ember_store_get_account_counts_sync (EmberStore          *self,
                                     gint64               account_id,
                                     EmberAccountCounts  *counts,
                                     GCancellable        *cancellable,
                                     GError             **error)
{
  CountsRead data = { account_id, counts };

  g_return_val_if_fail (EMBER_IS_STORE (self), FALSE);
  g_return_val_if_fail (counts != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (counts, 0, sizeof *counts);
  return ember_db_pool_with_reader (self->pool, get_counts_cb, &data, cancellable, error);
}

static gboolean
list_account_status_cb (EmberDbConnection  *connection,
                        gpointer            user_data,
                        GCancellable       *cancellable,
                        GError            **error)
{
  GPtrArray *statuses = user_data;
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_account_record_free);

  if (!collect_accounts (connection, accounts, error))
    return FALSE;

  for (guint i = 0; i < accounts->len; i++)
    {
      EmberAccountStatus *status = g_new0 (EmberAccountStatus, 1);

      status->account = g_steal_pointer (&accounts->pdata[i]);
      status->sync_states = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_sync_state_free);
      g_ptr_array_add (statuses, status);

      if (!read_counts (connection, status->account->id, &status->counts, error) ||
          !collect_sync_states (connection, status->account->id, status->sync_states, error))
        return FALSE;
    }

  return TRUE;
}

GPtrArray *
ember_store_list_account_status_sync (EmberStore    *self,
                                      GCancellable  *cancellable,
                                      GError       **error)
{
  g_autoptr(GPtrArray) statuses = NULL;

  g_return_val_if_fail (EMBER_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  statuses = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_account_status_free);
  if (!ember_db_pool_with_reader (self->pool, list_account_status_cb, statuses, cancellable, error))
    return NULL;

  return g_steal_pointer (&statuses);
}

/* Main-thread wrappers */

typedef struct
{
  EmberMessageQuery   query;
  gint64              id;
  gint64              from;
  gint64              to;
  guint               limit;
  char               *text;
  EmberAccountRecord *account;
  GArray             *ids;
} TaskArgs;

static void
task_args_free (gpointer data)
{
  TaskArgs *args = data;

  g_free (args->text);
  g_clear_pointer (&args->account, ember_account_record_free);
  g_clear_pointer (&args->ids, g_array_unref);
  g_free (args);
}

static GTask *
start_task (EmberStore          *self,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data,
            TaskArgs           **args)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  *args = g_new0 (TaskArgs, 1);
  g_task_set_task_data (task, *args, task_args_free);

  return task;
}

/* Runs @thread on a task whose only argument is @id (0 for none). */
static void
run_task_with_id (EmberStore          *self,
                  gpointer             source_tag,
                  gint64               id,
                  GTaskThreadFunc      thread,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskArgs *args;

  task = start_task (self, source_tag, cancellable, callback, user_data, &args);
  args->id = id;
  g_task_run_in_thread (task, thread);
}

/* A NULL result means *@error is set. @error is a pointer so that it is
 * read after the call that sets it, whatever order arguments go in. */
static void
return_pointer (GTask           *task,
                gpointer         result,
                GDestroyNotify   result_free,
                GError         **error)
{
  if (result == NULL)
    g_task_return_error (task, g_steal_pointer (error));
  else
    g_task_return_pointer (task, result, result_free);
}

static void
return_array (GTask      *task,
              GPtrArray  *array,
              GError    **error)
{
  return_pointer (task, array, (GDestroyNotify) g_ptr_array_unref, error);
}

static void
return_boolean (GTask     *task,
                gboolean   ok,
                GError   **error)
{
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (error));
}

static gpointer
finish_pointer (EmberStore    *self,
                GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
finish_boolean (EmberStore    *self,
                GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
list_messages_thread (GTask        *task,
                      gpointer      source,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  TaskArgs *args = task_data;
  GError *error = NULL;

  return_array (task, ember_store_list_messages_sync (source, &args->query, cancellable, &error), &error);
}

void
ember_store_list_messages_async (EmberStore               *self,
                                 const EmberMessageQuery  *query,
                                 GCancellable             *cancellable,
                                 GAsyncReadyCallback       callback,
                                 gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskArgs *args;

  g_return_if_fail (EMBER_IS_STORE (self));
  g_return_if_fail (query != NULL);

  task = start_task (self, ember_store_list_messages_async, cancellable, callback, user_data, &args);
  args->query = *query;
  g_task_run_in_thread (task, list_messages_thread);
}

GPtrArray *
ember_store_list_messages_finish (EmberStore    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return finish_pointer (self, result, ember_store_list_messages_async, error);
}

static void
list_messages_by_id_thread (GTask        *task,
                            gpointer      source,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  TaskArgs *args = task_data;
  GError *error = NULL;

  return_array (task, ember_store_list_messages_by_id_sync (source, (const gint64 *) args->ids->data,
                                                           args->ids->len, cancellable, &error),
                &error);
}

void
ember_store_list_messages_by_id_async (EmberStore          *self,
                                       const gint64        *ids,
                                       guint                n_ids,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskArgs *args;

  g_return_if_fail (EMBER_IS_STORE (self));
  g_return_if_fail (ids != NULL || n_ids == 0);

  task = start_task (self, ember_store_list_messages_by_id_async, cancellable, callback, user_data, &args);
  args->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_ids);
  g_array_append_vals (args->ids, ids, n_ids);
  g_task_run_in_thread (task, list_messages_by_id_thread);
}

GPtrArray *
ember_store_list_messages_by_id_finish (EmberStore    *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  return finish_pointer (self, result, ember_store_list_messages_by_id_async, error);
}

static void
get_message_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  TaskArgs *args = task_data;
  GError *error = NULL;

  return_pointer (task, ember_store_get_message_sync (source, args->id, cancellable, &error),
                  (GDestroyNotify) ember_message_record_free, &error);
}

void
ember_store_get_message_async (EmberStore          *self,
                               gint64               message_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (EMBER_IS_STORE (self));

  run_task_with_id (self, ember_store_get_message_async, message_id, get_message_thread,
                    cancellable, callback, user_data);
}

EmberMessageRecord *
ember_store_get_message_finish (EmberStore    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return finish_pointer (self, result, ember_store_get_message_async, error);
}

static void
get_event_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  TaskArgs *args = task_data;
  GError *error = NULL;

  return_pointer (task, ember_store_get_event_sync (source, args->id, cancellable, &error),
                  (GDestroyNotify) ember_event_record_free, &error);
}

void
ember_store_get_event_async (EmberStore          *self,
                             gint64               event_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (EMBER_IS_STORE (self));

  run_task_with_id (self, ember_store_get_event_async, event_id, get_event_thread,
                    cancellable, callback, user_data);
}

EmberEventRecord *
ember_store_get_event_finish (EmberStore    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return finish_pointer (self, result, ember_store_get_event_async, error);
}

static void
search_messages_thread (GTask        *task,
                        gpointer      source,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  TaskArgs *args = task_data;
  GError *error = NULL;

  return_array (task,
                ember_store_search_messages_sync (source, args->text, args->id, args->limit, cancellable, &error),
                &error);
}

void
ember_store_search_messages_async (EmberStore          *self,
                                   const char          *text,
                                   gint64               account_id,
                                   guint                limit,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskArgs *args;

  g_return_if_fail (EMBER_IS_STORE (self));

  task = start_task (self, ember_store_search_messages_async, cancellable, callback, user_data, &args);
  args->text = g_strdup (text);
  args->id = account_id;
  args->limit = limit;
  g_task_run_in_thread (task, search_messages_thread);
}

GPtrArray *
ember_store_search_messages_finish (EmberStore    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return finish_pointer (self, result, ember_store_search_messages_async, error);
}

static void
list_folders_thread (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  TaskArgs *args = task_data;
  GError *error = NULL;

  return_array (task, ember_store_list_folders_sync (source, args->id, cancellable, &error), &error);
}

void
ember_store_list_folders_async (EmberStore          *self,
                                gint64               account_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (EMBER_IS_STORE (self));

  run_task_with_id (self, ember_store_list_folders_async, account_id, list_folders_thread,
                    cancellable, callback, user_data);
}

GPtrArray *
ember_store_list_folders_finish (EmberStore    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return finish_pointer (self, result, ember_store_list_folders_async, error);
}

static void
list_events_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  TaskArgs *args = task_data;
  GError *error = NULL;

  return_array (task,
                ember_store_list_events_sync (source, args->id, args->from, args->to, cancellable, &error),
                &error);
}

void
ember_store_list_events_async (EmberStore          *self,
                               gint64               account_id,
                               gint64               from,
                               gint64               to,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskArgs *args;

  g_return_if_fail (EMBER_IS_STORE (self));

  task = start_task (self, ember_store_list_events_async, cancellable, callback, user_data, &args);
  args->id = account_id;
  args->from = from;
  args->to = to;
  g_task_run_in_thread (task, list_events_thread);
}

GPtrArray *
ember_store_list_events_finish (EmberStore    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return finish_pointer (self, result, ember_store_list_events_async, error);
}

static void
list_accounts_thread (GTask        *task,
                      gpointer      source,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  GError *error = NULL;

  return_array (task, ember_store_list_accounts_sync (source, cancellable, &error), &error);
}

void
ember_store_list_accounts_async (EmberStore          *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (EMBER_IS_STORE (self));

  run_task_with_id (self, ember_store_list_accounts_async, 0, list_accounts_thread,
                    cancellable, callback, user_data);
}

GPtrArray *
ember_store_list_accounts_finish (EmberStore    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return finish_pointer (self, result, ember_store_list_accounts_async, error);
}

static void
list_account_status_thread (GTask        *task,
                            gpointer      source,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  GError *error = NULL;

  return_array (task, ember_store_list_account_status_sync (source, cancellable, &error), &error);
}

void
ember_store_list_account_status_async (EmberStore          *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (EMBER_IS_STORE (self));

  run_task_with_id (self, ember_store_list_account_status_async, 0, list_account_status_thread,
                    cancellable, callback, user_data);
}

GPtrArray *
ember_store_list_account_status_finish (EmberStore    *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  return finish_pointer (self, result, ember_store_list_account_status_async, error);
}

static void
add_account_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  TaskArgs *args = task_data;
  GError *error = NULL;
  gint64 id = ember_store_add_account_sync (source, args->account, cancellable, &error);

  if (id == 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, (gssize) id);
}

void
ember_store_add_account_async (EmberStore                *self,
                               const EmberAccountRecord  *account,
                               GCancellable              *cancellable,
                               GAsyncReadyCallback        callback,
                               gpointer                   user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskArgs *args;

  g_return_if_fail (EMBER_IS_STORE (self));
  g_return_if_fail (account != NULL);

  task = start_task (self, ember_store_add_account_async, cancellable, callback, user_data, &args);
  args->account = ember_account_record_copy (account);
  g_task_run_in_thread (task, add_account_thread);
}

gint64
ember_store_add_account_finish (EmberStore    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  gssize id;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ember_store_add_account_async, 0);

  id = g_task_propagate_int (G_TASK (result), error);

  return id < 0 ? 0 : (gint64) id;
}

static void
update_account_thread (GTask        *task,
                       gpointer      source,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  TaskArgs *args = task_data;
  GError *error = NULL;

  return_boolean (task, ember_store_update_account_sync (source, args->account, cancellable, &error),
                  &error);
}

void
ember_store_update_account_async (EmberStore                *self,
                                  const EmberAccountRecord  *account,
                                  GCancellable              *cancellable,
                                  GAsyncReadyCallback        callback,
                                  gpointer                   user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskArgs *args;

  g_return_if_fail (EMBER_IS_STORE (self));
  g_return_if_fail (account != NULL);

  task = start_task (self, ember_store_update_account_async, cancellable, callback, user_data, &args);
  args->account = ember_account_record_copy (account);
  g_task_run_in_thread (task, update_account_thread);
}

gboolean
ember_store_update_account_finish (EmberStore    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return finish_boolean (self, result, ember_store_update_account_async, error);
}

static void
remove_account_thread (GTask        *task,
                       gpointer      source,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  TaskArgs *args = task_data;
  GError *error = NULL;

  return_boolean (task, ember_store_remove_account_sync (source, args->id, cancellable, &error), &error);
}

void
ember_store_remove_account_async (EmberStore          *self,
                                  gint64               account_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (EMBER_IS_STORE (self));

  run_task_with_id (self, ember_store_remove_account_async, account_id, remove_account_thread,
                    cancellable, callback, user_data);
}

gboolean
ember_store_remove_account_finish (EmberStore    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return finish_boolean (self, result, ember_store_remove_account_async, error);
}

/* Local flags */

typedef struct
{
  gint64   message_id;
  gboolean unread;
} UnreadWrite;

static gboolean
set_message_unread_cb (EmberDbConnection  *connection,
                       gpointer            user_data,
                       GCancellable       *cancellable,
                       GError            **error)
{
  UnreadWrite *data = user_data;
  sqlite3_stmt *stmt;

  /* Folder unread counts are counted from this column, so they follow;
   * the search index ignores flag changes (see version-002.sql). */
  stmt = ember_db_connection_prepare (connection, "UPDATE messages SET unread = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, data->message_id);
  sqlite3_bind_int (stmt, 2, data->unread ? 1 : 0);
  if (!ember_db_connection_run (connection, stmt, error))
    return FALSE;

  if (sqlite3_changes (ember_db_connection_get_handle (connection)) == 0)
    {
      g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND,
                   _("There is no message with id %" G_GINT64_FORMAT), data->message_id);
      return FALSE;
    }

  return TRUE;
}

gboolean
ember_store_set_message_unread_sync (EmberStore    *self,
                                     gint64         message_id,
                                     gboolean       unread,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  UnreadWrite data = { message_id, !!unread };

  g_return_val_if_fail (EMBER_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ember_db_pool_write_sync (self->pool, set_message_unread_cb, &data, cancellable, error))
    {
      g_prefix_error (error, _("Could not change the message: "));
      return FALSE;
    }

  return TRUE;
}

static void
set_message_unread_thread (GTask        *task,
                           gpointer      source,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  TaskArgs *args = task_data;
  GError *error = NULL;

  /* args->limit carries the flag. */
  return_boolean (task,
                  ember_store_set_message_unread_sync (source, args->id, args->limit != 0, cancellable, &error),
                  &error);
}

void
ember_store_set_message_unread_async (EmberStore          *self,
                                      gint64               message_id,
                                      gboolean             unread,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TaskArgs *args;

  g_return_if_fail (EMBER_IS_STORE (self));

  task = start_task (self, ember_store_set_message_unread_async, cancellable, callback, user_data, &args);
  args->id = message_id;
  args->limit = unread ? 1 : 0;
  g_task_run_in_thread (task, set_message_unread_thread);
}

gboolean
ember_store_set_message_unread_finish (EmberStore    *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  return finish_boolean (self, result, ember_store_set_message_unread_async, error);
}

/* Opening */

char *
ember_store_get_default_data_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "ember", NULL);
}

static gboolean
ember_store_initable_init (GInitable     *initable,
                           GCancellable  *cancellable,
                           GError       **error)
{
  EmberStore *self = EMBER_STORE (initable);

  if (self->pool == NULL)
    {
      g_autofree char *path = NULL;

      if (self->data_dir == NULL)
        self->data_dir = ember_store_get_default_data_dir ();
      path = g_build_filename (self->data_dir, EMBER_STORE_DB_FILE_NAME, NULL);

      self->pool = g_initable_new (EMBER_TYPE_DB_POOL, cancellable, error,
                                   "path", path,
                                   "clock", self->clock,
                                   "check-integrity", self->check_integrity,
                                   NULL);
      if (self->pool == NULL)
        return FALSE;
    }

  return ember_store_schema_migrate_sync (self->pool, 0, cancellable, error);
}

static void
ember_store_initable_iface_init (GInitableIface *iface)
{
  iface->init = ember_store_initable_init;
}

static void
ember_store_finalize (GObject *object)
{
  EmberStore *self = (EmberStore *)object;

  g_clear_pointer (&self->data_dir, g_free);
  g_clear_object (&self->pool);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (ember_store_parent_class)->finalize (object);
}

static void
ember_store_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EmberStore *self = EMBER_STORE (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;
    case PROP_POOL:
      g_value_set_object (value, self->pool);
      break;
    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;
    case PROP_CHECK_INTEGRITY:
      g_value_set_boolean (value, self->check_integrity);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_store_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  EmberStore *self = EMBER_STORE (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      self->data_dir = g_value_dup_string (value);
      break;
    case PROP_POOL:
      g_set_object (&self->pool, g_value_get_object (value));
      break;
    case PROP_CLOCK:
      g_set_object (&self->clock, g_value_get_object (value));
      break;
    case PROP_CHECK_INTEGRITY:
      self->check_integrity = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_store_constructed (GObject *object)
{
  EmberStore *self = (EmberStore *)object;

  G_OBJECT_CLASS (ember_store_parent_class)->constructed (object);

  if (self->clock == NULL)
    self->clock = g_object_ref (ember_clock_get_default ());
}

static void
ember_store_class_init (EmberStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ember_store_constructed;
  object_class->finalize = ember_store_finalize;
  object_class->get_property = ember_store_get_property;
  object_class->set_property = ember_store_set_property;

  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POOL] =
    g_param_spec_object ("pool", NULL, NULL,
                         EMBER_TYPE_DB_POOL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL,
                         EMBER_TYPE_CLOCK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /* PRAGMA quick_check when opening (see EmberDbPool:check-integrity): it
   * reads the whole file, about 0.5 s per 100,000 messages; short-lived
   * read-only commands may skip it. */
  properties[PROP_CHECK_INTEGRITY] =
    g_param_spec_boolean ("check-integrity", NULL, NULL,
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ember_store_init (EmberStore *self)
{
  self->check_integrity = TRUE;
}

/**
 * ember_store_new_sync:
 * @data_dir: (nullable): the folder of ember.db, or %NULL for the default
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the open store, or %NULL with @error set
 */
EmberStore *
ember_store_new_sync (const char    *data_dir,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (EMBER_TYPE_STORE, cancellable, error,
                         "data-dir", data_dir,
                         NULL);
}

static void
new_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  GError *error = NULL;

  return_pointer (task, ember_store_new_sync (task_data, cancellable, &error), g_object_unref, &error);
}

void
ember_store_new_async (const char          *data_dir,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ember_store_new_async);
  g_task_set_task_data (task, g_strdup (data_dir), g_free);
  g_task_run_in_thread (task, new_thread);
}

EmberStore *
ember_store_new_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ember_store_new_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

EmberDbPool *
ember_store_get_pool (EmberStore *self)
{
  g_return_val_if_fail (EMBER_IS_STORE (self), NULL);

  return self->pool;
}

const char *
ember_store_get_path (EmberStore *self)
{
  g_return_val_if_fail (EMBER_IS_STORE (self), NULL);

  return ember_db_pool_get_path (self->pool);
}
