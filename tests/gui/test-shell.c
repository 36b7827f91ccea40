/* test-shell.c: the real app starts, shows its empty state, opens
 * Preferences and About, and quits without a warning
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ember-gui-test-utils.h"
#include "ember-preferences-window.h"
#include "ember-test-utils.h"
#include "ember-window.h"

static gboolean
button_has_label (GtkWidget *widget,
                  gpointer   data)
{
  return g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), data) == 0;
}

static gboolean
widget_is_drawable (gpointer data)
{
  return gtk_widget_is_drawable (data);
}

static void
test_empty_state_and_preferences (void)
{
  EmberApplication *app = ember_gui_test_start_app ();
  GtkWindow *window;
  GtkWidget *status_page;
  GtkWidget *add_button;
  GtkWindow *preferences;

  window = ember_gui_test_wait_for_window (EMBER_TYPE_WINDOW, 5000);
  g_assert_nonnull (window);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));

  status_page = ember_gui_test_find_widget (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE, NULL, NULL);
  g_assert_nonnull (status_page);
  /* Once the store has said there are no accounts (a blank page before). */
  g_assert_true (ember_test_wait_for (widget_is_drawable, status_page, 10000));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status_page)), ==, "No accounts yet");
  /* WebKit costs ~80 ms before main () when linked in: it waits for the
   * first message with HTML (ember-html-view.h). */
  g_assert_false (ember_gui_test_is_mapped ("/libwebkitgtk-6.0.so"));

  add_button = ember_gui_test_find_widget (status_page, GTK_TYPE_BUTTON, button_has_label, (gpointer) "_Add Account…");
  g_assert_nonnull (add_button);
  g_assert_true (gtk_widget_is_drawable (add_button));
  g_assert_null (ember_gui_test_find_window (EMBER_TYPE_PREFERENCES_WINDOW));

  g_assert_true (gtk_widget_activate (add_button));
  preferences = ember_gui_test_wait_for_window (EMBER_TYPE_PREFERENCES_WINDOW, 5000);
  g_assert_nonnull (preferences);
  g_assert_true (gtk_window_get_transient_for (preferences) == window);

  ember_gui_test_quit_app (app);
  g_object_unref (app);
}

static void
test_about_shows_version (void)
{
  EmberApplication *app = ember_gui_test_start_app ();
  GtkWindow *about;

  g_assert_nonnull (ember_gui_test_wait_for_window (EMBER_TYPE_WINDOW, 5000));
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);

  about = ember_gui_test_wait_for_window (ADW_TYPE_ABOUT_WINDOW, 5000);
  g_assert_nonnull (about);
  /* PACKAGE_VERSION comes from meson's project(version:). */
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (about)), ==, "Ember");
  g_assert_cmpint (adw_about_window_get_license_type (ADW_ABOUT_WINDOW (about)), ==, GTK_LICENSE_GPL_3_0);

  ember_gui_test_quit_app (app);
  g_object_unref (app);
}

static void
test_window_size_is_saved (void)
{
  EmberApplication *app = ember_gui_test_start_app ();
  GSettings *settings = ember_application_get_settings (app);
  GtkWindow *window;
  int width, height;

  window = ember_gui_test_wait_for_window (EMBER_TYPE_WINDOW, 5000);
  g_assert_nonnull (window);
  gtk_window_set_default_size (window, 777, 555);
  ember_test_spin (100);

  ember_gui_test_quit_app (app);
  g_settings_get (settings, "window-size", "(ii)", &width, &height);
  g_assert_cmpint (width, ==, 777);
  g_assert_cmpint (height, ==, 555);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
  g_object_unref (app);
}

int
main (int   argc,
      char *argv[])
{
  if (!ember_gui_test_setup (&argc, &argv))
    return 77;

  ember_gui_test_add ("/ember/gui/shell/empty-state-and-preferences", test_empty_state_and_preferences);
  ember_gui_test_add ("/ember/gui/shell/about-shows-version", test_about_shows_version);
  ember_gui_test_add ("/ember/gui/shell/window-size-is-saved", test_window_size_is_saved);

  return g_test_run ();
}
