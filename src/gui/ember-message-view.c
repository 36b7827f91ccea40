/* ember-message-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ember-error.h"
#include "ember-html-view.h"
#include "ember-message-view-private.h"
#include "ember-reader-html.h"
#include "ember-redact.h"
#include "ember-spinner.h"
#include "ember-user-error.h"

#define LINK_URI_KEY "ember-link-uri"

struct _EmberMessageView
{
  GtkWidget           parent_instance;

  EmberStore         *store;
  GCancellable       *cancellable;
  gint64              message_id;
  EmberMessageRecord *message;
  gboolean            loading;
  /* Messages whose remote content the person asked to see, this session. */
  GHashTable         *remote_allowed;
  /* Made when the first message with HTML is shown. */
  EmberHtmlView      *html_view;
  GtkTextTag         *link_tag;
  /* One anonymous tag per link, holding its URI. */
  GPtrArray          *link_uri_tags;

  GtkStack           *stack;
  AdwStatusPage      *error_page;
  GtkLabel           *subject_label;
  GtkLabel           *from_label;
  GtkLabel           *to_key_label;
  GtkLabel           *to_label;
  GtkLabel           *cc_key_label;
  GtkLabel           *cc_label;
  GtkLabel           *date_key_label;
  GtkLabel           *date_label;
  GtkWidget          *attachments_section;
  GtkLabel           *attachments_label;
  GtkFlowBox         *attachments_box;
  GtkRevealer        *remote_content_revealer;
  GtkRevealer        *fallback_revealer;
  GtkStack           *body_stack;
  GtkBox             *html_box;
  GtkTextView        *text_view;
};

G_DEFINE_FINAL_TYPE (EmberMessageView, ember_message_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_MESSAGE_ID,
  PROP_LOADING,
  N_PROPS
};

enum {
  OPEN_URI,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

GtkWidget *
ember_message_view_new (void)
{
  return g_object_new (EMBER_TYPE_MESSAGE_VIEW, NULL);
}

void
ember_message_view_set_store (EmberMessageView *self,
                              EmberStore       *store)
{
  g_return_if_fail (EMBER_IS_MESSAGE_VIEW (self));
  g_return_if_fail (store == NULL || EMBER_IS_STORE (store));

  if (g_set_object (&self->store, store))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

EmberStore *
ember_message_view_get_store (EmberMessageView *self)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_VIEW (self), NULL);

  return self->store;
}

gint64
ember_message_view_get_message_id (EmberMessageView *self)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_VIEW (self), 0);

  return self->message_id;
}

gboolean
ember_message_view_get_loading (EmberMessageView *self)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_VIEW (self), FALSE);

  return self->loading;
}

gboolean
ember_message_view_get_shown (EmberMessageView *self)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_VIEW (self), FALSE);

  return !self->loading && self->message != NULL;
}

static void
set_message_id (EmberMessageView *self,
                gint64            message_id)
{
  if (self->message_id == message_id)
    return;

  self->message_id = message_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE_ID]);
}

static void
set_loading (EmberMessageView *self,
             gboolean          loading)
{
  if (self->loading == loading)
    return;

  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
cancel_load (EmberMessageView *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

/* Links */

static void
launch_uri_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_autofree char *message = ember_redact (error->message);

      g_warning ("Could not open the link: %s", message);
    }
}

static gboolean
ember_message_view_real_open_uri (EmberMessageView *self,
                                  const char       *uri)
{
  g_autoptr(GdkAppLaunchContext) context =
    gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self)));

  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL,
                                           launch_uri_cb, NULL);
  return TRUE;
}

static void
open_uri (EmberMessageView *self,
          const char       *uri)
{
  gboolean handled = FALSE;

  g_signal_emit (self, signals[OPEN_URI], 0, uri, &handled);
}

static void
html_view_link_activated_cb (EmberMessageView *self,
                             const char       *uri)
{
  open_uri (self, uri);
}

static const char *
link_at_iter (const GtkTextIter *iter)
{
  g_autoptr(GSList) tags = gtk_text_iter_get_tags (iter);

  for (GSList *l = tags; l != NULL; l = l->next)
    {
      const char *uri = g_object_get_data (l->data, LINK_URI_KEY);

      if (uri != NULL)
        return uri;
    }

  return NULL;
}

static const char *
link_at_point (EmberMessageView *self,
               double            x,
               double            y)
{
  GtkTextIter iter;
  int buffer_x, buffer_y;

  gtk_text_view_window_to_buffer_coords (self->text_view, GTK_TEXT_WINDOW_WIDGET,
                                         (int) x, (int) y, &buffer_x, &buffer_y);
  if (!gtk_text_view_get_iter_at_location (self->text_view, &iter, buffer_x, buffer_y))
    return NULL;

  return link_at_iter (&iter);
}

static void
text_released_cb (EmberMessageView *self,
                  int               n_press,
                  double            x,
                  double            y,
                  GtkGestureClick  *gesture)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  const char *uri;

  if (n_press != 1 || gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture)) > 1)
    return;

  /* Releasing after dragging a selection over a link is not a click on it. */
  if (gtk_text_buffer_get_has_selection (buffer))
    return;

  uri = link_at_point (self, x, y);
  if (uri != NULL)
    open_uri (self, uri);
}

static void
text_motion_cb (EmberMessageView         *self,
                double                    x,
                double                    y,
                GtkEventControllerMotion *controller)
{
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self->text_view),
                                   link_at_point (self, x, y) != NULL ? "pointer" : "text");
}

static void
update_link_colour (EmberMessageView *self)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GdkRGBA colour;

  /* libadwaita's link colours; a text tag cannot follow the stylesheet. */
  gdk_rgba_parse (&colour, dark ? "#78aeed" : "#1c71d8");
  g_object_set (self->link_tag, "foreground-rgba", &colour, NULL);
}

static void
set_text_body (EmberMessageView *self,
               const char       *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  g_autoptr(GArray) links = ember_reader_text_find_links (valid);
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
  GtkTextIter start, end;

  for (guint i = 0; i < self->link_uri_tags->len; i++)
    gtk_text_tag_table_remove (table, g_ptr_array_index (self->link_uri_tags, i));
  g_ptr_array_set_size (self->link_uri_tags, 0);

  gtk_text_buffer_set_text (buffer, valid, -1);

  for (guint i = 0; i < links->len; i++)
    {
      const EmberReaderLink *link = &g_array_index (links, EmberReaderLink, i);
      GtkTextTag *tag = gtk_text_buffer_create_tag (buffer, NULL, NULL);

      g_object_set_data_full (G_OBJECT (tag), LINK_URI_KEY, g_strdup (link->uri), g_free);
      g_ptr_array_add (self->link_uri_tags, tag);
      gtk_text_buffer_get_iter_at_offset (buffer, &start,
                                          g_utf8_pointer_to_offset (valid, valid + link->start));
      gtk_text_buffer_get_iter_at_offset (buffer, &end,
                                          g_utf8_pointer_to_offset (valid, valid + link->end));
      gtk_text_buffer_apply_tag (buffer, self->link_tag, &start, &end);
      gtk_text_buffer_apply_tag (buffer, tag, &start, &end);
    }

  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);
}

/* Headers and attachments */

static void
set_optional_header (GtkLabel   *key_label,
                     GtkLabel   *value_label,
                     const char *value)
{
  gboolean present = value != NULL && *value != '\0';

  gtk_label_set_text (value_label, present ? value : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (value_label), present ? value : NULL);
  gtk_widget_set_visible (GTK_WIDGET (key_label), present);
  gtk_widget_set_visible (GTK_WIDGET (value_label), present);
}

static char *
format_sender (const EmberMessageRecord *message)
{
  gboolean has_name = message->from_name != NULL && *message->from_name != '\0';
  gboolean has_address = message->from_address != NULL && *message->from_address != '\0';

  if (has_name && has_address)
    return g_strdup_printf ("%s <%s>", message->from_name, message->from_address);
  if (has_name)
    return g_strdup (message->from_name);
  if (has_address)
    return g_strdup (message->from_address);

  return g_strdup (_("Unknown sender"));
}

static char *
format_date (gint64 date)
{
  g_autoptr(GDateTime) local = NULL;

  if (date <= 0)
    return NULL;

  local = g_date_time_new_from_unix_local (date);
  if (local == NULL)
    return NULL;

  /* %c: the locale's own date and time format. */
  return g_date_time_format (local, "%c");
}

static GtkWidget *
create_attachment_widget (const char *name,
                          const char *mime_type,
                          gint64      size)
{
  g_autofree char *content_type = g_content_type_from_mime_type (mime_type);
  g_autoptr(GIcon) icon = g_content_type_get_symbolic_icon (content_type != NULL ? content_type
                                                                                 : "application/octet-stream");
  g_autofree char *type_description = g_content_type_get_description (content_type != NULL ? content_type
                                                                                          : "application/octet-stream");
  g_autofree char *size_text = size >= 0 ? g_format_size ((guint64) size) : NULL;
  g_autofree char *accessible_label = NULL;
  GtkWidget *box, *image, *name_label, *size_label;

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (box, "card");
  gtk_widget_set_margin_top (box, 0);

  image = gtk_image_new_from_gicon (icon);
  gtk_widget_set_margin_start (image, 8);
  gtk_widget_set_tooltip_text (image, type_description);
  gtk_box_append (GTK_BOX (box), image);

  name_label = gtk_label_new (name);
  gtk_label_set_ellipsize (GTK_LABEL (name_label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (name_label), 32);
  gtk_widget_set_margin_top (name_label, 6);
  gtk_widget_set_margin_bottom (name_label, 6);
  gtk_widget_set_tooltip_text (name_label, name);
  gtk_box_append (GTK_BOX (box), name_label);

  size_label = gtk_label_new (size_text);
  gtk_widget_add_css_class (size_label, "dim-label");
  gtk_widget_set_margin_end (size_label, 8);
  gtk_widget_set_visible (size_label, size_text != NULL);
  gtk_box_append (GTK_BOX (box), size_label);

  /* "report.pdf, PDF document, 1.2 MB" */
  accessible_label = size_text != NULL
                     ? g_strdup_printf (C_("attachment", "%s, %s, %s"), name, type_description, size_text)
                     : g_strdup_printf (C_("attachment", "%s, %s"), name, type_description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label,
                                  -1);

  return box;
}

static void
set_attachments (EmberMessageView *self,
                 const char       *attachments_json)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;
  guint n_shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->attachments_box))) != NULL)
    gtk_flow_box_remove (self->attachments_box, child);

  if (attachments_json != NULL && *attachments_json != '\0')
    {
      root = json_from_string (attachments_json, &error);
      if (root == NULL)
        g_debug ("Ignoring unreadable attachments of message %" G_GINT64_FORMAT ": %s",
                 self->message_id, error->message);
    }

  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);
          JsonObject *object;
          const char *name, *mime_type;
          gint64 size;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            continue;
          object = json_node_get_object (node);

          /* Inline parts are pictures inside the body, not attachments. */
          if (json_object_get_boolean_member_with_default (object, "inline", FALSE))
            continue;

          name = json_object_get_string_member_with_default (object, "name", NULL);
          mime_type = json_object_get_string_member_with_default (object, "mime_type", NULL);
          size = json_object_get_int_member_with_default (object, "size", -1);

          gtk_flow_box_append (self->attachments_box,
                               create_attachment_widget (name != NULL && *name != '\0' ? name : _("Unnamed attachment"),
                                                         mime_type != NULL ? mime_type : "application/octet-stream",
                                                         size));
          n_shown++;
        }
    }

  if (n_shown > 0)
    {
      g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Attachment", "%u Attachments", n_shown),
                                                n_shown);

      gtk_label_set_text (self->attachments_label, title);
    }
  gtk_widget_set_visible (self->attachments_section, n_shown > 0);
}

/* Body */

static gboolean
message_has_html (const EmberMessageRecord *message)
{
  return message != NULL && message->body_html != NULL && *message->body_html != '\0';
}

static void
show_text_fallback (EmberMessageView *self)
{
  const char *text = self->message->body_text != NULL ? self->message->body_text
                                                      : self->message->snippet;

  set_text_body (self, text);
  gtk_stack_set_visible_child_name (self->body_stack, "text");
  gtk_revealer_set_reveal_child (self->remote_content_revealer, FALSE);
  gtk_revealer_set_reveal_child (self->fallback_revealer, TRUE);
}

static void
html_view_failed_cb (EmberMessageView *self)
{
  if (!ember_html_view_get_failed (self->html_view) || !message_has_html (self->message))
    return;

  show_text_fallback (self);
}

/* Once the engine has loaded. Built here rather than in the template: it
 * lives in a module (ember-html-view.h), and plain-text mail needs no web
 * process. */
static void
add_html_view (EmberMessageView *self)
{
  self->html_view = ember_html_view_new ();
  gtk_widget_set_vexpand (GTK_WIDGET (self->html_view), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->html_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Message text"),
                                  -1);
  g_signal_connect_object (self->html_view, "link-activated",
                           G_CALLBACK (html_view_link_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->html_view, "notify::failed",
                           G_CALLBACK (html_view_failed_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (self->html_box, GTK_WIDGET (self->html_view));
}

EmberHtmlView *
_ember_message_view_get_html_view (EmberMessageView *self)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_VIEW (self), NULL);

  return self->html_view;
}

const char *
_ember_message_view_get_body_mode (EmberMessageView *self)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_VIEW (self), NULL);

  return gtk_stack_get_visible_child_name (self->body_stack);
}

static void
show_html_body (EmberMessageView *self)
{
  g_autofree char *html = g_utf8_make_valid (self->message->body_html, -1);
  gboolean allowed = g_hash_table_contains (self->remote_allowed, &self->message_id);

  /* The engine could not be loaded. */
  if (self->html_view == NULL)
    {
      show_text_fallback (self);
      return;
    }

  gtk_revealer_set_reveal_child (self->remote_content_revealer,
                                 !allowed && ember_reader_html_has_remote_content (html));
  gtk_stack_set_visible_child_name (self->body_stack, "html");
  ember_html_view_show_html (self->html_view, html, allowed);
}

static void
show_record (EmberMessageView *self)
{
  const EmberMessageRecord *message = self->message;
  g_autofree char *sender = format_sender (message);
  g_autofree char *date = format_date (message->date);

  gtk_label_set_text (self->subject_label,
                      message->subject != NULL && *message->subject != '\0' ? message->subject
                                                                            : _("(No subject)"));
  gtk_label_set_text (self->from_label, sender);
  set_optional_header (self->to_key_label, self->to_label, message->to);
  set_optional_header (self->cc_key_label, self->cc_label, message->cc);
  set_optional_header (self->date_key_label, self->date_label, date);
  set_attachments (self, message->attachments_json);
  gtk_revealer_set_reveal_child (self->fallback_revealer, FALSE);

  if (message_has_html (message))
    {
      show_html_body (self);
    }
  else
    {
      gtk_revealer_set_reveal_child (self->remote_content_revealer, FALSE);
      set_text_body (self, message->body_text != NULL ? message->body_text : message->snippet);
      gtk_stack_set_visible_child_name (self->body_stack, "text");
      if (self->html_view != NULL)
        ember_html_view_show_html (self->html_view, NULL, FALSE);
    }

  gtk_stack_set_visible_child_name (self->stack, "message");
}

static void
show_remote_content_clicked_cb (EmberMessageView *self)
{
  gint64 *id;

  if (!message_has_html (self->message))
    return;

  id = g_new (gint64, 1);
  *id = self->message_id;
  g_hash_table_add (self->remote_allowed, id);
  show_html_body (self);
}

/* Loading */

typedef struct
{
  EmberMessageView *self;
  GCancellable     *cancellable;
} MessageLoad;

static void
message_load_free (MessageLoad *load)
{
  g_clear_object (&load->self);
  g_clear_object (&load->cancellable);
  g_free (load);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MessageLoad, message_load_free)

/* Superseded by another message, clear () or dispose. */
static gboolean
load_superseded (MessageLoad  *load,
                 const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
         || g_cancellable_is_cancelled (load->cancellable)
         || load->cancellable != load->self->cancellable;
}

/* Listeners of notify::loading see the outcome already on screen. */
static void
show_loaded_record (EmberMessageView *self)
{
  g_clear_object (&self->cancellable);
  show_record (self);
  set_loading (self, FALSE);
}

static void
show_error (EmberMessageView *self,
            const GError     *error)
{
  if (g_error_matches (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND))
    {
      adw_status_page_set_title (self->error_page, _("Message not available"));
      adw_status_page_set_description (self->error_page,
                                       _("It was deleted or moved since the list was shown."));
    }
  else
    {
      g_autoptr(EmberUserError) user_error = ember_user_error_new_from_error (error);

      adw_status_page_set_title (self->error_page, _("Could not open the message"));
      adw_status_page_set_description (self->error_page, user_error->message);
      if (user_error->details != NULL)
        g_warning ("Could not load message %" G_GINT64_FORMAT ": %s",
                   self->message_id, user_error->details);
    }

  gtk_stack_set_visible_child_name (self->stack, "error");
}

static void
html_engine_loaded_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(MessageLoad) load = user_data;
  EmberMessageView *self = load->self;
  g_autoptr(GError) error = NULL;
  gboolean loaded = ember_html_view_load_engine_finish (result, &error);

  if (load_superseded (load, error))
    return;

  if (loaded)
    add_html_view (self);
  else
    g_message ("Showing the text of formatted mail: %s", error->message);

  show_loaded_record (self);
}

static void
message_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(MessageLoad) load = user_data;
  EmberMessageView *self = load->self;
  g_autoptr(EmberMessageRecord) message = NULL;
  g_autoptr(GError) error = NULL;

  message = ember_store_get_message_finish (EMBER_STORE (object), result, &error);

  if (load_superseded (load, error))
    return;

  if (message == NULL)
    {
      g_clear_object (&self->cancellable);
      show_error (self, error);
      set_loading (self, FALSE);
      return;
    }

  g_clear_pointer (&self->message, ember_message_record_free);
  self->message = g_steal_pointer (&message);

  /* The first message with HTML: the loading page stays up while the
   * engine loads. */
  if (message_has_html (self->message) && self->html_view == NULL)
    {
      GCancellable *cancellable = load->cancellable;

      ember_html_view_load_engine_async (cancellable, html_engine_loaded_cb, g_steal_pointer (&load));
      return;
    }

  show_loaded_record (self);
}

void
ember_message_view_show_message (EmberMessageView *self,
                                 gint64            message_id)
{
  MessageLoad *load;

  g_return_if_fail (EMBER_IS_MESSAGE_VIEW (self));
  g_return_if_fail (self->store != NULL);
  g_return_if_fail (message_id > 0);

  cancel_load (self);
  g_clear_pointer (&self->message, ember_message_record_free);
  self->cancellable = g_cancellable_new ();
  set_message_id (self, message_id);
  set_loading (self, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "loading");

  load = g_new0 (MessageLoad, 1);
  load->self = g_object_ref (self);
  load->cancellable = g_object_ref (self->cancellable);
  ember_store_get_message_async (self->store, message_id, self->cancellable,
                                 message_loaded_cb, load);
}

void
ember_message_view_clear (EmberMessageView *self)
{
  g_return_if_fail (EMBER_IS_MESSAGE_VIEW (self));

  cancel_load (self);
  g_clear_pointer (&self->message, ember_message_record_free);
  set_message_id (self, 0);
  set_loading (self, FALSE);
  gtk_revealer_set_reveal_child (self->remote_content_revealer, FALSE);
  set_text_body (self, "");
  if (self->html_view != NULL)
    ember_html_view_show_html (self->html_view, NULL, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

/* GObject */

static void
ember_message_view_dispose (GObject *object)
{
  EmberMessageView *self = EMBER_MESSAGE_VIEW (object);

  cancel_load (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), EMBER_TYPE_MESSAGE_VIEW);
  self->html_view = NULL;
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ember_message_view_parent_class)->dispose (object);
}

static void
ember_message_view_finalize (GObject *object)
{
  EmberMessageView *self = EMBER_MESSAGE_VIEW (object);

  g_clear_pointer (&self->message, ember_message_record_free);
  g_clear_pointer (&self->remote_allowed, g_hash_table_unref);
  g_clear_pointer (&self->link_uri_tags, g_ptr_array_unref);

  G_OBJECT_CLASS (ember_message_view_parent_class)->finalize (object);
}

static void
ember_message_view_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EmberMessageView *self = EMBER_MESSAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_MESSAGE_ID:
      g_value_set_int64 (value, self->message_id);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_message_view_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EmberMessageView *self = EMBER_MESSAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      ember_message_view_set_store (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_message_view_class_init (EmberMessageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ember_message_view_dispose;
  object_class->finalize = ember_message_view_finalize;
  object_class->get_property = ember_message_view_get_property;
  object_class->set_property = ember_message_view_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         EMBER_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE_ID] =
    g_param_spec_int64 ("message-id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EmberMessageView::open-uri:
   * @self: the view
   * @uri: an http(s) or mailto link the person clicked in the message
   *
   * The default handler opens it with the default application; a handler
   * returning %TRUE stops that.
   *
   * Returns: %TRUE when the link was handled
   */
  signals[OPEN_URI] =
    g_signal_new_class_handler ("open-uri",
                                G_TYPE_FROM_CLASS (klass),
                                G_SIGNAL_RUN_LAST,
                                G_CALLBACK (ember_message_view_real_open_uri),
                                g_signal_accumulator_true_handled, NULL,
                                NULL,
                                G_TYPE_BOOLEAN, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ember-message-view");
  g_type_ensure (EMBER_TYPE_SPINNER);
  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/ember-message-view.ui");
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, stack);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, error_page);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, subject_label);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, from_label);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, to_key_label);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, to_label);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, cc_key_label);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, cc_label);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, date_key_label);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, date_label);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, attachments_section);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, attachments_label);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, attachments_box);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, remote_content_revealer);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, fallback_revealer);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, body_stack);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, html_box);
  gtk_widget_class_bind_template_child (widget_class, EmberMessageView, text_view);
  gtk_widget_class_bind_template_callback (widget_class, show_remote_content_clicked_cb);
}

static void
ember_message_view_init (EmberMessageView *self)
{
  GtkGesture *click;
  GtkEventController *motion;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->remote_allowed = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->link_uri_tags = g_ptr_array_new ();

  self->link_tag = gtk_text_buffer_create_tag (gtk_text_view_get_buffer (self->text_view), "link",
                                               "underline", PANGO_UNDERLINE_SINGLE,
                                               NULL);
  update_link_colour (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_link_colour), self, G_CONNECT_SWAPPED);

  click = gtk_gesture_click_new ();
  g_signal_connect_swapped (click, "released", G_CALLBACK (text_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), GTK_EVENT_CONTROLLER (click));

  motion = gtk_event_controller_motion_new ();
  g_signal_connect_swapped (motion, "motion", G_CALLBACK (text_motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), motion);
}
