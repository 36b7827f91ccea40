/* ember-spinner.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include "ember-spinner.h"

#define ICON_NAME    "process-working-symbolic"
#define DEFAULT_SIZE 16
#define STEPS        12
#define STEP_MS      (1000 / STEPS) /* one turn a second */

struct _EmberSpinner
{
  GtkWidget         parent_instance;

  gboolean          spinning;
  guint             step_source;
  GtkIconTheme     *icon_theme;
  GtkIconPaintable *icon;      /* looked up for icon_size and icon_scale */
  int               icon_size;
  int               icon_scale;
};

G_DEFINE_FINAL_TYPE (EmberSpinner, ember_spinner, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SPINNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
animations_enabled (EmberSpinner *self)
{
  gboolean enabled = TRUE;

  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)), "gtk-enable-animations", &enabled, NULL);

  return enabled;
}

static gboolean
step_cb (gpointer data)
{
  gtk_widget_queue_draw (GTK_WIDGET (data));

  return G_SOURCE_CONTINUE;
}

/* A timer while it can be seen turning: redraws only where it is drawn. */
static void
update_stepping (EmberSpinner *self)
{
  gboolean turning = self->spinning && gtk_widget_get_mapped (GTK_WIDGET (self)) && animations_enabled (self);

  if (turning && self->step_source == 0)
    self->step_source = g_timeout_add (STEP_MS, step_cb, self);
  else if (!turning)
    g_clear_handle_id (&self->step_source, g_source_remove);
}

static void
ember_spinner_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  *minimum = *natural = DEFAULT_SIZE;
}

/* The icon is an SVG: rendering it takes a few milliseconds, so it is
 * looked up (and rendered, in a thread) as soon as the spinner is in a
 * window, long before a sync starts it, and kept. */
static GtkIconPaintable *
get_icon (EmberSpinner *self,
          int           size)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int scale = gtk_widget_get_scale_factor (widget);

  if (self->icon_theme == NULL)
    return NULL;

  if (self->icon == NULL || self->icon_size != size || self->icon_scale != scale)
    {
      g_clear_object (&self->icon);
      self->icon = gtk_icon_theme_lookup_icon (self->icon_theme, ICON_NAME, NULL, size, scale,
                                               gtk_widget_get_direction (widget), GTK_ICON_LOOKUP_PRELOAD);
      self->icon_size = size;
      self->icon_scale = scale;
    }

  return self->icon;
}

static int
expected_size (EmberSpinner *self)
{
  int width, height;

  gtk_widget_get_size_request (GTK_WIDGET (self), &width, &height);

  return MAX (DEFAULT_SIZE, MIN (width, height));
}

static void
icon_theme_changed_cb (EmberSpinner *self)
{
  g_clear_object (&self->icon);
  get_icon (self, expected_size (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
ember_spinner_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  EmberSpinner *self = EMBER_SPINNER (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int size = MIN (width, height);
  guint step = 0;
  GtkIconPaintable *icon;
  GdkRGBA color;

  if (!self->spinning || size <= 0 || (icon = get_icon (self, size)) == NULL)
    return;

  if (self->step_source != 0)
    step = (g_get_monotonic_time () / (STEP_MS * 1000)) % STEPS;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS /* gtk_widget_get_color () is GTK 4.10 */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (width / 2.f, height / 2.f));
  gtk_snapshot_rotate (snapshot, step * 360.f / STEPS);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-size / 2.f, -size / 2.f));
  gtk_symbolic_paintable_snapshot_symbolic (GTK_SYMBOLIC_PAINTABLE (icon),
                                            snapshot, size, size, &color, 1);
  gtk_snapshot_restore (snapshot);
}

static void
ember_spinner_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ember_spinner_parent_class)->map (widget);
  update_stepping (EMBER_SPINNER (widget));
}

static void
ember_spinner_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ember_spinner_parent_class)->unmap (widget);
  update_stepping (EMBER_SPINNER (widget));
}

static void
settings_changed_cb (EmberSpinner *self)
{
  update_stepping (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
ember_spinner_root (GtkWidget *widget)
{
  EmberSpinner *self = EMBER_SPINNER (widget);

  GTK_WIDGET_CLASS (ember_spinner_parent_class)->root (widget);
  g_signal_connect_object (gtk_widget_get_settings (widget), "notify::gtk-enable-animations",
                           G_CALLBACK (settings_changed_cb), widget, G_CONNECT_SWAPPED);
  self->icon_theme = g_object_ref (gtk_icon_theme_get_for_display (gtk_widget_get_display (widget)));
  g_signal_connect_object (self->icon_theme, "changed", G_CALLBACK (icon_theme_changed_cb), self, G_CONNECT_SWAPPED);
  get_icon (self, expected_size (self));
}

static void
ember_spinner_unroot (GtkWidget *widget)
{
  EmberSpinner *self = EMBER_SPINNER (widget);

  g_signal_handlers_disconnect_by_func (gtk_widget_get_settings (widget), settings_changed_cb, widget);
  g_signal_handlers_disconnect_by_func (self->icon_theme, icon_theme_changed_cb, self);
  g_clear_object (&self->icon_theme);
  g_clear_object (&self->icon);
  GTK_WIDGET_CLASS (ember_spinner_parent_class)->unroot (widget);
}

void
ember_spinner_set_spinning (EmberSpinner *self,
                            gboolean      spinning)
{
  g_return_if_fail (EMBER_IS_SPINNER (self));

  spinning = !!spinning;
  if (self->spinning == spinning)
    return;

  self->spinning = spinning;
  update_stepping (self);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_STATE_BUSY, spinning, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPINNING]);
}

GtkWidget *
ember_spinner_new (void)
{
  return g_object_new (EMBER_TYPE_SPINNER, NULL);
}

static void
ember_spinner_dispose (GObject *object)
{
  EmberSpinner *self = EMBER_SPINNER (object);

  g_clear_handle_id (&self->step_source, g_source_remove);
  g_clear_object (&self->icon);
  g_clear_object (&self->icon_theme);

  G_OBJECT_CLASS (ember_spinner_parent_class)->dispose (object);
}

static void
ember_spinner_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  EmberSpinner *self = EMBER_SPINNER (object);

  switch (prop_id)
    {
    case PROP_SPINNING:
      g_value_set_boolean (value, self->spinning);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_spinner_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  EmberSpinner *self = EMBER_SPINNER (object);

  switch (prop_id)
    {
    case PROP_SPINNING:
      ember_spinner_set_spinning (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_spinner_class_init (EmberSpinnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ember_spinner_dispose;
  object_class->get_property = ember_spinner_get_property;
  object_class->set_property = ember_spinner_set_property;

  widget_class->measure = ember_spinner_measure;
  widget_class->snapshot = ember_spinner_snapshot;
  widget_class->map = ember_spinner_map;
  widget_class->unmap = ember_spinner_unmap;
  widget_class->root = ember_spinner_root;
  widget_class->unroot = ember_spinner_unroot;

  properties[PROP_SPINNING] =
    g_param_spec_boolean ("spinning", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "ember-spinner");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PROGRESS_BAR);
}

static void
ember_spinner_init (EmberSpinner *self)
{
}
