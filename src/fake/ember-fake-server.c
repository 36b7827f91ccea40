/* ember-fake-server.c: the server object, its thread and the C API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-fake"

#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "ember-fake-mime.h"
#include "ember-fake-private.h"

#define MAX_LOG_ENTRIES 200000

G_DEFINE_FINAL_TYPE (EmberFakeServer, ember_fake_server, G_TYPE_OBJECT)

/* ------------------------------------------------------------------------ */
/* Requests and responses.                                                 */

static void
parse_query (GPtrArray  *params,
             const char *query)
{
  g_auto(GStrv) pairs = NULL;

  if (query == NULL || *query == '\0')
    return;

  pairs = g_strsplit (query, "&", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      char *eq = strchr (pairs[i], '=');
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (*pairs[i] == '\0')
        continue;
      if (eq != NULL)
        {
          *eq = '\0';
          value = g_strdup (eq + 1);
        }
      else
        value = g_strdup ("");
      key = g_strdup (pairs[i]);

      /* Form encoding: '+' is a space. */
      g_strdelimit (key, "+", ' ');
      g_strdelimit (value, "+", ' ');
      g_ptr_array_add (params, g_uri_unescape_string (key, NULL) ?: g_strdup (key));
      g_ptr_array_add (params, g_uri_unescape_string (value, NULL) ?: g_strdup (value));
    }
}

EmberFakeRequest *
ember_fake_request_new (EmberFakeServer    *server,
                        const char         *method,
                        const char         *path,
                        const char         *query,
                        SoupMessageHeaders *headers,
                        GBytes             *body)
{
  EmberFakeRequest *request = g_new0 (EmberFakeRequest, 1);

  request->server = server;
  request->method = g_strdup (method);
  request->path = g_strdup (path);
  request->query = g_strdup (query);
  request->params = g_ptr_array_new_with_free_func (g_free);
  parse_query (request->params, query);
  request->headers = headers != NULL ? soup_message_headers_ref (headers)
                                     : soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  request->body = body != NULL ? g_bytes_ref (body) : g_bytes_new_static ("", 0);
  return request;
}

void
ember_fake_request_free (EmberFakeRequest *request)
{
  g_free (request->method);
  g_free (request->path);
  g_free (request->query);
  g_ptr_array_unref (request->params);
  soup_message_headers_unref (request->headers);
  g_bytes_unref (request->body);
  g_free (request);
}

const char *
ember_fake_request_param (EmberFakeRequest *request,
                          const char       *name)
{
  for (guint i = 0; i < request->params->len; i += 2)
    if (strcmp (g_ptr_array_index (request->params, i), name) == 0)
      return g_ptr_array_index (request->params, i + 1);
  return NULL;
}

GPtrArray *
ember_fake_request_params (EmberFakeRequest *request,
                           const char       *name)
{
  GPtrArray *values = g_ptr_array_new ();

  for (guint i = 0; i < request->params->len; i += 2)
    if (strcmp (g_ptr_array_index (request->params, i), name) == 0)
      g_ptr_array_add (values, g_ptr_array_index (request->params, i + 1));
  return values;
}

const char *
ember_fake_request_header (EmberFakeRequest *request,
                           const char       *name)
{
  return soup_message_headers_get_one (request->headers, name);
}

GStrv
ember_fake_request_segments (EmberFakeRequest *request,
                             const char       *prefix)
{
  g_auto(GStrv) raw = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  const char *rest;

  if (!g_str_has_prefix (request->path, prefix))
    return NULL;
  rest = request->path + strlen (prefix);
  while (*rest == '/')
    rest++;

  builder = g_strv_builder_new ();
  raw = g_strsplit (rest, "/", -1);
  for (guint i = 0; raw[i] != NULL; i++)
    {
      g_autofree char *decoded = NULL;

      if (*raw[i] == '\0' && raw[i + 1] == NULL)
        break;  /* trailing slash */
      decoded = ember_fake_unescape_segment (raw[i], -1);
      if (decoded == NULL)
        return NULL;
      g_strv_builder_add (builder, decoded);
    }
  return g_strv_builder_end (builder);
}

EmberFakeResponse *
ember_fake_response_new (void)
{
  EmberFakeResponse *response = g_new0 (EmberFakeResponse, 1);

  response->headers = g_ptr_array_new_with_free_func (g_free);
  response->body = g_string_new (NULL);
  response->status = 500;
  return response;
}

void
ember_fake_response_free (EmberFakeResponse *response)
{
  g_ptr_array_unref (response->headers);
  g_free (response->content_type);
  if (response->body != NULL)
    g_string_free (response->body, TRUE);
  g_free (response->account);
  g_free (response->fault);
  g_free (response);
}

void
ember_fake_response_reset (EmberFakeResponse *response)
{
  g_ptr_array_set_size (response->headers, 0);
  g_clear_pointer (&response->content_type, g_free);
  g_string_truncate (response->body, 0);
  response->status = 500;
}

void
ember_fake_response_add_header (EmberFakeResponse *response,
                                const char        *name,
                                const char        *value)
{
  g_ptr_array_add (response->headers, g_strdup (name));
  g_ptr_array_add (response->headers, g_strdup (value));
}

const char *
ember_fake_response_get_header (EmberFakeResponse *response,
                                const char        *name)
{
  for (guint i = 0; i < response->headers->len; i += 2)
    if (g_ascii_strcasecmp (g_ptr_array_index (response->headers, i), name) == 0)
      return g_ptr_array_index (response->headers, i + 1);
  return NULL;
}

void
ember_fake_response_set_json (EmberFakeResponse *response,
                              guint              status,
                              GString           *body)
{
  response->status = status;
  g_free (response->content_type);
  response->content_type = g_strdup ("application/json; charset=UTF-8");
  g_string_free (response->body, TRUE);
  response->body = body;
}

/* ------------------------------------------------------------------------ */
/* Error bodies.                                                            */

void
ember_fake_google_error (EmberFakeResponse *response,
                         guint              code,
                         const char        *status,
                         const char        *domain,
                         const char        *reason,
                         const char        *message,
                         const char        *location_type,
                         const char        *location)
{
  GString *body = g_string_new (NULL);
  EmberFakeJson json;

  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  ember_fake_json_key (&json, "error");
  ember_fake_json_begin_object (&json);
  ember_fake_json_member_int (&json, "code", code);
  ember_fake_json_member_string (&json, "message", message);
  ember_fake_json_key (&json, "errors");
  ember_fake_json_begin_array (&json);
  ember_fake_json_begin_object (&json);
  ember_fake_json_member_string (&json, "message", message);
  ember_fake_json_member_string (&json, "domain", domain);
  ember_fake_json_member_string (&json, "reason", reason);
  if (location_type != NULL)
    {
      ember_fake_json_member_string (&json, "locationType", location_type);
      ember_fake_json_member_string (&json, "location", location);
    }
  ember_fake_json_end_object (&json);
  ember_fake_json_end_array (&json);
  if (status != NULL)
    ember_fake_json_member_string (&json, "status", status);
  ember_fake_json_end_object (&json);
  ember_fake_json_end_object (&json);
  g_string_append_c (body, '\n');

  ember_fake_response_set_json (response, code, body);
  ember_fake_response_add_header (response, "Vary", "Origin, X-Origin, Referer");
}

void
ember_fake_graph_error (EmberFakeRequest  *request,
                        EmberFakeResponse *response,
                        guint              code,
                        const char        *error_code,
                        const char        *message)
{
  GString *body = g_string_new (NULL);
  EmberFakeJson json;
  g_autofree char *date = ember_fake_format_rfc3339_utc (ember_fake_server_now_us (request->server) / G_USEC_PER_SEC);
  const char *client_request_id = ember_fake_request_header (request, "client-request-id");
  g_autofree char *request_id = g_strdup_printf ("%08x-0000-4000-8000-%012" G_GINT64_MODIFIER "x",
                                                 (guint) request->seq, request->seq * 7919);

  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  ember_fake_json_key (&json, "error");
  ember_fake_json_begin_object (&json);
  ember_fake_json_member_string (&json, "code", error_code);
  ember_fake_json_member_string (&json, "message", message);
  ember_fake_json_key (&json, "innerError");
  ember_fake_json_begin_object (&json);
  ember_fake_json_member_string (&json, "date", date);
  ember_fake_json_member_string (&json, "request-id", request_id);
  ember_fake_json_member_string (&json, "client-request-id",
                                 client_request_id != NULL ? client_request_id : request_id);
  ember_fake_json_end_object (&json);
  ember_fake_json_end_object (&json);
  ember_fake_json_end_object (&json);

  ember_fake_response_set_json (response, code, body);
  g_free (response->content_type);
  response->content_type = g_strdup ("application/json");
  ember_fake_response_add_header (response, "request-id", request_id);
}

void
ember_fake_fault_reply (EmberFakeRequest         *request,
                        EmberFakeResponse        *response,
                        const EmberFakeFaultRule *rule,
                        gboolean                  graph)
{
  g_autofree char *retry_after = NULL;

  ember_fake_response_reset (response);
  if (graph)
    {
      switch (rule->status)
        {
        case 429:
          ember_fake_graph_error (request, response, 429, "TooManyRequests",
                                  "Too many requests. Please retry after some time.");
          break;
        case 503:
          ember_fake_graph_error (request, response, 503, "serviceNotAvailable",
                                  "Service unavailable. Please retry after some time.");
          break;
        case 504:
          ember_fake_graph_error (request, response, 504, "UnknownError",
                                  "The operation has timed out.");
          break;
        default:
          ember_fake_graph_error (request, response, rule->status, "generalException",
                                  "An unspecified error has occurred.");
          break;
        }
    }
  else
    {
      switch (rule->status)
        {
        case 429:
          ember_fake_google_error (response, 429, "RESOURCE_EXHAUSTED", "global", "rateLimitExceeded",
                                   "Resource has been exhausted (e.g. check quota).", NULL, NULL);
          break;
        case 500:
          ember_fake_google_error (response, 500, "INTERNAL", "global", "backendError",
                                   "Internal error encountered.", NULL, NULL);
          break;
        case 502:
          ember_fake_google_error (response, 502, "UNAVAILABLE", "global", "backendError",
                                   "Bad Gateway", NULL, NULL);
          break;
        case 503:
          ember_fake_google_error (response, 503, "UNAVAILABLE", "global", "backendError",
                                   "The service is currently unavailable.", NULL, NULL);
          break;
        case 504:
          ember_fake_google_error (response, 504, "DEADLINE_EXCEEDED", "global", "backendError",
                                   "Deadline expired before operation could complete.", NULL, NULL);
          break;
        default:
          ember_fake_google_error (response, rule->status, NULL, "global", "backendError",
                                   "Backend Error", NULL, NULL);
          break;
        }
    }

  if (rule->retry_after > 0)
    {
      retry_after = g_strdup_printf ("%u", rule->retry_after);
      ember_fake_response_add_header (response, "Retry-After", retry_after);
    }
  g_free (response->fault);
  response->fault = g_strdup_printf ("%u", rule->status);
}

/* ------------------------------------------------------------------------ */
/* Cursors.                                                                 */

char *
ember_fake_cursor_encode (const char *first_field,
                          ...)
{
  GString *text = g_string_new ("v1");
  va_list args;
  char *encoded;

  va_start (args, first_field);
  for (const char *field = first_field; field != NULL; field = va_arg (args, const char *))
    {
      g_string_append_c (text, '|');
      g_string_append (text, field);
    }
  va_end (args);

  encoded = ember_fake_base64url_encode_unpadded ((const guint8 *) text->str, text->len);
  g_string_free (text, TRUE);
  return encoded;
}

GStrv
ember_fake_cursor_decode (const char *cursor,
                          guint       expected_fields)
{
  g_autofree guint8 *data = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  GStrv fields;

  if (cursor == NULL)
    return NULL;
  data = ember_fake_base64url_decode (cursor, &len);
  if (data == NULL)
    return NULL;
  text = g_strndup ((const char *) data, len);
  if (!g_str_has_prefix (text, "v1|"))
    return NULL;
  fields = g_strsplit (text + 3, "|", -1);
  if (g_strv_length (fields) != expected_fields)
    {
      g_strfreev (fields);
      return NULL;
    }
  return fields;
}

/* ------------------------------------------------------------------------ */
/* Clock, quotas, log.                                                      */

gint64
ember_fake_server_now_us (EmberFakeServer *self)
{
  return g_get_real_time () + self->time_offset_us;
}

gint64
ember_fake_server_mono_us (EmberFakeServer *self)
{
  return g_get_monotonic_time () + self->time_offset_us;
}

static void
quota_free (gpointer data)
{
  EmberFakeQuota *quota = data;

  ember_fake_quota_clear (quota);
  g_free (quota);
}

EmberFakeQuota *
ember_fake_server_quota (EmberFakeServer *self,
                         const char      *email)
{
  EmberFakeQuota *quota = g_hash_table_lookup (self->quotas, email);

  if (quota == NULL)
    {
      quota = g_new0 (EmberFakeQuota, 1);
      g_queue_init (&quota->charges);
      g_queue_init (&quota->calendar_charges);
      g_hash_table_insert (self->quotas, g_strdup (email), quota);
    }
  return quota;
}

void
ember_fake_log_entry_free (EmberFakeLogEntry *entry)
{
  g_free (entry->method);
  g_free (entry->path);
  g_free (entry->query);
  g_free (entry->account);
  g_free (entry->fault);
  g_free (entry);
}

static EmberFakeLogEntry *
log_entry_copy (const EmberFakeLogEntry *entry)
{
  EmberFakeLogEntry *copy = g_memdup2 (entry, sizeof *entry);

  copy->method = g_strdup (entry->method);
  copy->path = g_strdup (entry->path);
  copy->query = g_strdup (entry->query);
  copy->account = g_strdup (entry->account);
  copy->fault = g_strdup (entry->fault);
  return copy;
}

guint64
ember_fake_server_log (EmberFakeServer   *self,
                       EmberFakeRequest  *request,
                       EmberFakeResponse *response)
{
  EmberFakeLogEntry *entry = g_new0 (EmberFakeLogEntry, 1);

  entry->seq = request->seq;
  entry->time_us = ember_fake_server_now_us (self);
  entry->method = g_strdup (request->method);
  entry->path = g_strdup (request->path);
  entry->query = g_strdup (request->query);
  entry->status = response->network_fault == EMBER_FAKE_FAULT_RESET ? 0 : response->status;
  entry->cost = response->cost;
  entry->account = g_strdup (response->account != NULL ? response->account
                             : request->account != NULL ? request->account->email : NULL);
  entry->fault = g_strdup (response->fault);
  entry->batch_seq = request->batch_seq;

  if (self->log->len >= MAX_LOG_ENTRIES)
    g_ptr_array_remove_range (self->log, 0, MAX_LOG_ENTRIES / 10);
  g_ptr_array_add (self->log, entry);
  return entry->seq;
}

/* ------------------------------------------------------------------------ */
/* Routing.                                                                 */

static void
not_found_html (EmberFakeResponse *response,
                const char        *path)
{
  g_autofree char *escaped = g_markup_escape_text (path, -1);

  ember_fake_response_reset (response);
  response->status = 404;
  response->content_type = g_strdup ("text/html; charset=UTF-8");
  g_string_printf (response->body,
                   "<!DOCTYPE html>\n<html lang=en><title>Error 404 (Not Found)</title>"
                   "<p><b>404.</b> <ins>That’s an error.</ins><p>The requested URL <code>%s</code> "
                   "was not found on this server. <ins>That’s all we know.</ins></html>\n",
                   escaped);
}

void
ember_fake_server_dispatch (EmberFakeServer   *self,
                            EmberFakeRequest  *request,
                            EmberFakeResponse *response)
{
  const char *path = request->path;

  if (g_str_has_prefix (path, "/gmail/v1/"))
    ember_fake_gmail_handle (request, response);
  else if (strcmp (path, "/batch/gmail/v1") == 0 || strcmp (path, "/batch/gmail/v1/") == 0)
    {
      if (request->in_batch)
        ember_fake_google_error (response, 400, "INVALID_ARGUMENT", "global", "badRequest",
                                 "Nested batch requests are not allowed.", NULL, NULL);
      else
        ember_fake_gmail_handle_batch (request, response);
    }
  else if (g_str_has_prefix (path, "/calendar/v3/"))
    ember_fake_calendar_handle (request, response);
  else if (strcmp (path, "/v1.0/$batch") == 0 || strcmp (path, "/v1.0/%24batch") == 0)
    {
      if (request->in_batch)
        ember_fake_graph_error (request, response, 400, "BadRequest", "Nested batch requests are not supported.");
      else
        ember_fake_graph_handle_batch (request, response);
    }
  else if (g_str_has_prefix (path, "/v1.0/"))
    ember_fake_graph_handle (request, response);
  else
    not_found_html (response, path);
}

static gboolean
is_graph_path (const char *path)
{
  return g_str_has_prefix (path, "/v1.0/");
}

/* ------------------------------------------------------------------------ */
/* Delivering replies (server thread).                                     */

typedef struct
{
  EmberFakeServer   *server;
  SoupServerMessage *message;
  EmberFakeResponse *response;
  GSource           *timeout;
  gulong             disconnected_id;
  gboolean           disconnected;
} Pending;

static void
release_slot (EmberFakeServer   *self,
              EmberFakeResponse *response)
{
  if (!response->holds_graph_slot)
    return;
  g_mutex_lock (&self->lock);
  ember_fake_quota_end_graph (self, response->account);
  g_mutex_unlock (&self->lock);
  response->holds_graph_slot = FALSE;
}

static void
write_response (SoupServerMessage *message,
                EmberFakeResponse *response)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);
  gsize len = response->body->len;

  for (guint i = 0; i < response->headers->len; i += 2)
    soup_message_headers_append (headers,
                                 g_ptr_array_index (response->headers, i),
                                 g_ptr_array_index (response->headers, i + 1));
  soup_server_message_set_status (message, response->status, NULL);
  if (response->content_type != NULL || len > 0)
    soup_server_message_set_response (message,
                                      response->content_type != NULL ? response->content_type : "text/plain",
                                      SOUP_MEMORY_TAKE,
                                      g_string_free (g_steal_pointer (&response->body), FALSE),
                                      len);
}

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  if (pending->timeout != NULL)
    {
      g_source_destroy (pending->timeout);
      g_source_unref (pending->timeout);
    }
  g_clear_signal_handler (&pending->disconnected_id, pending->message);
  release_slot (pending->server, pending->response);
  ember_fake_response_free (pending->response);
  g_object_unref (pending->message);
  g_free (pending);
}

static void
pending_disconnected_cb (SoupServerMessage *message,
                         Pending           *pending)
{
  pending->disconnected = TRUE;
}

static gboolean
pending_timeout_cb (gpointer data)
{
  Pending *pending = data;
  EmberFakeServer *self = pending->server;

  g_clear_pointer (&pending->timeout, g_source_unref);
  release_slot (self, pending->response);
  if (!pending->disconnected)
    {
      write_response (pending->message, pending->response);
      soup_server_message_unpause (pending->message);
    }
  g_hash_table_remove (self->pending, pending);
  return G_SOURCE_REMOVE;
}

static void
deliver (EmberFakeServer   *self,
         SoupServerMessage *message,
         EmberFakeResponse *response,
         guint              delay_ms)
{
  Pending *pending;

  if (response->network_fault == EMBER_FAKE_FAULT_RESET)
    {
      g_autoptr(GIOStream) stream = soup_server_message_steal_connection (message);

      if (stream != NULL)
        g_io_stream_close (stream, NULL, NULL);
      release_slot (self, response);
      ember_fake_response_free (response);
      return;
    }

  if (delay_ms == 0)
    {
      release_slot (self, response);
      write_response (message, response);
      ember_fake_response_free (response);
      return;
    }

  /* Delay without blocking the server thread. */
  pending = g_new0 (Pending, 1);
  pending->server = self;
  pending->message = g_object_ref (message);
  pending->response = response;
  pending->disconnected_id = g_signal_connect (message, "disconnected",
                                               G_CALLBACK (pending_disconnected_cb), pending);
  pending->timeout = g_timeout_source_new (delay_ms);
  /* A reply whose delay is over goes out before any new request is taken
   * in: on a starved server thread both are ready in one iteration, and
   * the finished request must not still count as in flight. */
  g_source_set_priority (pending->timeout, G_PRIORITY_HIGH);
  g_source_set_callback (pending->timeout, pending_timeout_cb, pending, NULL);
  g_source_attach (pending->timeout, self->context);
  g_hash_table_add (self->pending, pending);
  soup_server_message_pause (message);
}

static void
truncate_body (EmberFakeServer   *self,
               EmberFakeResponse *response)
{
  gsize keep;

  if (response->body->len < 2)
    return;
  keep = 1 + ember_fake_rng_below (&self->rng, (guint32) (response->body->len - 1));
  g_string_truncate (response->body, MIN (keep, response->body->len * 3 / 4));
  g_free (response->fault);
  response->fault = g_strdup ("truncate");
}

static void
server_callback (SoupServer        *soup,
                 SoupServerMessage *message,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  EmberFakeServer *self = user_data;
  GUri *uri = soup_server_message_get_uri (message);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (message));
  g_autoptr(EmberFakeRequest) request = ember_fake_request_new (self,
                                                                soup_server_message_get_method (message),
                                                                g_uri_get_path (uri),
                                                                g_uri_get_query (uri),
                                                                soup_server_message_get_request_headers (message),
                                                                body);
  EmberFakeResponse *response = ember_fake_response_new ();
  gboolean api = FALSE;
  guint delay_ms = 0;

  g_mutex_lock (&self->lock);
  request->seq = ++self->log_seq;

  if (g_str_has_prefix (request->path, "/_fake/") || strcmp (request->path, "/_fake") == 0)
    ember_fake_control_handle (request, response);
  else if (g_str_has_prefix (request->path, "/google/") || g_str_has_prefix (request->path, "/microsoft/"))
    {
      if (!ember_fake_oauth_handle (request, response))
        not_found_html (response, request->path);
    }
  else
    {
      const EmberFakeFaultRule *rule = NULL;
      gboolean truncate = FALSE;

      api = TRUE;
      if (self->faults != NULL)
        rule = ember_fake_faults_draw (self->faults, request->path, FALSE);

      if (rule != NULL && rule->kind == EMBER_FAKE_FAULT_STATUS)
        ember_fake_fault_reply (request, response, rule, is_graph_path (request->path));
      else if (rule != NULL && rule->kind == EMBER_FAKE_FAULT_RESET)
        {
          response->network_fault = EMBER_FAKE_FAULT_RESET;
          response->fault = g_strdup ("reset");
        }
      else
        {
          if (rule != NULL && rule->kind == EMBER_FAKE_FAULT_STALL)
            {
              response->stall_ms = rule->stall_ms;
              response->fault = g_strdup ("stall");
            }
          truncate = rule != NULL && rule->kind == EMBER_FAKE_FAULT_TRUNCATE;
          ember_fake_server_dispatch (self, request, response);
          if (truncate && response->status == 200)
            truncate_body (self, response);
        }
    }

  ember_fake_server_log (self, request, response);
  if (api)
    delay_ms = self->options.latency_ms + response->stall_ms;
  g_mutex_unlock (&self->lock);

  deliver (self, message, response, delay_ms);
}

/* ------------------------------------------------------------------------ */
/* Rendering ahead: while no request is waiting, the server thread renders */
/* messages in the order a full sync asks for them (newest first).         */

#define WARM_BATCH 16

static gboolean
warm_up_cb (gpointer data)
{
  EmberFakeServer *self = data;
  gboolean more = TRUE;

  g_mutex_lock (&self->lock);
  for (guint done = 0; done < WARM_BATCH && more;)
    {
      EmberFakeAccount *account;
      GPtrArray *by_date;

      if (self->warm_account >= self->dataset->accounts->len)
        {
          more = FALSE;
          break;
        }
      account = g_ptr_array_index (self->dataset->accounts, self->warm_account);
      by_date = ember_fake_account_messages_by_date (account);
      if (self->warm_position >= by_date->len)
        {
          self->warm_account++;
          self->warm_position = 0;
          continue;
        }
      {
        EmberFakeMessage *message = g_ptr_array_index (by_date, self->warm_position++);

        if (account->provider == EMBER_FAKE_PROVIDER_GOOGLE)
          ember_fake_message_render (message);
        else
          ember_fake_message_render_text (message);
        done++;
      }
    }
  g_mutex_unlock (&self->lock);

  if (!more)
    g_clear_pointer (&self->warm_source, g_source_unref);
  return more ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gint64
read_cpu_clock (EmberFakeServer *self)
{
  struct timespec now;

  if (!self->has_cpu_clock || clock_gettime (self->cpu_clock, &now) != 0)
    return 0;
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

gint64
ember_fake_server_get_cpu_time_us (EmberFakeServer *self)
{
  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), 0);

  /* The clock of a finished thread is gone: then the value it left. */
  if (self->thread == NULL)
    return self->cpu_time_us;
  return read_cpu_clock (self);
}

/* ------------------------------------------------------------------------ */
/* The thread.                                                              */

static gpointer
server_thread (gpointer data)
{
  EmberFakeServer *self = data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (self->context);
  self->has_cpu_clock = pthread_getcpuclockid (pthread_self (), &self->cpu_clock) == 0;

  self->soup = soup_server_new ("server-header", "ESF", NULL);
  soup_server_add_handler (self->soup, NULL, server_callback, self, NULL);

  if (soup_server_listen_local (self->soup, self->options.port, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      uris = soup_server_get_uris (self->soup);
      g_assert (uris != NULL);
      self->port = (guint16) g_uri_get_port (uris->data);
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
      self->base_uri = g_strdup_printf ("http://127.0.0.1:%u", self->port);
    }

  g_mutex_lock (&self->start_mutex);
  self->start_error = g_steal_pointer (&error);
  self->start_done = TRUE;
  g_cond_signal (&self->start_cond);
  g_mutex_unlock (&self->start_mutex);

  if (self->base_uri != NULL)
    {
      self->warm_source = g_idle_source_new ();
      g_source_set_priority (self->warm_source, G_PRIORITY_LOW);
      g_source_set_callback (self->warm_source, warm_up_cb, self, NULL);
      g_source_attach (self->warm_source, self->context);
      g_main_loop_run (self->loop);
    }

  if (self->warm_source != NULL)
    {
      g_source_destroy (self->warm_source);
      g_clear_pointer (&self->warm_source, g_source_unref);
    }
  self->cpu_time_us = read_cpu_clock (self);

  g_hash_table_remove_all (self->pending);
  soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  while (g_main_context_iteration (self->context, FALSE))
    ;

  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static void
ember_fake_server_dispose (GObject *object)
{
  EmberFakeServer *self = EMBER_FAKE_SERVER (object);

  ember_fake_server_stop (self);

  G_OBJECT_CLASS (ember_fake_server_parent_class)->dispose (object);
}

static void
ember_fake_server_finalize (GObject *object)
{
  EmberFakeServer *self = EMBER_FAKE_SERVER (object);

  ember_fake_dataset_free (self->dataset);
  g_clear_pointer (&self->faults, ember_fake_faults_free);
  g_clear_pointer (&self->auth, ember_fake_auth_free);
  g_hash_table_unref (self->quotas);
  g_ptr_array_unref (self->log);
  g_hash_table_unref (self->pending);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_free (self->base_uri);
  g_clear_error (&self->start_error);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->start_mutex);
  g_cond_clear (&self->start_cond);

  G_OBJECT_CLASS (ember_fake_server_parent_class)->finalize (object);
}

static void
ember_fake_server_class_init (EmberFakeServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ember_fake_server_dispose;
  object_class->finalize = ember_fake_server_finalize;
}

static void
ember_fake_server_init (EmberFakeServer *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->start_mutex);
  g_cond_init (&self->start_cond);
  self->quotas = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, quota_free);
  self->log = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_fake_log_entry_free);
  self->pending = g_hash_table_new_full (NULL, NULL, pending_free, NULL);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
}

void
ember_fake_server_options_init (EmberFakeServerOptions *options)
{
  memset (options, 0, sizeof *options);
  options->n_messages = 200;
  options->n_events = 80;
  options->seed = 1;
  options->token_ttl_seconds = 3600;
  options->code_ttl_seconds = 600;
  options->gmail_quota_units = 6000;
  options->gmail_quota_window_seconds = 60;
  options->gmail_costs = EMBER_FAKE_GMAIL_COSTS_2026;
  options->calendar_quota_requests = 600;
  options->graph_concurrency = 4;
  options->graph_requests_per_window = 10000;
  options->graph_window_seconds = 600;
}

EmberFakeServer *
ember_fake_server_new (const EmberFakeServerOptions *options)
{
  EmberFakeServer *self = g_object_new (EMBER_TYPE_FAKE_SERVER, NULL);
  gint64 now_us = g_get_real_time ();
  gint64 anchor;

  if (options != NULL)
    self->options = *options;
  else
    ember_fake_server_options_init (&self->options);
  self->options.faults = NULL;

  anchor = self->options.anchor_time > 0 ? self->options.anchor_time : now_us / G_USEC_PER_SEC;
  ember_fake_rng_init (&self->rng, ember_fake_mix64 (self->options.seed, 0xfa17));
  self->dataset = ember_fake_dataset_new (self->options.seed, self->options.n_messages,
                                          self->options.n_events, anchor, now_us);
  self->auth = ember_fake_auth_new (self->options.seed);

  if (options != NULL && options->faults != NULL && *options->faults != '\0')
    {
      g_autoptr(GError) error = NULL;

      if (!ember_fake_server_set_faults (self, options->faults, &error))
        g_critical ("Ignoring the fault spec: %s", error->message);
    }
  return self;
}

gboolean
ember_fake_server_start (EmberFakeServer  *self,
                         GError          **error)
{
  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  self->start_done = FALSE;
  self->thread = g_thread_new ("ember-fake-server", server_thread, self);

  g_mutex_lock (&self->start_mutex);
  while (!self->start_done)
    g_cond_wait (&self->start_cond, &self->start_mutex);
  g_mutex_unlock (&self->start_mutex);

  if (self->start_error != NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&self->start_error),
                                  "Cannot listen on 127.0.0.1:%u: ", self->options.port);
      g_thread_join (g_steal_pointer (&self->thread));
      return FALSE;
    }
  return TRUE;
}

static gboolean
quit_loop_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
ember_fake_server_stop (EmberFakeServer *self)
{
  g_return_if_fail (EMBER_IS_FAKE_SERVER (self));

  if (self->thread == NULL)
    return;
  g_main_context_invoke (self->context, quit_loop_cb, self->loop);
  g_thread_join (g_steal_pointer (&self->thread));
}

guint16
ember_fake_server_get_port (EmberFakeServer *self)
{
  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), 0);
  return self->port;
}

const char *
ember_fake_server_get_base_uri (EmberFakeServer *self)
{
  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), NULL);
  return self->base_uri;
}

/* ------------------------------------------------------------------------ */
/* The in-process control API.                                              */

static EmberFakeAccount *
lookup_locked (EmberFakeServer *self,
               const char      *email,
               GError         **error)
{
  EmberFakeAccount *account = ember_fake_dataset_lookup (self->dataset, email);

  if (account == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No account “%s” on the fake server", email);
  return account;
}

/* Takes the server's lock (released when *@locker goes) and finds the
 * account of @email in it. */
static EmberFakeAccount *
lock_account (EmberFakeServer  *self,
              const char       *email,
              GMutexLocker    **locker,
              GError          **error)
{
  *locker = g_mutex_locker_new (&self->lock);
  return lookup_locked (self, email, error);
}

gboolean
ember_fake_server_set_faults (EmberFakeServer  *self,
                              const char       *spec,
                              GError          **error)
{
  EmberFakeFaults *faults = NULL;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), FALSE);

  if (spec != NULL && *spec != '\0')
    {
      faults = ember_fake_faults_parse (spec, self->options.seed, error);
      if (faults == NULL)
        return FALSE;
    }

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->faults, ember_fake_faults_free);
  self->faults = faults;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

char *
ember_fake_server_dup_faults (EmberFakeServer *self)
{
  char *spec;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), NULL);

  g_mutex_lock (&self->lock);
  spec = g_strdup (self->faults != NULL ? self->faults->spec : "");
  g_mutex_unlock (&self->lock);
  return spec;
}

gboolean
ember_fake_server_issue_token (EmberFakeServer  *self,
                               const char       *email,
                               char            **access_token,
                               char            **refresh_token,
                               GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  EmberFakeAccount *account;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), FALSE);

  account = lock_account (self, email, &locker, error);
  return account != NULL && ember_fake_auth_issue_direct (self, account, access_token, refresh_token, NULL);
}

gboolean
ember_fake_server_revoke (EmberFakeServer  *self,
                          const char       *email,
                          GError          **error)
{
  EmberFakeAccount *account;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), FALSE);

  g_mutex_lock (&self->lock);
  account = lookup_locked (self, email, error);
  if (account != NULL)
    ember_fake_auth_revoke_account (self, account->email);
  g_mutex_unlock (&self->lock);
  return account != NULL;
}

gboolean
ember_fake_server_expire_cursors (EmberFakeServer   *self,
                                  const char        *email,
                                  EmberFakeCursors   cursors,
                                  GError           **error)
{
  EmberFakeAccount *account;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), FALSE);

  g_mutex_lock (&self->lock);
  account = lookup_locked (self, email, error);
  if (account != NULL)
    {
      if (cursors & EMBER_FAKE_CURSOR_HISTORY)
        ember_fake_account_expire_history (account);
      if (cursors & (EMBER_FAKE_CURSOR_SYNC_TOKEN | EMBER_FAKE_CURSOR_DELTA))
        ember_fake_account_expire_sync (account);
    }
  g_mutex_unlock (&self->lock);
  return account != NULL;
}

void
ember_fake_server_advance_time (EmberFakeServer *self,
                                gint64           seconds)
{
  g_return_if_fail (EMBER_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->lock);
  self->time_offset_us += seconds * G_USEC_PER_SEC;
  g_mutex_unlock (&self->lock);
}

char *
ember_fake_server_add_message (EmberFakeServer            *self,
                               const char                 *email,
                               const EmberFakeMessageSpec *spec,
                               GError                    **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  EmberFakeAccount *account;
  char *id = NULL;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), NULL);
  g_return_val_if_fail (spec != NULL, NULL);

  account = lock_account (self, email, &locker, error);
  if (account != NULL)
    {
      EmberFakeMessage *message = ember_fake_account_add_message (account, spec,
                                                                  ember_fake_server_now_us (self), error);

      if (message != NULL)
        id = g_strdup (message->id);
    }
  return id;
}

gboolean
ember_fake_server_delete_message (EmberFakeServer  *self,
                                  const char       *email,
                                  const char       *id,
                                  GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  EmberFakeAccount *account;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), FALSE);

  account = lock_account (self, email, &locker, error);
  return account != NULL &&
         ember_fake_account_delete_message (account, id, ember_fake_server_now_us (self), error);
}

gboolean
ember_fake_server_set_message_unread (EmberFakeServer  *self,
                                      const char       *email,
                                      const char       *id,
                                      gboolean          unread,
                                      GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  EmberFakeAccount *account;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), FALSE);

  account = lock_account (self, email, &locker, error);
  return account != NULL &&
         ember_fake_account_set_unread (account, id, unread, ember_fake_server_now_us (self), error);
}

char *
ember_fake_server_move_message (EmberFakeServer  *self,
                                const char       *email,
                                const char       *id,
                                const char       *destination,
                                GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  EmberFakeAccount *account;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), NULL);
  g_return_val_if_fail (destination != NULL, NULL);

  account = lock_account (self, email, &locker, error);
  return account != NULL
         ? ember_fake_account_move_message (account, id, destination, ember_fake_server_now_us (self), error)
         : NULL;
}

char *
ember_fake_server_add_folder (EmberFakeServer  *self,
                              const char       *email,
                              const char       *display_name,
                              const char       *parent,
                              GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  EmberFakeAccount *account;
  char *id = NULL;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), NULL);
  g_return_val_if_fail (display_name != NULL, NULL);

  account = lock_account (self, email, &locker, error);
  if (account != NULL)
    {
      EmberFakeFolder *folder = ember_fake_account_add_folder (account, display_name, parent, error);

      if (folder != NULL)
        id = g_strdup (folder->id);
    }
  return id;
}

gboolean
ember_fake_server_rename_folder (EmberFakeServer  *self,
                                 const char       *email,
                                 const char       *id,
                                 const char       *display_name,
                                 GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  EmberFakeAccount *account;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), FALSE);
  g_return_val_if_fail (display_name != NULL, FALSE);

  account = lock_account (self, email, &locker, error);
  return account != NULL && ember_fake_account_rename_folder (account, id, display_name, error);
}

gboolean
ember_fake_server_delete_folder (EmberFakeServer  *self,
                                 const char       *email,
                                 const char       *id,
                                 GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  EmberFakeAccount *account;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), FALSE);

  account = lock_account (self, email, &locker, error);
  return account != NULL &&
         ember_fake_account_delete_folder (account, id, ember_fake_server_now_us (self), error);
}

gboolean
ember_fake_server_relabel_message (EmberFakeServer    *self,
                                   const char         *email,
                                   const char         *id,
                                   const char * const *add,
                                   const char * const *remove,
                                   GError            **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  EmberFakeAccount *account;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), FALSE);

  account = lock_account (self, email, &locker, error);
  return account != NULL &&
         ember_fake_account_relabel (account, id, add, remove, ember_fake_server_now_us (self), error);
}

char *
ember_fake_server_add_event (EmberFakeServer          *self,
                             const char               *email,
                             const EmberFakeEventSpec *spec,
                             GError                  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  EmberFakeAccount *account;
  char *id = NULL;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), NULL);
  g_return_val_if_fail (spec != NULL, NULL);

  account = lock_account (self, email, &locker, error);
  if (account != NULL)
    {
      EmberFakeEvent *event = ember_fake_account_add_event (account, spec, ember_fake_server_now_us (self), error);

      if (event != NULL)
        id = g_strdup (event->id);
    }
  return id;
}

gboolean
ember_fake_server_change_event (EmberFakeServer          *self,
                                const char               *email,
                                const char               *id,
                                const EmberFakeEventSpec *change,
                                GError                  **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  EmberFakeAccount *account;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), FALSE);

  account = lock_account (self, email, &locker, error);
  return account != NULL &&
         ember_fake_account_change_event (account, id, change, ember_fake_server_now_us (self), error);
}

gboolean
ember_fake_server_cancel_event (EmberFakeServer  *self,
                                const char       *email,
                                const char       *id,
                                GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  EmberFakeAccount *account;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), FALSE);

  account = lock_account (self, email, &locker, error);
  return account != NULL &&
         ember_fake_account_cancel_event (account, id, ember_fake_server_now_us (self), error);
}

gboolean
ember_fake_server_delete_event (EmberFakeServer  *self,
                                const char       *email,
                                const char       *id,
                                GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  EmberFakeAccount *account;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), FALSE);

  account = lock_account (self, email, &locker, error);
  return account != NULL &&
         ember_fake_account_delete_event (account, id, ember_fake_server_now_us (self), error);
}

GStrv
ember_fake_server_list_message_ids (EmberFakeServer  *self,
                                    const char       *email,
                                    const char       *label_or_folder,
                                    GError          **error)
{
  EmberFakeAccount *account;
  GStrv ids = NULL;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), NULL);

  g_mutex_lock (&self->lock);
  account = lookup_locked (self, email, error);
  if (account != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      GPtrArray *by_date = ember_fake_account_messages_by_date (account);
      EmberFakeFolder *folder = NULL;

      if (label_or_folder != NULL && account->provider == EMBER_FAKE_PROVIDER_MICROSOFT)
        {
          folder = ember_fake_account_find_folder (account, label_or_folder);
          if (folder == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No folder “%s”", label_or_folder);
              g_mutex_unlock (&self->lock);
              return NULL;
            }
        }
      for (guint i = 0; i < by_date->len; i++)
        {
          EmberFakeMessage *message = g_ptr_array_index (by_date, i);

          if (folder != NULL && strcmp (message->folder_id, folder->id) != 0)
            continue;
          if (label_or_folder != NULL && folder == NULL &&
              !ember_fake_message_has_label (message, label_or_folder))
            continue;
          g_strv_builder_add (builder, message->id);
        }
      ids = g_strv_builder_end (builder);
    }
  g_mutex_unlock (&self->lock);
  return ids;
}

char *
ember_fake_server_dup_account_json (EmberFakeServer  *self,
                                    const char       *email,
                                    GError          **error)
{
  g_autoptr(GMutexLocker) locker = NULL;
  EmberFakeAccount *account;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), NULL);

  account = lock_account (self, email, &locker, error);
  return account != NULL ? ember_fake_account_to_json (account, TRUE) : NULL;
}

GPtrArray *
ember_fake_server_get_request_log (EmberFakeServer *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), NULL);

  g_mutex_lock (&self->lock);
  copy = g_ptr_array_new_full (self->log->len, (GDestroyNotify) ember_fake_log_entry_free);
  for (guint i = 0; i < self->log->len; i++)
    g_ptr_array_add (copy, log_entry_copy (g_ptr_array_index (self->log, i)));
  g_mutex_unlock (&self->lock);
  return copy;
}

void
ember_fake_server_clear_request_log (EmberFakeServer *self)
{
  g_return_if_fail (EMBER_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->lock);
  g_ptr_array_set_size (self->log, 0);
  g_mutex_unlock (&self->lock);
}

guint
ember_fake_server_count_requests (EmberFakeServer *self,
                                  const char      *method,
                                  const char      *path_prefix,
                                  guint            status)
{
  guint count = 0;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), 0);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->log->len; i++)
    {
      EmberFakeLogEntry *entry = g_ptr_array_index (self->log, i);

      if (method != NULL && strcmp (entry->method, method) != 0)
        continue;
      if (path_prefix != NULL && !g_str_has_prefix (entry->path, path_prefix))
        continue;
      if (status != 0 && entry->status != status)
        continue;
      count++;
    }
  g_mutex_unlock (&self->lock);
  return count;
}

/* @email's Graph mailbox: requests in flight now, or the most seen. */
static guint
get_in_flight_count (EmberFakeServer *self,
                     const char      *email,
                     gboolean         max)
{
  EmberFakeQuota *quota;
  guint n = 0;
  g_autofree char *folded = NULL;

  g_return_val_if_fail (EMBER_IS_FAKE_SERVER (self), 0);

  folded = g_ascii_strdown (email, -1);
  g_mutex_lock (&self->lock);
  quota = g_hash_table_lookup (self->quotas, folded);
  if (quota != NULL)
    n = max ? quota->max_in_flight : quota->in_flight;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
ember_fake_server_get_max_in_flight (EmberFakeServer *self,
                                     const char      *email)
{
  return get_in_flight_count (self, email, TRUE);
}

guint
ember_fake_server_get_in_flight (EmberFakeServer *self,
                                 const char      *email)
{
  return get_in_flight_count (self, email, FALSE);
}

void
ember_fake_server_reset_max_in_flight (EmberFakeServer *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (EMBER_IS_FAKE_SERVER (self));

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->quotas);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      EmberFakeQuota *quota = value;

      quota->max_in_flight = quota->in_flight;
    }
  g_mutex_unlock (&self->lock);
}
