/* ember-redirect-listener.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-net"

#include "config.h"

#include <libsoup/soup.h>

#include "ember-error.h"
#include "ember-pkce.h"
#include "ember-redact.h"
#include "ember-redirect-listener.h"

struct _EmberRedirectListener
{
  GObject       parent_instance;

  char         *expected_state;
  char         *redirect_uri;
  guint         port;

  /* The server lives on its own thread and main context. */
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;      /* server thread only */

  GMutex        mutex;
  GCond         cond;
  /* Guarded by mutex. */
  gboolean      started;
  GError       *start_error;
  gboolean      finished;    /* a code or a final error arrived */
  char         *code;
  GError       *result_error;
  guint         n_refused;
  char         *last_refusal; /* why the last bad request was refused */

  GCancellable *finished_cancellable; /* cancelled when finished */
};

G_DEFINE_FINAL_TYPE (EmberRedirectListener, ember_redirect_listener, G_TYPE_OBJECT)

static const char page_template[] =
  "<!DOCTYPE html>\n"
  "<html lang=\"en\"><head><meta charset=\"utf-8\">"
  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
  "<title>%s — Ember</title>"
  "<style>"
  ":root{color-scheme:light dark}"
  "body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;"
  "font-family:Cantarell,'Adwaita Sans','Noto Sans',system-ui,sans-serif;"
  "background:#fafafb;color:rgba(0,0,6,.8)}"
  "main{max-width:26rem;margin:1rem;padding:2.5rem 2rem;text-align:center;background:#fff;"
  "border-radius:12px;box-shadow:0 0 0 1px rgba(0,0,6,.07),0 2px 6px rgba(0,0,6,.07)}"
  ".mark{width:64px;height:64px;margin:0 auto 1rem;border-radius:50%%;"
  "background:radial-gradient(circle at 50%% 65%%,#ffc24d 0 22%%,#f66151 45%%,#c01c28 100%%)}"
  ".mark.problem{background:#9a9996}"
  "h1{font-size:1.5rem;font-weight:800;margin:0 0 .5rem}"
  "p{margin:0;line-height:1.5;opacity:.8}"
  "@media (prefers-color-scheme:dark){body{background:#222226;color:#fff}"
  "main{background:#2e2e32;box-shadow:0 0 0 1px rgba(0,0,6,.36)}}"
  "</style></head>"
  "<body><main><div class=\"mark%s\"></div><h1>%s</h1><p>%s</p></main></body></html>\n";

static void
respond_page (SoupServerMessage *message,
              guint              status,
              gboolean           success,
              const char        *title,
              const char        *text)
{
  g_autofree char *title_escaped = g_markup_escape_text (title, -1);
  g_autofree char *text_escaped = g_markup_escape_text (text, -1);
  g_autofree char *html = g_strdup_printf (page_template, title_escaped,
                                           success ? "" : " problem",
                                           title_escaped, text_escaped);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "text/html; charset=utf-8",
                                    SOUP_MEMORY_COPY, html, strlen (html));
}

/* Called with the mutex held. */
static void
finish_locked (EmberRedirectListener *self,
               char                  *code,
               GError                *error)
{
  self->finished = TRUE;
  self->code = code;
  self->result_error = error;
  g_cancellable_cancel (self->finished_cancellable);
}

static void
refuse (EmberRedirectListener *self,
        SoupServerMessage     *message,
        guint                  status,
        const char            *title,
        const char            *text,
        const char            *reason)
{
  g_mutex_lock (&self->mutex);
  self->n_refused++;
  g_free (self->last_refusal);
  self->last_refusal = g_strdup (reason);
  g_mutex_unlock (&self->mutex);

  g_debug ("Sign-in listener refused a request: %s", reason);
  respond_page (message, status, FALSE, title, text);
}

static void
got_headers_cb (SoupServerMessage *message,
                gpointer           user_data)
{
  EmberRedirectListener *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  goffset length = soup_message_headers_get_content_length (headers);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);

  /* The browser only ever sends a GET without a body: refuse big uploads
   * before reading them. */
  if (length > EMBER_REDIRECT_MAX_BODY_SIZE || encoding == SOUP_ENCODING_CHUNKED ||
      encoding == SOUP_ENCODING_EOF)
    {
      refuse (self, message, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
              "Request too large", "Ember only expects a short answer from your browser here.",
              "request body too large");
      soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                    "Connection", "close");
    }
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *message,
                    gpointer           user_data)
{
  g_signal_connect (message, "got-headers", G_CALLBACK (got_headers_cb), user_data);
}

static void
handle_request_cb (SoupServer        *server,
                   SoupServerMessage *message,
                   const char        *path,
                   GHashTable        *unused_query,
                   gpointer           user_data)
{
  EmberRedirectListener *self = user_data;
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GError) parse_error = NULL;
  const char *method = soup_server_message_get_method (message);
  const char *query;
  const char *state, *code, *error_code, *error_description;
  gboolean finished;

  /* Already answered in got-headers. */
  if (soup_server_message_get_status (message) != 0)
    return;

  if (g_strcmp0 (method, "GET") != 0)
    {
      refuse (self, message, SOUP_STATUS_METHOD_NOT_ALLOWED, "Not a sign-in answer",
              "This page only receives the answer of your browser after you sign in.",
              "method not allowed");
      return;
    }

  if (g_strcmp0 (path, "/") != 0)
    {
      refuse (self, message, SOUP_STATUS_NOT_FOUND, "Not found",
              "This page only receives the answer of your browser after you sign in.",
              "unknown path");
      return;
    }

  g_mutex_lock (&self->mutex);
  finished = self->finished;
  g_mutex_unlock (&self->mutex);
  if (finished)
    {
      refuse (self, message, SOUP_STATUS_GONE, "Sign-in already finished",
              "Ember already has the answer for this sign-in. You can close this tab.",
              "already finished");
      return;
    }

  query = g_uri_get_query (soup_server_message_get_uri (message));
  if (query != NULL)
    params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_WWW_FORM, &parse_error);
  if (query == NULL || params == NULL)
    {
      refuse (self, message, SOUP_STATUS_BAD_REQUEST, "Not a sign-in answer",
              "This address does not carry an answer Ember understands. "
              "Go back to Ember and start the sign-in again if needed.",
              query == NULL ? "no query" : "malformed query");
      return;
    }

  state = g_hash_table_lookup (params, "state");
  code = g_hash_table_lookup (params, "code");
  error_code = g_hash_table_lookup (params, "error");
  error_description = g_hash_table_lookup (params, "error_description");

  if (!ember_secret_equal (state, self->expected_state))
    {
      refuse (self, message, SOUP_STATUS_BAD_REQUEST, "Sign-in not recognized",
              "This answer does not belong to the sign-in Ember started, so Ember ignored it. "
              "If you are signing in, use the link Ember gave you.",
              state == NULL ? "missing state" : "wrong state");
      return;
    }

  g_mutex_lock (&self->mutex);
  if (self->finished)
    {
      g_mutex_unlock (&self->mutex);
      respond_page (message, SOUP_STATUS_GONE, FALSE, "Sign-in already finished",
                    "Ember already has the answer for this sign-in. You can close this tab.");
      return;
    }

  if (error_code != NULL)
    {
      g_autofree char *redacted = ember_redact (error_description != NULL ? error_description : error_code);

      if (g_strcmp0 (error_code, "access_denied") == 0)
        finish_locked (self, NULL,
                       g_error_new (EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_ACCESS_DENIED,
                                    "Access was declined in the browser, so the account was not added"));
      else
        finish_locked (self, NULL,
                       g_error_new (EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_FAILED,
                                    "The sign-in failed in the browser: %s", redacted));
      g_mutex_unlock (&self->mutex);
      respond_page (message, SOUP_STATUS_OK, FALSE, "Sign-in cancelled",
                    "Ember was not given access. You can close this tab and try again from Ember.");
      return;
    }

  if (code == NULL || *code == '\0')
    {
      finish_locked (self, NULL,
                     g_error_new (EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NO_CODE,
                                  "The browser came back without an authorization code"));
      g_mutex_unlock (&self->mutex);
      respond_page (message, SOUP_STATUS_BAD_REQUEST, FALSE, "Sign-in incomplete",
                    "The answer from the sign-in page had no authorization code. "
                    "Close this tab and try again from Ember.");
      return;
    }

  ember_redact_register_secret (code);
  finish_locked (self, g_strdup (code), NULL);
  g_mutex_unlock (&self->mutex);

  respond_page (message, SOUP_STATUS_OK, TRUE, "You’re signed in",
                "Ember can now keep this account in sync. You can close this tab.");
}

static gpointer
server_thread_func (gpointer data)
{
  EmberRedirectListener *self = data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (self->context);

  self->server = soup_server_new ("server-header", "Ember", NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), self);
  soup_server_add_handler (self->server, NULL, handle_request_cb, self, NULL);

  if (soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      uris = soup_server_get_uris (self->server);
      g_mutex_lock (&self->mutex);
      if (uris != NULL)
        self->port = g_uri_get_port (uris->data);
      g_mutex_unlock (&self->mutex);
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
    }

  g_mutex_lock (&self->mutex);
  if (error != NULL || self->port == 0)
    {
      self->start_error = g_error_new (EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_FAILED,
                                       "Could not listen on 127.0.0.1 for the browser’s answer: %s",
                                       error != NULL ? error->message : "no port");
    }
  self->started = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  if (self->start_error == NULL)
    g_main_loop_run (self->loop);

  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  /* Let pending connection teardown run before the context goes. */
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);

  return NULL;
}

static void
ember_redirect_listener_finalize (GObject *object)
{
  EmberRedirectListener *self = EMBER_REDIRECT_LISTENER (object);

  ember_redirect_listener_stop (self);

  g_clear_pointer (&self->expected_state, g_free);
  g_clear_pointer (&self->redirect_uri, g_free);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_error (&self->start_error);
  g_clear_error (&self->result_error);
  g_clear_pointer (&self->code, g_free);
  g_clear_pointer (&self->last_refusal, g_free);
  g_clear_object (&self->finished_cancellable);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (ember_redirect_listener_parent_class)->finalize (object);
}

static void
ember_redirect_listener_class_init (EmberRedirectListenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ember_redirect_listener_finalize;
}

static void
ember_redirect_listener_init (EmberRedirectListener *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->finished_cancellable = g_cancellable_new ();
}

EmberRedirectListener *
ember_redirect_listener_new (const char *expected_state)
{
  EmberRedirectListener *self;

  g_return_val_if_fail (expected_state != NULL && *expected_state != '\0', NULL);

  self = g_object_new (EMBER_TYPE_REDIRECT_LISTENER, NULL);
  self->expected_state = g_strdup (expected_state);

  return self;
}

gboolean
ember_redirect_listener_start (EmberRedirectListener  *self,
                               GError                **error)
{
  g_return_val_if_fail (EMBER_IS_REDIRECT_LISTENER (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  self->thread = g_thread_new ("ember-sign-in-listener", server_thread_func, self);

  g_mutex_lock (&self->mutex);
  while (!self->started)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);

  if (self->start_error != NULL)
    {
      g_thread_join (g_steal_pointer (&self->thread));
      g_propagate_error (error, g_steal_pointer (&self->start_error));
      return FALSE;
    }

  self->redirect_uri = g_strdup_printf ("http://127.0.0.1:%u/", self->port);
  return TRUE;
}

const char *
ember_redirect_listener_get_redirect_uri (EmberRedirectListener *self)
{
  g_return_val_if_fail (EMBER_IS_REDIRECT_LISTENER (self), NULL);

  return self->redirect_uri;
}

guint
ember_redirect_listener_get_port (EmberRedirectListener *self)
{
  g_return_val_if_fail (EMBER_IS_REDIRECT_LISTENER (self), 0);

  return self->port;
}

static void
wake_waiter_cb (GCancellable *cancellable,
                gpointer      data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

char *
ember_redirect_listener_wait_sync (EmberRedirectListener  *self,
                                   EmberClock             *clock,
                                   gint64                  timeout_usec,
                                   GCancellable           *cancellable,
                                   GError                **error)
{
  g_autoptr(GCancellable) wake = g_cancellable_new ();
  gulong finished_id, cancel_id = 0;
  gint64 deadline;
  char *code = NULL;

  g_return_val_if_fail (EMBER_IS_REDIRECT_LISTENER (self), NULL);
  g_return_val_if_fail (EMBER_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (self->thread != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  deadline = ember_clock_get_monotonic (clock) + timeout_usec;
  finished_id = g_cancellable_connect (self->finished_cancellable, G_CALLBACK (wake_waiter_cb), wake, NULL);
  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (wake_waiter_cb), wake, NULL);

  for (;;)
    {
      g_autoptr(GError) wait_error = NULL;

      g_mutex_lock (&self->mutex);
      if (self->finished)
        {
          if (self->result_error != NULL)
            g_propagate_error (error, g_error_copy (self->result_error));
          else
            code = g_strdup (self->code);
          g_mutex_unlock (&self->mutex);
          break;
        }
      g_mutex_unlock (&self->mutex);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;

      if (ember_clock_wait_until (clock, deadline, wake, &wait_error))
        {
          g_autofree char *last_refusal = NULL;

          g_mutex_lock (&self->mutex);
          last_refusal = g_strdup (self->last_refusal);
          g_mutex_unlock (&self->mutex);

          g_set_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_TIMED_OUT,
                       "The browser did not come back to Ember within %d %s%s%s%s",
                       timeout_usec >= 60 * G_USEC_PER_SEC
                         ? (int) (timeout_usec / (60 * G_USEC_PER_SEC))
                         : (int) (timeout_usec / G_USEC_PER_SEC),
                       timeout_usec >= 60 * G_USEC_PER_SEC ? "minutes" : "seconds",
                       last_refusal != NULL ? " (the last answer was refused: " : "",
                       last_refusal != NULL ? last_refusal : "",
                       last_refusal != NULL ? ")" : "");
          break;
        }
      /* Woken: either finished or cancelled; the loop checks both. */
      if (!g_error_matches (wait_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&wait_error));
          break;
        }
      if (!g_cancellable_is_cancelled (self->finished_cancellable) &&
          !g_cancellable_is_cancelled (cancellable))
        continue;
    }

  g_cancellable_disconnect (self->finished_cancellable, finished_id);
  if (cancel_id != 0)
    g_cancellable_disconnect (cancellable, cancel_id);

  return code;
}

static gboolean
quit_loop_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
ember_redirect_listener_stop (EmberRedirectListener *self)
{
  g_return_if_fail (EMBER_IS_REDIRECT_LISTENER (self));

  if (self->thread == NULL)
    return;

  g_main_context_invoke (self->context, quit_loop_cb, self->loop);
  g_thread_join (g_steal_pointer (&self->thread));
}

guint
ember_redirect_listener_get_n_refused (EmberRedirectListener *self)
{
  guint n;

  g_return_val_if_fail (EMBER_IS_REDIRECT_LISTENER (self), 0);

  g_mutex_lock (&self->mutex);
  n = self->n_refused;
  g_mutex_unlock (&self->mutex);

  return n;
}
