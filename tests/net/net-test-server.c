/* net-test-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsoup/soup.h>

#include "net-test-server.h"

typedef struct
{
  guint  status;
  char  *headers;
  char  *body;
} Reply;

typedef struct
{
  GQueue              replies;
  Reply              *fallback;
  guint               hits;
  SoupMessageHeaders *last_headers;
  char               *last_body;
  char               *last_query;
} Route;

struct _NetTestServer
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  char         *base;

  GMutex        mutex;
  GCond         cond;
  gboolean      ready;
  GHashTable   *routes;     /* path -> Route */
  GHashTable   *client_ports; /* the client ends seen: one per connection */
  GPtrArray    *stalled;    /* SoupServerMessage, paused */
};

static void
reply_free (gpointer data)
{
  Reply *reply = data;

  if (reply == NULL)
    return;
  g_free (reply->headers);
  g_free (reply->body);
  g_free (reply);
}

static void
route_free (gpointer data)
{
  Route *route = data;

  g_queue_clear_full (&route->replies, reply_free);
  reply_free (route->fallback);
  g_clear_pointer (&route->last_headers, soup_message_headers_unref);
  g_free (route->last_body);
  g_free (route->last_query);
  g_free (route);
}

static Route *
ensure_route (NetTestServer *self,
              const char    *path)
{
  Route *route = g_hash_table_lookup (self->routes, path);

  if (route == NULL)
    {
      route = g_new0 (Route, 1);
      g_queue_init (&route->replies);
      g_hash_table_insert (self->routes, g_strdup (path), route);
    }
  return route;
}

static Reply *
reply_new (guint       status,
           const char *headers,
           const char *body)
{
  Reply *reply = g_new0 (Reply, 1);

  reply->status = status;
  reply->headers = g_strdup (headers);
  reply->body = g_strdup (body);
  return reply;
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  NetTestServer *self = user_data;
  Reply *reply = NULL;
  gboolean owned = FALSE;
  Route *route;
  SoupMessageBody *request_body = soup_server_message_get_request_body (message);
  g_autoptr(GBytes) flattened = soup_message_body_flatten (request_body);

  g_mutex_lock (&self->mutex);
  {
    GSocketAddress *remote = soup_server_message_get_remote_address (message);

    if (G_IS_INET_SOCKET_ADDRESS (remote))
      g_hash_table_add (self->client_ports,
                        GUINT_TO_POINTER (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote))));
  }
  route = ensure_route (self, path);
  route->hits++;
  g_clear_pointer (&route->last_headers, soup_message_headers_unref);
  route->last_headers = soup_message_headers_ref (soup_server_message_get_request_headers (message));
  g_free (route->last_body);
  route->last_body = g_strndup (g_bytes_get_data (flattened, NULL), g_bytes_get_size (flattened));
  g_free (route->last_query);
  route->last_query = g_strdup (g_uri_get_query (soup_server_message_get_uri (message)));

  if (!g_queue_is_empty (&route->replies))
    {
      reply = g_queue_pop_head (&route->replies);
      owned = TRUE;
    }
  else if (route->fallback != NULL)
    {
      reply = reply_new (route->fallback->status, route->fallback->headers, route->fallback->body);
      owned = TRUE;
    }
  g_mutex_unlock (&self->mutex);

  if (reply == NULL)
    {
      const char *body = "{\"error\":{\"code\":404,\"message\":\"Requested entity was not found.\","
                         "\"errors\":[{\"reason\":\"notFound\"}]}}";

      soup_server_message_set_status (message, 404, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
      return;
    }

  if (g_strcmp0 (reply->body, NET_TEST_RESET) == 0)
    {
      GIOStream *stream = soup_server_message_steal_connection (message);

      g_io_stream_close (stream, NULL, NULL);
      g_object_unref (stream);
    }
  else if (g_strcmp0 (reply->body, NET_TEST_STALL) == 0)
    {
      soup_server_message_pause (message);
      g_mutex_lock (&self->mutex);
      g_ptr_array_add (self->stalled, g_object_ref (message));
      g_mutex_unlock (&self->mutex);
    }
  else
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);

      if (reply->headers != NULL)
        {
          g_auto(GStrv) lines = g_strsplit (reply->headers, "\n", -1);

          for (guint i = 0; lines[i] != NULL; i++)
            {
              g_auto(GStrv) pair = g_strsplit (lines[i], ":", 2);

              if (pair[0] != NULL && pair[1] != NULL)
                soup_message_headers_append (headers, g_strstrip (pair[0]), g_strstrip (pair[1]));
            }
        }
      soup_server_message_set_status (message, reply->status, NULL);
      if (reply->body != NULL)
        soup_server_message_set_response (message,
                                          soup_message_headers_get_content_type (headers, NULL) != NULL
                                            ? soup_message_headers_get_content_type (headers, NULL)
                                            : "application/json",
                                          SOUP_MEMORY_COPY, reply->body, strlen (reply->body));
    }

  if (owned)
    reply_free (reply);
}

static gpointer
thread_func (gpointer data)
{
  NetTestServer *self = data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (self->context);
  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, NULL, handler_cb, self, NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("test server: %s", error->message);
  uris = soup_server_get_uris (self->server);
  self->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_mutex_lock (&self->mutex);
  self->ready = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  g_main_loop_run (self->loop);

  for (guint i = 0; i < self->stalled->len; i++)
    {
      SoupServerMessage *message = g_ptr_array_index (self->stalled, i);

      soup_server_message_set_status (message, 503, NULL);
      soup_server_message_unpause (message);
    }
  g_ptr_array_set_size (self->stalled, 0);
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

NetTestServer *
net_test_server_new (void)
{
  NetTestServer *self = g_new0 (NetTestServer, 1);

  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->routes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, route_free);
  self->client_ports = g_hash_table_new (NULL, NULL);
  self->stalled = g_ptr_array_new_with_free_func (g_object_unref);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("net-test-server", thread_func, self);

  g_mutex_lock (&self->mutex);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);

  return self;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
net_test_server_free (NetTestServer *self)
{
  g_main_context_invoke (self->context, quit_cb, self->loop);
  g_thread_join (self->thread);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_hash_table_unref (self->routes);
  g_hash_table_unref (self->client_ports);
  g_ptr_array_unref (self->stalled);
  g_free (self->base);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

const char *
net_test_server_get_base (NetTestServer *self)
{
  return self->base;
}

void
net_test_server_push (NetTestServer *self,
                      const char    *path,
                      guint          status,
                      const char    *headers,
                      const char    *body)
{
  g_mutex_lock (&self->mutex);
  g_queue_push_tail (&ensure_route (self, path)->replies, reply_new (status, headers, body));
  g_mutex_unlock (&self->mutex);
}

void
net_test_server_set_fallback (NetTestServer *self,
                              const char    *path,
                              guint          status,
                              const char    *headers,
                              const char    *body)
{
  Route *route;

  g_mutex_lock (&self->mutex);
  route = ensure_route (self, path);
  reply_free (route->fallback);
  route->fallback = reply_new (status, headers, body);
  g_mutex_unlock (&self->mutex);
}

guint
net_test_server_get_connections (NetTestServer *self)
{
  guint n;

  g_mutex_lock (&self->mutex);
  n = g_hash_table_size (self->client_ports);
  g_mutex_unlock (&self->mutex);
  return n;
}

guint
net_test_server_get_hits (NetTestServer *self,
                          const char    *path)
{
  Route *route;
  guint hits;

  g_mutex_lock (&self->mutex);
  route = g_hash_table_lookup (self->routes, path);
  hits = route != NULL ? route->hits : 0;
  g_mutex_unlock (&self->mutex);

  return hits;
}

char *
net_test_server_dup_last_header (NetTestServer *self,
                                 const char    *path,
                                 const char    *name)
{
  Route *route;
  char *value = NULL;

  g_mutex_lock (&self->mutex);
  route = g_hash_table_lookup (self->routes, path);
  if (route != NULL && route->last_headers != NULL)
    value = g_strdup (soup_message_headers_get_one (route->last_headers, name));
  g_mutex_unlock (&self->mutex);

  return value;
}

char *
net_test_server_dup_last_body (NetTestServer *self,
                               const char    *path)
{
  Route *route;
  char *value = NULL;

  g_mutex_lock (&self->mutex);
  route = g_hash_table_lookup (self->routes, path);
  if (route != NULL)
    value = g_strdup (route->last_body);
  g_mutex_unlock (&self->mutex);

  return value;
}

char *
net_test_server_dup_last_query (NetTestServer *self,
                                const char    *path)
{
  Route *route;
  char *value = NULL;

  g_mutex_lock (&self->mutex);
  route = g_hash_table_lookup (self->routes, path);
  if (route != NULL)
    value = g_strdup (route->last_query);
  g_mutex_unlock (&self->mutex);

  return value;
}
