/* ember-http-request.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-net"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "ember-http-request-private.h"

struct _EmberHttpRequest
{
  GObject             parent_instance;

  char               *method;
  char               *path;
  GString            *query;
  SoupMessageHeaders *request_headers;
  char               *content_type;
  GBytes             *body;
  char               *operation;
  double              cost;
  gboolean            authenticated;
  gboolean            idempotent;
  guint               timeout_ms;

  guint               status;
  SoupMessageHeaders *response_headers;
  GBytes             *response_body;
  char               *error_reason;
  guint               attempts;
};

G_DEFINE_FINAL_TYPE (EmberHttpRequest, ember_http_request, G_TYPE_OBJECT)

static void
ember_http_request_finalize (GObject *object)
{
  EmberHttpRequest *self = EMBER_HTTP_REQUEST (object);

  g_clear_pointer (&self->method, g_free);
  g_clear_pointer (&self->path, g_free);
  g_string_free (self->query, TRUE);
  g_clear_pointer (&self->request_headers, soup_message_headers_unref);
  g_clear_pointer (&self->content_type, g_free);
  g_clear_pointer (&self->body, g_bytes_unref);
  g_clear_pointer (&self->operation, g_free);
  g_clear_pointer (&self->response_headers, soup_message_headers_unref);
  g_clear_pointer (&self->response_body, g_bytes_unref);
  g_clear_pointer (&self->error_reason, g_free);

  G_OBJECT_CLASS (ember_http_request_parent_class)->finalize (object);
}

static void
ember_http_request_class_init (EmberHttpRequestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ember_http_request_finalize;
}

static void
ember_http_request_init (EmberHttpRequest *self)
{
  self->query = g_string_new (NULL);
  self->request_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  self->cost = -1;
  self->authenticated = TRUE;
}

EmberHttpRequest *
ember_http_request_new (const char *method,
                        const char *path_or_url)
{
  EmberHttpRequest *self;

  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (path_or_url != NULL, NULL);

  self = g_object_new (EMBER_TYPE_HTTP_REQUEST, NULL);
  self->method = g_strdup (method);
  self->path = g_strdup (path_or_url);

  return self;
}

const char *
ember_http_request_get_method (EmberHttpRequest *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (self), NULL);

  return self->method;
}

const char *
ember_http_request_get_path (EmberHttpRequest *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (self), NULL);

  return self->path;
}

void
ember_http_request_add_query (EmberHttpRequest *self,
                              const char       *name,
                              const char       *value)
{
  g_return_if_fail (EMBER_IS_HTTP_REQUEST (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  if (self->query->len > 0)
    g_string_append_c (self->query, '&');
  g_string_append_uri_escaped (self->query, name, NULL, FALSE);
  g_string_append_c (self->query, '=');
  g_string_append_uri_escaped (self->query, value, NULL, FALSE);
}

char *
ember_http_request_dup_path_and_query (EmberHttpRequest *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (self), NULL);

  if (self->query->len == 0)
    return g_strdup (self->path);

  return g_strconcat (self->path, strchr (self->path, '?') != NULL ? "&" : "?",
                      self->query->str, NULL);
}

void
ember_http_request_add_header (EmberHttpRequest *self,
                               const char       *name,
                               const char       *value)
{
  g_return_if_fail (EMBER_IS_HTTP_REQUEST (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  soup_message_headers_append (self->request_headers, name, value);
}

SoupMessageHeaders *
ember_http_request_get_request_headers (EmberHttpRequest *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (self), NULL);

  return self->request_headers;
}

void
ember_http_request_set_body (EmberHttpRequest *self,
                             const char       *content_type,
                             GBytes           *body)
{
  g_return_if_fail (EMBER_IS_HTTP_REQUEST (self));
  g_return_if_fail (content_type != NULL);
  g_return_if_fail (body != NULL);

  g_free (self->content_type);
  self->content_type = g_strdup (content_type);
  g_clear_pointer (&self->body, g_bytes_unref);
  self->body = g_bytes_ref (body);
}

void
ember_http_request_set_json_body (EmberHttpRequest *self,
                                  JsonNode         *node)
{
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(GBytes) body = NULL;
  char *text;
  gsize length = 0;

  g_return_if_fail (EMBER_IS_HTTP_REQUEST (self));
  g_return_if_fail (node != NULL);

  generator = json_generator_new ();
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, &length);
  body = g_bytes_new_take (text, length);
  ember_http_request_set_body (self, "application/json", body);
}

void
ember_http_request_set_form_body (EmberHttpRequest *self,
                                  const char       *first_name,
                                  ...)
{
  g_autoptr(GString) form = g_string_new (NULL);
  g_autoptr(GBytes) body = NULL;
  const char *name;
  va_list args;

  g_return_if_fail (EMBER_IS_HTTP_REQUEST (self));

  va_start (args, first_name);
  for (name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      /* A NULL value skips the field (an optional client secret). */
      if (value == NULL)
        continue;
      if (form->len > 0)
        g_string_append_c (form, '&');
      g_string_append_uri_escaped (form, name, NULL, FALSE);
      g_string_append_c (form, '=');
      g_string_append_uri_escaped (form, value, NULL, FALSE);
    }
  va_end (args);

  body = g_bytes_new (form->str, form->len);
  ember_http_request_set_body (self, "application/x-www-form-urlencoded", body);
}

GBytes *
ember_http_request_get_body (EmberHttpRequest *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (self), NULL);

  return self->body;
}

const char *
ember_http_request_get_content_type (EmberHttpRequest *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (self), NULL);

  return self->content_type;
}

void
ember_http_request_set_operation (EmberHttpRequest *self,
                                  const char       *operation)
{
  g_return_if_fail (EMBER_IS_HTTP_REQUEST (self));

  g_free (self->operation);
  self->operation = g_strdup (operation);
}

const char *
ember_http_request_get_operation (EmberHttpRequest *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (self), NULL);

  return self->operation;
}

void
ember_http_request_set_cost (EmberHttpRequest *self,
                             double            cost)
{
  g_return_if_fail (EMBER_IS_HTTP_REQUEST (self));

  self->cost = cost < 0 ? -1 : cost;
}

double
ember_http_request_get_cost (EmberHttpRequest *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (self), -1);

  return self->cost;
}

void
ember_http_request_set_authenticated (EmberHttpRequest *self,
                                      gboolean          authenticated)
{
  g_return_if_fail (EMBER_IS_HTTP_REQUEST (self));

  self->authenticated = !!authenticated;
}

void
ember_http_request_set_idempotent (EmberHttpRequest *self,
                                   gboolean          idempotent)
{
  g_return_if_fail (EMBER_IS_HTTP_REQUEST (self));

  self->idempotent = !!idempotent;
}

gboolean
ember_http_request_get_idempotent (EmberHttpRequest *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (self), FALSE);

  return self->idempotent || g_strcmp0 (self->method, "GET") == 0 ||
         g_strcmp0 (self->method, "HEAD") == 0;
}

gboolean
ember_http_request_get_authenticated (EmberHttpRequest *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (self), FALSE);

  return self->authenticated;
}

void
ember_http_request_set_timeout (EmberHttpRequest *self,
                                guint             timeout_ms)
{
  g_return_if_fail (EMBER_IS_HTTP_REQUEST (self));

  self->timeout_ms = timeout_ms;
}

guint
ember_http_request_get_timeout (EmberHttpRequest *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (self), 0);

  return self->timeout_ms;
}

guint
ember_http_request_get_status (EmberHttpRequest *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (self), 0);

  return self->status;
}

SoupMessageHeaders *
ember_http_request_get_response_headers (EmberHttpRequest *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (self), NULL);

  return self->response_headers;
}

GBytes *
ember_http_request_get_response_body (EmberHttpRequest *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (self), NULL);

  return self->response_body;
}

const char *
ember_http_request_get_error_reason (EmberHttpRequest *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (self), NULL);

  return self->error_reason;
}

guint
ember_http_request_get_attempts (EmberHttpRequest *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (self), 0);

  return self->attempts;
}

void
_ember_http_request_reset_response (EmberHttpRequest *self)
{
  self->status = 0;
  g_clear_pointer (&self->response_headers, soup_message_headers_unref);
  g_clear_pointer (&self->response_body, g_bytes_unref);
  g_clear_pointer (&self->error_reason, g_free);
  self->attempts = 0;
}

void
_ember_http_request_set_response (EmberHttpRequest   *self,
                                  guint               status,
                                  SoupMessageHeaders *headers,
                                  GBytes             *body)
{
  self->status = status;
  g_clear_pointer (&self->response_headers, soup_message_headers_unref);
  if (headers != NULL)
    self->response_headers = soup_message_headers_ref (headers);
  g_clear_pointer (&self->response_body, g_bytes_unref);
  if (body != NULL)
    self->response_body = g_bytes_ref (body);
  g_clear_pointer (&self->error_reason, g_free);
}

void
_ember_http_request_set_error_reason (EmberHttpRequest *self,
                                      const char       *reason)
{
  g_free (self->error_reason);
  self->error_reason = g_strdup (reason);
}

void
_ember_http_request_count_attempt (EmberHttpRequest *self)
{
  self->attempts++;
}
