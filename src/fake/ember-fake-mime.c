/* ember-fake-mime.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-fake"

#include "config.h"

#include <string.h>

#include "ember-fake-json.h"
#include "ember-fake-mime.h"

typedef struct _Part Part;

struct _Part
{
  GPtrArray           *headers;   /* name, value, ... */
  char                *mime_type;
  char                *filename;  /* UTF-8 */
  GBytes              *content;   /* decoded bytes, leaves only */
  const char          *encoding;
  char                *boundary;
  GPtrArray           *children;
  EmberFakeAttachment *attachment;
};

static void
part_free (gpointer data)
{
  Part *part = data;

  g_ptr_array_unref (part->headers);
  g_free (part->mime_type);
  g_free (part->filename);
  g_clear_pointer (&part->content, g_bytes_unref);
  g_free (part->boundary);
  g_clear_pointer (&part->children, g_ptr_array_unref);
  g_free (part);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Part, part_free)

static Part *
part_new (const char *mime_type)
{
  Part *part = g_new0 (Part, 1);

  part->headers = g_ptr_array_new_with_free_func (g_free);
  part->mime_type = g_strdup (mime_type);
  return part;
}

static void
part_add_header (Part       *part,
                 const char *name,
                 const char *value)
{
  g_ptr_array_add (part->headers, g_strdup (name));
  g_ptr_array_add (part->headers, g_strdup (value));
}

/* ------------------------------------------------------------------------ */
/* Encodings.                                                               */

static gboolean
is_ascii_len (const char *s,
              gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if ((guchar) s[i] >= 0x80)
      return FALSE;
  return TRUE;
}

/* UTF-8 to ISO-8859-1 or windows-1252 by table: the generator only uses
 * text these charsets can hold, and iconv_open per message is slow. */
static const gunichar cp1252_high[32] = {
  0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
  0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

static gboolean
is_utf8_charset (const char *charset)
{
  return g_ascii_strcasecmp (charset, "UTF-8") == 0;
}

/* Appends @utf8 in @charset; FALSE when a character does not fit. */
static gboolean
append_in_charset (GString    *out,
                   const char *utf8,
                   gssize      len,
                   const char *charset)
{
  gboolean cp1252 = g_ascii_strcasecmp (charset, "windows-1252") == 0;
  const char *end;

  if (len < 0)
    len = strlen (utf8);
  if (is_utf8_charset (charset))
    {
      g_string_append_len (out, utf8, len);
      return TRUE;
    }

  end = utf8 + len;
  for (const char *c = utf8; c < end; c = g_utf8_next_char (c))
    {
      gunichar ch = g_utf8_get_char (c);
      int byte = -1;

      if (ch < 0x80 || (ch >= 0xA0 && ch < 0x100))
        byte = (int) ch;
      else if (cp1252)
        {
          for (int k = 0; k < 32 && byte < 0; k++)
            if (cp1252_high[k] == ch)
              byte = 0x80 + k;
        }
      if (byte < 0)
        return FALSE;
      g_string_append_c (out, (char) byte);
    }
  return TRUE;
}

/* RFC 2047 encoded-words, each at most 75 characters and never splitting a
 * character, folded with CRLF SP between words. */
static char *
encode_words (const char *utf8,
              const char *charset,
              gboolean    q_encoding)
{
  GString *out;
  g_autofree char *converted = NULL;
  gsize converted_len = 0;
  const char *p;
  const char *end;
  gsize overhead;
  gboolean first = TRUE;

  if (g_str_is_ascii (utf8))
    return g_strdup (utf8);

  {
    GString *bytes = g_string_new (NULL);

    if (!append_in_charset (bytes, utf8, -1, charset))
      {
        charset = "UTF-8";
        g_string_assign (bytes, utf8);
      }
    converted_len = bytes->len;
    converted = g_string_free (bytes, FALSE);
  }

  out = g_string_new (NULL);
  overhead = strlen ("=?") + strlen (charset) + strlen ("?Q?") + strlen ("?=");
  p = converted;
  end = converted + converted_len;

  while (p < end)
    {
      GString *word = g_string_new (NULL);
      const char *chunk_end = p;
      gsize budget = 75 - overhead;

      /* Take whole characters while the encoded word still fits. */
      for (;;)
        {
          const char *next = chunk_end;
          gsize encoded_len;

          if (next >= end)
            break;
          if (g_ascii_strcasecmp (charset, "UTF-8") == 0)
            next = g_utf8_next_char (next);
          else
            next++;

          if (q_encoding)
            {
              encoded_len = 0;
              for (const char *c = p; c < next; c++)
                encoded_len += (g_ascii_isalnum (*c) || *c == ' ') ? 1 : 3;
            }
          else
            encoded_len = (next - p + 2) / 3 * 4;

          if (encoded_len > budget && chunk_end > p)
            break;
          chunk_end = next;
        }

      if (q_encoding)
        {
          for (const char *c = p; c < chunk_end; c++)
            {
              guchar ch = (guchar) *c;

              if (ch == ' ')
                g_string_append_c (word, '_');
              else if (g_ascii_isalnum (ch))
                g_string_append_c (word, ch);
              else
                g_string_append_printf (word, "=%02X", ch);
            }
        }
      else
        {
          g_autofree char *b64 = g_base64_encode ((const guchar *) p, chunk_end - p);

          g_string_append (word, b64);
        }

      if (!first)
        g_string_append (out, "\r\n ");
      g_string_append_printf (out, "=?%s?%c?%s?=", charset, q_encoding ? 'Q' : 'B', word->str);
      g_string_free (word, TRUE);
      first = FALSE;
      p = chunk_end;
    }

  return g_string_free (out, FALSE);
}

static gboolean
needs_quoting (const char *name)
{
  return strpbrk (name, "()<>[]:;@\\,.\"") != NULL;
}

static void
append_address (GString                *out,
                const EmberFakeAddress *address,
                const char             *charset,
                gboolean                q_encoding)
{
  if (address->name == NULL || *address->name == '\0')
    {
      g_string_append (out, address->address);
      return;
    }

  if (!g_str_is_ascii (address->name))
    {
      g_autofree char *words = encode_words (address->name, charset, q_encoding);

      g_string_append_printf (out, "%s <%s>", words, address->address);
    }
  else if (needs_quoting (address->name))
    {
      g_string_append_c (out, '"');
      for (const char *c = address->name; *c; c++)
        {
          if (*c == '"' || *c == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *c);
        }
      g_string_append_printf (out, "\" <%s>", address->address);
    }
  else
    g_string_append_printf (out, "%s <%s>", address->name, address->address);
}

static char *
address_list (GPtrArray  *addresses,
              const char *charset,
              gboolean    q_encoding)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < addresses->len; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      append_address (out, g_ptr_array_index (addresses, i), charset, q_encoding);
    }
  return g_string_free (out, FALSE);
}

static char *
rfc5322_date (gint64 date_ms,
              int    offset_min,
              gboolean with_comment)
{
  static const char *days[] = { "", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *months[] = { "", "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (date_ms / 1000);
  g_autoptr(GDateTime) local = g_date_time_add_minutes (utc, offset_min);
  int abs_offset = ABS (offset_min);

  return g_strdup_printf ("%s, %d %s %d %02d:%02d:%02d %c%02d%02d%s",
                          days[g_date_time_get_day_of_week (local)],
                          g_date_time_get_day_of_month (local),
                          months[g_date_time_get_month (local)],
                          g_date_time_get_year (local),
                          g_date_time_get_hour (local),
                          g_date_time_get_minute (local),
                          g_date_time_get_second (local),
                          offset_min < 0 ? '-' : '+', abs_offset / 60, abs_offset % 60,
                          with_comment && offset_min == 0 ? " (UTC)" : "");
}

static GBytes *
text_bytes (const char *utf8,
            const char *charset)
{
  gsize utf8_len = strlen (utf8);
  GString *out = g_string_sized_new (utf8_len + utf8_len / 16 + 16);
  const char *line = utf8;
  gsize len;

  /* CRLF line ends, in the part's charset. */
  for (;;)
    {
      const char *newline = strchr (line, '\n');
      gsize line_len = newline != NULL ? (gsize) (newline - line) : strlen (line);

      if (!append_in_charset (out, line, line_len, charset))
        g_assert_not_reached ();
      if (newline == NULL)
        break;
      g_string_append_len (out, "\r\n", 2);
      line = newline + 1;
    }

  len = out->len;
  return g_bytes_new_take (g_string_free (out, FALSE), len);
}

static void
quoted_printable (GString      *out,
                  const guint8 *data,
                  gsize         len)
{
  static const char hex[] = "0123456789ABCDEF";
  guint column = 0;

  for (gsize i = 0; i < len; i++)
    {
      guint8 c = data[i];
      gboolean before_break;
      gboolean literal;

      if (c == '\r' && i + 1 < len && data[i + 1] == '\n')
        {
          g_string_append_len (out, "\r\n", 2);
          i++;
          column = 0;
          continue;
        }

      /* Spaces and tabs are literal except right before a line break. */
      before_break = i + 1 == len || (i + 2 < len && data[i + 1] == '\r' && data[i + 2] == '\n');
      literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !before_break);

      if (column + (literal ? 1 : 3) > 75)
        {
          g_string_append_len (out, "=\r\n", 3);
          column = 0;
        }
      if (literal)
        {
          g_string_append_c (out, (char) c);
          column++;
        }
      else
        {
          char encoded[3] = { '=', hex[c >> 4], hex[c & 15] };

          g_string_append_len (out, encoded, 3);
          column += 3;
        }
    }
}

static void
base64_lines (GString      *out,
              const guint8 *data,
              gsize         len)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  gsize start = out->len;
  char *p;

  /* 57 input bytes make one 76-character line. */
  g_string_set_size (out, start + (len + 2) / 3 * 4 + (len / 57 + 1) * 2);
  p = out->str + start;
  for (gsize i = 0; i < len; i += 57)
    {
      gsize chunk = MIN (57, len - i);

      for (gsize k = 0; k < chunk; k += 3)
        {
          guint32 v = (guint32) data[i + k] << 16;
          gsize left = chunk - k;

          if (left > 1)
            v |= (guint32) data[i + k + 1] << 8;
          if (left > 2)
            v |= data[i + k + 2];
          *p++ = alphabet[(v >> 18) & 63];
          *p++ = alphabet[(v >> 12) & 63];
          *p++ = left > 1 ? alphabet[(v >> 6) & 63] : '=';
          *p++ = left > 2 ? alphabet[v & 63] : '=';
        }
      *p++ = '\r';
      *p++ = '\n';
    }
  g_string_truncate (out, p - out->str);
}

/* ------------------------------------------------------------------------ */
/* Building the part tree.                                                 */

static Part *
text_part (const char *mime_type,
           const char *utf8,
           const char *charset,
           guint64     variant)
{
  Part *part = part_new (mime_type);
  g_autofree char *content_type = NULL;
  gsize len;
  const char *data;

  part->content = text_bytes (utf8, charset);
  data = g_bytes_get_data (part->content, &len);

  /* Vary the parameter spelling the way real mailers do. */
  if (variant % 3 == 0)
    content_type = g_strdup_printf ("%s; charset=\"%s\"", mime_type, charset);
  else if (variant % 3 == 1)
    {
      g_autofree char *lower = g_ascii_strdown (charset, -1);

      content_type = g_strdup_printf ("%s; charset=%s", mime_type, lower);
    }
  else
    content_type = g_strdup_printf ("%s; charset=%s; format=flowed", mime_type, charset);

  if (is_ascii_len (data, len))
    part->encoding = "7bit";
  else if (g_ascii_strcasecmp (charset, "UTF-8") == 0 && variant % 4 == 1)
    part->encoding = "base64";
  else if (variant % 5 == 2)
    part->encoding = "8bit";
  else
    part->encoding = "quoted-printable";

  part_add_header (part, "Content-Type", content_type);
  part_add_header (part, "Content-Transfer-Encoding", part->encoding);
  return part;
}

static char *
rfc2231_encode (const char *utf8)
{
  GString *out = g_string_new ("UTF-8''");

  for (const guchar *c = (const guchar *) utf8; *c; c++)
    {
      if (g_ascii_isalnum (*c) || strchr ("!#$&+-.^_`|~", *c) != NULL)
        g_string_append_c (out, *c);
      else
        g_string_append_printf (out, "%%%02X", *c);
    }
  return g_string_free (out, FALSE);
}

static Part *
attachment_part (EmberFakeAttachment *attachment)
{
  Part *part = part_new (attachment->mime_type);
  g_autofree char *content_type = NULL;
  g_autofree char *disposition = NULL;
  const char *kind = attachment->content_id != NULL ? "inline" : "attachment";

  part->filename = g_strdup (attachment->filename);
  /* The bytes are only generated when the raw form is asked for. */
  part->encoding = "base64";
  part->attachment = attachment;

  if (g_str_is_ascii (attachment->filename))
    {
      content_type = g_strdup_printf ("%s; name=\"%s\"", attachment->mime_type, attachment->filename);
      disposition = g_strdup_printf ("%s; filename=\"%s\"", kind, attachment->filename);
    }
  else
    {
      /* What mailers actually send: an encoded-word in name= (not allowed
       * by RFC 2047, common anyway) and RFC 2231 in filename*=. */
      g_autofree char *words = encode_words (attachment->filename, "UTF-8", FALSE);
      g_autofree char *extended = rfc2231_encode (attachment->filename);

      content_type = g_strdup_printf ("%s; name=\"%s\"", attachment->mime_type, words);
      disposition = g_strdup_printf ("%s; filename*=%s", kind, extended);
    }

  part_add_header (part, "Content-Type", content_type);
  part_add_header (part, "Content-Disposition", disposition);
  part_add_header (part, "Content-Transfer-Encoding", "base64");
  if (attachment->content_id != NULL)
    {
      g_autofree char *cid = g_strdup_printf ("<%s>", attachment->content_id);

      part_add_header (part, "Content-ID", cid);
    }
  else
    {
      g_autofree char *x_id = g_strdup_printf ("f_%.10s", attachment->attachment_id + 6);

      part_add_header (part, "X-Attachment-Id", x_id);
    }
  return part;
}

static Part *
multipart (const char *subtype,
           guint64     seed)
{
  g_autofree char *mime_type = g_strdup_printf ("multipart/%s", subtype);
  Part *part = part_new (mime_type);
  g_autofree char *content_type = NULL;

  part->boundary = g_strdup_printf ("%016" G_GINT64_MODIFIER "x%08x", seed, (guint) (seed >> 17) ^ 0x5a5a);
  content_type = g_strdup_printf ("%s; boundary=\"%s\"", mime_type, part->boundary);
  part_add_header (part, "Content-Type", content_type);
  part->children = g_ptr_array_new_with_free_func (part_free);
  return part;
}

static Part *
build_body (EmberFakeMessage *message)
{
  guint64 variant = message->key * 2654435761u;
  Part *alternative;
  Part *mixed;
  Part *related;

  switch (message->shape)
    {
    case EMBER_FAKE_SHAPE_PLAIN:
      return text_part ("text/plain", message->text, message->charset, variant);

    case EMBER_FAKE_SHAPE_HTML:
      return text_part ("text/html", message->html, message->charset, variant);

    case EMBER_FAKE_SHAPE_ALTERNATIVE:
      alternative = multipart ("alternative", variant);
      g_ptr_array_add (alternative->children, text_part ("text/plain", message->text, message->charset, variant));
      g_ptr_array_add (alternative->children, text_part ("text/html", message->html, message->charset, variant + 1));
      return alternative;

    case EMBER_FAKE_SHAPE_MIXED:
      mixed = multipart ("mixed", variant);
      alternative = multipart ("alternative", variant + 7);
      g_ptr_array_add (alternative->children, text_part ("text/plain", message->text, message->charset, variant));
      g_ptr_array_add (alternative->children, text_part ("text/html", message->html, message->charset, variant + 1));
      g_ptr_array_add (mixed->children, alternative);
      for (guint i = 0; i < message->attachments->len; i++)
        g_ptr_array_add (mixed->children, attachment_part (g_ptr_array_index (message->attachments, i)));
      return mixed;

    case EMBER_FAKE_SHAPE_MIXED_PLAIN:
      mixed = multipart ("mixed", variant);
      g_ptr_array_add (mixed->children, text_part ("text/plain", message->text, message->charset, variant));
      for (guint i = 0; i < message->attachments->len; i++)
        g_ptr_array_add (mixed->children, attachment_part (g_ptr_array_index (message->attachments, i)));
      return mixed;

    case EMBER_FAKE_SHAPE_RELATED:
      alternative = multipart ("alternative", variant);
      related = multipart ("related", variant + 3);
      g_ptr_array_add (alternative->children, text_part ("text/plain", message->text, message->charset, variant));
      g_ptr_array_add (related->children, text_part ("text/html", message->html, message->charset, variant + 1));
      g_ptr_array_add (related->children, attachment_part (g_ptr_array_index (message->attachments, 0)));
      g_ptr_array_add (alternative->children, related);
      return alternative;

    default:
      g_assert_not_reached ();
    }
  return NULL;
}

static void
add_message_headers (Part             *top,
                     EmberFakeMessage *message)
{
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
  gboolean q = message->key % 2 == 0;
  const char *charset = message->charset;
  g_autofree char *date = rfc5322_date (message->date_ms, message->tz_offset_min, message->key % 5 == 0);
  g_autofree char *subject = encode_words (message->subject, charset, q);
  g_autofree char *to = address_list (message->to, charset, q);
  GString *from = g_string_new (NULL);
  g_autofree char *from_text = NULL;
  g_autofree char *received = NULL;
  g_autofree char *received_date = rfc5322_date (message->date_ms, -480, FALSE);

  append_address (from, &message->from, charset, !q);
  from_text = g_string_free (from, FALSE);
  received = g_strdup_printf ("from mail.example.net (mail.example.net. [192.0.2.%u])\r\n"
                              "        by mx.fake.test with ESMTPS id %" G_GINT64_MODIFIER "x\r\n"
                              "        for <%s>; %s",
                              (guint) (message->key % 250) + 1, (guint64) message->date_ms * 31,
                              ((EmberFakeAddress *) g_ptr_array_index (message->to, 0))->address,
                              received_date);

#define ADD(name, value) G_STMT_START { g_ptr_array_add (headers, g_strdup (name)); \
                                        g_ptr_array_add (headers, g_strdup (value)); } G_STMT_END
  ADD ("Delivered-To", ((EmberFakeAddress *) g_ptr_array_index (message->to, 0))->address);
  ADD ("Received", received);
  ADD ("MIME-Version", "1.0");
  ADD ("Date", date);
  ADD ("Message-ID", message->internet_message_id);
  if (message->in_reply_to != NULL)
    ADD ("In-Reply-To", message->in_reply_to);
  if (message->references != NULL)
    ADD ("References", message->references);
  ADD ("Subject", subject);
  ADD ("From", from_text);
  ADD ("To", to);
  if (message->cc->len > 0)
    {
      g_autofree char *cc = address_list (message->cc, charset, q);

      ADD ("Cc", cc);
    }
  if (message->mailer != NULL)
    ADD ("X-Mailer", message->mailer);
#undef ADD

  /* The body's own Content-* headers come last. */
  for (guint i = 0; i < top->headers->len; i++)
    g_ptr_array_add (headers, g_strdup (g_ptr_array_index (top->headers, i)));
  g_ptr_array_unref (top->headers);
  top->headers = g_steal_pointer (&headers);
}

/* With @size_only, attachments are stood in for by filler of the same
 * encoded length: enough to know the message's size. */
static void
serialise (GString *out,
           Part    *part,
           gboolean top,
           gboolean size_only)
{
  for (guint i = 0; i < part->headers->len; i += 2)
    {
      g_string_append (out, g_ptr_array_index (part->headers, i));
      g_string_append_len (out, ": ", 2);
      g_string_append (out, g_ptr_array_index (part->headers, i + 1));
      g_string_append_len (out, "\r\n", 2);
    }
  g_string_append_len (out, "\r\n", 2);

  if (part->children != NULL)
    {
      if (top)
        g_string_append (out, "This is a multi-part message in MIME format.\r\n\r\n");
      for (guint i = 0; i < part->children->len; i++)
        {
          g_string_append_len (out, "--", 2);
          g_string_append (out, part->boundary);
          g_string_append_len (out, "\r\n", 2);
          serialise (out, g_ptr_array_index (part->children, i), FALSE, size_only);
          g_string_append (out, "\r\n");
        }
      g_string_append_printf (out, "--%s--\r\n", part->boundary);
      return;
    }

  if (part->attachment != NULL)
    {
      gsize n = part->attachment->size;

      if (size_only)
        g_string_set_size (out, out->len + (n + 2) / 3 * 4 + (n + 56) / 57 * 2);
      else
        {
          g_autoptr(GBytes) data = ember_fake_attachment_data (part->attachment);

          base64_lines (out, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
        }
      return;
    }

  {
    gsize len;
    const guint8 *data = g_bytes_get_data (part->content, &len);

    if (strcmp (part->encoding, "base64") == 0)
      base64_lines (out, data, len);
    else if (strcmp (part->encoding, "quoted-printable") == 0)
      quoted_printable (out, data, len);
    else
      g_string_append_len (out, (const char *) data, len);
  }
}

/* A JSON string of base64url (padded): nothing in it needs escaping. */
static void
append_base64url_string (EmberFakeJson *json,
                         const guint8  *data,
                         gsize          len)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  GString *out = json->out;
  gsize start;
  char *p;

  ember_fake_json_raw (json, "\"", 1);
  start = out->len;
  g_string_set_size (out, start + (len + 2) / 3 * 4);
  p = out->str + start;
  for (gsize i = 0; i < len; i += 3)
    {
      guint32 v = (guint32) data[i] << 16;
      gsize left = len - i;

      if (left > 1)
        v |= (guint32) data[i + 1] << 8;
      if (left > 2)
        v |= data[i + 2];
      *p++ = alphabet[(v >> 18) & 63];
      *p++ = alphabet[(v >> 12) & 63];
      *p++ = left > 1 ? alphabet[(v >> 6) & 63] : '=';
      *p++ = left > 2 ? alphabet[v & 63] : '=';
    }
  g_string_append_c (out, '"');
}

/* Header values as Gmail shows them: folding line breaks removed. */
static char *
unfold (const char *value)
{
  GString *out = g_string_new (NULL);

  for (const char *c = value; *c; c++)
    {
      if (c[0] == '\r' && c[1] == '\n')
        {
          c++;
          continue;
        }
      g_string_append_c (out, *c);
    }
  return g_string_free (out, FALSE);
}

static void
payload_json (EmberFakeJson *json,
              Part          *part,
              const char    *part_id)
{
  ember_fake_json_begin_object (json);
  ember_fake_json_member_string (json, "partId", part_id);
  ember_fake_json_member_string (json, "mimeType", part->mime_type);
  ember_fake_json_member_string (json, "filename", part->filename != NULL ? part->filename : "");
  ember_fake_json_key (json, "headers");
  ember_fake_json_begin_array (json);
  for (guint i = 0; i < part->headers->len; i += 2)
    {
      ember_fake_json_begin_object (json);
      ember_fake_json_member_string (json, "name", g_ptr_array_index (part->headers, i));
      g_autofree char *unfolded = unfold (g_ptr_array_index (part->headers, i + 1));

      ember_fake_json_member_string (json, "value", unfolded);
      ember_fake_json_end_object (json);
    }
  ember_fake_json_end_array (json);

  ember_fake_json_key (json, "body");
  ember_fake_json_begin_object (json);
  if (part->children != NULL)
    ember_fake_json_member_int (json, "size", 0);
  else if (part->attachment != NULL)
    {
      ember_fake_json_member_string (json, "attachmentId", part->attachment->attachment_id);
      ember_fake_json_member_int (json, "size", part->attachment->size);
    }
  else
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (part->content, &len);

      ember_fake_json_member_int (json, "size", len);
      ember_fake_json_key (json, "data");
      append_base64url_string (json, data, len);
    }
  ember_fake_json_end_object (json);

  if (part->children != NULL)
    {
      ember_fake_json_key (json, "parts");
      ember_fake_json_begin_array (json);
      for (guint i = 0; i < part->children->len; i++)
        {
          g_autofree char *child_id = *part_id == '\0'
                                      ? g_strdup_printf ("%u", i)
                                      : g_strdup_printf ("%s.%u", part_id, i);

          payload_json (json, g_ptr_array_index (part->children, i), child_id);
        }
      ember_fake_json_end_array (json);
    }
  ember_fake_json_end_object (json);
}

static char *
collapse_text (const char *text,
               guint       max_chars)
{
  GString *out = g_string_sized_new (max_chars + 8);
  gboolean space = FALSE;
  guint n = 0;
  const char *c = text;

  for (; *c && n < max_chars;)
    {
      const char *next;

      /* Leave the signature out, as Gmail does. */
      if (c[0] == '\n' && strncmp (c, "\n-- \n", 5) == 0)
        break;
      if ((guchar) *c < 0x80)
        {
          if (g_ascii_isspace (*c))
            {
              space = out->len > 0;
              c++;
              continue;
            }
          next = c + 1;
        }
      else
        {
          next = g_utf8_next_char (c);
          if (g_unichar_isspace (g_utf8_get_char (c)))
            {
              space = out->len > 0;
              c = next;
              continue;
            }
        }
      if (space)
        {
          g_string_append_c (out, ' ');
          n++;
          space = FALSE;
        }
      g_string_append_len (out, c, next - c);
      n++;
      c = next;
    }
  return g_string_free (out, FALSE);
}

static char *
gmail_snippet (const char *text)
{
  g_autofree char *plain = collapse_text (text, 200);
  GString *out = g_string_new (NULL);

  for (const char *c = plain; *c; c++)
    {
      switch (*c)
        {
        case '&': g_string_append (out, "&amp;"); break;
        case '<': g_string_append (out, "&lt;"); break;
        case '>': g_string_append (out, "&gt;"); break;
        case '"': g_string_append (out, "&quot;"); break;
        case '\'': g_string_append (out, "&#39;"); break;
        default: g_string_append_c (out, *c); break;
        }
    }
  return g_string_free (out, FALSE);
}

void
ember_fake_message_render_text (EmberFakeMessage *message)
{
  GString *body;
  EmberFakeJson json;

  if (message->preview != NULL)
    return;

  message->snippet = gmail_snippet (message->text);
  message->preview = collapse_text (message->text, 255);

  body = g_string_sized_new (strlen (message->html != NULL ? message->html : message->text) + 64);
  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  ember_fake_json_member_string (&json, "contentType", message->html != NULL ? "html" : "text");
  ember_fake_json_member_string (&json, "content", message->html != NULL ? message->html : message->text);
  ember_fake_json_end_object (&json);
  message->graph_body_json = g_string_free (body, FALSE);
}

static void
scratch_free (gpointer data)
{
  g_string_free (data, TRUE);
}

/* The serialised message is only kept for its size: a per-thread buffer
 * spares an allocation (and fresh pages) per message. */
static GPrivate scratch_key = G_PRIVATE_INIT (scratch_free);

static Part *
build_message (EmberFakeMessage *message)
{
  Part *top = build_body (message);

  add_message_headers (top, message);
  return top;
}

void
ember_fake_message_render (EmberFakeMessage *message)
{
  g_autoptr(Part) top = NULL;
  GString *scratch;
  GString *payload;
  EmberFakeJson json;

  ember_fake_message_render_text (message);
  if (message->size_estimate != 0)
    return;

  top = build_message (message);

  scratch = g_private_get (&scratch_key);
  if (scratch == NULL)
    {
      scratch = g_string_sized_new (64 * 1024);
      g_private_set (&scratch_key, scratch);
    }
  g_string_truncate (scratch, 0);
  serialise (scratch, top, TRUE, TRUE);
  message->size_estimate = scratch->len;

  payload = g_string_sized_new (message->size_estimate);
  ember_fake_json_init (&json, payload);
  payload_json (&json, top, "");
  message->payload_json = g_string_free (payload, FALSE);

  message->top_headers = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < top->headers->len; i += 2)
    {
      g_ptr_array_add (message->top_headers, g_strdup (g_ptr_array_index (top->headers, i)));
      g_ptr_array_add (message->top_headers, unfold (g_ptr_array_index (top->headers, i + 1)));
    }
  message->top_mime_type = g_strdup (top->mime_type);
}

GBytes *
ember_fake_message_dup_raw (EmberFakeMessage *message)
{
  g_autoptr(Part) top = build_message (message);
  GString *raw = g_string_sized_new (message->size_estimate > 0 ? message->size_estimate + 1 : 16 * 1024);
  gsize len;

  serialise (raw, top, TRUE, FALSE);
  len = raw->len;
  return g_bytes_new_take (g_string_free (raw, FALSE), len);
}

const char *
ember_fake_message_raw_base64url (EmberFakeMessage *message)
{
  ember_fake_message_render (message);
  if (message->raw_b64 == NULL)
    {
      g_autoptr(GBytes) raw = ember_fake_message_dup_raw (message);
      gsize len;
      const guint8 *data = g_bytes_get_data (raw, &len);

      message->raw_b64 = ember_fake_base64url_encode (data, len);
    }
  return message->raw_b64;
}

EmberFakeAttachment *
ember_fake_message_find_attachment (EmberFakeMessage *message,
                                    const char       *attachment_id)
{
  for (guint i = 0; i < message->attachments->len; i++)
    {
      EmberFakeAttachment *attachment = g_ptr_array_index (message->attachments, i);

      if (g_strcmp0 (attachment->attachment_id, attachment_id) == 0)
        return attachment;
    }
  return NULL;
}

GBytes *
ember_fake_attachment_data (EmberFakeAttachment *attachment)
{
  EmberFakeRng rng;
  guint8 *data = g_malloc (attachment->size);
  gsize offset = 0;
  const char *magic = NULL;

  ember_fake_rng_init (&rng, attachment->seed);

  /* Text types get text; the rest noise behind a believable magic number. */
  if (g_str_has_prefix (attachment->mime_type, "text/"))
    {
      static const char line[] = "Datum;Betrag;Beschreibung\r\n2025-03-01;12,50;Kaffee\r\n";

      for (gsize i = 0; i < attachment->size; i++)
        data[i] = line[i % (sizeof line - 1)];
      return g_bytes_new_take (data, attachment->size);
    }

  for (gsize i = 0; i < attachment->size; i += 8)
    {
      guint64 word = ember_fake_rng_next (&rng);

      for (gsize k = 0; k < 8 && i + k < attachment->size; k++)
        data[i + k] = (guint8) (word >> (8 * k));
    }

  if (strcmp (attachment->mime_type, "application/pdf") == 0)
    {
      offset = 9;
      magic = "%PDF-1.4\n";
    }
  else if (strcmp (attachment->mime_type, "image/png") == 0)
    {
      offset = 8;
      magic = "\x89PNG\r\n\x1a\n";
    }
  else if (strcmp (attachment->mime_type, "image/jpeg") == 0)
    {
      offset = 3;
      magic = "\xff\xd8\xff";
    }
  if (magic != NULL)
    memcpy (data, magic, MIN (offset, attachment->size));

  return g_bytes_new_take (data, attachment->size);
}
