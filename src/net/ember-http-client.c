/* ember-http-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-net"

#include "config.h"

#include <string.h>

#include "ember-auth-session.h"
#include "ember-error.h"
#include "ember-http-client.h"
#include "ember-http-request-private.h"
#include "ember-metrics.h"
#include "ember-redact.h"

#define READ_CHUNK_SIZE (64 * 1024)

struct _EmberHttpClient
{
  GObject       parent_instance;

  EmberClock   *clock;
  SoupSession  *session;
  char         *user_agent;
  gsize         max_body_size;

  GMutex        mutex;          /* guards the backoff policy */
  gint64        backoff_initial;
  gint64        backoff_max_interval;
  gint64        backoff_max_elapsed;

  /* Per-request timeouts fire on this thread's context and cancel the
   * attempt; waits on the EmberClock stay on the caller's thread. */
  GMainContext *watchdog_context;
  GMainLoop    *watchdog_loop;
  GThread      *watchdog_thread;
};

G_DEFINE_FINAL_TYPE (EmberHttpClient, ember_http_client, G_TYPE_OBJECT)

typedef enum
{
  OUTCOME_SUCCESS,
  OUTCOME_RETRY,        /* worth another attempt after a backoff */
  OUTCOME_REFRESH,      /* 401: refresh the token, retry at once */
  OUTCOME_FAIL,         /* permanent */
} Outcome;

static gpointer
watchdog_thread_func (gpointer data)
{
  EmberHttpClient *self = data;

  g_main_context_push_thread_default (self->watchdog_context);
  g_main_loop_run (self->watchdog_loop);
  g_main_context_pop_thread_default (self->watchdog_context);

  return NULL;
}

static gboolean
quit_loop_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
ember_http_client_finalize (GObject *object)
{
  EmberHttpClient *self = EMBER_HTTP_CLIENT (object);

  g_main_context_invoke (self->watchdog_context, quit_loop_cb, self->watchdog_loop);
  g_thread_join (self->watchdog_thread);
  /* Its connections' timers are on the watchdog's context. */
  g_clear_object (&self->session);
  g_clear_pointer (&self->watchdog_loop, g_main_loop_unref);
  g_clear_pointer (&self->watchdog_context, g_main_context_unref);

  g_clear_object (&self->clock);
  g_clear_pointer (&self->user_agent, g_free);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (ember_http_client_parent_class)->finalize (object);
}

static void
ember_http_client_class_init (EmberHttpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ember_http_client_finalize;
}

static void
ember_http_client_init (EmberHttpClient *self)
{
  g_mutex_init (&self->mutex);
  self->max_body_size = EMBER_HTTP_DEFAULT_MAX_BODY_SIZE;
  self->user_agent = g_strdup ("Ember/" PACKAGE_VERSION);
}

EmberHttpClient *
ember_http_client_new (EmberClock *clock)
{
  EmberHttpClient *self;

  g_return_val_if_fail (EMBER_IS_CLOCK (clock), NULL);

  self = g_object_new (EMBER_TYPE_HTTP_CLIENT, NULL);
  self->clock = g_object_ref (clock);

  /* libsoup 3.2: configure on the creating thread, before the first
   * request; from then on only the send APIs are used, from any thread.
   * Timeouts are per request (the watchdog), not the session's. The
   * session belongs to the watchdog's context: libsoup attaches each
   * connection's idle timer there and moves it from the sending threads
   * on every request, which on the app's main context would contend with
   * (and wake) the main loop all through a sync. */
  self->watchdog_context = g_main_context_new ();
  g_main_context_push_thread_default (self->watchdog_context);
  self->session = soup_session_new_with_options ("user-agent", self->user_agent,
                                                 "max-conns", 64,
                                                 "max-conns-per-host", 16,
                                                 "timeout", 0,
                                                 NULL);
  g_main_context_pop_thread_default (self->watchdog_context);
  if (!soup_session_has_feature (self->session, SOUP_TYPE_CONTENT_DECODER))
    soup_session_add_feature_by_type (self->session, SOUP_TYPE_CONTENT_DECODER);

  self->watchdog_loop = g_main_loop_new (self->watchdog_context, FALSE);
  self->watchdog_thread = g_thread_new ("ember-http-watchdog", watchdog_thread_func, self);

  return self;
}

EmberClock *
ember_http_client_get_clock (EmberHttpClient *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (self), NULL);

  return self->clock;
}

const char *
ember_http_client_get_user_agent (EmberHttpClient *self)
{
  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (self), NULL);

  return self->user_agent;
}

void
ember_http_client_set_backoff_policy (EmberHttpClient *self,
                                      gint64           initial_interval,
                                      gint64           max_interval,
                                      gint64           max_elapsed)
{
  g_return_if_fail (EMBER_IS_HTTP_CLIENT (self));
  g_return_if_fail (initial_interval >= 0 && max_interval >= 0 && max_elapsed >= 0);

  g_mutex_lock (&self->mutex);
  self->backoff_initial = initial_interval;
  self->backoff_max_interval = max_interval;
  self->backoff_max_elapsed = max_elapsed;
  g_mutex_unlock (&self->mutex);
}

EmberBackoff *
ember_http_client_new_backoff (EmberHttpClient *self)
{
  EmberBackoff *backoff;
  gint64 initial, max_interval, max_elapsed;

  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (self), NULL);

  g_mutex_lock (&self->mutex);
  initial = self->backoff_initial;
  max_interval = self->backoff_max_interval;
  max_elapsed = self->backoff_max_elapsed;
  g_mutex_unlock (&self->mutex);

  backoff = ember_backoff_new (self->clock);
  if (initial > 0)
    g_object_set (backoff, "initial-interval", initial, NULL);
  if (max_interval > 0)
    g_object_set (backoff, "max-interval", max_interval, "max-retry-after", max_interval, NULL);
  if (max_elapsed > 0)
    g_object_set (backoff, "max-elapsed", max_elapsed, NULL);

  return backoff;
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *bare = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  /* GUri keeps IPv6 literals without brackets, but be lenient. */
  if (host[0] == '[')
    {
      bare = g_strndup (host + 1, strlen (host) - 1);
      if (strchr (bare, ']') != NULL)
        *strchr (bare, ']') = '\0';
      host = bare;
    }

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
ember_http_url_is_allowed (const char  *url,
                           GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) parse_error = NULL;
  const char *scheme;

  g_return_val_if_fail (url != NULL, FALSE);

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &parse_error);
  if (uri == NULL)
    {
      g_autofree char *redacted = ember_redact (url);

      g_set_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_FAILED,
                   "Not a valid URL: %s", redacted);
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;

  if (g_ascii_strcasecmp (scheme, "http") == 0 && host_is_loopback (g_uri_get_host (uri)))
    return TRUE;

  if (g_ascii_strcasecmp (scheme, "http") == 0)
    g_set_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_INSECURE,
                 "Refusing plain http:// to %s: only https, or http to this computer "
                 "(127.0.0.1, ::1, localhost), is allowed",
                 g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : "(no host)");
  else
    g_set_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_INSECURE,
                 "Unsupported URL scheme “%s”: only https is allowed", scheme);
  return FALSE;
}

static char *
dup_json_string (JsonObject *object,
                 const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return NULL;

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

  return NULL;
}

gboolean
ember_http_parse_provider_error (GBytes  *body,
                                 char   **out_reason,
                                 char   **out_message)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *reason = NULL;
  g_autofree char *message = NULL;
  JsonNode *root;
  JsonNode *error_node;
  JsonObject *object;
  gsize size = 0;
  const char *data;

  if (out_reason != NULL)
    *out_reason = NULL;
  if (out_message != NULL)
    *out_message = NULL;

  if (body == NULL)
    return FALSE;

  data = g_bytes_get_data (body, &size);
  if (size == 0 || !json_parser_load_from_data (parser, data, size, NULL))
    return FALSE;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;

  object = json_node_get_object (root);
  error_node = json_object_get_member (object, "error");
  if (error_node == NULL)
    return FALSE;

  if (JSON_NODE_HOLDS_VALUE (error_node))
    {
      /* OAuth: {"error": "invalid_grant", "error_description": "..."} */
      reason = dup_json_string (object, "error");
      message = dup_json_string (object, "error_description");
    }
  else if (JSON_NODE_HOLDS_OBJECT (error_node))
    {
      JsonObject *error_object = json_node_get_object (error_node);
      JsonNode *errors = json_object_get_member (error_object, "errors");

      message = dup_json_string (error_object, "message");

      /* Google: the first errors[].reason says most; Graph: "code" is a
       * string such as "SyncStateNotFound" (Google's code is the status). */
      if (errors != NULL && JSON_NODE_HOLDS_ARRAY (errors) &&
          json_array_get_length (json_node_get_array (errors)) > 0)
        {
          JsonNode *first = json_array_get_element (json_node_get_array (errors), 0);

          if (JSON_NODE_HOLDS_OBJECT (first))
            reason = dup_json_string (json_node_get_object (first), "reason");
        }
      if (reason == NULL)
        {
          JsonNode *code = json_object_get_member (error_object, "code");

          if (code != NULL && JSON_NODE_HOLDS_VALUE (code) &&
              json_node_get_value_type (code) == G_TYPE_STRING)
            reason = g_strdup (json_node_get_string (code));
          else
            reason = dup_json_string (error_object, "status");
        }
    }
  else
    {
      return FALSE;
    }

  if (out_reason != NULL)
    *out_reason = ember_redact (reason);
  if (out_message != NULL)
    *out_message = ember_redact (message);

  return TRUE;
}

static gboolean
is_rate_limit_reason (const char *reason)
{
  return g_strcmp0 (reason, "userRateLimitExceeded") == 0 ||
         g_strcmp0 (reason, "rateLimitExceeded") == 0 ||
         g_strcmp0 (reason, "ApplicationThrottled") == 0 ||
         g_strcmp0 (reason, "TooManyRequests") == 0;
}

static char *
build_url (EmberApiEndpoint *endpoint,
           EmberHttpRequest *request)
{
  g_autofree char *path = ember_http_request_dup_path_and_query (request);

  if (g_str_has_prefix (path, "https://") || g_str_has_prefix (path, "http://"))
    return g_steal_pointer (&path);

  return g_strconcat (ember_api_endpoint_get_base_url (endpoint),
                      path[0] == '/' ? "" : "/",
                      path, NULL);
}

static gboolean
watchdog_fired_cb (gpointer data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
  return G_SOURCE_REMOVE;
}

static void
cancel_attempt_cb (GCancellable *cancellable,
                   gpointer      data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

static GBytes *
read_body (EmberHttpClient  *self,
           GInputStream     *stream,
           GCancellable     *cancellable,
           GError          **error)
{
  g_autoptr(GByteArray) buffer = g_byte_array_new ();

  for (;;)
    {
      g_autoptr(GBytes) chunk = g_input_stream_read_bytes (stream, READ_CHUNK_SIZE, cancellable, error);
      gsize size;

      if (chunk == NULL)
        return NULL;

      size = g_bytes_get_size (chunk);
      if (size == 0)
        break;

      if (buffer->len + size > self->max_body_size)
        {
          g_set_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_BAD_RESPONSE,
                       "The reply is larger than %" G_GSIZE_FORMAT " bytes", self->max_body_size);
          return NULL;
        }
      g_byte_array_append (buffer, g_bytes_get_data (chunk, NULL), size);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
}

/* One attempt: no retries. Sets *out_status (0 when no response) and
 * returns the body, or NULL with a network/timeout/cancel error. */
static GBytes *
send_once (EmberHttpClient     *self,
           EmberApiEndpoint    *endpoint,
           EmberHttpRequest    *request,
           const char          *url,
           const char          *access_token,
           guint               *out_status,
           SoupMessageHeaders **out_headers,
           GCancellable        *cancellable,
           GError             **error)
{
  EmberMetrics *metrics = ember_metrics_get_default ();
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GCancellable) attempt_cancellable = g_cancellable_new ();
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GSource) watchdog = NULL;
  SoupMessageHeaders *headers;
  SoupMessageHeadersIter iter;
  const char *name, *value;
  guint timeout_ms;
  gulong cancel_id = 0;
  gint64 started;

  *out_status = 0;
  *out_headers = NULL;

  message = soup_message_new (ember_http_request_get_method (request), url);
  if (message == NULL)
    {
      g_set_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_FAILED,
                   "Cannot build a request for %s", ember_api_endpoint_get_display_name (endpoint));
      return NULL;
    }

  if (ember_http_request_get_idempotent (request))
    soup_message_add_flags (message, SOUP_MESSAGE_IDEMPOTENT);

  headers = soup_message_get_request_headers (message);
  soup_message_headers_iter_init (&iter, ember_http_request_get_request_headers (request));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    soup_message_headers_append (headers, name, value);
  if (access_token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", access_token, NULL);

      soup_message_headers_replace (headers, "Authorization", authorization);
    }
  if (soup_message_headers_get_one (headers, "Accept") == NULL)
    soup_message_headers_append (headers, "Accept", "application/json");
  if (ember_http_request_get_body (request) != NULL)
    {
      soup_message_set_request_body_from_bytes (message,
                                                ember_http_request_get_content_type (request),
                                                ember_http_request_get_body (request));
      ember_metrics_counter_add (metrics, "http.bytes_sent",
                                 g_bytes_get_size (ember_http_request_get_body (request)));
    }

  timeout_ms = ember_http_request_get_timeout (request);
  if (timeout_ms == 0)
    timeout_ms = ember_api_endpoint_get_timeout (endpoint);
  watchdog = g_timeout_source_new (timeout_ms);
  g_source_set_callback (watchdog, watchdog_fired_cb, g_object_ref (attempt_cancellable), g_object_unref);
  g_source_attach (watchdog, self->watchdog_context);
  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancel_attempt_cb),
                                       attempt_cancellable, NULL);

  started = g_get_monotonic_time ();
  ember_metrics_counter_add (metrics, "http.requests", 1);
  _ember_http_request_count_attempt (request);

  stream = soup_session_send (self->session, message, attempt_cancellable, &local_error);
  if (stream != NULL)
    {
      body = read_body (self, stream, attempt_cancellable, &local_error);
      g_input_stream_close (stream, NULL, NULL);
    }

  g_source_destroy (watchdog);
  if (cancel_id != 0)
    g_cancellable_disconnect (cancellable, cancel_id);

  ember_metrics_observe (metrics, "http.latency_us", g_get_monotonic_time () - started);

  if (body == NULL)
    {
      g_autofree char *detail = ember_redact (local_error->message);

      ember_metrics_counter_add (metrics, "http.errors", 1);
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
        }
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          ember_metrics_counter_add (metrics, "http.timeouts", 1);
          g_set_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_TIMEOUT,
                       "%s did not answer within %.1f s",
                       ember_api_endpoint_get_display_name (endpoint), timeout_ms / 1000.0);
        }
      else if (local_error->domain == EMBER_HTTP_ERROR)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
        }
      else if (local_error->domain == G_TLS_ERROR)
        {
          /* A bad certificate does not get better by retrying. */
          g_set_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_FAILED,
                       "Secure connection to %s failed: %s",
                       ember_api_endpoint_get_display_name (endpoint), detail);
        }
      else
        {
          g_set_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_NETWORK,
                       "Could not reach %s: %s",
                       ember_api_endpoint_get_display_name (endpoint), detail);
        }
      return NULL;
    }

  ember_metrics_counter_add (metrics, "http.bytes_received", g_bytes_get_size (body));
  *out_status = soup_message_get_status (message);
  *out_headers = soup_message_headers_ref (soup_message_get_response_headers (message));

  return g_steal_pointer (&body);
}

/* Classifies a response; on failure sets @error (even for retryable
 * outcomes, so the last one can be reported) and *@out_retry_after. */
static Outcome
classify_response (EmberHttpClient    *self,
                   EmberApiEndpoint   *endpoint,
                   EmberHttpRequest   *request,
                   guint               status,
                   SoupMessageHeaders *headers,
                   GBytes             *body,
                   gint64             *out_retry_after,
                   GError            **error)
{
  g_autofree char *reason = NULL;
  g_autofree char *message = NULL;
  const char *display_name = ember_api_endpoint_get_display_name (endpoint);
  const char *retry_after_header;

  *out_retry_after = -1;

  if (status >= 200 && status < 300)
    return OUTCOME_SUCCESS;

  ember_http_parse_provider_error (body, &reason, &message);
  _ember_http_request_set_error_reason (request, reason);

  retry_after_header = headers != NULL ? soup_message_headers_get_one (headers, "Retry-After") : NULL;
  if (retry_after_header != NULL)
    *out_retry_after = ember_parse_retry_after (retry_after_header, ember_clock_get_real (self->clock));

  if (status == 429 || (status == 403 && is_rate_limit_reason (reason)))
    {
      ember_metrics_counter_add (ember_metrics_get_default (), "http.429", 1);
      g_set_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_RATE_LIMITED,
                   "%s asked Ember to slow down (HTTP %u%s%s)", display_name, status,
                   message != NULL ? ": " : "", message != NULL ? message : "");
      return OUTCOME_RETRY;
    }

  if (status == 500 || status == 502 || status == 503 || status == 504)
    {
      g_set_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_SERVER,
                   "%s is having trouble (HTTP %u %s%s%s)", display_name, status,
                   soup_status_get_phrase (status),
                   message != NULL ? ": " : "", message != NULL ? message : "");
      return OUTCOME_RETRY;
    }

  if (status == 401)
    {
      g_set_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_CLIENT,
                   "%s did not accept the sign-in (HTTP 401%s%s)", display_name,
                   message != NULL ? ": " : "", message != NULL ? message : "");
      return OUTCOME_REFRESH;
    }

  g_set_error (error, EMBER_HTTP_ERROR,
               status >= 500 ? EMBER_HTTP_ERROR_SERVER : EMBER_HTTP_ERROR_CLIENT,
               "%s refused the request (HTTP %u %s)%s%s", display_name, status,
               soup_status_get_phrase (status),
               message != NULL ? ": " : "", message != NULL ? message : "");
  return OUTCOME_FAIL;
}

static gboolean
is_retryable_transport_error (const GError *error)
{
  return g_error_matches (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_NETWORK) ||
         g_error_matches (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_TIMEOUT);
}

static JsonNode *
parse_json_body (EmberApiEndpoint  *endpoint,
                 guint              status,
                 GBytes            *body,
                 GError           **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) parse_error = NULL;
  const char *data;
  gsize size = 0;

  data = g_bytes_get_data (body, &size);
  if (size == 0 && status == 204)
    return json_node_new (JSON_NODE_NULL);

  if (size == 0 || !json_parser_load_from_data (parser, data, size, &parse_error) ||
      json_parser_get_root (parser) == NULL)
    {
      g_autofree char *detail = parse_error != NULL ? ember_redact (parse_error->message) : NULL;

      g_set_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_BAD_RESPONSE,
                   "%s sent a truncated or malformed reply (%s)",
                   ember_api_endpoint_get_display_name (endpoint),
                   detail != NULL ? detail : "empty body");
      return NULL;
    }

  return json_parser_steal_root (parser);
}

static gboolean
send_internal (EmberHttpClient   *self,
               EmberApiEndpoint  *endpoint,
               EmberHttpRequest  *request,
               gboolean           want_json,
               JsonNode         **out_json,
               GCancellable      *cancellable,
               GError           **error)
{
  EmberMetrics *metrics = ember_metrics_get_default ();
  g_autoptr(EmberRateLimiter) limiter = ember_api_endpoint_ref_rate_limiter (endpoint);
  g_autoptr(EmberAuthSession) auth = NULL;
  g_autoptr(EmberBackoff) backoff = ember_http_client_new_backoff (self);
  g_autofree char *url = build_url (endpoint, request);
  g_autofree char *log_url = NULL;
  g_autoptr(GError) last_error = NULL;
  gboolean refreshed = FALSE;
  double cost;

  if (!ember_http_url_is_allowed (url, error))
    return FALSE;

  log_url = ember_redact (url);
  if (ember_http_request_get_authenticated (request))
    auth = ember_api_endpoint_ref_auth_session (endpoint);

  cost = ember_http_request_get_cost (request);
  if (cost < 0)
    cost = ember_api_endpoint_get_cost (endpoint, ember_http_request_get_operation (request));

  _ember_http_request_reset_response (request);

  for (;;)
    {
      g_autofree char *token = NULL;
      g_autoptr(SoupMessageHeaders) headers = NULL;
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GError) attempt_error = NULL;
      gint64 retry_after = -1;
      gint64 delay;
      guint status = 0;
      Outcome outcome;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (auth != NULL)
        {
          token = ember_auth_session_get_access_token_sync (auth, NULL, cancellable, error);
          if (token == NULL)
            return FALSE;
        }

      if (limiter != NULL && !ember_rate_limiter_acquire (limiter, cost, cancellable, error))
        return FALSE;
      body = send_once (self, endpoint, request, url, token, &status, &headers, cancellable, &attempt_error);
      if (limiter != NULL)
        ember_rate_limiter_release (limiter);

      if (body == NULL)
        {
          g_debug ("%s %s: %s", ember_http_request_get_method (request), log_url, attempt_error->message);
          if (!is_retryable_transport_error (attempt_error))
            {
              g_propagate_error (error, g_steal_pointer (&attempt_error));
              return FALSE;
            }
          outcome = OUTCOME_RETRY;
        }
      else
        {
          g_debug ("%s %s → %u", ember_http_request_get_method (request), log_url, status);
          _ember_http_request_set_response (request, status, headers, body);
          outcome = classify_response (self, endpoint, request, status, headers, body,
                                       &retry_after, &attempt_error);
          if (outcome == OUTCOME_SUCCESS && want_json)
            {
              *out_json = parse_json_body (endpoint, status, body, &attempt_error);
              if (*out_json == NULL)
                outcome = OUTCOME_RETRY;
            }
        }

      switch (outcome)
        {
        case OUTCOME_SUCCESS:
          return TRUE;

        case OUTCOME_FAIL:
          ember_metrics_counter_add (metrics, "http.failures", 1);
          g_propagate_error (error, g_steal_pointer (&attempt_error));
          return FALSE;

        case OUTCOME_REFRESH:
          if (auth == NULL || refreshed)
            {
              ember_metrics_counter_add (metrics, "http.failures", 1);
              g_propagate_error (error, g_steal_pointer (&attempt_error));
              return FALSE;
            }
          /* Once per send: the token may have been revoked or expired
           * early; a second 401 with a fresh token is final. */
          refreshed = TRUE;
          ember_metrics_counter_add (metrics, "http.retries", 1);
          {
            g_autofree char *fresh = ember_auth_session_get_access_token_sync (auth, token,
                                                                               cancellable, error);
            if (fresh == NULL)
              return FALSE;
          }
          continue;

        case OUTCOME_RETRY:
        default:
          break;
        }

      g_clear_error (&last_error);
      last_error = g_steal_pointer (&attempt_error);

      delay = ember_backoff_next_delay (backoff, retry_after);
      if (delay < 0)
        {
          ember_metrics_counter_add (metrics, "http.failures", 1);
          g_set_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_GAVE_UP,
                       "Gave up after %u attempts: %s",
                       ember_http_request_get_attempts (request), last_error->message);
          return FALSE;
        }

      /* Everyone sharing the quota holds off, not only this request. */
      if (limiter != NULL && g_error_matches (last_error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_RATE_LIMITED))
        ember_rate_limiter_penalize (limiter, delay);

      ember_metrics_counter_add (metrics, "http.retries", 1);
      g_debug ("Retrying %s %s in %" G_GINT64_FORMAT " ms", ember_http_request_get_method (request),
               log_url, delay / 1000);
      if (!ember_clock_sleep (self->clock, delay, cancellable, error))
        return FALSE;
    }
}

gboolean
ember_http_client_send_sync (EmberHttpClient   *self,
                             EmberApiEndpoint  *endpoint,
                             EmberHttpRequest  *request,
                             GCancellable      *cancellable,
                             GError           **error)
{
  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (self), FALSE);
  g_return_val_if_fail (EMBER_IS_API_ENDPOINT (endpoint), FALSE);
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (request), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return send_internal (self, endpoint, request, FALSE, NULL, cancellable, error);
}

JsonNode *
ember_http_client_send_json_sync (EmberHttpClient   *self,
                                  EmberApiEndpoint  *endpoint,
                                  EmberHttpRequest  *request,
                                  GCancellable      *cancellable,
                                  GError           **error)
{
  JsonNode *node = NULL;

  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (self), NULL);
  g_return_val_if_fail (EMBER_IS_API_ENDPOINT (endpoint), NULL);
  g_return_val_if_fail (EMBER_IS_HTTP_REQUEST (request), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!send_internal (self, endpoint, request, TRUE, &node, cancellable, error))
    return NULL;

  return node;
}
