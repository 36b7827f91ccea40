/* bench-store.c: how fast the store writes, searches and pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run with: meson test -C BUILD --setup bench --suite bench --verbose
 * EMBER_BENCH_MESSAGES overrides the 100,000 messages.
 */
#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>

#include "ember-test-utils.h"
#include "store-test-helpers.h"

#define PAGE_SIZE 100

static const char * const words[] = {
  "meeting", "invoice", "report", "project", "schedule", "budget", "review", "update", "travel",
  "flight", "hotel", "dinner", "lunch", "coffee", "weekend", "holiday", "contract", "proposal",
  "deadline", "release", "build", "test", "server", "network", "database", "backup", "security",
  "password", "account", "payment", "receipt", "order", "shipping", "delivery", "package", "tracking",
  "newsletter", "subscription", "discount", "offer", "event", "conference", "talk", "slides", "agenda",
  "minutes", "notes", "draft", "final", "approval", "question", "answer", "support", "ticket",
  "customer", "client", "partner", "team", "family", "birthday", "party", "photos", "garden",
  "kitchen", "recipe", "soccer", "tennis", "music", "concert", "tickets", "museum", "library",
  "school", "homework", "exam", "university", "research", "paper", "journal", "editor", "zurich",
  "berlin", "paris", "london", "tokyo", "quarterly", "annual", "monthly", "weekly", "daily",
  "urgent", "reminder", "confirmation", "invitation", "welcome", "thanks", "sorry", "congratulations",
};

static const char * const names[] = {
  "Ann Baker", "Bob Chen", "Carol Diaz", "Dave Evans", "Erin Fox", "Frank Green", "Grace Hall",
  "Hugo Ito", "Iris Jones", "Jack King", "Kate Lee", "Liam Moore", "Mia Nash", "Noah Ortiz",
  "Olga Petrov", "Paul Quinn", "Rosa Silva", "Sam Turner", "Tina Usher", "Victor Wu",
};

/* Zipf-like: common words often, rare ones seldom. */
static const char *
pick_word (GRand *rand)
{
  double u = g_rand_double (rand);
  guint index = (guint) (G_N_ELEMENTS (words) * u * u * u);

  return words[MIN (index, G_N_ELEMENTS (words) - 1)];
}

static char *
make_text (GRand *rand,
           guint  n_words)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n_words; i++)
    {
      g_string_append (text, pick_word (rand));
      g_string_append_c (text, i % 12 == 11 ? '.' : ' ');
    }

  return g_string_free (text, FALSE);
}

static EmberMessageRecord *
make_message (GRand *rand,
              guint  n)
{
  EmberMessageRecord *message = ember_message_record_new ();
  const char *from = names[g_rand_int_range (rand, 0, G_N_ELEMENTS (names))];
  const char *to = names[g_rand_int_range (rand, 0, G_N_ELEMENTS (names))];
  g_autofree char *from_address = g_ascii_strdown (from, -1);

  g_strdelimit (from_address, " ", '.');
  message->provider_id = g_strdup_printf ("msg-%08u", n);
  message->thread_id = g_strdup_printf ("thread-%06u", n / 3);
  message->internet_message_id = g_strdup_printf ("<%u@bench.example.com>", n);
  message->subject = make_text (rand, 6);
  message->from_name = g_strdup (from);
  message->from_address = g_strdup_printf ("%s@example.com", from_address);
  message->to = g_strdup_printf ("%s <someone@example.com>", to);
  message->date = TEST_EPOCH - g_rand_int_range (rand, 0, 3 * 365 * 24 * 3600);
  message->snippet = make_text (rand, 15);
  message->unread = g_rand_int_range (rand, 0, 10) == 0;
  message->size = g_rand_int_range (rand, 1000, 100000);
  message->body_text = make_text (rand, 80);
  ember_message_record_add_folder_id (message, "INBOX");
  if (g_rand_int_range (rand, 0, 10) < 3)
    ember_message_record_add_folder_id (message, "Label_work");

  return message;
}

static GPtrArray *
make_messages (guint n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  GPtrArray *messages = g_ptr_array_new_full (n, (GDestroyNotify) ember_message_record_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (messages, make_message (rand, i));

  return messages;
}

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gint64
percentile (GArray *samples,
            double  p)
{
  guint index;

  g_array_sort (samples, compare_int64);
  index = (guint) (p * (samples->len - 1) + 0.5);
  return g_array_index (samples, gint64, index);
}

/* The same rows with plain prepared INSERTs in one transaction, into the
 * same table definition, with no search index, no folders, no cursor. */
static double
raw_insert_rate (const char *dir,
                 GPtrArray  *messages)
{
  g_autofree char *path = g_build_filename (dir, "raw.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 start;
  double elapsed;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                                 "CREATE TABLE messages ("
                                 "  id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, provider_id TEXT NOT NULL,"
                                 "  thread_id TEXT, internet_message_id TEXT, subject TEXT NOT NULL DEFAULT '',"
                                 "  from_name TEXT, from_address TEXT, to_recipients TEXT, cc_recipients TEXT,"
                                 "  date INTEGER NOT NULL, snippet TEXT, unread INTEGER NOT NULL DEFAULT 0,"
                                 "  starred INTEGER NOT NULL DEFAULT 0, has_attachments INTEGER NOT NULL DEFAULT 0,"
                                 "  size INTEGER NOT NULL DEFAULT 0, body_text TEXT, body_html TEXT,"
                                 "  attachments_json TEXT, UNIQUE (account_id, provider_id))",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO messages (account_id, provider_id, thread_id, "
                                       "  internet_message_id, subject, from_name, from_address, to_recipients, "
                                       "  cc_recipients, date, snippet, unread, starred, has_attachments, size, "
                                       "  body_text, body_html, attachments_json) "
                                       "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);

  start = g_get_monotonic_time ();
  g_assert_cmpint (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < messages->len; i++)
    {
      EmberMessageRecord *m = messages->pdata[i];

      sqlite3_bind_text (stmt, 1, m->provider_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, m->thread_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, m->internet_message_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, m->subject, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, m->from_name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, m->from_address, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 7, m->to, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 8, m->cc, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 9, m->date);
      sqlite3_bind_text (stmt, 10, m->snippet, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 11, m->unread);
      sqlite3_bind_int (stmt, 12, m->starred);
      sqlite3_bind_int (stmt, 13, m->has_attachments);
      sqlite3_bind_int64 (stmt, 14, m->size);
      sqlite3_bind_text (stmt, 15, m->body_text, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 16, m->body_html, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 17, m->attachments_json, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
    }
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  elapsed = seconds_since (start);

  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return messages->len / elapsed;
}

typedef struct
{
  EmberDbPool *pool;
  guint        n_cycles;
} PoolBench;

static gpointer
pool_cycle_thread (gpointer data)
{
  PoolBench *bench = data;

  for (guint i = 0; i < bench->n_cycles; i++)
    {
      g_autoptr(GError) error = NULL;
      EmberDbConnection *connection = ember_db_pool_acquire_reader (bench->pool, NULL, &error);

      g_assert_no_error (error);
      ember_db_pool_release (bench->pool, connection);
    }

  return NULL;
}

static void
bench_store (void)
{
  const char *override = g_getenv ("EMBER_BENCH_MESSAGES");
  guint n_messages = override != NULL ? (guint) atoi (override) : 100000;
  g_autofree char *dir = store_test_make_dir ("bench");
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) cursors = g_array_new (FALSE, FALSE, sizeof (EmberMessageCursor));
  static const char * const queries[] = {
    "zurich", "conference slides", "invoice", "\"quarterly report\"", "tokyo flight",
    "Victor", "birthday party", "recei*", "museum OR library", "budget -draft",
    "homework exam", "concert tickets", "Olga Petrov", "berlin hotel", "confirmation",
    "congratulations", "research paper", "tennis", "kitchen recipe", "annual review",
  };
  EmberMessageQuery query = { EMBER_MESSAGE_SCOPE_FOLDER, 0, 0, { 0, 0 }, PAGE_SIZE };
  PoolBench pool_bench;
  GThread *threads[4];
  gint64 account, start, inbox_id;
  double store_seconds, store_rate, raw_rate;
  guint n_hits = 0;

  g_test_message ("generating %u messages", n_messages);
  messages = make_messages (n_messages);

  store = ember_store_new_sync (dir, NULL, &error);
  g_assert_no_error (error);
  account = store_test_add_account (store, "gmail", "bench@gmail.com");
  store_test_save_folders (store, account,
                           store_test_folder ("INBOX", "Inbox", EMBER_FOLDER_KIND_INBOX),
                           store_test_folder ("Label_work", "Work", EMBER_FOLDER_KIND_LABEL),
                           NULL);

  /* Pages of 100 through the store: upserts, folders, search index and
   * the cursor, one transaction per page. */
  start = g_get_monotonic_time ();
  for (guint first = 0; first < messages->len; first += PAGE_SIZE)
    {
      EmberMessagePage page = { 0 };
      g_autoptr(GPtrArray) slice = g_ptr_array_new ();
      g_autofree char *cursor = g_strdup_printf ("page:%u", first / PAGE_SIZE);

      for (guint i = first; i < MIN (first + PAGE_SIZE, messages->len); i++)
        g_ptr_array_add (slice, messages->pdata[i]);
      page.resource = (char *) "mail";
      page.cursor = cursor;
      page.messages = slice;
      ember_store_save_message_page_sync (store, account, &page, NULL, &error);
      g_assert_no_error (error);
    }
  store_seconds = seconds_since (start);
  store_rate = messages->len / store_seconds;

  raw_rate = raw_insert_rate (dir, messages);
  g_test_message ("store: %u messages in %.2f s = %.0f msg/s; raw SQLite ceiling %.0f msg/s; ratio %.2f (goal >= 0.5)",
                  messages->len, store_seconds, store_rate, raw_rate, store_rate / raw_rate);

  /* Search: 20 typical queries, 10 rounds each. */
  for (guint round = 0; round < 10; round++)
    for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
      {
        g_autoptr(GPtrArray) hits = NULL;
        gint64 elapsed;

        start = g_get_monotonic_time ();
        hits = ember_store_search_messages_sync (store, queries[q], 0, 50, NULL, &error);
        elapsed = g_get_monotonic_time () - start;
        g_assert_no_error (error);
        g_array_append_val (samples, elapsed);
        n_hits += hits->len;
      }
  g_assert_cmpuint (n_hits, >, 0);
  g_test_message ("search: %u queries over %u messages: p50 %.2f ms, p99 %.2f ms (goal p99 < 20 ms)",
                  samples->len, messages->len,
                  percentile (samples, 0.50) / 1000.0, percentile (samples, 0.99) / 1000.0);

  /* Keyset pages of 100 anywhere in the 100,000-message inbox. */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT id FROM folders WHERE account_id = %" G_GINT64_FORMAT
                                            " AND provider_id = 'INBOX'", account);
    g_autoptr(GRand) rand = g_rand_new_with_seed (7);
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    inbox_id = store_test_query_int (ember_store_get_path (store), sql);
    g_assert_cmpint (sqlite3_open (ember_store_get_path (store), &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db,
                                         "SELECT date, message_id FROM message_folders WHERE folder_id = ?1 "
                                         "ORDER BY date DESC, message_id DESC LIMIT 1 OFFSET ?2",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    for (guint i = 0; i < 200; i++)
      {
        EmberMessageCursor cursor = { 0, 0 };

        sqlite3_bind_int64 (stmt, 1, inbox_id);
        sqlite3_bind_int (stmt, 2, g_rand_int_range (rand, 0, messages->len - 1));
        if (i > 0 && sqlite3_step (stmt) == SQLITE_ROW)
          {
            cursor.date = sqlite3_column_int64 (stmt, 0);
            cursor.id = sqlite3_column_int64 (stmt, 1);
          }
        sqlite3_reset (stmt);
        g_array_append_val (cursors, cursor);
      }
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
  g_array_set_size (samples, 0);
  query.folder_id = inbox_id;
  for (guint round = 0; round < 5; round++)
    for (guint i = 0; i < cursors->len; i++)
      {
        g_autoptr(GPtrArray) page = NULL;
        gint64 elapsed;

        query.after = g_array_index (cursors, EmberMessageCursor, i);
        start = g_get_monotonic_time ();
        page = ember_store_list_messages_sync (store, &query, NULL, &error);
        elapsed = g_get_monotonic_time () - start;
        g_assert_no_error (error);
        g_assert_cmpuint (page->len, >, 0);
        g_array_append_val (samples, elapsed);
      }
  g_test_message ("keyset page: %u pages of %u from a %u-message folder: p50 %.3f ms, p99 %.3f ms (goal p99 < 2 ms)",
                  samples->len, PAGE_SIZE, messages->len,
                  percentile (samples, 0.50) / 1000.0, percentile (samples, 0.99) / 1000.0);

  /* Pool: acquire + release, 4 threads at once. */
  pool_bench.pool = ember_store_get_pool (store);
  pool_bench.n_cycles = 200000;
  start = g_get_monotonic_time ();
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("pool-bench", pool_cycle_thread, &pool_bench);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  {
    double elapsed_ns = (g_get_monotonic_time () - start) * 1000.0;
    guint total = pool_bench.n_cycles * G_N_ELEMENTS (threads);

    g_test_message ("pool: %u acquire+release cycles on 4 threads: %.0f ns per cycle (wall / cycles), "
                    "%.0f ns per cycle per thread",
                    total, elapsed_ns / total, elapsed_ns / pool_bench.n_cycles);
  }

  /* What the integrity check costs when opening a full database. */
  {
    g_autofree char *path = g_strdup (ember_store_get_path (store));
    double with_check, without_check;
    EmberDbPool *pool;

    g_clear_object (&store);
    start = g_get_monotonic_time ();
    pool = g_initable_new (EMBER_TYPE_DB_POOL, NULL, &error, "path", path, "check-integrity", TRUE, NULL);
    with_check = seconds_since (start);
    g_assert_no_error (error);
    g_clear_object (&pool);
    start = g_get_monotonic_time ();
    pool = g_initable_new (EMBER_TYPE_DB_POOL, NULL, &error, "path", path, "check-integrity", FALSE, NULL);
    without_check = seconds_since (start);
    g_assert_no_error (error);
    g_clear_object (&pool);
    g_test_message ("open: %u-message database: %.0f ms with quick_check, %.1f ms without",
                    messages->len, with_check * 1000, without_check * 1000);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/store/bench/all", bench_store);

  return g_test_run ();
}
