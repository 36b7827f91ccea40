/* ember-reader-html.h: what the reader needs to know about a mail body
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain string work with no WebKit or GTK, so it can be tested alone.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether @html asks for anything from the network when rendered with an
 * about:blank base: http(s) URLs in src, srcset, background, poster, data,
 * <link href>, CSS url() and @import, or a remote <base href>. Used only to
 * decide whether to offer "Show Remote Images"; the blocking itself is done
 * by WebKit and does not depend on this scan. */
gboolean  ember_reader_html_has_remote_content (const char *html);

/* @html with a Content-Security-Policy <meta> put first in the document
 * (after a leading doctype, so the rendering mode does not change). With
 * @allow_remote FALSE nothing outside the message may load; with TRUE
 * images, styles and fonts may come from http(s). Scripts, frames, objects
 * and media never load. */
char     *ember_reader_html_add_policy         (const char *html,
                                                gboolean    allow_remote);

typedef struct
{
  gsize  start; /* byte offsets into the text, end exclusive */
  gsize  end;
  char  *uri;
} EmberReaderLink;

/* The http(s) and mailto links in plain @text, in order, without trailing
 * punctuation (a closing parenthesis stays when the link opened one).
 * (element-type EmberReaderLink) */
GArray   *ember_reader_text_find_links         (const char *text);

G_END_DECLS
