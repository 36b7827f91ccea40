/* ember-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "ember-application-private.h"
#include "ember-demo.h"
#include "ember-preferences-window.h"
#include "ember-screenshot.h"
#include "ember-secret-token-store.h"
#include "ember-window.h"
#include "tray/ember-integration.h"

struct _EmberApplication
{
  AdwApplication    parent_instance;

  GSettings        *settings;
  EmberIntegration *integration;
  EmberHttpClient  *http_client;
  EmberTokenStore  *token_store;
  EmberStore       *store;
  EmberSyncManager *sync_manager;
  GCancellable     *cancellable;
  char             *data_dir;
};

G_DEFINE_FINAL_TYPE (EmberApplication, ember_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SYNC_MANAGER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

EmberApplication *
ember_application_new (const char        *application_id,
                       GApplicationFlags  flags)
{
  g_return_val_if_fail (application_id != NULL, NULL);

  return g_object_new (EMBER_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags,
                       "resource-base-path", APP_PATH,
                       NULL);
}

GSettings *
ember_application_get_settings (EmberApplication *self)
{
  g_return_val_if_fail (EMBER_IS_APPLICATION (self), NULL);

  return self->settings;
}

EmberStore *
ember_application_get_store (EmberApplication *self)
{
  g_return_val_if_fail (EMBER_IS_APPLICATION (self), NULL);

  return self->store;
}

EmberSyncManager *
ember_application_get_sync_manager (EmberApplication *self)
{
  g_return_val_if_fail (EMBER_IS_APPLICATION (self), NULL);

  return self->sync_manager;
}

EmberHttpClient *
ember_application_get_http_client (EmberApplication *self)
{
  g_return_val_if_fail (EMBER_IS_APPLICATION (self), NULL);

  return self->http_client;
}

EmberTokenStore *
ember_application_get_token_store (EmberApplication *self)
{
  g_return_val_if_fail (EMBER_IS_APPLICATION (self), NULL);

  return self->token_store;
}

static EmberWindow *
get_main_window (EmberApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (EMBER_IS_WINDOW (l->data))
        return l->data;
    }

  return NULL;
}

void
ember_application_show_preferences (EmberApplication *self)
{
  GtkWindow *parent;
  GtkWindow *preferences;

  g_return_if_fail (EMBER_IS_APPLICATION (self));

  /* One Preferences window: pressing Ctrl+, again raises it. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (EMBER_IS_PREFERENCES_WINDOW (l->data))
        {
          gtk_window_present (l->data);
          return;
        }
    }

  parent = GTK_WINDOW (get_main_window (self));
  preferences = GTK_WINDOW (ember_preferences_window_new (self->settings));
  gtk_window_set_transient_for (preferences, parent);
  gtk_window_set_application (preferences, GTK_APPLICATION (self));
  gtk_window_present (preferences);
}

void
ember_application_show_about (EmberApplication *self)
{
  static const char *developers[] = { "The Ember developers", NULL };
  GtkWindow *about;

  g_return_if_fail (EMBER_IS_APPLICATION (self));

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", get_main_window (self),
                        "application", self,
                        "application-name", _("Ember"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Ember developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Your Gmail, Google Calendar and Microsoft 365 mail and calendar, "
                                      "kept on your computer: searchable and readable offline."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2026 The Ember developers",
                        "developers", developers,
                        /* Translators: put your names here, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (about);
}

void
ember_application_report_error (EmberApplication     *self,
                                 const EmberUserError *error,
                                 gint64                account_id)
{
  EmberWindow *window;

  g_return_if_fail (EMBER_IS_APPLICATION (self));
  g_return_if_fail (error != NULL);

  window = get_main_window (self);
  if (window != NULL)
    ember_window_show_error (window, error, account_id);
  else
    g_message ("%s", error->message);
}

/* Ember keeps this file in its data folder while it runs. Found at start,
 * it means the last run ended abruptly, and only then is the whole database
 * checked (PRAGMA quick_check reads all of it: about half a second per
 * 100,000 messages, before any mail could show). SQLite still reports
 * damage it meets while reading. */
#define RUNNING_MARKER "ember.running"

static void
open_store_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  const char *data_dir = task_data;
  g_autofree char *default_dir = data_dir == NULL ? ember_store_get_default_data_dir () : NULL;
  g_autofree char *marker = g_build_filename (data_dir != NULL ? data_dir : default_dir, RUNNING_MARKER, NULL);
  gboolean unclean = g_file_test (marker, G_FILE_TEST_EXISTS);
  g_autoptr(GError) marker_error = NULL;
  GError *error = NULL;
  EmberStore *store;

  store = g_initable_new (EMBER_TYPE_STORE, cancellable, &error,
                          "data-dir", data_dir,
                          "check-integrity", unclean,
                          NULL);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (!g_file_set_contents (marker, "", 0, &marker_error))
    g_warning ("Could not mark Ember's data as in use: %s", marker_error->message);
  g_task_return_pointer (task, store, g_object_unref);
}

static char *
running_marker_path (EmberApplication *self)
{
  g_autofree char *default_dir = self->data_dir == NULL ? ember_store_get_default_data_dir () : NULL;

  return g_build_filename (self->data_dir != NULL ? self->data_dir : default_dir, RUNNING_MARKER, NULL);
}

static void
store_opened_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EmberApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberStore) store = NULL;

  store = g_task_propagate_pointer (G_TASK (result), &error);
  if (store == NULL)
    {
      g_autoptr(EmberUserError) user_error = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      user_error = ember_user_error_new_from_error (error);
      g_warning ("Could not open Ember's data: %s", user_error->message);
      ember_application_report_error (self, user_error, 0);
      return;
    }

  self->store = g_steal_pointer (&store);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);

  _ember_application_start_sync (self);
}

static void
ember_application_activate (GApplication *app)
{
  EmberApplication *self = EMBER_APPLICATION (app);
  EmberWindow *window = get_main_window (self);

  if (window == NULL)
    window = ember_window_new (self);

  gtk_window_present (GTK_WINDOW (window));
}

static void
ember_application_startup (GApplication *app)
{
  EmberApplication *self = EMBER_APPLICATION (app);

  G_APPLICATION_CLASS (ember_application_parent_class)->startup (app);

  self->settings = g_settings_new (APP_ID);
  self->cancellable = g_cancellable_new ();
  self->http_client = ember_http_client_new (ember_clock_get_default ());
  if (self->token_store == NULL)
    self->token_store = ember_secret_token_store_new ();
  _ember_application_install_actions (self);

  /* Opening (and maybe migrating) the database is disk work: off the main
   * thread. The window shows its empty state meanwhile. */
  {
    g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, store_opened_cb, g_object_ref (self));

    g_task_set_source_tag (task, open_store_thread);
    g_task_set_task_data (task, g_strdup (self->data_dir), g_free);
    g_task_run_in_thread (task, open_store_thread);
  }
}

static void
shutdown_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  if (!ember_sync_manager_shutdown_finish (EMBER_SYNC_MANAGER (object), result, &error))
    g_warning ("Sync jobs did not stop cleanly: %s", error->message);
  *done = TRUE;
}

static void
ember_application_shutdown (GApplication *app)
{
  EmberApplication *self = EMBER_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);

  /* Jobs stop at the next cancellation point (well under a second) and
   * every committed page stays committed; wait for them so nothing is cut
   * off in the middle of a transaction. */
  if (self->sync_manager != NULL)
    {
      gboolean done = FALSE;

      ember_sync_manager_shutdown_async (self->sync_manager, shutdown_done_cb, &done);
      while (!done)
        g_main_context_iteration (NULL, TRUE);
    }

  /* Every job has stopped: this run ends cleanly. */
  if (self->store != NULL)
    {
      g_autofree char *marker = running_marker_path (self);

      g_unlink (marker);
    }

  G_APPLICATION_CLASS (ember_application_parent_class)->shutdown (app);
}

void
_ember_application_set_sync_manager (EmberApplication *self,
                                     EmberSyncManager *manager)
{
  if (g_set_object (&self->sync_manager, manager))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_MANAGER]);
}

void
_ember_application_set_data_dir (EmberApplication *self,
                                 const char       *data_dir)
{
  g_free (self->data_dir);
  self->data_dir = g_strdup (data_dir);
}

void
_ember_application_set_token_store (EmberApplication *self,
                                    EmberTokenStore  *token_store)
{
  g_return_if_fail (self->http_client == NULL);  /* before startup */

  g_set_object (&self->token_store, token_store);
}

static const GOptionEntry main_options[] = {
  { "demo", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Try Ember with sample accounts on a built-in server (your own data and keyring are not touched)"),
    NULL },
  /* build-aux/screenshots.sh (ember-screenshot.h); with --demo only. */
  { "screenshot-view", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, NULL, NULL, NULL },
  { "screenshot-file", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, NULL, NULL, NULL },
  { NULL }
};

static int
ember_application_handle_local_options (GApplication *app,
                                        GVariantDict *options)
{
  if (g_variant_dict_contains (options, "demo"))
    {
      g_autoptr(GError) error = NULL;

      if (ember_demo_enable (EMBER_APPLICATION (app), &error) == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
    }

  if (g_variant_dict_contains (options, "screenshot-view"))
    {
      g_autoptr(GError) error = NULL;
      const char *view = NULL;
      const char *path = NULL;

      g_variant_dict_lookup (options, "screenshot-view", "&s", &view);
      g_variant_dict_lookup (options, "screenshot-file", "^&ay", &path);
      if (!g_variant_dict_contains (options, "demo") || path == NULL)
        {
          g_printerr ("--screenshot-view needs --demo and --screenshot-file\n");
          return 1;
        }
      if (!ember_screenshot_enable (EMBER_APPLICATION (app), view, path, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
    }

  return -1;
}

static void
ember_application_dispose (GObject *object)
{
  EmberApplication *self = EMBER_APPLICATION (object);

  g_clear_object (&self->sync_manager);
  g_clear_object (&self->store);
  g_clear_object (&self->token_store);
  g_clear_object (&self->http_client);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->integration);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ember_application_parent_class)->dispose (object);
}

static void
ember_application_finalize (GObject *object)
{
  EmberApplication *self = EMBER_APPLICATION (object);

  g_free (self->data_dir);

  G_OBJECT_CLASS (ember_application_parent_class)->finalize (object);
}

static void
ember_application_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  EmberApplication *self = EMBER_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SYNC_MANAGER:
      g_value_set_object (value, self->sync_manager);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_application_class_init (EmberApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = ember_application_dispose;
  object_class->finalize = ember_application_finalize;
  object_class->get_property = ember_application_get_property;
  app_class->activate = ember_application_activate;
  app_class->startup = ember_application_startup;
  app_class->shutdown = ember_application_shutdown;
  app_class->handle_local_options = ember_application_handle_local_options;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         EMBER_TYPE_STORE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SYNC_MANAGER] =
    g_param_spec_object ("sync-manager", NULL, NULL,
                         EMBER_TYPE_SYNC_MANAGER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ember_application_init (EmberApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), main_options);
  /* The tray icon, running in the background (--background), notifications
   * and autostart: it follows the application's signals (issue #9). */
  self->integration = ember_integration_new (G_APPLICATION (self));
}
