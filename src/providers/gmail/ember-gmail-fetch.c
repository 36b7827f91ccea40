/* ember-gmail-fetch.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-providers"

#include "config.h"

#include "ember-error.h"
#include "ember-gmail-fetch.h"
#include "ember-gmail-json.h"
#include "ember-http-batch.h"

#define GMAIL_MESSAGES_PATH "/gmail/v1/users/me/messages/"

/* The record for one messages.get reply; NULL (no error) when it has no
 * id at all. */
static EmberMessageRecord *
record_from_reply (JsonNode *node)
{
  g_autoptr(GError) error = NULL;
  JsonObject *message;
  EmberMessageRecord *record;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  message = json_node_get_object (node);

  record = ember_gmail_message_from_json (message, &error);
  if (record != NULL)
    return record;

  /* One unreadable message must not stop the account's sync forever:
   * keep what its metadata says. */
  record = ember_gmail_message_metadata_from_json (message);
  if (record != NULL)
    {
      g_warning ("Gmail message %s kept without its content: %s", record->provider_id, error->message);
      record->body_text = g_strdup (record->snippet != NULL ? record->snippet : "");
    }

  return record;
}

static char *
message_path (const char *id)
{
  g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);

  return g_strconcat (GMAIL_MESSAGES_PATH, escaped, NULL);
}

GPtrArray *
ember_gmail_fetch_messages_sync (EmberHttpClient     *client,
                                 EmberApiEndpoint    *endpoint,
                                 const char * const  *ids,
                                 guint                n_ids,
                                 GCancellable        *cancellable,
                                 GError             **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_message_record_free);
  g_autoptr(EmberHttpBatch) batch = ember_http_batch_new ();

  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (client), NULL);
  g_return_val_if_fail (EMBER_IS_API_ENDPOINT (endpoint), NULL);
  g_return_val_if_fail (ids != NULL || n_ids == 0, NULL);
  g_return_val_if_fail (n_ids <= EMBER_GMAIL_BATCH_MAX, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_ids == 0)
    return g_steal_pointer (&records);

  for (guint i = 0; i < n_ids; i++)
    {
      g_autofree char *path = message_path (ids[i]);
      g_autoptr(EmberHttpRequest) request = ember_http_request_new ("GET", path);

      ember_http_request_set_operation (request, "messages.get");
      ember_http_request_add_query (request, "format", "raw");
      ember_http_batch_add (batch, request);
    }
  ember_http_batch_set_max_size (batch, n_ids);

  if (!ember_http_batch_send_sync (batch, client, endpoint, cancellable, error))
    return NULL;

  for (guint i = 0; i < n_ids; i++)
    {
      const GError *part_error = ember_http_batch_get_error (batch, i);
      EmberMessageRecord *record;

      if (part_error != NULL)
        {
          EmberHttpRequest *request = ember_http_batch_get_request (batch, i);

          /* Deleted since it was listed: its messagesDeleted follows. */
          if (g_error_matches (part_error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_CLIENT) &&
              ember_http_request_get_status (request) == 404)
            continue;
          g_set_error (error, part_error->domain, part_error->code,
                       "Fetching Gmail message %s failed: %s", ids[i], part_error->message);
          return NULL;
        }

      record = record_from_reply (ember_http_batch_get_json (batch, i));
      if (record != NULL)
        g_ptr_array_add (records, record);
    }

  return g_steal_pointer (&records);
}

struct _EmberGmailFetch
{
  GThread          *thread;
  EmberHttpClient  *client;
  EmberApiEndpoint *endpoint;
  GStrv             ids;
  GCancellable     *cancellable;  /* the fetch's own */
  GCancellable     *parent;
  gulong            parent_handler;
  GPtrArray        *records;
  GError           *error;
};

static void
forward_cancel_cb (GCancellable *parent,
                   gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static gpointer
fetch_thread (gpointer data)
{
  EmberGmailFetch *fetch = data;

  fetch->records = ember_gmail_fetch_messages_sync (fetch->client, fetch->endpoint,
                                                    (const char * const *) fetch->ids,
                                                    g_strv_length (fetch->ids),
                                                    fetch->cancellable, &fetch->error);
  return NULL;
}

EmberGmailFetch *
ember_gmail_fetch_start (EmberHttpClient     *client,
                         EmberApiEndpoint    *endpoint,
                         const char * const  *ids,
                         guint                n_ids,
                         GCancellable        *cancellable)
{
  EmberGmailFetch *fetch;

  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (client), NULL);
  g_return_val_if_fail (EMBER_IS_API_ENDPOINT (endpoint), NULL);
  g_return_val_if_fail (ids != NULL || n_ids == 0, NULL);

  fetch = g_new0 (EmberGmailFetch, 1);
  fetch->client = g_object_ref (client);
  fetch->endpoint = g_object_ref (endpoint);
  fetch->ids = g_new0 (char *, n_ids + 1);
  for (guint i = 0; i < n_ids; i++)
    fetch->ids[i] = g_strdup (ids[i]);
  fetch->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      fetch->parent = g_object_ref (cancellable);
      fetch->parent_handler = g_cancellable_connect (cancellable, G_CALLBACK (forward_cancel_cb),
                                                     fetch->cancellable, NULL);
    }
  fetch->thread = g_thread_new ("ember-gmail-fetch", fetch_thread, fetch);

  return fetch;
}

GPtrArray *
ember_gmail_fetch_finish (EmberGmailFetch  *fetch,
                          GError          **error)
{
  GPtrArray *records;

  g_return_val_if_fail (fetch != NULL, NULL);

  g_thread_join (fetch->thread);
  if (fetch->parent != NULL)
    g_cancellable_disconnect (fetch->parent, fetch->parent_handler);

  records = g_steal_pointer (&fetch->records);
  if (records == NULL)
    g_propagate_error (error, g_steal_pointer (&fetch->error));

  g_clear_error (&fetch->error);
  g_clear_object (&fetch->parent);
  g_clear_object (&fetch->cancellable);
  g_clear_object (&fetch->client);
  g_clear_object (&fetch->endpoint);
  g_strfreev (fetch->ids);
  g_free (fetch);

  return records;
}

void
ember_gmail_fetch_abort (EmberGmailFetch *fetch)
{
  g_autoptr(GPtrArray) records = NULL;

  if (fetch == NULL)
    return;

  g_cancellable_cancel (fetch->cancellable);
  records = ember_gmail_fetch_finish (fetch, NULL);
}
