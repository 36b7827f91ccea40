/* ember-html-text.h: plain text out of HTML mail bodies and snippets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Replaces character references (&amp; &#39; &#x2014; and the named ones
 * mail commonly uses) by their UTF-8 text; unknown references stay as
 * written. NULL gives NULL. */
char *ember_html_unescape (const char *text);

/* A readable plain-text rendering of an HTML document for search and
 * previews: tags dropped, script/style/head content skipped, block
 * elements and <br> become line breaks, runs of blanks collapse, references
 * are decoded. NULL gives NULL. */
char *ember_html_to_text  (const char *html);

G_END_DECLS
