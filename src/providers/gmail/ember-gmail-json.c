/* ember-gmail-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-providers"

#include "config.h"

#include <string.h>

#include "ember-error.h"
#include "ember-gmail-json.h"
#include "ember-gmail-mime.h"
#include "ember-html-text.h"

const char *
ember_gmail_json_get_string (JsonObject *object,
                             const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return NULL;
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

guint64
ember_gmail_json_get_uint64 (JsonObject *object,
                             const char *member)
{
  JsonNode *node;
  GType type;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node))
    return 0;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (json_node_get_string (node), 10, 0, G_MAXUINT64, &value, NULL))
        return 0;
      return value;
    }
  if (type == G_TYPE_INT64)
    return MAX (json_node_get_int (node), 0);
  if (type == G_TYPE_DOUBLE)
    return MAX (json_node_get_double (node), 0.0);

  return 0;
}

gboolean
ember_gmail_label_is_flag (const char *label_id)
{
  return g_strcmp0 (label_id, EMBER_GMAIL_LABEL_UNREAD) == 0 ||
         g_strcmp0 (label_id, EMBER_GMAIL_LABEL_STARRED) == 0;
}

typedef struct
{
  const char      *id;
  const char      *name;
  EmberFolderKind  kind;
} SystemLabel;

static const SystemLabel system_labels[] = {
  { "INBOX", "Inbox", EMBER_FOLDER_KIND_INBOX },
  { "SENT", "Sent", EMBER_FOLDER_KIND_SENT },
  { "TRASH", "Trash", EMBER_FOLDER_KIND_TRASH },
  { "DRAFT", "Drafts", EMBER_FOLDER_KIND_DRAFTS },
  { "SPAM", "Spam", EMBER_FOLDER_KIND_JUNK },
  { "IMPORTANT", "Important", EMBER_FOLDER_KIND_OTHER },
  { "CHAT", "Chats", EMBER_FOLDER_KIND_OTHER },
  { "CATEGORY_PERSONAL", "Personal", EMBER_FOLDER_KIND_OTHER },
  { "CATEGORY_SOCIAL", "Social", EMBER_FOLDER_KIND_OTHER },
  { "CATEGORY_PROMOTIONS", "Promotions", EMBER_FOLDER_KIND_OTHER },
  { "CATEGORY_UPDATES", "Updates", EMBER_FOLDER_KIND_OTHER },
  { "CATEGORY_FORUMS", "Forums", EMBER_FOLDER_KIND_OTHER },
};

EmberFolderRecord *
ember_gmail_folder_from_label (JsonObject *label)
{
  g_autoptr(EmberFolderRecord) folder = NULL;
  const char *id;
  const char *name;
  const char *type;

  g_return_val_if_fail (label != NULL, NULL);

  id = ember_gmail_json_get_string (label, "id");
  if (id == NULL || *id == '\0' || ember_gmail_label_is_flag (id))
    return NULL;
  name = ember_gmail_json_get_string (label, "name");
  type = ember_gmail_json_get_string (label, "type");

  folder = ember_folder_record_new ();
  folder->provider_id = g_strdup (id);

  for (gsize i = 0; i < G_N_ELEMENTS (system_labels); i++)
    {
      if (strcmp (system_labels[i].id, id) == 0)
        {
          folder->name = g_strdup (system_labels[i].name);
          folder->kind = system_labels[i].kind;
          return g_steal_pointer (&folder);
        }
    }

  /* Other system labels keep Gmail's name; user labels (type "user", or
   * no type at all) are labels. Gmail nests labels by "/" in the name. */
  folder->name = g_strdup (name != NULL && *name != '\0' ? name : id);
  folder->kind = g_strcmp0 (type, "system") == 0 ? EMBER_FOLDER_KIND_OTHER : EMBER_FOLDER_KIND_LABEL;

  return g_steal_pointer (&folder);
}

EmberMessageRecord *
ember_gmail_message_metadata_from_json (JsonObject *message)
{
  EmberMessageRecord *record;
  JsonArray *label_ids = NULL;
  const char *id;

  g_return_val_if_fail (message != NULL, NULL);

  id = ember_gmail_json_get_string (message, "id");
  if (id == NULL || *id == '\0')
    return NULL;

  record = ember_message_record_new ();
  record->provider_id = g_strdup (id);
  record->thread_id = g_strdup (ember_gmail_json_get_string (message, "threadId"));
  record->date = (gint64) (ember_gmail_json_get_uint64 (message, "internalDate") / 1000);
  record->size = (gint64) ember_gmail_json_get_uint64 (message, "sizeEstimate");
  record->snippet = ember_html_unescape (ember_gmail_json_get_string (message, "snippet"));

  /* An empty folder list is meaningful (an archived message), so the
   * array always exists. */
  record->folder_ids = g_ptr_array_new_with_free_func (g_free);
  if (json_object_has_member (message, "labelIds") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (message, "labelIds")))
    label_ids = json_object_get_array_member (message, "labelIds");
  for (guint i = 0; label_ids != NULL && i < json_array_get_length (label_ids); i++)
    {
      const char *label = json_array_get_string_element (label_ids, i);

      if (label == NULL || *label == '\0')
        continue;
      if (strcmp (label, EMBER_GMAIL_LABEL_UNREAD) == 0)
        record->unread = TRUE;
      else if (strcmp (label, EMBER_GMAIL_LABEL_STARRED) == 0)
        record->starred = TRUE;
      else
        ember_message_record_add_folder_id (record, label);
    }

  return record;
}

EmberMessageRecord *
ember_gmail_message_from_json (JsonObject  *message,
                               GError     **error)
{
  g_autoptr(EmberMessageRecord) record = NULL;
  g_autofree guint8 *raw = NULL;
  const char *raw_text;
  gsize raw_len = 0;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  record = ember_gmail_message_metadata_from_json (message);
  if (record == NULL)
    {
      g_set_error_literal (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                           "Gmail sent a message without an id");
      return NULL;
    }

  raw_text = ember_gmail_json_get_string (message, "raw");
  if (raw_text == NULL)
    {
      g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                   "Gmail sent message %s without its raw content", record->provider_id);
      return NULL;
    }
  raw = ember_base64url_decode (raw_text, &raw_len);
  if (raw == NULL)
    {
      g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                   "The raw content of Gmail message %s is not valid base64url", record->provider_id);
      return NULL;
    }
  if (!ember_gmail_mime_fill_record (record, raw, raw_len, error))
    return NULL;

  if (record->size == 0)
    record->size = (gint64) raw_len;
  if (record->snippet == NULL && record->body_text != NULL)
    {
      /* Gmail always sends a snippet; this keeps previews for the rest. */
      g_autofree char *collapsed = g_strdup (record->body_text);

      g_strdelimit (collapsed, "\r\n\t", ' ');
      record->snippet = g_utf8_substring (collapsed, 0, MIN (g_utf8_strlen (collapsed, -1), 200));
    }

  return g_steal_pointer (&record);
}
