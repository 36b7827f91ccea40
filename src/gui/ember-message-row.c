/* ember-message-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "ember-message-row.h"

struct _EmberMessageRow
{
  GtkWidget         parent_instance;

  EmberMessageItem *item;
  gulong            notify_handler;

  GtkWidget        *unread_dot;
  GtkInscription   *sender_label;
  GtkLabel         *count_label;
  GtkLabel         *date_label;
  GtkInscription   *subject_label;
  GtkInscription   *snippet_label;
  GtkWidget        *attachment_icon;

  guint             n_warmed;      /* warm-up steps done (ember_message_row_warm_up_next ()) */
};

G_DEFINE_FINAL_TYPE (EmberMessageRow, ember_message_row, GTK_TYPE_WIDGET)

char *
ember_format_message_date (gint64     date,
                           GDateTime *now)
{
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (date);

  if (local == NULL)
    return g_strdup ("");

  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    /* Translators: a time today, see strftime(3) */
    return g_date_time_format (local, _("%H:%M"));

  if (g_date_time_get_year (local) == g_date_time_get_year (now))
    /* Translators: a day this year, see strftime(3) */
    return g_date_time_format (local, _("%e %b"));

  return g_date_time_format (local, "%x");
}

static void
update (EmberMessageRow *self)
{
  const EmberMessageRecord *record;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *date = NULL;
  g_autofree char *accessible = NULL;
  guint count;
  gboolean unread;

  if (self->item == NULL)
    return;

  record = ember_message_item_get_record (self->item);
  if (!ember_message_item_get_loaded (self->item))
    {
      /* Read back in a moment (the list keeps only rows near the view):
       * a blank row, not "Unknown sender", until then. */
      gtk_inscription_set_text (self->sender_label, "");
      gtk_inscription_set_text (self->subject_label, "");
      gtk_inscription_set_text (self->snippet_label, "");
      gtk_label_set_text (self->date_label, "");
      gtk_widget_set_visible (self->attachment_icon, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->count_label), FALSE);
      gtk_widget_set_opacity (self->unread_dot, 0.0);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Loading…"),
                                      -1);
      return;
    }

  unread = ember_message_item_get_unread (self->item);
  count = ember_message_item_get_thread_count (self->item);
  now = g_date_time_new_now_local ();
  date = ember_format_message_date (record->date, now);

  gtk_inscription_set_text (self->sender_label, ember_message_item_get_sender (self->item));
  gtk_inscription_set_text (self->subject_label, ember_message_item_get_subject (self->item));
  gtk_inscription_set_text (self->snippet_label, ember_message_item_get_snippet (self->item));
  gtk_label_set_text (self->date_label, date);
  gtk_widget_set_visible (self->attachment_icon, record->has_attachments);
  gtk_widget_set_opacity (self->unread_dot, unread ? 1.0 : 0.0);

  if (count > 1)
    {
      g_autofree char *text = g_strdup_printf ("%u", count);

      gtk_label_set_text (self->count_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), count > 1);

  if (unread)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->sender_label), "heading");
      gtk_widget_add_css_class (GTK_WIDGET (self->subject_label), "heading");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->sender_label), "heading");
      gtk_widget_remove_css_class (GTK_WIDGET (self->subject_label), "heading");
    }

  /* Translators: how a screen reader reads a message row:
   * "[Unread, ]Sender: Subject, Date" */
  accessible = g_strdup_printf (unread ? _("Unread, %s: %s, %s") : _("%s: %s, %s"),
                                ember_message_item_get_sender (self->item),
                                ember_message_item_get_subject (self->item),
                                date);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static void
item_notify_cb (EmberMessageRow *self)
{
  update (self);
}

void
ember_message_row_set_item (EmberMessageRow  *self,
                            EmberMessageItem *item)
{
  g_return_if_fail (EMBER_IS_MESSAGE_ROW (self));

  if (self->item == item)
    return;

  if (self->item != NULL)
    g_clear_signal_handler (&self->notify_handler, self->item);
  g_set_object (&self->item, item);
  if (item != NULL)
    self->notify_handler = g_signal_connect_swapped (item, "notify", G_CALLBACK (item_notify_cb), self);

  update (self);
}

EmberMessageItem *
ember_message_row_get_item (EmberMessageRow *self)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_ROW (self), NULL);

  return self->item;
}

GtkWidget *
ember_message_row_new (void)
{
  return g_object_new (EMBER_TYPE_MESSAGE_ROW, NULL);
}

GtkWidget *
ember_message_row_new_specimen (gboolean unread)
{
  GtkWidget *row = ember_message_row_new ();
  EmberMessageRecord *record = ember_message_record_new ();
  g_autoptr(EmberMessageItem) item = NULL;

  /* One letter each: the frame that lays it out stays cheap. */
  record->from_name = g_strdup ("A");
  record->subject = g_strdup ("A");
  record->snippet = g_strdup ("A");
  record->date = g_get_real_time () / G_USEC_PER_SEC;
  record->unread = unread;
  record->has_attachments = TRUE;
  item = ember_message_item_new (record);
  ember_message_item_set_thread_count (item, 2);
  ember_message_row_set_item (EMBER_MESSAGE_ROW (row), item);
  gtk_widget_set_opacity (row, 0.0);
  gtk_widget_set_can_target (row, FALSE);
  gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);

  return row;
}

/* Text that prepares a font for what mail brings: each script's first
 * character loads a font (a fallback one for scripts the main font lacks:
 * fontconfig searches for it), and every glyph is shaped by HarfBuzz and
 * hinted by FreeType once per font and size. One piece per main-loop tick. */
static const char *const specimen_texts[] = {
  NULL, /* printable ASCII, made below */
  "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿ"
  "ĄąĆćČčĘęĚěŁłŃńŐőŘřŚśŠšŰűŹźŻżŽž–—‘’‚“”„…•€",
  "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя"
  "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩαβγδεζηθικλμνξοπρστυφχψω",
  "日本語の会議議事録、山田太郎。",
  "中文邮件。한국어",
  "📦🏔️😀👍🎉❤️✈️📅",
};

static void
warm_up_text (GtkWidget  *label,
              const char *text)
{
  /* The widget's own font and size, and a label's features (tabular digits). */
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (label, text);
  cairo_surface_t *surface;
  cairo_t *cr;
  int width, height;

  if (GTK_IS_LABEL (label))
    pango_layout_set_attributes (layout, pango_layout_get_attributes (gtk_label_get_layout (GTK_LABEL (label))));
  pango_layout_get_pixel_size (layout, &width, &height);

  /* Big enough for every glyph: cairo skips what falls outside. */
  surface = cairo_image_surface_create (CAIRO_FORMAT_A8, MAX (width, 1), MAX (height, 1));
  cr = cairo_create (surface);
  pango_cairo_show_layout (cr, layout);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

gboolean
ember_message_row_warm_up_next (EmberMessageRow *self)
{
  /* The styles a row has: subject and count share the sender's and the
   * snippet's fonts; the date adds tabular digits (ASCII is enough). */
  GtkWidget *labels[] = { GTK_WIDGET (self->sender_label), GTK_WIDGET (self->snippet_label), GTK_WIDGET (self->date_label) };
  guint n_texts = G_N_ELEMENTS (specimen_texts);
  guint n_steps = ember_message_item_get_unread (self->item) ? 2 * n_texts + 1 : n_texts;
  guint label = self->n_warmed / n_texts;
  guint text = self->n_warmed % n_texts;

  g_return_val_if_fail (EMBER_IS_MESSAGE_ROW (self), FALSE);

  if (self->n_warmed >= n_steps)
    return FALSE;

  if (specimen_texts[text] == NULL)
    {
      char ascii[0x7f - 0x20 + 1];

      for (guint i = 0; i < sizeof ascii - 1; i++)
        ascii[i] = (char) (0x20 + i);
      ascii[sizeof ascii - 1] = '\0';
      warm_up_text (labels[label], ascii);
    }
  else
    warm_up_text (labels[label], specimen_texts[text]);
  self->n_warmed++;

  return self->n_warmed < n_steps;
}

static void
ember_message_row_dispose (GObject *object)
{
  EmberMessageRow *self = EMBER_MESSAGE_ROW (object);

  ember_message_row_set_item (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), EMBER_TYPE_MESSAGE_ROW);
  /* The template's root box is not a bound child: unparent it too. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (ember_message_row_parent_class)->dispose (object);
}

static void
ember_message_row_class_init (EmberMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ember_message_row_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_css_name (widget_class, "emberMessageRow");
  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/ember-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, EmberMessageRow, unread_dot);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageRow, sender_label);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageRow, count_label);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageRow, date_label);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageRow, subject_label);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageRow, snippet_label);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageRow, attachment_icon);
}

static void
ember_message_row_init (EmberMessageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
