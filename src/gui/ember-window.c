/* ember-window.c: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sidebar (accounts, folders, Calendar) | message list | reader, in an
 * AdwLeaflet that folds down to one pane at 360 px. Everything it shows is
 * read from the store off the main thread.
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ember-agenda-view.h"
#include "ember-demo.h"
#include "ember-error.h"
#include "ember-message-item.h"
#include "ember-message-list-model.h"
#include "ember-message-row.h"
#include "ember-message-view.h"
#include "ember-stack-pages.h"
#include "ember-sync-indicator.h"
#include "ember-window-private.h"

/* What a sidebar row opens. */
typedef enum
{
  ENTRY_UNIFIED_INBOX,
  ENTRY_FOLDER,
  ENTRY_CALENDAR,
} EntryKind;

typedef struct
{
  EntryKind  kind;
  gint64     account_id;
  gint64     folder_id;
  char      *folder_provider_id;  /* ENTRY_FOLDER */
  EmberFolderKind folder_kind;    /* ENTRY_FOLDER */
  char      *title;
} SidebarEntry;

struct _EmberWindow
{
  AdwApplicationWindow   parent_instance;

  GSettings             *settings;
  EmberStore            *store;
  EmberSyncManager      *sync_manager;
  GCancellable          *cancellable;
  GCancellable          *search_cancellable;
  EmberMessageListModel *folder_model;
  GtkSingleSelection    *selection;
  char                  *selected_key;   /* keeps the sidebar selection across reloads */
  gboolean               showing_search;
  EmberMessageItem      *selected_item;  /* watched for its unread flag */
  gboolean               mark_read_on_show;
  gboolean               sidebar_loading;
  gboolean               sidebar_stale;  /* reload again once the running load is done */
  guint                  sidebar_fill_source;
  gpointer               sidebar_fill;   /* the SidebarLoad adding rows */

  AdwToastOverlay       *toast_overlay;
  GtkStack              *main_stack;
  AdwStatusPage         *empty_page;
  AdwLeaflet            *leaflet;
  GtkWidget             *sidebar_pane;
  GtkWidget             *list_pane;
  GtkWidget             *reader_pane;
  GtkWidget             *reader_separator;
  GtkListBox            *sidebar;
  GtkInscription        *list_title;
  EmberSyncIndicator    *sync_indicator;
  GtkSearchBar          *search_bar;
  GtkSearchEntry        *search_entry;
  GtkOverlay            *list_overlay;
  GtkStack              *list_stack;
  GtkListView           *message_list;
  GtkBox                *agenda_bin;
  GtkBox                *reader_bin;
  GtkButton             *read_button;
  EmberMessageView      *message_view;
  EmberAgendaView       *agenda_view;

  /* ember_window_show_message () / _show_event (): what to reveal once the
   * sidebar (and the message) are read. */
  gboolean               sidebar_loaded;
  GCancellable          *reveal_cancellable;
  EmberMessageRecord    *reveal_message;   /* read, waiting for the sidebar or the list */
  gint64                 reveal_event_id;  /* waiting for the sidebar */
  gint64                 reveal_message_id; /* waiting for the store */
  guint                  reveal_idle;
  guint                  first_sync_refresh;  /* source: re-read the list during a first sync */

  /* Invisible rows that prepare the fonts of the first real ones. */
  GtkWidget             *specimens[2];
  guint                  n_icons_warmed;
  guint                  warm_up_source;
};

G_DEFINE_FINAL_TYPE (EmberWindow, ember_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void reload_sidebar (EmberWindow *self);
static void reveal_pending (EmberWindow *self);
static void queue_select_revealed_message (EmberWindow *self);

static void
sidebar_entry_free (gpointer data)
{
  SidebarEntry *entry = data;

  g_free (entry->folder_provider_id);
  g_free (entry->title);
  g_free (entry);
}

static char *
sidebar_entry_key (const SidebarEntry *entry)
{
  return g_strdup_printf ("%d:%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
                          entry->kind, entry->account_id, entry->folder_id);
}

EmberWindow *
ember_window_new (EmberApplication *application)
{
  g_return_val_if_fail (EMBER_IS_APPLICATION (application), NULL);

  return g_object_new (EMBER_TYPE_WINDOW,
                       "application", application,
                       "settings", ember_application_get_settings (application),
                       NULL);
}

/* Toasts */

static void
retry_clicked_cb (AdwToast    *toast,
                  EmberWindow *self)
{
  gint64 account_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (toast), "account-id"));

  if (self->sync_manager != NULL)
    ember_sync_manager_sync_now (self->sync_manager, account_id);
}

void
ember_window_show_error (EmberWindow          *self,
                         const EmberUserError *error,
                         gint64                account_id)
{
  AdwToast *toast;

  g_return_if_fail (EMBER_IS_WINDOW (self));
  g_return_if_fail (error != NULL);

  toast = adw_toast_new (error->message);
  adw_toast_set_timeout (toast, error->retryable ? 10 : 0);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  if (error->needs_sign_in)
    {
      adw_toast_set_button_label (toast, _("_Sign In…"));
      if (account_id > 0)
        {
          adw_toast_set_action_name (toast, "app.show-account");
          adw_toast_set_action_target_value (toast, g_variant_new_int64 (account_id));
        }
      else
        adw_toast_set_action_name (toast, "app.add-account");
    }
  else if (error->retryable)
    {
      adw_toast_set_button_label (toast, _("_Retry"));
      g_object_set_data (G_OBJECT (toast), "account-id", GSIZE_TO_POINTER ((gsize) account_id));
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (retry_clicked_cb), self, 0);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* The message list */

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  gtk_list_item_set_child (list_item, ember_message_row_new ());
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  user_data)
{
  ember_message_row_set_item (EMBER_MESSAGE_ROW (gtk_list_item_get_child (list_item)),
                              gtk_list_item_get_item (list_item));
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  ember_message_row_set_item (EMBER_MESSAGE_ROW (gtk_list_item_get_child (list_item)), NULL);
}

static gboolean
showing_agenda (EmberWindow *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->list_stack), "agenda") == 0;
}

/* The demo's accounts are on their way: the mail view, not a welcome page
 * that would flash up for a moment. */
static gboolean
demo_signing_in (EmberWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  EmberDemo *demo = app != NULL ? ember_demo_get (EMBER_APPLICATION (app)) : NULL;

  return demo != NULL && ember_demo_get_pending (demo);
}

/* An account's first sync is bringing its mail in: an empty list is not
 * "No Messages" yet (the header shows the sync's progress). */
static gboolean
first_sync_running (EmberWindow *self)
{
  g_autoptr(GArray) accounts = NULL;

  if (demo_signing_in (self))
    return TRUE;
  if (self->sync_manager == NULL)
    return FALSE;

  accounts = ember_sync_manager_list_accounts (self->sync_manager);
  for (guint i = 0; i < accounts->len; i++)
    {
      gint64 id = g_array_index (accounts, gint64, i);

      if (ember_sync_manager_get_account_status (self->sync_manager, id) == EMBER_SYNC_STATUS_SYNCING &&
          ember_sync_manager_get_account_last_success (self->sync_manager, id) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
update_list_page (EmberWindow *self)
{
  GListModel *model = gtk_single_selection_get_model (self->selection);
  guint n = model != NULL ? g_list_model_get_n_items (model) : 0;
  const char *page;

  if (showing_agenda (self))
    return;

  if (self->showing_search)
    page = n > 0 ? "list" : "no-results";
  else if (gtk_search_bar_get_search_mode (self->search_bar) &&
           *gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) == '\0')
    page = n > 0 ? "list" : "search-empty";
  else if (n == 0 && ((self->folder_model != NULL && ember_message_list_model_get_loading (self->folder_model)) ||
                      first_sync_running (self)))
    page = "list";
  else
    page = n > 0 ? "list" : "empty-folder";

  ember_stack_pages_show (self->list_stack, page);
}

static void
set_list_model (EmberWindow *self,
                GListModel  *model)
{
  GListModel *old = gtk_single_selection_get_model (self->selection);

  if (old != NULL)
    g_signal_handlers_disconnect_by_data (old, self);
  gtk_single_selection_set_model (self->selection, model);
  if (model != NULL)
    g_signal_connect_object (model, "items-changed", G_CALLBACK (update_list_page), self, G_CONNECT_SWAPPED);
  update_list_page (self);
}

static void
show_message (EmberWindow      *self,
              EmberMessageItem *item)
{
  if (item == NULL)
    ember_message_view_clear (self->message_view);
  else
    ember_message_view_show_message (self->message_view, ember_message_item_get_id (item));
}

/* Read and unread, on this computer only */

static void
update_read_actions (EmberWindow *self)
{
  EmberMessageItem *item = self->selected_item;
  gboolean unread = item != NULL && ember_message_item_get_unread (item);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.mark-read", item != NULL && unread);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.mark-unread", item != NULL && !unread);

  gtk_widget_set_visible (GTK_WIDGET (self->read_button), item != NULL);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->read_button),
                                  unread ? "win.mark-read" : "win.mark-unread");
  gtk_button_set_icon_name (self->read_button,
                            unread ? "mail-read-symbolic" : "mail-unread-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->read_button),
                               unread ? _("Mark as Read on This Computer (not sent to the server yet)")
                                      : _("Mark as Unread on This Computer (not sent to the server yet)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->read_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  unread ? _("Mark as Read") : _("Mark as Unread"),
                                  -1);
}

typedef struct
{
  EmberWindow      *self;
  EmberMessageItem *item;
  gboolean          unread;
} UnreadChange;

static void
unread_change_free (UnreadChange *change)
{
  g_object_unref (change->self);
  g_object_unref (change->item);
  g_free (change);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UnreadChange, unread_change_free)

static void
unread_set_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(UnreadChange) change = user_data;
  EmberWindow *self = change->self;
  g_autoptr(GError) error = NULL;

  if (!ember_store_set_message_unread_finish (EMBER_STORE (object), result, &error))
    {
      /* A message the sync removed meanwhile has nothing left to mark. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          !g_error_matches (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND))
        {
          g_autoptr(EmberUserError) user_error = ember_user_error_new_from_error (error);

          ember_window_show_error (self, user_error, 0);
        }
      return;
    }

  /* The row's dot follows the item; the counts are read from the store. */
  ember_message_item_set_unread (change->item, change->unread);
  /* Search results are items of their own: the folder's list catches up. */
  if (self->showing_search && self->folder_model != NULL)
    ember_message_list_model_refresh (self->folder_model);
  reload_sidebar (self);
}

static void
set_unread (EmberWindow      *self,
            EmberMessageItem *item,
            gboolean          unread)
{
  UnreadChange *change;

  /* A row still being read back does not know its state yet: write it. */
  if (item == NULL || self->store == NULL ||
      (ember_message_item_get_loaded (item) && ember_message_item_get_unread (item) == unread))
    return;

  change = g_new0 (UnreadChange, 1);
  change->self = g_object_ref (self);
  change->item = g_object_ref (item);
  change->unread = unread;
  ember_store_set_message_unread_async (self->store, ember_message_item_get_id (item), unread,
                                        self->cancellable, unread_set_cb, change);
}

/* Like GNOME's mail clients: a message counts as read once the reader
 * shows it (not while it is still loading, nor when it failed to load). */
static void
reader_loading_cb (EmberWindow *self)
{
  EmberMessageItem *item = self->selected_item;

  if (item == NULL || !self->mark_read_on_show ||
      ember_message_view_get_loading (self->message_view) ||
      ember_message_view_get_message_id (self->message_view) != ember_message_item_get_id (item) ||
      !ember_message_view_get_shown (self->message_view))
    return;

  self->mark_read_on_show = FALSE;
  set_unread (self, item, FALSE);
}

static void
set_selected_item (EmberWindow      *self,
                   EmberMessageItem *item)
{
  if (self->selected_item == item)
    return;

  if (self->selected_item != NULL)
    g_signal_handlers_disconnect_by_func (self->selected_item, update_read_actions, self);
  g_set_object (&self->selected_item, item);
  self->mark_read_on_show = item != NULL;
  if (item != NULL)
    g_signal_connect_object (item, "notify::unread", G_CALLBACK (update_read_actions), self, G_CONNECT_SWAPPED);
  update_read_actions (self);
}

static void
selection_changed_cb (EmberWindow *self)
{
  EmberMessageItem *item = gtk_single_selection_get_selected_item (self->selection);

  set_selected_item (self, item);
  show_message (self, item);
}

static void
message_activated_cb (EmberWindow *self,
                      guint        position)
{
  gtk_single_selection_set_selected (self->selection, position);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->reader_pane);
}

/* The sidebar */

static void
open_entry (EmberWindow        *self,
            const SidebarEntry *entry)
{
  EmberMessageQuery query = { 0 };

  g_free (self->selected_key);
  self->selected_key = sidebar_entry_key (entry);
  gtk_inscription_set_text (self->list_title, entry->title);
  gtk_window_set_title (GTK_WINDOW (self), entry->title);

  if (entry->kind == ENTRY_CALENDAR)
    {
      ember_agenda_view_reload (self->agenda_view);
      ember_stack_pages_show (self->list_stack, "agenda");
      gtk_widget_set_visible (self->reader_pane, FALSE);
      gtk_widget_set_visible (self->reader_separator, FALSE);
      return;
    }

  gtk_widget_set_visible (self->reader_pane, TRUE);
  gtk_widget_set_visible (self->reader_separator, TRUE);
  ember_stack_pages_show (self->list_stack, "list");

  if (entry->kind == ENTRY_UNIFIED_INBOX)
    query.scope = EMBER_MESSAGE_SCOPE_INBOX;
  else
    {
      query.scope = EMBER_MESSAGE_SCOPE_FOLDER;
      query.account_id = entry->account_id;
      query.folder_id = entry->folder_id;
    }

  if (self->folder_model != NULL)
    g_signal_handlers_disconnect_by_data (self->folder_model, self);
  g_clear_object (&self->folder_model);
  self->folder_model = ember_message_list_model_new (self->store, &query);
  g_signal_connect_object (self->folder_model, "notify::loading",
                           G_CALLBACK (update_list_page), self, G_CONNECT_SWAPPED);
  /* A message to reveal may come with a later page. */
  g_signal_connect_object (self->folder_model, "notify::loading",
                           G_CALLBACK (queue_select_revealed_message), self, G_CONNECT_SWAPPED);

  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  self->showing_search = FALSE;
  set_list_model (self, G_LIST_MODEL (self->folder_model));
}

static void
sidebar_row_selected_cb (EmberWindow   *self,
                         GtkListBoxRow *row)
{
  SidebarEntry *entry;

  if (row == NULL)
    return;

  entry = g_object_get_data (G_OBJECT (row), "entry");
  if (entry == NULL)
    return;

  open_entry (self, entry);
}

static void
sidebar_row_activated_cb (EmberWindow   *self,
                          GtkListBoxRow *row)
{
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->list_pane);
}

static const char *
folder_icon (EmberFolderKind kind)
{
  switch (kind)
    {
    case EMBER_FOLDER_KIND_INBOX: return "mail-read-symbolic";
    case EMBER_FOLDER_KIND_SENT: return "mail-send-symbolic";
    case EMBER_FOLDER_KIND_ARCHIVE: return "folder-symbolic";
    case EMBER_FOLDER_KIND_TRASH: return "user-trash-symbolic";
    case EMBER_FOLDER_KIND_DRAFTS: return "document-edit-symbolic";
    case EMBER_FOLDER_KIND_JUNK: return "dialog-warning-symbolic";
    case EMBER_FOLDER_KIND_LABEL: return "user-bookmarks-symbolic";
    case EMBER_FOLDER_KIND_OTHER:
    default: return "folder-symbolic";
    }
}

static const char *
folder_title (const EmberFolderRecord *folder)
{
  switch (folder->kind)
    {
    case EMBER_FOLDER_KIND_INBOX: return _("Inbox");
    case EMBER_FOLDER_KIND_SENT: return _("Sent");
    case EMBER_FOLDER_KIND_TRASH: return _("Trash");
    case EMBER_FOLDER_KIND_DRAFTS: return _("Drafts");
    case EMBER_FOLDER_KIND_JUNK: return _("Junk");
    case EMBER_FOLDER_KIND_ARCHIVE:
    case EMBER_FOLDER_KIND_LABEL:
    case EMBER_FOLDER_KIND_OTHER:
    default: return folder->name;
    }
}

/* Shows @unread on the row's badge and in its accessible name. */
static void
set_sidebar_row_unread (GtkWidget *row,
                        gint64     unread)
{
  SidebarEntry *entry = g_object_get_data (G_OBJECT (row), "entry");
  GtkLabel *badge = g_object_get_data (G_OBJECT (row), "badge");

  if (unread > 0)
    {
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, unread);
      g_autofree char *accessible = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %s unread", "%s, %s unread", unread),
                                                     entry->title, count);

      gtk_label_set_text (badge, count);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
    }
  else
    gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, entry->title, -1);
  gtk_widget_set_visible (GTK_WIDGET (badge), unread > 0);
}

static GtkWidget *
make_sidebar_row (const char              *icon_name,
                  const char              *title,
                  gint64                   unread,
                  EntryKind                kind,
                  gint64                   account_id,
                  const EmberFolderRecord *folder)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *badge = gtk_label_new (NULL);
  SidebarEntry *entry = g_new0 (SidebarEntry, 1);

  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (icon_name));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_add_css_class (badge, "dim-label");
  gtk_widget_add_css_class (badge, "numeric");
  gtk_box_append (GTK_BOX (box), badge);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  entry->kind = kind;
  entry->account_id = account_id;
  if (folder != NULL)
    {
      entry->folder_id = folder->id;
      entry->folder_provider_id = g_strdup (folder->provider_id);
      entry->folder_kind = folder->kind;
    }
  entry->title = g_strdup (title);
  g_object_set_data_full (G_OBJECT (row), "entry", entry, sidebar_entry_free);
  g_object_set_data (G_OBJECT (row), "badge", badge);
  set_sidebar_row_unread (row, unread);

  return row;
}

static GtkWidget *
make_sidebar_heading (const char *text)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_margin_top (label, 12);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  g_object_set_data_full (G_OBJECT (row), "heading", g_strdup (text), g_free);

  return row;
}

/* One sidebar row to be: a heading (an account's address) or an entry. */
typedef struct
{
  const char              *heading;
  const char              *icon_name;
  const char              *title;
  gint64                   unread;
  EntryKind                kind;
  gint64                   account_id;
  const EmberFolderRecord *folder;
} SidebarSpec;

static GtkWidget *
make_sidebar_child (const SidebarSpec *spec)
{
  if (spec->heading != NULL)
    return make_sidebar_heading (spec->heading);

  return make_sidebar_row (spec->icon_name, spec->title, spec->unread, spec->kind, spec->account_id, spec->folder);
}

/* Whether the sidebar's @child already is the row @spec describes
 * (counts aside). */
static gboolean
sidebar_row_shows (GtkWidget         *child,
                   const SidebarSpec *spec)
{
  SidebarEntry *entry = g_object_get_data (G_OBJECT (child), "entry");

  if (spec->heading != NULL)
    return g_strcmp0 (g_object_get_data (G_OBJECT (child), "heading"), spec->heading) == 0;

  return entry != NULL && entry->kind == spec->kind && entry->account_id == spec->account_id &&
         entry->folder_id == (spec->folder != NULL ? spec->folder->id : 0) &&
         g_strcmp0 (entry->title, spec->title) == 0;
}

typedef struct
{
  EmberWindow *self;
  GPtrArray   *accounts;
  /* While new rows are added, a few per frame: */
  GPtrArray   *folders;
  GArray      *specs;      /* SidebarSpec, pointing into accounts and folders */
  guint        n_shown;    /* rows of specs in the sidebar */
} SidebarLoad;

static void
sidebar_load_free (SidebarLoad *load)
{
  EmberWindow *self = load->self;

  g_clear_pointer (&load->accounts, g_ptr_array_unref);
  g_clear_pointer (&load->folders, g_ptr_array_unref);
  g_clear_pointer (&load->specs, g_array_unref);
  g_free (load);

  /* Syncs finishing together ask for many reloads: one more covers them. */
  self->sidebar_loading = FALSE;
  if (self->sidebar_stale && !g_cancellable_is_cancelled (self->cancellable))
    reload_sidebar (self);
  g_object_unref (self);
}

static void
finish_sidebar_load (EmberWindow *self,
                     SidebarLoad *load)
{
  /* Later reloads (after syncs) leave a running reveal to the list. */
  if (!self->sidebar_loaded)
    {
      self->sidebar_loaded = TRUE;
      reveal_pending (self);
    }
  sidebar_load_free (load);
}

/* New rows, a few per frame: two accounts bring some thirty rows, and
 * making them all at once took more than a frame (while their sync starts
 * bringing the first messages). */
#define SIDEBAR_FILL_BATCH       4
#define SIDEBAR_FILL_INTERVAL_MS 16
/* Below the message list's own batches (EXPOSE_PRIORITY): two batches due
 * at once would run in one main-loop iteration, one frame's worth each. */
#define SIDEBAR_FILL_PRIORITY    (G_PRIORITY_HIGH_IDLE + 40)

/* Adds the next batch of rows; TRUE while more remain. */
static gboolean
add_sidebar_rows (SidebarLoad *load)
{
  guint end = MIN (load->n_shown + SIDEBAR_FILL_BATCH, load->specs->len);

  for (; load->n_shown < end; load->n_shown++)
    gtk_list_box_append (load->self->sidebar,
                         make_sidebar_child (&g_array_index (load->specs, SidebarSpec, load->n_shown)));

  return load->n_shown < load->specs->len;
}

/* All rows are there: select the open entry's again. */
static void
sidebar_rows_added (SidebarLoad *load)
{
  EmberWindow *self = load->self;
  GtkListBoxRow *to_select = NULL;
  GtkWidget *child;

  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      SidebarEntry *entry = g_object_get_data (G_OBJECT (child), "entry");
      g_autofree char *key = entry != NULL ? sidebar_entry_key (entry) : NULL;

      if (entry != NULL && to_select == NULL)
        to_select = GTK_LIST_BOX_ROW (child);
      if (key != NULL && g_strcmp0 (key, self->selected_key) == 0)
        {
          to_select = GTK_LIST_BOX_ROW (child);
          break;
        }
    }

  /* Re-selecting the open folder must not rebuild its list. */
  g_signal_handlers_block_by_func (self->sidebar, sidebar_row_selected_cb, self);
  gtk_list_box_select_row (self->sidebar, to_select);
  g_signal_handlers_unblock_by_func (self->sidebar, sidebar_row_selected_cb, self);
  if (to_select != NULL && self->folder_model == NULL &&
      !showing_agenda (self))
    sidebar_row_selected_cb (self, to_select);

  finish_sidebar_load (self, load);
}

static gboolean
add_sidebar_rows_cb (gpointer data)
{
  SidebarLoad *load = data;

  if (add_sidebar_rows (load))
    return G_SOURCE_CONTINUE;

  load->self->sidebar_fill_source = 0;
  load->self->sidebar_fill = NULL;
  sidebar_rows_added (load);
  return G_SOURCE_REMOVE;
}

static void
folders_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SidebarLoad *load = user_data;
  EmberWindow *self = load->self;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GArray) specs = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;
  gint64 inbox_unread = 0;

  folders = ember_store_list_folders_finish (EMBER_STORE (object), result, &error);
  if (folders == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read folders: %s", error->message);
      sidebar_load_free (load);
      return;
    }

  for (guint i = 0; i < folders->len; i++)
    {
      EmberFolderRecord *folder = g_ptr_array_index (folders, i);

      if (folder->kind == EMBER_FOLDER_KIND_INBOX)
        inbox_unread += folder->unread_count;
    }

  specs = g_array_new (FALSE, TRUE, sizeof (SidebarSpec));
  g_array_append_val (specs, ((SidebarSpec) { .icon_name = "mail-read-symbolic", .title = _("All Inboxes"),
                                              .unread = inbox_unread, .kind = ENTRY_UNIFIED_INBOX }));
  g_array_append_val (specs, ((SidebarSpec) { .icon_name = "x-office-calendar-symbolic", .title = _("Calendar"),
                                              .kind = ENTRY_CALENDAR }));
  /* The store lists folders inbox first, then by kind and name: well-known
   * folders before user labels. */
  for (guint a = 0; a < load->accounts->len; a++)
    {
      EmberAccountRecord *account = g_ptr_array_index (load->accounts, a);

      g_array_append_val (specs, ((SidebarSpec) { .heading = account->email }));
      for (guint i = 0; i < folders->len; i++)
        {
          EmberFolderRecord *folder = g_ptr_array_index (folders, i);

          if (folder->account_id != account->id)
            continue;
          g_array_append_val (specs, ((SidebarSpec) { .icon_name = folder_icon (folder->kind),
                                                      .title = folder_title (folder),
                                                      .unread = folder->unread_count,
                                                      .kind = ENTRY_FOLDER,
                                                      .account_id = account->id,
                                                      .folder = folder }));
        }
    }

  /* Most reloads (after a sync) only change counts, and accounts come and
   * go at the end: rows that stay are kept. Rebuilding every row would
   * cost the main loop a few dozen milliseconds and flicker. */
  child = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar));
  while (child != NULL && load->n_shown < specs->len &&
         sidebar_row_shows (child, &g_array_index (specs, SidebarSpec, load->n_shown)))
    {
      const SidebarSpec *spec = &g_array_index (specs, SidebarSpec, load->n_shown);

      if (spec->heading == NULL)
        set_sidebar_row_unread (child, spec->unread);
      load->n_shown++;
      child = gtk_widget_get_next_sibling (child);
    }
  if (child == NULL && load->n_shown == specs->len)
    {
      finish_sidebar_load (self, load);
      return;
    }

  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      gtk_list_box_remove (self->sidebar, child);
      child = next;
    }
  load->folders = g_steal_pointer (&folders);
  load->specs = g_steal_pointer (&specs);
  if (!add_sidebar_rows (load))
    {
      sidebar_rows_added (load);
      return;
    }
  self->sidebar_fill = load;
  self->sidebar_fill_source = g_timeout_add_full (SIDEBAR_FILL_PRIORITY, SIDEBAR_FILL_INTERVAL_MS,
                                                  add_sidebar_rows_cb, load, NULL);
}

static void
accounts_loaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  SidebarLoad *load = user_data;
  EmberWindow *self = load->self;
  g_autoptr(GError) error = NULL;

  load->accounts = ember_store_list_accounts_finish (EMBER_STORE (object), result, &error);
  if (load->accounts == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read accounts: %s", error->message);
      sidebar_load_free (load);
      return;
    }

  if (load->accounts->len == 0 && !demo_signing_in (self))
    {
      ember_stack_pages_show (self->main_stack, "empty");
      gtk_window_set_title (GTK_WINDOW (self), _("Welcome to Ember"));
      sidebar_load_free (load);
      return;
    }

  ember_stack_pages_show (self->main_stack, "mail");

  /* At start, show the unified inbox (the first entry) right away rather
   * than after the folders' unread counts, which read every message. */
  if (self->selected_key == NULL)
    {
      SidebarEntry inbox = { .kind = ENTRY_UNIFIED_INBOX, .title = (char *) _("All Inboxes") };

      open_entry (self, &inbox);
    }

  ember_store_list_folders_async (self->store, 0, self->cancellable, folders_loaded_cb, load);
}

static void
reload_sidebar (EmberWindow *self)
{
  SidebarLoad *load;

  if (self->store == NULL)
    return;

  if (self->sidebar_loading)
    {
      self->sidebar_stale = TRUE;
      return;
    }
  self->sidebar_loading = TRUE;
  self->sidebar_stale = FALSE;

  load = g_new0 (SidebarLoad, 1);
  load->self = g_object_ref (self);
  ember_store_list_accounts_async (self->store, self->cancellable, accounts_loaded_cb, load);
}

/* Showing a message or an event (a clicked notification) */

static GtkListBoxRow *
find_sidebar_row (EmberWindow *self,
                  gboolean   (*match) (const SidebarEntry *entry,
                                       gconstpointer       data),
                  gconstpointer data)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      SidebarEntry *entry = g_object_get_data (G_OBJECT (child), "entry");

      if (entry != NULL && match (entry, data))
        return GTK_LIST_BOX_ROW (child);
    }

  return NULL;
}

static gboolean
message_in_folder (const EmberMessageRecord *message,
                   const char               *provider_id)
{
  for (guint i = 0; message->folder_ids != NULL && i < message->folder_ids->len; i++)
    {
      if (g_strcmp0 (g_ptr_array_index (message->folder_ids, i), provider_id) == 0)
        return TRUE;
    }

  return FALSE;
}

/* Whether @entry's list holds the message. */
static gboolean
entry_lists_message (const SidebarEntry *entry,
                     gconstpointer       data)
{
  const EmberMessageRecord *message = data;

  return entry->kind == ENTRY_FOLDER &&
         entry->account_id == message->account_id &&
         message_in_folder (message, entry->folder_provider_id);
}

static gboolean
entry_is_inbox_of_message (const SidebarEntry *entry,
                           gconstpointer       data)
{
  return entry_lists_message (entry, data) && entry->folder_kind == EMBER_FOLDER_KIND_INBOX;
}

static gboolean
entry_is_calendar (const SidebarEntry *entry,
                   gconstpointer       data)
{
  return entry->kind == ENTRY_CALENDAR;
}

static void
open_sidebar_row (EmberWindow   *self,
                  GtkListBoxRow *row)
{
  if (gtk_list_box_get_selected_row (self->sidebar) == row)
    sidebar_row_selected_cb (self, row);
  else
    gtk_list_box_select_row (self->sidebar, row);
}

/* Selects the revealed message's row once the list has read it, reading
 * on while rows at least as new as the message keep coming. */
static void
select_revealed_message (EmberWindow *self)
{
  guint position;

  if (self->reveal_message == NULL || !self->sidebar_loaded || self->folder_model == NULL)
    return;
  if (ember_message_list_model_get_loading (self->folder_model))
    return;

  position = ember_message_list_model_find (self->folder_model, self->reveal_message);
  if (position != G_MAXUINT)
    {
      gint64 id = self->reveal_message->id;

      g_clear_pointer (&self->reveal_message, ember_message_record_free);
      gtk_single_selection_set_selected (self->selection, position);
      gtk_widget_activate_action (GTK_WIDGET (self->message_list), "list.scroll-to-item", "u", position);
      /* The row stands for its whole conversation: show this message. */
      if (ember_message_view_get_message_id (self->message_view) != id)
        ember_message_view_show_message (self->message_view, id);
      return;
    }

  if (!ember_message_list_model_read_towards (self->folder_model, self->reveal_message))
    /* Not in this list after all (moved meanwhile): the reader has it. */
    g_clear_pointer (&self->reveal_message, ember_message_record_free);
}

static gboolean
select_revealed_message_idle (gpointer data)
{
  EmberWindow *self = data;

  self->reveal_idle = 0;
  select_revealed_message (self);

  return G_SOURCE_REMOVE;
}

/* The model says it is done loading before it announces the new rows:
 * look for the message once the selection knows them too. */
static void
queue_select_revealed_message (EmberWindow *self)
{
  if (self->reveal_message != NULL && self->reveal_idle == 0)
    self->reveal_idle = g_idle_add (select_revealed_message_idle, self);
}

static void
reveal_message (EmberWindow *self)
{
  const EmberMessageRecord *message = self->reveal_message;
  GtkListBoxRow *selected = gtk_list_box_get_selected_row (self->sidebar);
  SidebarEntry *current = selected != NULL ? g_object_get_data (G_OBJECT (selected), "entry") : NULL;
  GtkListBoxRow *row = NULL;

  /* The open list if it has the message (the unified inbox has every
   * inbox), else the message's inbox, else its first folder in the
   * sidebar's order. */
  if (current != NULL && !gtk_search_bar_get_search_mode (self->search_bar) &&
      (entry_lists_message (current, message) ||
       (current->kind == ENTRY_UNIFIED_INBOX &&
        find_sidebar_row (self, entry_is_inbox_of_message, message) != NULL)))
    row = selected;
  if (row == NULL)
    row = find_sidebar_row (self, entry_is_inbox_of_message, message);
  if (row == NULL)
    row = find_sidebar_row (self, entry_lists_message, message);

  if (row != NULL && row != selected)
    open_sidebar_row (self, row);
  else if (row != NULL)
    gtk_search_bar_set_search_mode (self->search_bar, FALSE);

  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->reader_pane);
  ember_message_view_show_message (self->message_view, message->id);

  if (row == NULL)
    g_clear_pointer (&self->reveal_message, ember_message_record_free);
  else
    select_revealed_message (self);
}

static void
reveal_event (EmberWindow *self)
{
  GtkListBoxRow *row = find_sidebar_row (self, entry_is_calendar, NULL);
  gint64 event_id = self->reveal_event_id;

  self->reveal_event_id = 0;
  if (row == NULL)
    return;

  /* Opening the calendar reloads the agenda; the event is selected when
   * its rows are there. */
  open_sidebar_row (self, row);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->list_pane);
  ember_agenda_view_show_event (self->agenda_view, event_id);
}

static void
reveal_pending (EmberWindow *self)
{
  if (!self->sidebar_loaded)
    return;

  if (self->reveal_event_id != 0)
    reveal_event (self);
  else if (self->reveal_message != NULL)
    reveal_message (self);
}

static void
message_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  EmberWindow *self = user_data;
  g_autoptr(EmberMessageRecord) message = NULL;
  g_autoptr(GError) error = NULL;

  message = ember_store_get_message_finish (EMBER_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (message == NULL)
    {
      g_autoptr(EmberUserError) user_error = ember_user_error_new_from_error (error);

      ember_window_show_error (self, user_error, 0);
      return;
    }

  g_clear_pointer (&self->reveal_message, ember_message_record_free);
  self->reveal_message = g_steal_pointer (&message);
  reveal_pending (self);
}

static void
cancel_reveal (EmberWindow *self)
{
  g_cancellable_cancel (self->reveal_cancellable);
  g_clear_object (&self->reveal_cancellable);
  g_clear_pointer (&self->reveal_message, ember_message_record_free);
  g_clear_handle_id (&self->reveal_idle, g_source_remove);
  self->reveal_message_id = 0;
  self->reveal_event_id = 0;
}

void
ember_window_show_message (EmberWindow *self,
                           gint64       message_id)
{
  g_return_if_fail (EMBER_IS_WINDOW (self));
  g_return_if_fail (message_id != 0);

  cancel_reveal (self);
  /* Ember was started by the click: the store is still opening. */
  if (self->store == NULL)
    {
      self->reveal_message_id = message_id;
      return;
    }

  self->reveal_cancellable = g_cancellable_new ();
  /* Cancelled in dispose, so @self needs no reference. */
  ember_store_get_message_async (self->store, message_id, self->reveal_cancellable, message_read_cb, self);
}

void
ember_window_show_event (EmberWindow *self,
                         gint64       event_id)
{
  g_return_if_fail (EMBER_IS_WINDOW (self));
  g_return_if_fail (event_id != 0);

  cancel_reveal (self);
  self->reveal_event_id = event_id;
  reveal_pending (self);
}

/* Search */

static void
search_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  EmberWindow *self = user_data;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GListStore) results = NULL;
  g_autoptr(GError) error = NULL;

  records = ember_store_search_messages_finish (EMBER_STORE (object), result, &error);
  if (records == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autoptr(EmberUserError) user_error = ember_user_error_new_from_error (error);

          ember_window_show_error (self, user_error, 0);
        }
      g_object_unref (self);
      return;
    }

  results = g_list_store_new (EMBER_TYPE_MESSAGE_ITEM);
  g_ptr_array_set_free_func (records, NULL);
  for (guint i = 0; i < records->len; i++)
    {
      g_autoptr(EmberMessageItem) item = ember_message_item_new (g_ptr_array_index (records, i));

      g_list_store_append (results, item);
    }

  self->showing_search = TRUE;
  set_list_model (self, G_LIST_MODEL (results));
  g_object_unref (self);
}

static void
search_changed_cb (EmberWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);

  if (self->store == NULL)
    return;

  if (*text == '\0')
    {
      self->showing_search = FALSE;
      set_list_model (self, G_LIST_MODEL (self->folder_model));
      return;
    }

  if (showing_agenda (self))
    {
      gtk_widget_set_visible (self->reader_pane, TRUE);
      gtk_widget_set_visible (self->reader_separator, TRUE);
      ember_stack_pages_show (self->list_stack, "list");
    }

  /* GtkSearchEntry already waits for a pause in typing (search-delay). */
  self->search_cancellable = g_cancellable_new ();
  ember_store_search_messages_async (self->store, text, 0, 500, self->search_cancellable,
                                     search_done_cb, g_object_ref (self));
}

static void
search_mode_cb (EmberWindow *self)
{
  if (!gtk_search_bar_get_search_mode (self->search_bar))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      self->showing_search = FALSE;
      if (self->folder_model != NULL)
        set_list_model (self, G_LIST_MODEL (self->folder_model));
    }
  update_list_page (self);
}

/* Sync */

static void
account_synced_cb (EmberWindow *self)
{
  reload_sidebar (self);
  /* A hidden agenda is read when it is opened: building its hundreds of
   * rows after every sync cost the main loop ~15 ms for nothing. */
  if (showing_agenda (self))
    ember_agenda_view_reload (self->agenda_view);
  if (self->folder_model != NULL)
    ember_message_list_model_refresh (self->folder_model);
}

/* An account's first sync takes a while: the open list shows what it has
 * brought so far, re-read at most once a second, not only at its end. */
#define FIRST_SYNC_REFRESH_MS 1000

static gboolean
first_sync_refresh_cb (gpointer data)
{
  EmberWindow *self = data;

  self->first_sync_refresh = 0;
  if (self->folder_model != NULL && !self->showing_search)
    ember_message_list_model_refresh (self->folder_model);

  return G_SOURCE_REMOVE;
}

static void
sync_progress_cb (EmberWindow *self)
{
  if (self->first_sync_refresh == 0 && self->folder_model != NULL && first_sync_running (self))
    self->first_sync_refresh = g_timeout_add (FIRST_SYNC_REFRESH_MS, first_sync_refresh_cb, self);
}

static void
sync_error_cb (EmberWindow          *self,
               gint64                account_id,
               const EmberUserError *error)
{
  ember_window_show_error (self, error, account_id);
}

static void
sync_manager_changed_cb (EmberWindow      *self,
                         GParamSpec       *pspec,
                         EmberApplication *app)
{
  EmberSyncManager *manager = ember_application_get_sync_manager (app);

  if (self->sync_manager == manager)
    return;

  if (self->sync_manager != NULL)
    g_signal_handlers_disconnect_by_data (self->sync_manager, self);
  g_set_object (&self->sync_manager, manager);
  ember_sync_indicator_set_manager (self->sync_indicator, manager);
  if (manager == NULL)
    return;

  g_signal_connect_object (manager, "account-synced", G_CALLBACK (account_synced_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "sync-error", G_CALLBACK (sync_error_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "progress", G_CALLBACK (sync_progress_cb), self, G_CONNECT_SWAPPED);
  /* Accounts added or removed elsewhere (Preferences, the CLI). */
  g_signal_connect_object (manager, "account-status-changed", G_CALLBACK (reload_sidebar), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "account-status-changed", G_CALLBACK (update_list_page), self, G_CONNECT_SWAPPED);
}

static void
store_changed_cb (EmberWindow      *self,
                  GParamSpec       *pspec,
                  EmberApplication *app)
{
  EmberStore *store = ember_application_get_store (app);

  if (!g_set_object (&self->store, store))
    return;

  ember_message_view_set_store (self->message_view, store);
  ember_agenda_view_set_store (self->agenda_view, store);
  reload_sidebar (self);
  if (store != NULL && self->reveal_message_id != 0)
    ember_window_show_message (self, self->reveal_message_id);
}

/* Benchmarks */

/* EMBER_REPORT_FIRST_FRAME=1 (the GUI benchmarks): print
 * "EMBER_FIRST_FRAME <g_get_monotonic_time ()>" on stdout after the first
 * frame painted with rows in the message list, so a parent process can time
 * a cold start to the first useful frame. */
static void
first_frame_after_paint_cb (GdkFrameClock *clock,
                            EmberWindow   *self)
{
  GListModel *model = gtk_single_selection_get_model (self->selection);

  if (model == NULL || g_list_model_get_n_items (model) == 0 ||
      !gtk_widget_is_drawable (GTK_WIDGET (self->message_list)) ||
      gtk_widget_get_first_child (GTK_WIDGET (self->message_list)) == NULL)
    return;

  g_print ("EMBER_FIRST_FRAME %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  fflush (stdout);
  g_signal_handlers_disconnect_by_func (clock, first_frame_after_paint_cb, self);
}

static void
report_first_frame_realize_cb (EmberWindow *self)
{
  g_signal_connect_object (gtk_widget_get_frame_clock (GTK_WIDGET (self)), "after-paint",
                           G_CALLBACK (first_frame_after_paint_cb), self, 0);
}

/* Actions */

static void
sync_now_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  EmberWindow *self = EMBER_WINDOW (widget);

  if (self->sync_manager != NULL)
    ember_sync_manager_sync_now (self->sync_manager, 0);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  EmberWindow *self = EMBER_WINDOW (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "mail") != 0)
    return;

  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->list_pane);
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
move_selection (EmberWindow *self,
                int          delta)
{
  GListModel *model = gtk_single_selection_get_model (self->selection);
  guint selected = gtk_single_selection_get_selected (self->selection);
  guint n = model != NULL ? g_list_model_get_n_items (model) : 0;
  guint next;

  if (n == 0)
    return;

  if (selected == GTK_INVALID_LIST_POSITION)
    next = 0;
  else if (delta < 0)
    next = selected > 0 ? selected - 1 : 0;
  else
    next = MIN (selected + 1, n - 1);

  gtk_single_selection_set_selected (self->selection, next);
  gtk_widget_activate_action (GTK_WIDGET (self->message_list), "list.scroll-to-item", "u", next);
}

static void
next_message_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  move_selection (EMBER_WINDOW (widget), +1);
}

static void
previous_message_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  move_selection (EMBER_WINDOW (widget), -1);
}

static void
mark_read_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  EmberWindow *self = EMBER_WINDOW (widget);

  self->mark_read_on_show = FALSE;
  set_unread (self, self->selected_item, FALSE);
}

static void
mark_unread_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  EmberWindow *self = EMBER_WINDOW (widget);

  /* The person's choice wins over the reader finishing its load. */
  self->mark_read_on_show = FALSE;
  set_unread (self, self->selected_item, TRUE);
}

static void
show_sidebar_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  EmberWindow *self = EMBER_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar_pane);
}

static void
show_list_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  EmberWindow *self = EMBER_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->list_pane);
}

/* Window state */

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

/* Font warm-up
 *
 * The first rows to appear would shape and rasterize every glyph they use
 * in each of their text styles, in one frame: ~15–25 ms on a software
 * renderer, while a sync is bringing them in. Two invisible specimen rows
 * (read and unread) are laid out with the mail view, and the glyphs are
 * drawn off screen, a piece of sample text per tick, then the icons
 * loaded, while the main loop has nothing else to do. */

#define WARM_UP_INTERVAL_MS 10

/* The icons the sidebar and the rows show first (after every folder
 * kind's): drawing one the first time reads and renders its SVG (1–3 ms
 * each). */
static const struct
{
  const char *name;
  int         size;
} warm_up_icons[] = {
  { "x-office-calendar-symbolic", 16 }, { "mail-attachment-symbolic", 16 }, { "media-record-symbolic", 8 },
};

#define N_WARM_UP_ICONS (EMBER_FOLDER_KIND_OTHER + 1 + G_N_ELEMENTS (warm_up_icons))

/* Loads the icon as a GtkImage of the window would look it up (with and
 * without preloading, which are different cache entries). */
static void
warm_up_icon (EmberWindow *self,
              const char  *name,
              int          size)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (self)));
  GtkIconLookupFlags flags[] = { 0, GTK_ICON_LOOKUP_PRELOAD };

  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    {
      g_autoptr(GtkIconPaintable) icon = NULL;
      GtkSnapshot *snapshot = gtk_snapshot_new ();
      g_autoptr(GskRenderNode) node = NULL;

      icon = gtk_icon_theme_lookup_icon (theme, name, NULL, size,
                                         gtk_widget_get_scale_factor (GTK_WIDGET (self)),
                                         gtk_widget_get_direction (GTK_WIDGET (self)), flags[i]);
      gdk_paintable_snapshot (GDK_PAINTABLE (icon), snapshot, size, size);
      node = gtk_snapshot_free_to_node (snapshot);
    }
}

static gboolean
warm_up_cb (gpointer data)
{
  EmberWindow *self = data;

  for (guint i = 0; i < G_N_ELEMENTS (self->specimens); i++)
    {
      if (self->specimens[i] == NULL)
        continue;

      /* Laid out only while the mail view shows: wait for "map" again. */
      if (!gtk_widget_get_mapped (self->specimens[i]) || gtk_widget_get_width (self->specimens[i]) == 0)
        {
          self->warm_up_source = 0;
          return G_SOURCE_REMOVE;
        }

      if (ember_message_row_warm_up_next (EMBER_MESSAGE_ROW (self->specimens[i])))
        return G_SOURCE_CONTINUE;

      gtk_overlay_remove_overlay (self->list_overlay, self->specimens[i]);
      self->specimens[i] = NULL;
      return G_SOURCE_CONTINUE;
    }

  if (self->n_icons_warmed <= EMBER_FOLDER_KIND_OTHER)
    {
      warm_up_icon (self, folder_icon ((EmberFolderKind) self->n_icons_warmed++), 16);
      return G_SOURCE_CONTINUE;
    }
  if (self->n_icons_warmed < N_WARM_UP_ICONS)
    {
      guint i = self->n_icons_warmed++ - (EMBER_FOLDER_KIND_OTHER + 1);

      warm_up_icon (self, warm_up_icons[i].name, warm_up_icons[i].size);
      return G_SOURCE_CONTINUE;
    }

  self->warm_up_source = 0;
  return G_SOURCE_REMOVE;
}

static void
specimen_mapped_cb (EmberWindow *self)
{
  if (self->warm_up_source == 0)
    self->warm_up_source = g_timeout_add_full (G_PRIORITY_LOW, WARM_UP_INTERVAL_MS, warm_up_cb, self, NULL);
}

static void
add_specimens (EmberWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->specimens); i++)
    {
      self->specimens[i] = ember_message_row_new_specimen (i == 0);
      gtk_widget_set_valign (self->specimens[i], GTK_ALIGN_START);
      gtk_overlay_add_overlay (self->list_overlay, self->specimens[i]);
      g_signal_connect_object (self->specimens[i], "map",
                               G_CALLBACK (specimen_mapped_cb), self, G_CONNECT_SWAPPED);
    }
}

static gboolean
ember_window_close_request (GtkWindow *window)
{
  save_window_state (EMBER_WINDOW (window));

  return GTK_WINDOW_CLASS (ember_window_parent_class)->close_request (window);
}

static void
application_set_cb (EmberWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  EmberDemo *demo;

  if (app == NULL || g_object_get_data (G_OBJECT (self), "ember-app-connected") != NULL)
    return;

  g_object_set_data (G_OBJECT (self), "ember-app-connected", GINT_TO_POINTER (TRUE));
  g_signal_connect_object (app, "notify::store", G_CALLBACK (store_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (app, "notify::sync-manager", G_CALLBACK (sync_manager_changed_cb), self, G_CONNECT_SWAPPED);
  demo = ember_demo_get (EMBER_APPLICATION (app));
  if (demo != NULL)
    {
      g_signal_connect_object (demo, "notify::pending", G_CALLBACK (reload_sidebar), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (demo, "notify::pending", G_CALLBACK (update_list_page), self, G_CONNECT_SWAPPED);
    }
  /* No need to wait for the store's word: the first frame shows mail. */
  if (demo_signing_in (self))
    ember_stack_pages_show (self->main_stack, "mail");
  store_changed_cb (self, NULL, EMBER_APPLICATION (app));
  sync_manager_changed_cb (self, NULL, EMBER_APPLICATION (app));
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

  /* "application" is normally set after construction (notify::application
   * then catches it). */
  application_set_cb (self);
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

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->search_cancellable);
  cancel_reveal (self);
  g_clear_handle_id (&self->warm_up_source, g_source_remove);
  g_clear_handle_id (&self->first_sync_refresh, g_source_remove);
  if (self->sidebar_fill_source != 0)
    {
      g_clear_handle_id (&self->sidebar_fill_source, g_source_remove);
      sidebar_load_free (g_steal_pointer (&self->sidebar_fill));
    }
  if (self->sync_manager != NULL)
    g_signal_handlers_disconnect_by_data (self->sync_manager, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), EMBER_TYPE_WINDOW);
  if (self->selected_item != NULL)
    g_signal_handlers_disconnect_by_func (self->selected_item, update_read_actions, self);
  g_clear_object (&self->selected_item);
  g_clear_object (&self->selection);
  g_clear_object (&self->folder_model);
  g_clear_object (&self->sync_manager);
  g_clear_object (&self->store);
  g_clear_object (&self->search_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->selected_key, g_free);

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

  g_type_ensure (EMBER_TYPE_SYNC_INDICATOR);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/ember-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, sidebar_pane);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, list_pane);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, reader_pane);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, reader_separator);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, list_title);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, sync_indicator);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, list_overlay);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, message_list);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, agenda_bin);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, reader_bin);
  gtk_widget_class_bind_template_child (widget_class, EmberWindow, read_button);

  gtk_widget_class_install_action (widget_class, "win.sync-now", NULL, sync_now_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.next-message", NULL, next_message_action);
  gtk_widget_class_install_action (widget_class, "win.previous-message", NULL, previous_message_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.show-list", NULL, show_list_action);

  gtk_widget_class_install_action (widget_class, "win.mark-read", NULL, mark_read_action);
  gtk_widget_class_install_action (widget_class, "win.mark-unread", NULL, mark_unread_action);

  /* Shortcuts with modifiers are application accels (ember-application-
   * actions.c). Bare letters are bindings of the window instead: those run
   * after the focused widget, so typing j or k in the search entry types. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_j, 0, "win.next-message", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, 0, "win.previous-message", NULL);
}

static void
ember_window_init (EmberWindow *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));
  ember_stack_pages_init (self->main_stack);
  ember_stack_pages_init (self->list_stack);

  self->cancellable = g_cancellable_new ();

  self->message_view = EMBER_MESSAGE_VIEW (ember_message_view_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->message_view), TRUE);
  gtk_box_append (self->reader_bin, GTK_WIDGET (self->message_view));
  g_signal_connect_object (self->message_view, "notify::loading",
                           G_CALLBACK (reader_loading_cb), self, G_CONNECT_SWAPPED);
  self->agenda_view = EMBER_AGENDA_VIEW (ember_agenda_view_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->agenda_view), TRUE);
  gtk_box_append (self->agenda_bin, GTK_WIDGET (self->agenda_view));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), NULL);
  gtk_list_view_set_factory (self->message_list, factory);
  g_object_unref (factory);

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_list_view_set_model (self->message_list, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->message_list, "activate",
                           G_CALLBACK (message_activated_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->sidebar, "row-selected",
                           G_CALLBACK (sidebar_row_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sidebar, "row-activated",
                           G_CALLBACK (sidebar_row_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "search-changed",
                           G_CALLBACK (search_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_bar, "notify::search-mode-enabled",
                           G_CALLBACK (search_mode_cb), self, G_CONNECT_SWAPPED);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  g_signal_connect_object (self, "notify::application",
                           G_CALLBACK (application_set_cb), self, G_CONNECT_SWAPPED);

  update_read_actions (self);
  add_specimens (self);
  if (g_strcmp0 (g_getenv ("EMBER_REPORT_FIRST_FRAME"), "1") == 0)
    g_signal_connect (self, "realize", G_CALLBACK (report_first_frame_realize_cb), NULL);

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}


/* Screenshot mode (ember-window-private.h) */

guint
_ember_window_get_n_rows (EmberWindow *self)
{
  GListModel *model;

  g_return_val_if_fail (EMBER_IS_WINDOW (self), 0);

  model = gtk_single_selection_get_model (self->selection);
  if (model == NULL || g_strcmp0 (gtk_stack_get_visible_child_name (self->list_stack), "list") != 0)
    return 0;

  return g_list_model_get_n_items (model);
}

void
_ember_window_open_calendar (EmberWindow *self)
{
  g_return_if_fail (EMBER_IS_WINDOW (self));

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      SidebarEntry *entry = g_object_get_data (G_OBJECT (child), "entry");

      if (entry != NULL && entry->kind == ENTRY_CALENDAR)
        {
          gtk_list_box_select_row (self->sidebar, GTK_LIST_BOX_ROW (child));
          return;
        }
    }
}

void
_ember_window_search (EmberWindow *self,
                      const char  *text)
{
  g_return_if_fail (EMBER_IS_WINDOW (self));
  g_return_if_fail (text != NULL);

  gtk_widget_activate_action (GTK_WIDGET (self), "win.search", NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  gtk_editable_set_position (GTK_EDITABLE (self->search_entry), -1);
}
