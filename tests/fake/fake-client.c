/* fake-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "fake-client.h"

void
fake_options_init (EmberFakeServerOptions *options)
{
  ember_fake_server_options_init (options);
  options->seed = 7;
  options->n_messages = 120;
  options->n_events = 60;
  options->no_quota = TRUE;
  /* 2026-03-02 12:00 UTC: a fixed centre, so the data never depends on
   * the day the tests run. */
  options->anchor_time = 1772452800;
}

FakeFixture *
fake_fixture_new (const EmberFakeServerOptions *options)
{
  FakeFixture *fixture = g_new0 (FakeFixture, 1);
  g_autoptr(GError) error = NULL;

  fixture->server = ember_fake_server_new (options);
  g_assert_true (ember_fake_server_start (fixture->server, &error));
  g_assert_no_error (error);
  fixture->base = g_strdup (ember_fake_server_get_base_uri (fixture->server));
  fixture->session = soup_session_new_with_options ("timeout", 20, "max-conns-per-host", 16, NULL);
  return fixture;
}

void
fake_fixture_free (FakeFixture *fixture)
{
  g_clear_object (&fixture->session);
  ember_fake_server_stop (fixture->server);
  g_clear_object (&fixture->server);
  g_free (fixture->base);
  g_free (fixture);
}

FakeReply *
fake_request_on (SoupSession        *session,
                 const char         *base,
                 const char         *method,
                 const char         *target,
                 const char         *token,
                 const char         *content_type,
                 const char         *body,
                 const char * const *headers)
{
  return fake_request_full (session, base, method, target, token, content_type, body, headers, TRUE);
}

FakeReply *
fake_request_full (SoupSession        *session,
                   const char         *base,
                   const char         *method,
                   const char         *target,
                   const char         *token,
                   const char         *content_type,
                   const char         *body,
                   const char * const *headers,
                   gboolean            parse_json)
{
  FakeReply *reply = g_new0 (FakeReply, 1);
  g_autofree char *url = g_str_has_prefix (target, "http") ? g_strdup (target) : g_strconcat (base, target, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  gsize len = 0;

  g_assert_nonnull (message);
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  if (token != NULL)
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", value);
    }
  for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
    soup_message_headers_append (soup_message_get_request_headers (message), headers[i], headers[i + 1]);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, content_type, bytes);
    }

  reply->body = soup_session_send_and_read (session, message, NULL, &reply->error);
  if (reply->error != NULL)
    return reply;

  reply->status = soup_message_get_status (message);
  reply->headers = soup_message_headers_ref (soup_message_get_response_headers (message));
  reply->text = g_strndup (g_bytes_get_data (reply->body, &len), g_bytes_get_size (reply->body));
  if (parse_json)
  {
    g_autoptr(JsonParser) parser = json_parser_new ();

    if (len > 0 && json_parser_load_from_data (parser, reply->text, len, NULL))
      reply->json = json_node_copy (json_parser_get_root (parser));
  }
  return reply;
}

FakeReply *
fake_request (FakeFixture        *fixture,
              const char         *method,
              const char         *target,
              const char         *token,
              const char         *content_type,
              const char         *body,
              const char * const *headers)
{
  return fake_request_on (fixture->session, fixture->base, method, target, token, content_type, body, headers);
}

FakeReply *
fake_get (FakeFixture *fixture,
          const char  *target,
          const char  *token)
{
  return fake_request (fixture, "GET", target, token, NULL, NULL, NULL);
}

void
fake_reply_free (FakeReply *reply)
{
  g_clear_pointer (&reply->headers, soup_message_headers_unref);
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->json, json_node_unref);
  g_clear_error (&reply->error);
  g_free (reply->text);
  g_free (reply);
}

char *
fake_token (FakeFixture *fixture,
            const char  *email)
{
  g_autoptr(GError) error = NULL;
  char *access = NULL;

  g_assert_true (ember_fake_server_issue_token (fixture->server, email, &access, NULL, &error));
  g_assert_no_error (error);
  return access;
}

void
fake_assert_status_impl (FakeReply  *reply,
                         guint       expected,
                         const char *file,
                         int         line)
{
  if (reply->error != NULL)
    g_error ("%s:%d: expected HTTP %u, got a transport error: %s", file, line, expected, reply->error->message);
  if (reply->status != expected)
    g_error ("%s:%d: expected HTTP %u, got %u with body: %.2000s", file, line, expected, reply->status,
             reply->text != NULL ? reply->text : "");
}

JsonObject *
fake_reply_object (FakeReply *reply)
{
  if (reply->json == NULL || !JSON_NODE_HOLDS_OBJECT (reply->json))
    g_error ("expected a JSON object, got: %.2000s", reply->text != NULL ? reply->text : "(no body)");
  return json_node_get_object (reply->json);
}

void
fake_assert_member (JsonObject *object,
                    const char *name,
                    GType       type)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    g_error ("expected member “%s”, it is missing", name);
  if (type == JSON_TYPE_ARRAY)
    {
      if (!JSON_NODE_HOLDS_ARRAY (node))
        g_error ("expected “%s” to be an array", name);
    }
  else if (type == JSON_TYPE_OBJECT)
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        g_error ("expected “%s” to be an object", name);
    }
  else if (type == G_TYPE_NONE)
    {
      if (!JSON_NODE_HOLDS_NULL (node))
        g_error ("expected “%s” to be null", name);
    }
  else if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    g_error ("expected “%s” to be a %s, it is a %s", name, g_type_name (type),
             JSON_NODE_HOLDS_VALUE (node) ? g_type_name (json_node_get_value_type (node)) : json_node_type_name (node));
}

gint64
fake_assert_int64_string (JsonObject *object,
                          const char *name)
{
  const char *text;
  gint64 value;

  fake_assert_member (object, name, G_TYPE_STRING);
  text = json_object_get_string_member (object, name);
  if (!g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, &value, NULL))
    g_error ("expected “%s” to hold a decimal int64, got “%s”", name, text);
  return value;
}

void
fake_assert_google_error (FakeReply  *reply,
                          guint       status,
                          const char *reason)
{
  JsonObject *object;
  JsonObject *error;
  JsonObject *first;

  fake_assert_status (reply, status);
  object = fake_reply_object (reply);
  fake_assert_member (object, "error", JSON_TYPE_OBJECT);
  error = json_object_get_object_member (object, "error");
  fake_assert_member (error, "code", G_TYPE_INT64);
  g_assert_cmpint (json_object_get_int_member (error, "code"), ==, status);
  fake_assert_member (error, "message", G_TYPE_STRING);
  fake_assert_member (error, "errors", JSON_TYPE_ARRAY);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (error, "errors")), >=, 1);
  first = json_array_get_object_element (json_object_get_array_member (error, "errors"), 0);
  fake_assert_member (first, "domain", G_TYPE_STRING);
  fake_assert_member (first, "reason", G_TYPE_STRING);
  fake_assert_member (first, "message", G_TYPE_STRING);
  g_assert_cmpstr (json_object_get_string_member (first, "reason"), ==, reason);
}

void
fake_assert_graph_error (FakeReply  *reply,
                         guint       status,
                         const char *code)
{
  JsonObject *object;
  JsonObject *error;
  JsonObject *inner;

  fake_assert_status (reply, status);
  object = fake_reply_object (reply);
  fake_assert_member (object, "error", JSON_TYPE_OBJECT);
  error = json_object_get_object_member (object, "error");
  fake_assert_member (error, "code", G_TYPE_STRING);
  fake_assert_member (error, "message", G_TYPE_STRING);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  fake_assert_member (error, "innerError", JSON_TYPE_OBJECT);
  inner = json_object_get_object_member (error, "innerError");
  fake_assert_member (inner, "request-id", G_TYPE_STRING);
  fake_assert_member (inner, "date", G_TYPE_STRING);
}

char *
fake_url_param (const char *url,
                const char *name)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GHashTable) params = NULL;
  const char *query;

  g_assert_nonnull (uri);
  query = g_uri_get_query (uri);
  if (query == NULL)
    return NULL;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  return params != NULL ? g_strdup (g_hash_table_lookup (params, name)) : NULL;
}

void
fake_signed_in_setup (FakeSignedIn *self,
                      const char   *email)
{
  EmberFakeServerOptions options;

  fake_options_init (&options);
  self->fixture = fake_fixture_new (&options);
  self->token = fake_token (self->fixture, email);
}

void
fake_signed_in_teardown (FakeSignedIn *self,
                         gconstpointer data)
{
  g_free (self->token);
  fake_fixture_free (self->fixture);
}
