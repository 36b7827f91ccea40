/* ember-html-text.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-providers"

#include "config.h"

#include <string.h>

#include "ember-html-text.h"

typedef struct
{
  const char *name;
  gunichar    value;
} NamedReference;

/* The references that show up in real mail and in Gmail snippets; HTML
 * has some two thousand more, which are left as written. */
static const NamedReference named_references[] = {
  { "amp", '&' },       { "lt", '<' },         { "gt", '>' },
  { "quot", '"' },      { "apos", '\'' },      { "nbsp", 0x00A0 },
  { "copy", 0x00A9 },   { "reg", 0x00AE },     { "trade", 0x2122 },
  { "hellip", 0x2026 }, { "mdash", 0x2014 },   { "ndash", 0x2013 },
  { "lsquo", 0x2018 },  { "rsquo", 0x2019 },   { "ldquo", 0x201C },
  { "rdquo", 0x201D },  { "laquo", 0x00AB },   { "raquo", 0x00BB },
  { "euro", 0x20AC },   { "pound", 0x00A3 },   { "yen", 0x00A5 },
  { "cent", 0x00A2 },   { "sect", 0x00A7 },    { "deg", 0x00B0 },
  { "middot", 0x00B7 }, { "bull", 0x2022 },    { "times", 0x00D7 },
  { "divide", 0x00F7 }, { "shy", 0x00AD },     { "zwnj", 0x200C },
  { "zwj", 0x200D },    { "auml", 0x00E4 },    { "ouml", 0x00F6 },
  { "uuml", 0x00FC },   { "Auml", 0x00C4 },    { "Ouml", 0x00D6 },
  { "Uuml", 0x00DC },   { "szlig", 0x00DF },   { "eacute", 0x00E9 },
  { "egrave", 0x00E8 }, { "agrave", 0x00E0 },  { "aacute", 0x00E1 },
  { "ccedil", 0x00E7 }, { "ntilde", 0x00F1 },  { "oacute", 0x00F3 },
  { "iacute", 0x00ED }, { "uacute", 0x00FA },  { "Eacute", 0x00C9 },
};

/* Parses the reference starting at @p (just after '&'). On success
 * appends its text, returns TRUE and sets @end past the ';'. */
static gboolean
decode_reference (const char  *p,
                  const char **end,
                  GString     *out)
{
  const char *semicolon;
  gsize len;

  semicolon = p;
  while (*semicolon != '\0' && *semicolon != ';' && semicolon - p < 12)
    semicolon++;
  if (*semicolon != ';')
    return FALSE;
  len = semicolon - p;
  if (len == 0)
    return FALSE;

  if (p[0] == '#')
    {
      guint64 value = 0;
      gboolean hex = len > 1 && (p[1] == 'x' || p[1] == 'X');
      const char *digits = p + (hex ? 2 : 1);
      const char *q;

      if (digits == semicolon)
        return FALSE;
      for (q = digits; q < semicolon; q++)
        {
          int digit = hex ? g_ascii_xdigit_value (*q) : g_ascii_digit_value (*q);

          if (digit < 0)
            return FALSE;
          value = value * (hex ? 16 : 10) + digit;
          if (value > 0x10FFFF)
            return FALSE;
        }
      /* NUL and surrogates are not characters; HTML maps them to U+FFFD. */
      if (value == 0 || (value >= 0xD800 && value <= 0xDFFF))
        value = 0xFFFD;
      g_string_append_unichar (out, (gunichar) value);
      *end = semicolon + 1;
      return TRUE;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (named_references); i++)
    {
      if (strlen (named_references[i].name) == len &&
          strncmp (named_references[i].name, p, len) == 0)
        {
          g_string_append_unichar (out, named_references[i].value);
          *end = semicolon + 1;
          return TRUE;
        }
    }

  return FALSE;
}

char *
ember_html_unescape (const char *text)
{
  GString *out;
  const char *p;

  if (text == NULL)
    return NULL;

  out = g_string_sized_new (strlen (text));
  for (p = text; *p != '\0';)
    {
      const char *end;

      if (*p == '&' && decode_reference (p + 1, &end, out))
        {
          p = end;
          continue;
        }
      g_string_append_c (out, *p);
      p++;
    }

  return g_string_free (out, FALSE);
}

static gboolean
tag_is (const char *name,
        gsize       len,
        const char *expected)
{
  return strlen (expected) == len && g_ascii_strncasecmp (name, expected, len) == 0;
}

static gboolean
tag_in (const char         *name,
        gsize               len,
        const char * const *tags,
        gsize               n_tags)
{
  for (gsize i = 0; i < n_tags; i++)
    if (tag_is (name, len, tags[i]))
      return TRUE;
  return FALSE;
}

/* Elements that stand on lines of their own. */
static gboolean
tag_is_block (const char *name,
              gsize       len)
{
  static const char * const block_tags[] = {
    "div", "li", "tr", "table", "pre", "hr", "ul", "ol", "dl", "dt", "dd",
    "section", "article", "header", "footer", "address", "center",
  };

  return tag_in (name, len, block_tags, G_N_ELEMENTS (block_tags));
}

/* Elements set off by a blank line. */
static gboolean
tag_is_paragraph (const char *name,
                  gsize       len)
{
  static const char * const paragraph_tags[] = {
    "p", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
  };

  return tag_in (name, len, paragraph_tags, G_N_ELEMENTS (paragraph_tags));
}

static void
trim_trailing_blanks (GString *out)
{
  while (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
}

/* Makes the text end in at least @n line breaks (none at the very start). */
static void
ensure_breaks (GString *out,
               guint    n)
{
  guint have = 0;

  trim_trailing_blanks (out);
  if (out->len == 0)
    return;
  while (have < out->len && out->str[out->len - 1 - have] == '\n')
    have++;
  for (; have < n; have++)
    g_string_append_c (out, '\n');
}

/* The '>' that ends the tag starting at @p, skipping quoted attribute
 * values (href="a>b"); NULL when the tag never ends. */
static const char *
find_tag_end (const char *p)
{
  char quote = 0;

  for (p++; *p != '\0'; p++)
    {
      if (quote != 0)
        {
          if (*p == quote)
            quote = 0;
        }
      else if (*p == '"' || *p == '\'')
        {
          quote = *p;
        }
      else if (*p == '>')
        {
          return p;
        }
    }

  return NULL;
}

/* Finds the end of the element whose content is skipped (script, style,
 * head, title): the matching close tag, or the end of the text. */
static const char *
skip_raw_element (const char *p,
                  const char *name,
                  gsize       name_len)
{
  while ((p = strchr (p, '<')) != NULL)
    {
      if (p[1] == '/' && g_ascii_strncasecmp (p + 2, name, name_len) == 0 &&
          !g_ascii_isalnum (p[2 + name_len]))
        {
          const char *close = strchr (p, '>');

          return close != NULL ? close + 1 : p + strlen (p);
        }
      p++;
    }

  return NULL;
}

char *
ember_html_to_text (const char *html)
{
  GString *out;
  const char *p;
  gboolean in_pre = FALSE;

  if (html == NULL)
    return NULL;

  out = g_string_sized_new (strlen (html) / 2);
  p = html;
  while (*p != '\0')
    {
      if (*p == '<')
        {
          const char *name;
          const char *close;
          gboolean closing = FALSE;
          gsize name_len = 0;

          if (strncmp (p, "<!--", 4) == 0)
            {
              const char *end = strstr (p + 4, "-->");

              p = end != NULL ? end + 3 : p + strlen (p);
              continue;
            }

          name = p + 1;
          if (*name == '/')
            {
              closing = TRUE;
              name++;
            }
          while (g_ascii_isalnum (name[name_len]))
            name_len++;
          close = find_tag_end (p);
          if (name_len == 0 || close == NULL)
            {
              /* A lone '<' is text. */
              g_string_append_c (out, *p);
              p++;
              continue;
            }

          if (!closing && (tag_is (name, name_len, "script") || tag_is (name, name_len, "style") ||
                           tag_is (name, name_len, "head") || tag_is (name, name_len, "title")))
            {
              const char *end = skip_raw_element (close + 1, name, name_len);

              p = end != NULL ? end : close + 1;
              continue;
            }

          if (tag_is (name, name_len, "pre"))
            in_pre = !closing;
          if (tag_is (name, name_len, "br"))
            {
              trim_trailing_blanks (out);
              if (out->len > 0)
                g_string_append_c (out, '\n');
            }
          else if (tag_is_paragraph (name, name_len))
            ensure_breaks (out, 2);
          else if (tag_is_block (name, name_len))
            ensure_breaks (out, 1);
          else if (tag_is (name, name_len, "td") || tag_is (name, name_len, "th"))
            {
              if (!closing && out->len > 0 && out->str[out->len - 1] != '\n')
                g_string_append_c (out, ' ');
            }
          p = close + 1;
          continue;
        }

      if (*p == '&')
        {
          const char *end;
          gsize before = out->len;

          if (decode_reference (p + 1, &end, out))
            {
              /* A non-breaking space reads as a blank. */
              if (out->len - before == 2 && (guchar) out->str[before] == 0xC2 &&
                  (guchar) out->str[before + 1] == 0xA0)
                {
                  g_string_truncate (out, before);
                  g_string_append_c (out, ' ');
                }
              p = end;
              continue;
            }
        }

      if (g_ascii_isspace (*p) && !in_pre)
        {
          if (out->len > 0 && out->str[out->len - 1] != ' ' && out->str[out->len - 1] != '\n')
            g_string_append_c (out, ' ');
          p++;
          continue;
        }

      g_string_append_c (out, *p);
      p++;
    }

  while (out->len > 0 && g_ascii_isspace (out->str[out->len - 1]))
    g_string_truncate (out, out->len - 1);

  return g_string_free (out, FALSE);
}
