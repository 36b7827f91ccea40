/* ember-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "ember-application-private.h"
#include "ember-preferences-window.h"
#include "ember-window.h"
#include "tray/ember-integration.h"

struct _EmberApplication
{
  AdwApplication parent_instance;

  GSettings *settings;
  EmberIntegration *integration;
};

G_DEFINE_FINAL_TYPE (EmberApplication, ember_application, ADW_TYPE_APPLICATION)

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
  _ember_application_install_actions (self);
}

static void
ember_application_dispose (GObject *object)
{
  EmberApplication *self = EMBER_APPLICATION (object);

  g_clear_object (&self->integration);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ember_application_parent_class)->dispose (object);
}

static void
ember_application_class_init (EmberApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = ember_application_dispose;
  app_class->activate = ember_application_activate;
  app_class->startup = ember_application_startup;
}

static void
ember_application_init (EmberApplication *self)
{
  /* The tray icon, running in the background (--background), notifications
   * and autostart: it follows the application's signals (issue #9). */
  self->integration = ember_integration_new (G_APPLICATION (self));
}
