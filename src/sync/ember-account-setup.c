/* ember-account-setup.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Threads: the settings and start() belong to the thread that made the
 * setup; run_sync() may then run on any one thread. cancel() is
 * thread-safe.
 */
#define G_LOG_DOMAIN "ember-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ember-account-setup.h"
#include "ember-accounts.h"
#include "ember-error.h"
#include "ember-oauth-flow.h"
#include "ember-redact.h"

struct _EmberAccountSetup
{
  GObject             parent_instance;

  EmberHttpClient    *client;
  EmberStore         *store;
  EmberTokenStore    *token_store;
  EmberAccountRecord *account;        /* id 0: a new account */
  gboolean            existing;
  char               *client_secret;
  gint64              timeout;

  EmberOAuthFlow     *flow;
  GCancellable       *cancellable;    /* ember_account_setup_cancel() */
  gboolean            ran;
};

G_DEFINE_FINAL_TYPE (EmberAccountSetup, ember_account_setup, G_TYPE_OBJECT)

static void
ember_account_setup_finalize (GObject *object)
{
  EmberAccountSetup *self = EMBER_ACCOUNT_SETUP (object);

  g_clear_object (&self->flow);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_clear_object (&self->token_store);
  g_clear_pointer (&self->account, ember_account_record_free);
  g_clear_pointer (&self->client_secret, g_free);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ember_account_setup_parent_class)->finalize (object);
}

static void
ember_account_setup_class_init (EmberAccountSetupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ember_account_setup_finalize;
}

static void
ember_account_setup_init (EmberAccountSetup *self)
{
  self->timeout = EMBER_OAUTH_DEFAULT_TIMEOUT;
  self->cancellable = g_cancellable_new ();
}

static EmberAccountSetup *
setup_new (EmberHttpClient *client,
           EmberStore      *store,
           EmberTokenStore *token_store)
{
  EmberAccountSetup *self = g_object_new (EMBER_TYPE_ACCOUNT_SETUP, NULL);

  self->client = g_object_ref (client);
  self->store = g_object_ref (store);
  self->token_store = g_object_ref (token_store);

  return self;
}

EmberAccountSetup *
ember_account_setup_new (EmberHttpClient *client,
                         EmberStore      *store,
                         EmberTokenStore *token_store,
                         const char      *provider,
                         const char      *email)
{
  EmberAccountSetup *self;

  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (client), NULL);
  g_return_val_if_fail (EMBER_IS_STORE (store), NULL);
  g_return_val_if_fail (EMBER_IS_TOKEN_STORE (token_store), NULL);
  g_return_val_if_fail (provider != NULL, NULL);
  g_return_val_if_fail (email != NULL, NULL);

  self = setup_new (client, store, token_store);
  self->account = ember_account_record_new ();
  self->account->provider = g_strdup (provider);
  self->account->email = g_strstrip (g_strdup (email));

  return self;
}

EmberAccountSetup *
ember_account_setup_new_for_account (EmberHttpClient          *client,
                                     EmberStore               *store,
                                     EmberTokenStore          *token_store,
                                     const EmberAccountRecord *account)
{
  EmberAccountSetup *self;

  g_return_val_if_fail (EMBER_IS_HTTP_CLIENT (client), NULL);
  g_return_val_if_fail (EMBER_IS_STORE (store), NULL);
  g_return_val_if_fail (EMBER_IS_TOKEN_STORE (token_store), NULL);
  g_return_val_if_fail (account != NULL && account->id > 0, NULL);

  self = setup_new (client, store, token_store);
  self->account = ember_account_record_copy (account);
  self->existing = TRUE;

  return self;
}

static void
replace_string (char       **field,
                const char  *value)
{
  g_free (*field);
  *field = value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

void
ember_account_setup_set_api_base (EmberAccountSetup *self,
                                  const char        *api_base)
{
  g_return_if_fail (EMBER_IS_ACCOUNT_SETUP (self));
  g_return_if_fail (self->flow == NULL);

  replace_string (&self->account->api_base, api_base);
}

void
ember_account_setup_set_auth_base (EmberAccountSetup *self,
                                   const char        *auth_base)
{
  g_return_if_fail (EMBER_IS_ACCOUNT_SETUP (self));
  g_return_if_fail (self->flow == NULL);

  replace_string (&self->account->auth_base, auth_base);
}

void
ember_account_setup_set_client (EmberAccountSetup *self,
                                const char        *client_id,
                                const char        *client_secret)
{
  g_return_if_fail (EMBER_IS_ACCOUNT_SETUP (self));
  g_return_if_fail (self->flow == NULL);

  if (client_id != NULL && *client_id != '\0')
    replace_string (&self->account->client_id, client_id);
  replace_string (&self->client_secret, client_secret);
  if (self->client_secret != NULL)
    ember_redact_register_secret (self->client_secret);
}

void
ember_account_setup_set_timeout (EmberAccountSetup *self,
                                 gint64             timeout_usec)
{
  g_return_if_fail (EMBER_IS_ACCOUNT_SETUP (self));
  g_return_if_fail (timeout_usec > 0);

  self->timeout = timeout_usec;
}

const char *
ember_account_setup_get_provider (EmberAccountSetup *self)
{
  g_return_val_if_fail (EMBER_IS_ACCOUNT_SETUP (self), NULL);

  return self->account->provider;
}

const char *
ember_account_setup_get_email (EmberAccountSetup *self)
{
  g_return_val_if_fail (EMBER_IS_ACCOUNT_SETUP (self), NULL);

  return self->account->email;
}

gint64
ember_account_setup_get_account_id (EmberAccountSetup *self)
{
  g_return_val_if_fail (EMBER_IS_ACCOUNT_SETUP (self), 0);

  return self->account->id;
}

gboolean
ember_account_setup_start (EmberAccountSetup  *self,
                           GError            **error)
{
  g_autoptr(EmberOAuthConfig) config = NULL;
  g_autoptr(EmberOAuthFlow) flow = NULL;

  g_return_val_if_fail (EMBER_IS_ACCOUNT_SETUP (self), FALSE);
  g_return_val_if_fail (self->flow == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->account->email == NULL || *self->account->email == '\0')
    {
      g_set_error_literal (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_CONFIG,
                           _("An email address is needed to sign in"));
      return FALSE;
    }

  /* The same client as the account's later refreshes: an explicit id is
   * in the record (and saved with it), otherwise the configured default. */
  config = ember_account_build_oauth_config (self->account, NULL, self->client_secret,
                                             self->existing ? self->token_store : NULL,
                                             NULL, error);
  if (config == NULL)
    return FALSE;

  flow = ember_oauth_flow_new (self->client, config, self->account->email);
  ember_oauth_flow_set_timeout (flow, self->timeout);
  if (!ember_oauth_flow_start (flow, error))
    return FALSE;

  self->flow = g_steal_pointer (&flow);
  return TRUE;
}

const char *
ember_account_setup_get_authorization_url (EmberAccountSetup *self)
{
  g_return_val_if_fail (EMBER_IS_ACCOUNT_SETUP (self), NULL);

  return self->flow != NULL ? ember_oauth_flow_get_authorization_url (self->flow) : NULL;
}

static gboolean
check_not_set_up (EmberAccountSetup  *self,
                  GCancellable       *cancellable,
                  GError            **error)
{
  g_autoptr(GPtrArray) accounts = NULL;

  accounts = ember_store_list_accounts_sync (self->store, cancellable, error);
  if (accounts == NULL)
    return FALSE;

  for (guint i = 0; i < accounts->len; i++)
    {
      const EmberAccountRecord *account = g_ptr_array_index (accounts, i);

      if (g_strcmp0 (account->provider, self->account->provider) == 0 &&
          g_ascii_strcasecmp (account->email, self->account->email) == 0)
        {
          g_set_error (error, EMBER_SYNC_ERROR, EMBER_SYNC_ERROR_FAILED,
                       _("%s is already set up in Ember"), self->account->email);
          return FALSE;
        }
    }

  return TRUE;
}

/* Asks the provider who signed in (Gmail users/me/profile, Graph /me):
 * the browser may have been used with another account than the one typed,
 * and an account must be the mailbox it syncs. */
static char *
fetch_identity (EmberAccountSetup  *self,
                const char         *access_token,
                char              **out_display_name,
                GCancellable       *cancellable,
                GError            **error)
{
  g_autoptr(EmberApiEndpoint) endpoint = NULL;
  g_autoptr(EmberHttpRequest) request = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *authorization = NULL;
  gboolean gmail = g_strcmp0 (self->account->provider, "gmail") == 0;
  JsonObject *object;
  const char *address = NULL;

  endpoint = ember_account_new_endpoint (self->account, gmail ? EMBER_API_KIND_GMAIL : EMBER_API_KIND_GRAPH,
                                         ember_http_client_get_clock (self->client), NULL);
  if (gmail)
    {
      request = ember_http_request_new ("GET", "/gmail/v1/users/me/profile");
      ember_http_request_set_operation (request, "getProfile");
    }
  else
    {
      request = ember_http_request_new ("GET", "/me");
      ember_http_request_add_query (request, "$select", "mail,userPrincipalName,displayName");
    }
  authorization = g_strconcat ("Bearer ", access_token, NULL);
  ember_http_request_add_header (request, "Authorization", authorization);

  reply = ember_http_client_send_json_sync (self->client, endpoint, request, cancellable, error);
  if (reply == NULL)
    {
      g_prefix_error (error, _("Could not ask %s which account signed in: "),
                      ember_api_endpoint_get_display_name (endpoint));
      return NULL;
    }

  object = JSON_NODE_HOLDS_OBJECT (reply) ? json_node_get_object (reply) : NULL;
  if (object != NULL && gmail)
    address = json_object_get_string_member_with_default (object, "emailAddress", NULL);
  else if (object != NULL)
    {
      /* "mail" is null for some accounts; the sign-in name then is it. */
      address = json_object_get_string_member_with_default (object, "mail", NULL);
      if (address == NULL || *address == '\0')
        address = json_object_get_string_member_with_default (object, "userPrincipalName", NULL);
      if (out_display_name != NULL)
        *out_display_name = g_strdup (json_object_get_string_member_with_default (object, "displayName", NULL));
    }

  if (address == NULL || strchr (address, '@') == NULL)
    {
      g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                   _("%s did not say which account signed in"),
                   ember_api_endpoint_get_display_name (endpoint));
      return NULL;
    }

  return g_strdup (address);
}

/* The account that signed in, checked against the one asked for. */
static gboolean
confirm_identity (EmberAccountSetup       *self,
                  const EmberOAuthTokens  *tokens,
                  GCancellable            *cancellable,
                  GError                 **error)
{
  g_autofree char *address = NULL;
  g_autofree char *display_name = NULL;

  address = fetch_identity (self, tokens->access_token, &display_name, cancellable, error);
  if (address == NULL)
    return FALSE;

  if (self->existing && g_ascii_strcasecmp (address, self->account->email) != 0)
    {
      g_set_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_FAILED,
                   _("You signed in as %s, but this account is %s. Sign in as %s."),
                   address, self->account->email, self->account->email);
      return FALSE;
    }

  if (!self->existing)
    {
      gboolean other = g_ascii_strcasecmp (address, self->account->email) != 0;

      /* The provider's spelling of the address, and its name for the person. */
      g_free (self->account->email);
      self->account->email = g_steal_pointer (&address);
      if (self->account->display_name == NULL && display_name != NULL && *display_name != '\0')
        self->account->display_name = g_steal_pointer (&display_name);

      /* Another account than the one typed may already be set up. */
      if (other && !check_not_set_up (self, cancellable, error))
        return FALSE;
    }

  return TRUE;
}

/* A stored account signed in again: new tokens, same everything else. */
static gboolean
save_new_tokens (EmberAccountSetup       *self,
                 const EmberOAuthTokens  *tokens,
                 GError                 **error)
{
  /* Not cancellable: half-saved secrets help nobody. */
  if (!ember_oauth_tokens_save_sync (tokens, self->token_store, self->account->id, NULL, error))
    return FALSE;

  return self->client_secret == NULL ||
         ember_token_store_store_sync (self->token_store, self->account->id,
                                       EMBER_TOKEN_KIND_CLIENT_SECRET, self->client_secret, 0,
                                       NULL, error);
}

static void
cancel_setup_cb (GCancellable *cancellable,
                 gpointer      data)
{
  ember_account_setup_cancel (EMBER_ACCOUNT_SETUP (data));
}

gint64
ember_account_setup_run_sync (EmberAccountSetup  *self,
                              GCancellable       *cancellable,
                              GError            **error)
{
  g_autoptr(EmberOAuthTokens) tokens = NULL;
  g_autoptr(GError) local_error = NULL;
  gulong cancel_id = 0;
  gint64 account_id = 0;

  g_return_val_if_fail (EMBER_IS_ACCOUNT_SETUP (self), 0);
  g_return_val_if_fail (self->flow != NULL, 0);
  g_return_val_if_fail (!self->ran, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  self->ran = TRUE;

  /* Both the caller's cancellable and cancel() stop the wait. The handler
   * may run right here when @cancellable is already cancelled. */
  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancel_setup_cb), self, NULL);

  /* Refuse a duplicate before the person spends time in the browser (the
   * store would refuse it at the end anyway). */
  if (self->existing || check_not_set_up (self, self->cancellable, &local_error))
    tokens = ember_oauth_flow_finish_sync (self->flow, self->cancellable, &local_error);

  if (tokens != NULL && !confirm_identity (self, tokens, self->cancellable, &local_error))
    g_clear_pointer (&tokens, ember_oauth_tokens_free);

  if (tokens != NULL && self->existing)
    {
      if (save_new_tokens (self, tokens, &local_error))
        account_id = self->account->id;
    }
  else if (tokens != NULL)
    {
      account_id = ember_account_add_sync (self->store, self->token_store, self->account, tokens,
                                           self->client_secret, NULL, &local_error);
      self->account->id = account_id;
    }

  if (cancel_id != 0)
    g_cancellable_disconnect (cancellable, cancel_id);

  if (account_id == 0)
    {
      g_assert (local_error != NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return 0;
    }

  g_debug ("Signed in account %" G_GINT64_FORMAT " (%s)", account_id, self->account->provider);
  return account_id;
}

static gpointer
run_thread (gpointer data)
{
  g_autoptr(GTask) task = data;
  EmberAccountSetup *self = g_task_get_source_object (task);
  GError *error = NULL;
  gint64 account_id;

  account_id = ember_account_setup_run_sync (self, g_task_get_cancellable (task), &error);
  if (account_id == 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, account_id);

  return NULL;
}

void
ember_account_setup_run_async (EmberAccountSetup   *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  GThread *thread;

  g_return_if_fail (EMBER_IS_ACCOUNT_SETUP (self));
  g_return_if_fail (self->flow != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ember_account_setup_run_async);
  g_task_set_name (task, "[ember] account sign-in");
  /* Cancellation is handled inside run_sync (it must stop the flow). */
  g_task_set_check_cancellable (task, FALSE);

  thread = g_thread_try_new ("ember-sign-in", run_thread, g_object_ref (task), &error);
  if (thread == NULL)
    {
      g_object_unref (task);  /* the thread's reference */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_thread_unref (thread);
}

gint64
ember_account_setup_run_finish (EmberAccountSetup  *self,
                                GAsyncResult       *result,
                                GError            **error)
{
  gint64 account_id;

  g_return_val_if_fail (EMBER_IS_ACCOUNT_SETUP (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  account_id = g_task_propagate_int (G_TASK (result), error);
  /* g_task_propagate_int() gives -1 on error. */
  return account_id > 0 ? account_id : 0;
}

void
ember_account_setup_cancel (EmberAccountSetup *self)
{
  g_return_if_fail (EMBER_IS_ACCOUNT_SETUP (self));

  g_cancellable_cancel (self->cancellable);
  if (self->flow != NULL)
    ember_oauth_flow_cancel (self->flow);
}

typedef struct
{
  EmberStore      *store;
  EmberTokenStore *token_store;
  gint64           account_id;
} RemoveData;

static void
remove_data_free (gpointer data)
{
  RemoveData *remove = data;

  g_clear_object (&remove->store);
  g_clear_object (&remove->token_store);
  g_free (remove);
}

static void
remove_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RemoveData *remove = task_data;
  GError *error = NULL;

  if (ember_account_remove_sync (remove->store, remove->token_store, remove->account_id,
                                 cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ember_account_remove_async (EmberStore          *store,
                            EmberTokenStore     *token_store,
                            gint64               account_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RemoveData *remove;

  g_return_if_fail (EMBER_IS_STORE (store));
  g_return_if_fail (EMBER_IS_TOKEN_STORE (token_store));
  g_return_if_fail (account_id > 0);

  remove = g_new0 (RemoveData, 1);
  remove->store = g_object_ref (store);
  remove->token_store = g_object_ref (token_store);
  remove->account_id = account_id;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ember_account_remove_async);
  g_task_set_name (task, "[ember] remove account");
  g_task_set_task_data (task, remove, remove_data_free);
  g_task_run_in_thread (task, remove_thread);
}

gboolean
ember_account_remove_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ember_account_remove_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
