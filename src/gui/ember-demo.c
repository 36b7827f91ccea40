/* ember-demo.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "ember-application-private.h"
#include "ember-demo.h"
#include "ember-memory-token-store.h"
#include "ember-sign-in-dialog.h"

#define DEFAULT_MESSAGES   1000
#define DEFAULT_EVENTS     150
#define DEFAULT_LATENCY_MS 40

/* The fake server accepts any client; Google's token endpoint wants a
 * secret, as desktop clients have one. */
#define DEMO_CLIENT_ID     "ember-demo"
#define DEMO_CLIENT_SECRET "ember-demo-secret"

struct _EmberDemo
{
  GObject           parent_instance;

  EmberApplication *app;          /* not owned: the app owns the demo */
  EmberFakeServer  *server;
  char             *data_dir;
  GCancellable     *cancellable;
  gboolean          signing_in;
  guint             n_signed_in;
  guint             n_pending;     /* sign-ins still running */
  guint             sigint_source;
  guint             sigterm_source;
};

G_DEFINE_FINAL_TYPE (EmberDemo, ember_demo, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_N_SIGNED_IN,
  PROP_PENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GQuark
demo_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("ember-demo");

  return quark;
}

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *value = g_getenv (name);
  guint64 parsed;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &parsed, NULL))
    return fallback;

  return (guint) parsed;
}

/* Only Ember's own files are in there (ember.db and its -wal and -shm). */
static void
delete_data_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);

      if (g_unlink (file) != 0)
        g_warning ("Could not delete the demo file %s: %s", file, g_strerror (errno));
    }

  if (g_rmdir (path) != 0)
    g_warning ("Could not delete the demo folder %s: %s", path, g_strerror (errno));
}

typedef struct
{
  GTask       *task;
  SoupSession *session;
} FollowData;

static void
follow_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  FollowData *data = user_data;
  g_autoptr(GTask) task = data->task;
  g_autoptr(SoupSession) session = data->session;
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;
  SoupMessage *message;

  g_free (data);

  body = soup_session_send_and_read_finish (session, result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* The listener answers the last hop: 200 when it took the code. */
  message = soup_session_get_async_result_message (session, result);
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (message)))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "The sign-in page answered %u %s",
                               soup_message_get_status (message),
                               soup_message_get_reason_phrase (message));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
ember_demo_follow_uri (GtkWindow           *parent,
                       const char          *uri,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             callback_data,
                       gpointer             user_data)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  FollowData *data;
  GTask *task;

  task = g_task_new (NULL, cancellable, callback, callback_data);
  g_task_set_source_tag (task, ember_demo_follow_uri);

  /* This "browser" only ever talks to the fake server on this machine. */
  if (!g_str_has_prefix (uri, "http://127.0.0.1:") && !g_str_has_prefix (uri, "http://localhost:"))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "The demo only opens sign-in pages of its own server");
      g_object_unref (task);
      return;
    }

  message = soup_message_new (SOUP_METHOD_GET, uri);
  if (message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "Not a URL the demo can open");
      g_object_unref (task);
      return;
    }

  data = g_new0 (FollowData, 1);
  data->task = task;
  data->session = soup_session_new_with_options ("timeout", 30, "max-conns", 2, NULL);
  soup_session_send_and_read_async (data->session, message, G_PRIORITY_DEFAULT, cancellable,
                                    follow_done_cb, data);
}

/* One demo sign-in in flight. It does not keep the demo (and so the app's
 * data folder) alive: the app may quit first. */
typedef struct
{
  GWeakRef           demo;
  EmberAccountSetup *setup;
} SignIn;

static SignIn *
sign_in_new (EmberDemo         *demo,
             EmberAccountSetup *setup)
{
  SignIn *sign_in = g_new0 (SignIn, 1);

  g_weak_ref_init (&sign_in->demo, demo);
  sign_in->setup = g_object_ref (setup);
  return sign_in;
}

static void
sign_in_free (SignIn *sign_in)
{
  g_weak_ref_clear (&sign_in->demo);
  g_clear_object (&sign_in->setup);
  g_free (sign_in);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SignIn, sign_in_free)

static void
report (EmberDemo    *self,
        const char   *email,
        const GError *error)
{
  g_autoptr(EmberUserError) user_error = ember_user_error_new_from_error (error);

  g_warning ("The demo could not sign in %s: %s", email,
             user_error->details != NULL ? user_error->details : user_error->message);
  ember_application_report_error (self->app, user_error, 0);
}

static void
sign_in_ended (EmberDemo *self)
{
  g_return_if_fail (self->n_pending > 0);

  if (--self->n_pending == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
}

static void
setup_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(SignIn) sign_in = user_data;
  g_autoptr(EmberDemo) self = g_weak_ref_get (&sign_in->demo);
  g_autoptr(GError) error = NULL;
  EmberSyncManager *manager;
  gint64 account_id;

  account_id = ember_account_setup_run_finish (sign_in->setup, result, &error);
  if (self == NULL)
    return;

  if (account_id == 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        report (self, ember_account_setup_get_email (sign_in->setup), error);
      sign_in_ended (self);
      return;
    }

  g_debug ("Demo account %s signed in as account %" G_GINT64_FORMAT,
           ember_account_setup_get_email (sign_in->setup), account_id);
  manager = ember_application_get_sync_manager (self->app);
  if (manager != NULL)
    ember_sync_manager_add_account (manager, account_id);

  self->n_signed_in++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SIGNED_IN]);
  sign_in_ended (self);
}

static void
browser_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(SignIn) sign_in = user_data;
  g_autoptr(EmberDemo) self = g_weak_ref_get (&sign_in->demo);
  g_autoptr(GError) error = NULL;

  /* Without the browser's visit the wait cannot end: stop it (its error
   * then says cancelled, so say why here). */
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (self != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        report (self, ember_account_setup_get_email (sign_in->setup), error);
      ember_account_setup_cancel (sign_in->setup);
    }
}

static void
sign_in_account (EmberDemo  *self,
                 const char *provider,
                 const char *email)
{
  g_autoptr(EmberAccountSetup) setup = NULL;
  g_autoptr(GError) error = NULL;
  setup = ember_sign_in_dialog_new_setup (self->app, provider, email);
  if (!ember_account_setup_start (setup, &error))
    {
      report (self, email, error);
      return;
    }

  self->n_pending++;
  ember_demo_follow_uri (NULL, ember_account_setup_get_authorization_url (setup), self->cancellable,
                         browser_done_cb, sign_in_new (self, setup), NULL);
  ember_account_setup_run_async (setup, self->cancellable, setup_done_cb, sign_in_new (self, setup));
}

/* Ctrl+C in the terminal, or a kill: quit properly, so that the throw-away
 * data folder is deleted as on any other quit. */
static gboolean
quit_on_signal_cb (gpointer data)
{
  EmberDemo *self = data;

  g_message ("Demo mode: quitting on a signal");
  g_action_group_activate_action (G_ACTION_GROUP (self->app), "quit", NULL);
  return G_SOURCE_CONTINUE;
}

/* Sign-ins still waiting end with the app. */
static void
app_shutdown_cb (EmberDemo *self)
{
  g_cancellable_cancel (self->cancellable);
}

/* Once the store is open and the sync manager exists. */
static void
services_changed_cb (EmberDemo *self)
{
  if (self->signing_in ||
      ember_application_get_store (self->app) == NULL ||
      ember_application_get_sync_manager (self->app) == NULL)
    return;

  self->signing_in = TRUE;
  sign_in_account (self, "gmail", EMBER_DEMO_GOOGLE_ACCOUNT);
  sign_in_account (self, "microsoft", EMBER_DEMO_MICROSOFT_ACCOUNT);
  if (self->n_pending == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
}

EmberDemo *
ember_demo_enable (EmberApplication  *app,
                   GError           **error)
{
  g_autoptr(EmberDemo) self = NULL;
  g_autoptr(EmberTokenStore) token_store = NULL;
  g_autofree char *google_auth = NULL;
  g_autofree char *microsoft_auth = NULL;
  g_autofree char *graph_api = NULL;
  EmberFakeServerOptions options;
  const char *base;

  g_return_val_if_fail (EMBER_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (ember_demo_get (app) == NULL, NULL);
  g_return_val_if_fail (!g_application_get_is_registered (G_APPLICATION (app)), NULL);

  self = g_object_new (EMBER_TYPE_DEMO, NULL);
  self->app = app;

  ember_fake_server_options_init (&options);
  options.n_messages = env_uint ("EMBER_DEMO_MESSAGES", DEFAULT_MESSAGES);
  options.n_events = env_uint ("EMBER_DEMO_EVENTS", DEFAULT_EVENTS);
  options.latency_ms = env_uint ("EMBER_DEMO_LATENCY_MS", DEFAULT_LATENCY_MS);
  self->server = ember_fake_server_new (&options);
  if (!ember_fake_server_start (self->server, error))
    {
      g_prefix_error (error, "Could not start the demo server: ");
      return NULL;
    }

  self->data_dir = g_dir_make_tmp ("ember-demo-XXXXXX", error);
  if (self->data_dir == NULL)
    {
      g_prefix_error (error, "Could not make the demo’s data folder: ");
      return NULL;
    }

  base = ember_fake_server_get_base_uri (self->server);
  google_auth = g_strconcat (base, "/google", NULL);
  microsoft_auth = g_strconcat (base, "/microsoft", NULL);
  graph_api = g_strconcat (base, "/v1.0", NULL);

  /* Never the person's data, keyring or running Ember. */
  _ember_application_set_data_dir (app, self->data_dir);
  token_store = ember_memory_token_store_new ();
  _ember_application_set_token_store (app, token_store);
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);

  ember_sign_in_dialog_set_endpoints (app, "gmail", base, google_auth, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
  ember_sign_in_dialog_set_endpoints (app, "microsoft", graph_api, microsoft_auth, DEMO_CLIENT_ID, NULL);
  ember_sign_in_dialog_set_uri_launcher (app, ember_demo_follow_uri, NULL, NULL);

  self->sigint_source = g_unix_signal_add (SIGINT, quit_on_signal_cb, self);
  self->sigterm_source = g_unix_signal_add (SIGTERM, quit_on_signal_cb, self);

  g_signal_connect_object (app, "shutdown", G_CALLBACK (app_shutdown_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (app, "notify::store", G_CALLBACK (services_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (app, "notify::sync-manager", G_CALLBACK (services_changed_cb), self, G_CONNECT_SWAPPED);

  g_message ("Demo mode: fake accounts %s and %s at %s, data in %s (deleted on quit)",
             EMBER_DEMO_GOOGLE_ACCOUNT, EMBER_DEMO_MICROSOFT_ACCOUNT, base, self->data_dir);

  g_object_set_qdata_full (G_OBJECT (app), demo_quark (), g_object_ref (self), g_object_unref);
  return self;
}

EmberDemo *
ember_demo_get (EmberApplication *app)
{
  g_return_val_if_fail (EMBER_IS_APPLICATION (app), NULL);

  return g_object_get_qdata (G_OBJECT (app), demo_quark ());
}

EmberFakeServer *
ember_demo_get_server (EmberDemo *self)
{
  g_return_val_if_fail (EMBER_IS_DEMO (self), NULL);

  return self->server;
}

const char *
ember_demo_get_data_dir (EmberDemo *self)
{
  g_return_val_if_fail (EMBER_IS_DEMO (self), NULL);

  return self->data_dir;
}

guint
ember_demo_get_n_signed_in (EmberDemo *self)
{
  g_return_val_if_fail (EMBER_IS_DEMO (self), 0);

  return self->n_signed_in;
}

gboolean
ember_demo_get_pending (EmberDemo *self)
{
  g_return_val_if_fail (EMBER_IS_DEMO (self), FALSE);

  /* Also before the first sign-in started: the store opens first. */
  return self->n_pending > 0 || !self->signing_in;
}

static void
ember_demo_dispose (GObject *object)
{
  EmberDemo *self = EMBER_DEMO (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->sigint_source, g_source_remove);
  g_clear_handle_id (&self->sigterm_source, g_source_remove);

  G_OBJECT_CLASS (ember_demo_parent_class)->dispose (object);
}

/* The app holds the last reference, so this runs after it closed its
 * store and stopped its sync jobs. */
static void
ember_demo_finalize (GObject *object)
{
  EmberDemo *self = EMBER_DEMO (object);

  if (self->server != NULL)
    ember_fake_server_stop (self->server);
  g_clear_object (&self->server);
  if (self->data_dir != NULL)
    delete_data_dir (self->data_dir);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ember_demo_parent_class)->finalize (object);
}

static void
ember_demo_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  EmberDemo *self = EMBER_DEMO (object);

  switch (prop_id)
    {
    case PROP_N_SIGNED_IN:
      g_value_set_uint (value, self->n_signed_in);
      break;

    case PROP_PENDING:
      g_value_set_boolean (value, ember_demo_get_pending (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_demo_class_init (EmberDemoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ember_demo_dispose;
  object_class->finalize = ember_demo_finalize;
  object_class->get_property = ember_demo_get_property;

  properties[PROP_N_SIGNED_IN] =
    g_param_spec_uint ("n-signed-in", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PENDING] =
    g_param_spec_boolean ("pending", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ember_demo_init (EmberDemo *self)
{
  self->cancellable = g_cancellable_new ();
}
