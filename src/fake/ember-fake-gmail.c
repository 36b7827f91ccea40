/* ember-fake-gmail.c: Gmail API v1 and its batch endpoint
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-fake"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ember-fake-mime.h"
#include "ember-fake-private.h"

#define MAX_BATCH_CALLS 100

static void
ok_json (EmberFakeResponse *response,
         GString           *body)
{
  ember_fake_response_set_json (response, 200, body);
  ember_fake_response_add_header (response, "Vary", "Origin, X-Origin, Referer");
}

static void
not_found (EmberFakeResponse *response)
{
  ember_fake_google_error (response, 404, "NOT_FOUND", "global", "notFound",
                           "Requested entity was not found.", NULL, NULL);
}

static void
bad_request (EmberFakeResponse *response,
             const char        *message,
             const char        *parameter)
{
  ember_fake_google_error (response, 400, "INVALID_ARGUMENT", "global",
                           parameter != NULL ? "invalidArgument" : "badRequest", message,
                           parameter != NULL ? "parameter" : NULL, parameter);
}

static gboolean
parse_max_results (EmberFakeRequest  *request,
                   EmberFakeResponse *response,
                   guint              fallback,
                   guint              maximum,
                   guint             *out)
{
  const char *text = ember_fake_request_param (request, "maxResults");
  guint64 value;

  *out = fallback;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &value, NULL))
    {
      g_autofree char *message = g_strdup_printf ("Invalid value at 'max_results' (TYPE_UINT32), \"%s\"", text);

      bad_request (response, message, "maxResults");
      return FALSE;
    }
  /* Gmail caps silently; 0 means the default. */
  *out = value == 0 ? fallback : (guint) MIN (value, maximum);
  return TRUE;
}

static gboolean
param_is_true (EmberFakeRequest *request,
               const char       *name)
{
  const char *value = ember_fake_request_param (request, name);

  return value != NULL && (g_ascii_strcasecmp (value, "true") == 0 || strcmp (value, "1") == 0);
}

/* Only gmail.metadata granted: no bodies, no q. */
static gboolean
metadata_only (EmberFakeRequest *request)
{
  return (request->scopes & EMBER_FAKE_SCOPE_GMAIL_METADATA_ONLY) != 0;
}

static void
write_label_ids (EmberFakeJson    *json,
                 EmberFakeMessage *message)
{
  ember_fake_json_key (json, "labelIds");
  ember_fake_json_begin_array (json);
  for (guint i = 0; i < message->labels->len; i++)
    ember_fake_json_string (json, g_ptr_array_index (message->labels, i));
  if (message->unread)
    ember_fake_json_string (json, "UNREAD");
  ember_fake_json_end_array (json);
}

typedef enum
{
  FORMAT_MINIMAL,
  FORMAT_METADATA,
  FORMAT_FULL,
  FORMAT_RAW,
} Format;

static void
write_message (EmberFakeJson    *json,
               EmberFakeMessage *message,
               Format            format,
               GPtrArray        *metadata_headers)
{
  ember_fake_message_render (message);

  ember_fake_json_begin_object (json);
  ember_fake_json_member_string (json, "id", message->id);
  ember_fake_json_member_string (json, "threadId", message->thread_id);
  write_label_ids (json, message);
  ember_fake_json_member_string (json, "snippet", message->snippet);

  if (format == FORMAT_FULL)
    {
      ember_fake_json_key (json, "payload");
      ember_fake_json_raw (json, message->payload_json, -1);
    }
  else if (format == FORMAT_METADATA)
    {
      ember_fake_json_key (json, "payload");
      ember_fake_json_begin_object (json);
      ember_fake_json_member_string (json, "partId", "");
      ember_fake_json_member_string (json, "mimeType", message->top_mime_type);
      ember_fake_json_member_string (json, "filename", "");
      ember_fake_json_key (json, "headers");
      ember_fake_json_begin_array (json);
      for (guint i = 0; i < message->top_headers->len; i += 2)
        {
          const char *name = g_ptr_array_index (message->top_headers, i);
          gboolean wanted = metadata_headers->len == 0;

          for (guint k = 0; k < metadata_headers->len && !wanted; k++)
            wanted = g_ascii_strcasecmp (g_ptr_array_index (metadata_headers, k), name) == 0;
          if (!wanted)
            continue;
          ember_fake_json_begin_object (json);
          ember_fake_json_member_string (json, "name", name);
          ember_fake_json_member_string (json, "value", g_ptr_array_index (message->top_headers, i + 1));
          ember_fake_json_end_object (json);
        }
      ember_fake_json_end_array (json);
      ember_fake_json_end_object (json);
    }

  ember_fake_json_member_int (json, "sizeEstimate", message->size_estimate);
  if (format == FORMAT_RAW)
    ember_fake_json_member_string (json, "raw", ember_fake_message_raw_base64url (message));
  ember_fake_json_member_int_str (json, "historyId", message->history_id);
  ember_fake_json_member_int_str (json, "internalDate", message->date_ms);
  ember_fake_json_end_object (json);
}

/* ------------------------------------------------------------------------ */

static void
get_profile (EmberFakeRequest  *request,
             EmberFakeResponse *response)
{
  EmberFakeAccount *account = request->account;
  g_autoptr(GHashTable) threads = g_hash_table_new (g_str_hash, g_str_equal);
  GString *body = g_string_new (NULL);
  EmberFakeJson json;

  for (guint i = 0; i < account->messages->len; i++)
    g_hash_table_add (threads, ((EmberFakeMessage *) g_ptr_array_index (account->messages, i))->thread_id);

  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  ember_fake_json_member_string (&json, "emailAddress", account->email);
  ember_fake_json_member_int (&json, "messagesTotal", account->messages->len);
  ember_fake_json_member_int (&json, "threadsTotal", g_hash_table_size (threads));
  ember_fake_json_member_int_str (&json, "historyId", account->history_id);
  ember_fake_json_end_object (&json);
  ok_json (response, body);
}

static void
write_label (EmberFakeJson    *json,
             EmberFakeAccount *account,
             EmberFakeLabel   *label,
             gboolean          with_counts)
{
  ember_fake_json_begin_object (json);
  ember_fake_json_member_string (json, "id", label->id);
  ember_fake_json_member_string (json, "name", label->name);
  if (!label->system)
    ember_fake_json_member_string (json, "messageListVisibility", "show");
  if (!label->system || !label->hidden)
    ember_fake_json_member_string (json, "labelListVisibility", label->hidden ? "labelHide" : "labelShow");
  ember_fake_json_member_string (json, "type", label->system ? "system" : "user");
  if (with_counts)
    {
      g_autoptr(GHashTable) threads = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GHashTable) unread_threads = g_hash_table_new (g_str_hash, g_str_equal);
      guint total = 0;
      guint unread = 0;

      for (guint i = 0; i < account->messages->len; i++)
        {
          EmberFakeMessage *message = g_ptr_array_index (account->messages, i);

          if (!ember_fake_message_has_label (message, label->id))
            continue;
          total++;
          g_hash_table_add (threads, message->thread_id);
          if (message->unread)
            {
              unread++;
              g_hash_table_add (unread_threads, message->thread_id);
            }
        }
      ember_fake_json_member_int (json, "messagesTotal", total);
      ember_fake_json_member_int (json, "messagesUnread", unread);
      ember_fake_json_member_int (json, "threadsTotal", g_hash_table_size (threads));
      ember_fake_json_member_int (json, "threadsUnread", g_hash_table_size (unread_threads));
    }
  ember_fake_json_end_object (json);
}

static void
list_labels (EmberFakeRequest  *request,
             EmberFakeResponse *response)
{
  EmberFakeAccount *account = request->account;
  GString *body = g_string_new (NULL);
  EmberFakeJson json;

  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  ember_fake_json_key (&json, "labels");
  ember_fake_json_begin_array (&json);
  for (guint i = 0; i < account->labels->len; i++)
    write_label (&json, account, g_ptr_array_index (account->labels, i), FALSE);
  ember_fake_json_end_array (&json);
  ember_fake_json_end_object (&json);
  ok_json (response, body);
}

static void
get_label (EmberFakeRequest  *request,
           EmberFakeResponse *response,
           const char        *id)
{
  EmberFakeLabel *label = NULL;
  GString *body;
  EmberFakeJson json;

  for (guint i = 0; i < request->account->labels->len && label == NULL; i++)
    {
      EmberFakeLabel *candidate = g_ptr_array_index (request->account->labels, i);

      if (strcmp (candidate->id, id) == 0)
        label = candidate;
    }
  if (label == NULL)
    {
      not_found (response);
      return;
    }

  body = g_string_new (NULL);
  ember_fake_json_init (&json, body);
  write_label (&json, request->account, label, TRUE);
  ok_json (response, body);
}

/* A small subset of Gmail's search language. */
static gboolean
matches_query (EmberFakeAccount *account,
               EmberFakeMessage *message,
               GStrv             terms,
               gboolean         *anywhere)
{
  for (guint i = 0; terms[i] != NULL; i++)
    {
      const char *term = terms[i];

      if (*term == '\0')
        continue;
      if (g_ascii_strcasecmp (term, "is:unread") == 0)
        {
          if (!message->unread)
            return FALSE;
        }
      else if (g_ascii_strcasecmp (term, "is:read") == 0)
        {
          if (message->unread)
            return FALSE;
        }
      else if (g_ascii_strcasecmp (term, "is:starred") == 0)
        {
          if (!ember_fake_message_has_label (message, "STARRED"))
            return FALSE;
        }
      else if (g_ascii_strcasecmp (term, "in:anywhere") == 0)
        *anywhere = TRUE;
      else if (g_ascii_strncasecmp (term, "in:", 3) == 0 || g_ascii_strncasecmp (term, "label:", 6) == 0)
        {
          const char *name = strchr (term, ':') + 1;
          g_autofree char *upper = g_ascii_strup (name, -1);
          EmberFakeLabel *label = ember_fake_account_find_label (account, upper);

          if (label == NULL)
            label = ember_fake_account_find_label (account, name);
          if (label == NULL || !ember_fake_message_has_label (message, label->id))
            return FALSE;
          if (strcmp (label->id, "SPAM") == 0 || strcmp (label->id, "TRASH") == 0)
            *anywhere = TRUE;
        }
      else if (g_ascii_strncasecmp (term, "from:", 5) == 0)
        {
          if (strstr (message->from.address, term + 5) == NULL &&
              (message->from.name == NULL || strstr (message->from.name, term + 5) == NULL))
            return FALSE;
        }
      else if (g_ascii_strncasecmp (term, "rfc822msgid:", 12) == 0)
        {
          const char *wanted = term + 12;
          gsize len = strlen (message->internet_message_id);

          if (strcmp (message->internet_message_id, wanted) != 0 &&
              !(len > 2 && strlen (wanted) == len - 2 && strncmp (message->internet_message_id + 1, wanted, len - 2) == 0))
            return FALSE;
        }
      else if (g_ascii_strncasecmp (term, "after:", 6) == 0 || g_ascii_strncasecmp (term, "before:", 7) == 0)
        {
          gboolean after = g_ascii_tolower (term[0]) == 'a';
          const char *date = strchr (term, ':') + 1;
          int y, m, d;
          g_autoptr(GDateTime) when = NULL;

          if (sscanf (date, "%d/%d/%d", &y, &m, &d) != 3 || (when = g_date_time_new_utc (y, m, d, 0, 0, 0)) == NULL)
            return FALSE;
          if (after ? message->date_ms / 1000 < g_date_time_to_unix (when)
                    : message->date_ms / 1000 >= g_date_time_to_unix (when))
            return FALSE;
        }
      else
        {
          const char *word = g_ascii_strncasecmp (term, "subject:", 8) == 0 ? term + 8 : term;
          g_autofree char *needle = g_utf8_casefold (word, -1);
          g_autofree char *subject = g_utf8_casefold (message->subject, -1);
          g_autofree char *text = word == term ? g_utf8_casefold (message->text, -1) : NULL;

          if (strstr (subject, needle) == NULL && (text == NULL || strstr (text, needle) == NULL))
            return FALSE;
        }
    }
  return TRUE;
}

static void
list_messages (EmberFakeRequest  *request,
               EmberFakeResponse *response)
{
  EmberFakeAccount *account = request->account;
  GPtrArray *by_date = ember_fake_account_messages_by_date (account);
  g_autoptr(GPtrArray) label_ids = ember_fake_request_params (request, "labelIds");
  const char *page_token = ember_fake_request_param (request, "pageToken");
  const char *q = ember_fake_request_param (request, "q");
  gboolean include_spam_trash = param_is_true (request, "includeSpamTrash");
  g_auto(GStrv) terms = q != NULL ? g_strsplit (q, " ", -1) : g_new0 (char *, 1);
  gint64 after_date = G_MAXINT64;
  guint64 after_key = G_MAXUINT64;
  guint max_results;
  guint total = 0;
  guint emitted = 0;
  EmberFakeMessage *last = NULL;
  gboolean more = FALSE;
  GString *body;
  EmberFakeJson json;

  if (!parse_max_results (request, response, 100, 500, &max_results))
    return;
  if (q != NULL && metadata_only (request))
    {
      ember_fake_google_error (response, 403, "PERMISSION_DENIED", "global", "forbidden",
                               "Metadata scope does not support 'q' parameter", NULL, NULL);
      return;
    }
  if (page_token != NULL)
    {
      g_auto(GStrv) fields = ember_fake_cursor_decode (page_token, 3);

      if (fields == NULL || strcmp (fields[0], "list") != 0 ||
          !g_ascii_string_to_signed (fields[1], 10, G_MININT64, G_MAXINT64, &after_date, NULL) ||
          !g_ascii_string_to_unsigned (fields[2], 10, 0, G_MAXUINT64, &after_key, NULL))
        {
          bad_request (response, "Invalid pageToken", "pageToken");
          return;
        }
    }

  /* labelIds=A&labelIds=B, and the comma form some clients send. */
  for (guint i = 0; i < label_ids->len; i++)
    if (strchr (g_ptr_array_index (label_ids, i), ',') != NULL)
      {
        bad_request (response, "Invalid label: labelIds must be repeated, not comma-separated", "labelIds");
        return;
      }

  body = g_string_sized_new (max_results * 48 + 128);
  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);

  for (guint i = 0; i < by_date->len; i++)
    {
      EmberFakeMessage *message = g_ptr_array_index (by_date, i);
      gboolean anywhere = include_spam_trash;
      gboolean labels_ok = TRUE;

      for (guint k = 0; k < label_ids->len && labels_ok; k++)
        {
          const char *label = g_ptr_array_index (label_ids, k);

          labels_ok = ember_fake_message_has_label (message, label);
          if (strcmp (label, "SPAM") == 0 || strcmp (label, "TRASH") == 0)
            anywhere = TRUE;
        }
      if (!labels_ok || !matches_query (account, message, terms, &anywhere))
        continue;
      if (!anywhere && (ember_fake_message_has_label (message, "SPAM") ||
                        ember_fake_message_has_label (message, "TRASH")))
        continue;
      total++;

      /* Keyset: strictly after the last message of the previous page. */
      if (message->date_ms > after_date || (message->date_ms == after_date && message->key >= after_key))
        continue;
      if (emitted == max_results)
        {
          more = TRUE;
          continue;
        }
      if (emitted == 0)
        {
          ember_fake_json_key (&json, "messages");
          ember_fake_json_begin_array (&json);
        }
      ember_fake_json_begin_object (&json);
      ember_fake_json_member_string (&json, "id", message->id);
      ember_fake_json_member_string (&json, "threadId", message->thread_id);
      ember_fake_json_end_object (&json);
      emitted++;
      last = message;
    }

  if (emitted > 0)
    ember_fake_json_end_array (&json);
  if (more)
    {
      g_autofree char *date = g_strdup_printf ("%" G_GINT64_FORMAT, last->date_ms);
      g_autofree char *key = g_strdup_printf ("%" G_GUINT64_FORMAT, last->key);
      g_autofree char *token = ember_fake_cursor_encode ("list", date, key, NULL);

      ember_fake_json_member_string (&json, "nextPageToken", token);
    }
  /* Only an estimate, and Gmail's is rarely exact. */
  ember_fake_json_member_int (&json, "resultSizeEstimate", total <= 100 ? total : total + total / 20);
  ember_fake_json_end_object (&json);
  ok_json (response, body);
}

static gboolean
parse_format (EmberFakeRequest  *request,
              EmberFakeResponse *response,
              Format            *out)
{
  const char *format = ember_fake_request_param (request, "format");

  if (format == NULL || g_ascii_strcasecmp (format, "full") == 0)
    *out = FORMAT_FULL;
  else if (g_ascii_strcasecmp (format, "metadata") == 0)
    *out = FORMAT_METADATA;
  else if (g_ascii_strcasecmp (format, "minimal") == 0)
    *out = FORMAT_MINIMAL;
  else if (g_ascii_strcasecmp (format, "raw") == 0)
    *out = FORMAT_RAW;
  else
    {
      g_autofree char *message = g_strdup_printf (
        "Invalid value at 'format' (type.googleapis.com/google.apps.gmail.v1.Format), \"%s\"", format);

      bad_request (response, message, "format");
      return FALSE;
    }

  if ((*out == FORMAT_FULL || *out == FORMAT_RAW) && metadata_only (request))
    {
      ember_fake_google_error (response, 403, "PERMISSION_DENIED", "global", "forbidden",
                               *out == FORMAT_FULL ? "Metadata scope doesn't allow format FULL"
                                                   : "Metadata scope doesn't allow format RAW", NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

static gboolean
valid_message_id (const char *id)
{
  if (*id == '\0' || strlen (id) > 32)
    return FALSE;
  for (const char *c = id; *c; c++)
    if (!g_ascii_isxdigit (*c))
      return FALSE;
  return TRUE;
}

static void
get_message (EmberFakeRequest  *request,
             EmberFakeResponse *response,
             const char        *id)
{
  EmberFakeMessage *message;
  g_autoptr(GPtrArray) metadata_headers = NULL;
  Format format;
  GString *body;
  EmberFakeJson json;

  if (!parse_format (request, response, &format))
    return;
  if (!valid_message_id (id))
    {
      bad_request (response, "Invalid id value", NULL);
      return;
    }
  message = ember_fake_account_find_message (request->account, id);
  if (message == NULL)
    {
      not_found (response);
      return;
    }

  metadata_headers = ember_fake_request_params (request, "metadataHeaders");
  ember_fake_message_render (message);
  body = g_string_sized_new (format == FORMAT_FULL ? strlen (message->payload_json) + 512
                             : format == FORMAT_RAW ? message->size_estimate * 4 / 3 + 512 : 1024);
  ember_fake_json_init (&json, body);
  write_message (&json, message, format, metadata_headers);
  ok_json (response, body);
}

static void
get_attachment (EmberFakeRequest  *request,
                EmberFakeResponse *response,
                const char        *message_id,
                const char        *attachment_id)
{
  EmberFakeMessage *message = ember_fake_account_find_message (request->account, message_id);
  EmberFakeAttachment *attachment;
  g_autoptr(GBytes) data = NULL;
  g_autofree char *encoded = NULL;
  GString *body;
  EmberFakeJson json;

  if (message == NULL)
    {
      not_found (response);
      return;
    }
  attachment = ember_fake_message_find_attachment (message, attachment_id);
  if (attachment == NULL)
    {
      bad_request (response, "Invalid attachment token", NULL);
      return;
    }

  data = ember_fake_attachment_data (attachment);
  encoded = ember_fake_base64url_encode (g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  body = g_string_sized_new (strlen (encoded) + 128);
  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  ember_fake_json_member_int (&json, "size", g_bytes_get_size (data));
  ember_fake_json_member_string (&json, "data", encoded);
  ember_fake_json_end_object (&json);
  ok_json (response, body);
}

static gboolean
history_wanted (EmberFakeHistory *history,
                const char       *label_id,
                GPtrArray        *types)
{
  static const char *kind_names[] = { "messageAdded", "messageDeleted", "labelAdded", "labelRemoved" };

  if (label_id != NULL && !g_strv_contains ((const char * const *) history->message_labels, label_id) &&
      !(history->changed_labels != NULL && g_strv_contains ((const char * const *) history->changed_labels, label_id)))
    return FALSE;
  if (types->len > 0)
    {
      for (guint i = 0; i < types->len; i++)
        if (g_ascii_strcasecmp (g_ptr_array_index (types, i), kind_names[history->kind]) == 0)
          return TRUE;
      return FALSE;
    }
  return TRUE;
}

static void
write_history_message (EmberFakeJson    *json,
                       EmberFakeHistory *history,
                       gboolean          with_labels)
{
  ember_fake_json_begin_object (json);
  ember_fake_json_member_string (json, "id", history->message_id);
  ember_fake_json_member_string (json, "threadId", history->thread_id);
  if (with_labels)
    ember_fake_json_member_strv (json, "labelIds", (const char * const *) history->message_labels);
  ember_fake_json_end_object (json);
}

static void
list_history (EmberFakeRequest  *request,
              EmberFakeResponse *response)
{
  static const char *kind_keys[] = { "messagesAdded", "messagesDeleted", "labelsAdded", "labelsRemoved" };
  EmberFakeAccount *account = request->account;
  const char *start_text = ember_fake_request_param (request, "startHistoryId");
  const char *page_token = ember_fake_request_param (request, "pageToken");
  const char *label_id = ember_fake_request_param (request, "labelId");
  g_autoptr(GPtrArray) types = ember_fake_request_params (request, "historyTypes");
  guint64 start;
  guint64 after;
  guint max_results;
  guint emitted = 0;
  gboolean more = FALSE;
  guint64 last_id = 0;
  GString *body;
  EmberFakeJson json;

  if (start_text == NULL)
    {
      bad_request (response, "Missing required parameter: startHistoryId", "startHistoryId");
      return;
    }
  if (!g_ascii_string_to_unsigned (start_text, 10, 0, G_MAXUINT64, &start, NULL))
    {
      g_autofree char *message = g_strdup_printf ("Invalid value at 'start_history_id' (TYPE_UINT64), \"%s\"", start_text);

      bad_request (response, message, "startHistoryId");
      return;
    }
  if (!parse_max_results (request, response, 100, 500, &max_results))
    return;

  /* Too old (records expired) or not from this mailbox: 404, full sync. */
  if (start < account->history_min || start > account->history_id)
    {
      not_found (response);
      return;
    }

  after = start;
  if (page_token != NULL)
    {
      g_auto(GStrv) fields = ember_fake_cursor_decode (page_token, 2);

      if (fields == NULL || strcmp (fields[0], "history") != 0 ||
          !g_ascii_string_to_unsigned (fields[1], 10, 0, G_MAXUINT64, &after, NULL) || after < start)
        {
          bad_request (response, "Invalid pageToken", "pageToken");
          return;
        }
      if (after < account->history_min)
        {
          not_found (response);
          return;
        }
    }

  body = g_string_new (NULL);
  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);

  for (guint i = 0; i < account->history->len; i++)
    {
      EmberFakeHistory *history = g_ptr_array_index (account->history, i);

      if (history->id <= after || !history_wanted (history, label_id, types))
        continue;
      if (emitted == max_results)
        {
          more = TRUE;
          break;
        }
      if (emitted == 0)
        {
          ember_fake_json_key (&json, "history");
          ember_fake_json_begin_array (&json);
        }

      ember_fake_json_begin_object (&json);
      ember_fake_json_member_int_str (&json, "id", history->id);
      ember_fake_json_key (&json, "messages");
      ember_fake_json_begin_array (&json);
      write_history_message (&json, history, FALSE);
      ember_fake_json_end_array (&json);
      ember_fake_json_key (&json, kind_keys[history->kind]);
      ember_fake_json_begin_array (&json);
      ember_fake_json_begin_object (&json);
      ember_fake_json_key (&json, "message");
      write_history_message (&json, history, TRUE);
      if (history->changed_labels != NULL)
        ember_fake_json_member_strv (&json, "labelIds", (const char * const *) history->changed_labels);
      ember_fake_json_end_object (&json);
      ember_fake_json_end_array (&json);
      ember_fake_json_end_object (&json);

      emitted++;
      last_id = history->id;
    }

  if (emitted > 0)
    ember_fake_json_end_array (&json);
  if (more)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, last_id);
      g_autofree char *token = ember_fake_cursor_encode ("history", id, NULL);

      ember_fake_json_member_string (&json, "nextPageToken", token);
    }
  ember_fake_json_member_int_str (&json, "historyId", account->history_id);
  ember_fake_json_end_object (&json);
  ok_json (response, body);
}

void
ember_fake_gmail_handle (EmberFakeRequest  *request,
                         EmberFakeResponse *response)
{
  g_auto(GStrv) segments = ember_fake_request_segments (request, "/gmail/v1/users/");
  guint n = segments != NULL ? g_strv_length (segments) : 0;
  const char *method_name = NULL;

  if (n < 2)
    {
      ember_fake_google_error (response, 404, "NOT_FOUND", "global", "notFound",
                               "Requested entity was not found.", NULL, NULL);
      return;
    }

  if (n == 2 && strcmp (segments[1], "profile") == 0)
    method_name = "getProfile";
  else if (n == 2 && strcmp (segments[1], "labels") == 0)
    method_name = "labels.list";
  else if (n == 3 && strcmp (segments[1], "labels") == 0)
    method_name = "labels.get";
  else if (n == 2 && strcmp (segments[1], "messages") == 0)
    method_name = "messages.list";
  else if (n == 3 && strcmp (segments[1], "messages") == 0)
    method_name = "messages.get";
  else if (n == 5 && strcmp (segments[1], "messages") == 0 && strcmp (segments[3], "attachments") == 0)
    method_name = "messages.attachments.get";
  else if (n == 2 && strcmp (segments[1], "history") == 0)
    method_name = "history.list";

  if (method_name == NULL || strcmp (request->method, "GET") != 0)
    {
      g_autofree char *message = g_strdup_printf ("Method not found or not supported by the fake server: %s %s",
                                                  request->method, request->path);

      ember_fake_google_error (response, method_name == NULL ? 404 : 405, NULL, "global",
                               method_name == NULL ? "notFound" : "httpMethodNotAllowed", message, NULL, NULL);
      return;
    }

  if (!ember_fake_oauth_authenticate (request, response, EMBER_FAKE_PROVIDER_GOOGLE, EMBER_FAKE_SCOPE_GMAIL))
    return;

  if (strcmp (segments[0], "me") != 0 && g_ascii_strcasecmp (segments[0], request->account->email) != 0)
    {
      g_autofree char *message = g_strdup_printf ("Delegation denied for %s", request->account->email);

      ember_fake_google_error (response, 403, "PERMISSION_DENIED", "global", "forbidden", message, NULL, NULL);
      return;
    }

  if (!ember_fake_quota_charge_gmail (request, response, ember_fake_quota_gmail_cost (request->server, method_name)))
    return;

  if (strcmp (method_name, "getProfile") == 0)
    get_profile (request, response);
  else if (strcmp (method_name, "labels.list") == 0)
    list_labels (request, response);
  else if (strcmp (method_name, "labels.get") == 0)
    get_label (request, response, segments[2]);
  else if (strcmp (method_name, "messages.list") == 0)
    list_messages (request, response);
  else if (strcmp (method_name, "messages.get") == 0)
    get_message (request, response, segments[2]);
  else if (strcmp (method_name, "messages.attachments.get") == 0)
    get_attachment (request, response, segments[2], segments[4]);
  else
    list_history (request, response);
}

/* ------------------------------------------------------------------------ */
/* Batch.                                                                   */

static gboolean
parse_inner_request (GBytes      *part_body,
                     char       **out_method,
                     char       **out_target,
                     SoupMessageHeaders **out_headers,
                     GBytes     **out_body)
{
  gsize len;
  const char *data = g_bytes_get_data (part_body, &len);
  const char *end = data + len;
  const char *line_end;
  g_autofree char *request_line = NULL;
  g_auto(GStrv) words = NULL;
  SoupMessageHeaders *headers;
  const char *p;

  /* Some clients put a blank line before the request line. */
  while (data < end && (*data == '\r' || *data == '\n'))
    data++;
  line_end = memchr (data, '\n', end - data);
  if (line_end == NULL)
    line_end = end;
  request_line = g_strstrip (g_strndup (data, line_end - data));
  words = g_strsplit (request_line, " ", -1);
  if (g_strv_length (words) < 2 || g_strv_length (words) > 3)
    return FALSE;

  headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  p = line_end < end ? line_end + 1 : end;
  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      g_autofree char *line = NULL;
      char *colon;

      if (eol == NULL)
        eol = end;
      line = g_strndup (p, eol - p);
      g_strchomp (line);
      p = eol < end ? eol + 1 : end;
      if (*line == '\0')
        break;
      colon = strchr (line, ':');
      if (colon == NULL)
        continue;
      *colon = '\0';
      soup_message_headers_append (headers, g_strstrip (line), g_strstrip (colon + 1));
    }

  *out_method = g_strdup (words[0]);
  *out_target = g_strdup (words[1]);
  *out_headers = headers;
  *out_body = g_bytes_new (p, end - p);
  return TRUE;
}

static void
append_inner_response (GString           *out,
                       const char        *boundary,
                       const char        *content_id,
                       EmberFakeResponse *inner)
{
  g_string_append_printf (out, "--%s\r\nContent-Type: application/http\r\n", boundary);
  if (content_id != NULL)
    {
      const char *id = content_id;
      gsize len = strlen (id);

      if (len >= 2 && id[0] == '<' && id[len - 1] == '>')
        g_string_append_printf (out, "Content-ID: <response-%.*s>\r\n", (int) (len - 2), id + 1);
      else
        g_string_append_printf (out, "Content-ID: response-%s\r\n", id);
    }
  g_string_append_printf (out, "\r\nHTTP/1.1 %u %s\r\n", inner->status, soup_status_get_phrase (inner->status));
  if (inner->content_type != NULL)
    g_string_append_printf (out, "Content-Type: %s\r\n", inner->content_type);
  for (guint i = 0; i < inner->headers->len; i += 2)
    g_string_append_printf (out, "%s: %s\r\n",
                            (const char *) g_ptr_array_index (inner->headers, i),
                            (const char *) g_ptr_array_index (inner->headers, i + 1));
  g_string_append_printf (out, "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n", inner->body->len);
  g_string_append_len (out, inner->body->str, inner->body->len);
  g_string_append (out, "\r\n");
}

void
ember_fake_gmail_handle_batch (EmberFakeRequest  *request,
                               EmberFakeResponse *response)
{
  EmberFakeServer *server = request->server;
  g_autoptr(SoupMultipart) multipart = NULL;
  g_autofree char *boundary = NULL;
  g_autofree char *boundary_token = NULL;
  GString *out;
  guint n_parts;
  guint total_cost = 0;
  g_autofree char *content_type_header = NULL;

  if (strcmp (request->method, "POST") != 0)
    {
      ember_fake_google_error (response, 405, NULL, "global", "httpMethodNotAllowed",
                               "The batch endpoint only accepts POST.", NULL, NULL);
      return;
    }

  multipart = soup_multipart_new_from_message (request->headers, request->body);
  if (multipart == NULL)
    {
      bad_request (response, "Batch requests must be multipart/mixed with a boundary.", NULL);
      return;
    }
  n_parts = soup_multipart_get_length (multipart);
  if (n_parts == 0)
    {
      bad_request (response, "The batch request contains no requests.", NULL);
      return;
    }
  if (n_parts > MAX_BATCH_CALLS)
    {
      g_autofree char *message = g_strdup_printf ("Too many requests in batch: %u, the maximum is %u.",
                                                  n_parts, MAX_BATCH_CALLS);

      bad_request (response, message, NULL);
      return;
    }

  boundary_token = ember_fake_random_token (&server->rng, 20);
  g_strdelimit (boundary_token, "-", 'x');
  boundary = g_strdup_printf ("batch_%s", boundary_token);
  out = g_string_sized_new (n_parts * 4096);

  for (guint i = 0; i < n_parts; i++)
    {
      SoupMessageHeaders *part_headers = NULL;
      GBytes *part_body = NULL;
      g_autofree char *method = NULL;
      g_autofree char *target = NULL;
      g_autoptr(SoupMessageHeaders) inner_headers = NULL;
      g_autoptr(GBytes) inner_body = NULL;
      g_autoptr(EmberFakeResponse) inner_response = ember_fake_response_new ();
      const char *content_id;
      const char *part_type;

      soup_multipart_get_part (multipart, i, &part_headers, &part_body);
      content_id = soup_message_headers_get_one (part_headers, "Content-ID");
      part_type = soup_message_headers_get_content_type (part_headers, NULL);

      if (g_strcmp0 (part_type, "application/http") != 0 ||
          !parse_inner_request (part_body, &method, &target, &inner_headers, &inner_body))
        {
          bad_request (inner_response, "Each part must be Content-Type: application/http holding one request.", NULL);
          append_inner_response (out, boundary, content_id, inner_response);
          continue;
        }

      if (target[0] != '/' || !g_str_has_prefix (target, "/gmail/v1/"))
        {
          bad_request (inner_response, target[0] != '/'
                                       ? "Requests in a batch must carry only the path, not a full URL."
                                       : "All requests in a batch must be for the same API (gmail/v1).", NULL);
          append_inner_response (out, boundary, content_id, inner_response);
          continue;
        }

      {
        g_autofree char *path = NULL;
        const char *question = strchr (target, '?');
        g_autoptr(EmberFakeRequest) inner = NULL;
        SoupMessageHeadersIter iter;
        const char *name;
        const char *value;
        const EmberFakeFaultRule *rule = NULL;

        /* Outer headers apply unless the part overrides them; the outer
         * Content-* headers never do. */
        soup_message_headers_iter_init (&iter, request->headers);
        while (soup_message_headers_iter_next (&iter, &name, &value))
          if (g_ascii_strncasecmp (name, "Content-", 8) != 0 &&
              soup_message_headers_get_one (inner_headers, name) == NULL)
            soup_message_headers_append (inner_headers, name, value);

        path = question != NULL ? g_strndup (target, question - target) : g_strdup (target);
        inner = ember_fake_request_new (server, method, path, question != NULL ? question + 1 : NULL,
                                        inner_headers, inner_body);
        inner->in_batch = TRUE;
        inner->seq = ++server->log_seq;
        inner->batch_seq = request->seq;

        if (server->faults != NULL)
          rule = ember_fake_faults_draw (server->faults, path, TRUE);
        if (rule != NULL)
          ember_fake_fault_reply (inner, inner_response, rule, FALSE);
        else
          ember_fake_server_dispatch (server, inner, inner_response);

        total_cost += inner_response->cost;
        ember_fake_server_log (server, inner, inner_response);
        if (request->account == NULL && inner->account != NULL)
          request->account = inner->account;
        append_inner_response (out, boundary, content_id, inner_response);
      }
    }

  g_string_append_printf (out, "--%s--\r\n", boundary);
  response->status = 200;
  response->cost = total_cost;
  g_string_free (response->body, TRUE);
  response->body = out;
  content_type_header = g_strdup_printf ("multipart/mixed; boundary=%s", boundary);
  response->content_type = g_steal_pointer (&content_type_header);
  ember_fake_response_add_header (response, "Vary", "Origin, X-Origin, Referer");
}
