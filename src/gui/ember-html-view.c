/* ember-html-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>
#include <gmodule.h>

#include "ember-html-view.h"

#define ENGINE_MODULE "ember-reader-webkit." G_MODULE_SUFFIX

G_DEFINE_INTERFACE (EmberHtmlView, ember_html_view, GTK_TYPE_WIDGET)

/* Set once, by whichever load finishes first; the module stays resident. */
static EmberHtmlViewEngineNew engine_new;

static void
ember_html_view_default_init (EmberHtmlViewInterface *iface)
{
  g_object_interface_install_property (iface,
                                       g_param_spec_boolean ("busy", NULL, NULL,
                                                             FALSE,
                                                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                             G_PARAM_STATIC_STRINGS));
  g_object_interface_install_property (iface,
                                       g_param_spec_boolean ("failed", NULL, NULL,
                                                             FALSE,
                                                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                             G_PARAM_STATIC_STRINGS));

  /**
   * EmberHtmlView::link-activated:
   * @self: the view
   * @uri: the http(s) or mailto URI the person clicked
   *
   * The view itself never follows it.
   */
  g_signal_new ("link-activated",
                G_TYPE_FROM_INTERFACE (iface),
                G_SIGNAL_RUN_LAST,
                0,
                NULL, NULL,
                NULL,
                G_TYPE_NONE, 1, G_TYPE_STRING);
}

void
ember_html_view_show_html (EmberHtmlView *self,
                           const char    *html,
                           gboolean       allow_remote)
{
  g_return_if_fail (EMBER_IS_HTML_VIEW (self));

  EMBER_HTML_VIEW_GET_IFACE (self)->show_html (self, html, allow_remote);
}

static gboolean
get_boolean (EmberHtmlView *self,
             const char    *name)
{
  gboolean value = FALSE;

  g_object_get (self, name, &value, NULL);
  return value;
}

gboolean
ember_html_view_get_busy (EmberHtmlView *self)
{
  g_return_val_if_fail (EMBER_IS_HTML_VIEW (self), FALSE);

  return get_boolean (self, "busy");
}

gboolean
ember_html_view_get_failed (EmberHtmlView *self)
{
  g_return_val_if_fail (EMBER_IS_HTML_VIEW (self), FALSE);

  return get_boolean (self, "failed");
}

/* Loading the engine */

/* $EMBER_MODULEDIR if set; else next to the program, where an uninstalled
 * build has it (an installed `ember` has none there); else where `ember`
 * installs it. */
static char *
engine_path (void)
{
  const char *dir = g_getenv ("EMBER_MODULEDIR");
  g_autofree char *program = NULL;

  if (dir != NULL && *dir != '\0')
    return g_build_filename (dir, ENGINE_MODULE, NULL);

  program = g_file_read_link ("/proc/self/exe", NULL);
  if (program != NULL)
    {
      g_autofree char *program_dir = g_path_get_dirname (program);
      g_autofree char *beside = g_build_filename (program_dir, ENGINE_MODULE, NULL);

      if (g_file_test (beside, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&beside);
    }

  return g_build_filename (MODULEDIR, ENGINE_MODULE, NULL);
}

/* In a worker: opening the module maps and relocates WebKit and its
 * libraries, tens of milliseconds the window must not wait for. */
static void
load_engine_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_autofree char *path = engine_path ();
  GModule *module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  gpointer symbol = NULL;

  if (module == NULL || !g_module_symbol (module, EMBER_HTML_VIEW_ENGINE_NEW_SYMBOL, &symbol))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("The viewer for formatted mail could not be loaded (%s)"),
                               g_module_error ());
      g_clear_pointer (&module, g_module_close);
      return;
    }

  /* WebKit cannot be unloaded safely; nor can types registered from here. */
  g_module_make_resident (module);
  g_atomic_pointer_set (&engine_new, (EmberHtmlViewEngineNew) symbol);
  g_task_return_boolean (task, TRUE);
}

void
ember_html_view_load_engine_async (GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ember_html_view_load_engine_async);
  /* Already loaded: GTask still calls back from the main loop, not from
   * inside this call. */
  if (g_atomic_pointer_get (&engine_new) != NULL)
    g_task_return_boolean (task, TRUE);
  else
    g_task_run_in_thread (task, load_engine_thread);
}

gboolean
ember_html_view_load_engine_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ember_html_view_load_engine_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

EmberHtmlView *
ember_html_view_new (void)
{
  EmberHtmlViewEngineNew new_view = g_atomic_pointer_get (&engine_new);

  g_return_val_if_fail (new_view != NULL, NULL);

  return new_view ();
}
