/* main.c: the ember executable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "ember-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(EmberApplication) app = NULL;
  const char *localedir = g_getenv ("EMBER_LOCALEDIR");

  setlocale (LC_ALL, "");
  /* EMBER_LOCALEDIR lets an uninstalled build find its translations. */
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("Ember"));

  /* Without a display GTK would abort with a terse warning; say what is
   * wrong and leave at once instead. */
  if (!gtk_init_check ())
    {
      g_printerr ("%s\n", _("Ember needs a graphical session, but no display could be opened "
                            "(neither $WAYLAND_DISPLAY nor $DISPLAY works). "
                            "Start Ember from your desktop, or run it under Xvfb."));
      return 1;
    }

  /* Now rather than in the application's startup: GtkApplication's startup
   * first starts reading the icon themes in a thread, and libadwaita's
   * then adds its icons, which waits for that read (~25 ms) and throws it
   * away. Here libadwaita adds its icons before the read starts. */
  adw_init ();

  app = ember_application_new (APP_ID, G_APPLICATION_DEFAULT_FLAGS);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
