/* ember-http-batch.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-net"

#include "config.h"

#include <string.h>

#include "ember-api-endpoint-private.h"
#include "ember-auth-session.h"
#include "ember-error.h"
#include "ember-http-batch.h"
#include "ember-http-request-private.h"
#include "ember-metrics.h"
#include "ember-redact.h"

typedef struct
{
  EmberHttpRequest *request;
  JsonNode         *json;
  GError           *error;
  gboolean          done;
  gint64            retry_after;  /* from the last failed attempt, -1 when none */
  gboolean          unauthorized;
} Part;

struct _EmberHttpBatch
{
  GObject  parent_instance;

  GArray  *parts;          /* Part */
  guint    max_size;
  guint    n_requests_sent;
};

G_DEFINE_FINAL_TYPE (EmberHttpBatch, ember_http_batch, G_TYPE_OBJECT)

typedef enum
{
  PART_OK,
  PART_RETRY,
  PART_FAILED,
} PartOutcome;

static void
part_clear (gpointer data)
{
  Part *part = data;

  g_clear_object (&part->request);
  g_clear_pointer (&part->json, json_node_unref);
  g_clear_error (&part->error);
}

static void
ember_http_batch_finalize (GObject *object)
{
  EmberHttpBatch *self = EMBER_HTTP_BATCH (object);

  g_clear_pointer (&self->parts, g_array_unref);

  G_OBJECT_CLASS (ember_http_batch_parent_class)->finalize (object);
}

static void
ember_http_batch_class_init (EmberHttpBatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ember_http_batch_finalize;
}

static void
ember_http_batch_init (EmberHttpBatch *self)
{
  self->parts = g_array_new (FALSE, TRUE, sizeof (Part));
  g_array_set_clear_func (self->parts, part_clear);
}

EmberHttpBatch *
ember_http_batch_new (void)
{
  return g_object_new (EMBER_TYPE_HTTP_BATCH, NULL);
}

guint
ember_http_batch_add (EmberHttpBatch   *self,
                      EmberHttpRequest *request)
{
  Part part = { 0 };

  g_return_val_if_fail (EMBER_IS_HTTP_BATCH (self), 0);
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (request), 0);

  part.request = g_object_ref (request);
  part.retry_after = -1;
  g_array_append_val (self->parts, part);

  return self->parts->len - 1;
}

guint
ember_http_batch_get_n_parts (EmberHttpBatch *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_BATCH (self), 0);

  return self->parts->len;
}

EmberHttpRequest *
ember_http_batch_get_request (EmberHttpBatch *self,
                              guint           index)
{
  g_return_val_if_fail (EMBER_IS_HTTP_BATCH (self), NULL);
  g_return_val_if_fail (index < self->parts->len, NULL);

  return g_array_index (self->parts, Part, index).request;
}

void
ember_http_batch_set_max_size (EmberHttpBatch *self,
                               guint           max_size)
{
  g_return_if_fail (EMBER_IS_HTTP_BATCH (self));

  self->max_size = max_size;
}

JsonNode *
ember_http_batch_get_json (EmberHttpBatch *self,
                           guint           index)
{
  g_return_val_if_fail (EMBER_IS_HTTP_BATCH (self), NULL);
  g_return_val_if_fail (index < self->parts->len, NULL);

  return g_array_index (self->parts, Part, index).json;
}

const GError *
ember_http_batch_get_error (EmberHttpBatch *self,
                            guint           index)
{
  g_return_val_if_fail (EMBER_IS_HTTP_BATCH (self), NULL);
  g_return_val_if_fail (index < self->parts->len, NULL);

  return g_array_index (self->parts, Part, index).error;
}

guint
ember_http_batch_get_n_requests_sent (EmberHttpBatch *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_BATCH (self), 0);

  return self->n_requests_sent;
}

/* Judges one part's reply; keeps the last failure on the part. */
static PartOutcome
judge_part (EmberApiEndpoint   *endpoint,
            Part               *part,
            guint               status,
            SoupMessageHeaders *headers,
            GBytes             *body,
            JsonNode           *json_body,
            EmberClock         *clock)
{
  g_autofree char *reason = NULL;
  g_autofree char *message = NULL;
  const char *display_name = ember_api_endpoint_get_display_name (endpoint);
  const char *retry_after;

  _ember_http_request_set_response (part->request, status, headers, body);
  _ember_http_request_count_attempt (part->request);
  g_clear_error (&part->error);
  part->retry_after = -1;
  part->unauthorized = FALSE;

  if (status >= 200 && status < 300)
    {
      if (json_body == NULL)
        {
          g_set_error (&part->error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_BAD_RESPONSE,
                       "%s sent a truncated or malformed reply in a batch", display_name);
          return PART_RETRY;
        }
      g_clear_pointer (&part->json, json_node_unref);
      part->json = json_node_ref (json_body);
      part->done = TRUE;
      return PART_OK;
    }

  if (body != NULL)
    ember_http_parse_provider_error (body, &reason, &message);
  else if (json_body != NULL)
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autofree char *text = NULL;
      g_autoptr(GBytes) bytes = NULL;

      json_generator_set_root (generator, json_body);
      text = json_generator_to_data (generator, NULL);
      bytes = g_bytes_new (text, strlen (text));
      ember_http_parse_provider_error (bytes, &reason, &message);
    }
  _ember_http_request_set_error_reason (part->request, reason);

  retry_after = headers != NULL ? soup_message_headers_get_one (headers, "Retry-After") : NULL;
  if (retry_after != NULL)
    part->retry_after = ember_parse_retry_after (retry_after, ember_clock_get_real (clock));

  if (status == 429 || (status == 403 && (g_strcmp0 (reason, "userRateLimitExceeded") == 0 ||
                                          g_strcmp0 (reason, "rateLimitExceeded") == 0)))
    {
      ember_metrics_counter_add (ember_metrics_get_default (), "http.429", 1);
      g_set_error (&part->error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_RATE_LIMITED,
                   "%s asked Ember to slow down (HTTP %u%s%s)", display_name, status,
                   message != NULL ? ": " : "", message != NULL ? message : "");
      return PART_RETRY;
    }

  if (status == 500 || status == 502 || status == 503 || status == 504 || status == 0)
    {
      g_set_error (&part->error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_SERVER,
                   "%s is having trouble (HTTP %u%s%s)", display_name, status,
                   message != NULL ? ": " : "", message != NULL ? message : "");
      return PART_RETRY;
    }

  if (status == 401)
    {
      part->unauthorized = TRUE;
      g_set_error (&part->error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_CLIENT,
                   "%s did not accept the sign-in (HTTP 401%s%s)", display_name,
                   message != NULL ? ": " : "", message != NULL ? message : "");
      return PART_RETRY;
    }

  g_set_error (&part->error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_CLIENT,
               "%s refused the request (HTTP %u %s)%s%s", display_name, status,
               soup_status_get_phrase (status),
               message != NULL ? ": " : "", message != NULL ? message : "");
  part->done = TRUE;
  return PART_FAILED;
}

static JsonNode *
parse_json_bytes (const char *data,
                  gsize       size)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (size == 0 || !json_parser_load_from_data (parser, data, size, NULL) ||
      json_parser_get_root (parser) == NULL)
    return NULL;

  return json_parser_steal_root (parser);
}

/* Headers a part must not carry itself: the outer request's sign-in
 * covers every part, and the framing is the batch's business. */
static gboolean
is_batch_owned_header (const char *name)
{
  static const char * const owned[] = {
    "Authorization", "Content-Length", "Host", "Connection", "Transfer-Encoding",
  };

  for (guint i = 0; i < G_N_ELEMENTS (owned); i++)
    if (g_ascii_strcasecmp (name, owned[i]) == 0)
      return TRUE;
  return FALSE;
}

/* One call inside a Gmail batch: its request line and its own headers. */
static char *
build_gmail_inner (EmberHttpRequest *request,
                   const char       *path)
{
  GString *inner = g_string_new (NULL);
  SoupMessageHeadersIter iter;
  const char *name;
  const char *value;

  g_string_append_printf (inner, "%s %s HTTP/1.1\r\nAccept: application/json\r\n",
                          ember_http_request_get_method (request), path);
  soup_message_headers_iter_init (&iter, ember_http_request_get_request_headers (request));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    if (!is_batch_owned_header (name) && g_ascii_strcasecmp (name, "Accept") != 0)
      g_string_append_printf (inner, "%s: %s\r\n", name, value);
  g_string_append (inner, "\r\n");
  return g_string_free (inner, FALSE);
}

/* Gmail: multipart/mixed out, multipart/mixed back. */
/* A batch that only reads may share an idle connection (libsoup opens a
 * new one for every other POST: a TLS handshake per batch). */
static gboolean
parts_are_idempotent (EmberHttpBatch *self)
{
  for (guint i = 0; i < self->parts->len; i++)
    {
      if (!ember_http_request_get_idempotent (g_array_index (self->parts, Part, i).request))
        return FALSE;
    }
  return TRUE;
}

static EmberHttpRequest *
build_gmail_request (EmberHttpBatch   *self,
                     EmberApiEndpoint *endpoint,
                     GArray           *chunk)
{
  g_autoptr(SoupMultipart) multipart = soup_multipart_new ("multipart/mixed");
  g_autoptr(SoupMessageHeaders) outer_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_MULTIPART);
  g_autoptr(GBytes) outer_body = NULL;
  EmberHttpRequest *request;
  const char *content_type;
  double cost = 0;

  for (guint i = 0; i < chunk->len; i++)
    {
      guint index = g_array_index (chunk, guint, i);
      Part *part = &g_array_index (self->parts, Part, index);
      g_autoptr(SoupMessageHeaders) part_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_MULTIPART);
      g_autofree char *path = ember_http_request_dup_path_and_query (part->request);
      g_autofree char *content_id = g_strdup_printf ("<item-%u>", index);
      g_autofree char *inner = NULL;
      g_autoptr(GBytes) inner_bytes = NULL;
      double part_cost = ember_http_request_get_cost (part->request);
      gsize inner_length;

      if (part_cost < 0)
        part_cost = ember_api_endpoint_get_cost (endpoint, ember_http_request_get_operation (part->request));
      cost += part_cost;

      /* Only the path: Google refuses full URLs inside a batch. */
      soup_message_headers_append (part_headers, "Content-Type", "application/http");
      soup_message_headers_append (part_headers, "Content-ID", content_id);
      inner = build_gmail_inner (part->request, path);
      inner_length = strlen (inner);
      inner_bytes = g_bytes_new_take (g_steal_pointer (&inner), inner_length);
      soup_multipart_append_part (multipart, part_headers, inner_bytes);
    }

  soup_multipart_to_message (multipart, outer_headers, &outer_body);
  content_type = soup_message_headers_get_one (outer_headers, "Content-Type");

  request = ember_http_request_new ("POST", "/batch/gmail/v1");
  ember_http_request_set_idempotent (request, parts_are_idempotent (self));
  ember_http_request_set_body (request, content_type, outer_body);
  ember_http_request_set_cost (request, cost);
  return request;
}

static gboolean
parse_http_part (GBytes              *part_body,
                 guint               *out_status,
                 SoupMessageHeaders **out_headers,
                 GBytes             **out_body)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (part_body, &size);
  const char *end = NULL;
  gsize head_length, skip;
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  guint status = 0;

  for (gsize i = 0; i + 1 < size; i++)
    {
      if (i + 3 < size && memcmp (data + i, "\r\n\r\n", 4) == 0)
        {
          end = data + i;
          skip = 4;
          break;
        }
      if (memcmp (data + i, "\n\n", 2) == 0)
        {
          end = data + i;
          skip = 2;
          break;
        }
    }
  if (end == NULL)
    return FALSE;

  head_length = end - data;
  /* soup_headers_parse_response wants the terminating blank line. */
  {
    g_autofree char *head = g_strndup (data, head_length + skip);

    if (!soup_headers_parse_response (head, head_length + skip, headers, NULL, &status, NULL))
      return FALSE;
  }

  *out_status = status;
  *out_headers = g_steal_pointer (&headers);
  *out_body = g_bytes_new_from_bytes (part_body, head_length + skip, size - head_length - skip);
  return TRUE;
}

static void
apply_gmail_response (EmberHttpBatch   *self,
                      EmberApiEndpoint *endpoint,
                      EmberHttpRequest *outer,
                      GArray           *chunk,
                      EmberClock       *clock)
{
  g_autoptr(SoupMultipart) multipart = NULL;
  GBytes *body = ember_http_request_get_response_body (outer);
  SoupMessageHeaders *headers = ember_http_request_get_response_headers (outer);
  g_autofree gboolean *answered = g_new0 (gboolean, chunk->len);

  if (body != NULL && headers != NULL)
    multipart = soup_multipart_new_from_message (headers, body);

  for (int p = 0; multipart != NULL && p < soup_multipart_get_length (multipart); p++)
    {
      SoupMessageHeaders *part_headers = NULL;
      GBytes *part_body = NULL;
      g_autoptr(SoupMessageHeaders) inner_headers = NULL;
      g_autoptr(GBytes) inner_body = NULL;
      g_autoptr(JsonNode) json = NULL;
      const char *content_id;
      guint status = 0;
      int slot = -1;

      if (!soup_multipart_get_part (multipart, p, &part_headers, &part_body))
        continue;

      /* Google echoes Content-ID as "<response-item-N>"; else go by order. */
      content_id = soup_message_headers_get_one (part_headers, "Content-ID");
      if (content_id != NULL)
        {
          const char *digits = strstr (content_id, "item-");
          char *digits_end = NULL;
          guint64 index = 0;

          if (digits != NULL)
            index = g_ascii_strtoull (digits + 5, &digits_end, 10);
          if (digits_end != NULL && digits_end != digits + 5 && (*digits_end == '>' || *digits_end == '\0'))
            for (guint i = 0; i < chunk->len; i++)
              if (g_array_index (chunk, guint, i) == index)
                slot = i;
        }
      if (slot < 0 && (guint) p < chunk->len)
        slot = p;
      if (slot < 0 || answered[slot])
        continue;

      if (!parse_http_part (part_body, &status, &inner_headers, &inner_body))
        continue;

      answered[slot] = TRUE;
      if (status >= 200 && status < 300)
        json = parse_json_bytes (g_bytes_get_data (inner_body, NULL), g_bytes_get_size (inner_body));
      judge_part (endpoint, &g_array_index (self->parts, Part, g_array_index (chunk, guint, slot)),
                  status, inner_headers, inner_body, json, clock);
    }

  /* A part the reply did not cover (truncated batch) is tried again. */
  for (guint i = 0; i < chunk->len; i++)
    if (!answered[i])
      {
        Part *part = &g_array_index (self->parts, Part, g_array_index (chunk, guint, i));

        judge_part (endpoint, part, 0, NULL, NULL, NULL, clock);
      }
}

/* A part's own headers (Prefer: odata.maxpagesize, outlook.timezone...)
 * go into its "headers" object, or Graph serves it with the defaults.
 * Graph wants Content-Type there whenever a part has a body. Repeated
 * headers are joined with commas, as HTTP allows. */
static void
add_graph_part_headers (JsonBuilder      *builder,
                        EmberHttpRequest *request,
                        gboolean          has_body)
{
  SoupMessageHeaders *headers = ember_http_request_get_request_headers (request);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  SoupMessageHeadersIter iter;
  const char *name;
  const char *value;
  gboolean has_content_type = FALSE;

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      g_autofree char *key = g_ascii_strdown (name, -1);

      if (is_batch_owned_header (name) || g_hash_table_contains (seen, key))
        continue;
      has_content_type |= g_ascii_strcasecmp (name, "Content-Type") == 0;
      g_ptr_array_add (names, (gpointer) name);
      g_hash_table_add (seen, g_steal_pointer (&key));
    }
  if (names->len == 0 && !has_body)
    return;

  json_builder_set_member_name (builder, "headers");
  json_builder_begin_object (builder);
  for (guint i = 0; i < names->len; i++)
    {
      /* soup joins a repeated header's values with ", ". */
      json_builder_set_member_name (builder, g_ptr_array_index (names, i));
      json_builder_add_string_value (builder, soup_message_headers_get_list (headers, g_ptr_array_index (names, i)));
    }
  if (has_body && !has_content_type)
    {
      json_builder_set_member_name (builder, "Content-Type");
      json_builder_add_string_value (builder, "application/json");
    }
  json_builder_end_object (builder);
}

/* Graph: JSON out, JSON back. */
static EmberHttpRequest *
build_graph_request (EmberHttpBatch   *self,
                     EmberApiEndpoint *endpoint,
                     GArray           *chunk)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *base = ember_api_endpoint_get_base_url (endpoint);
  EmberHttpRequest *request;
  double cost = 0;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "requests");
  json_builder_begin_array (builder);
  for (guint i = 0; i < chunk->len; i++)
    {
      guint index = g_array_index (chunk, guint, i);
      Part *part = &g_array_index (self->parts, Part, index);
      g_autofree char *path = ember_http_request_dup_path_and_query (part->request);
      g_autofree char *id = g_strdup_printf ("%u", index);
      const char *url = path;
      GBytes *body = ember_http_request_get_body (part->request);
      double part_cost = ember_http_request_get_cost (part->request);

      if (part_cost < 0)
        part_cost = ember_api_endpoint_get_cost (endpoint, ember_http_request_get_operation (part->request));
      cost += part_cost;

      /* A nextLink is absolute; the batch wants it relative to the base. */
      if (g_str_has_prefix (url, base))
        url += strlen (base);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, id);
      json_builder_set_member_name (builder, "method");
      json_builder_add_string_value (builder, ember_http_request_get_method (part->request));
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, url);
      add_graph_part_headers (builder, part->request, body != NULL);
      if (body != NULL)
        {
          g_autoptr(JsonNode) body_json = parse_json_bytes (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

          if (body_json != NULL)
            {
              json_builder_set_member_name (builder, "body");
              json_builder_add_value (builder, g_steal_pointer (&body_json));
            }
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  request = ember_http_request_new ("POST", "/$batch");
  ember_http_request_set_idempotent (request, parts_are_idempotent (self));
  ember_http_request_set_json_body (request, root);
  ember_http_request_set_cost (request, cost);
  return request;
}

static void
apply_graph_response (EmberHttpBatch   *self,
                      EmberApiEndpoint *endpoint,
                      JsonNode         *root,
                      GArray           *chunk,
                      EmberClock       *clock)
{
  g_autofree gboolean *answered = g_new0 (gboolean, chunk->len);
  JsonArray *responses = NULL;

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonNode *node = json_object_get_member (json_node_get_object (root), "responses");

      if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
        responses = json_node_get_array (node);
    }

  for (guint r = 0; responses != NULL && r < json_array_get_length (responses); r++)
    {
      JsonNode *element = json_array_get_element (responses, r);
      g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
      JsonObject *response;
      JsonNode *body;
      const char *id;
      guint64 index;
      int slot = -1;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      response = json_node_get_object (element);
      id = json_object_get_string_member_with_default (response, "id", NULL);
      if (id == NULL || !g_ascii_string_to_unsigned (id, 10, 0, G_MAXUINT, &index, NULL))
        continue;
      /* Responses come in any order: match by id. */
      for (guint i = 0; i < chunk->len; i++)
        if (g_array_index (chunk, guint, i) == index)
          slot = i;
      if (slot < 0 || answered[slot])
        continue;
      answered[slot] = TRUE;

      if (json_object_has_member (response, "headers") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (response, "headers")))
        {
          JsonObject *header_object = json_object_get_object_member (response, "headers");
          g_autoptr(GList) names = json_object_get_members (header_object);

          for (GList *l = names; l != NULL; l = l->next)
            {
              JsonNode *value = json_object_get_member (header_object, l->data);

              if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
                soup_message_headers_append (headers, l->data, json_node_get_string (value));
              else if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_INT64)
                {
                  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));

                  soup_message_headers_append (headers, l->data, text);
                }
            }
        }

      body = json_object_get_member (response, "body");
      judge_part (endpoint, &g_array_index (self->parts, Part, index),
                  (guint) json_object_get_int_member_with_default (response, "status", 0),
                  headers, NULL,
                  body != NULL && JSON_NODE_HOLDS_OBJECT (body) ? body : NULL,
                  clock);
    }

  for (guint i = 0; i < chunk->len; i++)
    if (!answered[i])
      judge_part (endpoint, &g_array_index (self->parts, Part, g_array_index (chunk, guint, i)),
                  0, NULL, NULL, NULL, clock);
}

static guint
reserve_graph_slots (EmberRateLimiter *gate,
                     EmberRateLimiter *limiter,
                     guint             n_parts,
                     GCancellable     *cancellable,
                     GError          **error)
{
  guint max_in_flight = 0;
  guint wanted, reserved = 0;

  if (limiter == NULL)
    return 0;
  g_object_get (limiter, "max-in-flight", &max_in_flight, NULL);
  if (max_in_flight <= 1)
    return 0;

  /* The send itself takes one slot; Graph may run this many at once. */
  wanted = MIN (n_parts, max_in_flight) - 1;
  if (wanted == 0)
    return 0;

  if (!ember_rate_limiter_acquire (gate, 0, cancellable, error))
    return G_MAXUINT;
  for (; reserved < wanted; reserved++)
    if (!ember_rate_limiter_acquire (limiter, 0, cancellable, error))
      {
        while (reserved-- > 0)
          ember_rate_limiter_release (limiter);
        ember_rate_limiter_release (gate);
        return G_MAXUINT;
      }
  ember_rate_limiter_release (gate);

  return reserved;
}

static gboolean
send_chunk (EmberHttpBatch   *self,
            EmberHttpClient  *client,
            EmberApiEndpoint *endpoint,
            GArray           *chunk,
            GCancellable     *cancellable,
            GError          **error)
{
  EmberClock *clock = ember_http_client_get_clock (client);
  gboolean is_gmail = ember_api_endpoint_get_kind (endpoint) != EMBER_API_KIND_GRAPH;
  g_autoptr(EmberHttpRequest) outer = NULL;
  g_autoptr(EmberRateLimiter) limiter = NULL;
  g_autoptr(EmberRateLimiter) gate = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  guint extra_slots = 0;
  gboolean sent;

  if (is_gmail)
    {
      outer = build_gmail_request (self, endpoint, chunk);
    }
  else
    {
      outer = build_graph_request (self, endpoint, chunk);
      limiter = ember_api_endpoint_ref_rate_limiter (endpoint);
      gate = _ember_api_endpoint_ref_batch_gate (endpoint);
      extra_slots = reserve_graph_slots (gate, limiter, chunk->len, cancellable, error);
      if (extra_slots == G_MAXUINT)
        return FALSE;
    }

  self->n_requests_sent++;
  if (is_gmail)
    sent = ember_http_client_send_sync (client, endpoint, outer, cancellable, &local_error);
  else
    sent = (root = ember_http_client_send_json_sync (client, endpoint, outer, cancellable, &local_error)) != NULL;

  for (guint i = 0; i < extra_slots; i++)
    ember_rate_limiter_release (limiter);

  if (!sent)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "Batch request failed: ");
      return FALSE;
    }

  if (is_gmail)
    apply_gmail_response (self, endpoint, outer, chunk, clock);
  else
    apply_graph_response (self, endpoint, root, chunk, clock);

  return TRUE;
}

gboolean
ember_http_batch_send_sync (EmberHttpBatch    *self,
                            EmberHttpClient   *client,
                            EmberApiEndpoint  *endpoint,
                            GCancellable      *cancellable,
                            GError           **error)
{
  g_autoptr(EmberBackoff) backoff = NULL;
  g_autoptr(EmberAuthSession) auth = NULL;
  g_autoptr(GArray) pending = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean refreshed = FALSE;
  guint limit, max_size;

  g_return_val_if_fail (EMBER_IS_HTTP_BATCH (self), FALSE);
  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (client), FALSE);
  g_return_val_if_fail (EMBER_IS_API_ENDPOINT (endpoint), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  switch (ember_api_endpoint_get_kind (endpoint))
    {
    case EMBER_API_KIND_GMAIL:
      limit = EMBER_GMAIL_BATCH_MAX;
      max_size = self->max_size != 0 ? self->max_size : EMBER_GMAIL_BATCH_DEFAULT_SIZE;
      break;
    case EMBER_API_KIND_GRAPH:
      limit = EMBER_GRAPH_BATCH_MAX;
      max_size = self->max_size != 0 ? self->max_size : EMBER_GRAPH_BATCH_DEFAULT_SIZE;
      break;
    case EMBER_API_KIND_GOOGLE_CALENDAR:
    case EMBER_API_KIND_OAUTH:
    default:
      g_set_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_FAILED,
                   "%s does not take batch requests here", ember_api_endpoint_get_display_name (endpoint));
      return FALSE;
    }
  max_size = MIN (max_size, limit);

  self->n_requests_sent = 0;
  for (guint i = 0; i < self->parts->len; i++)
    {
      Part *part = &g_array_index (self->parts, Part, i);

      part->done = FALSE;
      g_clear_error (&part->error);
      g_clear_pointer (&part->json, json_node_unref);
      _ember_http_request_reset_response (part->request);
      g_array_append_val (pending, i);
    }

  backoff = ember_http_client_new_backoff (client);
  auth = ember_api_endpoint_ref_auth_session (endpoint);

  while (pending->len > 0)
    {
      g_autoptr(GArray) still_pending = g_array_new (FALSE, FALSE, sizeof (guint));
      gint64 retry_after = -1;
      gboolean unauthorized = FALSE;
      gint64 delay;

      for (guint start = 0; start < pending->len; start += max_size)
        {
          g_autoptr(GArray) chunk = g_array_new (FALSE, FALSE, sizeof (guint));

          g_array_append_vals (chunk, &g_array_index (pending, guint, start),
                               MIN (max_size, pending->len - start));
          if (!send_chunk (self, client, endpoint, chunk, cancellable, error))
            return FALSE;
        }

      for (guint i = 0; i < pending->len; i++)
        {
          Part *part = &g_array_index (self->parts, Part, g_array_index (pending, guint, i));

          if (part->done)
            continue;
          g_array_append_val (still_pending, g_array_index (pending, guint, i));
          retry_after = MAX (retry_after, part->retry_after);
          unauthorized |= part->unauthorized;
        }

      g_array_set_size (pending, 0);
      g_array_append_vals (pending, still_pending->data, still_pending->len);
      if (pending->len == 0)
        break;

      ember_metrics_counter_add (ember_metrics_get_default (), "http.batch_part_retries", pending->len);

      /* An expired token answers 401 part by part: refresh once, at once. */
      if (unauthorized && auth != NULL && !refreshed)
        {
          g_autofree char *stale = ember_auth_session_get_access_token_sync (auth, NULL, cancellable, error);
          g_autofree char *fresh = NULL;

          if (stale == NULL)
            return FALSE;
          fresh = ember_auth_session_get_access_token_sync (auth, stale, cancellable, error);
          if (fresh == NULL)
            return FALSE;
          refreshed = TRUE;
          continue;
        }

      delay = ember_backoff_next_delay (backoff, retry_after);
      if (delay < 0)
        {
          for (guint i = 0; i < pending->len; i++)
            {
              Part *part = &g_array_index (self->parts, Part, g_array_index (pending, guint, i));
              GError *last = part->error;

              part->error = g_error_new (EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_GAVE_UP,
                                         "Gave up after %u attempts: %s",
                                         ember_http_request_get_attempts (part->request),
                                         last != NULL ? last->message : "no answer");
              g_clear_error (&last);
              part->done = TRUE;
            }
          break;
        }

      if (!ember_clock_sleep (ember_http_client_get_clock (client), delay, cancellable, error))
        return FALSE;
    }

  return TRUE;
}
