/* ember-integration.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here follows the GApplication's own signals, so the
 * application only makes this object and drops it; it needs no GTK.
 */
#define G_LOG_DOMAIN "ember-tray"

#include "config.h"

#include <glib/gi18n.h>

#include "ember-integration.h"

struct _EmberIntegration
{
  GObject           parent_instance;

  GApplication     *application;      /* weak: it owns us */
  GSettings        *settings;
  EmberAutostart   *autostart;

  gboolean          held;
  gboolean          background_start; /* --background: no window at the first activation */
  gboolean          stay_in_background;
  gboolean          shut_down;

  EmberStore       *store;
  EmberSyncManager *manager;
  EmberTray        *tray;
  EmberDbusService *service;
  EmberNotifier    *notifier;
};

G_DEFINE_FINAL_TYPE (EmberIntegration, ember_integration, G_TYPE_OBJECT)

enum {
  OPEN_MESSAGE,
  OPEN_EVENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const GOptionEntry background_options[] = {
  { "background", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Start without a window and keep mail and calendars in sync in the background"),
    NULL },
  { NULL }
};

static void
update_hold (EmberIntegration *self)
{
  gboolean want;

  if (self->application == NULL)
    return;

  want = !self->shut_down &&
         (self->stay_in_background ||
          (self->settings != NULL && g_settings_get_boolean (self->settings, "run-in-background")));
  if (want == self->held)
    return;

  self->held = want;
  /* Held, GApplication keeps running (and syncing) when its last window
   * closes; released without windows, it quits. */
  if (want)
    g_application_hold (self->application);
  else
    g_application_release (self->application);
  g_debug ("%s the application for running in the background", want ? "Holding" : "Releasing");
}

static void
stop_sync_services (EmberIntegration *self)
{
  if (self->tray != NULL)
    ember_tray_unexport (self->tray);
  if (self->service != NULL)
    ember_dbus_service_unexport (self->service);
  g_clear_object (&self->tray);
  g_clear_object (&self->service);
  g_clear_object (&self->notifier);
  g_clear_object (&self->manager);
  g_clear_object (&self->store);
}

static void
show_account_cb (EmberIntegration *self,
                 gint64            account_id)
{
  /* The accounts pane lives in Preferences. */
  if (self->application != NULL &&
      g_action_group_has_action (G_ACTION_GROUP (self->application), "preferences"))
    g_action_group_activate_action (G_ACTION_GROUP (self->application), "preferences", NULL);
}

static void
open_message_cb (EmberIntegration *self,
                 gint64            message_id)
{
  g_signal_emit (self, signals[OPEN_MESSAGE], 0, message_id);
}

static void
open_event_cb (EmberIntegration *self,
               gint64            event_id)
{
  g_signal_emit (self, signals[OPEN_EVENT], 0, event_id);
}

static void
start_sync_services (EmberIntegration *self)
{
  GDBusConnection *connection;
  g_autoptr(GError) error = NULL;

  g_assert (self->application != NULL);
  g_assert (self->store != NULL && self->manager != NULL);

  connection = g_application_get_dbus_connection (self->application);
  if (connection != NULL)
    {
      self->tray = ember_tray_new (self->application, self->manager, self->store, connection);
      if (!ember_tray_export (self->tray, &error))
        {
          g_warning ("%s", error->message);
          g_clear_object (&self->tray);
          g_clear_error (&error);
        }

      self->service = ember_dbus_service_new (self->manager, self->store);
      if (!ember_dbus_service_export (self->service, connection,
                                      g_application_get_dbus_object_path (self->application),
                                      &error))
        {
          g_warning ("%s", error->message);
          g_clear_object (&self->service);
        }
    }

  self->notifier = ember_notifier_new (self->application, self->manager, self->store, self->settings, NULL);
  g_signal_connect_object (self->notifier, "show-account", G_CALLBACK (show_account_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->notifier, "open-message", G_CALLBACK (open_message_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->notifier, "open-event", G_CALLBACK (open_event_cb), self, G_CONNECT_SWAPPED);
}

void
ember_integration_set_sync (EmberIntegration *self,
                            EmberStore       *store,
                            EmberSyncManager *manager)
{
  g_return_if_fail (EMBER_IS_INTEGRATION (self));
  g_return_if_fail (store == NULL || EMBER_IS_STORE (store));
  g_return_if_fail (manager == NULL || EMBER_IS_SYNC_MANAGER (manager));

  if (store == self->store && manager == self->manager)
    return;

  stop_sync_services (self);
  if (store == NULL || manager == NULL || self->shut_down || self->application == NULL)
    return;

  self->store = g_object_ref (store);
  self->manager = g_object_ref (manager);
  if (self->settings != NULL)
    start_sync_services (self);
}

static void
application_sync_changed_cb (EmberIntegration *self)
{
  g_autoptr(EmberStore) store = NULL;
  g_autoptr(EmberSyncManager) manager = NULL;

  g_object_get (self->application, "store", &store, "sync-manager", &manager, NULL);
  ember_integration_set_sync (self, store, manager);
}

static gint
handle_local_options_cb (GApplication     *application,
                         GVariantDict     *options,
                         EmberIntegration *self)
{
  g_autoptr(GError) error = NULL;

  if (!g_variant_dict_contains (options, "background"))
    return -1;

  if (!g_application_register (application, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  /* Ember already runs (and syncs): starting it again at login must not
   * open a window there. */
  if (g_application_get_is_remote (application))
    return 0;

  self->background_start = TRUE;
  self->stay_in_background = TRUE;
  update_hold (self);

  return -1;
}

static void
activate_cb (GApplication     *application,
             EmberIntegration *self)
{
  if (!self->background_start)
    return;

  /* The activation that g_application_run () sends itself at start: no
   * window this time. Later ones (a click on the icon) open it. */
  self->background_start = FALSE;
  g_signal_stop_emission_by_name (application, "activate");
}

static void
startup_cb (GApplication     *application,
            EmberIntegration *self)
{
  self->settings = g_settings_new (APP_ID);
  g_signal_connect_object (self->settings, "changed::run-in-background",
                           G_CALLBACK (update_hold), self, G_CONNECT_SWAPPED);
  self->autostart = ember_autostart_new (self->settings, NULL);
  update_hold (self);

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (application), "sync-manager") != NULL &&
      g_object_class_find_property (G_OBJECT_GET_CLASS (application), "store") != NULL)
    {
      g_signal_connect_object (application, "notify::sync-manager",
                               G_CALLBACK (application_sync_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (application, "notify::store",
                               G_CALLBACK (application_sync_changed_cb), self, G_CONNECT_SWAPPED);
      application_sync_changed_cb (self);
    }
  else if (self->store != NULL && self->manager != NULL && self->tray == NULL)
    {
      start_sync_services (self);
    }
}

static void
shutdown_cb (GApplication     *application,
             EmberIntegration *self)
{
  /* Before the application waits for its sync jobs: the icon and the
   * service disappear at once. */
  self->shut_down = TRUE;
  stop_sync_services (self);
  update_hold (self);
}

gboolean
ember_integration_get_held (EmberIntegration *self)
{
  g_return_val_if_fail (EMBER_IS_INTEGRATION (self), FALSE);

  return self->held;
}

EmberTray *
ember_integration_get_tray (EmberIntegration *self)
{
  g_return_val_if_fail (EMBER_IS_INTEGRATION (self), NULL);

  return self->tray;
}

EmberNotifier *
ember_integration_get_notifier (EmberIntegration *self)
{
  g_return_val_if_fail (EMBER_IS_INTEGRATION (self), NULL);

  return self->notifier;
}

EmberIntegration *
ember_integration_new (GApplication *application)
{
  EmberIntegration *self;

  g_return_val_if_fail (G_IS_APPLICATION (application), NULL);

  self = g_object_new (EMBER_TYPE_INTEGRATION, NULL);
  self->application = application;
  g_object_add_weak_pointer (G_OBJECT (application), (gpointer *) &self->application);

  g_application_add_main_option_entries (application, background_options);
  /* After the application's own handler, which may still need to act
   * before registration (e.g. --demo). */
  g_signal_connect_object (application, "handle-local-options",
                           G_CALLBACK (handle_local_options_cb), self, G_CONNECT_AFTER);
  g_signal_connect_object (application, "activate", G_CALLBACK (activate_cb), self, 0);
  g_signal_connect_object (application, "startup", G_CALLBACK (startup_cb), self, 0);
  g_signal_connect_object (application, "shutdown", G_CALLBACK (shutdown_cb), self, 0);

  return self;
}

static void
ember_integration_dispose (GObject *object)
{
  EmberIntegration *self = EMBER_INTEGRATION (object);

  stop_sync_services (self);
  if (self->application != NULL)
    {
      if (self->held)
        g_application_release (self->application);
      g_object_remove_weak_pointer (G_OBJECT (self->application), (gpointer *) &self->application);
      self->application = NULL;
    }
  self->held = FALSE;
  g_clear_object (&self->autostart);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ember_integration_parent_class)->dispose (object);
}

static void
ember_integration_class_init (EmberIntegrationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ember_integration_dispose;

  /**
   * EmberIntegration::open-message:
   * @message_id: the message's row id
   *
   * A new-mail notification was clicked; the application has been
   * activated (its window is open) and should show the message.
   */
  signals[OPEN_MESSAGE] =
    g_signal_new ("open-message",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
  /**
   * EmberIntegration::open-event:
   * @event_id: the event's row id
   *
   * An event reminder was clicked; the window is open and should show the
   * event in the agenda.
   */
  signals[OPEN_EVENT] =
    g_signal_new ("open-event",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
ember_integration_init (EmberIntegration *self)
{
}
