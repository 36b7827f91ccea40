/* test-store-search.c: the query builder and full-text search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>

#include "ember-error.h"
#include "ember-store-search.h"
#include "ember-test-utils.h"
#include "store-test-helpers.h"

/* What a person types, and the FTS5 expression it must become (NULL: it
 * matches nothing). */
static const struct
{
  const char *input;
  const char *expected;
} builder_cases[] = {
  { "", NULL },
  { "   \t\n ", NULL },
  { NULL, NULL },
  { "hello", "(\"hello\")" },
  { "Hello World", "(\"Hello\" AND \"World\")" },
  { "\"hello world\"", "(\"hello world\")" },
  { "zeb*", "(\"zeb\"*)" },
  { "zeb**", "(\"zeb\"*)" },
  { "\"quarterly rep\"*", "(\"quarterly rep\"*)" },
  { "a -b", "(\"a\") NOT \"b\"" },
  { "a -b -\"c d\"", "(\"a\") NOT \"b\" NOT \"c d\"" },
  { "-b", NULL },
  { "-", NULL },
  { "a - b", "(\"a\" AND \"b\")" },
  { "a OR b", "((\"a\" OR \"b\"))" },
  { "a OR b c", "((\"a\" OR \"b\") AND \"c\")" },
  { "a OR b OR c", "((\"a\" OR \"b\" OR \"c\"))" },
  { "c a OR b", "(\"c\" AND (\"a\" OR \"b\"))" },
  { "a or b", "(\"a\" AND \"or\" AND \"b\")" },
  { "OR", NULL },
  { "OR a", "(\"a\")" },
  { "a OR", "(\"a\")" },
  { "a OR OR b", "((\"a\" OR \"b\"))" },
  { "a OR -b", "(\"a\") NOT \"b\"" },
  { "AND", "(\"AND\")" },
  { "NOT a", "(\"NOT\" AND \"a\")" },
  { "NEAR(a b)", "(\"NEAR\" AND \"a\" AND \"b\")" },
  { "subject:report", "(\"subject:report\")" },
  { "^start", "(\"^start\")" },
  { "\"unbalanced", "(\"unbalanced\")" },
  { "unbalanced\"", "(\"unbalanced\")" },
  { "\"", NULL },
  { "\"\"", NULL },
  { "\"\"\"", NULL },
  { "(((", NULL },
  { "((a)", "(\"a\")" },
  { "a))", "(\"a\")" },
  { "*", NULL },
  { "!!! ???", NULL },
  { "a !!!", "(\"a\")" },
  { "'; DROP TABLE messages; --", "(\"DROP\" AND \"TABLE\" AND \"messages;\")" },
  { "café", "(\"café\")" },
  { "a\x01" "b", "(\"a\" AND \"b\")" },
  { "\"a\x01" "b\"", "(\"a b\")" },
};

static void
test_builder (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (builder_cases); i++)
    {
      g_autofree char *query = ember_store_search_build_query (builder_cases[i].input);

      g_autofree char *shown = g_strescape (builder_cases[i].input != NULL ? builder_cases[i].input : "(null)", NULL);

      g_test_message ("input: %s", shown);
      g_assert_cmpstr (query, ==, builder_cases[i].expected);
    }
}

static void
test_builder_bounds (void)
{
  g_autoptr(GString) many = g_string_new (NULL);
  g_autoptr(GString) long_word = g_string_new (NULL);
  g_autofree char *query = NULL;
  g_autofree char *invalid = NULL;
  guint n_terms = 0;

  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (many, "w%u ", i);
  query = ember_store_search_build_query (many->str);
  for (const char *p = query; (p = strstr (p, " AND ")) != NULL; p++)
    n_terms++;
  /* 16 terms at most: 15 ANDs. */
  g_assert_cmpuint (n_terms, ==, 15);
  g_clear_pointer (&query, g_free);

  for (guint i = 0; i < 10000; i++)
    g_string_append_c (long_word, 'x');
  query = ember_store_search_build_query (long_word->str);
  g_assert_cmpuint (strlen (query), ==, 128 + 4);
  g_clear_pointer (&query, g_free);

  /* Invalid UTF-8 is repaired, never passed on. */
  query = ember_store_search_build_query ("abc\xff\xfe" "def");
  g_assert_true (g_utf8_validate (query, -1, NULL));
  g_clear_pointer (&query, g_free);

  invalid = g_strdup ("\xc3");
  query = ember_store_search_build_query (invalid);
  g_assert_null (query);
}

typedef struct
{
  EmberStore *store;
  gint64      account;
  gint64      other;
} Fixture;

static void
add (GPtrArray  *messages,
     const char *id,
     gint64      date,
     const char *subject,
     const char *from_name,
     const char *body)
{
  EmberMessageRecord *message = store_test_message (id, date, subject, "INBOX");

  g_free (message->from_name);
  message->from_name = g_strdup (from_name);
  g_free (message->body_text);
  message->body_text = g_strdup (body);
  g_free (message->snippet);
  message->snippet = g_strdup ("");
  g_ptr_array_add (messages, message);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(EmberMessagePage) other = ember_message_page_new ("mail");
  g_autoptr(GError) error = NULL;

  f->store = store_test_open ("search", NULL);
  f->account = store_test_add_account (f->store, "gmail", "me@gmail.com");
  f->other = store_test_add_account (f->store, "microsoft", "me@outlook.com");

  add (page->messages, "zebra-body", TEST_EPOCH + 10, "Weekly notes", "Ann", "We saw a zebra at the zoo");
  add (page->messages, "zebra-subject", TEST_EPOCH + 5, "Zebra crossing plans", "Bob", "Roads with paint");
  add (page->messages, "cafe", TEST_EPOCH + 20, "Meeting at the Café", "Carol", "See you there");
  add (page->messages, "cafe-plain", TEST_EPOCH + 21, "cafe menu", "Dave", "Coffee prices");
  add (page->messages, "report-q1", TEST_EPOCH + 30, "Quarterly report Q1", "Erin", "Numbers are up");
  add (page->messages, "report-q2", TEST_EPOCH + 40, "Quarterly report Q2", "Erin", "Numbers are down");
  add (page->messages, "spam", TEST_EPOCH + 50, "Quarterly report offer", "Spammer", "Buy now");
  add (page->messages, "twin-old", TEST_EPOCH + 60, "Identical twin", "Fay", "same words");
  add (page->messages, "twin-new", TEST_EPOCH + 70, "Identical twin", "Fay", "same words");
  page->cursor = g_strdup ("c");
  ember_store_save_message_page_sync (f->store, f->account, page, NULL, &error);
  g_assert_no_error (error);

  add (other->messages, "other-zebra", TEST_EPOCH, "Zebra elsewhere", "Gus", "zebra");
  ember_store_save_message_page_sync (f->store, f->other, other, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
}

/* The provider ids of the hits, in order, comma-separated. */
static char *
search (Fixture    *f,
        const char *text,
        gint64      account_id)
{
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GString) ids = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  hits = ember_store_search_messages_sync (f->store, text, account_id, 50, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hits);
  for (guint i = 0; i < hits->len; i++)
    g_string_append_printf (ids, "%s%s", i > 0 ? "," : "", ((EmberMessageRecord *) hits->pdata[i])->provider_id);

  return g_strdup (ids->str);
}

static guint
count_hits (Fixture    *f,
            const char *text)
{
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;

  hits = ember_store_search_messages_sync (f->store, text, 0, 1000, NULL, &error);
  g_assert_no_error (error);
  return hits->len;
}

#define assert_search(f, text, account, expected) \
  G_STMT_START { \
    g_autofree char *_ids = search ((f), (text), (account)); \
    g_assert_cmpstr (_ids, ==, (expected)); \
  } G_STMT_END

static void
test_semantics (Fixture       *f,
                gconstpointer  data)
{
  /* A subject hit ranks above a body hit even when older. */
  assert_search (f, "zebra", f->account, "zebra-subject,zebra-body");
  assert_search (f, "zebra", 0, "other-zebra,zebra-subject,zebra-body");
  assert_search (f, "ZEBRA", f->account, "zebra-subject,zebra-body");
  assert_search (f, "zeb*", f->account, "zebra-subject,zebra-body");
  assert_search (f, "zeb", f->account, "");
  /* Diacritics do not matter either way. */
  assert_search (f, "cafe", f->account, "cafe-plain,cafe");
  assert_search (f, "café", f->account, "cafe-plain,cafe");
  assert_search (f, "\"quarterly report\" -spammer", f->account, "report-q2,report-q1");
  assert_search (f, "quarterly -offer -q2", f->account, "report-q1");
  assert_search (f, "q1 OR q2", f->account, "report-q2,report-q1");
  assert_search (f, "q1 OR q2 down", f->account, "report-q2");
  /* The sender and the body are indexed. */
  assert_search (f, "carol", f->account, "cafe");
  assert_search (f, "prices", f->account, "cafe-plain");
  /* Equal scores: newest first. */
  assert_search (f, "identical", f->account, "twin-new,twin-old");
}

/* Inputs that must neither fail nor match everything. None of their
 * words are in the messages, so every one must find nothing. */
static const char *nasty_inputs[] = {
  "\"", "\"\"", "\"\"\"", "(", ")", "(((", ")))", "((\")", "*", "**", "-", "--", "---x",
  "AND", "OR", "NOT", "NEAR", "NEAR(a b)", "qq AND", "OR OR", "NOT NOT", "+", "^", "^x", ":", "x:",
  "subject:", "subject:nothing", "{subject body}:x", "'", "''", "';", "';--",
  "'; DROP TABLE messages; --", "\\", "\\\"", "%", "_", "\x01\x02\x03", "\x7f",
  "\xff\xfe", "\xc3", "\xe2\x80", "😀", "🦓", "\u200b", "\"never*", "never\"*",
  "-zebra", "-zebra -cafe", "--zebra", "x -", "\" OR \"", "\"qq\" OR", "* OR *", "(*)",
  "\"zebra", "zebra\"",
};

static void
test_nasty_inputs (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GString) long_input = g_string_new (NULL);
  g_autofree char *ids = NULL;
  char with_nul[] = "zebra\0-zebra";

  for (guint i = 0; i < G_N_ELEMENTS (nasty_inputs); i++)
    {
      const char *input = nasty_inputs[i];
      g_autofree char *shown = g_strescape (input, NULL);
      g_autofree char *found = NULL;

      g_test_message ("input: %s", shown);
      found = search (f, input, 0);
      /* "-zebra" and friends exclude; the unbalanced quote ones search
       * for zebra. Everything else finds nothing. */
      if (g_str_equal (input, "\"zebra") || g_str_equal (input, "zebra\""))
        g_assert_cmpstr (found, ==, "other-zebra,zebra-subject,zebra-body");
      else
        g_assert_cmpstr (found, ==, "");
    }

  for (guint i = 0; i < 5000; i++)
    g_string_append (long_input, "\"(*) OR -NEAR ");
  ids = search (f, long_input->str, 0);
  g_assert_cmpstr (ids, ==, "");
  g_clear_pointer (&ids, g_free);

  /* A C string ends at NUL: what follows it is never seen. */
  ids = search (f, with_nul, f->account);
  g_assert_cmpstr (ids, ==, "zebra-subject,zebra-body");
}

static void
test_index_follows_changes (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(GError) error = NULL;
  const char *path = ember_store_get_path (f->store);
  EmberMessageRecord *message;
  sqlite3 *db = NULL;

  /* New subject: the old word stops matching. */
  add (page->messages, "zebra-subject", TEST_EPOCH + 5, "Giraffe crossing plans", "Bob", "Roads with paint");
  /* A flag change alone leaves the index alone (and consistent). */
  message = store_test_message ("twin-old", TEST_EPOCH + 60, "Identical twin", NULL);
  g_free (message->from_name);
  message->from_name = g_strdup ("Fay");
  g_free (message->body_text);
  message->body_text = g_strdup ("same words");
  g_free (message->snippet);
  message->snippet = g_strdup ("");
  message->unread = FALSE;
  g_ptr_array_add (page->messages, message);
  g_ptr_array_add (page->deleted_ids, g_strdup ("zebra-body"));
  ember_store_save_message_page_sync (f->store, f->account, page, NULL, &error);
  g_assert_no_error (error);

  assert_search (f, "zebra", f->account, "");
  assert_search (f, "giraffe", f->account, "zebra-subject");
  assert_search (f, "identical", f->account, "twin-new,twin-old");

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO message_search (message_search) VALUES ('integrity-check')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_snippet_without_body (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(GError) error = NULL;
  EmberMessageRecord *message;

  /* Only metadata fetched so far: the snippet stands in for the body. */
  message = store_test_message ("metadata-only", TEST_EPOCH, "Plans", NULL);
  g_clear_pointer (&message->body_text, g_free);
  g_free (message->snippet);
  message->snippet = g_strdup ("Trip to Zanzibar in May");
  g_ptr_array_add (page->messages, message);
  ember_store_save_message_page_sync (f->store, f->account, page, NULL, &error);
  g_assert_no_error (error);
  assert_search (f, "zanzibar", f->account, "metadata-only");

  /* The body arrives: it is indexed instead (the snippet is its start). */
  message = store_test_message ("metadata-only", TEST_EPOCH, "Plans", NULL);
  g_free (message->snippet);
  message->snippet = g_strdup ("Trip to Zanzibar in May");
  g_free (message->body_text);
  message->body_text = g_strdup ("Trip to Kenya in June");
  g_ptr_array_set_size (page->messages, 0);
  g_ptr_array_add (page->messages, message);
  ember_store_save_message_page_sync (f->store, f->account, page, NULL, &error);
  g_assert_no_error (error);
  assert_search (f, "kenya", f->account, "metadata-only");
  assert_search (f, "zanzibar", f->account, "");
}

static void
test_optimize_keeps_results (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *path = ember_store_get_path (f->store);
  sqlite3 *db = NULL;
  gint64 rows_before;

  for (guint p = 0; p < 20; p++)
    {
      g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");

      for (guint i = 0; i < 10; i++)
        {
          g_autofree char *id = g_strdup_printf ("bulk-%u-%u", p, i);

          add (page->messages, id, TEST_EPOCH - p * 100 - i, "Bulk okapi", "Hal", "filler words");
        }
      ember_store_save_message_page_sync (f->store, f->account, page, NULL, &error);
      g_assert_no_error (error);
    }
  rows_before = store_test_query_int (path, "SELECT count(*) FROM message_search_data");

  ember_store_optimize_sync (f->store, NULL, &error);
  g_assert_no_error (error);

  /* 21 segments (one per transaction) became one. */
  g_assert_cmpint (store_test_query_int (path, "SELECT count(*) FROM message_search_data"), <, rows_before);

  assert_search (f, "zebra", f->account, "zebra-subject,zebra-body");
  g_assert_cmpint (count_hits (f, "okapi"), ==, 200);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO message_search (message_search) VALUES ('integrity-check')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/store/search/builder", test_builder);
  g_test_add_func ("/ember/store/search/builder-bounds", test_builder_bounds);
  g_test_add ("/ember/store/search/semantics", Fixture, NULL, fixture_set_up, test_semantics, fixture_tear_down);
  g_test_add ("/ember/store/search/nasty-inputs", Fixture, NULL, fixture_set_up, test_nasty_inputs, fixture_tear_down);
  g_test_add ("/ember/store/search/index-follows-changes", Fixture, NULL, fixture_set_up,
              test_index_follows_changes, fixture_tear_down);

  g_test_add ("/ember/store/search/snippet-without-body", Fixture, NULL, fixture_set_up,
              test_snippet_without_body, fixture_tear_down);
  g_test_add ("/ember/store/search/optimize-keeps-results", Fixture, NULL, fixture_set_up,
              test_optimize_keeps_results, fixture_tear_down);

  return g_test_run ();
}
