/* test-fake-gmail.c: contract tests for the fake Gmail API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "fake-client.h"

#define ALICE "alice@gmail.test"

typedef FakeSignedIn Gmail;

static void
gmail_setup (Gmail         *self,
             gconstpointer data)
{
  fake_signed_in_setup (self, ALICE);
}

/* The control API's view of the mailbox: messages newest first. */
static JsonNode *
dataset (FakeFixture *fixture,
         const char  *email)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = ember_fake_server_dup_account_json (fixture->server, email, &error);
  JsonNode *node;

  g_assert_no_error (error);
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  return node;
}

static gboolean
has_label (JsonObject *message,
           const char *label)
{
  JsonArray *labels = json_object_get_array_member (message, "labels");

  for (guint i = 0; i < json_array_get_length (labels); i++)
    if (g_strcmp0 (json_array_get_string_element (labels, i), label) == 0)
      return TRUE;
  return FALSE;
}

/* Every id of messages.list, following nextPageToken to the end. */
static GPtrArray *
list_all (Gmail      *self,
          const char *query,
          guint       page_size,
          guint      *out_pages)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *page_token = NULL;
  guint pages = 0;

  do
    {
      g_autofree char *path = NULL;
      g_autoptr(FakeReply) reply = NULL;
      JsonObject *object;

      path = g_strdup_printf ("/gmail/v1/users/me/messages?maxResults=%u%s%s%s%s", page_size,
                              query != NULL ? "&" : "", query != NULL ? query : "",
                              page_token != NULL ? "&pageToken=" : "", page_token != NULL ? page_token : "");
      reply = fake_get (self->fixture, path, self->token);
      fake_assert_status (reply, 200);
      object = fake_reply_object (reply);
      fake_assert_member (object, "resultSizeEstimate", G_TYPE_INT64);
      if (json_object_has_member (object, "messages"))
        {
          JsonArray *messages = json_object_get_array_member (object, "messages");

          g_assert_cmpuint (json_array_get_length (messages), <=, page_size);
          g_assert_cmpuint (json_array_get_length (messages), >, 0);
          for (guint i = 0; i < json_array_get_length (messages); i++)
            {
              JsonObject *message = json_array_get_object_element (messages, i);

              /* Only id and threadId, as documented. */
              g_assert_cmpuint (json_object_get_size (message), ==, 2);
              fake_assert_member (message, "id", G_TYPE_STRING);
              fake_assert_member (message, "threadId", G_TYPE_STRING);
              g_ptr_array_add (ids, g_strdup (json_object_get_string_member (message, "id")));
            }
        }
      g_clear_pointer (&page_token, g_free);
      if (json_object_has_member (object, "nextPageToken"))
        {
          fake_assert_member (object, "nextPageToken", G_TYPE_STRING);
          page_token = g_uri_escape_string (json_object_get_string_member (object, "nextPageToken"), NULL, FALSE);
        }
      pages++;
    }
  while (page_token != NULL);

  if (out_pages != NULL)
    *out_pages = pages;
  return ids;
}

static void
assert_same_ids (GPtrArray *got,
                 GPtrArray *expected)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < got->len; i++)
    if (!g_hash_table_add (seen, g_ptr_array_index (got, i)))
      g_error ("message %s listed twice", (char *) g_ptr_array_index (got, i));
  g_assert_cmpuint (got->len, ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    g_assert_cmpstr (g_ptr_array_index (got, i), ==, g_ptr_array_index (expected, i));
}

static void
test_profile_labels (Gmail        *self,
                     gconstpointer data)
{
  g_autoptr(FakeReply) profile = fake_get (self->fixture, "/gmail/v1/users/me/profile", self->token);
  g_autoptr(FakeReply) labels = fake_get (self->fixture, "/gmail/v1/users/me/labels", self->token);
  g_autoptr(FakeReply) inbox = fake_get (self->fixture, "/gmail/v1/users/me/labels/INBOX", self->token);
  g_autoptr(JsonNode) data_node = dataset (self->fixture, ALICE);
  JsonArray *messages = json_object_get_array_member (json_node_get_object (data_node), "messages");
  JsonObject *object;
  JsonArray *array;
  gboolean saw_inbox = FALSE;
  gboolean saw_user = FALSE;
  gboolean saw_non_ascii = FALSE;
  gint64 inbox_total = 0;
  gint64 inbox_unread = 0;

  fake_assert_status (profile, 200);
  object = fake_reply_object (profile);
  fake_assert_member (object, "emailAddress", G_TYPE_STRING);
  fake_assert_member (object, "messagesTotal", G_TYPE_INT64);
  fake_assert_member (object, "threadsTotal", G_TYPE_INT64);
  fake_assert_int64_string (object, "historyId");
  g_assert_cmpstr (json_object_get_string_member (object, "emailAddress"), ==, ALICE);
  g_assert_cmpint (json_object_get_int_member (object, "messagesTotal"), ==, json_array_get_length (messages));
  g_assert_cmpint (json_object_get_int_member (object, "threadsTotal"), <, json_array_get_length (messages));

  fake_assert_status (labels, 200);
  object = fake_reply_object (labels);
  fake_assert_member (object, "labels", JSON_TYPE_ARRAY);
  array = json_object_get_array_member (object, "labels");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *label = json_array_get_object_element (array, i);
      const char *type;

      fake_assert_member (label, "id", G_TYPE_STRING);
      fake_assert_member (label, "name", G_TYPE_STRING);
      fake_assert_member (label, "type", G_TYPE_STRING);
      type = json_object_get_string_member (label, "type");
      g_assert_true (g_str_equal (type, "system") || g_str_equal (type, "user"));
      if (g_str_equal (json_object_get_string_member (label, "id"), "INBOX"))
        {
          saw_inbox = TRUE;
          g_assert_cmpstr (type, ==, "system");
        }
      if (g_str_equal (type, "user"))
        {
          saw_user = TRUE;
          fake_assert_member (label, "labelListVisibility", G_TYPE_STRING);
          fake_assert_member (label, "messageListVisibility", G_TYPE_STRING);
        }
      saw_non_ascii |= !g_str_is_ascii (json_object_get_string_member (label, "name"));
    }
  g_assert_true (saw_inbox);
  g_assert_true (saw_user);
  g_assert_true (saw_non_ascii);

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);

      if (has_label (message, "INBOX"))
        {
          inbox_total++;
          inbox_unread += has_label (message, "UNREAD");
        }
    }
  fake_assert_status (inbox, 200);
  object = fake_reply_object (inbox);
  fake_assert_member (object, "messagesTotal", G_TYPE_INT64);
  fake_assert_member (object, "messagesUnread", G_TYPE_INT64);
  fake_assert_member (object, "threadsTotal", G_TYPE_INT64);
  fake_assert_member (object, "threadsUnread", G_TYPE_INT64);
  g_assert_cmpint (json_object_get_int_member (object, "messagesTotal"), ==, inbox_total);
  g_assert_cmpint (json_object_get_int_member (object, "messagesUnread"), ==, inbox_unread);
  g_assert_cmpint (inbox_unread, >, 0);

  {
    g_autoptr(FakeReply) missing = fake_get (self->fixture, "/gmail/v1/users/me/labels/Label_99", self->token);

    fake_assert_google_error (missing, 404, "notFound");
  }
}

static void
test_list_paging (Gmail        *self,
                  gconstpointer data)
{
  g_autoptr(JsonNode) data_node = dataset (self->fixture, ALICE);
  JsonArray *messages = json_object_get_array_member (json_node_get_object (data_node), "messages");
  g_autoptr(GPtrArray) expected = g_ptr_array_new ();
  g_autoptr(GPtrArray) expected_inbox_unread = g_ptr_array_new ();
  g_autoptr(GPtrArray) expected_trash = g_ptr_array_new ();
  g_autoptr(GPtrArray) got = NULL;
  g_autoptr(GPtrArray) got_filtered = NULL;
  g_autoptr(GPtrArray) got_trash = NULL;
  g_autoptr(GPtrArray) got_all = NULL;
  guint pages = 0;

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);
      const char *id = json_object_get_string_member (message, "id");

      if (has_label (message, "TRASH"))
        g_ptr_array_add (expected_trash, (gpointer) id);
      if (has_label (message, "SPAM") || has_label (message, "TRASH"))
        continue;
      g_ptr_array_add (expected, (gpointer) id);
      if (has_label (message, "INBOX") && has_label (message, "UNREAD"))
        g_ptr_array_add (expected_inbox_unread, (gpointer) id);
    }
  g_assert_cmpuint (expected->len, <, json_array_get_length (messages));
  g_assert_cmpuint (expected_trash->len, >, 0);

  /* Newest first, every message once, across pages. */
  got = list_all (self, NULL, 37, &pages);
  assert_same_ids (got, expected);
  g_assert_cmpuint (pages, ==, (expected->len + 36) / 37);

  /* labelIds must all match. */
  got_filtered = list_all (self, "labelIds=INBOX&labelIds=UNREAD", 10, NULL);
  assert_same_ids (got_filtered, expected_inbox_unread);

  /* TRASH and SPAM only when asked for. */
  got_trash = list_all (self, "labelIds=TRASH", 100, NULL);
  assert_same_ids (got_trash, expected_trash);
  got_all = list_all (self, "includeSpamTrash=true", 500, NULL);
  g_assert_cmpuint (got_all->len, ==, json_array_get_length (messages));

  {
    /* The search subset: is:unread in:inbox. */
    g_autoptr(GPtrArray) searched = list_all (self, "q=is%3Aunread%20in%3Ainbox", 100, NULL);

    assert_same_ids (searched, expected_inbox_unread);
  }

  {
    g_autoptr(FakeReply) bad = fake_get (self->fixture, "/gmail/v1/users/me/messages?maxResults=abc", self->token);
    g_autoptr(FakeReply) bad_token = fake_get (self->fixture, "/gmail/v1/users/me/messages?pageToken=%21%21", self->token);

    fake_assert_google_error (bad, 400, "invalidArgument");
    fake_assert_google_error (bad_token, 400, "invalidArgument");
  }
}

static void
test_list_cap_and_mutation (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autofree char *token = NULL;
  g_autoptr(FakeReply) first = NULL;
  JsonObject *object;
  g_autofree char *page_token = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) before = NULL;
  g_autofree char *added = NULL;
  EmberFakeMessageSpec spec = { 0, };

  fake_options_init (&options);
  options.n_messages = 700;
  options.n_events = 0;
  fixture = fake_fixture_new (&options);
  token = fake_token (fixture, ALICE);
  before = ember_fake_server_list_message_ids (fixture->server, ALICE, NULL, &error);
  g_assert_no_error (error);

  /* maxResults is capped at 500. */
  first = fake_get (fixture, "/gmail/v1/users/me/messages?maxResults=1000", token);
  fake_assert_status (first, 200);
  object = fake_reply_object (first);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "messages")), ==, 500);
  fake_assert_member (object, "nextPageToken", G_TYPE_STRING);
  for (guint i = 0; i < 500; i++)
    g_hash_table_add (seen, g_strdup (json_object_get_string_member (
      json_array_get_object_element (json_object_get_array_member (object, "messages"), i), "id")));

  /* A message arriving between pages neither shifts nor repeats the rest. */
  spec.subject = "Arrived mid-listing";
  added = ember_fake_server_add_message (fixture->server, ALICE, &spec, &error);
  g_assert_no_error (error);
  page_token = g_uri_escape_string (json_object_get_string_member (object, "nextPageToken"), NULL, FALSE);
  {
    g_autofree char *path = g_strdup_printf ("/gmail/v1/users/me/messages?maxResults=500&pageToken=%s", page_token);
    g_autoptr(FakeReply) second = fake_get (fixture, path, token);
    JsonArray *rest;

    fake_assert_status (second, 200);
    rest = json_object_get_array_member (fake_reply_object (second), "messages");
    for (guint i = 0; i < json_array_get_length (rest); i++)
      g_assert_true (g_hash_table_add (seen, g_strdup (json_object_get_string_member (
        json_array_get_object_element (rest, i), "id"))));
  }
  {
    /* Everything there before the arrival was seen, SPAM/TRASH aside. */
    guint missing = 0;

    for (guint i = 0; before[i] != NULL; i++)
      if (!g_hash_table_contains (seen, before[i]))
        missing++;
    {
      g_auto(GStrv) spam = ember_fake_server_list_message_ids (fixture->server, ALICE, "SPAM", NULL);
      g_auto(GStrv) trash = ember_fake_server_list_message_ids (fixture->server, ALICE, "TRASH", NULL);

      g_assert_cmpuint (missing, ==, g_strv_length (spam) + g_strv_length (trash));
    }
  }

  fake_fixture_free (fixture);
}

static JsonObject *
find_part (JsonObject  *part,
           gboolean   (*predicate) (JsonObject *part))
{
  if (predicate (part))
    return part;
  if (json_object_has_member (part, "parts"))
    {
      JsonArray *parts = json_object_get_array_member (part, "parts");

      for (guint i = 0; i < json_array_get_length (parts); i++)
        {
          JsonObject *found = find_part (json_array_get_object_element (parts, i), predicate);

          if (found != NULL)
            return found;
        }
    }
  return NULL;
}

static void
assert_part_shape (JsonObject *part)
{
  JsonObject *body;

  fake_assert_member (part, "partId", G_TYPE_STRING);
  fake_assert_member (part, "mimeType", G_TYPE_STRING);
  fake_assert_member (part, "filename", G_TYPE_STRING);
  fake_assert_member (part, "headers", JSON_TYPE_ARRAY);
  fake_assert_member (part, "body", JSON_TYPE_OBJECT);
  body = json_object_get_object_member (part, "body");
  fake_assert_member (body, "size", G_TYPE_INT64);
  for (guint i = 0; i < json_array_get_length (json_object_get_array_member (part, "headers")); i++)
    {
      JsonObject *header = json_array_get_object_element (json_object_get_array_member (part, "headers"), i);

      fake_assert_member (header, "name", G_TYPE_STRING);
      fake_assert_member (header, "value", G_TYPE_STRING);
    }
  if (json_object_has_member (part, "parts"))
    {
      JsonArray *parts = json_object_get_array_member (part, "parts");

      g_assert_true (g_str_has_prefix (json_object_get_string_member (part, "mimeType"), "multipart/"));
      g_assert_cmpint (json_object_get_int_member (body, "size"), ==, 0);
      for (guint i = 0; i < json_array_get_length (parts); i++)
        assert_part_shape (json_array_get_object_element (parts, i));
    }
  else if (json_object_has_member (body, "attachmentId"))
    {
      fake_assert_member (body, "attachmentId", G_TYPE_STRING);
      g_assert_cmpstr (json_object_get_string_member (part, "filename"), !=, "");
    }
  else
    {
      g_autofree guchar *decoded = NULL;
      gsize len = 0;
      g_autofree char *standard = NULL;

      fake_assert_member (body, "data", G_TYPE_STRING);
      /* base64url: the URL-safe alphabet. */
      standard = g_strdup (json_object_get_string_member (body, "data"));
      g_assert_null (strpbrk (standard, "+/"));
      g_strdelimit (standard, "-", '+');
      g_strdelimit (standard, "_", '/');
      decoded = g_base64_decode (standard, &len);
      g_assert_cmpint (len, ==, json_object_get_int_member (body, "size"));
    }
}

static gboolean
is_alternative (JsonObject *part)
{
  return g_str_equal (json_object_get_string_member (part, "mimeType"), "multipart/alternative");
}

static gboolean
is_attachment (JsonObject *part)
{
  return json_object_has_member (json_object_get_object_member (part, "body"), "attachmentId");
}

static gboolean
is_legacy_charset (JsonObject *part)
{
  JsonArray *headers = json_object_get_array_member (part, "headers");

  for (guint i = 0; i < json_array_get_length (headers); i++)
    {
      JsonObject *header = json_array_get_object_element (headers, i);
      g_autofree char *value = g_ascii_strdown (json_object_get_string_member (header, "value"), -1);

      if (g_ascii_strcasecmp (json_object_get_string_member (header, "name"), "Content-Type") == 0 &&
          g_str_has_prefix (value, "text/") &&
          (strstr (value, "iso-8859-1") != NULL || strstr (value, "windows-1252") != NULL))
        return TRUE;
    }
  return FALSE;
}

static const char *
header_value (JsonObject *part,
              const char *name)
{
  JsonArray *headers = json_object_get_array_member (part, "headers");

  for (guint i = 0; i < json_array_get_length (headers); i++)
    {
      JsonObject *header = json_array_get_object_element (headers, i);

      if (g_ascii_strcasecmp (json_object_get_string_member (header, "name"), name) == 0)
        return json_object_get_string_member (header, "value");
    }
  return NULL;
}

static guint8 *
decode_base64url (const char *text,
                  gsize      *len)
{
  g_autofree char *standard = g_strdup (text);

  g_strdelimit (standard, "-", '+');
  g_strdelimit (standard, "_", '/');
  return g_base64_decode (standard, len);
}

static void
test_get_formats (Gmail        *self,
                  gconstpointer data)
{
  g_autoptr(GPtrArray) ids = list_all (self, NULL, 500, NULL);
  const char *id = g_ptr_array_index (ids, 0);
  guint alternatives = 0;
  guint attachments = 0;
  guint legacy_charsets = 0;
  guint encoded_words = 0;
  gboolean attachment_checked = FALSE;

  {
    g_autofree char *path = g_strdup_printf ("/gmail/v1/users/me/messages/%s?format=minimal", id);
    g_autoptr(FakeReply) reply = fake_get (self->fixture, path, self->token);
    JsonObject *object;

    fake_assert_status (reply, 200);
    object = fake_reply_object (reply);
    fake_assert_member (object, "id", G_TYPE_STRING);
    fake_assert_member (object, "threadId", G_TYPE_STRING);
    fake_assert_member (object, "labelIds", JSON_TYPE_ARRAY);
    fake_assert_member (object, "snippet", G_TYPE_STRING);
    fake_assert_member (object, "sizeEstimate", G_TYPE_INT64);
    fake_assert_int64_string (object, "historyId");
    g_assert_cmpint (fake_assert_int64_string (object, "internalDate"), >, 1700000000000);
    g_assert_false (json_object_has_member (object, "payload"));
    g_assert_false (json_object_has_member (object, "raw"));
    g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, id);
  }

  {
    g_autofree char *path = g_strdup_printf ("/gmail/v1/users/me/messages/%s?format=metadata"
                                             "&metadataHeaders=subject&metadataHeaders=From", id);
    g_autoptr(FakeReply) reply = fake_get (self->fixture, path, self->token);
    JsonObject *payload;
    JsonArray *headers;

    fake_assert_status (reply, 200);
    fake_assert_member (fake_reply_object (reply), "payload", JSON_TYPE_OBJECT);
    payload = json_object_get_object_member (fake_reply_object (reply), "payload");
    headers = json_object_get_array_member (payload, "headers");
    g_assert_cmpuint (json_array_get_length (headers), ==, 2);
    g_assert_nonnull (header_value (payload, "Subject"));
    g_assert_nonnull (header_value (payload, "From"));
    g_assert_false (json_object_has_member (payload, "parts"));
  }

  {
    g_autofree char *path = g_strdup_printf ("/gmail/v1/users/me/messages/%s?format=raw", id);
    g_autoptr(FakeReply) reply = fake_get (self->fixture, path, self->token);
    JsonObject *object;
    g_autofree guint8 *raw = NULL;
    g_autofree char *text = NULL;
    gsize len = 0;

    fake_assert_status (reply, 200);
    object = fake_reply_object (reply);
    fake_assert_member (object, "raw", G_TYPE_STRING);
    g_assert_false (json_object_has_member (object, "payload"));
    raw = decode_base64url (json_object_get_string_member (object, "raw"), &len);
    g_assert_cmpint (len, ==, json_object_get_int_member (object, "sizeEstimate"));
    text = g_strndup ((const char *) raw, len);
    g_assert_nonnull (strstr (text, "\r\nMessage-ID: <"));
    g_assert_nonnull (strstr (text, "\r\n\r\n"));
    g_assert_nonnull (strstr (text, "MIME-Version: 1.0\r\n"));
  }

  /* Every message in full: shapes, and the realistic variety. */
  for (guint i = 0; i < ids->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/gmail/v1/users/me/messages/%s", (char *) g_ptr_array_index (ids, i));
      g_autoptr(FakeReply) reply = fake_get (self->fixture, path, self->token);
      JsonObject *payload;
      JsonObject *part;
      const char *subject;

      fake_assert_status (reply, 200);
      fake_assert_member (fake_reply_object (reply), "payload", JSON_TYPE_OBJECT);
      payload = json_object_get_object_member (fake_reply_object (reply), "payload");
      g_assert_cmpstr (json_object_get_string_member (payload, "partId"), ==, "");
      assert_part_shape (payload);

      alternatives += find_part (payload, is_alternative) != NULL;
      subject = header_value (payload, "Subject");
      g_assert_nonnull (subject);
      encoded_words += strstr (subject, "=?") != NULL;
      g_assert_true (g_str_is_ascii (subject));

      if ((part = find_part (payload, is_legacy_charset)) != NULL && json_object_has_member (json_object_get_object_member (part, "body"), "data"))
        {
          gsize len = 0;
          g_autofree guint8 *bytes = decode_base64url (json_object_get_string_member (json_object_get_object_member (part, "body"), "data"), &len);
          g_autofree char *utf8 = NULL;
          const char *type = header_value (part, "Content-Type");

          utf8 = g_convert ((const char *) bytes, len, "UTF-8",
                            strstr (type, "1252") != NULL ? "WINDOWS-1252" : "ISO-8859-1", NULL, NULL, NULL);
          g_assert_nonnull (utf8);
          /* Not valid UTF-8 as sent when it holds non-ASCII. */
          if (!g_str_is_ascii (utf8))
            {
              g_assert_false (g_utf8_validate ((const char *) bytes, len, NULL));
              legacy_charsets++;
            }
        }

      if ((part = find_part (payload, is_attachment)) != NULL)
        {
          attachments++;
          if (!attachment_checked)
            {
              JsonObject *body = json_object_get_object_member (part, "body");
              g_autofree char *attachment_path = g_strdup_printf ("/gmail/v1/users/me/messages/%s/attachments/%s",
                                                                  (char *) g_ptr_array_index (ids, i),
                                                                  json_object_get_string_member (body, "attachmentId"));
              g_autoptr(FakeReply) attachment = fake_get (self->fixture, attachment_path, self->token);
              gsize len = 0;
              g_autofree guint8 *bytes = NULL;

              fake_assert_status (attachment, 200);
              fake_assert_member (fake_reply_object (attachment), "size", G_TYPE_INT64);
              fake_assert_member (fake_reply_object (attachment), "data", G_TYPE_STRING);
              bytes = decode_base64url (json_object_get_string_member (fake_reply_object (attachment), "data"), &len);
              g_assert_cmpint (len, ==, json_object_get_int_member (body, "size"));
              attachment_checked = TRUE;
            }
        }
    }
  g_assert_cmpuint (alternatives, >, 0);
  g_assert_cmpuint (attachments, >, 0);
  g_assert_cmpuint (legacy_charsets, >, 0);
  g_assert_cmpuint (encoded_words, >, 0);

  {
    g_autoptr(FakeReply) missing = fake_get (self->fixture, "/gmail/v1/users/me/messages/ffffffffffffffff", self->token);
    g_autoptr(FakeReply) invalid = fake_get (self->fixture, "/gmail/v1/users/me/messages/not-an-id", self->token);
    g_autofree char *path = g_strdup_printf ("/gmail/v1/users/me/messages/%s?format=bogus", id);
    g_autoptr(FakeReply) bad_format = fake_get (self->fixture, path, self->token);

    fake_assert_google_error (missing, 404, "notFound");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (fake_reply_object (missing), "error"), "status"),
                     ==, "NOT_FOUND");
    fake_assert_google_error (invalid, 400, "badRequest");
    fake_assert_google_error (bad_format, 400, "invalidArgument");
  }
}

/* Every history record after @start, across pages of @page_size. */
static JsonArray *
history_since (Gmail      *self,
               gint64      start,
               const char *extra,
               guint       page_size,
               gint64     *out_history_id)
{
  JsonArray *records = json_array_new ();
  g_autofree char *page_token = NULL;

  do
    {
      g_autofree char *path = g_strdup_printf ("/gmail/v1/users/me/history?startHistoryId=%" G_GINT64_FORMAT
                                               "&maxResults=%u%s%s%s", start, page_size,
                                               extra != NULL ? extra : "",
                                               page_token != NULL ? "&pageToken=" : "",
                                               page_token != NULL ? page_token : "");
      g_autoptr(FakeReply) reply = fake_get (self->fixture, path, self->token);
      JsonObject *object;

      fake_assert_status (reply, 200);
      object = fake_reply_object (reply);
      *out_history_id = fake_assert_int64_string (object, "historyId");
      if (json_object_has_member (object, "history"))
        {
          JsonArray *page = json_object_get_array_member (object, "history");

          g_assert_cmpuint (json_array_get_length (page), <=, page_size);
          for (guint i = 0; i < json_array_get_length (page); i++)
            json_array_add_element (records, json_node_copy (json_array_get_element (page, i)));
        }
      g_clear_pointer (&page_token, g_free);
      if (json_object_has_member (object, "nextPageToken"))
        page_token = g_uri_escape_string (json_object_get_string_member (object, "nextPageToken"), NULL, FALSE);
    }
  while (page_token != NULL);

  return records;
}

static JsonObject *
record_message (JsonObject *record,
                const char *kind)
{
  JsonArray *entries;

  fake_assert_member (record, kind, JSON_TYPE_ARRAY);
  entries = json_object_get_array_member (record, kind);
  g_assert_cmpuint (json_array_get_length (entries), ==, 1);
  return json_object_get_object_member (json_array_get_object_element (entries, 0), "message");
}

static void
test_history (Gmail        *self,
              gconstpointer data)
{
  g_autoptr(FakeReply) profile = fake_get (self->fixture, "/gmail/v1/users/me/profile", self->token);
  gint64 start = fake_assert_int64_string (fake_reply_object (profile), "historyId");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) unread = ember_fake_server_list_message_ids (self->fixture->server, ALICE, "UNREAD", &error);
  g_auto(GStrv) inbox = ember_fake_server_list_message_ids (self->fixture->server, ALICE, "INBOX", &error);
  g_auto(GStrv) receipts = ember_fake_server_list_message_ids (self->fixture->server, ALICE, "Label_2", &error);
  EmberFakeMessageSpec spec = { 0, };
  const char * const inbox_labels[] = { "INBOX", NULL };
  const char * const add[] = { "Receipts", NULL };
  g_autofree char *added = NULL;
  const char *read_id = unread[0];
  const char *relabel_id = NULL;
  const char *delete_id = NULL;
  g_autoptr(JsonArray) records = NULL;
  gint64 history_id = 0;
  gint64 previous = start;

  g_assert_no_error (error);
  for (guint i = 0; inbox[i] != NULL; i++)
    if (strcmp (inbox[i], read_id) != 0)
      {
        if (relabel_id == NULL && !g_strv_contains ((const char * const *) receipts, inbox[i]))
          relabel_id = inbox[i];
        else if (delete_id == NULL)
          delete_id = inbox[i];
      }

  spec.subject = "Hello from the history test";
  spec.labels = inbox_labels;
  spec.unread = TRUE;
  added = ember_fake_server_add_message (self->fixture->server, ALICE, &spec, &error);
  g_assert_no_error (error);
  g_assert_true (ember_fake_server_set_message_unread (self->fixture->server, ALICE, read_id, FALSE, &error));
  g_assert_true (ember_fake_server_relabel_message (self->fixture->server, ALICE, relabel_id, add, NULL, &error));
  g_assert_true (ember_fake_server_delete_message (self->fixture->server, ALICE, delete_id, &error));
  g_assert_no_error (error);

  /* Exactly the four changes, in order, across pages of one. */
  records = history_since (self, start, NULL, 1, &history_id);
  g_assert_cmpuint (json_array_get_length (records), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      gint64 id = fake_assert_int64_string (record, "id");

      g_assert_cmpint (id, >, previous);
      previous = id;
      fake_assert_member (record, "messages", JSON_TYPE_ARRAY);
    }
  {
    JsonObject *message = record_message (json_array_get_object_element (records, 0), "messagesAdded");
    JsonArray *labels;

    g_assert_cmpstr (json_object_get_string_member (message, "id"), ==, added);
    fake_assert_member (message, "threadId", G_TYPE_STRING);
    fake_assert_member (message, "labelIds", JSON_TYPE_ARRAY);
    labels = json_object_get_array_member (message, "labelIds");
    g_assert_cmpuint (json_array_get_length (labels), ==, 2);
  }
  {
    JsonObject *record = json_array_get_object_element (records, 1);
    JsonObject *message = record_message (record, "labelsRemoved");
    JsonArray *removed = json_object_get_array_member (json_array_get_object_element (json_object_get_array_member (record, "labelsRemoved"), 0), "labelIds");

    g_assert_cmpstr (json_object_get_string_member (message, "id"), ==, read_id);
    g_assert_cmpuint (json_array_get_length (removed), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (removed, 0), ==, "UNREAD");
  }
  {
    JsonObject *record = json_array_get_object_element (records, 2);
    JsonObject *message = record_message (record, "labelsAdded");
    JsonArray *labels = json_object_get_array_member (json_array_get_object_element (json_object_get_array_member (record, "labelsAdded"), 0), "labelIds");

    g_assert_cmpstr (json_object_get_string_member (message, "id"), ==, relabel_id);
    g_assert_cmpstr (json_array_get_string_element (labels, 0), ==, "Label_2");
  }
  {
    JsonObject *message = record_message (json_array_get_object_element (records, 3), "messagesDeleted");

    g_assert_cmpstr (json_object_get_string_member (message, "id"), ==, delete_id);
  }

  {
    g_autoptr(FakeReply) now = fake_get (self->fixture, "/gmail/v1/users/me/profile", self->token);

    g_assert_cmpint (fake_assert_int64_string (fake_reply_object (now), "historyId"), ==, history_id);
  }

  {
    gint64 ignored;
    g_autoptr(JsonArray) only_added = history_since (self, start, "&historyTypes=labelAdded", 100, &ignored);
    g_autoptr(JsonArray) only_label = history_since (self, start, "&labelId=Label_2", 100, &ignored);
    g_autoptr(JsonArray) none = history_since (self, history_id, NULL, 100, &ignored);

    g_assert_cmpuint (json_array_get_length (only_added), ==, 1);
    guint with_label = 0;

    /* labelId keeps the records whose message carries the label. */
    for (guint i = 0; i < json_array_get_length (records); i++)
      {
        JsonObject *record = json_array_get_object_element (records, i);
        const char *kinds[] = { "messagesAdded", "messagesDeleted", "labelsAdded", "labelsRemoved" };

        for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
          if (json_object_has_member (record, kinds[k]))
            {
              JsonArray *labels = json_object_get_array_member (record_message (record, kinds[k]), "labelIds");

              for (guint l = 0; l < json_array_get_length (labels); l++)
                with_label += g_str_equal (json_array_get_string_element (labels, l), "Label_2");
            }
      }
    g_assert_cmpuint (with_label, >=, 1);
    g_assert_cmpuint (json_array_get_length (only_label), ==, with_label);
    g_assert_cmpuint (json_array_get_length (none), ==, 0);
    g_assert_cmpint (ignored, ==, history_id);
  }

  {
    g_autofree char *path = g_strdup_printf ("/gmail/v1/users/me/messages/%s", delete_id);
    g_autoptr(FakeReply) gone = fake_get (self->fixture, path, self->token);

    fake_assert_google_error (gone, 404, "notFound");
  }

  /* An expired startHistoryId: 404 as documented, then a fresh one works. */
  g_assert_true (ember_fake_server_expire_cursors (self->fixture->server, ALICE, EMBER_FAKE_CURSOR_HISTORY, &error));
  {
    g_autofree char *path = g_strdup_printf ("/gmail/v1/users/me/history?startHistoryId=%" G_GINT64_FORMAT, start);
    g_autoptr(FakeReply) expired = fake_get (self->fixture, path, self->token);
    g_autoptr(FakeReply) fresh_profile = fake_get (self->fixture, "/gmail/v1/users/me/profile", self->token);
    gint64 fresh = fake_assert_int64_string (fake_reply_object (fresh_profile), "historyId");
    gint64 after;
    g_autoptr(JsonArray) empty = NULL;
    JsonObject *error_object;

    fake_assert_google_error (expired, 404, "notFound");
    error_object = json_object_get_object_member (fake_reply_object (expired), "error");
    g_assert_cmpstr (json_object_get_string_member (error_object, "message"), ==, "Requested entity was not found.");
    g_assert_cmpstr (json_object_get_string_member (error_object, "status"), ==, "NOT_FOUND");
    g_assert_cmpint (fresh, >, history_id);
    empty = history_since (self, fresh, NULL, 100, &after);
    g_assert_cmpuint (json_array_get_length (empty), ==, 0);
  }

  {
    g_autoptr(FakeReply) missing = fake_get (self->fixture, "/gmail/v1/users/me/history", self->token);

    g_assert_cmpuint (missing->status, ==, 400);
  }
}

static char *
batch_body (const char *boundary,
            const char * const *parts)
{
  GString *body = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i += 2)
    {
      g_string_append_printf (body, "--%s\r\nContent-Type: application/http\r\n", boundary);
      if (*parts[i] != '\0')
        g_string_append_printf (body, "Content-ID: <%s>\r\n", parts[i]);
      g_string_append_printf (body, "\r\nGET %s\r\n\r\n", parts[i + 1]);
    }
  g_string_append_printf (body, "--%s--\r\n", boundary);
  return g_string_free (body, FALSE);
}

static void
test_batch (Gmail        *self,
            gconstpointer data)
{
  g_autoptr(GPtrArray) ids = list_all (self, NULL, 500, NULL);
  g_autofree char *get_a = g_strdup_printf ("/gmail/v1/users/me/messages/%s?format=full", (char *) g_ptr_array_index (ids, 0));
  g_autofree char *get_b = g_strdup_printf ("/gmail/v1/users/me/messages/%s?format=minimal", (char *) g_ptr_array_index (ids, 1));
  const char *parts[] = {
    "item1", get_a,
    "item2", get_b,
    "item3", "/gmail/v1/users/me/messages/ffffffffffffffff",
    "", "/gmail/v1/users/me/profile",
    "item5", "https://gmail.googleapis.com/gmail/v1/users/me/profile",
    NULL,
  };
  g_autofree char *body = batch_body ("batch_test_boundary", parts);
  g_autoptr(FakeReply) reply = NULL;
  g_autoptr(SoupMultipart) multipart = NULL;
  const guint expected_status[] = { 200, 200, 404, 200, 400 };
  const char *expected_id[] = { "<response-item1>", "<response-item2>", "<response-item3>", NULL, "<response-item5>" };
  g_autoptr(GPtrArray) log = NULL;
  guint64 outer_seq = 0;
  guint inner = 0;
  guint inner_cost = 0;

  ember_fake_server_clear_request_log (self->fixture->server);
  reply = fake_request (self->fixture, "POST", "/batch/gmail/v1", self->token,
                        "multipart/mixed; boundary=batch_test_boundary", body, NULL);
  fake_assert_status (reply, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (reply->headers, NULL), "multipart/mixed"));
  multipart = soup_multipart_new_from_message (reply->headers, reply->body);
  g_assert_nonnull (multipart);
  g_assert_cmpint (soup_multipart_get_length (multipart), ==, 5);

  for (guint i = 0; i < 5; i++)
    {
      SoupMessageHeaders *headers;
      GBytes *part;
      g_autofree char *text = NULL;
      g_autofree char *status_line = NULL;
      const char *json_start;

      g_assert_true (soup_multipart_get_part (multipart, (int) i, &headers, &part));
      g_assert_cmpstr (soup_message_headers_get_content_type (headers, NULL), ==, "application/http");
      g_assert_cmpstr (soup_message_headers_get_one (headers, "Content-ID"), ==, expected_id[i]);
      text = g_strndup (g_bytes_get_data (part, NULL), g_bytes_get_size (part));
      status_line = g_strdup_printf ("HTTP/1.1 %u ", expected_status[i]);
      g_assert_true (g_str_has_prefix (text, status_line));
      json_start = strstr (text, "\r\n\r\n");
      g_assert_nonnull (json_start);
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonNode) node = json_from_string (json_start + 4, &error);

        g_assert_no_error (error);
        if (i < 2)
          g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "id"), ==,
                           (char *) g_ptr_array_index (ids, i));
      }
    }

  /* Each inner call is charged on its own; the batch costs their sum. */
  log = ember_fake_server_get_request_log (self->fixture->server);
  for (guint i = 0; i < log->len; i++)
    {
      EmberFakeLogEntry *entry = g_ptr_array_index (log, i);

      if (g_str_equal (entry->path, "/batch/gmail/v1"))
        outer_seq = entry->seq;
    }
  g_assert_cmpuint (outer_seq, >, 0);
  for (guint i = 0; i < log->len; i++)
    {
      EmberFakeLogEntry *entry = g_ptr_array_index (log, i);

      if (entry->batch_seq == outer_seq)
        {
          inner++;
          inner_cost += entry->cost;
        }
      else if (entry->seq == outer_seq)
        g_assert_cmpuint (entry->cost, ==, 20 + 20 + 20 + 1);
    }
  g_assert_cmpuint (inner, ==, 4);
  g_assert_cmpuint (inner_cost, ==, 61);

  {
    /* At most 100 calls. */
    const char **many = g_new0 (const char *, 2 * 101 + 1);
    g_autofree char *big = NULL;
    g_autoptr(FakeReply) refused = NULL;

    for (guint i = 0; i < 101; i++)
      {
        many[2 * i] = "";
        many[2 * i + 1] = "/gmail/v1/users/me/profile";
      }
    big = batch_body ("b", many);
    g_free (many);
    refused = fake_request (self->fixture, "POST", "/batch/gmail/v1", self->token, "multipart/mixed; boundary=b", big, NULL);
    fake_assert_google_error (refused, 400, "badRequest");
  }

  {
    /* Without any Authorization each inner call is refused on its own. */
    const char *anonymous[] = { "x", "/gmail/v1/users/me/profile", NULL };
    g_autofree char *anonymous_body = batch_body ("anon", anonymous);
    g_autoptr(FakeReply) unauthorized = fake_request (self->fixture, "POST", "/batch/gmail/v1", NULL,
                                                      "multipart/mixed; boundary=anon", anonymous_body, NULL);

    fake_assert_status (unauthorized, 200);
    g_assert_nonnull (strstr (unauthorized->text, "HTTP/1.1 401 "));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ember/fake/gmail/profile-labels", Gmail, NULL, gmail_setup, test_profile_labels, fake_signed_in_teardown);
  g_test_add ("/ember/fake/gmail/list-paging", Gmail, NULL, gmail_setup, test_list_paging, fake_signed_in_teardown);
  g_test_add_func ("/ember/fake/gmail/list-cap-and-mutation", test_list_cap_and_mutation);
  g_test_add ("/ember/fake/gmail/get-formats", Gmail, NULL, gmail_setup, test_get_formats, fake_signed_in_teardown);
  g_test_add ("/ember/fake/gmail/history", Gmail, NULL, gmail_setup, test_history, fake_signed_in_teardown);
  g_test_add ("/ember/fake/gmail/batch", Gmail, NULL, gmail_setup, test_batch, fake_signed_in_teardown);

  return g_test_run ();
}
