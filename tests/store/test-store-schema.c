/* test-store-schema.c: schema versions and migrations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>

#include "ember-error.h"
#include "ember-store-schema.h"
#include "ember-test-utils.h"
#include "store-test-helpers.h"

static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static gboolean
table_exists (const char *path,
              const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sqlite_schema WHERE name = '%s'", table);

  return store_test_query_int (path, sql) == 1;
}

static void
test_fresh_database_is_latest (void)
{
  g_autoptr(EmberStore) store = store_test_open ("fresh", NULL);
  const char *path = ember_store_get_path (store);
  static const char * const tables[] = {
    "accounts", "folders", "messages", "message_folders", "calendars", "events",
    "sync_state", "message_search",
  };
  g_autofree char *account_columns = NULL;

  g_assert_cmpuint (ember_store_schema_get_latest_version (), >=, 3);
  g_assert_cmpint (store_test_query_int (path, "PRAGMA user_version"), ==,
                   ember_store_schema_get_latest_version ());

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    g_assert_true (table_exists (path, tables[i]));

  /* Tokens live in the keyring, never here. */
  account_columns = store_test_query_text (path, "SELECT group_concat (name, ',') FROM pragma_table_info ('accounts')");
  g_assert_cmpstr (account_columns, ==,
                   "id,provider,email,display_name,api_base,auth_base,client_id,mail_enabled,calendar_enabled,created");
}

/* Every script in the source tree is in the GResource, numbered without
 * gaps: forgetting to list one in the .gresource.xml fails here. */
static void
test_scripts_match_source_tree (void)
{
  g_autofree char *sql_dir = g_test_build_filename (G_TEST_DIST, "..", "src", "store", "sql", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  guint n_scripts = 0;

  dir = g_dir_open (sql_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      guint number;
      char tail[8] = { 0 };

      if (!g_str_has_suffix (name, ".sql"))
        continue;
      g_assert_cmpint (sscanf (name, "version-%3u.%3s", &number, tail), ==, 2);
      g_assert_cmpstr (tail, ==, "sql");
      g_assert_cmpuint (number, >=, 1);
      g_assert_cmpuint (number, <=, ember_store_schema_get_latest_version ());
      n_scripts++;
    }

  g_assert_cmpuint (n_scripts, ==, ember_store_schema_get_latest_version ());
}

static gboolean
exec_cb (EmberDbConnection  *connection,
         gpointer            user_data,
         GCancellable       *cancellable,
         GError            **error)
{
  return ember_db_connection_exec (connection, user_data, error);
}

/* Rows as an Ember of schema version 1 wrote them. */
static const char legacy_rows[] =
  "INSERT INTO accounts (id, provider, email, created) VALUES (7, 'gmail', 'old@example.com', 1700000000);"
  "INSERT INTO folders (id, account_id, provider_id, name, kind) VALUES (70, 7, 'INBOX', 'Inbox', 'inbox');"
  "INSERT INTO messages (id, account_id, provider_id, subject, from_address, date, unread, body_text) "
  "  VALUES (700, 7, 'legacy-1', 'Quarterly zeppelin report', 'ann@example.com', 1700000100, 1, 'Airships');"
  "INSERT INTO messages (id, account_id, provider_id, subject, from_address, date, unread, body_text) "
  "  VALUES (701, 7, 'legacy-2', 'Older note', 'ann@example.com', 1700000000, 0, 'Nothing');"
  "INSERT INTO message_folders (message_id, folder_id) VALUES (700, 70), (701, 70);"
  "INSERT INTO sync_state (account_id, resource, cursor, phase, updated) "
  "  VALUES (7, 'mail', 'history:99', 'incremental', 1700000200);"
  "INSERT INTO calendars (id, account_id, provider_id, name) VALUES (71, 7, 'primary', 'Me');"
  "INSERT INTO events (account_id, calendar_id, provider_id, summary, start_utc, end_utc) "
  "  VALUES (7, 71, 'standup', 'Standup', 1700003600, 1700004500);"
  "INSERT INTO sync_state (account_id, resource, cursor, phase, updated) "
  "  VALUES (7, 'calendar:primary', 'sync-token-5', 'incremental', 1700000200);";

/* From version 3 on, the store copies the date into each membership. */
static const char legacy_dates[] =
  "UPDATE message_folders SET date = (SELECT date FROM messages WHERE id = message_id);";

static void
check_upgrade_from (guint from_version)
{
  g_autofree char *name = g_strdup_printf ("upgrade-%u", from_version);
  g_autofree char *dir = store_test_make_dir (name);
  g_autofree char *path = g_build_filename (dir, "ember.db", NULL);
  g_autoptr(EmberDbPool) pool = NULL;
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(EmberSyncState) state = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *integrity = NULL;
  EmberMessageQuery query = { EMBER_MESSAGE_SCOPE_FOLDER, 0, 70, { 0, 0 }, 10 };
  guint version = G_MAXUINT;

  /* A database as an older Ember left it: only the first scripts. */
  pool = ember_db_pool_new_sync (path, NULL, &error);
  g_assert_no_error (error);
  if (from_version > 0)
    {
      ember_store_schema_migrate_sync (pool, from_version, NULL, &error);
      g_assert_no_error (error);
      ember_db_pool_write_sync (pool, exec_cb, (gpointer) legacy_rows, NULL, &error);
      g_assert_no_error (error);
      if (from_version >= 3)
        {
          ember_db_pool_write_sync (pool, exec_cb, (gpointer) legacy_dates, NULL, &error);
          g_assert_no_error (error);
        }
    }
  ember_store_schema_get_version_sync (pool, &version, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (version, ==, from_version);
  /* Later versions' objects are not there yet (each script is whole). */
  if (from_version < 2)
    g_assert_false (table_exists (path, "message_search"));
  g_clear_object (&pool);

  store = g_initable_new (EMBER_TYPE_STORE, NULL, &error, "data-dir", dir, NULL);
  g_assert_no_error (error);
  g_assert_cmpint (store_test_query_int (path, "PRAGMA user_version"), ==,
                   ember_store_schema_get_latest_version ());
  integrity = store_test_query_text (path, "PRAGMA integrity_check");
  g_assert_cmpstr (integrity, ==, "ok");

  if (from_version == 0)
    return;

  /* The old rows survive, are searchable (index built by version 2) and
   * page in date order within their folder (date copied by version 3). */
  found = ember_store_search_messages_sync (store, "zeppelin", 0, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (((EmberMessageRecord *) found->pdata[0])->provider_id, ==, "legacy-1");

  page = ember_store_list_messages_sync (store, &query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_cmpstr (((EmberMessageRecord *) page->pdata[0])->provider_id, ==, "legacy-1");
  g_assert_cmpstr (((EmberMessageRecord *) page->pdata[1])->provider_id, ==, "legacy-2");

  state = ember_store_get_sync_state_sync (store, 7, "mail", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state->cursor, ==, "history:99");
  g_assert_cmpstr (state->phase, ==, "incremental");
  g_clear_pointer (&state, ember_sync_state_free);

  /* Events stored before version 4 have no reminders: their calendars
   * sync again from scratch to bring them in; until then, none. */
  state = ember_store_get_sync_state_sync (store, 7, "calendar:primary", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (state->cursor);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = ember_store_list_events_sync (store, 7, 1700000000, 1700010000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_false (((EmberEventRecord *) events->pdata[0])->has_reminder);

  /* FTS and the index are consistent after the upgrade. */
  raw_exec (path, "INSERT INTO message_search (message_search) VALUES ('integrity-check')");
}

static void
test_upgrade_from_every_version (void)
{
  for (guint version = 0; version < ember_store_schema_get_latest_version (); version++)
    check_upgrade_from (version);
}

static void
test_refuses_newer_schema (void)
{
  g_autofree char *dir = store_test_make_dir ("newer");
  g_autofree char *path = g_build_filename (dir, "ember.db", NULL);
  g_autofree char *set_version = NULL;
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(GError) error = NULL;
  guint future = ember_store_schema_get_latest_version () + 1;

  store = ember_store_new_sync (dir, NULL, &error);
  g_assert_no_error (error);
  store_test_add_account (store, "gmail", "me@example.com");
  g_clear_object (&store);

  set_version = g_strdup_printf ("PRAGMA user_version = %u", future);
  raw_exec (path, set_version);

  store = ember_store_new_sync (dir, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_SCHEMA_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "newer version of Ember"));
  g_assert_nonnull (strstr (error->message, path));

  /* Left alone. */
  g_assert_cmpint (store_test_query_int (path, "PRAGMA user_version"), ==, future);
  g_assert_cmpint (store_test_query_int (path, "SELECT count(*) FROM accounts"), ==, 1);
}

static void
test_refuses_foreign_tables (void)
{
  g_autofree char *dir = store_test_make_dir ("foreign");
  g_autofree char *path = g_build_filename (dir, "ember.db", NULL);
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(GError) error = NULL;

  raw_exec (path, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me')");

  store = ember_store_new_sync (dir, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_MIGRATION);
  g_assert_cmpint (store_test_query_int (path, "SELECT count(*) FROM notes"), ==, 1);
  g_assert_false (table_exists (path, "accounts"));
}

typedef struct
{
  const char *dir;
  GError     *error;
} Opener;

static gpointer
open_thread (gpointer data)
{
  Opener *opener = data;
  EmberStore *store = ember_store_new_sync (opener->dir, NULL, &opener->error);

  g_clear_object (&store);
  return NULL;
}

/* Two openers of one new file: the version is read inside the write
 * transaction, so no script is applied twice. */
static void
test_concurrent_first_open (void)
{
  g_autofree char *dir = store_test_make_dir ("concurrent");
  g_autofree char *path = g_build_filename (dir, "ember.db", NULL);
  Opener openers[3];
  GThread *threads[3];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      openers[i].dir = dir;
      openers[i].error = NULL;
      threads[i] = g_thread_new ("opener", open_thread, &openers[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_thread_join (threads[i]);
      g_assert_no_error (openers[i].error);
    }

  g_assert_cmpint (store_test_query_int (path, "PRAGMA user_version"), ==,
                   ember_store_schema_get_latest_version ());
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/store/schema/fresh-database-is-latest", test_fresh_database_is_latest);
  g_test_add_func ("/ember/store/schema/scripts-match-source-tree", test_scripts_match_source_tree);
  g_test_add_func ("/ember/store/schema/upgrade-from-every-version", test_upgrade_from_every_version);
  g_test_add_func ("/ember/store/schema/refuses-newer-schema", test_refuses_newer_schema);
  g_test_add_func ("/ember/store/schema/refuses-foreign-tables", test_refuses_foreign_tables);
  g_test_add_func ("/ember/store/schema/concurrent-first-open", test_concurrent_first_open);

  return g_test_run ();
}
