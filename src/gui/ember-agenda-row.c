/* ember-agenda-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "ember-agenda-row.h"

struct _EmberAgendaRow
{
  GtkListBoxRow    parent_instance;

  guint32          day;
  gboolean         all_day;
  GdkRGBA          colour;
  gboolean         has_colour;
  gint64           event_id;

  GtkDrawingArea  *colour_dot;
  GtkLabel        *time_label;
  GtkLabel        *summary_label;
  GtkLabel        *location_label;
};

G_DEFINE_FINAL_TYPE (EmberAgendaRow, ember_agenda_row, GTK_TYPE_LIST_BOX_ROW)

static void
draw_colour_dot (GtkDrawingArea *area,
                 cairo_t        *cr,
                 int             width,
                 int             height,
                 gpointer        user_data)
{
  EmberAgendaRow *self = user_data;
  GdkRGBA colour = self->colour;

  /* Without a calendar colour the dot follows the theme's text colour. */
  if (!self->has_colour)
    gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &colour);

  gdk_cairo_set_source_rgba (cr, &colour);
  cairo_arc (cr, width / 2.0, height / 2.0, MIN (width, height) / 2.0, 0, 2 * G_PI);
  cairo_fill (cr);
}

GtkWidget *
ember_agenda_row_new (guint32     day,
                      gboolean    all_day,
                      const char *time_text,
                      const char *summary,
                      const char *location,
                      const char *colour)
{
  EmberAgendaRow *self = g_object_new (EMBER_TYPE_AGENDA_ROW, NULL);
  gboolean has_location = location != NULL && *location != '\0';
  g_autofree char *accessible_label = NULL;

  self->day = day;
  self->all_day = all_day;
  self->has_colour = colour != NULL && gdk_rgba_parse (&self->colour, colour);

  if (summary == NULL || *summary == '\0')
    summary = _("(No title)");

  gtk_label_set_text (self->time_label, time_text);
  gtk_label_set_text (self->summary_label, summary);
  gtk_label_set_text (self->location_label, has_location ? location : "");
  gtk_widget_set_visible (GTK_WIDGET (self->location_label), has_location);

  /* "09:00 – 09:30, Stand-up, Room 4" */
  accessible_label = has_location
                     ? g_strdup_printf (C_("agenda row", "%s, %s, %s"), time_text, summary, location)
                     : g_strdup_printf (C_("agenda row", "%s, %s"), time_text, summary);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label,
                                  -1);

  return GTK_WIDGET (self);
}

guint32
ember_agenda_row_get_day (EmberAgendaRow *self)
{
  g_return_val_if_fail (EMBER_IS_AGENDA_ROW (self), 0);

  return self->day;
}

gboolean
ember_agenda_row_get_all_day (EmberAgendaRow *self)
{
  g_return_val_if_fail (EMBER_IS_AGENDA_ROW (self), FALSE);

  return self->all_day;
}

const char *
ember_agenda_row_get_time_text (EmberAgendaRow *self)
{
  g_return_val_if_fail (EMBER_IS_AGENDA_ROW (self), NULL);

  return gtk_label_get_text (self->time_label);
}

const char *
ember_agenda_row_get_summary (EmberAgendaRow *self)
{
  g_return_val_if_fail (EMBER_IS_AGENDA_ROW (self), NULL);

  return gtk_label_get_text (self->summary_label);
}

const char *
ember_agenda_row_get_location (EmberAgendaRow *self)
{
  g_return_val_if_fail (EMBER_IS_AGENDA_ROW (self), NULL);

  return gtk_label_get_text (self->location_label);
}

static void
ember_agenda_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), EMBER_TYPE_AGENDA_ROW);

  G_OBJECT_CLASS (ember_agenda_row_parent_class)->dispose (object);
}

static void
ember_agenda_row_class_init (EmberAgendaRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ember_agenda_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/ember-agenda-row.ui");
  gtk_widget_class_bind_template_child (widget_class, EmberAgendaRow, colour_dot);
  gtk_widget_class_bind_template_child (widget_class, EmberAgendaRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, EmberAgendaRow, summary_label);
  gtk_widget_class_bind_template_child (widget_class, EmberAgendaRow, location_label);
}

static void
ember_agenda_row_init (EmberAgendaRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drawing_area_set_draw_func (self->colour_dot, draw_colour_dot, self, NULL);
}

void
ember_agenda_row_set_event_id (EmberAgendaRow *self,
                               gint64          event_id)
{
  g_return_if_fail (EMBER_IS_AGENDA_ROW (self));

  self->event_id = event_id;
}

gint64
ember_agenda_row_get_event_id (EmberAgendaRow *self)
{
  g_return_val_if_fail (EMBER_IS_AGENDA_ROW (self), 0);

  return self->event_id;
}
