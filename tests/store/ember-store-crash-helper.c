/* ember-store-crash-helper.c: stores pages of mail until it is killed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: ember-store-crash-helper DATA_DIR
 *
 * Page n holds messages "p<n>-0" .. "p<n>-19", marks the previous page's
 * messages read and deletes "p<n-1>-19", and advances the "mail" cursor to
 * "page:<n>", all in one transaction. After any kill, the database must
 * hold exactly the pages up to its cursor: 19 messages for each earlier
 * page, 20 for the last. Prints "ready <n>" once open and "page <n>"
 * after each commit.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ember-store.h"

#define MESSAGES_PER_PAGE 20
#define MAX_PAGES         100000

static gint64
ensure_account (EmberStore *store)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(EmberAccountRecord) account = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  accounts = ember_store_list_accounts_sync (store, NULL, &error);
  if (accounts == NULL)
    g_error ("%s", error->message);
  if (accounts->len > 0)
    return ((EmberAccountRecord *) accounts->pdata[0])->id;

  account = ember_account_record_new ();
  account->provider = g_strdup ("gmail");
  account->email = g_strdup ("crash@example.com");
  id = ember_store_add_account_sync (store, account, NULL, &error);
  if (id == 0)
    g_error ("%s", error->message);

  return id;
}

static EmberMessagePage *
make_page (guint64 n)
{
  EmberMessagePage *page = ember_message_page_new ("mail");

  for (guint i = 0; i < MESSAGES_PER_PAGE; i++)
    {
      EmberMessageRecord *message = ember_message_record_new ();

      message->provider_id = g_strdup_printf ("p%" G_GUINT64_FORMAT "-%u", n, i);
      message->subject = g_strdup_printf ("Page %" G_GUINT64_FORMAT " message %u", n, i);
      message->from_address = g_strdup ("crash@example.com");
      message->date = 1767225600 + (gint64) n * 100 + i;
      message->unread = TRUE;
      message->snippet = g_strdup ("a snippet long enough to make the page span a few database pages");
      message->body_text = g_strdup_printf ("Body %" G_GUINT64_FORMAT " %u with some words to index", n, i);
      ember_message_record_add_folder_id (message, "INBOX");
      g_ptr_array_add (page->messages, message);
    }

  if (n > 1)
    {
      for (guint i = 0; i < MESSAGES_PER_PAGE - 1; i++)
        {
          EmberMessageRecord *message = ember_message_record_new ();

          /* The previous page's messages, now read: updates in the same
           * transaction. */
          message->provider_id = g_strdup_printf ("p%" G_GUINT64_FORMAT "-%u", n - 1, i);
          message->subject = g_strdup_printf ("Page %" G_GUINT64_FORMAT " message %u", n - 1, i);
          message->from_address = g_strdup ("crash@example.com");
          message->date = 1767225600 + (gint64) (n - 1) * 100 + i;
          message->unread = FALSE;
          g_ptr_array_add (page->messages, message);
        }
      g_ptr_array_add (page->deleted_ids, g_strdup_printf ("p%" G_GUINT64_FORMAT "-%u", n - 1, MESSAGES_PER_PAGE - 1));
    }

  page->cursor = g_strdup_printf ("page:%" G_GUINT64_FORMAT, n);
  page->phase = g_strdup ("full");

  return page;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(EmberSyncState) state = NULL;
  g_autoptr(GError) error = NULL;
  guint64 n = 0;
  gint64 account;

  if (argc != 2)
    {
      g_printerr ("Usage: %s DATA_DIR\n", argv[0]);
      return 2;
    }

  store = ember_store_new_sync (argv[1], NULL, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  account = ensure_account (store);

  state = ember_store_get_sync_state_sync (store, account, "mail", NULL, &error);
  if (state == NULL)
    g_error ("%s", error->message);
  if (state->cursor != NULL && !g_str_has_prefix (state->cursor, "page:"))
    g_error ("Unexpected cursor %s", state->cursor);
  if (state->cursor != NULL)
    n = g_ascii_strtoull (state->cursor + strlen ("page:"), NULL, 10);

  printf ("ready %" G_GUINT64_FORMAT "\n", n);
  fflush (stdout);

  while (++n < MAX_PAGES)
    {
      g_autoptr(EmberMessagePage) page = make_page (n);

      if (!ember_store_save_message_page_sync (store, account, page, NULL, &error))
        g_error ("%s", error->message);
      printf ("page %" G_GUINT64_FORMAT "\n", n);
      fflush (stdout);
    }

  return 0;
}
