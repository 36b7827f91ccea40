/* ember-store-search.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every term reaches FTS5 as a double-quoted string, so nothing typed is
 * ever read as FTS5 syntax; the only operators in the result are the ones
 * written here, always with an operand on each side.
 */
#define G_LOG_DOMAIN "ember-store"

#include "config.h"

#include <string.h>

#include "ember-store-search.h"

/* Enough for any real search; bounds the work a pasted novel can cause. */
#define MAX_TERMS      16
#define MAX_TERM_CHARS 128

typedef struct
{
  char     *text;
  gboolean  prefix;
  gboolean  negated;
  gboolean  or_before; /* joined to the previous wanted term by OR */
} Term;

static void
term_free (gpointer data)
{
  Term *term = data;

  g_free (term->text);
  g_free (term);
}

static gboolean
is_separator (gunichar c)
{
  return g_unichar_isspace (c) || g_unichar_iscntrl (c) || c == '(' || c == ')';
}

/* Whether the unicode61 tokenizer finds at least one token: a quoted
 * string without one is an empty phrase, which matches nothing and would
 * turn "a -!!!" into "nothing". */
static gboolean
has_token (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isalnum (g_utf8_get_char (p)))
      return TRUE;

  return FALSE;
}

static void
append_quoted (GString    *out,
               const Term *term)
{
  g_string_append_c (out, '"');
  for (const char *p = term->text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  if (term->prefix)
    g_string_append_c (out, '*');
}

static void
append_char (GString  *word,
             gunichar  c,
             guint    *n_chars)
{
  if (*n_chars >= MAX_TERM_CHARS)
    return;
  /* Control characters separate words inside a phrase too. */
  g_string_append_unichar (word, g_unichar_iscntrl (c) ? ' ' : c);
  (*n_chars)++;
}

static GPtrArray *
parse_terms (const char *text)
{
  g_autoptr(GPtrArray) terms = g_ptr_array_new_with_free_func (term_free);
  gboolean pending_or = FALSE;
  const char *p = text;

  while (*p != '\0')
    {
      g_autoptr(GString) word = NULL;
      gunichar c = g_utf8_get_char (p);
      gboolean negated = FALSE;
      gboolean quoted = FALSE;
      gboolean prefix = FALSE;
      guint n_chars = 0;
      Term *term;

      if (is_separator (c))
        {
          p = g_utf8_next_char (p);
          continue;
        }

      if (c == '-')
        {
          const char *next = g_utf8_next_char (p);

          p = next;
          if (*next == '\0' || is_separator (g_utf8_get_char (next)))
            continue;
          negated = TRUE;
          c = g_utf8_get_char (p);
        }

      word = g_string_new (NULL);
      if (c == '"')
        {
          /* A phrase runs to the closing quote, or to the end when the
           * quote is never closed. */
          quoted = TRUE;
          for (p = g_utf8_next_char (p); *p != '\0' && *p != '"'; p = g_utf8_next_char (p))
            append_char (word, g_utf8_get_char (p), &n_chars);
          if (*p == '"')
            p++;
          if (*p == '*')
            {
              prefix = TRUE;
              p++;
            }
        }
      else
        {
          for (; *p != '\0'; p = g_utf8_next_char (p))
            {
              c = g_utf8_get_char (p);
              if (is_separator (c) || c == '"')
                break;
              append_char (word, c, &n_chars);
            }
          while (word->len > 0 && word->str[word->len - 1] == '*')
            {
              g_string_truncate (word, word->len - 1);
              prefix = TRUE;
            }
        }

      if (!quoted && !negated && !prefix && strcmp (word->str, "OR") == 0)
        {
          pending_or = TRUE;
          continue;
        }

      if (!has_token (word->str) || terms->len >= MAX_TERMS)
        continue;

      term = g_new0 (Term, 1);
      term->text = g_string_free (g_steal_pointer (&word), FALSE);
      term->prefix = prefix;
      term->negated = negated;
      term->or_before = pending_or && !negated;
      pending_or = FALSE;
      g_ptr_array_add (terms, term);
    }

  return g_steal_pointer (&terms);
}

char *
ember_store_search_build_query (const char *text)
{
  g_autofree char *valid = NULL;
  g_autoptr(GPtrArray) terms = NULL;
  g_autoptr(GString) wanted = NULL;
  g_autoptr(GString) query = NULL;
  guint n_groups = 0;
  guint group_size = 0;
  gsize group_start = 0;

  if (text == NULL)
    return NULL;

  valid = g_utf8_make_valid (text, -1);
  terms = parse_terms (valid);

  /* The wanted terms: runs joined by OR become one parenthesised group;
   * groups are ANDed. */
  wanted = g_string_new (NULL);
  for (guint i = 0; i < terms->len; i++)
    {
      const Term *term = g_ptr_array_index (terms, i);

      if (term->negated)
        continue;

      if (term->or_before && n_groups > 0)
        {
          if (group_size == 1)
            g_string_insert_c (wanted, group_start, '(');
          else
            g_string_truncate (wanted, wanted->len - 1);
          g_string_append (wanted, " OR ");
          append_quoted (wanted, term);
          g_string_append_c (wanted, ')');
          group_size++;
          continue;
        }

      if (n_groups > 0)
        g_string_append (wanted, " AND ");
      group_start = wanted->len;
      group_size = 1;
      n_groups++;
      append_quoted (wanted, term);
    }

  /* "-spam" alone would mean "everything but spam": not a search. */
  if (n_groups == 0)
    return NULL;

  query = g_string_new (NULL);
  g_string_append_printf (query, "(%s)", wanted->str);
  for (guint i = 0; i < terms->len; i++)
    {
      const Term *term = g_ptr_array_index (terms, i);

      if (!term->negated)
        continue;
      g_string_append (query, " NOT ");
      append_quoted (query, term);
    }

  return g_string_free (g_steal_pointer (&query), FALSE);
}
