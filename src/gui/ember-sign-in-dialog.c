/* ember-sign-in-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "ember-sign-in-dialog.h"
#include "ember-spinner.h"

/* Sign-in settings of one application (qdata on it). */
typedef struct
{
  char *api_base;
  char *auth_base;
  char *client_id;
  char *client_secret;
} Endpoints;

typedef struct
{
  EmberUriLaunchFunc  launch;
  gpointer            launch_data;
  GDestroyNotify      launch_data_destroy;
  GHashTable         *endpoints;  /* provider -> Endpoints */
} SignInHooks;

struct _EmberSignInDialog
{
  AdwMessageDialog   parent_instance;

  EmberAccountSetup *setup;
  GTask             *task;          /* the running run_async */
  GError            *launch_error;  /* the browser could not be opened */
  gboolean           closed;        /* a response closed the window */

  EmberSpinner      *spinner;
};

G_DEFINE_FINAL_TYPE (EmberSignInDialog, ember_sign_in_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
endpoints_free (gpointer data)
{
  Endpoints *endpoints = data;

  g_free (endpoints->api_base);
  g_free (endpoints->auth_base);
  g_free (endpoints->client_id);
  g_free (endpoints->client_secret);
  g_free (endpoints);
}

static void
sign_in_hooks_free (gpointer data)
{
  SignInHooks *hooks = data;

  if (hooks->launch_data_destroy != NULL)
    hooks->launch_data_destroy (hooks->launch_data);
  g_clear_pointer (&hooks->endpoints, g_hash_table_unref);
  g_free (hooks);
}

static SignInHooks *
get_hooks (EmberApplication *app,
           gboolean          create)
{
  static GQuark quark;
  SignInHooks *hooks;

  if (quark == 0)
    quark = g_quark_from_static_string ("ember-sign-in-hooks");

  hooks = g_object_get_qdata (G_OBJECT (app), quark);
  if (hooks == NULL && create)
    {
      hooks = g_new0 (SignInHooks, 1);
      hooks->endpoints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, endpoints_free);
      g_object_set_qdata_full (G_OBJECT (app), quark, hooks, sign_in_hooks_free);
    }

  return hooks;
}

void
ember_sign_in_dialog_set_uri_launcher (EmberApplication   *app,
                                       EmberUriLaunchFunc  launch,
                                       gpointer            user_data,
                                       GDestroyNotify      user_data_destroy)
{
  SignInHooks *hooks;

  g_return_if_fail (EMBER_IS_APPLICATION (app));

  hooks = get_hooks (app, TRUE);
  if (hooks->launch_data_destroy != NULL)
    hooks->launch_data_destroy (hooks->launch_data);
  hooks->launch = launch;
  hooks->launch_data = user_data;
  hooks->launch_data_destroy = user_data_destroy;
}

void
ember_sign_in_dialog_set_endpoints (EmberApplication *app,
                                    const char       *provider,
                                    const char       *api_base,
                                    const char       *auth_base,
                                    const char       *client_id,
                                    const char       *client_secret)
{
  SignInHooks *hooks;
  Endpoints *endpoints;

  g_return_if_fail (EMBER_IS_APPLICATION (app));
  g_return_if_fail (provider != NULL);

  endpoints = g_new0 (Endpoints, 1);
  endpoints->api_base = g_strdup (api_base);
  endpoints->auth_base = g_strdup (auth_base);
  endpoints->client_id = g_strdup (client_id);
  endpoints->client_secret = g_strdup (client_secret);

  hooks = get_hooks (app, TRUE);
  g_hash_table_replace (hooks->endpoints, g_strdup (provider), endpoints);
}

EmberAccountSetup *
ember_sign_in_dialog_new_setup (EmberApplication *app,
                                const char       *provider,
                                const char       *email)
{
  EmberAccountSetup *setup;
  SignInHooks *hooks;
  const Endpoints *endpoints = NULL;

  g_return_val_if_fail (EMBER_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (ember_application_get_store (app) != NULL, NULL);

  setup = ember_account_setup_new (ember_application_get_http_client (app),
                                   ember_application_get_store (app),
                                   ember_application_get_token_store (app),
                                   provider, email);

  hooks = get_hooks (app, FALSE);
  if (hooks != NULL)
    endpoints = g_hash_table_lookup (hooks->endpoints, provider);
  if (endpoints != NULL)
    {
      ember_account_setup_set_api_base (setup, endpoints->api_base);
      ember_account_setup_set_auth_base (setup, endpoints->auth_base);
      ember_account_setup_set_client (setup, endpoints->client_id, endpoints->client_secret);
    }

  return setup;
}

EmberAccountSetup *
ember_sign_in_dialog_new_setup_for_account (EmberApplication         *app,
                                            const EmberAccountRecord *account)
{
  EmberAccountSetup *setup;
  SignInHooks *hooks;
  const Endpoints *endpoints = NULL;

  g_return_val_if_fail (EMBER_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (ember_application_get_store (app) != NULL, NULL);
  g_return_val_if_fail (account != NULL, NULL);

  setup = ember_account_setup_new_for_account (ember_application_get_http_client (app),
                                               ember_application_get_store (app),
                                               ember_application_get_token_store (app),
                                               account);

  /* The account keeps its own bases and client id; only the secret of a
   * client that has one is not stored with it. */
  hooks = get_hooks (app, FALSE);
  if (hooks != NULL)
    endpoints = g_hash_table_lookup (hooks->endpoints, account->provider);
  if (endpoints != NULL && g_strcmp0 (endpoints->client_id, account->client_id) == 0)
    ember_account_setup_set_client (setup, NULL, endpoints->client_secret);

  return setup;
}

static void
default_launch_done_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_app_info_launch_default_for_uri_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* The desktop's browser (through the OpenURI portal when sandboxed). */
static void
default_launch (GtkWindow           *parent,
                const char          *uri,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             callback_data,
                gpointer             user_data)
{
  g_autoptr(GdkAppLaunchContext) context = NULL;
  GTask *task;

  task = g_task_new (NULL, cancellable, callback, callback_data);
  g_task_set_source_tag (task, default_launch);
  context = gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (parent)));
  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), cancellable,
                                           default_launch_done_cb, task);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(EmberSignInDialog) self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  g_autoptr(GError) error = NULL;
  gint64 account_id;

  account_id = ember_account_setup_run_finish (EMBER_ACCOUNT_SETUP (object), result, &error);

  /* After a Cancel the window is already destroyed (and its template
   * children gone). */
  if (!self->closed)
    {
      self->closed = TRUE;
      gtk_window_destroy (GTK_WINDOW (self));
    }

  if (account_id > 0)
    g_task_return_int (task, account_id);
  else if (self->launch_error != NULL)
    g_task_return_error (task, g_steal_pointer (&self->launch_error));
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
launch_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EmberSignInDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    return;

  /* The wait cannot succeed without a browser: end it with this error. */
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_warning ("Could not open the sign-in page: %s", error->message);
      g_clear_error (&self->launch_error);
      self->launch_error = g_error_new (error->domain, error->code,
                                        _("Could not open a web browser to sign in: %s"),
                                        error->message);
    }
  ember_account_setup_cancel (self->setup);
}

void
ember_sign_in_dialog_run_async (EmberSignInDialog   *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  GtkWindow *parent;
  GApplication *app;
  SignInHooks *hooks = NULL;

  g_return_if_fail (EMBER_IS_SIGN_IN_DIALOG (self));
  g_return_if_fail (self->task == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ember_sign_in_dialog_run_async);

  if (ember_account_setup_get_authorization_url (self->setup) == NULL &&
      !ember_account_setup_start (self->setup, &error))
    {
      self->closed = TRUE;
      gtk_window_destroy (GTK_WINDOW (self));
      g_task_return_error (task, error);
      return;
    }

  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (self),
                                  _("Sign in as %s in the browser window that opened. "
                                    "Ember continues here once you are done."),
                                  ember_account_setup_get_email (self->setup));
  self->task = g_steal_pointer (&task);
  ember_spinner_set_spinning (self->spinner, TRUE);
  gtk_window_present (GTK_WINDOW (self));

  parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  app = g_application_get_default ();
  if (parent != NULL && gtk_window_get_application (parent) != NULL)
    app = G_APPLICATION (gtk_window_get_application (parent));
  if (EMBER_IS_APPLICATION (app))
    hooks = get_hooks (EMBER_APPLICATION (app), FALSE);

  if (hooks != NULL && hooks->launch != NULL)
    hooks->launch (GTK_WINDOW (self), ember_account_setup_get_authorization_url (self->setup),
                   cancellable, launch_done_cb, g_object_ref (self), hooks->launch_data);
  else
    default_launch (GTK_WINDOW (self), ember_account_setup_get_authorization_url (self->setup),
                    cancellable, launch_done_cb, g_object_ref (self), NULL);

  ember_account_setup_run_async (self->setup, cancellable, run_done_cb, g_object_ref (self));
}

gint64
ember_sign_in_dialog_run_finish (EmberSignInDialog  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  gint64 account_id;

  g_return_val_if_fail (EMBER_IS_SIGN_IN_DIALOG (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  account_id = g_task_propagate_int (G_TASK (result), error);
  /* g_task_propagate_int() gives -1 on error. */
  return account_id > 0 ? account_id : 0;
}

void
ember_sign_in_dialog_cancel (EmberSignInDialog *self)
{
  g_return_if_fail (EMBER_IS_SIGN_IN_DIALOG (self));

  ember_account_setup_cancel (self->setup);
}

static void
response_cb (EmberSignInDialog *self,
             const char        *response)
{
  /* The only response is Cancel (or Escape); the window closes itself. */
  self->closed = TRUE;
  ember_account_setup_cancel (self->setup);
}

static void
copy_link_cb (EmberSignInDialog *self)
{
  const char *url = ember_account_setup_get_authorization_url (self->setup);

  if (url != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), url);
}

EmberSignInDialog *
ember_sign_in_dialog_new (GtkWindow         *parent,
                          EmberAccountSetup *setup)
{
  EmberSignInDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (EMBER_IS_ACCOUNT_SETUP (setup), NULL);

  self = g_object_new (EMBER_TYPE_SIGN_IN_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->setup = g_object_ref (setup);

  return self;
}

static void
ember_sign_in_dialog_dispose (GObject *object)
{
  EmberSignInDialog *self = EMBER_SIGN_IN_DIALOG (object);

  /* A dialog going away (its parent closed) ends the wait too. */
  if (self->setup != NULL && self->task != NULL)
    ember_account_setup_cancel (self->setup);

  gtk_widget_dispose_template (GTK_WIDGET (self), EMBER_TYPE_SIGN_IN_DIALOG);

  G_OBJECT_CLASS (ember_sign_in_dialog_parent_class)->dispose (object);
}

static void
ember_sign_in_dialog_finalize (GObject *object)
{
  EmberSignInDialog *self = EMBER_SIGN_IN_DIALOG (object);

  g_assert (self->task == NULL);
  g_clear_object (&self->setup);
  g_clear_error (&self->launch_error);

  G_OBJECT_CLASS (ember_sign_in_dialog_parent_class)->finalize (object);
}

static void
ember_sign_in_dialog_class_init (EmberSignInDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ember_sign_in_dialog_dispose;
  object_class->finalize = ember_sign_in_dialog_finalize;

  g_type_ensure (EMBER_TYPE_SPINNER);
  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/ember-sign-in-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, EmberSignInDialog, spinner);
  gtk_widget_class_bind_template_callback (widget_class, response_cb);
  gtk_widget_class_bind_template_callback (widget_class, copy_link_cb);
}

static void
ember_sign_in_dialog_init (EmberSignInDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
