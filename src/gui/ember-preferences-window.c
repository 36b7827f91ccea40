/* ember-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "ember-accounts-page.h"
#include "ember-preferences-window.h"

struct _EmberPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GSettings   *settings;

  EmberAccountsPage *accounts_page;

  AdwComboRow *sync_interval_row;
  GtkSwitch   *run_in_background_switch;
  GtkSwitch   *autostart_switch;
  GtkSwitch   *notify_new_mail_switch;
  GtkSwitch   *notify_events_switch;
  GtkSwitch   *notify_problems_switch;
};

G_DEFINE_FINAL_TYPE (EmberPreferencesWindow, ember_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The choices of the "Check for new mail" row, in minutes, in row order. */
static const guint sync_intervals[] = { 1, 5, 15, 30, 60 };

static gboolean
interval_to_row (GValue   *value,
                 GVariant *variant,
                 gpointer  user_data)
{
  guint minutes = g_variant_get_uint32 (variant);
  guint best = 0;

  /* A value set elsewhere (e.g. gsettings) shows as the nearest choice. */
  for (guint i = 0; i < G_N_ELEMENTS (sync_intervals); i++)
    {
      if (ABS ((int) sync_intervals[i] - (int) minutes) < ABS ((int) sync_intervals[best] - (int) minutes))
        best = i;
    }

  g_value_set_uint (value, best);
  return TRUE;
}

static GVariant *
row_to_interval (const GValue       *value,
                 const GVariantType *expected_type,
                 gpointer            user_data)
{
  guint row = g_value_get_uint (value);

  if (row >= G_N_ELEMENTS (sync_intervals))
    return NULL;

  return g_variant_new_uint32 (sync_intervals[row]);
}

EmberPreferencesWindow *
ember_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (EMBER_TYPE_PREFERENCES_WINDOW,
                       "settings", settings,
                       NULL);
}

static void
ember_preferences_window_constructed (GObject *object)
{
  EmberPreferencesWindow *self = EMBER_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (ember_preferences_window_parent_class)->constructed (object);

  g_settings_bind_with_mapping (self->settings, "sync-interval",
                                self->sync_interval_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                interval_to_row, row_to_interval, NULL, NULL);
  g_settings_bind (self->settings, "run-in-background",
                   self->run_in_background_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "autostart",
                   self->autostart_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notify-new-mail",
                   self->notify_new_mail_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notify-events",
                   self->notify_events_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notify-problems",
                   self->notify_problems_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
}

/* The accounts page needs the app's store and sync manager. */
static void
application_changed_cb (EmberPreferencesWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  ember_accounts_page_set_application (self->accounts_page,
                                       EMBER_IS_APPLICATION (app) ? EMBER_APPLICATION (app) : NULL);
}

GtkWidget *
ember_preferences_window_get_accounts_page (EmberPreferencesWindow *self)
{
  g_return_val_if_fail (EMBER_IS_PREFERENCES_WINDOW (self), NULL);

  return GTK_WIDGET (self->accounts_page);
}

void
ember_preferences_window_show_accounts (EmberPreferencesWindow *self)
{
  g_return_if_fail (EMBER_IS_PREFERENCES_WINDOW (self));

  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (self),
                                           ADW_PREFERENCES_PAGE (self->accounts_page));
}

void
ember_preferences_window_show_account (EmberPreferencesWindow *self,
                                       gint64                  account_id)
{
  g_return_if_fail (EMBER_IS_PREFERENCES_WINDOW (self));

  ember_preferences_window_show_accounts (self);
  ember_accounts_page_show_account (self->accounts_page, account_id);
}

static void
ember_preferences_window_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  EmberPreferencesWindow *self = EMBER_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_set_object (&self->settings, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_preferences_window_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  EmberPreferencesWindow *self = EMBER_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_preferences_window_dispose (GObject *object)
{
  EmberPreferencesWindow *self = EMBER_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), EMBER_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ember_preferences_window_parent_class)->dispose (object);
}

static void
ember_preferences_window_class_init (EmberPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ember_preferences_window_constructed;
  object_class->dispose = ember_preferences_window_dispose;
  object_class->get_property = ember_preferences_window_get_property;
  object_class->set_property = ember_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (EMBER_TYPE_ACCOUNTS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/ember-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EmberPreferencesWindow, accounts_page);
  gtk_widget_class_bind_template_child (widget_class, EmberPreferencesWindow, sync_interval_row);
  gtk_widget_class_bind_template_child (widget_class, EmberPreferencesWindow, run_in_background_switch);
  gtk_widget_class_bind_template_child (widget_class, EmberPreferencesWindow, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, EmberPreferencesWindow, notify_new_mail_switch);
  gtk_widget_class_bind_template_child (widget_class, EmberPreferencesWindow, notify_events_switch);
  gtk_widget_class_bind_template_child (widget_class, EmberPreferencesWindow, notify_problems_switch);
}

static void
ember_preferences_window_init (EmberPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "notify::application", G_CALLBACK (application_changed_cb), NULL);
}
