/* ember-gmail-mime.h: RFC 2822 messages (Gmail format=raw) into message
 * records, with GMime 3
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ember-store-types.h"

G_BEGIN_DECLS

/* Parses the message in @data and fills @record: internet_message_id,
 * subject, from_name, from_address, to, cc (decoded to UTF-8: RFC 2047
 * encoded words, RFC 2231 parameters, raw 8-bit headers), body_text and
 * body_html (converted from their charsets to UTF-8; an HTML-only message
 * gets a plain-text rendering in body_text), attachments_json (a JSON array
 * of {"name", "mime_type", "size", "inline", "content_id"}) and
 * has_attachments (parts that are not inline images of the HTML). The date
 * is taken from the Date header only when @record->date is 0 (Gmail's
 * internalDate is the better source). Fails with
 * EMBER_PROVIDER_ERROR_BAD_DATA when @data is not a message at all. Safe to
 * call from any thread. */
gboolean  ember_gmail_mime_fill_record (EmberMessageRecord *record,
                                        const guint8       *data,
                                        gsize               len,
                                        GError            **error);

/* Converts @len bytes of text in @charset (NULL: unknown) to valid UTF-8.
 * Charset labels are read the way mail readers do (ISO-8859-1 and US-ASCII
 * as Windows-1252, Shift_JIS as CP932, GB2312 as GB18030), undecodable
 * bytes become U+FFFD, text that claims no or a wrong charset and is not
 * UTF-8 is read as Windows-1252, NUL bytes are dropped. Never NULL. */
char     *ember_mime_text_to_utf8      (const guint8       *data,
                                        gsize               len,
                                        const char         *charset);

/* Decodes base64url ("-_" alphabet), with or without '=' padding; NULL
 * when @text holds anything else. */
guint8   *ember_base64url_decode       (const char         *text,
                                        gsize              *out_len);

G_END_DECLS
