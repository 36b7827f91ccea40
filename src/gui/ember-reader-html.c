/* ember-reader-html.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <string.h>

#include "ember-reader-html.h"

/* Every way a mail body can point the renderer at a remote resource that we
 * know of. Entity-encoded URLs slip past this scan, but never past the
 * blocking itself: the scan only decides whether to show the bar. */
#define REMOTE_CONTENT_PATTERN \
  "<[a-z][^>]*?\\s(?:src|background|poster|data|lowsrc|dynsrc)\\s*=\\s*[\"']?\\s*https?:" \
  "|<[a-z][^>]*?\\ssrcset\\s*=\\s*[\"']?[^\"'>]*https?:" \
  "|<(?:link|base|image|use|feimage)\\b[^>]*?[\\s:]href\\s*=\\s*[\"']?\\s*https?:" \
  "|url\\s*\\(\\s*(?:[\"']|&quot;|&#3[49];)?\\s*https?:" \
  "|@import\\s+(?:url\\s*\\(\\s*)?[\"']?\\s*https?:"

#define LEADING_DOCTYPE_PATTERN "^\\s*(?:<!--.*?-->\\s*)*<!doctype[^>]*>"

#define LINK_PATTERN "(?:https?://|mailto:)[^\\s<>\"]+"

/* Scripts, frames, objects and media stay off either way (JavaScript is off
 * in the settings too); inline styles are what HTML mail is made of. */
#define POLICY_BLOCKED \
  "default-src 'none'; style-src 'unsafe-inline' data:; img-src data:; font-src data:"
#define POLICY_REMOTE_ALLOWED \
  "default-src 'none'; style-src 'unsafe-inline' data: http: https:; " \
  "img-src data: http: https:; font-src data: http: https:"

static GRegex *
compile_once (GRegex      **regex,
              const char   *pattern,
              GRegexCompileFlags flags)
{
  if (g_once_init_enter (regex))
    {
      g_autoptr(GError) error = NULL;
      GRegex *compiled = g_regex_new (pattern, flags | G_REGEX_OPTIMIZE, 0, &error);

      /* The patterns are constants: failing here is a programming error. */
      g_assert_no_error (error);
      g_once_init_leave (regex, compiled);
    }

  return *regex;
}

gboolean
ember_reader_html_has_remote_content (const char *html)
{
  static GRegex *remote_regex;

  if (html == NULL || *html == '\0')
    return FALSE;

  return g_regex_match (compile_once (&remote_regex, REMOTE_CONTENT_PATTERN, G_REGEX_CASELESS),
                        html, 0, NULL);
}

char *
ember_reader_html_add_policy (const char *html,
                              gboolean    allow_remote)
{
  static GRegex *doctype_regex;
  g_autoptr(GMatchInfo) match = NULL;
  GString *result;
  int doctype_end = 0;

  g_return_val_if_fail (html != NULL, NULL);

  if (g_regex_match (compile_once (&doctype_regex, LEADING_DOCTYPE_PATTERN,
                                   G_REGEX_CASELESS | G_REGEX_DOTALL),
                     html, 0, &match))
    g_match_info_fetch_pos (match, 0, NULL, &doctype_end);

  result = g_string_sized_new (strlen (html) + 200);
  g_string_append_len (result, html, doctype_end);
  g_string_append_printf (result,
                          "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">",
                          allow_remote ? POLICY_REMOTE_ALLOWED : POLICY_BLOCKED);
  g_string_append (result, html + doctype_end);

  return g_string_free (result, FALSE);
}

static void
clear_link (gpointer data)
{
  EmberReaderLink *link = data;

  g_clear_pointer (&link->uri, g_free);
}

/* Where a link found by the pattern really ends: sentence punctuation and
 * an unmatched closing bracket belong to the text around it. */
static gsize
trim_link_end (const char *text,
               gsize       start,
               gsize       end)
{
  while (end > start)
    {
      char last = text[end - 1];
      const char *open = NULL;

      if (strchr (".,;:!?'", last) != NULL)
        {
          end--;
          continue;
        }

      if (last == ')')
        open = "(";
      else if (last == ']')
        open = "[";
      else if (last == '}')
        open = "{";

      if (open != NULL)
        {
          int depth = 0;

          for (gsize i = start; i < end; i++)
            {
              if (text[i] == open[0])
                depth++;
              else if (text[i] == last)
                depth--;
            }
          if (depth < 0)
            {
              end--;
              continue;
            }
        }

      break;
    }

  return end;
}

GArray *
ember_reader_text_find_links (const char *text)
{
  static GRegex *link_regex;
  g_autoptr(GMatchInfo) match = NULL;
  GArray *links = g_array_new (FALSE, FALSE, sizeof (EmberReaderLink));

  g_array_set_clear_func (links, clear_link);
  if (text == NULL)
    return links;

  g_regex_match (compile_once (&link_regex, LINK_PATTERN, G_REGEX_CASELESS), text, 0, &match);
  while (g_match_info_matches (match))
    {
      int match_start, match_end;
      gsize end;
      const char *scheme_end;

      g_match_info_fetch_pos (match, 0, &match_start, &match_end);
      end = trim_link_end (text, match_start, match_end);
      scheme_end = g_ascii_strncasecmp (text + match_start, "mailto:", 7) == 0
                   ? text + match_start + 7
                   : strstr (text + match_start, "://") + 3;

      /* A bare "https://" or "mailto:" is not a link. */
      if (text + end > scheme_end)
        {
          EmberReaderLink link = {
            .start = match_start,
            .end = end,
            .uri = g_strndup (text + match_start, end - match_start),
          };

          g_array_append_val (links, link);
        }

      g_match_info_next (match, NULL);
    }

  return links;
}
