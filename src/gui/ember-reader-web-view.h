/* ember-reader-web-view.h: a WebKitWebView that only shows mail
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built into the module ember-reader-webkit.so (see ember-html-view.h),
 * which exports ember_html_view_engine_new () to make one. JavaScript is
 * off, the view never navigates away from the message, links are handed
 * out through ::link-activated, and nothing is fetched from the network
 * unless the caller allows remote content for the body it shows.
 */
#pragma once

#include <webkit/webkit.h>

#include "ember-html-view.h"

G_BEGIN_DECLS

#define EMBER_TYPE_READER_WEB_VIEW (ember_reader_web_view_get_type ())
G_DECLARE_FINAL_TYPE (EmberReaderWebView, ember_reader_web_view, EMBER, READER_WEB_VIEW, WebKitWebView)

G_END_DECLS
