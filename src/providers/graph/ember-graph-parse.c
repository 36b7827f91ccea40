/* ember-graph-parse.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-providers"

#include "config.h"

#include <string.h>

#include "ember-error.h"
#include "ember-graph-parse.h"
#include "ember-graph-time-zone.h"
#include "ember-html-text.h"

/* Members that may be absent, null or of another type than expected all
 * read as "not there": Graph leaves out properties freely. */
static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, name);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, name);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, name);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

static gboolean
get_boolean (JsonObject *object,
             const char *name,
             gboolean    default_value)
{
  JsonNode *node;

  if (object == NULL)
    return default_value;
  node = json_object_get_member (object, name);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return default_value;
  return json_node_get_boolean (node);
}

static char *
dup_nonempty (const char *text)
{
  return (text != NULL && *text != '\0') ? g_strdup (text) : NULL;
}

/* Pages */

void
ember_graph_page_free (EmberGraphPage *page)
{
  if (page == NULL)
    return;
  g_clear_pointer (&page->items, g_ptr_array_unref);
  g_clear_pointer (&page->removed_ids, g_ptr_array_unref);
  g_free (page->next_link);
  g_free (page->delta_link);
  g_free (page);
}

EmberGraphPage *
ember_graph_page_parse (JsonNode *root,
                        GError  **error)
{
  g_autoptr(EmberGraphPage) page = NULL;
  JsonObject *object;
  JsonArray *value;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                           "Microsoft Graph sent a page that is not a JSON object");
      return NULL;
    }
  object = json_node_get_object (root);
  value = get_array (object, "value");
  if (value == NULL)
    {
      g_set_error_literal (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                           "Microsoft Graph sent a page without a “value” list");
      return NULL;
    }

  page = g_new0 (EmberGraphPage, 1);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  page->removed_ids = g_ptr_array_new_with_free_func (g_free);
  page->next_link = dup_nonempty (get_string (object, "@odata.nextLink"));
  page->delta_link = dup_nonempty (get_string (object, "@odata.deltaLink"));

  for (guint i = 0; i < json_array_get_length (value); i++)
    {
      JsonNode *element = json_array_get_element (value, i);
      JsonObject *item;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                       "Microsoft Graph sent a page whose entry %u is not an object", i);
          return NULL;
        }
      item = json_node_get_object (element);
      id = get_string (item, "id");
      if (id == NULL || *id == '\0')
        {
          g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                       "Microsoft Graph sent a page whose entry %u has no id", i);
          return NULL;
        }

      if (json_object_has_member (item, "@removed"))
        g_ptr_array_add (page->removed_ids, g_strdup (id));
      else
        g_ptr_array_add (page->items, json_object_ref (item));
    }

  return g_steal_pointer (&page);
}

EmberGraphPage *
ember_graph_page_parse_bytes (GBytes  *body,
                              GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  gsize size = 0;
  const char *data = NULL;

  if (body != NULL)
    data = g_bytes_get_data (body, &size);
  if (data == NULL || size == 0)
    {
      g_set_error_literal (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                           "Microsoft Graph sent an empty page");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, size, &local_error))
    {
      g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                   "Microsoft Graph sent a page that is not valid JSON: %s",
                   local_error->message);
      return NULL;
    }

  return ember_graph_page_parse (json_parser_get_root (parser), error);
}

/* Errors */

static gboolean
is_resync_code (const char *code)
{
  static const char * const codes[] = {
    "syncStateNotFound", "resyncRequired", "syncStateInvalid",
  };

  if (code == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      if (g_ascii_strcasecmp (code, codes[i]) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
ember_graph_error_is_resync (guint       status,
                             const char *error_code,
                             GBytes     *body)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonObject *error_object;
  const char *data;
  gsize size = 0;

  if (status == 410 || is_resync_code (error_code))
    return TRUE;
  if (body == NULL)
    return FALSE;

  data = g_bytes_get_data (body, &size);
  if (data == NULL || size == 0)
    return FALSE;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, size, NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;

  /* Branch on codes, never messages; nested innerErrors carry the more
   * specific ones. */
  error_object = get_object (json_node_get_object (root), "error");
  for (guint depth = 0; error_object != NULL && depth < 8; depth++)
    {
      JsonObject *inner;

      if (is_resync_code (get_string (error_object, "code")))
        return TRUE;
      inner = get_object (error_object, "innerError");
      if (inner == NULL)
        inner = get_object (error_object, "innererror");
      error_object = inner;
    }

  return FALSE;
}

/* Folders */

EmberFolderKind
ember_graph_folder_kind_for_well_known (const char *well_known_name)
{
  static const struct
  {
    const char      *name;
    EmberFolderKind  kind;
  } kinds[] = {
    { "inbox", EMBER_FOLDER_KIND_INBOX },
    { "sentitems", EMBER_FOLDER_KIND_SENT },
    { "archive", EMBER_FOLDER_KIND_ARCHIVE },
    { "deleteditems", EMBER_FOLDER_KIND_TRASH },
    { "drafts", EMBER_FOLDER_KIND_DRAFTS },
    { "junkemail", EMBER_FOLDER_KIND_JUNK },
  };

  if (well_known_name == NULL)
    return EMBER_FOLDER_KIND_OTHER;
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      if (g_ascii_strcasecmp (kinds[i].name, well_known_name) == 0)
        return kinds[i].kind;
    }
  return EMBER_FOLDER_KIND_OTHER;
}

EmberFolderRecord *
ember_graph_parse_mail_folder (JsonObject *object,
                               GError    **error)
{
  g_autoptr(EmberFolderRecord) folder = ember_folder_record_new ();
  const char *id = get_string (object, "id");
  const char *name = get_string (object, "displayName");

  if (id == NULL || *id == '\0')
    {
      g_set_error_literal (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                           "Microsoft Graph sent a mail folder without an id");
      return NULL;
    }

  folder->provider_id = g_strdup (id);
  /* A folder must have a name to be listed; fall back to its id. */
  folder->name = g_strdup (name != NULL && *name != '\0' ? name : id);
  folder->parent_provider_id = dup_nonempty (get_string (object, "parentFolderId"));
  folder->kind = ember_graph_folder_kind_for_well_known (get_string (object, "wellKnownName"));

  return g_steal_pointer (&folder);
}

/* Messages */

static void
append_recipient (GString    *out,
                  JsonObject *recipient)
{
  JsonObject *address = get_object (recipient, "emailAddress");
  const char *name = get_string (address, "name");
  const char *email = get_string (address, "address");

  if (email == NULL && name == NULL)
    return;
  if (out->len > 0)
    g_string_append (out, ", ");
  if (name != NULL && *name != '\0' && g_strcmp0 (name, email) != 0)
    {
      if (email != NULL && *email != '\0')
        g_string_append_printf (out, "%s <%s>", name, email);
      else
        g_string_append (out, name);
    }
  else if (email != NULL)
    {
      g_string_append (out, email);
    }
}

static char *
format_recipients (JsonArray *recipients)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (recipients == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (recipients); i++)
    {
      JsonNode *element = json_array_get_element (recipients, i);

      if (JSON_NODE_HOLDS_OBJECT (element))
        append_recipient (out, json_node_get_object (element));
    }
  if (out->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
replace_string (char       **field,
                char        *value)
{
  g_free (*field);
  *field = value;
}

gboolean
ember_graph_message_is_complete (JsonObject *object)
{
  return json_object_has_member (object, "receivedDateTime") &&
         json_object_has_member (object, "subject") &&
         json_object_has_member (object, "isRead");
}

gboolean
ember_graph_apply_message (EmberMessageRecord *record,
                           JsonObject         *object,
                           const char         *folder_provider_id,
                           GError            **error)
{
  const char *id = get_string (object, "id");
  JsonObject *body;

  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (folder_provider_id != NULL, FALSE);

  if (id == NULL || *id == '\0')
    {
      g_set_error_literal (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                           "Microsoft Graph sent a message without an id");
      return FALSE;
    }

  replace_string (&record->provider_id, g_strdup (id));

  if (json_object_has_member (object, "receivedDateTime") ||
      json_object_has_member (object, "sentDateTime"))
    {
      const char *when = get_string (object, "receivedDateTime");
      gint64 date = 0;

      if (when == NULL)
        when = get_string (object, "sentDateTime");
      /* Drafts may have neither; they sort as oldest rather than fail. */
      if (when != NULL && !ember_graph_parse_instant (when, &date, error))
        {
          g_prefix_error (error, "Message %s: ", id);
          return FALSE;
        }
      record->date = date;
    }

  if (json_object_has_member (object, "conversationId"))
    replace_string (&record->thread_id, dup_nonempty (get_string (object, "conversationId")));
  if (json_object_has_member (object, "internetMessageId"))
    replace_string (&record->internet_message_id,
                    dup_nonempty (get_string (object, "internetMessageId")));
  if (json_object_has_member (object, "subject"))
    replace_string (&record->subject, g_strdup (get_string (object, "subject")));
  if (json_object_has_member (object, "from") || json_object_has_member (object, "sender"))
    {
      JsonObject *from = get_object (object, "from");
      JsonObject *address;

      if (from == NULL)
        from = get_object (object, "sender");
      address = get_object (from, "emailAddress");
      replace_string (&record->from_name, dup_nonempty (get_string (address, "name")));
      replace_string (&record->from_address, dup_nonempty (get_string (address, "address")));
    }
  if (json_object_has_member (object, "toRecipients"))
    replace_string (&record->to, format_recipients (get_array (object, "toRecipients")));
  if (json_object_has_member (object, "ccRecipients"))
    replace_string (&record->cc, format_recipients (get_array (object, "ccRecipients")));
  if (json_object_has_member (object, "bodyPreview"))
    replace_string (&record->snippet, g_strdup (get_string (object, "bodyPreview")));
  if (json_object_has_member (object, "isRead"))
    record->unread = !get_boolean (object, "isRead", TRUE);
  if (json_object_has_member (object, "flag"))
    record->starred = g_strcmp0 (get_string (get_object (object, "flag"), "flagStatus"),
                                 "flagged") == 0;
  if (json_object_has_member (object, "hasAttachments"))
    record->has_attachments = get_boolean (object, "hasAttachments", FALSE);

  body = get_object (object, "body");
  if (body != NULL)
    {
      const char *content = get_string (body, "content");
      const char *content_type = get_string (body, "contentType");

      if (content == NULL)
        content = "";
      if (g_strcmp0 (content_type, "html") == 0)
        {
          replace_string (&record->body_html, g_strdup (content));
          replace_string (&record->body_text, ember_html_to_text (content));
        }
      else
        {
          /* An empty html field means "no HTML part"; NULL would mean "keep
           * what is stored", which could be a stale HTML body. */
          replace_string (&record->body_html, g_strdup (""));
          replace_string (&record->body_text, g_strdup (content));
        }
    }

  /* A Graph message lives in exactly one folder: the one whose delta
   * reported it. */
  g_clear_pointer (&record->folder_ids, g_ptr_array_unref);
  ember_message_record_add_folder_id (record, folder_provider_id);

  return TRUE;
}

EmberMessageRecord *
ember_graph_parse_message (JsonObject *object,
                           const char *folder_provider_id,
                           GError    **error)
{
  g_autoptr(EmberMessageRecord) record = ember_message_record_new ();

  if (!ember_graph_apply_message (record, object, folder_provider_id, error))
    return NULL;
  return g_steal_pointer (&record);
}

/* Events */

static gboolean
parse_event_time (JsonObject  *event,
                  const char  *member,
                  const char  *event_id,
                  gint64      *out_utc,
                  GError     **error)
{
  JsonObject *value = get_object (event, member);

  if (value == NULL)
    {
      g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                   "Event %s has no %s time", event_id, member);
      return FALSE;
    }
  if (!ember_graph_parse_date_time_zone (get_string (value, "dateTime"),
                                         get_string (value, "timeZone"),
                                         out_utc, error))
    {
      g_prefix_error (error, "Event %s, %s: ", event_id, member);
      return FALSE;
    }
  return TRUE;
}

static char *
event_date (JsonObject  *event,
            const char  *member,
            const char  *event_id,
            GError     **error)
{
  const char *date_time = get_string (get_object (event, member), "dateTime");
  char *date = ember_graph_date_part (date_time);

  if (date == NULL)
    g_set_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                 "All-day event %s has no valid %s date", event_id, member);
  return date;
}

static char *
format_attendees (JsonArray *attendees)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (attendees == NULL || json_array_get_length (attendees) == 0)
    return NULL;

  builder = json_builder_new_immutable ();
  json_builder_begin_array (builder);
  for (guint i = 0; i < json_array_get_length (attendees); i++)
    {
      JsonNode *element = json_array_get_element (attendees, i);
      JsonObject *attendee;
      JsonObject *address;
      const char *response;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      attendee = json_node_get_object (element);
      address = get_object (attendee, "emailAddress");
      response = get_string (get_object (attendee, "status"), "response");

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, get_string (address, "name"));
      json_builder_set_member_name (builder, "email");
      json_builder_add_string_value (builder, get_string (address, "address"));
      json_builder_set_member_name (builder, "response");
      json_builder_add_string_value (builder, response != NULL ? response : "none");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

gboolean
ember_graph_event_is_series_master (JsonObject *object)
{
  return g_strcmp0 (get_string (object, "type"), "seriesMaster") == 0;
}

EmberEventRecord *
ember_graph_parse_event (JsonObject *object,
                         GError    **error)
{
  g_autoptr(EmberEventRecord) event = ember_event_record_new ();
  const char *id = get_string (object, "id");
  const char *zone;
  const char *type;
  const char *updated;
  JsonObject *body;

  if (id == NULL || *id == '\0')
    {
      g_set_error_literal (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA,
                           "Microsoft Graph sent an event without an id");
      return NULL;
    }

  event->provider_id = g_strdup (id);
  event->summary = g_strdup (get_string (object, "subject"));
  event->location = dup_nonempty (get_string (get_object (object, "location"), "displayName"));

  body = get_object (object, "body");
  if (body != NULL && g_strcmp0 (get_string (body, "contentType"), "html") == 0)
    event->description = ember_html_to_text (get_string (body, "content"));
  else if (body != NULL)
    event->description = dup_nonempty (get_string (body, "content"));
  if (event->description != NULL && *event->description == '\0')
    g_clear_pointer (&event->description, g_free);

  /* Outlook names UTC "tzone://Microsoft/Utc" and zones it cannot name
   * "tzone://Microsoft/Custom"; the latter says nothing useful. */
  zone = get_string (object, "originalStartTimeZone");
  if (zone != NULL && g_ascii_strcasecmp (zone, "tzone://Microsoft/Utc") == 0)
    zone = "UTC";
  else if (zone == NULL || *zone == '\0' || g_str_has_prefix (zone, "tzone://"))
    zone = get_string (get_object (object, "start"), "timeZone");
  event->time_zone = dup_nonempty (zone);

  event->all_day = get_boolean (object, "isAllDay", FALSE);
  if (event->all_day)
    {
      /* Floating dates: Graph sends midnight in whatever zone it was asked
       * for, and converting that would move the day. */
      event->start_date = event_date (object, "start", id, error);
      if (event->start_date == NULL)
        return NULL;
      event->end_date = event_date (object, "end", id, error);
      if (event->end_date == NULL)
        return NULL;
    }
  else
    {
      if (!parse_event_time (object, "start", id, &event->start, error) ||
          !parse_event_time (object, "end", id, &event->end, error))
        return NULL;
    }

  if (get_boolean (object, "isCancelled", FALSE))
    event->status = g_strdup ("cancelled");
  else if (g_strcmp0 (get_string (object, "showAs"), "tentative") == 0)
    event->status = g_strdup ("tentative");
  else
    event->status = g_strdup ("confirmed");

  type = get_string (object, "type");
  if (g_strcmp0 (type, "occurrence") == 0 || g_strcmp0 (type, "exception") == 0)
    {
      const char *original_start = get_string (object, "originalStart");

      event->recurring_event_id = dup_nonempty (get_string (object, "seriesMasterId"));
      if (original_start != NULL)
        {
          if (!ember_graph_parse_instant (original_start, &event->original_start, error))
            {
              g_prefix_error (error, "Event %s, originalStart: ", id);
              return NULL;
            }
        }
      else if (!event->all_day)
        {
          event->original_start = event->start;
        }
    }

  event->organizer = dup_nonempty (get_string (get_object (get_object (object, "organizer"),
                                                           "emailAddress"),
                                               "address"));
  event->attendees_json = format_attendees (get_array (object, "attendees"));

  /* Outlook keeps reminderMinutesBeforeStart (15 by default) even with
   * the reminder off. */
  if (get_boolean (object, "isReminderOn", FALSE))
    {
      JsonNode *minutes = json_object_get_member (object, "reminderMinutesBeforeStart");

      if (minutes != NULL && JSON_NODE_HOLDS_VALUE (minutes) && json_node_get_int (minutes) >= 0)
        {
          event->has_reminder = TRUE;
          event->reminder_minutes = (guint) MIN (json_node_get_int (minutes), G_MAXINT);
        }
    }

  updated = get_string (object, "lastModifiedDateTime");
  if (updated != NULL && !ember_graph_parse_instant (updated, &event->updated, error))
    {
      g_prefix_error (error, "Event %s, lastModifiedDateTime: ", id);
      return NULL;
    }

  return g_steal_pointer (&event);
}
