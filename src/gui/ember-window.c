/* ember-window.c: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "ember-window.h"

struct _EmberWindow
{
  AdwApplicationWindow parent_instance;

  GSettings      *settings;

  AdwToastOverlay *toast_overlay;
  GtkStack        *main_stack;
  AdwStatusPage   *empty_page;
};

G_DEFINE_FINAL_TYPE (EmberWindow, ember_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

EmberWindow *
ember_window_new (EmberApplication *application)
{
  g_return_val_if_fail (EMBER_IS_APPLICATION (application), NULL);

  return g_object_new (EMBER_TYPE_WINDOW,
                       "application", application,
                       "settings", ember_application_get_settings (application),
                       NULL);
}

static void
save_window_state (EmberWindow *self)
{
  gboolean maximized = gtk_window_is_maximized (GTK_WINDOW (self));

  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized", maximized);
  /* The unmaximized size is what the next start should restore. */
  if (!maximized)
    {
      int width, height;

      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      g_settings_set (self->settings, "window-size", "(ii)", width, height);
    }
  g_settings_apply (self->settings);
}

static gboolean
ember_window_close_request (GtkWindow *window)
{
  save_window_state (EMBER_WINDOW (window));

  return GTK_WINDOW_CLASS (ember_window_parent_class)->close_request (window);
}

static void
ember_window_constructed (GObject *object)
{
  EmberWindow *self = EMBER_WINDOW (object);
  int width, height;

  G_OBJECT_CLASS (ember_window_parent_class)->constructed (object);

  g_settings_get (self->settings, "window-size", "(ii)", &width, &height);
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
ember_window_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  EmberWindow *self = EMBER_WINDOW (object);

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
ember_window_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  EmberWindow *self = EMBER_WINDOW (object);

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
ember_window_dispose (GObject *object)
{
  EmberWindow *self = EMBER_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), EMBER_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ember_window_parent_class)->dispose (object);
}

static void
ember_window_class_init (EmberWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = ember_window_constructed;
  object_class->dispose = ember_window_dispose;
  object_class->get_property = ember_window_get_property;
  object_class->set_property = ember_window_set_property;
  window_class->close_request = ember_window_close_request;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/ember-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, empty_page);
}

static void
ember_window_init (EmberWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}
