/* ember-reader-web-view-private.h: test hooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tests reach them as properties of the view: "block-layers" (read-write,
 * taking effect at the next show_html ()) and "filter-installed" (whether
 * the content rule list is installed in the view right now).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The two independent ways remote content is kept out. Both are on by
 * default; tests turn one off to prove the other holds on its own. */
typedef enum
{
  EMBER_READER_BLOCK_CONTENT_FILTER = 1 << 0, /* a compiled WebKit content rule list */
  EMBER_READER_BLOCK_CSP            = 1 << 1, /* a Content-Security-Policy <meta> */
  EMBER_READER_BLOCK_ALL            = EMBER_READER_BLOCK_CONTENT_FILTER | EMBER_READER_BLOCK_CSP,
} EmberReaderBlockLayers;

G_END_DECLS
