/* store-test-helpers.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>
#include <stdarg.h>

#include "ember-test-utils.h"
#include "store-test-helpers.h"

char *
store_test_make_dir (const char *name)
{
  static guint counter;
  g_autofree char *unique = g_strdup_printf ("%s-%u", name, g_atomic_int_add (&counter, 1));
  char *dir = g_build_filename (ember_test_get_tmpdir (), unique, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

EmberStore *
store_test_open (const char *name,
                 EmberClock *clock)
{
  g_autofree char *dir = store_test_make_dir (name);
  g_autoptr(GError) error = NULL;
  EmberStore *store;

  store = g_initable_new (EMBER_TYPE_STORE, NULL, &error,
                          "data-dir", dir,
                          "clock", clock,
                          NULL);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  return store;
}

gint64
store_test_add_account (EmberStore *store,
                        const char *provider,
                        const char *email)
{
  g_autoptr(EmberAccountRecord) account = ember_account_record_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  account->provider = g_strdup (provider);
  account->email = g_strdup (email);
  account->display_name = g_strdup (email);
  id = ember_store_add_account_sync (store, account, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  return id;
}

EmberMessageRecord *
store_test_message (const char *provider_id,
                    gint64      date,
                    const char *subject,
                    const char *folder_id)
{
  EmberMessageRecord *message = ember_message_record_new ();

  message->provider_id = g_strdup (provider_id);
  message->thread_id = g_strdup_printf ("thread-%s", provider_id);
  message->internet_message_id = g_strdup_printf ("<%s@example.com>", provider_id);
  message->subject = g_strdup (subject);
  message->from_name = g_strdup ("Ann Sender");
  message->from_address = g_strdup ("ann@example.com");
  message->to = g_strdup ("Bob <bob@example.com>");
  message->date = date;
  message->snippet = g_strdup_printf ("snippet of %s", provider_id);
  message->unread = TRUE;
  message->size = 1000;
  message->body_text = g_strdup_printf ("Body of %s: %s", provider_id, subject);
  message->body_html = g_strdup_printf ("<p>%s</p>", subject);
  if (folder_id != NULL)
    ember_message_record_add_folder_id (message, folder_id);

  return message;
}

EmberFolderRecord *
store_test_folder (const char      *provider_id,
                   const char      *name,
                   EmberFolderKind  kind)
{
  EmberFolderRecord *folder = ember_folder_record_new ();

  folder->provider_id = g_strdup (provider_id);
  folder->name = g_strdup (name);
  folder->kind = kind;

  return folder;
}

void
store_test_save_folders (EmberStore *store,
                         gint64      account_id,
                         ...)
{
  g_autoptr(EmberFolderPage) page = ember_folder_page_new ("folders");
  g_autoptr(GError) error = NULL;
  EmberFolderRecord *folder;
  va_list args;

  va_start (args, account_id);
  while ((folder = va_arg (args, EmberFolderRecord *)) != NULL)
    g_ptr_array_add (page->folders, folder);
  va_end (args);
  page->complete = TRUE;

  ember_store_save_folder_page_sync (store, account_id, page, NULL, &error);
  g_assert_no_error (error);
}

static sqlite3 *
open_raw (const char *db_path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  return db;
}

gint64
store_test_query_int (const char *db_path,
                      const char *sql)
{
  sqlite3 *db = open_raw (db_path);
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return value;
}

char *
store_test_query_text (const char *db_path,
                       const char *sql)
{
  sqlite3 *db = open_raw (db_path);
  sqlite3_stmt *stmt = NULL;
  char *value;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return value;
}
