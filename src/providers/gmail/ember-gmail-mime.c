/* ember-gmail-mime.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-providers"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <gmime/gmime.h>
#include <json-glib/json-glib.h>

#include "ember-error.h"
#include "ember-gmail-mime.h"
#include "ember-html-text.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParserOptions, g_mime_parser_options_free)

static void
ensure_gmime (void)
{
  static gsize initialized = 0;

  /* g_mime_init() itself is not thread-safe; parsing afterwards is. */
  if (g_once_init_enter (&initialized))
    {
      g_mime_init ();
      g_once_init_leave (&initialized, 1);
    }
}

/* The decoder name for a charset label, read the way mail readers (and the
 * WHATWG encoding standard) read them: the labels senders get wrong are
 * widened to the superset they really mean. */
static const char *
decoder_for_charset (const char *charset)
{
  static const struct
  {
    const char *label;
    const char *decoder;
  } aliases[] = {
    { "us-ascii", "WINDOWS-1252" },
    { "ascii", "WINDOWS-1252" },
    { "iso-8859-1", "WINDOWS-1252" },
    { "iso8859-1", "WINDOWS-1252" },
    { "iso_8859-1", "WINDOWS-1252" },
    { "latin1", "WINDOWS-1252" },
    { "l1", "WINDOWS-1252" },
    { "cp819", "WINDOWS-1252" },
    { "iso-8859-9", "WINDOWS-1254" },
    { "shift_jis", "CP932" },
    { "shift-jis", "CP932" },
    { "sjis", "CP932" },
    { "x-sjis", "CP932" },
    { "ms_kanji", "CP932" },
    { "windows-31j", "CP932" },
    { "cp932", "CP932" },
    { "gb2312", "GB18030" },
    { "gbk", "GB18030" },
    { "x-gbk", "GB18030" },
    { "cp936", "GB18030" },
    { "euc-kr", "CP949" },
    { "ks_c_5601-1987", "CP949" },
    { "utf8", "UTF-8" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (aliases); i++)
    if (g_ascii_strcasecmp (charset, aliases[i].label) == 0)
      return aliases[i].decoder;

  return g_mime_charset_iconv_name (charset);
}

static gboolean
is_utf8_label (const char *charset)
{
  return g_ascii_strcasecmp (charset, "utf-8") == 0 || g_ascii_strcasecmp (charset, "utf8") == 0;
}

/* Converts with @decoder, replacing every undecodable byte by U+FFFD.
 * FALSE when iconv does not know the decoder. */
static gboolean
convert_lossy (const guint8 *data,
               gsize         len,
               const char   *decoder,
               GString      *out)
{
  GIConv converter;
  char *in = (char *) data;
  gsize in_left = len;
  char buffer[4096];

  converter = g_iconv_open ("UTF-8", decoder);
  if (converter == (GIConv) -1)
    return FALSE;

  while (in_left > 0)
    {
      char *out_ptr = buffer;
      gsize out_left = sizeof buffer;
      gsize result;
      int saved_errno;

      result = g_iconv (converter, &in, &in_left, &out_ptr, &out_left);
      saved_errno = errno;
      g_string_append_len (out, buffer, out_ptr - buffer);
      if (result != (gsize) -1 || saved_errno == E2BIG)
        continue;

      /* EILSEQ or EINVAL (a truncated sequence at the end): replace one
       * byte and go on from a clean state. */
      g_string_append (out, "\xEF\xBF\xBD");
      in++;
      in_left--;
      g_iconv (converter, NULL, NULL, NULL, NULL);
    }

  for (;;)
    {
      char *out_ptr = buffer;
      gsize out_left = sizeof buffer;
      gsize result = g_iconv (converter, NULL, NULL, &out_ptr, &out_left);

      g_string_append_len (out, buffer, out_ptr - buffer);
      if (result != (gsize) -1 || errno != E2BIG)
        break;
    }

  g_iconv_close (converter);
  return TRUE;
}

char *
ember_mime_text_to_utf8 (const guint8 *data,
                         gsize         len,
                         const char   *charset)
{
  g_autoptr(GString) out = g_string_sized_new (len + 16);
  gboolean converted = FALSE;
  char *result;
  gsize i, j;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if ((charset == NULL || is_utf8_label (charset)) &&
      g_utf8_validate ((const char *) data, len, NULL))
    {
      g_string_append_len (out, (const char *) data, len);
      converted = TRUE;
    }
  else if (charset != NULL && !is_utf8_label (charset))
    {
      const char *decoder = decoder_for_charset (charset);

      converted = decoder != NULL && convert_lossy (data, len, decoder, out);
      if (!converted)
        g_string_truncate (out, 0);
    }

  /* No charset, a wrong "utf-8" label, or one iconv does not know: the
   * most common real-world encoding of such mail. */
  if (!converted && !convert_lossy (data, len, "WINDOWS-1252", out))
    {
      g_autofree char *valid = g_utf8_make_valid ((const char *) data, len);

      g_string_assign (out, valid);
    }

  /* NUL bytes would cut the text short wherever it goes next. */
  for (i = 0, j = 0; i < out->len; i++)
    if (out->str[i] != '\0')
      out->str[j++] = out->str[i];
  g_string_truncate (out, j);
  result = g_string_free (g_steal_pointer (&out), FALSE);

  if (!g_utf8_validate (result, -1, NULL))
    {
      char *valid = g_utf8_make_valid (result, -1);

      g_free (result);
      result = valid;
    }

  return result;
}

guint8 *
ember_base64url_decode (const char *text,
                        gsize      *out_len)
{
  g_autoptr(GString) standard = NULL;
  gsize data_chars = 0;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (out_len != NULL, NULL);

  standard = g_string_sized_new (strlen (text) + 4);
  for (const char *p = text; *p != '\0'; p++)
    {
      char c = *p;

      if (g_ascii_isalnum (c))
        ;
      else if (c == '-')
        c = '+';
      else if (c == '_')
        c = '/';
      else if (c == '=')
        break;
      else if (c == '\r' || c == '\n')
        continue;
      else
        return NULL;
      g_string_append_c (standard, c);
      data_chars++;
    }

  if (data_chars % 4 == 1)
    return NULL;
  while (standard->len % 4 != 0)
    g_string_append_c (standard, '=');

  if (standard->len == 0)
    {
      *out_len = 0;
      return g_malloc0 (1);
    }

  return g_base64_decode (standard->str, out_len);
}

/* GMime (3.2) joins the payloads of adjacent base64 encoded-words of one
 * charset before decoding them, so padding in the first word ("TW9udHI=")
 * cuts the text short. Rewriting every B word of the message's own header
 * block as the equivalent Q word keeps the decoded text and avoids that.
 * Returns NULL when there is nothing to rewrite. */
static GByteArray *
rewrite_base64_words (const guint8 *data,
                      gsize         len)
{
  g_autoptr(GByteArray) out = NULL;
  gsize header_end = len;
  gsize copied = 0;
  gsize i;

  for (i = 0; i + 1 < len; i++)
    {
      if (data[i] == '\n' && (data[i + 1] == '\n' ||
                              (data[i + 1] == '\r' && i + 2 < len && data[i + 2] == '\n')))
        {
          header_end = i + 1;
          break;
        }
    }

  for (i = 0; i + 1 < header_end; i++)
    {
      gsize charset_start, charset_end, payload_start, payload_end, j;
      g_autofree guchar *decoded = NULL;
      g_autofree char *payload = NULL;
      gsize decoded_len = 0;

      if (data[i] != '=' || data[i + 1] != '?')
        continue;

      charset_start = i + 2;
      for (j = charset_start; j < header_end && data[j] != '?' && !g_ascii_isspace (data[j]); j++)
        ;
      charset_end = j;
      if (charset_end == charset_start || j + 2 >= header_end || data[j] != '?' ||
          (data[j + 1] != 'B' && data[j + 1] != 'b') || data[j + 2] != '?')
        continue;
      payload_start = j + 3;
      for (j = payload_start; j < header_end && (g_ascii_isalnum (data[j]) || data[j] == '+' ||
                                                 data[j] == '/' || data[j] == '='); j++)
        ;
      payload_end = j;
      if (j + 1 >= header_end || data[j] != '?' || data[j + 1] != '=' ||
          (payload_end - payload_start) % 4 != 0)
        continue;

      payload = g_strndup ((const char *) data + payload_start, payload_end - payload_start);
      decoded = g_base64_decode (payload, &decoded_len);

      if (out == NULL)
        out = g_byte_array_sized_new (len + 64);
      g_byte_array_append (out, data + copied, i - copied);
      g_byte_array_append (out, (const guint8 *) "=?", 2);
      g_byte_array_append (out, data + charset_start, charset_end - charset_start);
      g_byte_array_append (out, (const guint8 *) "?Q?", 3);
      for (gsize k = 0; k < decoded_len; k++)
        {
          char escaped[4];

          if (g_ascii_isalnum (decoded[k]))
            g_byte_array_append (out, decoded + k, 1);
          else
            {
              g_snprintf (escaped, sizeof escaped, "=%02X", decoded[k]);
              g_byte_array_append (out, (const guint8 *) escaped, 3);
            }
        }
      g_byte_array_append (out, (const guint8 *) "?=", 2);
      copied = payload_end + 2;
      i = copied - 1;
    }

  if (out == NULL)
    return NULL;
  g_byte_array_append (out, data + copied, len - copied);

  return g_steal_pointer (&out);
}

typedef struct
{
  GString     *text;
  GString     *html;
  JsonBuilder *attachments;
  gboolean     has_attachments;
} MimeWalk;

static GBytes *
part_content (GMimePart *part)
{
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  g_autoptr(GMimeStream) stream = NULL;
  GByteArray *array;

  if (content == NULL)
    return g_bytes_new (NULL, 0);

  stream = g_mime_stream_mem_new ();
  /* Writing the data wrapper undoes the transfer encoding. */
  g_mime_data_wrapper_write_to_stream (content, stream);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));

  return g_bytes_new (array->data, array->len);
}

static gint64
decoded_size (GMimeObject *object)
{
  g_autoptr(GMimeStream) stream = g_mime_stream_null_new ();

  if (GMIME_IS_PART (object))
    {
      GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (object));

      if (content != NULL)
        g_mime_data_wrapper_write_to_stream (content, stream);
    }
  else if (GMIME_IS_MESSAGE_PART (object))
    {
      GMimeMessage *embedded = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));

      if (embedded != NULL)
        g_mime_object_write_to_stream (GMIME_OBJECT (embedded), NULL, stream);
    }

  return (gint64) GMIME_STREAM_NULL (stream)->written;
}

static char *
part_text (GMimePart *part)
{
  g_autoptr(GBytes) bytes = part_content (part);
  const char *charset = g_mime_object_get_content_type_parameter (GMIME_OBJECT (part), "charset");
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autofree char *text = ember_mime_text_to_utf8 (data, len, charset);
  GString *normalized = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p++)
    if (!(p[0] == '\r' && p[1] == '\n'))
      g_string_append_c (normalized, *p);

  return g_string_free (normalized, FALSE);
}

static gboolean
disposition_is_attachment (GMimeObject *object)
{
  const char *disposition = g_mime_object_get_disposition (object);

  return disposition != NULL && g_ascii_strcasecmp (disposition, "attachment") == 0;
}

static void
add_attachment (MimeWalk    *walk,
                GMimeObject *object,
                const char  *name,
                gboolean     inline_resource)
{
  GMimeContentType *type = g_mime_object_get_content_type (object);
  g_autofree char *mime_type = type != NULL ? g_mime_content_type_get_mime_type (type)
                                            : g_strdup ("application/octet-stream");
  const char *content_id = g_mime_object_get_content_id (object);
  g_autofree char *lower_mime_type = g_ascii_strdown (mime_type, -1);

  json_builder_begin_object (walk->attachments);
  json_builder_set_member_name (walk->attachments, "name");
  if (name != NULL)
    json_builder_add_string_value (walk->attachments, name);
  else
    json_builder_add_null_value (walk->attachments);
  json_builder_set_member_name (walk->attachments, "mime_type");
  json_builder_add_string_value (walk->attachments, lower_mime_type);
  json_builder_set_member_name (walk->attachments, "size");
  json_builder_add_int_value (walk->attachments, decoded_size (object));
  json_builder_set_member_name (walk->attachments, "inline");
  json_builder_add_boolean_value (walk->attachments, inline_resource);
  if (content_id != NULL)
    {
      json_builder_set_member_name (walk->attachments, "content_id");
      json_builder_add_string_value (walk->attachments, content_id);
    }
  json_builder_end_object (walk->attachments);

  if (!inline_resource)
    walk->has_attachments = TRUE;
}

static void
append_body (GString    *body,
             const char *text,
             const char *separator)
{
  if (body->len > 0)
    g_string_append (body, separator);
  g_string_append (body, text);
}

/* A text/plain or text/html leaf that is part of the body rather than a
 * file: no attachment disposition and no file name. */
static gboolean
is_body_part (GMimeObject *object,
              const char  *subtype)
{
  GMimeContentType *type;

  if (!GMIME_IS_TEXT_PART (object))
    return FALSE;
  type = g_mime_object_get_content_type (object);
  if (type == NULL || !g_mime_content_type_is_type (type, "text", subtype))
    return FALSE;

  return !disposition_is_attachment (object) &&
         g_mime_part_get_filename (GMIME_PART (object)) == NULL;
}

static void walk_object (MimeWalk    *walk,
                         GMimeObject *object,
                         gboolean     inline_resource);

static void
walk_alternative (MimeWalk       *walk,
                  GMimeMultipart *multipart)
{
  gboolean have_text = FALSE;
  gboolean have_html = FALSE;
  int n = g_mime_multipart_get_count (multipart);

  for (int i = 0; i < n; i++)
    {
      GMimeObject *child = g_mime_multipart_get_part (multipart, i);

      if (is_body_part (child, "plain"))
        {
          if (!have_text)
            {
              g_autofree char *text = part_text (GMIME_PART (child));

              append_body (walk->text, text, "\n\n");
              have_text = TRUE;
            }
        }
      else if (is_body_part (child, "html"))
        {
          if (!have_html)
            {
              g_autofree char *html = part_text (GMIME_PART (child));

              append_body (walk->html, html, "\n");
              have_html = TRUE;
            }
        }
      else if (GMIME_IS_MULTIPART (child))
        {
          /* Usually multipart/related around the HTML. */
          if (!have_html)
            {
              gsize before = walk->html->len;

              walk_object (walk, child, FALSE);
              have_html = walk->html->len > before;
            }
        }
      else
        {
          /* text/calendar invitations and the like are worth keeping. */
          walk_object (walk, child, FALSE);
        }
    }
}

static void
walk_related (MimeWalk       *walk,
              GMimeMultipart *multipart)
{
  const char *start = g_mime_object_get_content_type_parameter (GMIME_OBJECT (multipart), "start");
  int n = g_mime_multipart_get_count (multipart);
  int root = 0;

  if (start != NULL)
    {
      g_autofree char *start_id = g_strdup (start);

      g_strstrip (start_id);
      if (start_id[0] == '<' && start_id[strlen (start_id) - 1] == '>')
        {
          start_id[strlen (start_id) - 1] = '\0';
          memmove (start_id, start_id + 1, strlen (start_id));
        }
      for (int i = 0; i < n; i++)
        {
          const char *id = g_mime_object_get_content_id (g_mime_multipart_get_part (multipart, i));

          if (g_strcmp0 (id, start_id) == 0)
            {
              root = i;
              break;
            }
        }
    }

  for (int i = 0; i < n; i++)
    walk_object (walk, g_mime_multipart_get_part (multipart, i), i != root);
}

static void
walk_object (MimeWalk    *walk,
             GMimeObject *object,
             gboolean     inline_resource)
{
  if (GMIME_IS_MESSAGE_PART (object))
    {
      GMimeMessage *embedded = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));
      const char *filename = g_mime_object_get_content_disposition_parameter (object, "filename");
      g_autofree char *name = NULL;

      if (filename != NULL)
        name = g_strdup (filename);
      else if (embedded != NULL && g_mime_message_get_subject (embedded) != NULL)
        name = g_strconcat (g_mime_message_get_subject (embedded), ".eml", NULL);
      add_attachment (walk, object, name, FALSE);
      return;
    }

  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      GMimeContentType *type = g_mime_object_get_content_type (object);

      if (type != NULL && g_mime_content_type_is_type (type, "multipart", "alternative"))
        walk_alternative (walk, multipart);
      else if (type != NULL && g_mime_content_type_is_type (type, "multipart", "related"))
        walk_related (walk, multipart);
      else
        for (int i = 0; i < g_mime_multipart_get_count (multipart); i++)
          walk_object (walk, g_mime_multipart_get_part (multipart, i), inline_resource);
      return;
    }

  if (GMIME_IS_PART (object))
    {
      GMimePart *part = GMIME_PART (object);

      if (!inline_resource && is_body_part (object, "plain"))
        {
          g_autofree char *text = part_text (part);

          append_body (walk->text, text, "\n\n");
        }
      else if (!inline_resource && is_body_part (object, "html"))
        {
          g_autofree char *html = part_text (part);

          append_body (walk->html, html, "\n");
        }
      else
        {
          /* Inline only when the HTML refers to it; an image merely marked
           * "inline" in multipart/mixed is still a file the person got. */
          gboolean is_inline = inline_resource && !disposition_is_attachment (object);

          add_attachment (walk, object, g_mime_part_get_filename (part), is_inline);
        }
    }
}

static char *
format_address_list (InternetAddressList *list)
{
  if (list == NULL || internet_address_list_length (list) == 0)
    return NULL;

  return internet_address_list_to_string (list, NULL, FALSE);
}

static void
fill_from (EmberMessageRecord  *record,
           InternetAddressList *list)
{
  if (list == NULL)
    return;

  for (int i = 0; i < internet_address_list_length (list); i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);
      const char *name;

      if (!INTERNET_ADDRESS_IS_MAILBOX (address))
        continue;
      name = internet_address_get_name (address);
      g_free (record->from_name);
      record->from_name = name != NULL && *name != '\0' ? g_strdup (name) : NULL;
      g_free (record->from_address);
      record->from_address = g_strdup (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address)));
      return;
    }
}

gboolean
ember_gmail_mime_fill_record (EmberMessageRecord *record,
                              const guint8       *data,
                              gsize               len,
                              GError            **error)
{
  static const char *fallback_charsets[] = { "UTF-8", "windows-1252", NULL };
  g_autoptr(GByteArray) rewritten = NULL;
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeParserOptions) options = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) attachments = NULL;
  GMimeObject *body;
  MimeWalk walk = { 0 };
  const char *subject;
  const char *message_id;

  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ensure_gmime ();

  options = g_mime_parser_options_new ();
  g_mime_parser_options_set_fallback_charsets (options, fallback_charsets);
  g_mime_parser_options_set_rfc2047_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_address_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_parameter_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);

  rewritten = rewrite_base64_words (data, len);
  if (rewritten != NULL)
    stream = g_mime_stream_mem_new_with_buffer ((const char *) rewritten->data, rewritten->len);
  else
    stream = g_mime_stream_mem_new_with_buffer ((const char *) data, len);
  parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  message = g_mime_parser_construct_message (parser, options);
  if (message == NULL ||
      g_mime_header_list_get_count (g_mime_object_get_header_list (GMIME_OBJECT (message))) == 0)
    {
      g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                   "Message %s is not an RFC 2822 message (%" G_GSIZE_FORMAT " bytes)",
                   record->provider_id != NULL ? record->provider_id : "(unknown)", len);
      return FALSE;
    }

  message_id = g_mime_message_get_message_id (message);
  g_free (record->internet_message_id);
  record->internet_message_id = g_strdup (message_id);

  subject = g_mime_message_get_subject (message);
  g_free (record->subject);
  record->subject = subject != NULL ? g_strdup (subject) : NULL;

  fill_from (record, g_mime_message_get_from (message));
  g_free (record->to);
  record->to = format_address_list (g_mime_message_get_to (message));
  g_free (record->cc);
  record->cc = format_address_list (g_mime_message_get_cc (message));

  if (record->date == 0)
    {
      GDateTime *date = g_mime_message_get_date (message);

      if (date != NULL)
        record->date = g_date_time_to_unix (date);
    }

  walk.text = g_string_new (NULL);
  walk.html = g_string_new (NULL);
  walk.attachments = json_builder_new ();
  json_builder_begin_array (walk.attachments);

  body = g_mime_message_get_mime_part (message);
  if (body != NULL)
    walk_object (&walk, body, FALSE);

  json_builder_end_array (walk.attachments);
  attachments = json_builder_get_root (walk.attachments);
  generator = json_generator_new ();
  json_generator_set_root (generator, attachments);
  g_free (record->attachments_json);
  record->attachments_json = json_generator_to_data (generator, NULL);
  record->has_attachments = walk.has_attachments;

  g_free (record->body_html);
  record->body_html = walk.html->len > 0 ? g_string_free (walk.html, FALSE)
                                         : (g_string_free (walk.html, TRUE), NULL);
  g_free (record->body_text);
  if (walk.text->len > 0)
    record->body_text = g_string_free (walk.text, FALSE);
  else
    {
      g_string_free (walk.text, TRUE);
      /* Search indexes body_text, so HTML-only mail needs a text form. */
      record->body_text = record->body_html != NULL ? ember_html_to_text (record->body_html)
                                                    : g_strdup ("");
    }
  g_object_unref (walk.attachments);

  return TRUE;
}
