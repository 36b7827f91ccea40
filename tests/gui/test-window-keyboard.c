/* test-window-keyboard.c: the window's shortcuts, marking read and unread
 * on this computer, the shortcuts window and accessible names
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-account-page.h"
#include "ember-add-account-page.h"
#include "ember-gui-test-utils.h"
#include "ember-message-item.h"
#include "ember-message-row.h"
#include "ember-preferences-window.h"
#include "ember-test-utils.h"
#include "ember-window.h"

#define N_MESSAGES 30
#define BASE_DATE  1764000000 /* 2025-11-24 */

/* One Gmail account with an inbox and a label; message i is i minutes newer
 * than BASE_DATE and unread when i is even (15 unread). */
static void
populate_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberStore) store = ember_store_new_sync (NULL, NULL, &error);
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  gint64 account_id;

  g_assert_no_error (error);
  account_id = ember_gui_test_add_offline_account (store);
  ember_gui_test_save_inbox_and_label (store, account_id);

  for (guint i = 0; i < N_MESSAGES; i++)
    g_ptr_array_add (page->messages, ember_gui_test_numbered_message (i, BASE_DATE));
  g_assert_true (ember_store_save_message_page_sync (store, account_id, page, NULL, &error));
  g_assert_no_error (error);
}

static GtkWindow *
start_window (EmberApplication **out_app)
{
  GtkWindow *window;

  /* As test-accounts: subpages come and go at once. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  populate_store ();
  *out_app = ember_gui_test_start_app ();
  window = ember_gui_test_wait_for_window (EMBER_TYPE_WINDOW, 5000);
  g_assert_nonnull (window);

  return window;
}

static GtkSingleSelection *
selection_of (GtkWindow *window)
{
  GtkWidget *list = ember_gui_test_find_widget (GTK_WIDGET (window), GTK_TYPE_LIST_VIEW, NULL, NULL);

  g_assert_nonnull (list);
  return GTK_SINGLE_SELECTION (gtk_list_view_get_model (GTK_LIST_VIEW (list)));
}

static gboolean
list_has_rows (gpointer data)
{
  GListModel *model = gtk_single_selection_get_model (selection_of (data));

  return model != NULL && g_list_model_get_n_items (model) > 0;
}

/* Shortcuts */

/* The key bindings of @widget's class (not the application's accels,
 * which GTK adds to the window in a controller of their own). */
static gboolean
is_class_bindings (GtkEventController *controller)
{
  return GTK_IS_SHORTCUT_CONTROLLER (controller) &&
         g_strcmp0 (gtk_event_controller_get_name (controller), "gtk-widget-class-shortcuts") == 0;
}

/* The keyval trigger of @widget's own key bindings for @keyval + @mods. */
static GtkShortcut *
find_binding (GtkWidget       *widget,
              guint            keyval,
              GdkModifierType  mods)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!is_class_bindings (controller))
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (GTK_IS_KEYVAL_TRIGGER (trigger) &&
              gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == gdk_keyval_to_lower (keyval) &&
              gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == mods)
            return shortcut;
        }
    }

  return NULL;
}

/* The action @accel runs in @window, as GTK resolves a key press: the
 * application's accels first (they capture), then the window's bindings.
 * NULL when nothing handles it. */
static char *
action_for_accel (GtkWindow  *window,
                  const char *accel)
{
  GtkApplication *app = gtk_window_get_application (window);
  g_auto(GStrv) actions = gtk_application_get_actions_for_accel (app, accel);
  GdkModifierType mods;
  GtkShortcut *shortcut;
  GtkShortcutAction *action;
  guint keyval;

  if (actions != NULL && actions[0] != NULL)
    return g_strdup (actions[0]);

  if (!gtk_accelerator_parse (accel, &keyval, &mods))
    g_error ("“%s” is no accelerator", accel);
  shortcut = find_binding (GTK_WIDGET (window), keyval, mods);
  if (shortcut == NULL)
    return NULL;

  action = gtk_shortcut_get_action (shortcut);
  if (!GTK_IS_NAMED_ACTION (action))
    return NULL;
  return g_strdup (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)));
}

/* Runs what pressing @accel in @window runs. */
static void
press (GtkWindow  *window,
       const char *accel)
{
  g_autofree char *detailed = action_for_accel (window, accel);
  g_autofree char *name = NULL;
  g_autoptr(GVariant) target = NULL;
  g_autoptr(GError) error = NULL;

  if (detailed == NULL)
    g_error ("pressing %s in the window does nothing", accel);
  g_action_parse_detailed_name (detailed, &name, &target, &error);
  g_assert_no_error (error);
  if (!gtk_widget_activate_action_variant (GTK_WIDGET (window), name, target))
    g_error ("%s runs %s, which the window does not have", accel, detailed);
}

static guint
selected (GtkWindow *window)
{
  return gtk_single_selection_get_selected (selection_of (window));
}

typedef struct
{
  GtkWindow *window;
  guint      position;
} SelectionWait;

static gboolean
selection_is (gpointer data)
{
  SelectionWait *wait = data;

  return selected (wait->window) == wait->position;
}

static void
press_and_expect_selection (GtkWindow  *window,
                            const char *accel,
                            guint       position)
{
  SelectionWait wait = { window, position };

  press (window, accel);
  if (!ember_test_wait_for (selection_is, &wait, 5000))
    g_error ("expected %s to select row %u, row %u is selected", accel, position, selected (window));
}

/* The sidebar */

static gboolean
label_has_class (GtkWidget *widget,
                 gpointer   data)
{
  return gtk_widget_has_css_class (widget, data);
}

static gboolean
label_has_text (GtkWidget *widget,
                gpointer   data)
{
  return g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), data) == 0;
}

static GtkWidget *
sidebar_row (GtkWindow  *window,
             const char *title)
{
  GtkWidget *sidebar = ember_gui_test_find_widget (GTK_WIDGET (window), GTK_TYPE_LIST_BOX, label_has_class,
                                                   (gpointer) "navigation-sidebar");

  g_assert_nonnull (sidebar);
  for (GtkWidget *row = gtk_widget_get_first_child (sidebar); row != NULL; row = gtk_widget_get_next_sibling (row))
    if (ember_gui_test_find_widget (row, GTK_TYPE_LABEL, label_has_text, (gpointer) title) != NULL)
      return row;

  return NULL;
}

/* The count the sidebar shows next to @title (0: none), -1 without such a row. */
static gint64
sidebar_unread (GtkWindow  *window,
                const char *title)
{
  GtkWidget *row = sidebar_row (window, title);
  GtkWidget *badge;

  if (row == NULL)
    return -1;
  badge = ember_gui_test_find_widget (row, GTK_TYPE_LABEL, label_has_class, (gpointer) "numeric");
  return badge != NULL && gtk_widget_get_visible (badge) ? g_ascii_strtoll (gtk_label_get_text (GTK_LABEL (badge)), NULL, 10) : 0;
}

typedef struct
{
  GtkWindow        *window;
  EmberMessageItem *item;
  gboolean          unread;
  gint64            inbox_unread;
} ReadWait;

static gboolean
row_of_item (GtkWidget *widget,
             gpointer   data)
{
  return ember_message_row_get_item (EMBER_MESSAGE_ROW (widget)) == data;
}

/* Whether the unread dot of @item's row shows. */
static gboolean
dot_shown (GtkWindow        *window,
           EmberMessageItem *item)
{
  GtkWidget *row = ember_gui_test_find_widget (GTK_WIDGET (window), EMBER_TYPE_MESSAGE_ROW, row_of_item, item);
  GtkWidget *dot;

  g_assert_nonnull (row);
  dot = ember_gui_test_find_widget (row, GTK_TYPE_IMAGE, label_has_class, (gpointer) "accent");
  g_assert_nonnull (dot);
  return gtk_widget_get_opacity (dot) > 0.5;
}

static gboolean
read_state_is (gpointer data)
{
  ReadWait *wait = data;

  return ember_message_item_get_unread (wait->item) == wait->unread &&
         dot_shown (wait->window, wait->item) == wait->unread &&
         sidebar_unread (wait->window, "All Inboxes") == wait->inbox_unread &&
         sidebar_unread (wait->window, "Inbox") == wait->inbox_unread;
}

static void
expect_read_state (GtkWindow        *window,
                   EmberMessageItem *item,
                   gboolean          unread,
                   gint64            inbox_unread)
{
  ReadWait wait = { window, item, unread, inbox_unread };

  if (!ember_test_wait_for (read_state_is, &wait, 10000))
    g_error ("expected “%s” %s with %" G_GINT64_FORMAT " unread in the sidebar; it is %s (dot %s), "
             "the sidebar says %" G_GINT64_FORMAT " (All Inboxes) and %" G_GINT64_FORMAT " (Inbox)",
             ember_message_item_get_subject (item), unread ? "unread" : "read", inbox_unread,
             ember_message_item_get_unread (item) ? "unread" : "read",
             dot_shown (window, item) ? "shown" : "hidden",
             sidebar_unread (window, "All Inboxes"), sidebar_unread (window, "Inbox"));
}

static gboolean
inbox_count_is_15 (gpointer data)
{
  return sidebar_unread (data, "All Inboxes") == 15;
}

static gboolean
inbox_count_is_13 (gpointer data)
{
  return sidebar_unread (data, "All Inboxes") == 13;
}

static gboolean
shows_only_26 (gpointer data)
{
  GListModel *model = gtk_single_selection_get_model (selection_of (data));
  g_autoptr(EmberMessageItem) item = NULL;

  if (model == NULL || g_list_model_get_n_items (model) != 1)
    return FALSE;
  item = g_list_model_get_item (model, 0);
  return g_strcmp0 (ember_message_item_get_record (item)->subject, "Message number 26") == 0;
}

static void
test_navigate_and_mark_read (void)
{
  EmberApplication *app;
  GtkWindow *window;
  GListModel *model;
  g_autoptr(EmberMessageItem) newest = NULL;
  g_autoptr(EmberMessageItem) second = NULL;
  g_autoptr(EmberMessageItem) third = NULL;
  GtkWidget *inbox_row;
  GtkWidget *search_bar;
  GtkWidget *entry;

  window = start_window (&app);
  g_assert_true (ember_test_wait_for (list_has_rows, window, 30000));
  g_assert_true (ember_test_wait_for (inbox_count_is_15, window, 10000));
  model = gtk_single_selection_get_model (selection_of (window));
  newest = g_list_model_get_item (model, 0);
  second = g_list_model_get_item (model, 1);
  g_assert_cmpstr (ember_message_item_get_record (newest)->subject, ==, "Message number 29");
  g_assert_false (ember_message_item_get_unread (newest));
  g_assert_true (ember_message_item_get_unread (second));
  g_assert_cmpuint (selected (window), ==, GTK_INVALID_LIST_POSITION);

  /* j / k and Alt+Down / Alt+Up move through the list. */
  press_and_expect_selection (window, "j", 0);
  press_and_expect_selection (window, "j", 1);

  /* Showing an unread message in the reader marks it read: the dot goes
   * and both inbox counts drop, in the same sidebar rows (not rebuilt:
   * no flicker, focus and scroll stay). */
  inbox_row = sidebar_row (window, "Inbox");
  g_assert_nonnull (inbox_row);
  g_object_add_weak_pointer (G_OBJECT (inbox_row), (gpointer *) &inbox_row);
  expect_read_state (window, second, FALSE, 14);
  g_assert_true (inbox_row == sidebar_row (window, "Inbox"));
  g_object_remove_weak_pointer (G_OBJECT (inbox_row), (gpointer *) &inbox_row);

  press (window, "<Shift><Control>u");
  expect_read_state (window, second, TRUE, 15);
  /* Marking unread does not bounce back to read while it stays open. */
  ember_test_spin (300);
  expect_read_state (window, second, TRUE, 15);

  press (window, "<Control>i");
  expect_read_state (window, second, FALSE, 14);

  press_and_expect_selection (window, "k", 0);
  press_and_expect_selection (window, "<Alt>Down", 1);
  press_and_expect_selection (window, "<Alt>Up", 0);
  /* The newest message was read already; marking it unread counts. */
  press (window, "<Shift><Control>u");
  expect_read_state (window, newest, TRUE, 15);
  press (window, "<Control>i");
  expect_read_state (window, newest, FALSE, 14);
  expect_read_state (window, second, FALSE, 14);

  /* Ctrl+F opens the search bar. A message read from the results is read
   * in the folder's list too once the search closes. */
  third = g_list_model_get_item (model, 3);
  g_assert_cmpstr (ember_message_item_get_record (third)->subject, ==, "Message number 26");
  g_assert_true (ember_message_item_get_unread (third));
  search_bar = ember_gui_test_find_widget (GTK_WIDGET (window), GTK_TYPE_SEARCH_BAR, NULL, NULL);
  g_assert_false (gtk_search_bar_get_search_mode (GTK_SEARCH_BAR (search_bar)));
  press (window, "<Control>f");
  g_assert_true (gtk_search_bar_get_search_mode (GTK_SEARCH_BAR (search_bar)));
  entry = ember_gui_test_find_widget (GTK_WIDGET (window), GTK_TYPE_SEARCH_ENTRY, NULL, NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), "\"Message number 26\"");
  g_assert_true (ember_test_wait_for (shows_only_26, window, 20000));
  press_and_expect_selection (window, "j", 0);
  g_assert_true (ember_test_wait_for (inbox_count_is_13, window, 10000));
  gtk_search_bar_set_search_mode (GTK_SEARCH_BAR (search_bar), FALSE);
  g_assert_true (gtk_single_selection_get_model (selection_of (window)) == model);
  expect_read_state (window, third, FALSE, 13);

  /* F5 and Ctrl+R sync; Ctrl+, opens Preferences. */
  for (guint i = 0; i < 2; i++)
    {
      const char *accel = i == 0 ? "F5" : "<Control>r";
      g_autofree char *action = action_for_accel (window, accel);

      g_assert_cmpstr (action, ==, "win.sync-now");
      press (window, accel);
    }
  press (window, "<Control>comma");
  g_assert_nonnull (ember_gui_test_wait_for_window (EMBER_TYPE_PREFERENCES_WINDOW, 5000));

  ember_gui_test_quit_app (app);
  g_object_unref (app);
}

/* The shortcuts window */

typedef struct
{
  char *action;       /* action-name, or NULL */
  char *accelerator;  /* accelerator, or NULL */
  char *title;
} ListedShortcut;

static void
listed_shortcut_free (gpointer data)
{
  ListedShortcut *listed = data;

  g_free (listed->action);
  g_free (listed->accelerator);
  g_free (listed->title);
  g_free (listed);
}

static void
collect_listed (GtkWidget *widget,
                GPtrArray *listed)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      ListedShortcut *entry = g_new0 (ListedShortcut, 1);

      g_object_get (widget,
                    "action-name", &entry->action,
                    "accelerator", &entry->accelerator,
                    "title", &entry->title,
                    NULL);
      g_ptr_array_add (listed, entry);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_listed (child, listed);
}

static gboolean
listed_by_action (GPtrArray  *listed,
                  const char *action)
{
  for (guint i = 0; i < listed->len; i++)
    {
      ListedShortcut *entry = listed->pdata[i];

      if (g_strcmp0 (entry->action, action) == 0)
        return TRUE;
    }

  return FALSE;
}

static gboolean
listed_by_accelerator (GPtrArray       *listed,
                       guint            keyval,
                       GdkModifierType  mods)
{
  for (guint i = 0; i < listed->len; i++)
    {
      ListedShortcut *entry = listed->pdata[i];
      g_auto(GStrv) accels = NULL;

      if (entry->action != NULL || entry->accelerator == NULL)
        continue;
      accels = g_strsplit (entry->accelerator, " ", -1);
      for (guint j = 0; accels[j] != NULL; j++)
        {
          guint listed_keyval;
          GdkModifierType listed_mods;

          if (gtk_accelerator_parse (accels[j], &listed_keyval, &listed_mods) &&
              gdk_keyval_to_lower (listed_keyval) == gdk_keyval_to_lower (keyval) && listed_mods == mods)
            return TRUE;
        }
    }

  return FALSE;
}

static gboolean
is_own_action (const char *name)
{
  GtkWidgetClass *klass = g_type_class_peek (EMBER_TYPE_WINDOW);
  const GVariantType *parameter_type;
  const char *property_name;
  const char *action_name;
  GType owner;

  for (guint i = 0;
       gtk_widget_class_query_action (klass, i, &owner, &action_name, &parameter_type, &property_name);
       i++)
    {
      if (owner == EMBER_TYPE_WINDOW && g_strcmp0 (action_name, name) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
test_shortcuts_window_lists_every_accel (void)
{
  EmberApplication *app;
  GtkWindow *window;
  GtkShortcutsWindow *overlay;
  g_autoptr(GPtrArray) listed = g_ptr_array_new_with_free_func (listed_shortcut_free);
  g_auto(GStrv) actions = NULL;
  g_autoptr(GListModel) controllers = NULL;
  guint n_checked = 0;

  window = start_window (&app);
  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_nonnull (overlay);
  collect_listed (GTK_WIDGET (overlay), listed);
  g_assert_cmpuint (listed->len, >, 0);

  /* Every application accel, shown by action (the shortcuts window then
   * shows the accels the application has for it). */
  actions = gtk_application_list_action_descriptions (GTK_APPLICATION (app));
  for (guint i = 0; actions[i] != NULL; i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), actions[i]);

      if (accels[0] == NULL)
        continue;
      if (!listed_by_action (listed, actions[i]))
        {
          guint keyval;
          GdkModifierType mods;

          /* Or, for actions with bare-key bindings too, by accelerator. */
          for (guint j = 0; accels[j] != NULL; j++)
            {
              g_assert_true (gtk_accelerator_parse (accels[j], &keyval, &mods));
              if (!listed_by_accelerator (listed, keyval, mods))
                g_error ("%s (%s) is missing from the shortcuts window", accels[j], actions[i]);
            }
        }
      n_checked++;
    }
  g_assert_cmpuint (n_checked, >=, 10);

  /* Every key binding of the window's own actions, by accelerator. */
  controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!is_class_bindings (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);
          const char *name;

          if (!GTK_IS_NAMED_ACTION (action))
            continue;
          name = gtk_named_action_get_action_name (GTK_NAMED_ACTION (action));
          if (!is_own_action (name))
            continue;
          g_assert_true (GTK_IS_KEYVAL_TRIGGER (trigger));
          if (!listed_by_accelerator (listed,
                                      gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)),
                                      gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger))))
            {
              g_autofree char *text = gtk_shortcut_trigger_to_string (trigger);

              g_error ("%s (%s) is missing from the shortcuts window", text, name);
            }
          n_checked++;
        }
    }
  g_assert_cmpuint (n_checked, >=, 12);

  /* And nothing listed that the app does not have: entries by action have
   * accels, entries by accelerator run one action for all their keys. */
  for (guint i = 0; i < listed->len; i++)
    {
      ListedShortcut *entry = listed->pdata[i];
      g_autofree char *first_action = NULL;
      g_auto(GStrv) accels = NULL;

      if (entry->action != NULL)
        {
          g_auto(GStrv) app_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), entry->action);

          if (app_accels[0] == NULL)
            g_error ("“%s” lists %s, which has no shortcut", entry->title, entry->action);
          continue;
        }

      g_assert_nonnull (entry->accelerator);
      accels = g_strsplit (entry->accelerator, " ", -1);
      for (guint j = 0; accels[j] != NULL; j++)
        {
          g_autofree char *action = action_for_accel (window, accels[j]);

          if (action == NULL)
            g_error ("“%s” lists %s, which does nothing", entry->title, accels[j]);
          if (first_action == NULL)
            first_action = g_steal_pointer (&action);
          else if (g_strcmp0 (action, first_action) != 0)
            g_error ("“%s” lists keys for both %s and %s", entry->title, first_action, action);
        }
    }

  ember_gui_test_quit_app (app);
  g_object_unref (app);
}

/* Accessible names */

static gboolean
has_visible_text (GtkWidget *widget)
{
  if (!gtk_widget_get_visible (widget))
    return FALSE;

  if (GTK_IS_LABEL (widget) && *gtk_label_get_text (GTK_LABEL (widget)) != '\0')
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (has_visible_text (child))
        return TRUE;
    }

  return FALSE;
}

static gboolean
has_accessible_name (GtkWidget *widget)
{
  return gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL) ||
         gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY) ||
         has_visible_text (widget);
}

/* What a person can click, toggle, type into or focus. */
static gboolean
is_interactive (GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);

  /* The text of an entry is named by the entry. */
  if (GTK_IS_TEXT (widget) && parent != NULL && GTK_IS_EDITABLE (parent))
    return FALSE;

  /* Scrolling containers take focus only to hand it to their content. */
  if (GTK_IS_SCROLLED_WINDOW (widget) || GTK_IS_VIEWPORT (widget))
    return FALSE;

  if (GTK_IS_LIST_BOX_ROW (widget))
    return gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (widget)) ||
           gtk_list_box_row_get_selectable (GTK_LIST_BOX_ROW (widget));

  return GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_SWITCH (widget) ||
         GTK_IS_CHECK_BUTTON (widget) || GTK_IS_EDITABLE (widget) || GTK_IS_DROP_DOWN (widget) ||
         GTK_IS_SCALE (widget) || gtk_widget_get_focusable (widget);
}

static void
collect_unnamed (GtkWidget *widget,
                 GString   *unnamed)
{
  /* What the person can reach now: the tests open each state to check. */
  if (!gtk_widget_get_mapped (widget))
    return;

  if (is_interactive (widget) && !has_accessible_name (widget))
    {
      const char *tooltip = gtk_widget_get_tooltip_text (widget);
      const char *icon = GTK_IS_BUTTON (widget) ? gtk_button_get_icon_name (GTK_BUTTON (widget)) : NULL;
      GtkWidget *parent = gtk_widget_get_parent (widget);
      GtkWidget *group = gtk_widget_get_ancestor (widget, ADW_TYPE_PREFERENCES_GROUP);

      g_string_append_printf (unnamed, "\n  %s (in %s; tooltip “%s”, icon %s, group “%s”)",
                              G_OBJECT_TYPE_NAME (widget),
                              parent != NULL ? G_OBJECT_TYPE_NAME (parent) : "nothing",
                              tooltip != NULL ? tooltip : "", icon != NULL ? icon : "none",
                              group != NULL ? adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (group)) : "");
      for (GtkWidget *a = parent; a != NULL; a = gtk_widget_get_parent (a))
        g_string_append_printf (unnamed, " < %s", G_OBJECT_TYPE_NAME (a));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_unnamed (child, unnamed);
}

static void
assert_all_named (GtkWidget *root)
{
  g_autoptr(GString) unnamed = g_string_new (NULL);

  collect_unnamed (root, unnamed);
  if (unnamed->len > 0)
    g_error ("%s has interactive widgets without an accessible name:%s", G_OBJECT_TYPE_NAME (root), unnamed->str);
}

static gboolean
group_has_title (GtkWidget *widget,
                 gpointer   data)
{
  return g_strcmp0 (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget)), data) == 0;
}

static gboolean
row_has_title (GtkWidget *widget,
               gpointer   data)
{
  return g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), data) == 0;
}

static void
test_accessible_names (void)
{
  EmberApplication *app;
  GtkWindow *window;
  GtkWindow *preferences;
  GtkWidget *account_page;
  GtkWidget *group;
  GtkWidget *row;

  window = start_window (&app);
  g_assert_true (ember_test_wait_for (list_has_rows, window, 30000));
  g_assert_true (ember_test_wait_for (inbox_count_is_15, window, 10000));
  /* With a message open, so the reader's buttons count too. */
  press_and_expect_selection (window, "j", 0);
  press (window, "<Control>f");
  ember_test_spin (300);
  assert_all_named (GTK_WIDGET (window));

  press (window, "<Control>comma");
  preferences = ember_gui_test_wait_for_window (EMBER_TYPE_PREFERENCES_WINDOW, 5000);
  g_assert_nonnull (preferences);
  ember_test_spin (300);
  assert_all_named (GTK_WIDGET (preferences));

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences), "general");
  ember_test_spin (300);
  assert_all_named (GTK_WIDGET (preferences));

  /* The account's own page (the store's first account has id 1). */
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-account", g_variant_new_int64 (1));
  account_page = ember_gui_test_wait_for_mapped (GTK_WIDGET (preferences), EMBER_TYPE_ACCOUNT_PAGE, 5000);
  g_assert_cmpint (ember_account_page_get_account_id (EMBER_ACCOUNT_PAGE (account_page)), ==, 1);
  /* Ctrl+, again raises the same window. */
  press (window, "<Control>comma");
  ember_test_spin (300);
  g_assert_true (gtk_widget_get_mapped (account_page));
  assert_all_named (GTK_WIDGET (preferences));

  /* Adding an account: the provider's page with its address entry. */
  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (preferences));
  ember_test_spin (300);
  group = ember_gui_test_find_widget (GTK_WIDGET (preferences), ADW_TYPE_PREFERENCES_GROUP, group_has_title,
                                      (gpointer) "Add an Account");
  g_assert_nonnull (group);
  row = ember_gui_test_find_widget (group, ADW_TYPE_ACTION_ROW, row_has_title, (gpointer) "Google");
  g_assert_nonnull (row);
  adw_action_row_activate (ADW_ACTION_ROW (row));
  ember_gui_test_wait_for_mapped (GTK_WIDGET (preferences), EMBER_TYPE_ADD_ACCOUNT_PAGE, 5000);
  ember_test_spin (300);
  assert_all_named (GTK_WIDGET (preferences));
  assert_all_named (GTK_WIDGET (preferences));

  ember_gui_test_quit_app (app);
  g_object_unref (app);
}

int
main (int   argc,
      char *argv[])
{
  /* The headless runner turns accessibility off (GTK_A11Y=none), which
   * drops every accessible property; the test backend keeps them. */
  g_setenv ("GTK_A11Y", "test", TRUE);

  if (!ember_gui_test_setup (&argc, &argv))
    return 77;

  ember_gui_test_add ("/ember/gui/keyboard/navigate-and-mark-read", test_navigate_and_mark_read);
  ember_gui_test_add ("/ember/gui/keyboard/shortcuts-window-lists-every-accel", test_shortcuts_window_lists_every_accel);
  ember_gui_test_add ("/ember/gui/keyboard/accessible-names", test_accessible_names);

  return g_test_run ();
}
