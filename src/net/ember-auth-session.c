/* ember-auth-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-net"

#include "config.h"

#include <string.h>

#include "ember-auth-session.h"
#include "ember-error.h"
#include "ember-metrics.h"
#include "ember-oauth-tokens.h"

/* Waiters re-check their cancellable this often while another thread
 * refreshes. */
#define WAIT_SLICE_USEC (50 * 1000)

struct _EmberAuthSession
{
  GObject           parent_instance;

  EmberHttpClient  *client;
  EmberOAuthConfig *config;
  EmberTokenStore  *store;
  gint64            account_id;

  GMutex            mutex;
  GCond             cond;
  /* Guarded by mutex. */
  gboolean          busy;          /* a thread loads or refreshes */
  gboolean          loaded;        /* the keyring's access token was read */
  gboolean          needs_sign_in;
  guint             generation;    /* bumped whenever a load or refresh ends */
  GError           *last_error;    /* how the last one failed, NULL if it did not */
  char             *access_token;
  gint64            expires;       /* real µs */
  guint             n_refreshes;
};

G_DEFINE_FINAL_TYPE (EmberAuthSession, ember_auth_session, G_TYPE_OBJECT)

static void
clear_secret (char **secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static void
ember_auth_session_finalize (GObject *object)
{
  EmberAuthSession *self = EMBER_AUTH_SESSION (object);

  g_clear_object (&self->client);
  g_clear_pointer (&self->config, ember_oauth_config_free);
  g_clear_object (&self->store);
  clear_secret (&self->access_token);
  g_clear_error (&self->last_error);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (ember_auth_session_parent_class)->finalize (object);
}

static void
ember_auth_session_class_init (EmberAuthSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ember_auth_session_finalize;
}

static void
ember_auth_session_init (EmberAuthSession *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
}

EmberAuthSession *
ember_auth_session_new (EmberHttpClient        *client,
                        const EmberOAuthConfig *config,
                        EmberTokenStore        *store,
                        gint64                  account_id)
{
  EmberAuthSession *self;

  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (client), NULL);
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (EMBER_IS_TOKEN_STORE (store), NULL);
  g_return_val_if_fail (account_id > 0, NULL);

  self = g_object_new (EMBER_TYPE_AUTH_SESSION, NULL);
  self->client = g_object_ref (client);
  self->config = ember_oauth_config_copy (config);
  self->store = g_object_ref (store);
  self->account_id = account_id;

  return self;
}

gint64
ember_auth_session_get_account_id (EmberAuthSession *self)
{
  g_return_val_if_fail (EMBER_IS_AUTH_SESSION (self), 0);

  return self->account_id;
}

const EmberOAuthConfig *
ember_auth_session_get_config (EmberAuthSession *self)
{
  g_return_val_if_fail (EMBER_IS_AUTH_SESSION (self), NULL);

  return self->config;
}

static void
set_needs_sign_in_error (EmberAuthSession  *self,
                         GError           **error)
{
  g_set_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NEEDS_SIGN_IN,
               "%s no longer accepts this account’s sign-in (it expired or was revoked); "
               "sign in again",
               ember_oauth_provider_get_name (self->config->provider));
}

/* Runs without the lock: reads the keyring, talks to the token endpoint. */
static EmberOAuthTokens *
refresh_tokens (EmberAuthSession  *self,
                GCancellable      *cancellable,
                GError           **error)
{
  g_autofree char *refresh_token = NULL;
  g_autoptr(EmberOAuthTokens) tokens = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!ember_token_store_lookup_sync (self->store, self->account_id, EMBER_TOKEN_KIND_REFRESH,
                                      &refresh_token, NULL, cancellable, error))
    return NULL;

  if (refresh_token == NULL)
    {
      g_set_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NEEDS_SIGN_IN,
                   "No sign-in is stored for this account; sign in again");
      return NULL;
    }

  ember_metrics_counter_add (ember_metrics_get_default (), "http.token_refreshes", 1);
  tokens = ember_oauth_request_tokens_sync (self->client, self->config, cancellable, &local_error,
                                            "refresh_token",
                                            "refresh_token", refresh_token,
                                            /* Microsoft wants the scopes again; Google ignores them. */
                                            "scope", self->config->provider == EMBER_OAUTH_PROVIDER_MICROSOFT
                                                       ? self->config->scopes : NULL,
                                            NULL);
  memset (refresh_token, 0, strlen (refresh_token));

  if (tokens == NULL)
    {
      if (g_error_matches (local_error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NEEDS_SIGN_IN))
        {
          /* The dead tokens go; the account and its mail stay, waiting for
           * a new sign-in. */
          g_message ("Account %" G_GINT64_FORMAT " needs to sign in again", self->account_id);
          ember_token_store_delete_sync (self->store, self->account_id, EMBER_TOKEN_KIND_ACCESS,
                                         NULL, NULL);
          ember_token_store_delete_sync (self->store, self->account_id, EMBER_TOKEN_KIND_REFRESH,
                                         NULL, NULL);
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (!ember_oauth_tokens_save_sync (tokens, self->store, self->account_id, cancellable, error))
    return NULL;

  return g_steal_pointer (&tokens);
}

char *
ember_auth_session_get_access_token_sync (EmberAuthSession  *self,
                                          const char        *rejected_token,
                                          GCancellable      *cancellable,
                                          GError           **error)
{
  EmberClock *clock;

  g_return_val_if_fail (EMBER_IS_AUTH_SESSION (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  clock = ember_http_client_get_clock (self->client);

  g_mutex_lock (&self->mutex);
  for (;;)
    {
      g_autoptr(EmberOAuthTokens) tokens = NULL;
      g_autofree char *stored_token = NULL;
      g_autoptr(GError) local_error = NULL;
      gint64 stored_expires = 0;
      gboolean need_load;

      if (g_cancellable_is_cancelled (cancellable))
        {
          g_mutex_unlock (&self->mutex);
          g_cancellable_set_error_if_cancelled (cancellable, error);
          return NULL;
        }

      if (self->needs_sign_in)
        {
          g_mutex_unlock (&self->mutex);
          set_needs_sign_in_error (self, error);
          return NULL;
        }

      if (self->busy)
        {
          guint generation = self->generation;

          while (self->busy && !g_cancellable_is_cancelled (cancellable))
            g_cond_wait_until (&self->cond, &self->mutex, g_get_monotonic_time () + WAIT_SLICE_USEC);

          /* The refresh this thread waited for failed: share its error
           * rather than queueing up one more attempt (each could take the
           * whole backoff) behind it. */
          if (!self->busy && self->generation != generation && self->last_error != NULL)
            {
              GError *shared = g_error_copy (self->last_error);

              g_mutex_unlock (&self->mutex);
              g_propagate_error (error, shared);
              return NULL;
            }
          continue;
        }

      if (self->access_token != NULL &&
          ember_clock_get_real (clock) < self->expires &&
          g_strcmp0 (self->access_token, rejected_token) != 0)
        {
          char *token = g_strdup (self->access_token);

          g_mutex_unlock (&self->mutex);
          return token;
        }

      /* This thread does the I/O; others wait on the condition. */
      self->busy = TRUE;
      need_load = !self->loaded;
      g_mutex_unlock (&self->mutex);

      if (need_load)
        {
          if (!ember_token_store_lookup_sync (self->store, self->account_id, EMBER_TOKEN_KIND_ACCESS,
                                              &stored_token, &stored_expires, cancellable, &local_error))
            {
              g_mutex_lock (&self->mutex);
              self->busy = FALSE;
              self->generation++;
              g_clear_error (&self->last_error);
              self->last_error = g_error_copy (local_error);
              g_cond_broadcast (&self->cond);
              g_mutex_unlock (&self->mutex);
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }

          g_mutex_lock (&self->mutex);
          self->loaded = TRUE;
          self->busy = FALSE;
          self->generation++;
          g_clear_error (&self->last_error);
          if (stored_token != NULL && self->access_token == NULL)
            {
              self->access_token = g_steal_pointer (&stored_token);
              self->expires = stored_expires * G_USEC_PER_SEC;
            }
          clear_secret (&stored_token);
          g_cond_broadcast (&self->cond);
          continue;
        }

      tokens = refresh_tokens (self, cancellable, &local_error);

      g_mutex_lock (&self->mutex);
      self->busy = FALSE;
      self->n_refreshes++;
      self->generation++;
      g_clear_error (&self->last_error);
      if (tokens == NULL && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        self->last_error = g_error_copy (local_error);
      g_cond_broadcast (&self->cond);

      if (tokens == NULL)
        {
          if (g_error_matches (local_error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NEEDS_SIGN_IN))
            {
              self->needs_sign_in = TRUE;
              clear_secret (&self->access_token);
            }
          g_mutex_unlock (&self->mutex);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      clear_secret (&self->access_token);
      self->access_token = g_steal_pointer (&tokens->access_token);
      self->expires = tokens->expires;
      /* Loop once more: hands out the new token (or waits again if it was
       * already stale by the clock). */
      rejected_token = NULL;
    }
}

gboolean
ember_auth_session_get_needs_sign_in (EmberAuthSession *self)
{
  gboolean needs_sign_in;

  g_return_val_if_fail (EMBER_IS_AUTH_SESSION (self), FALSE);

  g_mutex_lock (&self->mutex);
  needs_sign_in = self->needs_sign_in;
  g_mutex_unlock (&self->mutex);

  return needs_sign_in;
}

guint
ember_auth_session_get_n_refreshes (EmberAuthSession *self)
{
  guint n;

  g_return_val_if_fail (EMBER_IS_AUTH_SESSION (self), 0);

  g_mutex_lock (&self->mutex);
  n = self->n_refreshes;
  g_mutex_unlock (&self->mutex);

  return n;
}
