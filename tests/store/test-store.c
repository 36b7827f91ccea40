/* test-store.c: accounts, sync pages, queries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-error.h"
#include "ember-fake-clock.h"
#include "ember-test-utils.h"
#include "store-test-helpers.h"

#define DAY ((gint64) 24 * 60 * 60)

typedef struct
{
  EmberFakeClock *clock;
  EmberStore     *store;
  const char     *path;
  gint64          gmail;
  gint64          outlook;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->clock = ember_fake_clock_new (TEST_EPOCH * G_USEC_PER_SEC);
  f->store = store_test_open ("store", EMBER_CLOCK (f->clock));
  f->path = ember_store_get_path (f->store);
  f->gmail = store_test_add_account (f->store, "gmail", "me@gmail.com");
  f->outlook = store_test_add_account (f->store, "microsoft", "me@outlook.com");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  g_clear_object (&f->clock);
}

static gint64
count (Fixture    *f,
       const char *sql)
{
  return store_test_query_int (f->path, sql);
}

static void
save_page (Fixture          *f,
           gint64            account_id,
           EmberMessagePage *page)
{
  g_autoptr(GError) error = NULL;

  ember_store_save_message_page_sync (f->store, account_id, page, NULL, &error);
  g_assert_no_error (error);
}

static EmberSyncState *
get_state (Fixture    *f,
           gint64      account_id,
           const char *resource)
{
  g_autoptr(GError) error = NULL;
  EmberSyncState *state = ember_store_get_sync_state_sync (f->store, account_id, resource, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (state);
  return state;
}

static EmberMessageRecord *
find (Fixture    *f,
      gint64      account_id,
      const char *provider_id)
{
  g_autoptr(GError) error = NULL;
  EmberMessageRecord *message = ember_store_find_message_sync (f->store, account_id, provider_id, NULL, &error);

  g_assert_no_error (error);
  return message;
}

static gboolean
exists (Fixture    *f,
        gint64      account_id,
        const char *provider_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberMessageRecord) message = NULL;

  message = ember_store_find_message_sync (f->store, account_id, provider_id, NULL, &error);
  if (message != NULL)
    return TRUE;
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND);
  return FALSE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* "a,b" from a message's folder provider ids. */
static char *
folders_of (Fixture    *f,
            gint64      account_id,
            const char *provider_id)
{
  g_autoptr(EmberMessageRecord) message = find (f, account_id, provider_id);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autoptr(GString) joined = g_string_new (NULL);

  for (guint i = 0; i < message->folder_ids->len; i++)
    g_ptr_array_add (sorted, message->folder_ids->pdata[i]);
  g_ptr_array_sort (sorted, compare_strings);
  for (guint i = 0; i < sorted->len; i++)
    g_string_append_printf (joined, "%s%s", i > 0 ? "," : "", (const char *) sorted->pdata[i]);

  return g_strdup (joined->str);
}

static void
add_gmail_labels (Fixture *f)
{
  store_test_save_folders (f->store, f->gmail,
                           store_test_folder ("INBOX", "Inbox", EMBER_FOLDER_KIND_INBOX),
                           store_test_folder ("SENT", "Sent", EMBER_FOLDER_KIND_SENT),
                           store_test_folder ("Label_1", "Receipts", EMBER_FOLDER_KIND_LABEL),
                           NULL);
}

/* Accounts */

static void
test_accounts_crud (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(EmberAccountRecord) account = NULL;
  g_autoptr(EmberAccountRecord) duplicate = ember_account_record_new ();
  g_autoptr(EmberAccountRecord) bad = ember_account_record_new ();

  accounts = ember_store_list_accounts_sync (f->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 2);
  account = ember_account_record_copy (accounts->pdata[0]);
  g_assert_cmpint (account->id, ==, f->gmail);
  g_assert_cmpstr (account->provider, ==, "gmail");
  g_assert_cmpstr (account->email, ==, "me@gmail.com");
  g_assert_true (account->mail_enabled);
  g_assert_true (account->calendar_enabled);
  /* Stamped with the store's clock. */
  g_assert_cmpint (account->created, ==, TEST_EPOCH);

  account->calendar_enabled = FALSE;
  account->api_base = g_strdup ("http://127.0.0.1:8080/gmail");
  g_free (account->display_name);
  account->display_name = g_strdup ("Me at work");
  ember_store_update_account_sync (f->store, account, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&account, ember_account_record_free);
  account = ember_store_get_account_sync (f->store, f->gmail, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (account->calendar_enabled);
  g_assert_true (account->mail_enabled);
  g_assert_cmpstr (account->api_base, ==, "http://127.0.0.1:8080/gmail");
  g_assert_cmpstr (account->display_name, ==, "Me at work");

  duplicate->provider = g_strdup ("gmail");
  duplicate->email = g_strdup ("ME@gmail.com");
  g_assert_cmpint (ember_store_add_account_sync (f->store, duplicate, NULL, &error), ==, 0);
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "already set up"));
  g_clear_error (&error);

  bad->provider = g_strdup ("yahoo");
  bad->email = g_strdup ("me@yahoo.com");
  g_assert_cmpint (ember_store_add_account_sync (f->store, bad, NULL, &error), ==, 0);
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "yahoo"));
  g_clear_error (&error);

  g_assert_null (ember_store_get_account_sync (f->store, 9999, NULL, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  ember_store_remove_account_sync (f->store, f->outlook, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (ember_store_remove_account_sync (f->store, f->outlook, NULL, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Ids are never reused: keyring items are keyed by them. */
  g_assert_cmpint (store_test_add_account (f->store, "microsoft", "me@outlook.com"), >, f->outlook);
}

static void
fill_account (Fixture *f,
              gint64   account_id,
              char     tag)
{
  g_autoptr(EmberFolderPage) folders = ember_folder_page_new ("folders");
  g_autoptr(EmberCalendarPage) calendars = ember_calendar_page_new ("calendars");
  g_autoptr(EmberEventPage) events = ember_event_page_new ("calendar:primary", "primary");
  g_autoptr(EmberMessagePage) messages = ember_message_page_new ("mail");
  g_autoptr(GError) error = NULL;
  EmberCalendarRecord *calendar = ember_calendar_record_new ();
  EmberEventRecord *event = ember_event_record_new ();

  g_ptr_array_add (folders->folders, store_test_folder ("inbox", "Inbox", EMBER_FOLDER_KIND_INBOX));
  ember_store_save_folder_page_sync (f->store, account_id, folders, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("%c%u", tag, i);

      g_ptr_array_add (messages->messages, store_test_message (id, TEST_EPOCH + i, "cascade subject", "inbox"));
    }
  messages->cursor = g_strdup ("c1");
  save_page (f, account_id, messages);

  calendar->provider_id = g_strdup ("primary");
  calendar->name = g_strdup ("Calendar");
  g_ptr_array_add (calendars->calendars, calendar);
  ember_store_save_calendar_page_sync (f->store, account_id, calendars, NULL, &error);
  g_assert_no_error (error);

  event->provider_id = g_strdup ("ev1");
  event->start = TEST_EPOCH;
  event->end = TEST_EPOCH + 3600;
  g_ptr_array_add (events->events, event);
  ember_store_save_event_page_sync (f->store, account_id, events, NULL, &error);
  g_assert_no_error (error);
}

static void
test_remove_account_cascades (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  static const char * const tables[] = {
    "folders", "messages", "calendars", "events", "sync_state",
  };

  fill_account (f, f->gmail, 'g');
  fill_account (f, f->outlook, 'o');
  g_assert_cmpint (count (f, "SELECT count(*) FROM message_folders"), ==, 10);

  ember_store_remove_account_sync (f->store, f->gmail, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *gone = g_strdup_printf ("SELECT count(*) FROM %s WHERE account_id = %" G_GINT64_FORMAT,
                                               tables[i], f->gmail);
      g_autofree char *kept = g_strdup_printf ("SELECT count(*) FROM %s WHERE account_id = %" G_GINT64_FORMAT,
                                               tables[i], f->outlook);

      g_assert_cmpint (count (f, gone), ==, 0);
      g_assert_cmpint (count (f, kept), >, 0);
    }
  g_assert_cmpint (count (f, "SELECT count(*) FROM message_folders"), ==, 5);

  /* The search index forgot them too. */
  hits = ember_store_search_messages_sync (f->store, "cascade", 0, 50, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 5);
  for (guint i = 0; i < hits->len; i++)
    g_assert_cmpint (((EmberMessageRecord *) hits->pdata[i])->account_id, ==, f->outlook);
}

/* Pages */

static void
test_message_page_is_atomic_and_idempotent (Fixture       *f,
                                            gconstpointer  data)
{
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(EmberSyncState) state = NULL;

  add_gmail_labels (f);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *id = g_strdup_printf ("m%02u", i);

      g_ptr_array_add (page->messages, store_test_message (id, TEST_EPOCH + i, "Hello", "INBOX"));
    }
  page->cursor = g_strdup ("history:100");
  page->phase = g_strdup ("full");

  save_page (f, f->gmail, page);
  g_assert_cmpint (count (f, "SELECT count(*) FROM messages"), ==, 20);
  g_assert_cmpint (count (f, "SELECT count(*) FROM message_folders"), ==, 20);
  state = get_state (f, f->gmail, "mail");
  g_assert_cmpstr (state->cursor, ==, "history:100");
  g_assert_cmpstr (state->phase, ==, "full");
  g_assert_cmpint (state->updated, ==, TEST_EPOCH);

  /* A replay (crash before the next page, resume from the last cursor)
   * changes nothing. */
  save_page (f, f->gmail, page);
  g_assert_cmpint (count (f, "SELECT count(*) FROM messages"), ==, 20);
  g_assert_cmpint (count (f, "SELECT count(*) FROM message_folders"), ==, 20);

  /* phase NULL keeps the stored phase; the cursor is written as given. */
  g_ptr_array_set_size (page->messages, 0);
  g_free (page->phase);
  page->phase = NULL;
  g_free (page->cursor);
  page->cursor = g_strdup ("history:101");
  save_page (f, f->gmail, page);
  g_clear_pointer (&state, ember_sync_state_free);
  state = get_state (f, f->gmail, "mail");
  g_assert_cmpstr (state->cursor, ==, "history:101");
  g_assert_cmpstr (state->phase, ==, "full");
}

static void
test_failed_page_keeps_nothing (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(EmberMessagePage) first = ember_message_page_new ("mail");
  g_autoptr(EmberMessagePage) bad = ember_message_page_new ("mail");
  g_autoptr(EmberSyncState) state = NULL;
  g_autoptr(GError) error = NULL;
  EmberMessageRecord *broken;

  g_ptr_array_add (first->messages, store_test_message ("a", TEST_EPOCH, "First", "INBOX"));
  first->cursor = g_strdup ("page:1");
  save_page (f, f->gmail, first);

  g_ptr_array_add (bad->messages, store_test_message ("b", TEST_EPOCH, "Second", "INBOX"));
  g_ptr_array_add (bad->messages, store_test_message ("c", TEST_EPOCH, "Third", "INBOX"));
  broken = store_test_message ("d", TEST_EPOCH, "Broken", "INBOX");
  g_clear_pointer (&broken->provider_id, g_free);
  g_ptr_array_add (bad->messages, broken);
  g_ptr_array_add (bad->deleted_ids, g_strdup ("a"));
  bad->cursor = g_strdup ("page:2");

  g_assert_false (ember_store_save_message_page_sync (f->store, f->gmail, bad, NULL, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "Could not save a page of messages"));
  g_clear_error (&error);

  g_assert_true (exists (f, f->gmail, "a"));
  g_assert_false (exists (f, f->gmail, "b"));
  g_assert_false (exists (f, f->gmail, "c"));
  state = get_state (f, f->gmail, "mail");
  g_assert_cmpstr (state->cursor, ==, "page:1");
}

static void
test_cancelled_page_keeps_nothing (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(EmberSyncState) state = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (page->messages, store_test_message ("a", TEST_EPOCH, "First", NULL));
  page->cursor = g_strdup ("page:1");
  g_cancellable_cancel (cancellable);

  g_assert_false (ember_store_save_message_page_sync (f->store, f->gmail, page, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (exists (f, f->gmail, "a"));
  state = get_state (f, f->gmail, "mail");
  g_assert_null (state->cursor);
}

static void
test_page_for_removed_account (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (page->messages, store_test_message ("a", TEST_EPOCH, "First", NULL));
  ember_store_remove_account_sync (f->store, f->gmail, NULL, &error);
  g_assert_no_error (error);

  g_assert_false (ember_store_save_message_page_sync (f->store, f->gmail, page, NULL, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND);
  g_assert_cmpint (count (f, "SELECT count(*) FROM messages"), ==, 0);
}

static void
test_upsert_updates_and_keeps_bodies (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(EmberMessagePage) update = ember_message_page_new ("mail");
  g_autoptr(EmberMessageRecord) stored = NULL;
  EmberMessageRecord *changed;

  g_ptr_array_add (page->messages, store_test_message ("a", TEST_EPOCH, "Original", "INBOX"));
  save_page (f, f->gmail, page);

  /* The same message, re-fetched without its body, now read and starred. */
  changed = store_test_message ("a", TEST_EPOCH + 60, "Edited", "INBOX");
  changed->unread = FALSE;
  changed->starred = TRUE;
  g_clear_pointer (&changed->body_text, g_free);
  g_clear_pointer (&changed->body_html, g_free);
  g_ptr_array_add (update->messages, changed);
  save_page (f, f->gmail, update);

  stored = find (f, f->gmail, "a");
  g_assert_cmpstr (stored->subject, ==, "Edited");
  g_assert_cmpint (stored->date, ==, TEST_EPOCH + 60);
  g_assert_false (stored->unread);
  g_assert_true (stored->starred);
  g_assert_cmpstr (stored->body_text, ==, "Body of a: Original");
  g_assert_cmpstr (stored->body_html, ==, "<p>Original</p>");
  g_assert_cmpint (count (f, "SELECT count(*) FROM messages"), ==, 1);
  /* The membership's date copy followed. */
  g_assert_cmpint (count (f, "SELECT date FROM message_folders"), ==, TEST_EPOCH + 60);
}

static void
test_deleted_ids_remove_messages (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(EmberMessagePage) deletion = ember_message_page_new ("mail");

  add_gmail_labels (f);
  g_ptr_array_add (page->messages, store_test_message ("a", TEST_EPOCH, "One", "INBOX"));
  g_ptr_array_add (page->messages, store_test_message ("b", TEST_EPOCH, "Two", "INBOX"));
  save_page (f, f->gmail, page);
  /* Same provider id in another account: untouched. */
  save_page (f, f->outlook, page);

  g_ptr_array_add (deletion->deleted_ids, g_strdup ("a"));
  g_ptr_array_add (deletion->deleted_ids, g_strdup ("never-seen"));
  save_page (f, f->gmail, deletion);

  g_assert_false (exists (f, f->gmail, "a"));
  g_assert_true (exists (f, f->gmail, "b"));
  g_assert_true (exists (f, f->outlook, "a"));
  g_assert_cmpint (count (f, "SELECT count(*) FROM message_folders"), ==, 3);
}

static void
test_gmail_relabel (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(EmberMessagePage) history = ember_message_page_new ("mail");
  g_autoptr(EmberMessagePage) refetch = ember_message_page_new ("mail");
  g_autofree char *folders = NULL;
  EmberMessageRecord *message;
  EmberFolderChange *change;

  add_gmail_labels (f);
  message = store_test_message ("a", TEST_EPOCH, "Receipt", "INBOX");
  ember_message_record_add_folder_id (message, "Label_1");
  g_ptr_array_add (page->messages, message);
  save_page (f, f->gmail, page);
  folders = folders_of (f, f->gmail, "a");
  g_assert_cmpstr (folders, ==, "INBOX,Label_1");
  g_clear_pointer (&folders, g_free);

  /* history.list: labelsRemoved INBOX (archived), labelsAdded SENT and a
   * label not synced yet. */
  change = ember_folder_change_new ("a", EMBER_FOLDER_CHANGE_REMOVE);
  g_ptr_array_add (change->folder_ids, g_strdup ("INBOX"));
  g_ptr_array_add (history->folder_changes, change);
  change = ember_folder_change_new ("a", EMBER_FOLDER_CHANGE_ADD);
  g_ptr_array_add (change->folder_ids, g_strdup ("SENT"));
  g_ptr_array_add (change->folder_ids, g_strdup ("Label_9"));
  g_ptr_array_add (history->folder_changes, change);
  /* A change for a message not stored yet is skipped. */
  change = ember_folder_change_new ("unknown", EMBER_FOLDER_CHANGE_ADD);
  g_ptr_array_add (change->folder_ids, g_strdup ("SENT"));
  g_ptr_array_add (history->folder_changes, change);
  history->cursor = g_strdup ("history:2");
  save_page (f, f->gmail, history);

  folders = folders_of (f, f->gmail, "a");
  g_assert_cmpstr (folders, ==, "Label_1,Label_9,SENT");
  g_clear_pointer (&folders, g_free);
  /* Archived, not gone: Gmail messages without labels stay. */
  g_assert_true (exists (f, f->gmail, "a"));
  /* The unknown label became a placeholder folder. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM folders WHERE provider_id = 'Label_9' AND kind = 'other'"), ==, 1);

  /* A full re-fetch replaces the label set. */
  message = store_test_message ("a", TEST_EPOCH, "Receipt", "INBOX");
  g_ptr_array_add (refetch->messages, message);
  save_page (f, f->gmail, refetch);
  folders = folders_of (f, f->gmail, "a");
  g_assert_cmpstr (folders, ==, "INBOX");
  g_clear_pointer (&folders, g_free);

  /* REPLACE through a change. */
  g_ptr_array_set_size (refetch->messages, 0);
  change = ember_folder_change_new ("a", EMBER_FOLDER_CHANGE_REPLACE);
  g_ptr_array_add (change->folder_ids, g_strdup ("Label_1"));
  g_ptr_array_add (refetch->folder_changes, change);
  save_page (f, f->gmail, refetch);
  folders = folders_of (f, f->gmail, "a");
  g_assert_cmpstr (folders, ==, "Label_1");
}

static void
save_graph_folder_delta (Fixture    *f,
                         const char *folder,
                         const char *added_id,
                         const char *removed_id)
{
  g_autofree char *resource = g_strdup_printf ("mail:%s", folder);
  g_autoptr(EmberMessagePage) page = ember_message_page_new (resource);

  if (added_id != NULL)
    g_ptr_array_add (page->messages, store_test_message (added_id, TEST_EPOCH, "Moving", folder));
  if (removed_id != NULL)
    {
      EmberFolderChange *change = ember_folder_change_new (removed_id, EMBER_FOLDER_CHANGE_REMOVE);

      g_ptr_array_add (change->folder_ids, g_strdup (folder));
      change->delete_if_no_folders = TRUE;
      g_ptr_array_add (page->folder_changes, change);
    }
  page->cursor = g_strdup_printf ("delta:%s", folder);
  save_page (f, f->outlook, page);
}

/* A Graph move shows as @removed in the old folder's delta and as a new
 * item in the new folder's; the two may be synced in either order. */
static void
test_graph_move_either_order (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *folders = NULL;

  store_test_save_folders (f->store, f->outlook,
                           store_test_folder ("inbox-id", "Inbox", EMBER_FOLDER_KIND_INBOX),
                           store_test_folder ("archive-id", "Archive", EMBER_FOLDER_KIND_ARCHIVE),
                           NULL);

  save_graph_folder_delta (f, "inbox-id", "x", NULL);
  save_graph_folder_delta (f, "inbox-id", "y", NULL);

  /* x: new folder first, then the old folder's removal. */
  save_graph_folder_delta (f, "archive-id", "x", NULL);
  save_graph_folder_delta (f, "inbox-id", NULL, "x");
  folders = folders_of (f, f->outlook, "x");
  g_assert_cmpstr (folders, ==, "archive-id");
  g_clear_pointer (&folders, g_free);

  /* y: the removal first (the message goes), then the new folder. */
  save_graph_folder_delta (f, "inbox-id", NULL, "y");
  g_assert_false (exists (f, f->outlook, "y"));
  save_graph_folder_delta (f, "archive-id", "y", NULL);
  folders = folders_of (f, f->outlook, "y");
  g_assert_cmpstr (folders, ==, "archive-id");

  g_assert_cmpint (count (f, "SELECT count(*) FROM messages"), ==, 2);
}

static void
test_complete_folder_list_prunes (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(EmberFolderPage) delta = ember_folder_page_new ("folders");
  g_autoptr(EmberSyncState) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folders = NULL;
  EmberMessageRecord *message;
  EmberFolderRecord *renamed;

  add_gmail_labels (f);
  message = store_test_message ("a", TEST_EPOCH, "Receipt", "INBOX");
  ember_message_record_add_folder_id (message, "Label_1");
  g_ptr_array_add (page->messages, message);
  save_page (f, f->gmail, page);

  /* Label_1 deleted on the server: labels.list no longer has it. */
  store_test_save_folders (f->store, f->gmail,
                           store_test_folder ("INBOX", "Inbox", EMBER_FOLDER_KIND_INBOX),
                           store_test_folder ("SENT", "Sent", EMBER_FOLDER_KIND_SENT),
                           NULL);
  g_assert_cmpint (count (f, "SELECT count(*) FROM folders"), ==, 2);
  folders = folders_of (f, f->gmail, "a");
  g_assert_cmpstr (folders, ==, "INBOX");

  /* A delta: a rename and a deletion, with a cursor. */
  renamed = store_test_folder ("SENT", "Sent Items", EMBER_FOLDER_KIND_SENT);
  g_ptr_array_add (delta->folders, renamed);
  g_ptr_array_add (delta->deleted_ids, g_strdup ("INBOX"));
  delta->cursor = g_strdup ("folders-delta");
  ember_store_save_folder_page_sync (f->store, f->gmail, delta, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM folders WHERE name = 'Sent Items'"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM folders"), ==, 1);
  g_assert_true (exists (f, f->gmail, "a"));
  state = get_state (f, f->gmail, "folders");
  g_assert_cmpstr (state->cursor, ==, "folders-delta");
}

/* Queries */

static GPtrArray *
list (Fixture                 *f,
      const EmberMessageQuery *query)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *messages = ember_store_list_messages_sync (f->store, query, NULL, &error);

  g_assert_no_error (error);
  return messages;
}

static gint64
folder_id (Fixture    *f,
           gint64      account_id,
           const char *provider_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT id FROM folders WHERE account_id = %" G_GINT64_FORMAT
                                          " AND provider_id = '%s'", account_id, provider_id);

  return count (f, sql);
}

/* Walks a whole list page by page; checks order and that nothing repeats. */
static GPtrArray *
walk (Fixture           *f,
      EmberMessageQuery  query)
{
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_message_record_free);

  for (;;)
    {
      g_autoptr(GPtrArray) page = list (f, &query);

      if (page->len == 0)
        break;
      g_assert_cmpuint (page->len, <=, query.limit);
      for (guint i = 0; i < page->len; i++)
        {
          EmberMessageRecord *message = page->pdata[i];

          if (all->len > 0)
            {
              EmberMessageRecord *previous = all->pdata[all->len - 1];

              g_assert_true (previous->date > message->date ||
                             (previous->date == message->date && previous->id > message->id));
            }
          g_ptr_array_add (all, ember_message_record_copy (message));
        }
      query.after = ember_message_cursor_after (page->pdata[page->len - 1]);
    }

  return all;
}

static void
test_keyset_pages (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) inbox = NULL;
  g_autoptr(GPtrArray) unified = NULL;
  g_autoptr(GPtrArray) all_gmail = NULL;
  g_autoptr(GPtrArray) everything = NULL;
  g_autoptr(GPtrArray) first = NULL;
  EmberMessageQuery query = { 0 };

  add_gmail_labels (f);
  store_test_save_folders (f->store, f->outlook,
                           store_test_folder ("inbox-id", "Inbox", EMBER_FOLDER_KIND_INBOX),
                           NULL);

  /* 250 in the Gmail inbox, many sharing a date (ties broken by id), 30
   * archived, 40 in the Outlook inbox. */
  for (guint p = 0; p < 5; p++)
    {
      g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");

      for (guint i = 0; i < 50; i++)
        {
          g_autofree char *id = g_strdup_printf ("g%u-%u", p, i);
          guint n = p * 50 + i;

          g_ptr_array_add (page->messages, store_test_message (id, TEST_EPOCH + (n % 7) * 100, "Gmail", "INBOX"));
        }
      for (guint i = 0; i < 6; i++)
        {
          g_autofree char *id = g_strdup_printf ("archived%u-%u", p, i);

          g_ptr_array_add (page->messages, store_test_message (id, TEST_EPOCH + 5000 + i, "Old", "Label_1"));
        }
      save_page (f, f->gmail, page);
    }
  for (guint p = 0; p < 2; p++)
    {
      g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail:inbox-id");

      for (guint i = 0; i < 20; i++)
        {
          g_autofree char *id = g_strdup_printf ("o%u-%u", p, i);

          g_ptr_array_add (page->messages, store_test_message (id, TEST_EPOCH + 50 + i * 13, "Outlook", "inbox-id"));
        }
      save_page (f, f->outlook, page);
    }

  query.scope = EMBER_MESSAGE_SCOPE_FOLDER;
  query.folder_id = folder_id (f, f->gmail, "INBOX");
  query.limit = 100;
  first = list (f, &query);
  g_assert_cmpuint (first->len, ==, 100);
  /* No bodies in lists, folders filled in. */
  g_assert_null (((EmberMessageRecord *) first->pdata[0])->body_text);
  g_assert_cmpstr (((EmberMessageRecord *) first->pdata[0])->folder_names->pdata[0], ==, "Inbox");

  inbox = walk (f, query);
  g_assert_cmpuint (inbox->len, ==, 250);

  query.scope = EMBER_MESSAGE_SCOPE_INBOX;
  query.account_id = 0;
  query.limit = 33;
  unified = walk (f, query);
  g_assert_cmpuint (unified->len, ==, 290);

  query.scope = EMBER_MESSAGE_SCOPE_ALL;
  query.account_id = f->gmail;
  all_gmail = walk (f, query);
  g_assert_cmpuint (all_gmail->len, ==, 280);
  /* The archived ones are the newest. */
  g_assert_true (g_str_has_prefix (((EmberMessageRecord *) all_gmail->pdata[0])->provider_id, "archived"));

  query.account_id = 0;
  everything = walk (f, query);
  g_assert_cmpuint (everything->len, ==, 320);
}

static void
test_get_message_with_body (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(EmberMessageRecord) by_provider = NULL;
  g_autoptr(EmberMessageRecord) message = NULL;
  g_autoptr(GError) error = NULL;
  EmberMessageRecord *record;

  add_gmail_labels (f);
  record = store_test_message ("a", TEST_EPOCH, "With body", "INBOX");
  record->cc = g_strdup ("Carol <carol@example.com>");
  record->has_attachments = TRUE;
  record->attachments_json = g_strdup ("[{\"name\":\"a.pdf\",\"size\":10}]");
  g_ptr_array_add (page->messages, record);
  save_page (f, f->gmail, page);

  by_provider = find (f, f->gmail, "a");
  message = ember_store_get_message_sync (f->store, by_provider->id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (message->provider_id, ==, "a");
  g_assert_cmpint (message->account_id, ==, f->gmail);
  g_assert_cmpstr (message->thread_id, ==, "thread-a");
  g_assert_cmpstr (message->internet_message_id, ==, "<a@example.com>");
  g_assert_cmpstr (message->from_name, ==, "Ann Sender");
  g_assert_cmpstr (message->from_address, ==, "ann@example.com");
  g_assert_cmpstr (message->to, ==, "Bob <bob@example.com>");
  g_assert_cmpstr (message->cc, ==, "Carol <carol@example.com>");
  g_assert_cmpstr (message->body_text, ==, "Body of a: With body");
  g_assert_cmpstr (message->body_html, ==, "<p>With body</p>");
  g_assert_cmpstr (message->attachments_json, ==, "[{\"name\":\"a.pdf\",\"size\":10}]");
  g_assert_true (message->has_attachments);
  g_assert_cmpint (message->size, ==, 1000);
  g_assert_cmpuint (message->folder_names->len, ==, 1);
  g_assert_cmpstr (message->folder_names->pdata[0], ==, "Inbox");

  g_assert_null (ember_store_get_message_sync (f->store, by_provider->id + 1000, NULL, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND);
}

static void
test_list_messages_by_id (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(EmberMessagePage) deletion = ember_message_page_new ("mail");
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;
  EmberMessageRecord *record;
  EmberMessageRecord *c;
  gint64 a, b, c_id;

  add_gmail_labels (f);
  g_ptr_array_add (page->messages, store_test_message ("a", TEST_EPOCH, "First", "INBOX"));
  g_ptr_array_add (page->messages, store_test_message ("b", TEST_EPOCH + 10, "Second", "INBOX"));
  record = store_test_message ("c", TEST_EPOCH + 20, "Third", "Label_1");
  record->unread = FALSE;
  record->has_attachments = TRUE;
  record->attachments_json = g_strdup ("[{\"name\":\"c.pdf\",\"size\":10}]");
  g_ptr_array_add (page->messages, record);
  save_page (f, f->gmail, page);
  a = count (f, "SELECT id FROM messages WHERE provider_id = 'a'");
  b = count (f, "SELECT id FROM messages WHERE provider_id = 'b'");
  c_id = count (f, "SELECT id FROM messages WHERE provider_id = 'c'");

  g_ptr_array_add (deletion->deleted_ids, g_strdup ("b"));
  save_page (f, f->gmail, deletion);

  {
    /* Not in date or id order; a deleted and a never-seen id in between,
     * and ids asked twice. */
    gint64 ids[] = { c_id, b, a, c_id, c_id + 1000, a };

    messages = ember_store_list_messages_by_id_sync (f->store, ids, G_N_ELEMENTS (ids), NULL, &error);
  }
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 4);
  c = messages->pdata[0];
  g_assert_cmpstr (c->provider_id, ==, "c");
  g_assert_cmpstr (((EmberMessageRecord *) messages->pdata[1])->provider_id, ==, "a");
  g_assert_cmpstr (((EmberMessageRecord *) messages->pdata[2])->provider_id, ==, "c");
  g_assert_cmpstr (((EmberMessageRecord *) messages->pdata[3])->provider_id, ==, "a");
  g_assert_cmpint (((EmberMessageRecord *) messages->pdata[1])->id, ==, a);

  /* The list-row fields, and no body. */
  g_assert_cmpint (c->id, ==, c_id);
  g_assert_cmpint (c->account_id, ==, f->gmail);
  g_assert_cmpstr (c->thread_id, ==, "thread-c");
  g_assert_cmpstr (c->subject, ==, "Third");
  g_assert_cmpstr (c->from_name, ==, "Ann Sender");
  g_assert_cmpstr (c->from_address, ==, "ann@example.com");
  g_assert_cmpint (c->date, ==, TEST_EPOCH + 20);
  g_assert_cmpstr (c->snippet, ==, "snippet of c");
  g_assert_false (c->unread);
  g_assert_true (c->has_attachments);
  g_assert_true (((EmberMessageRecord *) messages->pdata[1])->unread);
  g_assert_false (((EmberMessageRecord *) messages->pdata[1])->has_attachments);
  g_assert_null (c->body_text);
  g_assert_null (c->body_html);
  g_assert_null (c->attachments_json);

  /* Nothing asked, nothing found: empty arrays, not errors. */
  none = ember_store_list_messages_by_id_sync (f->store, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
  g_clear_pointer (&none, g_ptr_array_unref);
  none = ember_store_list_messages_by_id_sync (f->store, &b, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_folder_counts (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GError) error = NULL;
  EmberAccountCounts counts;

  add_gmail_labels (f);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *id = g_strdup_printf ("m%u", i);
      EmberMessageRecord *message = store_test_message (id, TEST_EPOCH + i, "Count", "INBOX");

      message->unread = i < 3;
      if (i % 2 == 0)
        ember_message_record_add_folder_id (message, "Label_1");
      g_ptr_array_add (page->messages, message);
    }
  save_page (f, f->gmail, page);

  folders = ember_store_list_folders_sync (f->store, f->gmail, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 3);
  /* Inbox first, then by kind. */
  g_assert_cmpstr (((EmberFolderRecord *) folders->pdata[0])->provider_id, ==, "INBOX");
  g_assert_cmpint (((EmberFolderRecord *) folders->pdata[0])->unread_count, ==, 3);
  g_assert_cmpint (((EmberFolderRecord *) folders->pdata[0])->total_count, ==, 10);
  g_assert_cmpstr (((EmberFolderRecord *) folders->pdata[1])->provider_id, ==, "SENT");
  g_assert_cmpint (((EmberFolderRecord *) folders->pdata[1])->unread_count, ==, 0);
  g_assert_cmpint (((EmberFolderRecord *) folders->pdata[1])->total_count, ==, 0);
  g_assert_cmpstr (((EmberFolderRecord *) folders->pdata[2])->provider_id, ==, "Label_1");
  g_assert_cmpint (((EmberFolderRecord *) folders->pdata[2])->kind, ==, EMBER_FOLDER_KIND_LABEL);
  g_assert_cmpint (((EmberFolderRecord *) folders->pdata[2])->unread_count, ==, 2);
  g_assert_cmpint (((EmberFolderRecord *) folders->pdata[2])->total_count, ==, 5);

  ember_store_get_account_counts_sync (f->store, f->gmail, &counts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (counts.messages, ==, 10);
  g_assert_cmpint (counts.unread, ==, 3);
  g_assert_cmpint (counts.folders, ==, 3);
  g_assert_cmpint (counts.calendars, ==, 0);
  g_assert_cmpint (counts.events, ==, 0);

  g_assert_false (ember_store_get_account_counts_sync (f->store, 9999, &counts, NULL, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND);
}

/* Calendar */

static EmberEventRecord *
timed_event (const char *id,
             gint64      start,
             gint64      end)
{
  EmberEventRecord *event = ember_event_record_new ();

  event->provider_id = g_strdup (id);
  event->summary = g_strdup (id);
  event->start = start;
  event->end = end;
  event->time_zone = g_strdup ("Europe/Zurich");
  event->status = g_strdup ("confirmed");
  return event;
}

static EmberEventRecord *
all_day_event (const char *id,
               const char *start_date,
               const char *end_date)
{
  EmberEventRecord *event = ember_event_record_new ();

  event->provider_id = g_strdup (id);
  event->summary = g_strdup (id);
  event->all_day = TRUE;
  event->start_date = g_strdup (start_date);
  event->end_date = g_strdup (end_date);
  return event;
}

static void
save_calendars (Fixture *f)
{
  g_autoptr(EmberCalendarPage) page = ember_calendar_page_new ("calendars");
  g_autoptr(GError) error = NULL;
  EmberCalendarRecord *calendar;

  calendar = ember_calendar_record_new ();
  calendar->provider_id = g_strdup ("primary");
  calendar->name = g_strdup ("Me");
  calendar->is_primary = TRUE;
  calendar->color = g_strdup ("#3584e4");
  calendar->time_zone = g_strdup ("Europe/Zurich");
  g_ptr_array_add (page->calendars, calendar);
  calendar = ember_calendar_record_new ();
  calendar->provider_id = g_strdup ("holidays");
  calendar->name = g_strdup ("Holidays");
  g_ptr_array_add (page->calendars, calendar);
  page->complete = TRUE;

  ember_store_save_calendar_page_sync (f->store, f->gmail, page, NULL, &error);
  g_assert_no_error (error);
}

static GPtrArray *
events_between (Fixture *f,
                gint64   from,
                gint64   to)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *events = ember_store_list_events_sync (f->store, 0, from, to, NULL, &error);

  g_assert_no_error (error);
  return events;
}

static char *
event_ids (GPtrArray *events)
{
  g_autoptr(GString) ids = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++)
    g_string_append_printf (ids, "%s%s", i > 0 ? "," : "", ((EmberEventRecord *) events->pdata[i])->provider_id);

  return g_strdup (ids->str);
}

static void
test_events_in_range (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(EmberEventPage) page = ember_event_page_new ("calendar:primary", "primary");
  g_autoptr(EmberEventPage) holidays = ember_event_page_new ("calendar:holidays", "holidays");
  g_autoptr(EmberSyncState) state = NULL;
  g_autoptr(GPtrArray) day = NULL;
  g_autoptr(GPtrArray) next_day = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ids = NULL;
  EmberEventRecord *cancelled, *instance;
  EmberEventRecord *stored;

  save_calendars (f);

  /* TEST_EPOCH is 2026-01-01 00:00 UTC. */
  g_ptr_array_add (page->events, timed_event ("before", TEST_EPOCH - 7200, TEST_EPOCH - 3600));
  g_ptr_array_add (page->events, timed_event ("across-midnight", TEST_EPOCH - 1800, TEST_EPOCH + 1800));
  g_ptr_array_add (page->events, timed_event ("morning", TEST_EPOCH + 9 * 3600, TEST_EPOCH + 10 * 3600));
  g_ptr_array_add (page->events, timed_event ("ends-at-next-day", TEST_EPOCH + 23 * 3600, TEST_EPOCH + DAY));
  g_ptr_array_add (page->events, timed_event ("next-day", TEST_EPOCH + DAY, TEST_EPOCH + DAY + 3600));
  cancelled = timed_event ("cancelled", TEST_EPOCH + 3600, TEST_EPOCH + 7200);
  g_free (cancelled->status);
  cancelled->status = g_strdup ("cancelled");
  g_ptr_array_add (page->events, cancelled);
  instance = timed_event ("series_20260101", TEST_EPOCH + 12 * 3600, TEST_EPOCH + 13 * 3600);
  instance->recurring_event_id = g_strdup ("series");
  instance->original_start = TEST_EPOCH + 11 * 3600;
  instance->attendees_json = g_strdup ("[{\"email\":\"a@example.com\"}]");
  instance->organizer = g_strdup ("boss@example.com");
  g_ptr_array_add (page->events, instance);
  page->cursor = g_strdup ("sync-token-1");
  ember_store_save_event_page_sync (f->store, f->gmail, page, NULL, &error);
  g_assert_no_error (error);

  g_ptr_array_add (holidays->events, all_day_event ("new-year", "2026-01-01", "2026-01-02"));
  g_ptr_array_add (holidays->events, all_day_event ("two-days", "2025-12-31", "2026-01-02"));
  ember_store_save_event_page_sync (f->store, f->gmail, holidays, NULL, &error);
  g_assert_no_error (error);

  day = events_between (f, TEST_EPOCH, TEST_EPOCH + DAY);
  ids = event_ids (day);
  g_assert_cmpstr (ids, ==, "two-days,across-midnight,new-year,morning,series_20260101,ends-at-next-day");
  g_clear_pointer (&ids, g_free);

  stored = day->pdata[2];
  g_assert_true (stored->all_day);
  g_assert_cmpstr (stored->start_date, ==, "2026-01-01");
  g_assert_cmpstr (stored->end_date, ==, "2026-01-02");
  g_assert_cmpint (stored->start, ==, TEST_EPOCH);
  g_assert_cmpint (stored->end, ==, TEST_EPOCH + DAY);
  g_assert_cmpstr (stored->calendar_provider_id, ==, "holidays");

  stored = day->pdata[4];
  g_assert_cmpstr (stored->recurring_event_id, ==, "series");
  g_assert_cmpint (stored->original_start, ==, TEST_EPOCH + 11 * 3600);
  g_assert_cmpstr (stored->organizer, ==, "boss@example.com");
  g_assert_cmpstr (stored->time_zone, ==, "Europe/Zurich");
  g_assert_false (stored->all_day);
  g_assert_null (stored->start_date);

  next_day = events_between (f, TEST_EPOCH + DAY, TEST_EPOCH + 2 * DAY);
  ids = event_ids (next_day);
  g_assert_cmpstr (ids, ==, "next-day");
  g_clear_pointer (&ids, g_free);

  state = get_state (f, f->gmail, "calendar:primary");
  g_assert_cmpstr (state->cursor, ==, "sync-token-1");

  /* Replays do not duplicate; deletions remove. */
  ember_store_save_event_page_sync (f->store, f->gmail, page, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM events"), ==, 9);
  g_ptr_array_set_size (page->events, 0);
  g_ptr_array_add (page->deleted_ids, g_strdup ("morning"));
  ember_store_save_event_page_sync (f->store, f->gmail, page, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM events"), ==, 8);

  /* The calendar list without "holidays" removes it with its events. */
  g_ptr_array_set_size (page->deleted_ids, 0);
  {
    g_autoptr(EmberCalendarPage) calendars = ember_calendar_page_new (NULL);
    EmberCalendarRecord *calendar = ember_calendar_record_new ();

    calendar->provider_id = g_strdup ("primary");
    calendar->name = g_strdup ("Me");
    g_ptr_array_add (calendars->calendars, calendar);
    calendars->complete = TRUE;
    ember_store_save_calendar_page_sync (f->store, f->gmail, calendars, NULL, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (count (f, "SELECT count(*) FROM events"), ==, 6);
  g_assert_cmpint (count (f, "SELECT count(*) FROM calendars"), ==, 1);
}

static void
save_primary_calendar (Fixture *f,
                       gboolean has_default,
                       guint    default_minutes)
{
  g_autoptr(EmberCalendarPage) page = ember_calendar_page_new ("calendars");
  g_autoptr(GError) error = NULL;
  EmberCalendarRecord *calendar = ember_calendar_record_new ();

  calendar->provider_id = g_strdup ("primary");
  calendar->name = g_strdup ("Me");
  calendar->is_primary = TRUE;
  calendar->has_default_reminder = has_default;
  calendar->default_reminder_minutes = default_minutes;
  g_ptr_array_add (page->calendars, calendar);
  ember_store_save_calendar_page_sync (f->store, f->gmail, page, NULL, &error);
  g_assert_no_error (error);
}

static void
assert_reminder (const EmberEventRecord *event,
                 const char             *provider_id,
                 gint                    minutes)  /* -1: none */
{
  g_assert_cmpstr (event->provider_id, ==, provider_id);
  g_assert_cmpint (event->has_reminder, ==, minutes >= 0);
  if (minutes >= 0)
    g_assert_cmpuint (event->reminder_minutes, ==, (guint) minutes);
}

/* Own reminders, the calendar's default, and none; a changed default
 * reaches the events that follow it. */
static void
test_event_reminders (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(EmberEventPage) page = ember_event_page_new ("calendar:primary", "primary");
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(EmberEventRecord) got = NULL;
  g_autoptr(GError) error = NULL;
  EmberEventRecord *event;

  save_primary_calendar (f, TRUE, 10);

  event = timed_event ("follows-default", TEST_EPOCH + 3600, TEST_EPOCH + 7200);
  event->reminder_default = TRUE;
  /* Ignored: the default wins. */
  event->has_reminder = TRUE;
  event->reminder_minutes = 99;
  g_ptr_array_add (page->events, event);
  event = timed_event ("own", TEST_EPOCH + 2 * 3600, TEST_EPOCH + 3 * 3600);
  event->has_reminder = TRUE;
  event->reminder_minutes = 30;
  g_ptr_array_add (page->events, event);
  event = timed_event ("at-start", TEST_EPOCH + 3 * 3600, TEST_EPOCH + 4 * 3600);
  event->has_reminder = TRUE;
  event->reminder_minutes = 0;
  g_ptr_array_add (page->events, event);
  g_ptr_array_add (page->events, timed_event ("none", TEST_EPOCH + 4 * 3600, TEST_EPOCH + 5 * 3600));
  ember_store_save_event_page_sync (f->store, f->gmail, page, NULL, &error);
  g_assert_no_error (error);

  events = events_between (f, TEST_EPOCH, TEST_EPOCH + DAY);
  g_assert_cmpuint (events->len, ==, 4);
  assert_reminder (events->pdata[0], "follows-default", 10);
  g_assert_true (((EmberEventRecord *) events->pdata[0])->reminder_default);
  assert_reminder (events->pdata[1], "own", 30);
  assert_reminder (events->pdata[2], "at-start", 0);
  assert_reminder (events->pdata[3], "none", -1);

  got = ember_store_get_event_sync (f->store, ((EmberEventRecord *) events->pdata[1])->id, NULL, &error);
  g_assert_no_error (error);
  assert_reminder (got, "own", 30);
  g_assert_cmpint (got->start, ==, TEST_EPOCH + 2 * 3600);
  g_clear_pointer (&got, ember_event_record_free);

  /* The calendar's default goes away: so does the reminder of the event
   * that follows it, and only that one. */
  save_primary_calendar (f, FALSE, 0);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = events_between (f, TEST_EPOCH, TEST_EPOCH + DAY);
  assert_reminder (events->pdata[0], "follows-default", -1);
  assert_reminder (events->pdata[1], "own", 30);

  save_primary_calendar (f, TRUE, 5);
  g_clear_pointer (&events, g_ptr_array_unref);
  events = events_between (f, TEST_EPOCH, TEST_EPOCH + DAY);
  assert_reminder (events->pdata[0], "follows-default", 5);

  got = ember_store_get_event_sync (f->store, 123456, NULL, &error);
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND);
  g_assert_null (got);
}

static void
test_bad_events_are_refused (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(EmberEventPage) page = ember_event_page_new ("calendar:primary", "primary");
  g_autoptr(EmberEventPage) unknown = ember_event_page_new ("calendar:nope", "nope");
  g_autoptr(EmberSyncState) state = NULL;
  g_autoptr(GError) error = NULL;

  save_calendars (f);

  g_ptr_array_add (page->events, timed_event ("fine", TEST_EPOCH, TEST_EPOCH + 60));
  g_ptr_array_add (page->events, all_day_event ("bad-date", "2026-02-30", NULL));
  page->cursor = g_strdup ("token");
  g_assert_false (ember_store_save_event_page_sync (f->store, f->gmail, page, NULL, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "bad-date"));
  g_clear_error (&error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM events"), ==, 0);
  state = get_state (f, f->gmail, "calendar:primary");
  g_assert_null (state->cursor);

  g_ptr_array_set_size (page->events, 0);
  g_ptr_array_add (page->events, timed_event ("backwards", TEST_EPOCH, TEST_EPOCH - 60));
  g_assert_false (ember_store_save_event_page_sync (f->store, f->gmail, page, NULL, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_FAILED);
  g_clear_error (&error);

  /* An all-day event without an end lasts one day. */
  g_ptr_array_set_size (page->events, 0);
  g_ptr_array_add (page->events, all_day_event ("one-day", "2026-03-01", NULL));
  ember_store_save_event_page_sync (f->store, f->gmail, page, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "SELECT end_utc - start_utc FROM events"), ==, DAY);

  g_ptr_array_add (unknown->events, timed_event ("fine", TEST_EPOCH, TEST_EPOCH + 60));
  g_assert_false (ember_store_save_event_page_sync (f->store, f->gmail, unknown, NULL, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND);
}

/* Sync state */

static void
test_sync_state (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(EmberSyncState) state = NULL;
  g_autoptr(GPtrArray) states = NULL;
  g_autoptr(GPtrArray) statuses = NULL;
  g_autoptr(GError) error = NULL;
  EmberAccountStatus *status;

  state = get_state (f, f->gmail, "mail");
  g_assert_cmpint (state->account_id, ==, f->gmail);
  g_assert_cmpstr (state->resource, ==, "mail");
  g_assert_null (state->cursor);
  g_assert_null (state->phase);
  g_assert_cmpint (state->last_success, ==, 0);
  g_clear_pointer (&state, ember_sync_state_free);

  ember_store_set_sync_cursor_sync (f->store, f->gmail, "mail", "history:5", "incremental", NULL, &error);
  g_assert_no_error (error);
  ember_fake_clock_advance (f->clock, 60 * G_USEC_PER_SEC);
  ember_store_record_sync_error_sync (f->store, f->gmail, "mail",
                                      "HTTP 401: Authorization: Bearer ya29.secret-token-value",
                                      NULL, &error);
  g_assert_no_error (error);
  ember_store_set_sync_extra_sync (f->store, f->gmail, "mail", "{\"labels\":3}", NULL, &error);
  g_assert_no_error (error);

  state = get_state (f, f->gmail, "mail");
  g_assert_cmpstr (state->cursor, ==, "history:5");
  g_assert_cmpstr (state->phase, ==, "incremental");
  g_assert_cmpint (state->last_error_time, ==, TEST_EPOCH + 60);
  g_assert_nonnull (state->last_error);
  g_assert_null (strstr (state->last_error, "secret-token-value"));
  g_assert_nonnull (strstr (state->last_error, "HTTP 401"));
  g_assert_cmpstr (state->extra_json, ==, "{\"labels\":3}");
  g_clear_pointer (&state, ember_sync_state_free);

  ember_fake_clock_advance (f->clock, 60 * G_USEC_PER_SEC);
  ember_store_record_sync_result_sync (f->store, f->gmail, "mail", NULL, NULL, &error);
  g_assert_no_error (error);
  ember_store_record_sync_result_sync (f->store, f->gmail, "calendar:primary", "offline", NULL, &error);
  g_assert_no_error (error);
  state = get_state (f, f->gmail, "mail");
  g_assert_cmpint (state->last_success, ==, TEST_EPOCH + 120);
  g_assert_null (state->last_error);
  g_assert_cmpstr (state->cursor, ==, "history:5");
  g_clear_pointer (&state, ember_sync_state_free);

  /* Clearing the cursor (expired history): next sync is a full one. */
  ember_store_set_sync_cursor_sync (f->store, f->gmail, "mail", NULL, "full", NULL, &error);
  g_assert_no_error (error);
  state = get_state (f, f->gmail, "mail");
  g_assert_null (state->cursor);
  g_assert_cmpstr (state->phase, ==, "full");

  states = ember_store_list_sync_states_sync (f->store, f->gmail, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (states->len, ==, 2);
  g_assert_cmpstr (((EmberSyncState *) states->pdata[0])->resource, ==, "calendar:primary");
  g_assert_cmpstr (((EmberSyncState *) states->pdata[0])->last_error, ==, "offline");
  g_assert_cmpstr (((EmberSyncState *) states->pdata[1])->resource, ==, "mail");

  statuses = ember_store_list_account_status_sync (f->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (statuses->len, ==, 2);
  status = statuses->pdata[0];
  g_assert_cmpint (status->account->id, ==, f->gmail);
  g_assert_cmpuint (status->sync_states->len, ==, 2);
  g_assert_cmpint (status->counts.messages, ==, 0);
  status = statuses->pdata[1];
  g_assert_cmpint (status->account->id, ==, f->outlook);
  g_assert_cmpuint (status->sync_states->len, ==, 0);

  g_assert_false (ember_store_set_sync_cursor_sync (f->store, 9999, "mail", "x", NULL, NULL, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND);
}

/* Async wrappers */

typedef struct
{
  GAsyncResult *result;
} AsyncWait;

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncWait *wait = user_data;

  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  wait->result = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return ((AsyncWait *) data)->result != NULL;
}

static GAsyncResult *
wait_result (AsyncWait *wait)
{
  g_assert_true (ember_test_wait_for (has_result, wait, 10000));
  return g_steal_pointer (&wait->result);
}

static void
test_async_wrappers (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(EmberAccountRecord) account = ember_account_record_new ();
  g_autoptr(EmberAccountRecord) stored = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) by_id = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GPtrArray) statuses = NULL;
  g_autoptr(EmberMessageRecord) message = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  EmberMessageQuery query = { EMBER_MESSAGE_SCOPE_INBOX, 0, 0, { 0, 0 }, 10 };
  AsyncWait wait = { NULL };
  gint64 new_id;

  add_gmail_labels (f);
  g_ptr_array_add (page->messages, store_test_message ("a", TEST_EPOCH, "Async hello", "INBOX"));
  save_page (f, f->gmail, page);

  ember_store_list_messages_async (f->store, &query, NULL, async_done_cb, &wait);
  result = wait_result (&wait);
  messages = ember_store_list_messages_finish (f->store, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 1);
  g_clear_object (&result);

  ember_store_get_message_async (f->store, ((EmberMessageRecord *) messages->pdata[0])->id,
                                 NULL, async_done_cb, &wait);
  result = wait_result (&wait);
  message = ember_store_get_message_finish (f->store, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (message->body_text, ==, "Body of a: Async hello");
  g_clear_object (&result);

  {
    gint64 ids[] = { message->id + 1000, message->id };

    ember_store_list_messages_by_id_async (f->store, ids, G_N_ELEMENTS (ids), NULL, async_done_cb, &wait);
    /* The ids were copied: the caller's array may go at once. */
    ids[1] = 0;
  }
  result = wait_result (&wait);
  by_id = ember_store_list_messages_by_id_finish (f->store, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (by_id->len, ==, 1);
  g_assert_cmpstr (((EmberMessageRecord *) by_id->pdata[0])->subject, ==, "Async hello");
  g_assert_null (((EmberMessageRecord *) by_id->pdata[0])->body_text);
  g_clear_object (&result);

  ember_store_search_messages_async (f->store, "async", 0, 10, NULL, async_done_cb, &wait);
  result = wait_result (&wait);
  hits = ember_store_search_messages_finish (f->store, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  g_clear_object (&result);

  ember_store_list_folders_async (f->store, f->gmail, NULL, async_done_cb, &wait);
  result = wait_result (&wait);
  folders = ember_store_list_folders_finish (f->store, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 3);
  g_clear_object (&result);

  ember_store_list_events_async (f->store, 0, 0, G_MAXINT64, NULL, async_done_cb, &wait);
  result = wait_result (&wait);
  events = ember_store_list_events_finish (f->store, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 0);
  g_clear_object (&result);

  account->provider = g_strdup ("gmail");
  account->email = g_strdup ("third@gmail.com");
  ember_store_add_account_async (f->store, account, NULL, async_done_cb, &wait);
  result = wait_result (&wait);
  new_id = ember_store_add_account_finish (f->store, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (new_id, >, f->outlook);
  g_clear_object (&result);

  account->id = new_id;
  account->mail_enabled = FALSE;
  ember_store_update_account_async (f->store, account, NULL, async_done_cb, &wait);
  result = wait_result (&wait);
  g_assert_true (ember_store_update_account_finish (f->store, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  stored = ember_store_get_account_sync (f->store, new_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (stored->mail_enabled);

  ember_store_list_accounts_async (f->store, NULL, async_done_cb, &wait);
  result = wait_result (&wait);
  accounts = ember_store_list_accounts_finish (f->store, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 3);
  g_clear_object (&result);

  ember_store_remove_account_async (f->store, new_id, NULL, async_done_cb, &wait);
  result = wait_result (&wait);
  g_assert_true (ember_store_remove_account_finish (f->store, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  ember_store_list_account_status_async (f->store, NULL, async_done_cb, &wait);
  result = wait_result (&wait);
  statuses = ember_store_list_account_status_finish (f->store, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (statuses->len, ==, 2);
  g_assert_cmpint (((EmberAccountStatus *) statuses->pdata[0])->counts.messages, ==, 1);
  g_clear_object (&result);

  /* Errors come back through the task. */
  ember_store_get_message_async (f->store, 424242, NULL, async_done_cb, &wait);
  result = wait_result (&wait);
  g_assert_null (ember_store_get_message_finish (f->store, result, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND);
}

static gint64
inbox_unread (Fixture *f)
{
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GError) error = NULL;

  folders = ember_store_list_folders_sync (f->store, f->gmail, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (((EmberFolderRecord *) folders->pdata[0])->provider_id, ==, "INBOX");
  return ((EmberFolderRecord *) folders->pdata[0])->unread_count;
}

static void
test_local_unread_flag (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  g_autoptr(EmberMessagePage) again = ember_message_page_new ("mail");
  g_autoptr(EmberMessageRecord) message = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  EmberMessageRecord *record;
  AsyncWait wait = { NULL };
  gint64 id;

  add_gmail_labels (f);
  record = store_test_message ("m1", TEST_EPOCH, "Flag", "INBOX");
  record->unread = TRUE;
  g_ptr_array_add (page->messages, record);
  g_ptr_array_add (page->messages, store_test_message ("m2", TEST_EPOCH + 1, "Other", "INBOX"));
  ((EmberMessageRecord *) page->messages->pdata[1])->unread = TRUE;
  save_page (f, f->gmail, page);
  g_assert_cmpint (inbox_unread (f), ==, 2);

  message = find (f, f->gmail, "m1");
  id = message->id;
  g_assert_true (ember_store_set_message_unread_sync (f->store, id, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (inbox_unread (f), ==, 1);
  g_assert_cmpint (count (f, "SELECT unread FROM messages WHERE provider_id = 'm1'"), ==, 0);
  g_assert_cmpint (count (f, "SELECT unread FROM messages WHERE provider_id = 'm2'"), ==, 1);
  /* Setting it again changes nothing and is no error. */
  g_assert_true (ember_store_set_message_unread_sync (f->store, id, FALSE, NULL, &error));
  g_assert_cmpint (inbox_unread (f), ==, 1);

  ember_store_set_message_unread_async (f->store, id, TRUE, NULL, async_done_cb, &wait);
  result = wait_result (&wait);
  g_assert_true (ember_store_set_message_unread_finish (f->store, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (inbox_unread (f), ==, 2);

  /* Local only: when a sync brings the message again, the server wins. */
  ember_store_set_message_unread_sync (f->store, id, FALSE, NULL, &error);
  g_assert_no_error (error);
  record = store_test_message ("m1", TEST_EPOCH, "Flag", "INBOX");
  record->unread = TRUE;
  g_ptr_array_add (again->messages, record);
  save_page (f, f->gmail, again);
  g_assert_cmpint (inbox_unread (f), ==, 2);

  g_assert_false (ember_store_set_message_unread_sync (f->store, 424242, TRUE, NULL, &error));
  g_assert_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND);
}

static void
new_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncWait *wait = user_data;

  wait->result = g_object_ref (result);
}

static void
test_open_async (void)
{
  g_autofree char *dir = store_test_make_dir ("async-open");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(GError) error = NULL;
  AsyncWait wait = { NULL };

  ember_store_new_async (dir, NULL, new_done_cb, &wait);
  result = wait_result (&wait);
  store = ember_store_new_finish (result, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (ember_store_get_path (store), dir));
}

static void
test_default_location (void)
{
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "ember", "ember.db", NULL);
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(GError) error = NULL;

  /* The test wrapper gives every test its own XDG_DATA_HOME. */
  if (g_getenv ("EMBER_TEST_TMPDIR") == NULL)
    {
      g_test_skip ("needs the per-test XDG_DATA_HOME of tests/test-wrapper.sh");
      return;
    }

  store = ember_store_new_sync (NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ember_store_get_path (store), ==, expected);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/ember/store/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("accounts/crud", test_accounts_crud);
  ADD ("accounts/remove-cascades", test_remove_account_cascades);
  ADD ("pages/atomic-and-idempotent", test_message_page_is_atomic_and_idempotent);
  ADD ("pages/failed-page-keeps-nothing", test_failed_page_keeps_nothing);
  ADD ("pages/cancelled-page-keeps-nothing", test_cancelled_page_keeps_nothing);
  ADD ("pages/removed-account", test_page_for_removed_account);
  ADD ("pages/upsert-keeps-bodies", test_upsert_updates_and_keeps_bodies);
  ADD ("pages/deleted-ids", test_deleted_ids_remove_messages);
  ADD ("folders/gmail-relabel", test_gmail_relabel);
  ADD ("folders/graph-move-either-order", test_graph_move_either_order);
  ADD ("folders/complete-list-prunes", test_complete_folder_list_prunes);
  ADD ("queries/keyset-pages", test_keyset_pages);
  ADD ("queries/get-message-with-body", test_get_message_with_body);
  ADD ("queries/by-id", test_list_messages_by_id);
  ADD ("queries/folder-counts", test_folder_counts);
  ADD ("queries/local-unread-flag", test_local_unread_flag);
  ADD ("events/in-range", test_events_in_range);
  ADD ("events/bad-events-are-refused", test_bad_events_are_refused);
  ADD ("events/reminders", test_event_reminders);
  ADD ("sync-state/get-set", test_sync_state);
  ADD ("async/wrappers", test_async_wrappers);

#undef ADD

  g_test_add_func ("/ember/store/open/async", test_open_async);
  g_test_add_func ("/ember/store/open/default-location", test_default_location);

  return g_test_run ();
}
