/* test-translation.c: the app speaks German when asked to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include "ember-gui-test-utils.h"
#include "ember-window.h"

static void
test_german_window (void)
{
  EmberApplication *app = ember_gui_test_start_app ();
  GtkWindow *window;
  GtkWidget *status_page;

  window = ember_gui_test_wait_for_window (EMBER_TYPE_WINDOW, 5000);
  g_assert_nonnull (window);
  g_assert_cmpstr (gtk_window_get_title (window), ==, "Willkommen bei Ember");

  status_page = ember_gui_test_find_widget (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE, NULL, NULL);
  g_assert_nonnull (status_page);
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status_page)), ==, "Noch keine Konten");

  ember_gui_test_quit_app (app);
  g_object_unref (app);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* gettext ignores LANGUAGE in the C locale, so a real German locale is
   * needed; build-aux/ember.sh generates it. */
  if (setlocale (LC_ALL, "de_DE.UTF-8") == NULL)
    {
      g_printerr ("the de_DE.UTF-8 locale is not available (localedef -i de_DE -f UTF-8 de_DE.UTF-8)\n");
      return 77;
    }
  g_setenv ("LANGUAGE", "de", TRUE);

  if (!ember_gui_test_init ())
    {
      g_printerr ("no display: skipping the GUI tests\n");
      return 77;
    }

  ember_gui_test_add ("/ember/gui/translation/german-window", test_german_window);

  return g_test_run ();
}
