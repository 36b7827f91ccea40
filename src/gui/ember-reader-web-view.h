/* ember-reader-web-view.h: a WebKitWebView that only shows mail
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * JavaScript is off, the view never navigates away from the message, links
 * are handed out through ::link-activated, and nothing is fetched from the
 * network unless the caller allows remote content for the body it shows.
 */
#pragma once

#include <webkit/webkit.h>

G_BEGIN_DECLS

#define EMBER_TYPE_READER_WEB_VIEW (ember_reader_web_view_get_type ())
G_DECLARE_FINAL_TYPE (EmberReaderWebView, ember_reader_web_view, EMBER, READER_WEB_VIEW, WebKitWebView)

EmberReaderWebView *ember_reader_web_view_new         (void);
/* Shows @html (NULL or "" shows an empty page). With @allow_remote FALSE no
 * request leaves the machine, whatever the HTML says. */
void                ember_reader_web_view_show_html   (EmberReaderWebView *self,
                                                       const char         *html,
                                                       gboolean            allow_remote);
/* TRUE from show_html () until the page has loaded (or failed). */
gboolean            ember_reader_web_view_get_busy    (EmberReaderWebView *self);
/* TRUE when the web process died or the page could not be loaded; the
 * next show_html () tries again. */
gboolean            ember_reader_web_view_get_failed  (EmberReaderWebView *self);

G_END_DECLS
