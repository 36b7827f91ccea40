/* test-gmail-mime.c: MIME, header and charset parsing of Gmail raw mail,
 * and the Gmail / Calendar JSON mappings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ember-error.h"
#include "ember-gcal-json.h"
#include "ember-gmail-json.h"
#include "ember-gmail-mime.h"
#include "ember-html-text.h"

static EmberMessageRecord *
parse_message (const char *raw,
               gssize      len)
{
  g_autoptr(GError) error = NULL;
  EmberMessageRecord *record = ember_message_record_new ();

  if (len < 0)
    len = strlen (raw);
  record->provider_id = g_strdup ("test");
  g_assert_true (ember_gmail_mime_fill_record (record, (const guint8 *) raw, len, &error));
  g_assert_no_error (error);

  return record;
}

static JsonArray *
parse_attachments (const EmberMessageRecord *record,
                   JsonParser               *parser)
{
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  g_assert_nonnull (record->attachments_json);
  g_assert_true (json_parser_load_from_data (parser, record->attachments_json, -1, &error));
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));

  return json_node_get_array (root);
}

static void
test_encoded_word_headers (void)
{
  const char *raw =
    "From: =?ISO-8859-1?Q?Andr=E9_Gr=FCn?= <andre@example.org>\r\n"
    "To: =?UTF-8?B?SsO8cmdlbg==?= <j@example.org>, plain@example.org,\r\n"
    " \"Doe, Jane\" <jane@example.org>\r\n"
    "Cc: =?ISO-2022-JP?B?GyRCRnxLXDhsJE43b0w+GyhC?= <jp@example.jp>\r\n"
    "Subject: =?UTF-8?Q?Caf=C3=A9?= =?ISO-8859-1?Q?_cr=E8me?= and\r\n"
    " =?ISO-2022-JP?B?GyRCRnxLXDhsJE43b0w+GyhC?=\r\n"
    "Date: Tue, 14 Jan 2025 09:12:33 +0100\r\n"
    "Message-ID: <abc.123@example.org>\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "Hello\r\n";
  g_autoptr(EmberMessageRecord) record = parse_message (raw, -1);

  /* Adjacent encoded words join without the blank between them. */
  g_assert_cmpstr (record->subject, ==, "Café crème and 日本語の件名");
  g_assert_cmpstr (record->from_name, ==, "André Grün");
  g_assert_cmpstr (record->from_address, ==, "andre@example.org");
  g_assert_nonnull (strstr (record->to, "Jürgen <j@example.org>"));
  g_assert_nonnull (strstr (record->to, "plain@example.org"));
  g_assert_nonnull (strstr (record->to, "\"Doe, Jane\" <jane@example.org>"));
  g_assert_cmpstr (record->cc, ==, "日本語の件名 <jp@example.jp>");
  g_assert_cmpstr (record->internet_message_id, ==, "abc.123@example.org");
  /* 2025-01-14T08:12:33Z */
  g_assert_cmpint (record->date, ==, 1736842353);
  g_assert_cmpstr (record->body_text, ==, "Hello\n");
  g_assert_null (record->body_html);
  g_assert_false (record->has_attachments);
  g_assert_cmpstr (record->attachments_json, ==, "[]");
}

static void
test_padded_base64_words (void)
{
  /* Two B words of one charset where the first carries '=' padding (the
   * way some mailers split long subjects). */
  const char *raw =
    "From: =?UTF-8?B?WsO8cmljaA==?= =?UTF-8?B?IEjDpHVzZXI=?= <z@example.org>\r\n"
    "Subject: =?UTF-8?B?UmU6IFrDvHJpY2ggb2Zmc2l0ZSDwn4+U77iPIGxvZ2lzdGljcyAoTW9udHI=?=\r\n"
    " =?UTF-8?B?w6lhbCk=?=\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Body =?UTF-8?B?YQ==?= stays as written.\r\n";
  g_autoptr(EmberMessageRecord) record = parse_message (raw, -1);

  g_assert_cmpstr (record->subject, ==, "Re: Zürich offsite 🏔️ logistics (Montréal)");
  g_assert_cmpstr (record->from_name, ==, "Zürich Häuser");
  g_assert_cmpstr (record->body_text, ==, "Body =?UTF-8?B?YQ==?= stays as written.\n");
}

static void
test_raw_8bit_headers (void)
{
  /* Unencoded UTF-8 and Latin-1 bytes in headers, as broken mailers send. */
  const char *raw =
    "From: Jörg <joerg@example.org>\n"
    "Subject: Gr\xfc\xdf""e aus K\xf6ln\n"
    "Content-Type: text/plain\n"
    "\n"
    "body\n";
  g_autoptr(EmberMessageRecord) record = parse_message (raw, -1);

  g_assert_cmpstr (record->from_name, ==, "Jörg");
  g_assert_cmpstr (record->subject, ==, "Grüße aus Köln");
}

static void
test_latin1_body (void)
{
  const char *raw =
    "From: a@example.org\n"
    "Subject: latin1\n"
    "Content-Type: text/plain; charset=ISO-8859-1\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Caf=E9 na=EFve =80 5\n";
  g_autoptr(EmberMessageRecord) record = parse_message (raw, -1);

  /* 0x80 is not a Latin-1 character; mail that says ISO-8859-1 means
   * Windows-1252 there. */
  g_assert_cmpstr (record->body_text, ==, "Café naïve € 5\n");
}

static void
test_windows_1252_body (void)
{
  const char *raw =
    "From: a@example.org\n"
    "Subject: cp1252\n"
    "Content-Type: text/plain; charset=\"windows-1252\"\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "\x93quoted\x94 \x96 it\x92s \x80\x31\n";
  g_autoptr(EmberMessageRecord) record = parse_message (raw, -1);

  g_assert_cmpstr (record->body_text, ==, "\u201Cquoted\u201D \u2013 it\u2019s \u20AC1\n");
}

static void
test_shift_jis_body (void)
{
  const char *raw =
    "From: jp@example.jp\n"
    "Subject: =?Shift_JIS?B?k/qWe4zq?=\n"
    "Content-Type: text/plain; charset=Shift_JIS\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "k/qWe4zqgsyWe5W2gsWCt4FC\n";
  g_autoptr(EmberMessageRecord) record = parse_message (raw, -1);

  g_assert_cmpstr (record->subject, ==, "日本語");
  g_assert_cmpstr (record->body_text, ==, "日本語の本文です。");
}

static void
test_undeclared_charset (void)
{
  const char *raw =
    "From: a@example.org\n"
    "Subject: none\n"
    "\n"
    "na\xefve\n";
  g_autoptr(EmberMessageRecord) record = parse_message (raw, -1);

  g_assert_cmpstr (record->body_text, ==, "naïve\n");
}

static void
test_alternative (void)
{
  const char *raw =
    "From: a@example.org\r\n"
    "Subject: alt\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/alternative; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Plain =C3=BCber text\r\n"
    "--b1\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<html><body><p>Rich &uuml;ber text</p></body></html>\r\n"
    "--b1--\r\n";
  g_autoptr(EmberMessageRecord) record = parse_message (raw, -1);

  g_assert_cmpstr (record->body_text, ==, "Plain über text");
  g_assert_cmpstr (record->body_html, ==, "<html><body><p>Rich &uuml;ber text</p></body></html>");
  g_assert_false (record->has_attachments);
}

static void
test_html_only (void)
{
  const char *raw =
    "From: a@example.org\n"
    "Subject: html\n"
    "Content-Type: text/html; charset=iso-8859-1\n"
    "\n"
    "<html><head><title>T</title><style>p {color: red}</style></head>"
    "<body><p>Hello&nbsp;<b>W\xf6rld</b></p><p>Line&nbsp;two<br>three</p>"
    "<script>alert(1)</script></body></html>\n";
  g_autoptr(EmberMessageRecord) record = parse_message (raw, -1);

  g_assert_nonnull (strstr (record->body_html, "W\xc3\xb6rld"));
  g_assert_cmpstr (record->body_text, ==, "Hello Wörld\n\nLine two\nthree");
}

static void
test_attachments (void)
{
  const char *raw =
    "From: a@example.org\n"
    "Subject: files\n"
    "Content-Type: multipart/mixed; boundary=outer\n"
    "\n"
    "--outer\n"
    "Content-Type: multipart/alternative; boundary=inner\n"
    "\n"
    "--inner\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "\n"
    "See attached.\n"
    "--inner\n"
    "Content-Type: multipart/related; boundary=rel\n"
    "\n"
    "--rel\n"
    "Content-Type: text/html; charset=utf-8\n"
    "\n"
    "<p>See <img src=\"cid:logo@x\"></p>\n"
    "--rel\n"
    "Content-Type: image/png\n"
    "Content-ID: <logo@x>\n"
    "Content-Disposition: inline\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "iVBORw0KGgo=\n"
    "--rel--\n"
    "--inner--\n"
    "--outer\n"
    "Content-Type: application/pdf\n"
    "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "SGVsbG8gV29ybGQh\n"
    "--outer\n"
    "Content-Type: text/plain; charset=utf-8; name=\"notes.txt\"\n"
    "Content-Disposition: attachment; filename=\"=?UTF-8?Q?N=C3=B6tes.txt?=\"\n"
    "\n"
    "twelve bytes\n"
    "--outer\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "From: b@example.org\n"
    "Subject: Forwarded one\n"
    "\n"
    "inner body\n"
    "--outer--\n";
  g_autoptr(EmberMessageRecord) record = parse_message (raw, -1);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *attachments;
  JsonObject *item;

  g_assert_cmpstr (record->body_text, ==, "See attached.");
  g_assert_cmpstr (record->body_html, ==, "<p>See <img src=\"cid:logo@x\"></p>");
  g_assert_true (record->has_attachments);

  attachments = parse_attachments (record, parser);
  g_assert_cmpuint (json_array_get_length (attachments), ==, 4);

  item = json_array_get_object_element (attachments, 0);
  g_assert_cmpstr (json_object_get_string_member (item, "mime_type"), ==, "image/png");
  g_assert_true (json_object_get_boolean_member (item, "inline"));
  g_assert_cmpstr (json_object_get_string_member (item, "content_id"), ==, "logo@x");
  g_assert_cmpint (json_object_get_int_member (item, "size"), ==, 8);

  item = json_array_get_object_element (attachments, 1);
  g_assert_cmpstr (json_object_get_string_member (item, "name"), ==, "résumé.pdf");
  g_assert_cmpstr (json_object_get_string_member (item, "mime_type"), ==, "application/pdf");
  g_assert_cmpint (json_object_get_int_member (item, "size"), ==, 12);
  g_assert_false (json_object_get_boolean_member (item, "inline"));

  item = json_array_get_object_element (attachments, 2);
  g_assert_cmpstr (json_object_get_string_member (item, "name"), ==, "Nötes.txt");
  g_assert_cmpstr (json_object_get_string_member (item, "mime_type"), ==, "text/plain");

  item = json_array_get_object_element (attachments, 3);
  g_assert_cmpstr (json_object_get_string_member (item, "name"), ==, "Forwarded one.eml");
  g_assert_cmpstr (json_object_get_string_member (item, "mime_type"), ==, "message/rfc822");
  g_assert_cmpint (json_object_get_int_member (item, "size"), >, 0);
}

static void
test_inline_image_only (void)
{
  const char *raw =
    "From: a@example.org\n"
    "Subject: related\n"
    "Content-Type: multipart/related; boundary=rel; start=\"<root@x>\"\n"
    "\n"
    "--rel\n"
    "Content-Type: image/gif\n"
    "Content-ID: <pic@x>\n"
    "\n"
    "GIF89a\n"
    "--rel\n"
    "Content-Type: text/html; charset=utf-8\n"
    "Content-ID: <root@x>\n"
    "\n"
    "<img src=\"cid:pic@x\"> Hi\n"
    "--rel--\n";
  g_autoptr(EmberMessageRecord) record = parse_message (raw, -1);

  /* The start parameter names the root, even when it is not first. */
  g_assert_cmpstr (record->body_html, ==, "<img src=\"cid:pic@x\"> Hi");
  g_assert_cmpstr (record->body_text, ==, "Hi");
  g_assert_false (record->has_attachments);
}

static void
test_not_a_message (void)
{
  g_autoptr(EmberMessageRecord) record = ember_message_record_new ();
  g_autoptr(GError) error = NULL;

  record->provider_id = g_strdup ("m1");
  g_assert_false (ember_gmail_mime_fill_record (record, (const guint8 *) "", 0, &error));
  g_assert_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA);
  g_assert_nonnull (strstr (error->message, "m1"));
}

static void
test_text_to_utf8 (void)
{
  g_autofree char *invalid = NULL;
  g_autofree char *nul = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *truncated = NULL;

  /* A byte Shift_JIS cannot decode becomes U+FFFD, the rest survives. */
  invalid = ember_mime_text_to_utf8 ((const guint8 *) "\x93\xfa\xff\x96\x7b", 5, "shift_jis");
  g_assert_cmpstr (invalid, ==, "日\uFFFD本");

  nul = ember_mime_text_to_utf8 ((const guint8 *) "a\0b", 3, "utf-8");
  g_assert_cmpstr (nul, ==, "ab");

  unknown = ember_mime_text_to_utf8 ((const guint8 *) "caf\xe9", 4, "x-no-such-charset");
  g_assert_cmpstr (unknown, ==, "café");

  /* A label that lies: "utf-8" but Latin-1 bytes. */
  truncated = ember_mime_text_to_utf8 ((const guint8 *) "caf\xe9", 4, "UTF-8");
  g_assert_cmpstr (truncated, ==, "café");
}

static void
test_base64url (void)
{
  g_autofree guint8 *padded = NULL;
  g_autofree guint8 *unpadded = NULL;
  g_autofree guint8 *special = NULL;
  gsize len = 0;

  padded = ember_base64url_decode ("YjkyMjZmMmU=", &len);
  g_assert_cmpmem (padded, len, "b9226f2e", 8);
  unpadded = ember_base64url_decode ("aGk", &len);
  g_assert_cmpmem (unpadded, len, "hi", 2);
  special = ember_base64url_decode ("-_8", &len);
  g_assert_cmpmem (special, len, "\xfb\xff", 2);
  g_assert_null (ember_base64url_decode ("a+b/", &len));
  g_assert_null (ember_base64url_decode ("abcde", &len));
}

static void
test_html_text (void)
{
  g_autofree char *unescaped = ember_html_unescape ("Tom &amp; Jerry&#39;s &#x2014; &lt;b&gt; &bogus; & done");
  g_autofree char *table = ember_html_to_text ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>");
  g_autofree char *comment = ember_html_to_text ("x<!-- hidden -->y <pre>a\n  b</pre>z");

  g_assert_cmpstr (unescaped, ==, "Tom & Jerry's \u2014 <b> &bogus; & done");
  g_assert_cmpstr (table, ==, "a b\nc");
  g_assert_cmpstr (comment, ==, "xy\na\n  b\nz");
  g_assert_null (ember_html_to_text (NULL));
}

static JsonObject *
parse_object (JsonParser *parser,
              const char *json)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);

  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_message_json (void)
{
  const char *raw =
    "From: \"Ann Example\" <ann@example.org>\r\n"
    "To: me@example.org\r\n"
    "Subject: Lunch?\r\n"
    "Date: Mon, 13 Jan 2025 12:00:00 +0000\r\n"
    "Message-ID: <lunch@example.org>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Shall we?\r\n";
  g_autofree char *encoded = g_base64_encode ((const guchar *) raw, strlen (raw));
  g_autofree char *json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(EmberMessageRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  g_strdelimit (encoded, "+", '-');
  g_strdelimit (encoded, "/", '_');
  json = g_strdup_printf ("{\"id\":\"18c1\",\"threadId\":\"18c0\","
                          "\"labelIds\":[\"INBOX\",\"UNREAD\",\"Label_7\",\"STARRED\",\"CATEGORY_SOCIAL\"],"
                          "\"snippet\":\"Shall we? It&#39;s &amp; more\",\"historyId\":\"9001\","
                          "\"internalDate\":\"1736769600123\",\"sizeEstimate\":4321,\"raw\":\"%s\"}",
                          encoded);

  record = ember_gmail_message_from_json (parse_object (parser, json), &error);
  g_assert_no_error (error);
  g_assert_nonnull (record);
  g_assert_cmpstr (record->provider_id, ==, "18c1");
  g_assert_cmpstr (record->thread_id, ==, "18c0");
  g_assert_cmpint (record->date, ==, 1736769600);
  g_assert_cmpint (record->size, ==, 4321);
  g_assert_cmpstr (record->snippet, ==, "Shall we? It's & more");
  g_assert_true (record->unread);
  g_assert_true (record->starred);
  g_assert_cmpuint (record->folder_ids->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (record->folder_ids, 0), ==, "INBOX");
  g_assert_cmpstr (g_ptr_array_index (record->folder_ids, 1), ==, "Label_7");
  g_assert_cmpstr (g_ptr_array_index (record->folder_ids, 2), ==, "CATEGORY_SOCIAL");
  g_assert_cmpstr (record->from_name, ==, "Ann Example");
  g_assert_cmpstr (record->subject, ==, "Lunch?");
  g_assert_cmpstr (record->body_text, ==, "Shall we?\n");
}

static void
test_message_json_errors (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) no_id = NULL;
  g_autoptr(GError) no_raw = NULL;
  g_autoptr(GError) bad_raw = NULL;

  g_assert_null (ember_gmail_message_from_json (parse_object (parser, "{\"threadId\":\"t\"}"), &no_id));
  g_assert_error (no_id, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA);
  g_assert_null (ember_gmail_message_from_json (parse_object (parser, "{\"id\":\"m\",\"labelIds\":[]}"), &no_raw));
  g_assert_error (no_raw, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA);
  g_assert_null (ember_gmail_message_from_json (parse_object (parser, "{\"id\":\"m\",\"raw\":\"a+b/\"}"), &bad_raw));
  g_assert_error (bad_raw, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA);
}

static void
test_labels (void)
{
  static const struct
  {
    const char      *json;
    const char      *name;
    EmberFolderKind  kind;
  } cases[] = {
    { "{\"id\":\"INBOX\",\"name\":\"INBOX\",\"type\":\"system\"}", "Inbox", EMBER_FOLDER_KIND_INBOX },
    { "{\"id\":\"SENT\",\"name\":\"SENT\",\"type\":\"system\"}", "Sent", EMBER_FOLDER_KIND_SENT },
    { "{\"id\":\"TRASH\",\"name\":\"TRASH\",\"type\":\"system\"}", "Trash", EMBER_FOLDER_KIND_TRASH },
    { "{\"id\":\"DRAFT\",\"name\":\"DRAFT\",\"type\":\"system\"}", "Drafts", EMBER_FOLDER_KIND_DRAFTS },
    { "{\"id\":\"SPAM\",\"name\":\"SPAM\",\"type\":\"system\"}", "Spam", EMBER_FOLDER_KIND_JUNK },
    { "{\"id\":\"CATEGORY_PROMOTIONS\",\"name\":\"CATEGORY_PROMOTIONS\",\"type\":\"system\"}", "Promotions", EMBER_FOLDER_KIND_OTHER },
    { "{\"id\":\"IMPORTANT\",\"name\":\"IMPORTANT\",\"type\":\"system\"}", "Important", EMBER_FOLDER_KIND_OTHER },
    { "{\"id\":\"Label_3\",\"name\":\"Work/Projects\",\"type\":\"user\"}", "Work/Projects", EMBER_FOLDER_KIND_LABEL },
    { "{\"id\":\"YELLOW_STAR\",\"name\":\"YELLOW_STAR\",\"type\":\"system\"}", "YELLOW_STAR", EMBER_FOLDER_KIND_OTHER },
  };
  g_autoptr(JsonParser) parser = json_parser_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EmberFolderRecord) folder = ember_gmail_folder_from_label (parse_object (parser, cases[i].json));

      g_assert_nonnull (folder);
      g_assert_cmpstr (folder->name, ==, cases[i].name);
      g_assert_cmpstr (ember_folder_kind_to_string (folder->kind), ==,
                       ember_folder_kind_to_string (cases[i].kind));
    }

  g_assert_null (ember_gmail_folder_from_label (parse_object (parser, "{\"id\":\"UNREAD\",\"name\":\"UNREAD\"}")));
  g_assert_null (ember_gmail_folder_from_label (parse_object (parser, "{\"id\":\"STARRED\",\"name\":\"STARRED\"}")));
  g_assert_null (ember_gmail_folder_from_label (parse_object (parser, "{\"name\":\"no id\"}")));
}

static void
test_calendar_json (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(EmberCalendarRecord) primary = NULL;
  g_autoptr(EmberCalendarRecord) other = NULL;

  primary = ember_gcal_calendar_from_json (parse_object (parser,
    "{\"id\":\"me@example.org\",\"summary\":\"Me\",\"timeZone\":\"Europe/Zurich\","
    "\"backgroundColor\":\"#9fe1e7\",\"primary\":true}"));
  g_assert_cmpstr (primary->provider_id, ==, "me@example.org");
  g_assert_cmpstr (primary->name, ==, "Me");
  g_assert_cmpstr (primary->time_zone, ==, "Europe/Zurich");
  g_assert_cmpstr (primary->color, ==, "#9fe1e7");
  g_assert_true (primary->is_primary);

  other = ember_gcal_calendar_from_json (parse_object (parser,
    "{\"id\":\"holidays\",\"summary\":\"Holidays\",\"summaryOverride\":\"Days off\"}"));
  g_assert_cmpstr (other->name, ==, "Days off");
  g_assert_false (other->is_primary);
  g_assert_false (other->has_default_reminder);
}

/* Popup reminders only (Google e-mails the others itself), the one closest
 * to the start; useDefault or no reminders object: the calendar's. */
static void
test_reminders_json (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(EmberCalendarRecord) calendar = NULL;
  static const struct {
    const char *reminders;   /* the "reminders" member, NULL: none */
    gboolean    use_default;
    gint        minutes;     /* -1: no own reminder */
  } cases[] = {
    { NULL, TRUE, -1 },
    { "{\"useDefault\":true}", TRUE, -1 },
    { "{\"useDefault\":false}", FALSE, -1 },
    { "{\"useDefault\":false,\"overrides\":[{\"method\":\"popup\",\"minutes\":30}]}", FALSE, 30 },
    { "{\"useDefault\":false,\"overrides\":[{\"method\":\"email\",\"minutes\":5},"
      "{\"method\":\"popup\",\"minutes\":1440},{\"method\":\"popup\",\"minutes\":15}]}", FALSE, 15 },
    { "{\"useDefault\":false,\"overrides\":[{\"method\":\"email\",\"minutes\":60}]}", FALSE, -1 },
    { "{\"useDefault\":false,\"overrides\":[{\"method\":\"popup\",\"minutes\":0}]}", FALSE, 0 },
  };

  calendar = ember_gcal_calendar_from_json (parse_object (parser,
    "{\"id\":\"me@example.org\",\"summary\":\"Me\",\"defaultReminders\":["
    "{\"method\":\"email\",\"minutes\":2},{\"method\":\"popup\",\"minutes\":30},"
    "{\"method\":\"popup\",\"minutes\":10}]}"));
  g_assert_true (calendar->has_default_reminder);
  g_assert_cmpuint (calendar->default_reminder_minutes, ==, 10);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EmberEventRecord) event = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *json = NULL;
      gboolean cancelled = TRUE;

      json = g_strdup_printf ("{\"id\":\"e%u\",\"start\":{\"dateTime\":\"2025-01-14T09:00:00Z\"},"
                              "\"end\":{\"dateTime\":\"2025-01-14T10:00:00Z\"}%s%s}",
                              i, cases[i].reminders != NULL ? ",\"reminders\":" : "",
                              cases[i].reminders != NULL ? cases[i].reminders : "");
      g_test_message ("%s", json);
      event = ember_gcal_event_from_json (parse_object (parser, json), "UTC", &cancelled, &error);
      g_assert_no_error (error);
      g_assert_cmpint (event->reminder_default, ==, cases[i].use_default);
      g_assert_cmpint (event->has_reminder, ==, cases[i].minutes >= 0);
      if (cases[i].minutes >= 0)
        g_assert_cmpuint (event->reminder_minutes, ==, (guint) cases[i].minutes);
    }
}

static void
test_event_json (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(EmberEventRecord) timed = NULL;
  g_autoptr(EmberEventRecord) zoned = NULL;
  g_autoptr(EmberEventRecord) all_day = NULL;
  g_autoptr(EmberEventRecord) instance = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) bad = NULL;
  gboolean cancelled = TRUE;

  timed = ember_gcal_event_from_json (parse_object (parser,
    "{\"id\":\"e1\",\"status\":\"confirmed\",\"summary\":\"Standup\",\"location\":\"Room 1\","
    "\"start\":{\"dateTime\":\"2025-01-14T09:00:00+01:00\",\"timeZone\":\"Europe/Zurich\"},"
    "\"end\":{\"dateTime\":\"2025-01-14T09:15:00+01:00\",\"timeZone\":\"Europe/Zurich\"},"
    "\"updated\":\"2025-01-10T10:00:00.000Z\","
    "\"organizer\":{\"email\":\"boss@example.org\",\"displayName\":\"Boss\"},"
    "\"attendees\":[{\"email\":\"a@example.org\",\"displayName\":\"A\",\"responseStatus\":\"accepted\"},"
    "{\"email\":\"b@example.org\"}]}"),
    "UTC", &cancelled, &error);
  g_assert_no_error (error);
  g_assert_false (cancelled);
  g_assert_cmpstr (timed->provider_id, ==, "e1");
  g_assert_cmpint (timed->start, ==, 1736841600);  /* 08:00Z */
  g_assert_cmpint (timed->end, ==, 1736842500);
  g_assert_false (timed->all_day);
  g_assert_null (timed->start_date);
  g_assert_cmpstr (timed->time_zone, ==, "Europe/Zurich");
  g_assert_cmpstr (timed->status, ==, "confirmed");
  g_assert_cmpstr (timed->organizer, ==, "Boss <boss@example.org>");
  g_assert_cmpint (timed->updated, ==, 1736503200);
  g_assert_cmpstr (timed->attendees_json, ==,
                   "[{\"name\":\"A\",\"email\":\"a@example.org\",\"response\":\"accepted\"},"
                   "{\"name\":null,\"email\":\"b@example.org\",\"response\":\"needsAction\"}]");

  /* No offset: read in the event's zone (New York is UTC-5 in January). */
  zoned = ember_gcal_event_from_json (parse_object (parser,
    "{\"id\":\"e2\",\"start\":{\"dateTime\":\"2025-01-14T09:00:00\",\"timeZone\":\"America/New_York\"},"
    "\"end\":{\"dateTime\":\"2025-01-14T10:00:00\",\"timeZone\":\"America/New_York\"}}"),
    "Europe/Zurich", &cancelled, &error);
  g_assert_no_error (error);
  g_assert_cmpint (zoned->start, ==, 1736863200);
  g_assert_cmpint (zoned->end - zoned->start, ==, 3600);
  g_assert_cmpstr (zoned->status, ==, "confirmed");

  all_day = ember_gcal_event_from_json (parse_object (parser,
    "{\"id\":\"e3\",\"summary\":\"Holiday\",\"start\":{\"date\":\"2025-03-01\"},\"end\":{\"date\":\"2025-03-03\"}}"),
    "Europe/Zurich", &cancelled, &error);
  g_assert_no_error (error);
  g_assert_true (all_day->all_day);
  g_assert_cmpstr (all_day->start_date, ==, "2025-03-01");
  g_assert_cmpstr (all_day->end_date, ==, "2025-03-03");

  instance = ember_gcal_event_from_json (parse_object (parser,
    "{\"id\":\"series_20250120T080000Z\",\"recurringEventId\":\"series\","
    "\"originalStartTime\":{\"dateTime\":\"2025-01-20T09:00:00+01:00\",\"timeZone\":\"Europe/Zurich\"},"
    "\"start\":{\"dateTime\":\"2025-01-20T11:00:00+01:00\",\"timeZone\":\"Europe/Zurich\"},"
    "\"end\":{\"dateTime\":\"2025-01-20T12:00:00+01:00\",\"timeZone\":\"Europe/Zurich\"}}"),
    NULL, &cancelled, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (instance->recurring_event_id, ==, "series");
  g_assert_cmpint (instance->original_start, ==, 1737360000);
  g_assert_cmpint (instance->start, ==, 1737367200);

  g_assert_null (ember_gcal_event_from_json (parse_object (parser,
    "{\"id\":\"gone\",\"status\":\"cancelled\"}"), NULL, &cancelled, &error));
  g_assert_no_error (error);
  g_assert_true (cancelled);

  g_assert_null (ember_gcal_event_from_json (parse_object (parser,
    "{\"id\":\"bad\",\"start\":{\"date\":\"2025-02-30\"},\"end\":{\"date\":\"2025-03-01\"}}"),
    NULL, &cancelled, &bad));
  g_assert_error (bad, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA);
  g_assert_false (cancelled);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/providers/gmail-mime/encoded-word-headers", test_encoded_word_headers);
  g_test_add_func ("/ember/providers/gmail-mime/reminders-json", test_reminders_json);
  g_test_add_func ("/ember/providers/gmail-mime/padded-base64-words", test_padded_base64_words);
  g_test_add_func ("/ember/providers/gmail-mime/raw-8bit-headers", test_raw_8bit_headers);
  g_test_add_func ("/ember/providers/gmail-mime/latin1-body", test_latin1_body);
  g_test_add_func ("/ember/providers/gmail-mime/windows-1252-body", test_windows_1252_body);
  g_test_add_func ("/ember/providers/gmail-mime/shift-jis-body", test_shift_jis_body);
  g_test_add_func ("/ember/providers/gmail-mime/undeclared-charset", test_undeclared_charset);
  g_test_add_func ("/ember/providers/gmail-mime/alternative", test_alternative);
  g_test_add_func ("/ember/providers/gmail-mime/html-only", test_html_only);
  g_test_add_func ("/ember/providers/gmail-mime/attachments", test_attachments);
  g_test_add_func ("/ember/providers/gmail-mime/inline-image-only", test_inline_image_only);
  g_test_add_func ("/ember/providers/gmail-mime/not-a-message", test_not_a_message);
  g_test_add_func ("/ember/providers/gmail-mime/text-to-utf8", test_text_to_utf8);
  g_test_add_func ("/ember/providers/gmail-mime/base64url", test_base64url);
  g_test_add_func ("/ember/providers/gmail-mime/html-text", test_html_text);
  g_test_add_func ("/ember/providers/gmail-json/message", test_message_json);
  g_test_add_func ("/ember/providers/gmail-json/message-errors", test_message_json_errors);
  g_test_add_func ("/ember/providers/gmail-json/labels", test_labels);
  g_test_add_func ("/ember/providers/gcal-json/calendar", test_calendar_json);
  g_test_add_func ("/ember/providers/gcal-json/event", test_event_json);

  return g_test_run ();
}
