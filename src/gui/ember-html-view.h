/* ember-html-view.h: what the reader asks of its HTML view, and the
 * loading of the engine behind it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The view itself (EmberReaderWebView, a WebKitWebView) lives in a module,
 * ember-reader-webkit.so, loaded the first time a message with HTML is
 * shown. Linked into `ember` itself, WebKit and the ~85 libraries it pulls
 * in (JavaScriptCore, ICU, GStreamer…) would be loaded and relocated at
 * every start, before main (): about 80 ms of a cold start, paid even by
 * someone who only reads plain-text mail.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define EMBER_TYPE_HTML_VIEW (ember_html_view_get_type ())
G_DECLARE_INTERFACE (EmberHtmlView, ember_html_view, EMBER, HTML_VIEW, GtkWidget)

/* The module's one exported function: a new view. */
#define EMBER_HTML_VIEW_ENGINE_NEW_SYMBOL "ember_html_view_engine_new"
typedef EmberHtmlView *(*EmberHtmlViewEngineNew) (void);

/**
 * EmberHtmlViewInterface:
 * @show_html: shows @html (NULL or "" shows an empty page). With
 *   @allow_remote FALSE no request leaves the machine, whatever the HTML
 *   says.
 *
 * Properties: "busy" (from show_html () until the page has loaded or
 * failed) and "failed" (the engine died or the page could not be loaded;
 * the next show_html () tries again). Signal: "link-activated" (the http(s)
 * or mailto URI the person clicked; the view never follows it itself).
 */
struct _EmberHtmlViewInterface
{
  GTypeInterface parent_iface;

  void (*show_html) (EmberHtmlView *self,
                     const char    *html,
                     gboolean       allow_remote);
};

void           ember_html_view_show_html          (EmberHtmlView        *self,
                                                   const char           *html,
                                                   gboolean              allow_remote);
gboolean       ember_html_view_get_busy           (EmberHtmlView        *self);
gboolean       ember_html_view_get_failed         (EmberHtmlView        *self);

/* Loads the engine in a worker thread (at once if it already is). The
 * module is looked for in $EMBER_MODULEDIR, else next to the program (an
 * uninstalled build), else where `ember` installs it. */
void           ember_html_view_load_engine_async  (GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean       ember_html_view_load_engine_finish (GAsyncResult         *result,
                                                   GError              **error);
/* Only after the engine has loaded. */
EmberHtmlView *ember_html_view_new                (void);

G_END_DECLS
