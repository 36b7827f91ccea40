/* ember-graph-provider.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Mail: a mailFolders/delta round brings the folder tree up to date (the
 * whole tree, flat, on the first sync; only changes after that), then
 * every folder runs its own messages/delta round; rounds of different
 * folders run side by side on a few threads (the endpoint's limiter keeps
 * the mailbox at 4 requests in flight). Calendar: one calendarView/delta
 * round over a window of dates.
 *
 * Cursors. The folder tree ("folders") stores its deltaLink with the
 * folders, once its round is complete. Each folder ("mail:<id>") and the
 * calendar ("calendar:<id>")
 * store the URL to GET next with every page: a nextLink inside a round, the
 * deltaLink once a round is complete. The phase says which round it is:
 *   "initial"     the first round, begun with nothing stored: resuming from
 *                 a nextLink after a crash is safe;
 *   "resync"      a fresh round over stored data (the token expired): what
 *                 the round does not return is deleted at its end, so the
 *                 round must be seen whole; one interrupted by a crash is
 *                 started again;
 *   "incremental" following deltaLinks.
 *
 * Moves. Outlook gives a moved message a new id: the old folder's delta
 * reports @removed, the new one's a new message. A removal is stored as
 * "take it out of this folder, and delete it if that leaves it in none",
 * and an upsert makes its folder the message's only folder, so the two
 * folders can be processed in either order (even when the id survives the
 * move) and the message ends up in the right folder exactly once.
 */
#define G_LOG_DOMAIN "ember-providers"

#include "config.h"

#include <string.h>

#include "ember-error.h"
#include "ember-graph-parse.h"
#include "ember-graph-provider-private.h"
#include "ember-http-batch.h"
#include "ember-redact.h"

#define FOLDERS_RESOURCE "folders"
#define CALENDARS_RESOURCE "calendars"

#define PHASE_INITIAL "initial"
#define PHASE_RESYNC "resync"
#define PHASE_INCREMENTAL "incremental"

/* A round that never ends is a server bug; stop instead of looping. */
#define MAX_PAGES_PER_ROUND 100000
/* An expired token gets a fresh round; a fresh round that expires again
 * at once is not retried forever. */
#define MAX_RESYNCS 2

#define SECONDS_PER_DAY (24 * 60 * 60)

struct _EmberGraphProvider
{
  GObject           parent_instance;

  EmberStore       *store;
  EmberHttpClient  *client;
  EmberApiEndpoint *endpoint;
  gint64            account_id;
  /* "/v1.0", or "" when the endpoint's base already ends in it (only then
   * is there a $batch below the base). */
  char             *api_root;
  gboolean          use_batch;

  guint             message_page_size;
  guint             event_page_size;
  guint             max_parallel_folders;
  char             *preferred_time_zone;
};

static void ember_graph_provider_iface_init (EmberProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EmberGraphProvider, ember_graph_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (EMBER_TYPE_PROVIDER,
                                                      ember_graph_provider_iface_init))

enum {
  PROP_0,
  PROP_STORE,
  PROP_CLIENT,
  PROP_ENDPOINT,
  PROP_ACCOUNT_ID,
  PROP_MESSAGE_PAGE_SIZE,
  PROP_EVENT_PAGE_SIZE,
  PROP_MAX_PARALLEL_FOLDERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------------ */
/* HTTP                                                                     */

static char *
api_path (EmberGraphProvider *self,
          const char         *suffix)
{
  return g_strconcat (self->api_root, suffix, NULL);
}

/* Links come from the server and are fetched with the account's bearer
 * token: only follow them to the endpoint's own origin. */
static gboolean
check_link (EmberGraphProvider  *self,
            const char          *link,
            GError             **error)
{
  g_autoptr(GUri) base = g_uri_parse (ember_api_endpoint_get_base_url (self->endpoint),
                                      G_URI_FLAGS_NONE, NULL);
  g_autoptr(GUri) uri = link != NULL ? g_uri_parse (link, G_URI_FLAGS_ENCODED, NULL) : NULL;

  if (base == NULL || uri == NULL ||
      g_uri_get_host (base) == NULL || g_uri_get_host (uri) == NULL ||
      g_uri_get_userinfo (uri) != NULL ||
      g_strcmp0 (g_uri_get_scheme (base), g_uri_get_scheme (uri)) != 0 ||
      g_ascii_strcasecmp (g_uri_get_host (base), g_uri_get_host (uri)) != 0 ||
      g_uri_get_port (base) != g_uri_get_port (uri))
    {
      g_autofree char *host = uri != NULL ? g_strdup (g_uri_get_host (uri)) : NULL;

      g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                   "Microsoft Graph sent a paging link to another server (%s)",
                   host != NULL ? host : "unreadable address");
      return FALSE;
    }
  return TRUE;
}

/* Turns a failed call into the provider's terms: a response that says the
 * delta token or a nextLink is no longer valid becomes
 * EMBER_PROVIDER_ERROR_CURSOR_EXPIRED, a 404 EMBER_PROVIDER_ERROR_NOT_FOUND;
 * anything else passes through. */
static void
classify_failure (EmberHttpRequest  *request,
                  const GError      *failure,
                  GError           **error)
{
  if (g_error_matches (failure, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_CLIENT))
    {
      guint status = ember_http_request_get_status (request);
      const char *reason = ember_http_request_get_error_reason (request);

      if (ember_graph_error_is_resync (status, reason,
                                       ember_http_request_get_response_body (request)))
        {
          g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_CURSOR_EXPIRED,
                       "Microsoft Graph no longer knows this sync state (HTTP %u%s%s)",
                       status, reason != NULL ? ", " : "", reason != NULL ? reason : "");
          return;
        }
      if (status == 404)
        {
          g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_NOT_FOUND,
                       "%s", failure->message);
          return;
        }
    }

  g_propagate_error (error, g_error_copy (failure));
}

static JsonNode *
send_json (EmberGraphProvider  *self,
           EmberHttpRequest    *request,
           GCancellable        *cancellable,
           GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *node;

  node = ember_http_client_send_json_sync (self->client, self->endpoint, request,
                                           cancellable, &local_error);
  if (node == NULL)
    classify_failure (request, local_error, error);
  return node;
}

static EmberHttpRequest *
new_get (const char *path_or_url,
         const char *operation,
         const char *prefer)
{
  EmberHttpRequest *request = ember_http_request_new ("GET", path_or_url);

  ember_http_request_set_operation (request, operation);
  if (prefer != NULL)
    ember_http_request_add_header (request, "Prefer", prefer);
  return request;
}

static EmberGraphPage *
parse_page (EmberGraphProvider  *self,
            JsonNode            *node,
            GError             **error)
{
  EmberGraphPage *page = ember_graph_page_parse (node, error);

  if (page == NULL)
    return NULL;
  if ((page->next_link != NULL && !check_link (self, page->next_link, error)) ||
      (page->delta_link != NULL && !check_link (self, page->delta_link, error)))
    {
      ember_graph_page_free (page);
      return NULL;
    }
  return page;
}

static EmberGraphPage *
fetch_page (EmberGraphProvider  *self,
            EmberHttpRequest    *request,
            GCancellable        *cancellable,
            GError             **error)
{
  g_autoptr(JsonNode) node = send_json (self, request, cancellable, error);

  if (node == NULL)
    return NULL;
  return parse_page (self, node, error);
}

/* The outcome of one of several calls sent together. */
typedef struct
{
  JsonNode *node;    /* NULL when it failed */
  GError   *error;   /* classified as by send_json () */
} Outcome;

static void
outcome_clear (gpointer data)
{
  Outcome *outcome = data;

  g_clear_pointer (&outcome->node, json_node_unref);
  g_clear_error (&outcome->error);
}

/* Sends @requests in $batch requests of up to 20 calls (each holding as
 * many of the mailbox's 4 slots as Graph runs at once), or one by one when
 * the endpoint's base has no version to put $batch under. FALSE only when
 * the batch as a whole failed; per-call failures are in the outcomes. */
static GArray *
send_all (EmberGraphProvider  *self,
          GPtrArray           *requests,
          GCancellable        *cancellable,
          GError             **error)
{
  g_autoptr(GArray) outcomes = g_array_new (FALSE, TRUE, sizeof (Outcome));
  g_autoptr(EmberHttpBatch) batch = NULL;

  g_array_set_clear_func (outcomes, outcome_clear);
  g_array_set_size (outcomes, requests->len);
  if (requests->len == 0)
    return g_steal_pointer (&outcomes);

  if (!self->use_batch || requests->len == 1)
    {
      for (guint i = 0; i < requests->len; i++)
        {
          Outcome *outcome = &g_array_index (outcomes, Outcome, i);

          outcome->node = send_json (self, g_ptr_array_index (requests, i), cancellable,
                                     &outcome->error);
          if (g_error_matches (outcome->error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
              (outcome->error != NULL && outcome->error->domain == EMBER_AUTH_ERROR))
            {
              g_propagate_error (error, g_steal_pointer (&outcome->error));
              return NULL;
            }
        }
      return g_steal_pointer (&outcomes);
    }

  batch = ember_http_batch_new ();
  for (guint i = 0; i < requests->len; i++)
    ember_http_batch_add (batch, g_ptr_array_index (requests, i));
  if (!ember_http_batch_send_sync (batch, self->client, self->endpoint, cancellable, error))
    return NULL;

  for (guint i = 0; i < requests->len; i++)
    {
      Outcome *outcome = &g_array_index (outcomes, Outcome, i);
      const GError *failure = ember_http_batch_get_error (batch, i);

      if (failure != NULL)
        classify_failure (ember_http_batch_get_request (batch, i), failure, &outcome->error);
      else
        outcome->node = json_node_ref (ember_http_batch_get_json (batch, i));
    }
  return g_steal_pointer (&outcomes);
}

static EmberGraphPage *
outcome_page (EmberGraphProvider  *self,
              Outcome             *outcome,
              GError             **error)
{
  if (outcome->node == NULL)
    {
      g_propagate_error (error, g_error_copy (outcome->error));
      return NULL;
    }
  return parse_page (self, outcome->node, error);
}

static EmberGraphPage *
fetch_link (EmberGraphProvider  *self,
            const char          *link,
            const char          *operation,
            const char          *prefer,
            GCancellable        *cancellable,
            GError             **error)
{
  g_autoptr(EmberHttpRequest) request = NULL;

  if (!check_link (self, link, error))
    return NULL;
  request = new_get (link, operation, prefer);
  return fetch_page (self, request, cancellable, error);
}

/* ------------------------------------------------------------------------ */
/* Store writes                                                             */

typedef enum
{
  WRITE_MESSAGE_PAGE,
  WRITE_EVENT_PAGE,
  WRITE_FOLDER_PAGE,
  WRITE_CALENDAR_PAGE,
  WRITE_CURSOR,
  WRITE_EXTRA,
  WRITE_SUCCESS,
  WRITE_ERROR,
} StoreWriteKind;

typedef struct
{
  StoreWriteKind  kind;
  gconstpointer   page;      /* the *_PAGE kinds */
  const char     *resource;  /* the others */
  const char     *text;      /* cursor, extra JSON or error message */
  const char     *phase;     /* WRITE_CURSOR */
} StoreWrite;

static gboolean
store_write_once (EmberGraphProvider  *self,
                  const StoreWrite    *write,
                  GCancellable        *cancellable,
                  GError             **error)
{
  switch (write->kind)
    {
    case WRITE_MESSAGE_PAGE:
      return ember_store_save_message_page_sync (self->store, self->account_id, write->page, cancellable, error);
    case WRITE_EVENT_PAGE:
      return ember_store_save_event_page_sync (self->store, self->account_id, write->page, cancellable, error);
    case WRITE_FOLDER_PAGE:
      return ember_store_save_folder_page_sync (self->store, self->account_id, write->page, cancellable, error);
    case WRITE_CALENDAR_PAGE:
      return ember_store_save_calendar_page_sync (self->store, self->account_id, write->page, cancellable, error);
    case WRITE_CURSOR:
      return ember_store_set_sync_cursor_sync (self->store, self->account_id, write->resource, write->text,
                                               write->phase, cancellable, error);
    case WRITE_EXTRA:
      return ember_store_set_sync_extra_sync (self->store, self->account_id, write->resource, write->text,
                                              cancellable, error);
    case WRITE_SUCCESS:
      return ember_store_record_sync_success_sync (self->store, self->account_id, write->resource,
                                                   cancellable, error);
    case WRITE_ERROR:
      return ember_store_record_sync_error_sync (self->store, self->account_id, write->resource, write->text,
                                                 cancellable, error);
    default:
      g_assert_not_reached ();
    }
}

/* Another job (another account's sync) may hold the store's one writer
 * connection longer than the pool waits for it: a write that found it busy
 * did nothing and is made again, up to this many times. */
#define STORE_BUSY_ATTEMPTS 12

static gboolean
store_write (EmberGraphProvider  *self,
             const StoreWrite    *write,
             GCancellable        *cancellable,
             GError             **error)
{
  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;

      if (store_write_once (self, write, cancellable, &local_error))
        return TRUE;
      if ((!g_error_matches (local_error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_POOL_TIMEOUT) &&
           !g_error_matches (local_error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_BUSY)) ||
          attempt == STORE_BUSY_ATTEMPTS)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("The store is busy; writing again (attempt %u)", attempt + 1);
    }
}

static gboolean
save_message_page (EmberGraphProvider  *self,
                   EmberMessagePage    *page,
                   GCancellable        *cancellable,
                   GError             **error)
{
  StoreWrite write = { WRITE_MESSAGE_PAGE, .page = page };

  return store_write (self, &write, cancellable, error);
}

static gboolean
save_event_page (EmberGraphProvider  *self,
                 EmberEventPage      *page,
                 GCancellable        *cancellable,
                 GError             **error)
{
  StoreWrite write = { WRITE_EVENT_PAGE, .page = page };

  return store_write (self, &write, cancellable, error);
}

static gboolean
set_cursor (EmberGraphProvider  *self,
            const char          *resource,
            const char          *cursor,
            const char          *phase,
            GCancellable        *cancellable,
            GError             **error)
{
  StoreWrite write = { WRITE_CURSOR, .resource = resource, .text = cursor, .phase = phase };

  return store_write (self, &write, cancellable, error);
}

static gboolean
set_extra (EmberGraphProvider  *self,
           const char          *resource,
           const char          *extra_json,
           GCancellable        *cancellable,
           GError             **error)
{
  StoreWrite write = { WRITE_EXTRA, .resource = resource, .text = extra_json };

  return store_write (self, &write, cancellable, error);
}

static gboolean
record_success (EmberGraphProvider  *self,
                const char          *resource,
                GCancellable        *cancellable,
                GError             **error)
{
  StoreWrite write = { WRITE_SUCCESS, .resource = resource };

  return store_write (self, &write, cancellable, error);
}

static gboolean
record_error (EmberGraphProvider *self,
              const char         *resource,
              const GError       *error)
{
  g_autofree char *message = ember_redact (error->message);
  StoreWrite write = { WRITE_ERROR, .resource = resource, .text = message };

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return TRUE;
  return store_write (self, &write, NULL, NULL);
}

/* ------------------------------------------------------------------------ */
/* Folders                                                                  */

static const char * const well_known_folders[] = {
  "inbox", "sentitems", "archive", "deleteditems", "drafts", "junkemail",
};

/* The parent of the top-level folders, never stored itself. */
#define ROOT_FOLDER "msgfolderroot"

/* Enough for most mailboxes' whole tree in one page. */
#define FOLDER_PAGE_SIZE 250

/* What v1.0 does not say in a folder: which well-known folder it is, and
 * which id the hidden root has. Both never change for a mailbox, so they
 * are looked up once (GET /me/mailFolders/{name}, in the first sync's
 * opening batch) and kept in the "folders" resource's extra state. */
typedef struct
{
  GHashTable *kinds;    /* folder id -> EmberFolderKind */
  char       *root_id;
} FolderNames;

static void
folder_names_free (FolderNames *names)
{
  g_clear_pointer (&names->kinds, g_hash_table_unref);
  g_free (names->root_id);
  g_free (names);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FolderNames, folder_names_free)

static FolderNames *
folder_names_new (void)
{
  FolderNames *names = g_new0 (FolderNames, 1);

  names->kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return names;
}

/* NULL when the state has not got them (yet), or has them without the
 * root (stored by an older Ember that listed folders instead). */
static FolderNames *
folder_names_from_extra (const char *extra_json)
{
  g_autoptr(FolderNames) names = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *known;

  if (extra_json == NULL)
    return NULL;
  node = json_from_string (extra_json, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
      !json_object_has_member (json_node_get_object (node), "well_known") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (node), "well_known")))
    return NULL;
  known = json_object_get_object_member (json_node_get_object (node), "well_known");
  if (json_object_get_string_member_with_default (known, ROOT_FOLDER, NULL) == NULL)
    return NULL;

  names = folder_names_new ();
  names->root_id = g_strdup (json_object_get_string_member (known, ROOT_FOLDER));
  members = json_object_get_members (known);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *id = json_object_get_string_member_with_default (known, l->data, NULL);

      if (id != NULL && strcmp (l->data, ROOT_FOLDER) != 0)
        g_hash_table_insert (names->kinds, g_strdup (id),
                             GINT_TO_POINTER (ember_graph_folder_kind_for_well_known (l->data)));
    }
  return g_steal_pointer (&names);
}

/* The lookups, in the order read_folder_names () expects them. */
static void
add_folder_name_requests (EmberGraphProvider *self,
                          GPtrArray          *requests)
{
  for (guint i = 0; i <= G_N_ELEMENTS (well_known_folders); i++)
    {
      const char *name = i < G_N_ELEMENTS (well_known_folders) ? well_known_folders[i] : ROOT_FOLDER;
      g_autofree char *suffix = g_strdup_printf ("/me/mailFolders/%s", name);
      g_autofree char *path = api_path (self, suffix);
      EmberHttpRequest *request = new_get (path, "mailFolders.get", NULL);

      ember_http_request_add_query (request, "$select", "id");
      g_ptr_array_add (requests, request);
    }
}

#define N_FOLDER_NAME_REQUESTS (G_N_ELEMENTS (well_known_folders) + 1)

/* Reads the N_FOLDER_NAME_REQUESTS outcomes from @outcomes and stores
 * what they found. */
static FolderNames *
read_folder_names (EmberGraphProvider  *self,
                   Outcome             *outcomes,
                   GCancellable        *cancellable,
                   GError             **error)
{
  g_autoptr(FolderNames) names = folder_names_new ();
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *extra = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "well_known");
  json_builder_begin_object (builder);
  for (guint i = 0; i < N_FOLDER_NAME_REQUESTS; i++)
    {
      Outcome *outcome = &outcomes[i];
      const char *name = i < G_N_ELEMENTS (well_known_folders) ? well_known_folders[i] : ROOT_FOLDER;
      const char *id = NULL;

      if (outcome->node == NULL)
        {
          /* A mailbox may lack some of them (no Archive folder yet). */
          if (g_error_matches (outcome->error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_NOT_FOUND) &&
              strcmp (name, ROOT_FOLDER) != 0)
            continue;
          g_propagate_prefixed_error (error, g_error_copy (outcome->error),
                                      "Cannot look up the standard mail folders: ");
          return NULL;
        }
      if (JSON_NODE_HOLDS_OBJECT (outcome->node))
        id = json_object_get_string_member_with_default (json_node_get_object (outcome->node), "id", NULL);
      if (id == NULL || *id == '\0')
        {
          if (strcmp (name, ROOT_FOLDER) != 0)
            continue;
          g_set_error_literal (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                               "Microsoft Graph sent the mailbox's root folder without an id");
          return NULL;
        }

      json_builder_set_member_name (builder, name);
      json_builder_add_string_value (builder, id);
      if (strcmp (name, ROOT_FOLDER) == 0)
        names->root_id = g_strdup (id);
      else
        g_hash_table_insert (names->kinds, g_strdup (id),
                             GINT_TO_POINTER (ember_graph_folder_kind_for_well_known (name)));
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  extra = json_to_string (root, FALSE);
  if (!set_extra (self, FOLDERS_RESOURCE, extra, cancellable, error))
    return NULL;
  return g_steal_pointer (&names);
}

static EmberHttpRequest *
new_folder_delta_request (EmberGraphProvider *self,
                          const char         *cursor)
{
  g_autofree char *prefer = g_strdup_printf ("odata.maxpagesize=%u", FOLDER_PAGE_SIZE);
  g_autofree char *path = NULL;
  EmberHttpRequest *request;

  if (cursor != NULL)
    return new_get (cursor, "mailFolders.delta", prefer);

  path = api_path (self, "/me/mailFolders/delta");
  request = new_get (path, "mailFolders.delta", prefer);
  ember_http_request_add_query (request, "$select", "displayName,parentFolderId,totalItemCount,isHidden");
  return request;
}

/* Lays one delta entry over @folders (provider id -> EmberFolderRecord). */
static gboolean
apply_folder_item (GHashTable         *folders,
                   JsonObject         *item,
                   const FolderNames  *names,
                   guint64            *total_items,
                   GError            **error)
{
  const char *id = json_object_get_string_member_with_default (item, "id", NULL);
  EmberFolderRecord *folder;
  gpointer kind;

  if (id == NULL || *id == '\0')
    {
      g_set_error_literal (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                           "Microsoft Graph sent a mail folder without an id");
      return FALSE;
    }
  /* Hidden folders (Sync Issues...) are not shown; one that became hidden
   * leaves. */
  if (json_object_get_boolean_member_with_default (item, "isHidden", FALSE))
    {
      g_hash_table_remove (folders, id);
      return TRUE;
    }

  folder = g_hash_table_lookup (folders, id);
  if (folder == NULL)
    {
      folder = ember_graph_parse_mail_folder (item, error);
      if (folder == NULL)
        return FALSE;
      g_hash_table_insert (folders, folder->provider_id, folder);
    }
  else
    {
      /* An update may name only what changed. */
      const char *name = json_object_get_string_member_with_default (item, "displayName", NULL);

      if (name != NULL && *name != '\0')
        {
          g_free (folder->name);
          folder->name = g_strdup (name);
        }
      if (json_object_has_member (item, "parentFolderId"))
        {
          g_free (folder->parent_provider_id);
          folder->parent_provider_id = g_strdup (json_object_get_string_member_with_default (item, "parentFolderId",
                                                                                             NULL));
        }
    }

  if (g_strcmp0 (folder->parent_provider_id, names->root_id) == 0 ||
      g_strcmp0 (folder->parent_provider_id, "") == 0)
    g_clear_pointer (&folder->parent_provider_id, g_free);
  folder->kind = g_hash_table_lookup_extended (names->kinds, folder->provider_id, NULL, &kind)
                 ? GPOINTER_TO_INT (kind) : EMBER_FOLDER_KIND_OTHER;
  *total_items += MAX (0, json_object_get_int_member_with_default (item, "totalItemCount", 0));
  return TRUE;
}

/* A folder under one that is gone (or hidden) cannot be reached: drop it
 * too. */
static void
drop_orphans (GHashTable *folders)
{
  gboolean dropped;

  do
    {
      GHashTableIter iter;
      EmberFolderRecord *folder;

      dropped = FALSE;
      g_hash_table_iter_init (&iter, folders);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &folder))
        if (folder->parent_provider_id != NULL && !g_hash_table_contains (folders, folder->parent_provider_id))
          {
            g_hash_table_iter_remove (&iter);
            dropped = TRUE;
          }
    }
  while (dropped);
}

/* One mailFolders/delta round: the whole tree when @fresh, else the
 * changes since the stored deltaLink laid over the stored folders. The
 * round is read to its end before anything is stored (a folder tree is
 * small), so a crash inside it only repeats it. Returns the complete
 * folder list; *@out_delta_link is the next round's cursor.
 * @first: (nullable): the round's first page, fetched in the opening
 * batch. An expired token starts a fresh round. */
static GPtrArray *
run_folder_round (EmberGraphProvider  *self,
                  Outcome             *first,
                  const char          *cursor,
                  const FolderNames   *names,
                  char               **out_delta_link,
                  guint64             *out_total_items,
                  GCancellable        *cancellable,
                  GError             **error)
{
  for (guint n_resyncs = 0; ; n_resyncs++)
    {
      g_autoptr(GHashTable) folders = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                             (GDestroyNotify) ember_folder_record_free);
      g_autoptr(EmberGraphPage) page = NULL;
      g_autoptr(GError) local_error = NULL;
      guint64 total_items = 0;
      guint n_pages = 0;

      if (cursor != NULL)
        {
          g_autoptr(GPtrArray) stored = ember_store_list_folders_sync (self->store, self->account_id,
                                                                       cancellable, error);

          if (stored == NULL)
            return NULL;
          for (guint i = 0; i < stored->len; i++)
            {
              EmberFolderRecord *folder = ember_folder_record_copy (g_ptr_array_index (stored, i));

              g_hash_table_insert (folders, folder->provider_id, folder);
            }
        }

      /* The opening batch fetched the first page already; a failure other
       * than an expired token gets one more try on its own. */
      if (first != NULL && first->node != NULL)
        page = outcome_page (self, first, &local_error);
      else if (first != NULL &&
               g_error_matches (first->error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_CURSOR_EXPIRED))
        local_error = g_error_copy (first->error);
      else
        {
          g_autoptr(EmberHttpRequest) request = new_folder_delta_request (self, cursor);

          page = fetch_page (self, request, cancellable, &local_error);
        }

      while (page != NULL)
        {
          g_autofree char *next = NULL;

          for (guint i = 0; i < page->items->len && local_error == NULL; i++)
            apply_folder_item (folders, g_ptr_array_index (page->items, i), names, &total_items, &local_error);
          for (guint i = 0; i < page->removed_ids->len; i++)
            g_hash_table_remove (folders, g_ptr_array_index (page->removed_ids, i));
          if (local_error != NULL)
            break;

          if (page->delta_link != NULL)
            {
              GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_folder_record_free);
              GHashTableIter iter;
              EmberFolderRecord *folder;

              drop_orphans (folders);
              g_hash_table_iter_init (&iter, folders);
              while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &folder))
                {
                  g_hash_table_iter_steal (&iter);
                  g_ptr_array_add (result, folder);
                }
              *out_delta_link = g_strdup (page->delta_link);
              if (out_total_items != NULL)
                *out_total_items = total_items;
              return result;
            }
          if (page->next_link == NULL)
            {
              g_set_error_literal (&local_error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                                   "Microsoft Graph ended a folder delta page without a next or delta link");
              break;
            }
          if (++n_pages > MAX_PAGES_PER_ROUND)
            {
              g_set_error_literal (&local_error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                                   "Microsoft Graph kept sending folder pages");
              break;
            }
          next = g_strdup (page->next_link);
          g_clear_pointer (&page, ember_graph_page_free);
          page = fetch_link (self, next, "mailFolders.delta", NULL, cancellable, &local_error);
        }

      if (g_error_matches (local_error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_CURSOR_EXPIRED) &&
          n_resyncs < MAX_RESYNCS)
        {
          g_debug ("Delta state of the mail folders expired; starting a fresh round");
          cursor = NULL;
          first = NULL;
          continue;
        }
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "Cannot list mail folders: ");
      return NULL;
    }
}

static gint64
find_folder_row (GPtrArray  *stored_folders,
                 const char *provider_id)
{
  for (guint i = 0; i < stored_folders->len; i++)
    {
      EmberFolderRecord *folder = g_ptr_array_index (stored_folders, i);

      if (g_strcmp0 (folder->provider_id, provider_id) == 0)
        return folder->id;
    }
  return 0;
}

/* Provider ids of the messages stored in one folder. */
static GHashTable *
stored_message_ids (EmberGraphProvider  *self,
                    const char          *folder_provider_id,
                    GCancellable        *cancellable,
                    GError             **error)
{
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) stored_folders = NULL;
  EmberMessageQuery query = { 0, };

  stored_folders = ember_store_list_folders_sync (self->store, self->account_id, cancellable, error);
  if (stored_folders == NULL)
    return NULL;

  query.scope = EMBER_MESSAGE_SCOPE_FOLDER;
  query.account_id = self->account_id;
  query.folder_id = find_folder_row (stored_folders, folder_provider_id);
  query.limit = 1000;
  if (query.folder_id == 0)
    return g_steal_pointer (&ids);

  for (;;)
    {
      g_autoptr(GPtrArray) messages = ember_store_list_messages_sync (self->store, &query,
                                                                      cancellable, error);

      if (messages == NULL)
        return NULL;
      if (messages->len == 0)
        break;
      for (guint i = 0; i < messages->len; i++)
        {
          EmberMessageRecord *message = g_ptr_array_index (messages, i);

          g_hash_table_add (ids, g_strdup (message->provider_id));
        }
      query.after = ember_message_cursor_after (g_ptr_array_index (messages, messages->len - 1));
    }

  return g_steal_pointer (&ids);
}

static EmberFolderChange *
removal_change (const char *message_id,
                const char *folder_id)
{
  EmberFolderChange *change = ember_folder_change_new (message_id, EMBER_FOLDER_CHANGE_REMOVE);

  g_ptr_array_add (change->folder_ids, g_strdup (folder_id));
  change->delete_if_no_folders = TRUE;
  return change;
}

/* Stores the folder tree, and with it the deltaLink of the round that
 * produced it. Folders that are gone take their messages with them
 * (Outlook moves them elsewhere, where they come back with new ids). */
static gboolean
save_folders (EmberGraphProvider  *self,
              GPtrArray           *folders,
              const char          *delta_link,
              GCancellable        *cancellable,
              GError             **error)
{
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(EmberFolderPage) page = ember_folder_page_new (FOLDERS_RESOURCE);

  stored = ember_store_list_folders_sync (self->store, self->account_id, cancellable, error);
  if (stored == NULL)
    return FALSE;
  for (guint i = 0; i < folders->len; i++)
    g_hash_table_add (listed, ((EmberFolderRecord *) g_ptr_array_index (folders, i))->provider_id);

  for (guint i = 0; i < stored->len; i++)
    {
      EmberFolderRecord *gone = g_ptr_array_index (stored, i);
      g_autofree char *resource = NULL;
      g_autoptr(GHashTable) ids = NULL;
      g_autoptr(EmberMessagePage) removal = NULL;
      GHashTableIter iter;
      gpointer id;

      if (g_hash_table_contains (listed, gone->provider_id))
        continue;

      ids = stored_message_ids (self, gone->provider_id, cancellable, error);
      if (ids == NULL)
        return FALSE;
      resource = g_strconcat ("mail:", gone->provider_id, NULL);
      removal = ember_message_page_new (resource);
      g_hash_table_iter_init (&iter, ids);
      while (g_hash_table_iter_next (&iter, &id, NULL))
        g_ptr_array_add (removal->folder_changes, removal_change (id, gone->provider_id));
      if (!save_message_page (self, removal, cancellable, error))
        return FALSE;
    }

  for (guint i = 0; i < folders->len; i++)
    g_ptr_array_add (page->folders, ember_folder_record_copy (g_ptr_array_index (folders, i)));
  page->complete = TRUE;
  page->cursor = g_strdup (delta_link);
  page->phase = g_strdup (PHASE_INCREMENTAL);

  {
    StoreWrite write = { WRITE_FOLDER_PAGE, .page = page };

    return store_write (self, &write, cancellable, error);
  }
}

/* ------------------------------------------------------------------------ */
/* Messages                                                                 */

/* Pages are stored by one writer thread per mail sync, in the order each
 * folder's round produced them, while the folders' threads fetch the next
 * ones: HTTP and SQLite overlap, and the store's single writer connection
 * is asked for by one thread rather than four. The queue is short, so
 * memory stays bounded when the store is the slower side. */
#define MAX_QUEUED_PAGES 8

typedef struct
{
  EmberGraphProvider *self;
  EmberSyncReport    *report;
  GCancellable       *cancellable;

  /* Guards everything below; never held across I/O. */
  GMutex              mutex;
  GCond               cond;
  GPtrArray          *folder_ids;     /* (element-type utf8) the work queue */
  GHashTable         *prefetched;     /* folder id -> Outcome: the round's first page */
  guint               next;
  GError             *error;          /* the first failure */
  GQueue              pages;          /* QueuedPage, for the writer */
  gboolean            fetching_done;  /* no page will be queued any more */

  guint64             stored;         /* messages stored so far */
  guint64             total;          /* the mailbox's size on a first sync, else 0 */
} MailRun;

/* One folder's rounds, as the writer sees them. */
typedef struct
{
  guint   pending;  /* pages queued and not stored yet */
  GError *error;    /* the first page that could not be stored */
} FolderRound;

typedef struct
{
  FolderRound      *round;
  EmberMessagePage *page;
  guint             n_new;
} QueuedPage;

static gpointer
mail_writer (gpointer data)
{
  MailRun *run = data;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      QueuedPage *item;
      gboolean skip;
      gboolean saved = FALSE;

      g_mutex_lock (&run->mutex);
      while (g_queue_is_empty (&run->pages) && !run->fetching_done)
        g_cond_wait (&run->cond, &run->mutex);
      item = g_queue_pop_head (&run->pages);
      /* A folder whose earlier page failed drops the rest: its cursor must
       * not move past what was not stored. */
      skip = item != NULL && item->round->error != NULL;
      g_cond_broadcast (&run->cond);
      g_mutex_unlock (&run->mutex);

      if (item == NULL)
        break;

      if (!skip)
        saved = save_message_page (run->self, item->page, run->cancellable, &error);
      if (saved)
        {
          guint64 stored;

          if (item->n_new > 0)
            ember_sync_report_add_new_messages (run->report, item->n_new);
          ember_sync_report_add_stored_messages (run->report, item->page->messages->len);
          g_mutex_lock (&run->mutex);
          run->stored += item->page->messages->len;
          stored = run->stored;
          g_mutex_unlock (&run->mutex);
          ember_sync_report_progress (run->report, "mail", stored, MAX (run->total, stored),
                                      "Fetching messages");
        }

      g_mutex_lock (&run->mutex);
      if (!saved && !skip && item->round->error == NULL)
        item->round->error = g_steal_pointer (&error);
      item->round->pending--;
      g_cond_broadcast (&run->cond);
      g_mutex_unlock (&run->mutex);

      ember_message_page_free (item->page);
      g_free (item);
    }

  return NULL;
}

/* Hands @page (transfer full) to the writer, waiting for room in the
 * queue; FALSE when an earlier page of the folder could not be stored. */
static gboolean
queue_page (MailRun           *run,
            FolderRound       *round,
            EmberMessagePage  *page,
            guint              n_new,
            GError           **error)
{
  QueuedPage *item;

  g_mutex_lock (&run->mutex);
  while (g_queue_get_length (&run->pages) >= MAX_QUEUED_PAGES && round->error == NULL)
    g_cond_wait (&run->cond, &run->mutex);
  if (round->error != NULL)
    {
      g_propagate_error (error, g_error_copy (round->error));
      g_mutex_unlock (&run->mutex);
      ember_message_page_free (page);
      return FALSE;
    }
  item = g_new0 (QueuedPage, 1);
  item->round = round;
  item->page = page;
  item->n_new = n_new;
  g_queue_push_tail (&run->pages, item);
  round->pending++;
  g_cond_broadcast (&run->cond);
  g_mutex_unlock (&run->mutex);

  return TRUE;
}

/* Waits until every page the folder queued is stored (or failed). */
static gboolean
flush_round (MailRun      *run,
             FolderRound  *round,
             GError      **error)
{
  gboolean ok;

  g_mutex_lock (&run->mutex);
  while (round->pending > 0)
    g_cond_wait (&run->cond, &run->mutex);
  ok = round->error == NULL;
  if (!ok)
    g_propagate_error (error, g_error_copy (round->error));
  g_mutex_unlock (&run->mutex);

  return ok;
}

static gboolean
round_failed (MailRun     *run,
              FolderRound *round)
{
  gboolean failed;

  g_mutex_lock (&run->mutex);
  failed = round->error != NULL;
  g_mutex_unlock (&run->mutex);
  return failed;
}

/* A delta entry that only names changed properties is laid over the stored
 * message; one for a message Ember does not have is fetched whole. */
static EmberMessageRecord *
complete_message (EmberGraphProvider  *self,
                  JsonObject          *item,
                  const char          *folder_id,
                  GCancellable        *cancellable,
                  GError             **error)
{
  const char *id = json_object_get_string_member (item, "id");
  g_autoptr(EmberMessageRecord) stored = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(EmberHttpRequest) request = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *suffix = NULL;
  g_autofree char *path = NULL;

  stored = ember_store_find_message_sync (self->store, self->account_id, id, cancellable, &local_error);
  if (stored != NULL)
    {
      /* Keep the stored bodies: NULL means "not fetched". */
      g_clear_pointer (&stored->body_text, g_free);
      g_clear_pointer (&stored->body_html, g_free);
      g_clear_pointer (&stored->attachments_json, g_free);
      g_clear_pointer (&stored->folder_names, g_ptr_array_unref);
      if (!ember_graph_apply_message (stored, item, folder_id, error))
        return NULL;
      return g_steal_pointer (&stored);
    }
  if (!g_error_matches (local_error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  suffix = g_strdup_printf ("/me/messages/%s", id);
  path = api_path (self, suffix);
  request = new_get (path, "messages.get", NULL);
  ember_http_request_add_query (request, "$select", EMBER_GRAPH_MESSAGE_SELECT);
  node = send_json (self, request, cancellable, error);
  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                   "Microsoft Graph sent message %s as something else than an object", id);
      return NULL;
    }
  return ember_graph_parse_message (json_node_get_object (node), folder_id, error);
}

static gboolean
is_new_message (EmberGraphProvider *self,
                const char         *id,
                GCancellable       *cancellable)
{
  g_autoptr(EmberMessageRecord) stored = NULL;

  stored = ember_store_find_message_sync (self->store, self->account_id, id, cancellable, NULL);
  return stored == NULL;
}

typedef enum
{
  ROUND_DONE,
  ROUND_FAILED,
  ROUND_RESTART,   /* the token expired: start a fresh round */
} RoundResult;

static RoundResult
run_message_round (MailRun      *run,
                   FolderRound  *round,
                   const char   *folder_id,
                   const char   *resource,
                   GError      **error)
{
  EmberGraphProvider *self = run->self;
  GCancellable *cancellable = run->cancellable;
  g_autoptr(EmberSyncState) state = NULL;
  g_autoptr(GHashTable) stale = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(EmberGraphPage) page = NULL;
  g_autofree char *phase = NULL;
  g_autofree char *prefer = g_strdup_printf ("odata.maxpagesize=%u", self->message_page_size);

  state = ember_store_get_sync_state_sync (self->store, self->account_id, resource, cancellable, error);
  if (state == NULL)
    return ROUND_FAILED;

  if (state->cursor != NULL && g_strcmp0 (state->phase, PHASE_RESYNC) != 0)
    {
      Outcome *prefetch = NULL;

      phase = g_strdup (state->phase != NULL ? state->phase : PHASE_INCREMENTAL);
      g_mutex_lock (&run->mutex);
      if (run->prefetched != NULL)
        {
          prefetch = g_hash_table_lookup (run->prefetched, folder_id);
          g_hash_table_remove (run->prefetched, folder_id);
        }
      g_mutex_unlock (&run->mutex);

      /* The opening batch fetched this cursor already; other failures of
       * it get one more try on their own. */
      if (prefetch != NULL && prefetch->node != NULL)
        page = outcome_page (self, prefetch, &local_error);
      else if (prefetch != NULL &&
               g_error_matches (prefetch->error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_CURSOR_EXPIRED))
        local_error = g_error_copy (prefetch->error);
      else
        page = fetch_link (self, state->cursor, "messages.delta", prefer, cancellable, &local_error);
    }
  else
    {
      g_autofree char *suffix = g_strdup_printf ("/me/mailFolders/%s/messages/delta", folder_id);
      g_autofree char *path = api_path (self, suffix);
      g_autoptr(EmberHttpRequest) request = new_get (path, "messages.delta", prefer);

      /* A fresh round over stored messages must delete what it does not
       * return: remember what is there now. */
      if (!flush_round (run, round, error))
        return ROUND_FAILED;
      stale = stored_message_ids (self, folder_id, cancellable, error);
      if (stale == NULL)
        return ROUND_FAILED;
      phase = g_strdup (g_hash_table_size (stale) > 0 ? PHASE_RESYNC : PHASE_INITIAL);
      if (g_hash_table_size (stale) == 0)
        g_clear_pointer (&stale, g_hash_table_unref);
      ember_http_request_add_query (request, "$select", EMBER_GRAPH_MESSAGE_SELECT);
      page = fetch_page (self, request, cancellable, &local_error);
    }

  for (guint n_pages = 0; ; n_pages++)
    {
      g_autoptr(EmberMessagePage) store_page = ember_message_page_new (resource);
      gboolean incremental = g_strcmp0 (phase, PHASE_INCREMENTAL) == 0;
      gboolean last;
      guint n_new = 0;
      g_autofree char *next = NULL;

      if (page == NULL)
        {
          if (g_error_matches (local_error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_CURSOR_EXPIRED))
            {
              g_debug ("Delta state of a mail folder expired; starting a fresh round");
              /* The queued pages first, or one would move the cursor back. */
              if (!flush_round (run, round, error) ||
                  !set_cursor (self, resource, NULL, PHASE_RESYNC, cancellable, error))
                return ROUND_FAILED;
              return ROUND_RESTART;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return ROUND_FAILED;
        }
      if (round_failed (run, round))
        {
          flush_round (run, round, error);
          return ROUND_FAILED;
        }
      if (page->next_link == NULL && page->delta_link == NULL)
        {
          g_set_error_literal (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                               "Microsoft Graph ended a message delta page without a next or delta link");
          return ROUND_FAILED;
        }
      if (n_pages >= MAX_PAGES_PER_ROUND)
        {
          g_set_error_literal (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                               "Microsoft Graph kept sending message delta pages");
          return ROUND_FAILED;
        }

      for (guint i = 0; i < page->items->len; i++)
        {
          JsonObject *item = g_ptr_array_index (page->items, i);
          EmberMessageRecord *message;

          if (ember_graph_message_is_complete (item))
            {
              message = ember_graph_parse_message (item, folder_id, error);
              if (message != NULL && incremental && is_new_message (self, message->provider_id, cancellable))
                n_new++;
            }
          else
            {
              message = complete_message (self, item, folder_id, cancellable, error);
            }
          if (message == NULL)
            return ROUND_FAILED;
          if (stale != NULL)
            g_hash_table_remove (stale, message->provider_id);
          g_ptr_array_add (store_page->messages, message);
        }
      for (guint i = 0; i < page->removed_ids->len; i++)
        {
          const char *id = g_ptr_array_index (page->removed_ids, i);

          g_ptr_array_add (store_page->folder_changes, removal_change (id, folder_id));
        }

      if (page->delta_link != NULL)
        {
          if (stale != NULL)
            {
              GHashTableIter iter;
              gpointer id;

              g_hash_table_iter_init (&iter, stale);
              while (g_hash_table_iter_next (&iter, &id, NULL))
                g_ptr_array_add (store_page->folder_changes, removal_change (id, folder_id));
            }
          store_page->cursor = g_strdup (page->delta_link);
          store_page->phase = g_strdup (PHASE_INCREMENTAL);
        }
      else
        {
          store_page->cursor = g_strdup (page->next_link);
          store_page->phase = g_strdup (phase);
        }

      last = page->delta_link != NULL;
      if (!queue_page (run, round, g_steal_pointer (&store_page), n_new, error))
        return ROUND_FAILED;
      /* The round is done once its last page is stored. */
      if (last)
        return flush_round (run, round, error) ? ROUND_DONE : ROUND_FAILED;

      next = g_strdup (page->next_link);
      g_clear_pointer (&page, ember_graph_page_free);
      page = fetch_link (self, next, "messages.delta", prefer, cancellable, &local_error);
    }
}

static gboolean
sync_folder_messages (MailRun     *run,
                      const char  *folder_id,
                      GError     **error)
{
  EmberGraphProvider *self = run->self;
  g_autofree char *resource = g_strconcat ("mail:", folder_id, NULL);
  g_autoptr(GError) local_error = NULL;
  FolderRound round = { 0, };

  for (guint n_resyncs = 0; ; n_resyncs++)
    {
      RoundResult result = run_message_round (run, &round, folder_id, resource, &local_error);

      /* Nothing of this folder may stay queued once it is left behind;
       * what the writer stores of it still counts. */
      flush_round (run, &round, NULL);
      g_clear_error (&round.error);

      if (result == ROUND_DONE)
        return record_success (self, resource, run->cancellable, error);
      if (result == ROUND_RESTART && n_resyncs < MAX_RESYNCS)
        continue;
      if (result == ROUND_RESTART)
        g_set_error_literal (&local_error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_CURSOR_EXPIRED,
                             "Microsoft Graph keeps expiring the sync state of a mail folder");

      /* A folder deleted since the listing: the next folder sync drops it. */
      if (g_error_matches (local_error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_NOT_FOUND))
        {
          g_debug ("A mail folder disappeared during the sync; skipping it");
          return TRUE;
        }

      record_error (self, resource, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
}

static gpointer
mail_worker (gpointer data)
{
  MailRun *run = data;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      const char *folder_id = NULL;

      g_mutex_lock (&run->mutex);
      if (run->next < run->folder_ids->len &&
          !g_cancellable_is_cancelled (run->cancellable))
        folder_id = g_ptr_array_index (run->folder_ids, run->next++);
      g_mutex_unlock (&run->mutex);

      if (folder_id == NULL)
        break;

      /* One folder failing does not stop the others: what they commit is
       * kept, and the first error is reported. */
      if (!sync_folder_messages (run, folder_id, &error))
        {
          g_mutex_lock (&run->mutex);
          if (run->error == NULL)
            run->error = g_steal_pointer (&error);
          g_mutex_unlock (&run->mutex);
        }
    }

  return NULL;
}

/* Every mail sync opens with one batch: the folder tree's delta (the
 * whole tree on the first sync, with the lookups that name its folders),
 * and the next page of every stored folder's message round. When nothing
 * changed, that is the whole sync. */
typedef struct
{
  GArray      *outcomes;       /* Outcome, owns everything below */
  Outcome     *folders;        /* the folder delta's first page */
  Outcome     *names;          /* N_FOLDER_NAME_REQUESTS lookups, or NULL */
  GHashTable  *rounds;         /* folder id -> Outcome */
  guint        n_stored;       /* folders stored before this sync */
} Opening;

static void
opening_clear (Opening *opening)
{
  g_clear_pointer (&opening->rounds, g_hash_table_unref);
  g_clear_pointer (&opening->outcomes, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Opening, opening_clear)

static gboolean
send_opening_batch (EmberGraphProvider  *self,
                    EmberSyncState      *folder_state,
                    gboolean             need_names,
                    Opening             *opening,
                    GCancellable        *cancellable,
                    GError             **error)
{
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *prefer = g_strdup_printf ("odata.maxpagesize=%u", self->message_page_size);
  const char *cursor = folder_state->cursor;
  guint first_round;

  stored = ember_store_list_folders_sync (self->store, self->account_id, cancellable, error);
  if (stored == NULL)
    return FALSE;
  opening->n_stored = stored->len;

  if (cursor != NULL && (g_strcmp0 (folder_state->phase, PHASE_INCREMENTAL) != 0 || !check_link (self, cursor, NULL)))
    cursor = NULL;
  g_ptr_array_add (requests, new_folder_delta_request (self, cursor));
  if (need_names)
    add_folder_name_requests (self, requests);
  first_round = requests->len;

  for (guint i = 0; i < stored->len; i++)
    {
      EmberFolderRecord *folder = g_ptr_array_index (stored, i);
      g_autofree char *resource = g_strconcat ("mail:", folder->provider_id, NULL);
      g_autoptr(EmberSyncState) state = NULL;

      state = ember_store_get_sync_state_sync (self->store, self->account_id, resource, cancellable, error);
      if (state == NULL)
        return FALSE;
      /* Fresh and restarted rounds list the folder first. */
      if (state->cursor == NULL || g_strcmp0 (state->phase, PHASE_RESYNC) == 0 ||
          !check_link (self, state->cursor, NULL))
        continue;
      g_ptr_array_add (requests, new_get (state->cursor, "messages.delta", prefer));
      g_ptr_array_add (keys, g_strdup (folder->provider_id));
    }

  opening->outcomes = send_all (self, requests, cancellable, error);
  if (opening->outcomes == NULL)
    return FALSE;

  opening->folders = &g_array_index (opening->outcomes, Outcome, 0);
  opening->names = need_names ? &g_array_index (opening->outcomes, Outcome, 1) : NULL;
  opening->rounds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < keys->len; i++)
    g_hash_table_insert (opening->rounds, g_strdup (g_ptr_array_index (keys, i)),
                         &g_array_index (opening->outcomes, Outcome, first_round + i));
  return TRUE;
}

/* Brings the stored folder tree up to date: one mailFolders/delta round. */
static GPtrArray *
sync_folders (EmberGraphProvider  *self,
              Opening             *opening,
              guint64             *out_total_items,
              GCancellable        *cancellable,
              GError             **error)
{
  g_autoptr(EmberSyncState) state = NULL;
  g_autoptr(FolderNames) names = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autofree char *delta_link = NULL;
  const char *cursor;

  state = ember_store_get_sync_state_sync (self->store, self->account_id, FOLDERS_RESOURCE, cancellable, error);
  if (state == NULL)
    return NULL;
  names = folder_names_from_extra (state->extra_json);
  if (!send_opening_batch (self, state, names == NULL, opening, cancellable, error))
    return NULL;
  if (names == NULL)
    {
      g_autoptr(GError) local_error = NULL;

      names = read_folder_names (self, opening->names, cancellable, &local_error);
      /* A lookup that failed in the batch gets one more try, alone. */
      if (names == NULL && local_error->domain != EMBER_AUTH_ERROR &&
          !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func (g_object_unref);
          g_autoptr(GArray) outcomes = NULL;

          g_debug ("Looking up the standard mail folders again: %s", local_error->message);
          g_clear_error (&local_error);
          add_folder_name_requests (self, requests);
          outcomes = send_all (self, requests, cancellable, &local_error);
          if (outcomes != NULL)
            names = read_folder_names (self, &g_array_index (outcomes, Outcome, 0), cancellable, &local_error);
        }
      if (names == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  cursor = state->cursor;
  if (cursor != NULL && (g_strcmp0 (state->phase, PHASE_INCREMENTAL) != 0 || !check_link (self, cursor, NULL)))
    cursor = NULL;
  folders = run_folder_round (self, opening->folders, cursor, names, &delta_link, out_total_items,
                              cancellable, error);
  if (folders == NULL || !save_folders (self, folders, delta_link, cancellable, error))
    return NULL;
  return g_steal_pointer (&folders);
}

static gboolean
ember_graph_provider_sync_mail (EmberProvider    *provider,
                                EmberSyncReport  *report,
                                GCancellable     *cancellable,
                                GError          **error)
{
  EmberGraphProvider *self = EMBER_GRAPH_PROVIDER (provider);
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(Opening) opening = { 0, };
  MailRun run = { 0, };
  GThread *writer;
  guint64 total_items = 0;
  guint n_workers;

  ember_sync_report_progress (report, "folders", 0, 0, "Listing mail folders");
  folders = sync_folders (self, &opening, &total_items, cancellable, &local_error);
  if (folders == NULL)
    {
      record_error (self, FOLDERS_RESOURCE, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!record_success (self, FOLDERS_RESOURCE, cancellable, error))
    return FALSE;

  run.self = self;
  run.report = report;
  run.cancellable = cancellable;
  g_mutex_init (&run.mutex);
  g_cond_init (&run.cond);
  g_queue_init (&run.pages);
  run.folder_ids = g_ptr_array_new_with_free_func (g_free);
  run.prefetched = opening.rounds;
  /* The mailbox's size only means something for a first sync. */
  run.total = opening.n_stored == 0 ? total_items : 0;
  for (guint i = 0; i < folders->len; i++)
    g_ptr_array_add (run.folder_ids,
                     g_strdup (((EmberFolderRecord *) g_ptr_array_index (folders, i))->provider_id));

  ember_sync_report_progress (report, "mail", 0, run.total, "Fetching messages");

  writer = g_thread_try_new ("ember-graph-store", mail_writer, &run, &local_error);
  if (writer == NULL)
    {
      g_ptr_array_unref (run.folder_ids);
      g_cond_clear (&run.cond);
      g_mutex_clear (&run.mutex);
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "Cannot start syncing mail: ");
      return FALSE;
    }

  n_workers = CLAMP (MIN (self->max_parallel_folders, run.folder_ids->len), 1, EMBER_GRAPH_MAX_IN_FLIGHT);
  threads = g_ptr_array_new ();
  for (guint i = 1; i < n_workers; i++)
    {
      GThread *thread = g_thread_try_new ("ember-graph-mail", mail_worker, &run, NULL);

      /* Fewer threads only means less parallelism. */
      if (thread != NULL)
        g_ptr_array_add (threads, thread);
    }
  mail_worker (&run);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));

  g_mutex_lock (&run.mutex);
  run.fetching_done = TRUE;
  g_cond_broadcast (&run.cond);
  g_mutex_unlock (&run.mutex);
  g_thread_join (writer);
  g_assert (g_queue_is_empty (&run.pages));

  g_ptr_array_unref (run.folder_ids);
  g_cond_clear (&run.cond);
  g_mutex_clear (&run.mutex);

  if (run.error == NULL)
    g_cancellable_set_error_if_cancelled (cancellable, &run.error);
  if (run.error != NULL)
    {
      g_propagate_error (error, run.error);
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Calendar                                                                 */

/* calendarView/delta serves the mailbox's primary calendar (v1.0 has no
 * delta per calendar), so Ember keeps exactly one calendar per Microsoft
 * account, under the fixed id "primary": no request is needed to name it. */
#define PRIMARY_CALENDAR_ID "primary"

static EmberCalendarRecord *
ensure_primary_calendar (EmberGraphProvider  *self,
                         GCancellable        *cancellable,
                         GError             **error)
{
  g_autoptr(GPtrArray) calendars = NULL;
  g_autoptr(EmberCalendarRecord) calendar = NULL;
  g_autoptr(EmberCalendarPage) page = NULL;

  calendars = ember_store_list_calendars_sync (self->store, self->account_id, cancellable, error);
  if (calendars == NULL)
    return NULL;
  for (guint i = 0; i < calendars->len; i++)
    {
      EmberCalendarRecord *stored = g_ptr_array_index (calendars, i);

      if (g_strcmp0 (stored->provider_id, PRIMARY_CALENDAR_ID) == 0)
        return ember_calendar_record_copy (stored);
    }

  calendar = ember_calendar_record_new ();
  calendar->provider_id = g_strdup (PRIMARY_CALENDAR_ID);
  calendar->name = g_strdup ("Calendar");
  calendar->is_primary = TRUE;

  page = ember_calendar_page_new (CALENDARS_RESOURCE);
  g_ptr_array_add (page->calendars, ember_calendar_record_copy (calendar));
  page->complete = TRUE;
  page->phase = g_strdup (PHASE_INCREMENTAL);
  {
    StoreWrite write = { WRITE_CALENDAR_PAGE, .page = page };

    if (!store_write (self, &write, cancellable, error))
      return NULL;
  }

  return g_steal_pointer (&calendar);
}

typedef struct
{
  gint64 start;  /* UTC midnight */
  gint64 end;    /* exclusive */
} Window;

static Window
desired_window (EmberGraphProvider *self)
{
  EmberClock *clock = ember_http_client_get_clock (self->client);
  gint64 now = ember_clock_get_real (clock) / G_USEC_PER_SEC;
  gint64 today = now - (now % SECONDS_PER_DAY);
  Window window;

  window.start = today - (gint64) EMBER_GRAPH_CALENDAR_DAYS_BACK * SECONDS_PER_DAY;
  /* Through the end of the 365th day ahead. */
  window.end = today + (gint64) (EMBER_GRAPH_CALENDAR_DAYS_AHEAD + 1) * SECONDS_PER_DAY;
  return window;
}

static gboolean
read_window (const char *extra_json,
             Window     *out_window)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  if (extra_json == NULL)
    return FALSE;
  node = json_from_string (extra_json, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  object = json_node_get_object (node);
  if (!json_object_has_member (object, "window_start") ||
      !json_object_has_member (object, "window_end"))
    return FALSE;
  out_window->start = json_object_get_int_member (object, "window_start");
  out_window->end = json_object_get_int_member (object, "window_end");
  return out_window->end > out_window->start;
}

static char *
write_window (const Window *window)
{
  return g_strdup_printf ("{\"window_start\":%" G_GINT64_FORMAT ",\"window_end\":%" G_GINT64_FORMAT "}",
                          window->start, window->end);
}

static char *
format_utc (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static gint64
date_to_utc (const char *date)
{
  g_autofree char *text = g_strconcat (date, "T00:00:00Z", NULL);
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (text, NULL);

  return dt != NULL ? g_date_time_to_unix (dt) : 0;
}

static gboolean
event_in_window (const EmberEventRecord *event,
                 const Window           *window)
{
  gint64 start = event->all_day ? date_to_utc (event->start_date) : event->start;
  gint64 end = event->all_day ? date_to_utc (event->end_date) : event->end;

  /* A zero-length event at the window's start still belongs to it. */
  return start < window->end && (end > window->start || (end == start && start == window->start));
}

static GHashTable *
stored_event_ids (EmberGraphProvider  *self,
                  const char          *calendar_id,
                  GCancellable        *cancellable,
                  GError             **error)
{
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Far enough in both directions for any event ever stored. */
  g_autoptr(GPtrArray) events = ember_store_list_events_sync (self->store, self->account_id,
                                                              -((gint64) 1 << 40), (gint64) 1 << 40,
                                                              cancellable, error);

  if (events == NULL)
    return NULL;
  for (guint i = 0; i < events->len; i++)
    {
      EmberEventRecord *event = g_ptr_array_index (events, i);

      if (event->calendar_provider_id == NULL ||
          g_strcmp0 (event->calendar_provider_id, calendar_id) == 0)
        g_hash_table_add (ids, g_strdup (event->provider_id));
    }
  return g_steal_pointer (&ids);
}

static RoundResult
run_event_round (EmberGraphProvider  *self,
                 EmberSyncReport     *report,
                 const char          *calendar_id,
                 const char          *resource,
                 GCancellable        *cancellable,
                 GError             **error)
{
  g_autoptr(EmberSyncState) state = NULL;
  g_autoptr(GHashTable) stale = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(EmberGraphPage) page = NULL;
  g_autofree char *phase = NULL;
  g_autofree char *prefer = g_strdup_printf ("outlook.timezone=\"%s\", odata.maxpagesize=%u",
                                             self->preferred_time_zone, self->event_page_size);
  Window wanted = desired_window (self);
  Window window;
  guint64 n_stored = 0;
  gboolean fresh;

  state = ember_store_get_sync_state_sync (self->store, self->account_id, resource, cancellable, error);
  if (state == NULL)
    return ROUND_FAILED;

  fresh = state->cursor == NULL || g_strcmp0 (state->phase, PHASE_RESYNC) == 0 ||
          !read_window (state->extra_json, &window);
  /* Slide the window once today has moved a week past its anchor: a fresh
   * round over the new range, which also drops what fell out of it. */
  if (!fresh && wanted.start - window.start >= (gint64) EMBER_GRAPH_CALENDAR_SLIDE_DAYS * SECONDS_PER_DAY)
    {
      g_debug ("Calendar window moved; starting a fresh round");
      fresh = TRUE;
    }

  if (!fresh)
    {
      phase = g_strdup (state->phase != NULL ? state->phase : PHASE_INCREMENTAL);
      page = fetch_link (self, state->cursor, "calendarView.delta", prefer, cancellable, &local_error);
    }
  else
    {
      g_autofree char *path = api_path (self, "/me/calendarView/delta");
      g_autofree char *start = format_utc (wanted.start);
      g_autofree char *end = format_utc (wanted.end);
      g_autofree char *extra = write_window (&wanted);
      g_autoptr(EmberHttpRequest) request = new_get (path, "calendarView.delta", prefer);

      window = wanted;
      stale = stored_event_ids (self, calendar_id, cancellable, error);
      if (stale == NULL)
        return ROUND_FAILED;
      phase = g_strdup (g_hash_table_size (stale) > 0 ? PHASE_RESYNC : PHASE_INITIAL);
      if (g_hash_table_size (stale) == 0)
        g_clear_pointer (&stale, g_hash_table_unref);
      /* The window goes with the round's first page: a crash after it
       * resumes the round with the right range. */
      if (!set_extra (self, resource, extra, cancellable, error))
        return ROUND_FAILED;

      ember_http_request_add_query (request, "startDateTime", start);
      ember_http_request_add_query (request, "endDateTime", end);
      page = fetch_page (self, request, cancellable, &local_error);
    }

  for (guint n_pages = 0; ; n_pages++)
    {
      g_autoptr(EmberEventPage) store_page = ember_event_page_new (resource, calendar_id);
      gboolean incremental = g_strcmp0 (phase, PHASE_INCREMENTAL) == 0;
      g_autofree char *next = NULL;

      if (page == NULL)
        {
          if (g_error_matches (local_error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_CURSOR_EXPIRED))
            {
              g_debug ("Delta state of the calendar expired; starting a fresh round");
              if (!set_cursor (self, resource, NULL, PHASE_RESYNC, cancellable, error))
                return ROUND_FAILED;
              return ROUND_RESTART;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return ROUND_FAILED;
        }
      if (page->next_link == NULL && page->delta_link == NULL)
        {
          g_set_error_literal (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                               "Microsoft Graph ended a calendar delta page without a next or delta link");
          return ROUND_FAILED;
        }
      if (n_pages >= MAX_PAGES_PER_ROUND)
        {
          g_set_error_literal (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                               "Microsoft Graph kept sending calendar delta pages");
          return ROUND_FAILED;
        }

      for (guint i = 0; i < page->items->len; i++)
        {
          JsonObject *item = g_ptr_array_index (page->items, i);
          g_autoptr(EmberEventRecord) event = NULL;

          if (ember_graph_event_is_series_master (item))
            continue;
          event = ember_graph_parse_event (item, error);
          if (event == NULL)
            return ROUND_FAILED;

          if (stale != NULL)
            g_hash_table_remove (stale, event->provider_id);
          /* Cancelled occurrences and events outside the window (delta
           * reports changes there too) are not on the agenda. */
          if (g_strcmp0 (event->status, "cancelled") == 0 || !event_in_window (event, &window))
            g_ptr_array_add (store_page->deleted_ids, g_strdup (event->provider_id));
          else
            g_ptr_array_add (store_page->events, g_steal_pointer (&event));
        }
      for (guint i = 0; i < page->removed_ids->len; i++)
        g_ptr_array_add (store_page->deleted_ids, g_strdup (g_ptr_array_index (page->removed_ids, i)));

      if (page->delta_link != NULL)
        {
          if (stale != NULL)
            {
              GHashTableIter iter;
              gpointer id;

              g_hash_table_iter_init (&iter, stale);
              while (g_hash_table_iter_next (&iter, &id, NULL))
                g_ptr_array_add (store_page->deleted_ids, g_strdup (id));
            }
          store_page->cursor = g_strdup (page->delta_link);
          store_page->phase = g_strdup (PHASE_INCREMENTAL);
        }
      else
        {
          store_page->cursor = g_strdup (page->next_link);
          store_page->phase = g_strdup (phase);
        }

      if (!save_event_page (self, store_page, cancellable, error))
        return ROUND_FAILED;

      if (incremental)
        ember_sync_report_add_changed_events (report, store_page->events->len + page->removed_ids->len);
      n_stored += store_page->events->len;
      ember_sync_report_progress (report, "calendar", n_stored, 0, "Fetching events");

      if (page->delta_link != NULL)
        return ROUND_DONE;

      next = g_strdup (page->next_link);
      g_clear_pointer (&page, ember_graph_page_free);
      page = fetch_link (self, next, "calendarView.delta", prefer, cancellable, &local_error);
    }
}

static gboolean
ember_graph_provider_sync_calendar (EmberProvider    *provider,
                                    EmberSyncReport  *report,
                                    GCancellable     *cancellable,
                                    GError          **error)
{
  EmberGraphProvider *self = EMBER_GRAPH_PROVIDER (provider);
  g_autoptr(EmberCalendarRecord) calendar = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *resource = NULL;

  ember_sync_report_progress (report, "calendar", 0, 0, "Fetching events");

  calendar = ensure_primary_calendar (self, cancellable, &local_error);
  if (calendar == NULL)
    {
      record_error (self, CALENDARS_RESOURCE, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  resource = g_strconcat ("calendar:", calendar->provider_id, NULL);
  for (guint n_resyncs = 0; ; n_resyncs++)
    {
      RoundResult result = run_event_round (self, report, calendar->provider_id, resource,
                                            cancellable, &local_error);

      if (result == ROUND_DONE)
        return record_success (self, resource, cancellable, error);
      if (result == ROUND_RESTART && n_resyncs < MAX_RESYNCS)
        continue;
      if (result == ROUND_RESTART)
        g_set_error_literal (&local_error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_CURSOR_EXPIRED,
                             "Microsoft Graph keeps expiring the sync state of the calendar");

      record_error (self, resource, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */

static void
ember_graph_provider_iface_init (EmberProviderInterface *iface)
{
  iface->sync_mail = ember_graph_provider_sync_mail;
  iface->sync_calendar = ember_graph_provider_sync_calendar;
}

static void
ember_graph_provider_constructed (GObject *object)
{
  EmberGraphProvider *self = EMBER_GRAPH_PROVIDER (object);
  const char *base;

  G_OBJECT_CLASS (ember_graph_provider_parent_class)->constructed (object);

  g_assert (EMBER_IS_STORE (self->store));
  g_assert (EMBER_IS_HTTP_CLIENT (self->client));
  g_assert (EMBER_IS_API_ENDPOINT (self->endpoint));

  /* A base with the API version ("https://graph.microsoft.com/v1.0", or
   * ".../beta") takes paths and $batch below it; a bare host gets "/v1.0"
   * in front of each path and no batching. */
  base = ember_api_endpoint_get_base_url (self->endpoint);
  self->use_batch = base != NULL && (g_str_has_suffix (base, "/v1.0") || g_str_has_suffix (base, "/v1.0/") ||
                                     g_str_has_suffix (base, "/beta") || g_str_has_suffix (base, "/beta/"));
  self->api_root = g_strdup (self->use_batch ? "" : "/v1.0");
}

static void
ember_graph_provider_dispose (GObject *object)
{
  EmberGraphProvider *self = EMBER_GRAPH_PROVIDER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_clear_object (&self->endpoint);

  G_OBJECT_CLASS (ember_graph_provider_parent_class)->dispose (object);
}

static void
ember_graph_provider_finalize (GObject *object)
{
  EmberGraphProvider *self = EMBER_GRAPH_PROVIDER (object);

  g_free (self->api_root);
  g_free (self->preferred_time_zone);

  G_OBJECT_CLASS (ember_graph_provider_parent_class)->finalize (object);
}

static void
ember_graph_provider_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  EmberGraphProvider *self = EMBER_GRAPH_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_ENDPOINT:
      g_value_set_object (value, self->endpoint);
      break;
    case PROP_ACCOUNT_ID:
      g_value_set_int64 (value, self->account_id);
      break;
    case PROP_MESSAGE_PAGE_SIZE:
      g_value_set_uint (value, self->message_page_size);
      break;
    case PROP_EVENT_PAGE_SIZE:
      g_value_set_uint (value, self->event_page_size);
      break;
    case PROP_MAX_PARALLEL_FOLDERS:
      g_value_set_uint (value, self->max_parallel_folders);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_graph_provider_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  EmberGraphProvider *self = EMBER_GRAPH_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_ENDPOINT:
      self->endpoint = g_value_dup_object (value);
      break;
    case PROP_ACCOUNT_ID:
      self->account_id = g_value_get_int64 (value);
      break;
    case PROP_MESSAGE_PAGE_SIZE:
      ember_graph_provider_set_message_page_size (self, g_value_get_uint (value));
      break;
    case PROP_EVENT_PAGE_SIZE:
      ember_graph_provider_set_event_page_size (self, g_value_get_uint (value));
      break;
    case PROP_MAX_PARALLEL_FOLDERS:
      ember_graph_provider_set_max_parallel_folders (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_graph_provider_class_init (EmberGraphProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ember_graph_provider_constructed;
  object_class->dispose = ember_graph_provider_dispose;
  object_class->finalize = ember_graph_provider_finalize;
  object_class->get_property = ember_graph_provider_get_property;
  object_class->set_property = ember_graph_provider_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, EMBER_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, EMBER_TYPE_HTTP_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENDPOINT] =
    g_param_spec_object ("endpoint", NULL, NULL, EMBER_TYPE_API_ENDPOINT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT_ID] =
    g_param_spec_int64 ("account-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE_PAGE_SIZE] =
    g_param_spec_uint ("message-page-size", NULL, NULL, 1, 1000, EMBER_GRAPH_DEFAULT_MESSAGE_PAGE_SIZE,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);
  properties[PROP_EVENT_PAGE_SIZE] =
    g_param_spec_uint ("event-page-size", NULL, NULL, 1, 1000, EMBER_GRAPH_DEFAULT_EVENT_PAGE_SIZE,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_PARALLEL_FOLDERS] =
    g_param_spec_uint ("max-parallel-folders", NULL, NULL, 1, EMBER_GRAPH_MAX_IN_FLIGHT,
                       EMBER_GRAPH_MAX_IN_FLIGHT,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ember_graph_provider_init (EmberGraphProvider *self)
{
  self->preferred_time_zone = g_strdup ("UTC");
}

EmberProvider *
ember_graph_provider_new (EmberStore       *store,
                          EmberHttpClient  *client,
                          EmberApiEndpoint *endpoint,
                          gint64            account_id)
{
  g_return_val_if_fail (EMBER_IS_STORE (store), NULL);
  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (client), NULL);
  g_return_val_if_fail (EMBER_IS_API_ENDPOINT (endpoint), NULL);
  g_return_val_if_fail (account_id > 0, NULL);

  return g_object_new (EMBER_TYPE_GRAPH_PROVIDER,
                       "store", store,
                       "client", client,
                       "endpoint", endpoint,
                       "account-id", account_id,
                       NULL);
}

void
ember_graph_provider_set_message_page_size (EmberGraphProvider *self,
                                            guint               page_size)
{
  g_return_if_fail (EMBER_IS_GRAPH_PROVIDER (self));
  g_return_if_fail (page_size > 0);

  if (self->message_page_size == page_size)
    return;
  self->message_page_size = page_size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE_PAGE_SIZE]);
}

void
ember_graph_provider_set_event_page_size (EmberGraphProvider *self,
                                          guint               page_size)
{
  g_return_if_fail (EMBER_IS_GRAPH_PROVIDER (self));
  g_return_if_fail (page_size > 0);

  if (self->event_page_size == page_size)
    return;
  self->event_page_size = page_size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EVENT_PAGE_SIZE]);
}

void
ember_graph_provider_set_max_parallel_folders (EmberGraphProvider *self,
                                               guint               n_folders)
{
  g_return_if_fail (EMBER_IS_GRAPH_PROVIDER (self));

  n_folders = CLAMP (n_folders, 1, EMBER_GRAPH_MAX_IN_FLIGHT);
  if (self->max_parallel_folders == n_folders)
    return;
  self->max_parallel_folders = n_folders;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_PARALLEL_FOLDERS]);
}

void
_ember_graph_provider_set_preferred_time_zone (EmberGraphProvider *self,
                                               const char         *windows_or_iana)
{
  g_return_if_fail (EMBER_IS_GRAPH_PROVIDER (self));
  g_return_if_fail (windows_or_iana != NULL);

  g_free (self->preferred_time_zone);
  self->preferred_time_zone = g_strdup (windows_or_iana);
}

gboolean
_ember_graph_provider_is_own_link (EmberGraphProvider *self,
                                   const char         *link)
{
  g_return_val_if_fail (EMBER_IS_GRAPH_PROVIDER (self), FALSE);

  return check_link (self, link, NULL);
}
