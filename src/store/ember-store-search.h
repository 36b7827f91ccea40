/* ember-store-search.h: from what a person types to a safe FTS5 query
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The syntax people may use:
 *   word            messages containing the word (any column)
 *   "two words"     the phrase
 *   word*           words starting with "word" (also "a phrase"*)
 *   -word           messages without the word (needs at least one wanted term)
 *   a OR b          either; binds tighter than the implicit AND: a OR b c
 *                   means (a OR b) AND c
 * Everything else (parentheses, FTS5 operators and column filters, stray
 * quotes, punctuation) is taken as text to search for, never as syntax.
 *
 * Returns the MATCH expression, or NULL when the input can match nothing:
 * empty, only punctuation, or only excluded terms. The result never makes
 * FTS5 report a syntax error. */
char *ember_store_search_build_query (const char *text);

G_END_DECLS
