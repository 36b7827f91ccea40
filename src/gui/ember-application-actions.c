/* ember-application-actions.c: application-wide actions and their shortcuts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include "ember-application-private.h"
#include "ember-preferences-window.h"
#include "ember-window.h"

static void
preferences_action_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  ember_application_show_preferences (EMBER_APPLICATION (user_data));
}

/* The application's first window of @type, or NULL. */
static gpointer
find_window (EmberApplication *self,
             GType             type)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
        return l->data;
    }

  return NULL;
}

static EmberPreferencesWindow *
show_preferences (EmberApplication *self)
{
  ember_application_show_preferences (self);

  return find_window (self, EMBER_TYPE_PREFERENCES_WINDOW);
}

/* Preferences, on the Accounts page (the empty state's "Add Account…"). */
static void
add_account_action_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  EmberPreferencesWindow *preferences = show_preferences (EMBER_APPLICATION (user_data));

  if (preferences != NULL)
    ember_preferences_window_show_accounts (preferences);
}

/* One account's settings, e.g. from "Sign In…" on a needs-sign-in toast. */
static void
show_account_action_cb (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  EmberPreferencesWindow *preferences = show_preferences (EMBER_APPLICATION (user_data));

  if (preferences != NULL)
    ember_preferences_window_show_account (preferences, g_variant_get_int64 (parameter));
}

static EmberWindow *
present_main_window (EmberApplication *self)
{
  g_application_activate (G_APPLICATION (self));

  return find_window (self, EMBER_TYPE_WINDOW);
}

/* A new-mail notification: the message in its folder and the reader. */
static void
open_message_action_cb (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  EmberWindow *window = present_main_window (EMBER_APPLICATION (user_data));

  if (window != NULL)
    ember_window_show_message (window, g_variant_get_int64 (parameter));
}

/* An event reminder: the event in the agenda. */
static void
open_event_action_cb (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  EmberWindow *window = present_main_window (EMBER_APPLICATION (user_data));

  if (window != NULL)
    ember_window_show_event (window, g_variant_get_int64 (parameter));
}

static void
about_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  ember_application_show_about (EMBER_APPLICATION (user_data));
}

static void
quit_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GApplication *app = G_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* Closing (not destroying) lets each window save its state first. */
  while (windows != NULL)
    {
      GtkWindow *window = windows->data;

      windows = windows->next;
      gtk_window_close (window);
    }

  g_application_quit (app);
}

static const GActionEntry app_actions[] = {
  { .name = "preferences", .activate = preferences_action_cb },
  { .name = "add-account", .activate = add_account_action_cb },
  { .name = "show-account", .activate = show_account_action_cb, .parameter_type = "x" },
  /* The notifier's actions (EMBER_NOTIFIER_ACTION_*): ours take over. */
  { .name = "open-message", .activate = open_message_action_cb, .parameter_type = "x" },
  { .name = "open-event", .activate = open_event_action_cb, .parameter_type = "x" },
  { .name = "about", .activate = about_action_cb },
  { .name = "quit", .activate = quit_action_cb },
};

/* Every accel here (and every key binding of EmberWindow) must be listed in
 * gtk/help-overlay.ui; test-window-keyboard checks it. */
static const struct {
  const char *action;
  const char *accels[3];
} accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "win.show-help-overlay", { "<Control>question", NULL } },
  { "window.close", { "<Control>w", NULL } },
  { "win.search", { "<Control>f", NULL } },
  { "win.sync-now", { "F5", "<Control>r", NULL } },
  /* As in Geary. */
  { "win.mark-read", { "<Control>i", NULL } },
  { "win.mark-unread", { "<Shift><Control>u", NULL } },
  /* j and k too: see ember-window.c. */
  { "win.next-message", { "<Alt>Down", NULL } },
  { "win.previous-message", { "<Alt>Up", NULL } },
};

void
_ember_application_install_actions (EmberApplication *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions,
                                   G_N_ELEMENTS (app_actions),
                                   self);

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);
}
