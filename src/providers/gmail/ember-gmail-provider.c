/* ember-gmail-provider.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Mail follows Google's sync guide. A full sync takes the profile's
 * historyId first, stores the labels, lists INBOX newest first and then
 * every message (spam and trash included), fetching what is not stored yet
 * in batches of format=raw gets; every batch is committed with the list
 * position, so a stopped sync resumes where it stopped. Only when the
 * listing is complete does the cursor become that first historyId. An
 * incremental sync replays history.list page by page from the stored
 * historyId; a 404 (history too old) starts a full resync that ends by
 * deleting the stored messages the server no longer lists.
 */
#define G_LOG_DOMAIN "ember-providers"

#include "config.h"

#include <string.h>

#include "ember-error.h"
#include "ember-gcal-sync.h"
#include "ember-gmail-fetch.h"
#include "ember-gmail-json.h"
#include "ember-gmail-provider.h"
#include "ember-redact.h"

#define GMAIL_PATH               "/gmail/v1/users/me"
#define RESOURCE_FOLDERS         "folders"
#define PHASE_FULL_INBOX         "full-inbox"
#define PHASE_FULL_ALL           "full-all"
#define PHASE_FULL_SWEEP         "full-sweep"
#define PHASE_INCREMENTAL        "incremental"
/* INBOX pages are small so the newest mail lands first; the rest of the
 * listing uses Gmail's largest page (a list costs the same either way). */
#define INBOX_LIST_PAGE_SIZE     100
#define ALL_LIST_PAGE_SIZE       500
#define HISTORY_PAGE_SIZE        500
/* history.list may answer a nextPageToken without records (a known
 * inconsistency); this many in a row is treated as a failure. */
#define MAX_EMPTY_HISTORY_PAGES  20
#define STORE_LIST_CHUNK         1000
/* The newest INBOX messages a window shows at once; the first batches of
 * a full sync end exactly there, so they are stored as early as the quota
 * allows. */
#define FIRST_SCREEN             50

struct _EmberGmailProvider
{
  GObject             parent_instance;

  EmberAccountRecord *account;
  EmberStore         *store;
  EmberHttpClient    *client;
  EmberApiEndpoint   *mail_endpoint;
  EmberApiEndpoint   *calendar_endpoint;
  guint               batch_size;
};

static void ember_gmail_provider_iface_init (EmberProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EmberGmailProvider, ember_gmail_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (EMBER_TYPE_PROVIDER,
                                                      ember_gmail_provider_iface_init))

/* What a full sync carries from page to page. */
typedef struct
{
  EmberGmailProvider *self;
  EmberSyncReport    *report;
  GCancellable       *cancellable;
  guint64             start_history_id; /* the profile's, taken before listing */
  gboolean            resync;           /* the store held mail when it started */
  guint64             total;            /* profile messagesTotal */
  GHashTable         *known_ids;        /* stored provider ids */
  GHashTable         *fetched_ids;      /* fetched by this run */
  GHashTable         *seen_ids;         /* listed by this run's full listing */
  gboolean            seen_complete;    /* the full listing ran from its start */
  guint64             done;
} FullSync;

static void
full_sync_clear (FullSync *sync)
{
  g_clear_pointer (&sync->known_ids, g_hash_table_unref);
  g_clear_pointer (&sync->fetched_ids, g_hash_table_unref);
  g_clear_pointer (&sync->seen_ids, g_hash_table_unref);
}

/* Full-sync cursors: {"history": "<id>", "mode": "initial"|"resync",
 * "page": "<list page token>"}. */
static char *
full_cursor_new (guint64     history_id,
                 gboolean    resync,
                 const char *page_token)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *history = g_strdup_printf ("%" G_GUINT64_FORMAT, history_id);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "history");
  json_builder_add_string_value (builder, history);
  json_builder_set_member_name (builder, "mode");
  json_builder_add_string_value (builder, resync ? "resync" : "initial");
  if (page_token != NULL)
    {
      json_builder_set_member_name (builder, "page");
      json_builder_add_string_value (builder, page_token);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static gboolean
full_cursor_parse (const char  *cursor,
                   guint64     *out_history_id,
                   gboolean    *out_resync,
                   char       **out_page_token)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  if (cursor == NULL || !json_parser_load_from_data (parser, cursor, -1, NULL))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  object = json_node_get_object (json_parser_get_root (parser));

  *out_history_id = ember_gmail_json_get_uint64 (object, "history");
  if (*out_history_id == 0)
    return FALSE;
  *out_resync = g_strcmp0 (ember_gmail_json_get_string (object, "mode"), "resync") == 0;
  *out_page_token = g_strdup (ember_gmail_json_get_string (object, "page"));

  return TRUE;
}

static gboolean
error_is_status (const GError     *error,
                 EmberHttpRequest *request,
                 guint             status)
{
  return g_error_matches (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_CLIENT) &&
         ember_http_request_get_status (request) == status;
}

static JsonObject *
send_for_object (EmberGmailProvider  *self,
                 EmberHttpRequest    *request,
                 JsonNode           **out_node,
                 GCancellable        *cancellable,
                 GError             **error)
{
  g_autoptr(JsonNode) node = NULL;

  node = ember_http_client_send_json_sync (self->client, self->mail_endpoint, request,
                                           cancellable, error);
  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                   "Gmail answered %s with something other than a JSON object",
                   ember_http_request_get_path (request));
      return NULL;
    }

  *out_node = g_steal_pointer (&node);
  return json_node_get_object (*out_node);
}

static JsonArray *
get_array_member (JsonObject *object,
                  const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* The batch size, lowered so that one batch never costs more than the
 * mail endpoint's rate limiter allows at once: a dearer request would wait
 * for an empty window and still overshoot the quota. */
static guint
effective_batch_size (EmberGmailProvider *self)
{
  g_autoptr(EmberRateLimiter) limiter = ember_api_endpoint_ref_rate_limiter (self->mail_endpoint);
  double cost = ember_api_endpoint_get_cost (self->mail_endpoint, "messages.get");
  double burst = 0;

  if (limiter == NULL || cost <= 0)
    return self->batch_size;

  g_object_get (limiter, "burst", &burst, NULL);
  return CLAMP ((guint) (burst / cost), 1, self->batch_size);
}

static gboolean
fetch_profile (EmberGmailProvider  *self,
               guint64             *out_history_id,
               guint64             *out_total,
               GCancellable        *cancellable,
               GError             **error)
{
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", GMAIL_PATH "/profile");
  g_autoptr(JsonNode) node = NULL;
  JsonObject *profile;

  ember_http_request_set_operation (request, "getProfile");
  profile = send_for_object (self, request, &node, cancellable, error);
  if (profile == NULL)
    return FALSE;

  *out_history_id = ember_gmail_json_get_uint64 (profile, "historyId");
  *out_total = ember_gmail_json_get_uint64 (profile, "messagesTotal");
  if (*out_history_id == 0)
    {
      g_set_error_literal (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                           "Gmail's profile has no historyId");
      return FALSE;
    }

  return TRUE;
}

static gboolean
sync_labels (EmberGmailProvider  *self,
             EmberSyncReport     *report,
             GCancellable        *cancellable,
             GError             **error)
{
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", GMAIL_PATH "/labels");
  g_autoptr(EmberFolderPage) page = ember_folder_page_new (RESOURCE_FOLDERS);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *reply;
  JsonArray *labels;

  ember_sync_report_progress (report, "folders", 0, 0, "Fetching labels");
  ember_http_request_set_operation (request, "labels.list");
  reply = send_for_object (self, request, &node, cancellable, error);
  if (reply == NULL)
    return FALSE;

  labels = get_array_member (reply, "labels");
  if (labels == NULL)
    {
      g_set_error_literal (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                           "Gmail's label list has no labels");
      return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (labels); i++)
    {
      JsonNode *element = json_array_get_element (labels, i);
      EmberFolderRecord *folder;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      folder = ember_gmail_folder_from_label (json_node_get_object (element));
      if (folder != NULL)
        g_ptr_array_add (page->folders, folder);
    }
  page->complete = TRUE;
  page->phase = g_strdup (PHASE_INCREMENTAL);

  return ember_store_save_folder_page_sync (self->store, self->account->id, page, cancellable, error);
}

/* Every message provider id stored for the account. */
static GHashTable *
load_stored_ids (EmberGmailProvider  *self,
                 GCancellable        *cancellable,
                 GError             **error)
{
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  EmberMessageQuery query = { 0 };

  query.scope = EMBER_MESSAGE_SCOPE_ALL;
  query.account_id = self->account->id;
  query.limit = STORE_LIST_CHUNK;

  for (;;)
    {
      g_autoptr(GPtrArray) chunk = ember_store_list_messages_sync (self->store, &query,
                                                                   cancellable, error);

      if (chunk == NULL)
        return NULL;
      for (guint i = 0; i < chunk->len; i++)
        {
          EmberMessageRecord *record = g_ptr_array_index (chunk, i);

          g_hash_table_add (ids, g_strdup (record->provider_id));
        }
      if (chunk->len < query.limit)
        break;
      query.after = ember_message_cursor_after (g_ptr_array_index (chunk, chunk->len - 1));
    }

  return g_steal_pointer (&ids);
}

static void
report_full_progress (FullSync *sync)
{
  guint64 total = MAX (sync->total, sync->done);

  ember_sync_report_progress (sync->report, "mail", sync->done, total, "Fetching messages");
}

/* One messages.list page. */
static gboolean
list_page (EmberGmailProvider  *self,
           gboolean             inbox_only,
           const char          *page_token,
           GPtrArray          **out_ids,
           char               **out_next_page_token,
           guint64             *out_estimate,
           GCancellable        *cancellable,
           GError             **error)
{
  g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", GMAIL_PATH "/messages");
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *page_size = g_strdup_printf ("%u", inbox_only ? INBOX_LIST_PAGE_SIZE
                                                                  : ALL_LIST_PAGE_SIZE);
  JsonObject *reply;
  JsonArray *messages;

  ember_http_request_set_operation (request, "messages.list");
  ember_http_request_add_query (request, "maxResults", page_size);
  if (inbox_only)
    ember_http_request_add_query (request, "labelIds", EMBER_GMAIL_LABEL_INBOX);
  else
    ember_http_request_add_query (request, "includeSpamTrash", "true");
  if (page_token != NULL)
    ember_http_request_add_query (request, "pageToken", page_token);

  reply = send_for_object (self, request, &node, cancellable, error);
  if (reply == NULL)
    return FALSE;

  messages = get_array_member (reply, "messages");
  for (guint i = 0; messages != NULL && i < json_array_get_length (messages); i++)
    {
      JsonNode *element = json_array_get_element (messages, i);
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      id = ember_gmail_json_get_string (json_node_get_object (element), "id");
      if (id != NULL && *id != '\0')
        g_ptr_array_add (ids, g_strdup (id));
    }

  *out_ids = g_steal_pointer (&ids);
  *out_next_page_token = g_strdup (ember_gmail_json_get_string (reply, "nextPageToken"));
  if (out_estimate != NULL)
    *out_estimate = ember_gmail_json_get_uint64 (reply, "resultSizeEstimate");

  return TRUE;
}

static gboolean
commit_message_page (FullSync          *sync,
                     EmberMessagePage  *page,
                     GError           **error)
{
  EmberGmailProvider *self = sync->self;

  if (!ember_store_save_message_page_sync (self->store, self->account->id, page,
                                           sync->cancellable, error))
    return FALSE;

  for (guint i = 0; i < page->messages->len; i++)
    {
      EmberMessageRecord *record = g_ptr_array_index (page->messages, i);

      g_hash_table_add (sync->known_ids, g_strdup (record->provider_id));
    }
  for (guint i = 0; i < page->deleted_ids->len; i++)
    g_hash_table_remove (sync->known_ids, g_ptr_array_index (page->deleted_ids, i));
  ember_sync_report_add_stored_messages (sync->report, page->messages->len);

  return TRUE;
}

/* Whether a listed id still has to be fetched in this run: an initial sync
 * keeps what it stored before a restart; a resync refreshes everything
 * once, since stored copies may predate label changes it cannot see. */
static gboolean
needs_fetch (FullSync   *sync,
             const char *id)
{
  if (g_hash_table_contains (sync->fetched_ids, id))
    return FALSE;
  if (!sync->resync && g_hash_table_contains (sync->known_ids, id))
    return FALSE;

  return TRUE;
}

/* The size of the batch starting at @offset of @n_ids: at most
 * @batch_size, and on the first INBOX page never running past the first
 * screenful. */
static guint
chunk_size (guint    batch_size,
            guint    offset,
            guint    n_ids,
            gboolean first_screen)
{
  guint n = MIN (batch_size, n_ids - offset);

  if (first_screen && offset < FIRST_SCREEN && offset + n > FIRST_SCREEN)
    n = FIRST_SCREEN - offset;

  return n;
}

/* Lists one phase (INBOX, then everything) from @page_token to its end,
 * committing each fetched batch with the position it reached. The last
 * batch of the phase moves the cursor on to @next_phase (with
 * @next_cursor). */
static gboolean
run_list_phase (FullSync     *sync,
                gboolean      inbox_only,
                char         *page_token,
                const char   *next_phase,
                const char   *next_cursor,
                GError      **error)
{
  EmberGmailProvider *self = sync->self;
  g_autofree char *current_token = page_token;
  guint batch_size = effective_batch_size (self);

  for (;;)
    {
      g_autoptr(GPtrArray) ids = NULL;
      g_autoptr(GPtrArray) to_fetch = g_ptr_array_new ();
      g_autofree char *next_token = NULL;
      EmberGmailFetch *pending = NULL;
      gboolean first_screen = inbox_only && current_token == NULL;
      guint offset = 0;

      if (!list_page (self, inbox_only, current_token, &ids, &next_token, NULL,
                      sync->cancellable, error))
        return FALSE;

      for (guint i = 0; i < ids->len; i++)
        {
          const char *id = g_ptr_array_index (ids, i);

          if (!inbox_only)
            g_hash_table_add (sync->seen_ids, g_strdup (id));
          if (needs_fetch (sync, id))
            g_ptr_array_add (to_fetch, (gpointer) id);
          else
            sync->done++;
        }

      /* Even a page with nothing to fetch moves the cursor on. The next
       * batch is fetched while this one is stored. */
      pending = to_fetch->len > 0
                ? ember_gmail_fetch_start (self->client, self->mail_endpoint,
                                           (const char * const *) to_fetch->pdata,
                                           chunk_size (batch_size, 0, to_fetch->len, first_screen),
                                           sync->cancellable)
                : NULL;
      do
        {
          g_autoptr(EmberMessagePage) page = ember_message_page_new (EMBER_GMAIL_RESOURCE_MAIL);
          guint n = chunk_size (batch_size, offset, to_fetch->len, first_screen);
          gboolean last_chunk = offset + n >= to_fetch->len;

          if (n > 0)
            {
              g_autoptr(GPtrArray) records = ember_gmail_fetch_finish (g_steal_pointer (&pending), error);

              if (records == NULL)
                return FALSE;
              for (guint i = 0; i < n; i++)
                g_hash_table_add (sync->fetched_ids, g_strdup (g_ptr_array_index (to_fetch, offset + i)));
              g_ptr_array_extend_and_steal (page->messages, g_steal_pointer (&records));
              if (!last_chunk)
                pending = ember_gmail_fetch_start (self->client, self->mail_endpoint,
                                                   (const char * const *) to_fetch->pdata + offset + n,
                                                   chunk_size (batch_size, offset + n, to_fetch->len,
                                                               first_screen),
                                                   sync->cancellable);
            }

          if (!last_chunk)
            page->cursor = full_cursor_new (sync->start_history_id, sync->resync, current_token);
          else if (next_token != NULL)
            page->cursor = full_cursor_new (sync->start_history_id, sync->resync, next_token);
          else
            {
              page->cursor = g_strdup (next_cursor);
              page->phase = g_strdup (next_phase);
            }

          if (!commit_message_page (sync, page, error))
            {
              ember_gmail_fetch_abort (g_steal_pointer (&pending));
              return FALSE;
            }

          offset += n;
          sync->done += n;
          report_full_progress (sync);
        }
      while (offset < to_fetch->len);

      if (next_token == NULL)
        return TRUE;
      g_free (current_token);
      current_token = g_steal_pointer (&next_token);
    }
}

/* Lists every message id (no fetching) for the sweep when this run did not
 * see the whole listing itself. */
static gboolean
list_all_ids (FullSync  *sync,
              GError   **error)
{
  g_autofree char *page_token = NULL;

  do
    {
      g_autoptr(GPtrArray) ids = NULL;
      g_autofree char *next_token = NULL;

      if (!list_page (sync->self, FALSE, page_token, &ids, &next_token, NULL,
                      sync->cancellable, error))
        return FALSE;
      for (guint i = 0; i < ids->len; i++)
        g_hash_table_add (sync->seen_ids, g_strdup (g_ptr_array_index (ids, i)));
      g_free (page_token);
      page_token = g_steal_pointer (&next_token);
    }
  while (page_token != NULL);

  sync->seen_complete = TRUE;
  return TRUE;
}

/* Deletes what the resync's listing no longer showed and hands over to
 * incremental sync at the historyId taken before the listing. */
static gboolean
sweep_and_finish (FullSync  *sync,
                  GError   **error)
{
  g_autoptr(EmberMessagePage) page = ember_message_page_new (EMBER_GMAIL_RESOURCE_MAIL);
  GHashTableIter iter;
  gpointer key;

  if (!sync->seen_complete && !list_all_ids (sync, error))
    return FALSE;

  g_hash_table_iter_init (&iter, sync->known_ids);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (sync->seen_ids, key))
      g_ptr_array_add (page->deleted_ids, g_strdup (key));

  g_debug ("Gmail resync of account %" G_GINT64_FORMAT " removes %u messages gone from the server",
           sync->self->account->id, page->deleted_ids->len);

  page->cursor = g_strdup_printf ("%" G_GUINT64_FORMAT, sync->start_history_id);
  page->phase = g_strdup (PHASE_INCREMENTAL);

  return commit_message_page (sync, page, error);
}

static gboolean
run_full_sync (EmberGmailProvider  *self,
               EmberSyncState      *state,
               gboolean             force_resync,
               EmberSyncReport     *report,
               GCancellable        *cancellable,
               GError             **error)
{
  FullSync sync = { 0 };
  g_autofree char *page_token = NULL;
  g_autofree char *final_cursor = NULL;
  g_autofree char *all_cursor = NULL;
  g_autofree char *sweep_cursor = NULL;
  const char *phase = NULL;
  guint64 current_history_id = 0;
  gboolean resumed = FALSE;
  gboolean ok = FALSE;

  sync.self = self;
  sync.report = report;
  sync.cancellable = cancellable;
  sync.fetched_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sync.seen_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!force_resync && state != NULL &&
      (g_strcmp0 (state->phase, PHASE_FULL_INBOX) == 0 ||
       g_strcmp0 (state->phase, PHASE_FULL_ALL) == 0 ||
       g_strcmp0 (state->phase, PHASE_FULL_SWEEP) == 0) &&
      full_cursor_parse (state->cursor, &sync.start_history_id, &sync.resync, &page_token))
    {
      resumed = TRUE;
      phase = state->phase;
    }

  /* Taken before any listing, also when resuming: only its total is used
   * then, the start historyId stays the one of the first run. */
  if (!fetch_profile (self, &current_history_id, &sync.total, cancellable, error))
    goto out;

  sync.known_ids = load_stored_ids (self, cancellable, error);
  if (sync.known_ids == NULL)
    goto out;

  if (!resumed)
    {
      g_autofree char *start_cursor = NULL;

      sync.start_history_id = current_history_id;
      sync.resync = force_resync || g_hash_table_size (sync.known_ids) > 0;
      phase = PHASE_FULL_INBOX;
      start_cursor = full_cursor_new (sync.start_history_id, sync.resync, NULL);
      if (!ember_store_set_sync_cursor_sync (self->store, self->account->id, EMBER_GMAIL_RESOURCE_MAIL,
                                             start_cursor, phase, cancellable, error))
        goto out;
    }

  if (!sync_labels (self, report, cancellable, error))
    goto out;

  if (!sync.resync)
    sync.done = g_hash_table_size (sync.known_ids);
  report_full_progress (&sync);

  final_cursor = g_strdup_printf ("%" G_GUINT64_FORMAT, sync.start_history_id);
  all_cursor = full_cursor_new (sync.start_history_id, sync.resync, NULL);
  sweep_cursor = full_cursor_new (sync.start_history_id, sync.resync, NULL);

  if (g_strcmp0 (phase, PHASE_FULL_INBOX) == 0)
    {
      if (!run_list_phase (&sync, TRUE, g_steal_pointer (&page_token), PHASE_FULL_ALL, all_cursor, error))
        goto out;
      phase = PHASE_FULL_ALL;
    }

  if (g_strcmp0 (phase, PHASE_FULL_ALL) == 0)
    {
      sync.seen_complete = page_token == NULL;
      /* An initial sync has nothing to sweep: it goes straight on to
       * incremental sync. */
      if (!run_list_phase (&sync, FALSE, g_steal_pointer (&page_token),
                           sync.resync ? PHASE_FULL_SWEEP : PHASE_INCREMENTAL,
                           sync.resync ? sweep_cursor : final_cursor, error))
        goto out;
      phase = sync.resync ? PHASE_FULL_SWEEP : PHASE_INCREMENTAL;
    }

  if (g_strcmp0 (phase, PHASE_FULL_SWEEP) == 0 && !sweep_and_finish (&sync, error))
    goto out;

  ok = TRUE;

out:
  full_sync_clear (&sync);
  return ok;
}

/* Applies one history page's records to @page. */
typedef struct
{
  EmberGmailProvider *self;
  EmberMessagePage   *page;
  GHashTable         *records;   /* provider id -> EmberMessageRecord (owned by page->messages) */
  GHashTable         *deleted;   /* provider ids */
  guint               n_new;
} HistoryPage;

static EmberMessageRecord *
history_record_for_flags (HistoryPage   *history,
                          const char    *id,
                          GCancellable  *cancellable,
                          GError       **error)
{
  EmberMessageRecord *record = g_hash_table_lookup (history->records, id);
  g_autoptr(GError) local_error = NULL;

  if (record != NULL)
    return record;

  record = ember_store_find_message_sync (history->self->store, history->self->account->id, id,
                                          cancellable, &local_error);
  if (record == NULL)
    {
      /* Not stored: its own messagesAdded brings its flags. */
      if (g_error_matches (local_error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND))
        return NULL;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* Saving keeps the stored membership; folder changes follow. */
  g_clear_pointer (&record->folder_ids, g_ptr_array_unref);
  g_clear_pointer (&record->folder_names, g_ptr_array_unref);
  g_ptr_array_add (history->page->messages, record);
  g_hash_table_insert (history->records, record->provider_id, record);

  return record;
}

static gboolean
apply_label_change (HistoryPage          *history,
                    JsonObject           *change,
                    EmberFolderChangeOp   op,
                    GCancellable         *cancellable,
                    GError              **error)
{
  JsonObject *message = NULL;
  JsonArray *label_ids = get_array_member (change, "labelIds");
  g_autoptr(EmberFolderChange) folder_change = NULL;
  const char *id;

  if (json_object_has_member (change, "message") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (change, "message")))
    message = json_object_get_object_member (change, "message");
  id = ember_gmail_json_get_string (message, "id");
  if (id == NULL || label_ids == NULL || g_hash_table_contains (history->deleted, id))
    return TRUE;

  folder_change = ember_folder_change_new (id, op);
  for (guint i = 0; i < json_array_get_length (label_ids); i++)
    {
      const char *label = json_array_get_string_element (label_ids, i);

      if (label == NULL)
        continue;
      if (ember_gmail_label_is_flag (label))
        {
          g_autoptr(GError) local_error = NULL;
          EmberMessageRecord *record = history_record_for_flags (history, id, cancellable, &local_error);
          gboolean value = op == EMBER_FOLDER_CHANGE_ADD;

          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          if (record == NULL)
            continue;
          if (strcmp (label, EMBER_GMAIL_LABEL_UNREAD) == 0)
            record->unread = value;
          else
            record->starred = value;
        }
      else
        g_ptr_array_add (folder_change->folder_ids, g_strdup (label));
    }

  if (folder_change->folder_ids->len > 0)
    g_ptr_array_add (history->page->folder_changes, g_steal_pointer (&folder_change));

  return TRUE;
}

static const char *
history_message_id (JsonObject *item)
{
  JsonNode *node = json_object_get_member (item, "message");

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return ember_gmail_json_get_string (json_node_get_object (node), "id");
}

static JsonObject *
array_object (JsonArray *array,
              guint      index)
{
  JsonNode *node = json_array_get_element (array, index);

  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* Builds the page for one history.list reply: fetches the added messages
 * that are not stored yet (and not deleted later in the page), then
 * replays the records in order. */
static gboolean
build_history_page (EmberGmailProvider  *self,
                    JsonArray           *records,
                    EmberMessagePage    *page,
                    guint               *out_new,
                    GCancellable        *cancellable,
                    GError             **error)
{
  HistoryPage history = { 0 };
  g_autoptr(GHashTable) records_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) deleted_later = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) to_fetch_set = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) deleted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) to_fetch = g_ptr_array_new ();
  guint batch_size;
  guint n_new = 0;

  history.self = self;
  history.page = page;
  history.records = records_by_id;
  history.deleted = deleted;

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = array_object (records, i);
      JsonArray *removed = record != NULL ? get_array_member (record, "messagesDeleted") : NULL;

      for (guint j = 0; removed != NULL && j < json_array_get_length (removed); j++)
        {
          JsonObject *item = array_object (removed, j);
          const char *id = item != NULL ? history_message_id (item) : NULL;

          if (id != NULL)
            g_hash_table_add (deleted_later, (gpointer) id);
        }
    }

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = array_object (records, i);
      JsonArray *added = record != NULL ? get_array_member (record, "messagesAdded") : NULL;

      for (guint j = 0; added != NULL && j < json_array_get_length (added); j++)
        {
          JsonObject *item = array_object (added, j);
          const char *id = item != NULL ? history_message_id (item) : NULL;
          g_autoptr(EmberMessageRecord) stored = NULL;
          g_autoptr(GError) local_error = NULL;

          if (id == NULL || g_hash_table_contains (deleted_later, id) ||
              g_hash_table_contains (to_fetch_set, id))
            continue;
          /* Already stored (a full sync after the cursor's historyId saw
           * it): the label records that follow keep it current. */
          stored = ember_store_find_message_sync (self->store, self->account->id, id,
                                                  cancellable, &local_error);
          if (stored != NULL)
            continue;
          if (!g_error_matches (local_error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_hash_table_add (to_fetch_set, (gpointer) id);
          g_ptr_array_add (to_fetch, (gpointer) id);
        }
    }

  batch_size = effective_batch_size (self);
  for (guint offset = 0; offset < to_fetch->len; offset += batch_size)
    {
      guint n = MIN (batch_size, to_fetch->len - offset);
      g_autoptr(GPtrArray) fetched = NULL;

      fetched = ember_gmail_fetch_messages_sync (self->client, self->mail_endpoint,
                                                 (const char * const *) to_fetch->pdata + offset,
                                                 n, cancellable, error);
      if (fetched == NULL)
        return FALSE;
      for (guint i = 0; i < fetched->len; i++)
        {
          EmberMessageRecord *message = g_ptr_array_index (fetched, i);
          gboolean received = TRUE;

          for (guint k = 0; message->folder_ids != NULL && k < message->folder_ids->len; k++)
            {
              const char *label = g_ptr_array_index (message->folder_ids, k);

              if (strcmp (label, EMBER_GMAIL_LABEL_SENT) == 0 || strcmp (label, EMBER_GMAIL_LABEL_DRAFT) == 0)
                received = FALSE;
            }
          if (received)
            n_new++;
          g_hash_table_insert (records_by_id, message->provider_id, message);
        }
      g_ptr_array_extend_and_steal (page->messages, g_steal_pointer (&fetched));
    }

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = array_object (records, i);
      JsonArray *items;

      if (record == NULL)
        continue;

      items = get_array_member (record, "messagesDeleted");
      for (guint j = 0; items != NULL && j < json_array_get_length (items); j++)
        {
          JsonObject *item = array_object (items, j);
          const char *id = item != NULL ? history_message_id (item) : NULL;

          if (id == NULL || g_hash_table_contains (deleted, id))
            continue;
          g_hash_table_add (deleted, g_strdup (id));
          g_ptr_array_add (page->deleted_ids, g_strdup (id));
        }

      items = get_array_member (record, "labelsAdded");
      for (guint j = 0; items != NULL && j < json_array_get_length (items); j++)
        {
          JsonObject *item = array_object (items, j);

          if (item != NULL &&
              !apply_label_change (&history, item, EMBER_FOLDER_CHANGE_ADD, cancellable, error))
            return FALSE;
        }

      items = get_array_member (record, "labelsRemoved");
      for (guint j = 0; items != NULL && j < json_array_get_length (items); j++)
        {
          JsonObject *item = array_object (items, j);

          if (item != NULL &&
              !apply_label_change (&history, item, EMBER_FOLDER_CHANGE_REMOVE, cancellable, error))
            return FALSE;
        }
    }

  /* A message both flagged and deleted in this page is just deleted. */
  for (guint i = page->messages->len; i > 0; i--)
    {
      EmberMessageRecord *message = g_ptr_array_index (page->messages, i - 1);

      if (g_hash_table_contains (deleted, message->provider_id))
        g_ptr_array_remove_index (page->messages, i - 1);
    }

  *out_new = n_new;
  return TRUE;
}

typedef enum
{
  INCREMENTAL_DONE,
  INCREMENTAL_FAILED,
  INCREMENTAL_EXPIRED,
} IncrementalResult;

static IncrementalResult
run_incremental_sync (EmberGmailProvider  *self,
                      const char          *cursor,
                      EmberSyncReport     *report,
                      GCancellable        *cancellable,
                      GError             **error)
{
  g_autofree char *start_history = g_strdup (cursor);
  g_autofree char *page_token = NULL;
  guint empty_pages = 0;
  guint64 done = 0;
  guint64 start_value;

  if (!g_ascii_string_to_unsigned (cursor, 10, 1, G_MAXUINT64, &start_value, NULL))
    return INCREMENTAL_EXPIRED;

  if (!sync_labels (self, report, cancellable, error))
    return INCREMENTAL_FAILED;

  ember_sync_report_progress (report, "mail", 0, 0, "Fetching changes");

  for (;;)
    {
      g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", GMAIL_PATH "/history");
      g_autoptr(EmberMessagePage) page = ember_message_page_new (EMBER_GMAIL_RESOURCE_MAIL);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *page_size = g_strdup_printf ("%u", HISTORY_PAGE_SIZE);
      JsonObject *reply;
      JsonArray *records;
      const char *next_token;
      guint64 last_record_id = 0;
      guint n_new = 0;

      ember_http_request_set_operation (request, "history.list");
      ember_http_request_add_query (request, "startHistoryId", start_history);
      ember_http_request_add_query (request, "maxResults", page_size);
      ember_http_request_add_query (request, "historyTypes", "messageAdded");
      ember_http_request_add_query (request, "historyTypes", "messageDeleted");
      ember_http_request_add_query (request, "historyTypes", "labelAdded");
      ember_http_request_add_query (request, "historyTypes", "labelRemoved");
      if (page_token != NULL)
        ember_http_request_add_query (request, "pageToken", page_token);

      reply = send_for_object (self, request, &node, cancellable, &local_error);
      if (reply == NULL)
        {
          if (error_is_status (local_error, request, 404))
            {
              g_debug ("Gmail history of account %" G_GINT64_FORMAT " expired; full resync",
                       self->account->id);
              return INCREMENTAL_EXPIRED;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return INCREMENTAL_FAILED;
        }

      records = get_array_member (reply, "history");
      next_token = ember_gmail_json_get_string (reply, "nextPageToken");

      if (records == NULL || json_array_get_length (records) == 0)
        {
          if (next_token != NULL)
            {
              /* A page token without records: follow it, keep the cursor. */
              if (++empty_pages > MAX_EMPTY_HISTORY_PAGES || g_strcmp0 (next_token, page_token) == 0)
                {
                  g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                               "Gmail's history kept answering pages without records after %s",
                               start_history);
                  return INCREMENTAL_FAILED;
                }
              g_free (page_token);
              page_token = g_strdup (next_token);
              continue;
            }
        }
      else
        {
          JsonObject *last = array_object (records, json_array_get_length (records) - 1);

          empty_pages = 0;
          if (!build_history_page (self, records, page, &n_new, cancellable, error))
            return INCREMENTAL_FAILED;
          last_record_id = last != NULL ? ember_gmail_json_get_uint64 (last, "id") : 0;
        }

      if (next_token == NULL)
        {
          guint64 history_id = ember_gmail_json_get_uint64 (reply, "historyId");

          /* The mailbox's current historyId, stored after the last page. */
          if (history_id == 0)
            history_id = MAX (last_record_id, start_value);
          page->cursor = g_strdup_printf ("%" G_GUINT64_FORMAT, history_id);
        }
      else if (last_record_id > start_value)
        /* Records after this one are what is left to apply. */
        page->cursor = g_strdup_printf ("%" G_GUINT64_FORMAT, last_record_id);
      else
        page->cursor = g_strdup (cursor);
      page->phase = g_strdup (PHASE_INCREMENTAL);

      if (!ember_store_save_message_page_sync (self->store, self->account->id, page, cancellable, error))
        return INCREMENTAL_FAILED;

      ember_sync_report_add_stored_messages (report, page->messages->len);
      if (n_new > 0)
        ember_sync_report_add_new_messages (report, n_new);
      if (records != NULL)
        done += json_array_get_length (records);
      ember_sync_report_progress (report, "mail", done, 0, "Fetching changes");

      if (next_token == NULL)
        return INCREMENTAL_DONE;

      g_free (page_token);
      page_token = g_strdup (next_token);
    }
}

static gboolean
ember_gmail_provider_sync_mail (EmberProvider    *provider,
                                EmberSyncReport  *report,
                                GCancellable     *cancellable,
                                GError          **error)
{
  EmberGmailProvider *self = EMBER_GMAIL_PROVIDER (provider);
  g_autoptr(EmberSyncState) state = NULL;

  state = ember_store_get_sync_state_sync (self->store, self->account->id, EMBER_GMAIL_RESOURCE_MAIL,
                                           cancellable, error);
  if (state == NULL)
    return FALSE;

  if (g_strcmp0 (state->phase, PHASE_INCREMENTAL) == 0 && state->cursor != NULL)
    {
      switch (run_incremental_sync (self, state->cursor, report, cancellable, error))
        {
        case INCREMENTAL_DONE:
          return TRUE;
        case INCREMENTAL_FAILED:
          return FALSE;
        case INCREMENTAL_EXPIRED:
          return run_full_sync (self, NULL, TRUE, report, cancellable, error);
        default:
          g_assert_not_reached ();
        }
    }

  return run_full_sync (self, state, FALSE, report, cancellable, error);
}

static gboolean
ember_gmail_provider_sync_calendar (EmberProvider    *provider,
                                    EmberSyncReport  *report,
                                    GCancellable     *cancellable,
                                    GError          **error)
{
  EmberGmailProvider *self = EMBER_GMAIL_PROVIDER (provider);

  if (self->calendar_endpoint == NULL)
    {
      g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_FAILED,
                   "No Google Calendar endpoint was set up for %s", self->account->email);
      return FALSE;
    }

  return ember_gcal_sync_run (self->store, self->account->id, self->client, self->calendar_endpoint,
                              report, cancellable, error);
}

static void
ember_gmail_provider_iface_init (EmberProviderInterface *iface)
{
  iface->sync_mail = ember_gmail_provider_sync_mail;
  iface->sync_calendar = ember_gmail_provider_sync_calendar;
}

static void
ember_gmail_provider_dispose (GObject *object)
{
  EmberGmailProvider *self = EMBER_GMAIL_PROVIDER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_clear_object (&self->mail_endpoint);
  g_clear_object (&self->calendar_endpoint);

  G_OBJECT_CLASS (ember_gmail_provider_parent_class)->dispose (object);
}

static void
ember_gmail_provider_finalize (GObject *object)
{
  EmberGmailProvider *self = EMBER_GMAIL_PROVIDER (object);

  g_clear_pointer (&self->account, ember_account_record_free);

  G_OBJECT_CLASS (ember_gmail_provider_parent_class)->finalize (object);
}

static void
ember_gmail_provider_class_init (EmberGmailProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ember_gmail_provider_dispose;
  object_class->finalize = ember_gmail_provider_finalize;
}

static void
ember_gmail_provider_init (EmberGmailProvider *self)
{
  self->batch_size = EMBER_GMAIL_DEFAULT_BATCH_SIZE;
}

EmberGmailProvider *
ember_gmail_provider_new_with_endpoints (const EmberAccountRecord *account,
                                         EmberStore               *store,
                                         EmberHttpClient          *client,
                                         EmberApiEndpoint         *mail_endpoint,
                                         EmberApiEndpoint         *calendar_endpoint)
{
  EmberGmailProvider *self;

  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (account->id > 0, NULL);
  g_return_val_if_fail (EMBER_IS_STORE (store), NULL);
  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (client), NULL);
  g_return_val_if_fail (EMBER_IS_API_ENDPOINT (mail_endpoint), NULL);
  g_return_val_if_fail (calendar_endpoint == NULL || EMBER_IS_API_ENDPOINT (calendar_endpoint), NULL);

  self = g_object_new (EMBER_TYPE_GMAIL_PROVIDER, NULL);
  self->account = ember_account_record_copy (account);
  self->store = g_object_ref (store);
  self->client = g_object_ref (client);
  self->mail_endpoint = g_object_ref (mail_endpoint);
  self->calendar_endpoint = calendar_endpoint != NULL ? g_object_ref (calendar_endpoint) : NULL;

  return self;
}

EmberGmailProvider *
ember_gmail_provider_new (const EmberAccountRecord *account,
                          EmberStore               *store,
                          EmberHttpClient          *client,
                          EmberAuthSession         *auth_session)
{
  g_autoptr(EmberApiEndpoint) mail_endpoint = NULL;
  g_autoptr(EmberApiEndpoint) calendar_endpoint = NULL;
  EmberClock *clock;

  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (client), NULL);
  g_return_val_if_fail (auth_session == NULL || EMBER_IS_AUTH_SESSION (auth_session), NULL);

  clock = ember_http_client_get_clock (client);
  mail_endpoint = ember_api_endpoint_new (EMBER_API_KIND_GMAIL, account->api_base, clock);
  ember_gmail_endpoint_set_quota (mail_endpoint, clock, EMBER_GMAIL_DEFAULT_UNITS_PER_MINUTE, 60);
  calendar_endpoint = ember_api_endpoint_new (EMBER_API_KIND_GOOGLE_CALENDAR, account->api_base, clock);
  ember_api_endpoint_set_auth_session (mail_endpoint, auth_session);
  ember_api_endpoint_set_auth_session (calendar_endpoint, auth_session);

  return ember_gmail_provider_new_with_endpoints (account, store, client, mail_endpoint, calendar_endpoint);
}

void
ember_gmail_endpoint_set_quota (EmberApiEndpoint *endpoint,
                                EmberClock       *clock,
                                double            units,
                                double            window_seconds)
{
  g_autoptr(EmberRateLimiter) limiter = NULL;

  g_return_if_fail (EMBER_IS_API_ENDPOINT (endpoint));
  g_return_if_fail (EMBER_IS_CLOCK (clock));
  g_return_if_fail (units > 0 && window_seconds > 0);

  limiter = ember_rate_limiter_new_window (clock, units * EMBER_QUOTA_SHARE,
                                           (GTimeSpan) (window_seconds * G_USEC_PER_SEC), 0);
  ember_api_endpoint_set_rate_limiter (endpoint, limiter);
}

EmberApiEndpoint *
ember_gmail_provider_get_mail_endpoint (EmberGmailProvider *self)
{
  g_return_val_if_fail (EMBER_IS_GMAIL_PROVIDER (self), NULL);

  return self->mail_endpoint;
}

EmberApiEndpoint *
ember_gmail_provider_get_calendar_endpoint (EmberGmailProvider *self)
{
  g_return_val_if_fail (EMBER_IS_GMAIL_PROVIDER (self), NULL);

  return self->calendar_endpoint;
}

void
ember_gmail_provider_set_batch_size (EmberGmailProvider *self,
                                     guint               batch_size)
{
  g_return_if_fail (EMBER_IS_GMAIL_PROVIDER (self));
  g_return_if_fail (batch_size >= 1 && batch_size <= EMBER_GMAIL_MAX_BATCH_SIZE);

  self->batch_size = batch_size;
}

guint
ember_gmail_provider_get_batch_size (EmberGmailProvider *self)
{
  g_return_val_if_fail (EMBER_IS_GMAIL_PROVIDER (self), 0);

  return self->batch_size;
}
