/* test-store-failures.c: full disk, damaged files, unwritable folders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ember-error.h"
#include "ember-fake-clock.h"
#include "ember-test-utils.h"
#include "store-test-helpers.h"

static gboolean
limit_pages_cb (EmberDbConnection  *connection,
                gpointer            user_data,
                GCancellable       *cancellable,
                GError            **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  gint64 page_count;

  stmt = ember_db_connection_prepare (connection, "PRAGMA page_count", error);
  if (stmt == NULL || ember_db_connection_step (connection, stmt, error) != SQLITE_ROW)
    return FALSE;
  page_count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  /* The writer may grow the file by @user_data pages at most: a disk that
   * fills up, for this connection only. */
  sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                         page_count + GPOINTER_TO_INT (user_data));
  return ember_db_connection_exec (connection, sql, error);
}

static EmberMessagePage *
big_page (guint        first,
          guint        n,
          const char  *cursor)
{
  EmberMessagePage *page = ember_message_page_new ("mail");

  for (guint i = first; i < first + n; i++)
    {
      g_autofree char *id = g_strdup_printf ("m%05u", i);
      EmberMessageRecord *message = store_test_message (id, TEST_EPOCH + i, "A long message", "INBOX");
      GString *body = g_string_new (NULL);

      for (guint j = 0; j < 200; j++)
        g_string_append_printf (body, "word%u-%u ", i, j);
      g_free (message->body_text);
      message->body_text = g_string_free (body, FALSE);
      g_ptr_array_add (page->messages, message);
    }
  page->cursor = g_strdup (cursor);

  return page;
}

static void
test_disk_full_rolls_back_page (void)
{
  g_autoptr(EmberStore) store = store_test_open ("disk-full", NULL);
  g_autoptr(EmberMessagePage) first = big_page (0, 10, "page:1");
  g_autoptr(EmberMessagePage) second = big_page (10, 200, "page:2");
  g_autoptr(EmberSyncState) state = NULL;
  g_autoptr(GError) error = NULL;
  const char *path = ember_store_get_path (store);
  gint64 account = store_test_add_account (store, "gmail", "me@gmail.com");
  EmberDbPool *pool = ember_store_get_pool (store);

  ember_store_save_message_page_sync (store, account, first, NULL, &error);
  g_assert_no_error (error);

  ember_db_pool_write_sync (pool, limit_pages_cb, GINT_TO_POINTER (20), NULL, &error);
  g_assert_no_error (error);

  g_assert_false (ember_store_save_message_page_sync (store, account, second, NULL, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_DISK_FULL);
  g_assert_nonnull (strstr (error->message, "disk is full"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* Nothing of the page, and the cursor still at the first one. */
  state = ember_store_get_sync_state_sync (store, account, "mail", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state->cursor, ==, "page:1");
  g_assert_cmpint (store_test_query_int (path, "SELECT count(*) FROM messages"), ==, 10);
  g_clear_pointer (&state, ember_sync_state_free);

  /* Space again: the same page goes in whole. */
  ember_db_pool_write_sync (pool, limit_pages_cb, GINT_TO_POINTER (1000000), NULL, &error);
  g_assert_no_error (error);
  ember_store_save_message_page_sync (store, account, second, NULL, &error);
  g_assert_no_error (error);
  state = ember_store_get_sync_state_sync (store, account, "mail", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (state->cursor, ==, "page:2");
  g_assert_cmpint (store_test_query_int (path, "SELECT count(*) FROM messages"), ==, 210);
}

/* A progress handler that interrupts the statement running at its @at-th
 * call, once: one look at a cancellable that found it cancelled. Like the
 * store's own, it leaves COMMIT alone. */
typedef struct
{
  guint    calls;
  guint    at;
  gboolean committing;
} InterruptAt;

static int
interrupt_once_cb (void *data)
{
  InterruptAt *interrupt = data;

  return !interrupt->committing && ++interrupt->calls == interrupt->at;
}

static int
trace_commit_cb (unsigned  type,
                 void     *data,
                 void     *stmt,
                 void     *sql)
{
  InterruptAt *interrupt = data;

  if (g_strcmp0 (sql, "COMMIT") == 0)
    interrupt->committing = TRUE;
  else if (g_str_has_prefix (sql, "BEGIN"))
    interrupt->committing = FALSE;

  return 0;
}

static gboolean
install_interrupt_cb (EmberDbConnection  *connection,
                      gpointer            user_data,
                      GCancellable       *cancellable,
                      GError            **error)
{
  sqlite3 *db = ember_db_connection_get_handle (connection);

  /* On the pool's one writer, which every later write uses; every VM
   * step is a possible interruption point. */
  sqlite3_progress_handler (db, 1, interrupt_once_cb, user_data);
  sqlite3_trace_v2 (db, SQLITE_TRACE_STMT, trace_commit_cb, user_data);
  return TRUE;
}

/* What a message page can change in an account (?1), in one line; run on
 * a connection of the test's own. */
#define SNAPSHOT_SQL \
  "SELECT 'cursor “' || coalesce ((SELECT cursor FROM sync_state " \
  "  WHERE account_id = ?1 AND resource = 'mail'), '') || '”; messages ' || " \
  "coalesce ((SELECT group_concat (id, ' ') FROM " \
  "  (SELECT provider_id || (CASE unread WHEN 1 THEN '*' ELSE '' END) AS id FROM messages " \
  "   WHERE account_id = ?1 ORDER BY provider_id)), '') || '; in folders ' || " \
  "coalesce ((SELECT group_concat (m || ':' || f, ' ') FROM " \
  "  (SELECT m.provider_id AS m, f.provider_id AS f FROM message_folders mf " \
  "   JOIN messages m ON m.id = mf.message_id JOIN folders f ON f.id = mf.folder_id " \
  "   WHERE m.account_id = ?1 ORDER BY m, f)), '')"

static char *
account_snapshot (sqlite3_stmt *snapshot,
                  gint64        account)
{
  char *text;

  sqlite3_bind_int64 (snapshot, 1, account);
  g_assert_cmpint (sqlite3_step (snapshot), ==, SQLITE_ROW);
  text = g_strdup ((const char *) sqlite3_column_text (snapshot, 0));
  sqlite3_reset (snapshot);

  return text;
}

/* An account with two labels and three stored messages, and the next page
 * for it: new messages in a known and a not yet known label, a stored one
 * relabelled and marked read, one deleted, one gaining a label. */
static gint64
interrupt_test_account (EmberStore        *store,
                        guint              n,
                        EmberMessagePage **out_next)
{
  g_autoptr(EmberMessagePage) first = ember_message_page_new ("mail");
  g_autoptr(EmberMessagePage) next = ember_message_page_new ("mail");
  g_autoptr(EmberFolderChange) change = ember_folder_change_new ("m3", EMBER_FOLDER_CHANGE_ADD);
  g_autoptr(GError) error = NULL;
  g_autofree char *email = g_strdup_printf ("me%u@gmail.com", n);
  EmberMessageRecord *relabelled;
  gint64 account = store_test_add_account (store, "gmail", email);

  store_test_save_folders (store, account,
                           store_test_folder ("INBOX", "Inbox", EMBER_FOLDER_KIND_INBOX),
                           store_test_folder ("Label_1", "Work", EMBER_FOLDER_KIND_LABEL),
                           NULL);
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("m%u", i);

      g_ptr_array_add (first->messages, store_test_message (id, TEST_EPOCH + i, "Stored", "INBOX"));
    }
  first->cursor = g_strdup ("page:1");
  ember_store_save_message_page_sync (store, account, first, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 4; i <= 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("m%u", i);
      EmberMessageRecord *message = store_test_message (id, TEST_EPOCH + i, "New", "INBOX");

      ember_message_record_add_folder_id (message, i % 2 == 0 ? "Label_1" : "Label_new");
      g_ptr_array_add (next->messages, message);
    }
  relabelled = store_test_message ("m1", TEST_EPOCH + 1, "Stored", "Label_1");
  relabelled->unread = FALSE;
  g_ptr_array_add (next->messages, relabelled);
  g_ptr_array_add (next->deleted_ids, g_strdup ("m2"));
  g_ptr_array_add (change->folder_ids, g_strdup ("Label_1"));
  g_ptr_array_add (next->folder_changes, g_steal_pointer (&change));
  next->cursor = g_strdup ("page:2");

  *out_next = g_steal_pointer (&next);
  return account;
}

/* A sync page interrupted anywhere (the cancellable is looked at every
 * few thousand VM steps, in FTS5's nested statements too) must either
 * leave the store as it was and say it was cancelled, or be stored whole;
 * the sync then resumes from the old cursor. An interrupt in the FTS flush
 * that ends an INSERT … RETURNING once went unseen: SQLite had rolled the
 * transaction back, the rest of the page ran in autocommit mode and failed
 * with "FOREIGN KEY constraint failed" (or committed half a page). */
static void
test_interrupted_page_rolls_back_whole (void)
{
  g_autoptr(EmberStore) store = store_test_open ("interrupted-page", NULL);
  g_autoptr(EmberMessagePage) next = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  const char *path = ember_store_get_path (store);
  const char *applied = "cursor “page:2”; messages m1 m3* m4* m5*; "
                        "in folders m1:Label_1 m3:INBOX m3:Label_1 m4:INBOX m4:Label_1 m5:INBOX m5:Label_new";
  sqlite3 *db = NULL;
  sqlite3_stmt *snapshot = NULL;
  InterruptAt interrupt = { 0, 0, FALSE };
  guint n_accounts = 0;
  guint n_interrupted = 0;
  gint64 account;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, SNAPSHOT_SQL, -1, &snapshot, NULL), ==, SQLITE_OK);
  ember_db_pool_write_sync (ember_store_get_pool (store), install_interrupt_cb, &interrupt, NULL, &error);
  g_assert_no_error (error);
  account = interrupt_test_account (store, n_accounts++, &next);
  before = account_snapshot (snapshot, account);

  for (interrupt.at = 1;; interrupt.at++)
    {
      g_autofree char *now = NULL;
      gboolean saved;
      guint at = interrupt.at;

      interrupt.calls = 0;
      saved = ember_store_save_message_page_sync (store, account, next, NULL, &error);
      now = account_snapshot (snapshot, account);
      if (!saved)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_clear_error (&error);
          if (g_strcmp0 (now, before) != 0)
            g_error ("interrupted at progress call %u of a page save, the store went from “%s” to “%s”",
                     at, before, now);
          n_interrupted++;
          continue;
        }

      g_assert_cmpstr (now, ==, applied);
      if (interrupt.calls < at)
        break;

      /* The interrupt hit a read whose error SQLite or FTS5 dealt with:
       * the next point is tried on a fresh account. */
      interrupt.at = 0;
      g_clear_pointer (&next, ember_message_page_free);
      account = interrupt_test_account (store, n_accounts++, &next);
      g_free (before);
      before = account_snapshot (snapshot, account);
      interrupt.at = at;
    }

  g_test_message ("a page save was interrupted at each of its %u progress calls: %u rolled back whole, "
                  "the others stored it whole", interrupt.at - 1, n_interrupted);
  /* The interruptions cover the whole page, not just BEGIN. */
  g_assert_cmpuint (n_interrupted, >, 100);
  g_assert_cmpint (store_test_query_int (path, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  sqlite3_finalize (snapshot);
  sqlite3_close (db);
}

static char *
find_moved (const char *dir,
            const char *prefix,
            guint      *n_found)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  char *last = NULL;

  *n_found = 0;
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, prefix) && !g_str_has_suffix (name, "-wal") && !g_str_has_suffix (name, "-shm"))
      {
        g_free (last);
        last = g_build_filename (dir, name, NULL);
        (*n_found)++;
      }

  return last;
}

static void
test_foreign_file_is_moved_aside (void)
{
  g_autofree char *dir = store_test_make_dir ("foreign-file");
  g_autofree char *path = g_build_filename (dir, "ember.db", NULL);
  g_autofree char *moved = NULL;
  g_autofree char *moved_contents = NULL;
  g_autofree char *second_moved = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *moved_wal = NULL;
  g_autofree char *moved_wal_contents = NULL;
  g_autoptr(EmberFakeClock) clock = ember_fake_clock_new (TEST_EPOCH * G_USEC_PER_SEC);
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *garbage = "This is somebody's notes file, not a database.\n";
  guint n_moved;

  g_file_set_contents (path, garbage, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (wal, "its wal", -1, &error);
  g_assert_no_error (error);

  store = g_initable_new (EMBER_TYPE_STORE, NULL, &error, "data-dir", dir, "clock", clock, NULL);
  g_assert_null (store);
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_CORRUPT);
  g_test_message ("%s", error->message);

  /* Moved to a name that says when, and the message says where. */
  moved = g_strconcat (path, ".corrupt-20260101T000000Z", NULL);
  g_assert_nonnull (strstr (error->message, moved));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_file_get_contents (moved, &moved_contents, NULL, NULL);
  g_assert_cmpstr (moved_contents, ==, garbage);
  g_clear_error (&error);
  /* Its WAL went with it: left here it would be replayed into the new
   * database. */
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  moved_wal = g_strconcat (moved, "-wal", NULL);
  g_file_get_contents (moved_wal, &moved_wal_contents, NULL, NULL);
  g_assert_cmpstr (moved_wal_contents, ==, "its wal");

  /* The same again within the same second: never over the first one. */
  g_file_set_contents (path, "second bad file", -1, NULL);
  store = g_initable_new (EMBER_TYPE_STORE, NULL, &error, "data-dir", dir, "clock", clock, NULL);
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_CORRUPT);
  g_clear_error (&error);
  g_clear_pointer (&moved_contents, g_free);
  g_file_get_contents (moved, &moved_contents, NULL, NULL);
  g_assert_cmpstr (moved_contents, ==, garbage);
  second_moved = find_moved (dir, "ember.db.corrupt-", &n_moved);
  g_assert_cmpuint (n_moved, ==, 2);

  /* The next open starts afresh. */
  store = g_initable_new (EMBER_TYPE_STORE, NULL, &error, "data-dir", dir, "clock", clock, NULL);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  store_test_add_account (store, "gmail", "me@gmail.com");
}

static void
test_damaged_database_is_moved_aside (void)
{
  g_autofree char *dir = store_test_make_dir ("damaged");
  g_autofree char *path = g_build_filename (dir, "ember.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *moved = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(GError) error = NULL;
  gsize length;
  gint64 account;
  guint n_moved;

  store = ember_store_new_sync (dir, NULL, &error);
  g_assert_no_error (error);
  account = store_test_add_account (store, "gmail", "me@gmail.com");
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *id = g_strdup_printf ("m%u", i);

      g_ptr_array_add (page->messages, store_test_message (id, TEST_EPOCH + i, "Some mail", "INBOX"));
    }
  ember_store_save_message_page_sync (store, account, page, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));

  /* Keep the header, scribble over the pages after it. */
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 8 * 4096);
  for (gsize i = 4096; i < length; i++)
    contents[i] = (char) (i * 7 + 13);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  /* A WAL left beside it must go with it, not into the new database. */
  g_file_set_contents (wal, "stale wal", -1, &error);
  g_assert_no_error (error);

  store = ember_store_new_sync (dir, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_CORRUPT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  moved = find_moved (dir, "ember.db.corrupt-", &n_moved);
  g_assert_cmpuint (n_moved, ==, 1);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  /* SQLite saw this one and dropped the invalid WAL itself; either way
   * none is left to be replayed into the new database. */
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));

  store = ember_store_new_sync (dir, NULL, &error);
  g_assert_no_error (error);
}

/* Damage deep in the file, past the schema: only PRAGMA quick_check sees
 * it at open. */
static void
test_deep_damage_found_by_quick_check (void)
{
  g_autofree char *dir = store_test_make_dir ("deep-damage");
  g_autofree char *path = g_build_filename (dir, "ember.db", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(EmberMessagePage) page = big_page (0, 300, "page:1");
  g_autoptr(GError) error = NULL;
  gsize length;
  gint64 account;
  guint n_moved;

  store = ember_store_new_sync (dir, NULL, &error);
  g_assert_no_error (error);
  account = store_test_add_account (store, "gmail", "me@gmail.com");
  ember_store_save_message_page_sync (store, account, page, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 100 * 4096);
  for (gsize i = length - 20 * 4096; i < length; i++)
    contents[i] = (char) (i * 31 + 7);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);

  /* Without the check, it opens: the schema is intact. */
  store = g_initable_new (EMBER_TYPE_STORE, NULL, &error, "data-dir", dir, "check-integrity", FALSE, NULL);
  g_assert_no_error (error);
  g_clear_object (&store);

  store = ember_store_new_sync (dir, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "quick_check"));
  g_clear_pointer (&contents, g_free);
  contents = find_moved (dir, "ember.db.corrupt-", &n_moved);
  g_assert_cmpuint (n_moved, ==, 1);
}

static void
test_truncated_header_is_corrupt (void)
{
  g_autofree char *dir = store_test_make_dir ("truncated");
  g_autofree char *path = g_build_filename (dir, "ember.db", NULL);
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(GError) error = NULL;

  /* Starts like SQLite, but is cut off inside the 100-byte header. */
  g_file_set_contents (path, "SQLite format 3\0\x10\0\x02\x02", 20, &error);
  g_assert_no_error (error);

  store = ember_store_new_sync (dir, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "moved to"));
}

/* The read-only cases run in a child (g_test_trap_subprocess) with its own
 * mount namespace. Root ignores permission bits, but not a read-only
 * mount; where mounting is not allowed the tests skip. */
typedef enum
{
  NEW_DATABASE,           /* nothing there yet */
  EXISTING_DATABASE,      /* folder and file read-only */
  WRITABLE_FILE,          /* the file writable, its folder not (no WAL) */
} ReadOnlyCase;

/* @dir as seen through a read-only bind mount at @dir-ro, with its database
 * file bind-mounted writable on top when @writable_file. */
static gboolean
make_read_only_view (const char  *dir,
                     const char  *view,
                     gboolean     writable_file,
                     char       **reason)
{
  g_autofree char *file = g_build_filename (dir, "ember.db", NULL);
  g_autofree char *view_file = g_build_filename (view, "ember.db", NULL);

  if (unshare (CLONE_NEWNS) != 0)
    {
      *reason = g_strdup_printf ("unshare(CLONE_NEWNS): %s", g_strerror (errno));
      return FALSE;
    }
  if (mount ("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
      mount (dir, view, NULL, MS_BIND, NULL) != 0 ||
      mount (NULL, view, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0 ||
      (writable_file && mount (file, view_file, NULL, MS_BIND, NULL) != 0))
    {
      *reason = g_strdup_printf ("mount: %s", g_strerror (errno));
      return FALSE;
    }

  return TRUE;
}

static void
run_on_read_only_mount (const char   *dir,
                        ReadOnlyCase  what)
{
  g_autofree char *view = g_strconcat (dir, "-ro", NULL);
  g_autofree char *skip_file = g_strconcat (dir, ".skip", NULL);
  g_autofree char *skip_reason = NULL;

  g_mkdir_with_parents (view, 0700);

  if (g_test_subprocess ())
    {
      g_autoptr(EmberStore) store = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *reason = NULL;

      if (!make_read_only_view (dir, view, what == WRITABLE_FILE, &reason))
        {
          /* Tell the parent, which cannot see this process' output. */
          g_file_set_contents (skip_file, reason, -1, NULL);
          return;
        }

      store = ember_store_new_sync (view, NULL, &error);
      g_assert_null (store);
      g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_READ_ONLY);
      g_assert_nonnull (strstr (error->message, view));
      g_print ("ERROR %s\n", error->message);
      return;
    }

  if (what != NEW_DATABASE)
    {
      g_autoptr(EmberStore) store = NULL;
      g_autoptr(GError) error = NULL;

      store = ember_store_new_sync (dir, NULL, &error);
      g_assert_no_error (error);
      store_test_add_account (store, "gmail", "me@gmail.com");
    }

  g_unlink (skip_file);
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  if (g_test_trap_has_passed () && g_file_get_contents (skip_file, &skip_reason, NULL, NULL))
    {
      g_autofree char *message = g_strdup_printf ("cannot make a read-only mount here (%s)", skip_reason);

      g_test_skip (message);
      return;
    }
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*ERROR *read-only*");
}

static void
test_read_only_mount_new_database (void)
{
  g_autofree char *dir = g_build_filename (ember_test_get_tmpdir (), "ro-new", NULL);

  g_mkdir_with_parents (dir, 0700);
  run_on_read_only_mount (dir, NEW_DATABASE);
}

static void
test_read_only_mount_existing_database (void)
{
  g_autofree char *dir = g_build_filename (ember_test_get_tmpdir (), "ro-existing", NULL);

  g_mkdir_with_parents (dir, 0700);
  run_on_read_only_mount (dir, EXISTING_DATABASE);
}

static void
test_read_only_folder_writable_file (void)
{
  g_autofree char *dir = g_build_filename (ember_test_get_tmpdir (), "ro-writable-file", NULL);

  g_mkdir_with_parents (dir, 0700);
  run_on_read_only_mount (dir, WRITABLE_FILE);
}

/* Only meaningful when not root: root writes through permission bits. */
static void
test_read_only_permissions (void)
{
  g_autofree char *dir = store_test_make_dir ("ro-perms");
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (geteuid () == 0)
    {
      g_test_skip ("root ignores directory permissions; the read-only mount tests cover this");
      return;
    }

  g_assert_cmpint (chmod (dir, 0500), ==, 0);
  store = ember_store_new_sync (dir, NULL, &error);
  chmod (dir, 0700);
  g_assert_null (store);
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_READ_ONLY);
}

/* Not "read-only", and not reported as such: the folder cannot exist. */
static void
test_data_dir_under_a_file (void)
{
  g_autofree char *dir = store_test_make_dir ("under-file");
  g_autofree char *file = g_build_filename (dir, "plain-file", NULL);
  g_autofree char *data_dir = g_build_filename (file, "ember", NULL);
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_file_set_contents (file, "x", -1, &error);
  g_assert_no_error (error);

  store = ember_store_new_sync (data_dir, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, "a file is in the way"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/store/failures/disk-full-rolls-back-page", test_disk_full_rolls_back_page);
  g_test_add_func ("/ember/store/failures/interrupted-page-rolls-back-whole",
                   test_interrupted_page_rolls_back_whole);
  g_test_add_func ("/ember/store/failures/foreign-file-is-moved-aside", test_foreign_file_is_moved_aside);
  g_test_add_func ("/ember/store/failures/damaged-database-is-moved-aside", test_damaged_database_is_moved_aside);
  g_test_add_func ("/ember/store/failures/deep-damage-found-by-quick-check", test_deep_damage_found_by_quick_check);
  g_test_add_func ("/ember/store/failures/truncated-header-is-corrupt", test_truncated_header_is_corrupt);
  g_test_add_func ("/ember/store/failures/read-only-mount-new-database", test_read_only_mount_new_database);
  g_test_add_func ("/ember/store/failures/read-only-mount-existing-database",
                   test_read_only_mount_existing_database);
  g_test_add_func ("/ember/store/failures/read-only-mount-folder-writable-file",
                   test_read_only_folder_writable_file);
  g_test_add_func ("/ember/store/failures/read-only-permissions-non-root", test_read_only_permissions);
  g_test_add_func ("/ember/store/failures/data-dir-under-a-file", test_data_dir_under_a_file);

  return g_test_run ();
}
