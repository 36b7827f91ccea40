/* ember-reader-web-view-private.h: test hooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-reader-web-view.h"

G_BEGIN_DECLS

/* The two independent ways remote content is kept out. Both are on by
 * default; tests turn one off to prove the other holds on its own. */
typedef enum
{
  EMBER_READER_BLOCK_CONTENT_FILTER = 1 << 0, /* a compiled WebKit content rule list */
  EMBER_READER_BLOCK_CSP            = 1 << 1, /* a Content-Security-Policy <meta> */
  EMBER_READER_BLOCK_ALL            = EMBER_READER_BLOCK_CONTENT_FILTER | EMBER_READER_BLOCK_CSP,
} EmberReaderBlockLayers;

/* Takes effect at the next show_html (). */
void     _ember_reader_web_view_set_block_layers      (EmberReaderWebView     *self,
                                                       EmberReaderBlockLayers  layers);
/* Whether the content rule list is installed in this view right now. */
gboolean _ember_reader_web_view_get_filter_installed  (EmberReaderWebView     *self);

G_END_DECLS
