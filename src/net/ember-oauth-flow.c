/* ember-oauth-flow.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-net"

#include "config.h"

#include <string.h>

#include "ember-error.h"
#include "ember-oauth-flow.h"
#include "ember-pkce.h"
#include "ember-redact.h"
#include "ember-redirect-listener.h"

struct _EmberOAuthFlow
{
  GObject                parent_instance;

  EmberHttpClient       *client;
  EmberOAuthConfig      *config;
  char                  *login_hint;
  gint64                 timeout;

  char                  *verifier;
  char                  *state;
  char                  *authorization_url;
  EmberRedirectListener *listener;
  GCancellable          *cancellable;  /* ember_oauth_flow_cancel() */
};

G_DEFINE_FINAL_TYPE (EmberOAuthFlow, ember_oauth_flow, G_TYPE_OBJECT)

static void
ember_oauth_flow_finalize (GObject *object)
{
  EmberOAuthFlow *self = EMBER_OAUTH_FLOW (object);

  if (self->listener != NULL)
    ember_redirect_listener_stop (self->listener);
  g_clear_object (&self->listener);
  g_clear_object (&self->client);
  g_clear_pointer (&self->config, ember_oauth_config_free);
  g_clear_pointer (&self->login_hint, g_free);
  if (self->verifier != NULL)
    memset (self->verifier, 0, strlen (self->verifier));
  g_clear_pointer (&self->verifier, g_free);
  g_clear_pointer (&self->state, g_free);
  g_clear_pointer (&self->authorization_url, g_free);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ember_oauth_flow_parent_class)->finalize (object);
}

static void
ember_oauth_flow_class_init (EmberOAuthFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ember_oauth_flow_finalize;
}

static void
ember_oauth_flow_init (EmberOAuthFlow *self)
{
  self->timeout = EMBER_OAUTH_DEFAULT_TIMEOUT;
  self->cancellable = g_cancellable_new ();
}

EmberOAuthFlow *
ember_oauth_flow_new (EmberHttpClient        *client,
                      const EmberOAuthConfig *config,
                      const char             *login_hint)
{
  EmberOAuthFlow *self;

  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (client), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (EMBER_TYPE_OAUTH_FLOW, NULL);
  self->client = g_object_ref (client);
  self->config = ember_oauth_config_copy (config);
  self->login_hint = g_strdup (login_hint);

  return self;
}

void
ember_oauth_flow_set_timeout (EmberOAuthFlow *self,
                              gint64          timeout_usec)
{
  g_return_if_fail (EMBER_IS_OAUTH_FLOW (self));
  g_return_if_fail (timeout_usec > 0);

  self->timeout = timeout_usec;
}

static void
append_param (GString    *url,
              const char *name,
              const char *value)
{
  g_string_append_c (url, strchr (url->str, '?') != NULL ? '&' : '?');
  g_string_append_uri_escaped (url, name, NULL, FALSE);
  g_string_append_c (url, '=');
  g_string_append_uri_escaped (url, value, NULL, FALSE);
}

gboolean
ember_oauth_flow_start (EmberOAuthFlow  *self,
                        GError         **error)
{
  g_autofree char *challenge = NULL;
  GString *url;

  g_return_val_if_fail (EMBER_IS_OAUTH_FLOW (self), FALSE);
  g_return_val_if_fail (self->listener == NULL, FALSE);

  if (!ember_http_url_is_allowed (self->config->authorize_url, error) ||
      !ember_http_url_is_allowed (self->config->token_url, error))
    return FALSE;

  self->verifier = ember_pkce_new_verifier (error);
  if (self->verifier == NULL)
    return FALSE;
  ember_redact_register_secret (self->verifier);
  self->state = ember_oauth_new_state (error);
  if (self->state == NULL)
    return FALSE;
  challenge = ember_pkce_challenge_s256 (self->verifier);

  self->listener = ember_redirect_listener_new (self->state);
  if (!ember_redirect_listener_start (self->listener, error))
    {
      g_clear_object (&self->listener);
      return FALSE;
    }

  url = g_string_new (self->config->authorize_url);
  append_param (url, "response_type", "code");
  append_param (url, "client_id", self->config->client_id);
  append_param (url, "redirect_uri", ember_redirect_listener_get_redirect_uri (self->listener));
  append_param (url, "scope", self->config->scopes);
  append_param (url, "state", self->state);
  append_param (url, "code_challenge", challenge);
  append_param (url, "code_challenge_method", "S256");
  if (self->login_hint != NULL && *self->login_hint != '\0')
    append_param (url, "login_hint", self->login_hint);
  if (self->config->provider == EMBER_OAUTH_PROVIDER_GOOGLE)
    {
      /* A refresh token is only issued for offline access, and only on
       * consent: ask for both so a re-added account gets one too. */
      append_param (url, "access_type", "offline");
      append_param (url, "prompt", "consent");
    }
  else
    {
      append_param (url, "response_mode", "query");
    }

  self->authorization_url = g_string_free (url, FALSE);
  return TRUE;
}

const char *
ember_oauth_flow_get_authorization_url (EmberOAuthFlow *self)
{
  g_return_val_if_fail (EMBER_IS_OAUTH_FLOW (self), NULL);

  return self->authorization_url;
}

const char *
ember_oauth_flow_get_redirect_uri (EmberOAuthFlow *self)
{
  g_return_val_if_fail (EMBER_IS_OAUTH_FLOW (self), NULL);

  return self->listener != NULL ? ember_redirect_listener_get_redirect_uri (self->listener) : NULL;
}

static void
cancel_flow_cb (GCancellable *cancellable,
                gpointer      data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

EmberOAuthTokens *
ember_oauth_flow_finish_sync (EmberOAuthFlow  *self,
                              GCancellable    *cancellable,
                              GError         **error)
{
  g_autoptr(EmberOAuthTokens) tokens = NULL;
  g_autofree char *code = NULL;
  gulong cancel_id = 0;

  g_return_val_if_fail (EMBER_IS_OAUTH_FLOW (self), NULL);
  g_return_val_if_fail (self->listener != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancel_flow_cb), self->cancellable, NULL);

  code = ember_redirect_listener_wait_sync (self->listener, ember_http_client_get_clock (self->client),
                                            self->timeout, self->cancellable, error);
  /* The browser has its page; nothing more may arrive. */
  ember_redirect_listener_stop (self->listener);

  if (code != NULL)
    tokens = ember_oauth_request_tokens_sync (self->client, self->config, self->cancellable, error,
                                              "authorization_code",
                                              "code", code,
                                              "redirect_uri", ember_redirect_listener_get_redirect_uri (self->listener),
                                              "code_verifier", self->verifier,
                                              NULL);

  if (cancel_id != 0)
    g_cancellable_disconnect (cancellable, cancel_id);

  if (code != NULL)
    memset (code, 0, strlen (code));

  if (tokens == NULL)
    return NULL;

  if (tokens->refresh_token == NULL)
    {
      g_set_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_FAILED,
                   "%s did not grant offline access (no refresh token), so Ember could not "
                   "stay signed in",
                   ember_oauth_provider_get_name (self->config->provider));
      return NULL;
    }

  return g_steal_pointer (&tokens);
}

static void
finish_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  EmberOAuthFlow *self = source_object;
  g_autoptr(GError) error = NULL;
  EmberOAuthTokens *tokens;

  tokens = ember_oauth_flow_finish_sync (self, cancellable, &error);
  if (tokens == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, tokens, (GDestroyNotify) ember_oauth_tokens_free);
}

void
ember_oauth_flow_finish_async (EmberOAuthFlow      *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EMBER_IS_OAUTH_FLOW (self));
  g_return_if_fail (self->listener != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ember_oauth_flow_finish_async);
  /* Waiting for a person is long: not in GIO's shared pool's way for
   * longer than needed, but one thread per sign-in is bounded by people. */
  g_task_run_in_thread (task, finish_thread);
}

EmberOAuthTokens *
ember_oauth_flow_finish_finish (EmberOAuthFlow  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (EMBER_IS_OAUTH_FLOW (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ember_oauth_flow_finish_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ember_oauth_flow_cancel (EmberOAuthFlow *self)
{
  g_return_if_fail (EMBER_IS_OAUTH_FLOW (self));

  g_cancellable_cancel (self->cancellable);
}
