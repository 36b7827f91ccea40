/* ember-fake-graph.c: Microsoft Graph v1.0 (mail folders, message delta,
 * calendarView delta) and JSON batching
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-fake"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ember-fake-mime.h"
#include "ember-fake-private.h"

#define MAX_BATCH_REQUESTS 20
#define GRAPH_JSON "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

static const char *message_properties[] = {
  "id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "receivedDateTime",
  "sentDateTime", "hasAttachments", "internetMessageId", "subject", "bodyPreview", "importance",
  "parentFolderId", "conversationId", "conversationIndex", "isDeliveryReceiptRequested",
  "isReadReceiptRequested", "isRead", "isDraft", "webLink", "inferenceClassification", "body",
  "sender", "from", "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "flag",
  "uniqueBody",
};

typedef struct
{
  guint        max_page_size;     /* 0: not asked */
  char        *time_zone;         /* as asked, nullable */
  const char  *iana;              /* resolved, nullable */
  gboolean     text_body;
} Preferences;

static void
preferences_clear (Preferences *prefs)
{
  g_free (prefs->time_zone);
}

static void
parse_preferences (EmberFakeRequest *request,
                   Preferences      *prefs)
{
  SoupMessageHeadersIter iter;
  const char *name;
  const char *value;

  memset (prefs, 0, sizeof *prefs);
  soup_message_headers_iter_init (&iter, request->headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      g_auto(GStrv) items = NULL;

      if (g_ascii_strcasecmp (name, "Prefer") != 0)
        continue;
      items = g_strsplit (value, ",", -1);
      for (guint i = 0; items[i] != NULL; i++)
        {
          char *item = g_strstrip (items[i]);
          char *eq = strchr (item, '=');
          g_autofree char *pref_value = NULL;

          if (eq == NULL)
            continue;
          *eq = '\0';
          pref_value = g_strdup (g_strstrip (eq + 1));
          if (pref_value[0] == '"')
            {
              gsize len = strlen (pref_value);

              memmove (pref_value, pref_value + 1, len);
              if (len >= 2 && pref_value[len - 2] == '"')
                pref_value[len - 2] = '\0';
            }
          g_strstrip (item);

          if (g_ascii_strcasecmp (item, "odata.maxpagesize") == 0)
            {
              guint64 size;

              if (g_ascii_string_to_unsigned (pref_value, 10, 1, 1000, &size, NULL))
                prefs->max_page_size = (guint) size;
            }
          else if (g_ascii_strcasecmp (item, "outlook.timezone") == 0)
            {
              /* Windows names, and IANA names Exchange knows; anything
               * else is ignored (UTC), as without the header. */
              const char *iana = ember_fake_iana_zone_for_windows (pref_value);

              if (iana == NULL && strchr (pref_value, '/') != NULL && ember_fake_time_zone (pref_value) != NULL)
                iana = g_intern_string (pref_value);
              if (iana != NULL)
                {
                  g_free (prefs->time_zone);
                  prefs->time_zone = g_strdup (pref_value);
                  prefs->iana = iana;
                }
            }
          else if (g_ascii_strcasecmp (item, "outlook.body-content-type") == 0)
            prefs->text_body = g_ascii_strcasecmp (pref_value, "text") == 0;
        }
    }
}

static void
ok_json (EmberFakeRequest  *request,
         EmberFakeResponse *response,
         GString           *body)
{
  const char *client_request_id = ember_fake_request_header (request, "client-request-id");
  g_autofree char *request_id = g_strdup_printf ("%08x-1111-4000-8000-%012" G_GINT64_MODIFIER "x",
                                                 (guint) request->seq, request->seq * 104729);

  ember_fake_response_set_json (response, 200, body);
  g_free (response->content_type);
  response->content_type = g_strdup (GRAPH_JSON);
  ember_fake_response_add_header (response, "request-id", request_id);
  ember_fake_response_add_header (response, "client-request-id",
                                  client_request_id != NULL ? client_request_id : request_id);
  ember_fake_response_add_header (response, "OData-Version", "4.0");
}

static void
prefer_applied (EmberFakeResponse *response,
                const Preferences *prefs,
                gboolean           page_size,
                gboolean           time_zone)
{
  if (page_size && prefs->max_page_size > 0)
    {
      g_autofree char *value = g_strdup_printf ("odata.maxpagesize=%u", prefs->max_page_size);

      ember_fake_response_add_header (response, "Preference-Applied", value);
    }
  if (time_zone && prefs->time_zone != NULL)
    {
      g_autofree char *value = g_strdup_printf ("outlook.timezone=\"%s\"", prefs->time_zone);

      ember_fake_response_add_header (response, "Preference-Applied", value);
    }
}

static void
invalid_request (EmberFakeRequest  *request,
                 EmberFakeResponse *response,
                 const char        *message)
{
  ember_fake_graph_error (request, response, 400, "BadRequest", message);
}

static void
item_not_found (EmberFakeRequest  *request,
                EmberFakeResponse *response)
{
  ember_fake_graph_error (request, response, 404, "ErrorItemNotFound",
                          "The specified object was not found in the store.");
}

static void
sync_state_gone (EmberFakeRequest  *request,
                 EmberFakeResponse *response,
                 guint              generation,
                 guint              highest)
{
  g_autofree char *message = g_strdup_printf ("The sync state generation is not found; generation=%u;[highest=%u]",
                                              generation, highest);

  ember_fake_graph_error (request, response, 410, "SyncStateNotFound", message);
}

static char *
graph_time (gint64 unix_usec)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (unix_usec / G_USEC_PER_SEC);

  return g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ");
}

static char *
change_key (guint64 key,
            guint   change_count)
{
  return g_strdup_printf ("CQAAABYAAABk%08" G_GINT64_MODIFIER "xL%04x", key, change_count);
}

static void
write_recipient (EmberFakeJson          *json,
                 const EmberFakeAddress *address)
{
  ember_fake_json_begin_object (json);
  ember_fake_json_key (json, "emailAddress");
  ember_fake_json_begin_object (json);
  ember_fake_json_member_string (json, "name", address->name != NULL ? address->name : address->address);
  ember_fake_json_member_string (json, "address", address->address);
  ember_fake_json_end_object (json);
  ember_fake_json_end_object (json);
}

static void
write_recipients (EmberFakeJson *json,
                  const char    *key,
                  GPtrArray     *addresses)
{
  ember_fake_json_key (json, key);
  ember_fake_json_begin_array (json);
  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    write_recipient (json, g_ptr_array_index (addresses, i));
  ember_fake_json_end_array (json);
}

static gboolean
selected (GStrv       select,
          const char *property)
{
  if (select == NULL)
    return strcmp (property, "uniqueBody") != 0;
  return g_strv_contains ((const char * const *) select, property);
}

static void
write_message (EmberFakeJson     *json,
               EmberFakeMessage  *message,
               GStrv              select,
               const Preferences *prefs)
{
  g_autofree char *key = change_key (message->key, message->change_count);
  g_autofree char *etag = g_strdup_printf ("W/\"%s\"", key);

  ember_fake_message_render_text (message);

  ember_fake_json_begin_object (json);
  ember_fake_json_member_string (json, "@odata.type", "#microsoft.graph.message");
  ember_fake_json_member_string (json, "@odata.etag", etag);
  if (selected (select, "createdDateTime"))
    {
      g_autofree char *text = graph_time (message->created_us);

      ember_fake_json_member_string (json, "createdDateTime", text);
    }
  if (selected (select, "lastModifiedDateTime"))
    {
      g_autofree char *text = graph_time (message->modified_us);

      ember_fake_json_member_string (json, "lastModifiedDateTime", text);
    }
  if (selected (select, "changeKey"))
    ember_fake_json_member_string (json, "changeKey", key);
  if (selected (select, "categories"))
    {
      ember_fake_json_key (json, "categories");
      ember_fake_json_begin_array (json);
      for (guint i = 0; i < message->labels->len; i++)
        ember_fake_json_string (json, g_ptr_array_index (message->labels, i));
      ember_fake_json_end_array (json);
    }
  if (selected (select, "receivedDateTime"))
    {
      g_autofree char *text = graph_time (message->date_ms * 1000);

      ember_fake_json_member_string (json, "receivedDateTime", text);
    }
  if (selected (select, "sentDateTime"))
    {
      g_autofree char *text = graph_time (message->date_ms * 1000 - 4 * G_USEC_PER_SEC);

      ember_fake_json_member_string (json, "sentDateTime", text);
    }
  if (selected (select, "hasAttachments"))
    {
      gboolean has = FALSE;

      for (guint i = 0; i < message->attachments->len; i++)
        has |= ((EmberFakeAttachment *) g_ptr_array_index (message->attachments, i))->content_id == NULL;
      ember_fake_json_member_bool (json, "hasAttachments", has);
    }
  if (selected (select, "internetMessageId"))
    ember_fake_json_member_string (json, "internetMessageId", message->internet_message_id);
  if (selected (select, "subject"))
    ember_fake_json_member_string (json, "subject", message->subject);
  if (selected (select, "bodyPreview"))
    ember_fake_json_member_string (json, "bodyPreview", message->preview);
  if (selected (select, "importance"))
    ember_fake_json_member_string (json, "importance", message->flagged ? "high" : "normal");
  if (selected (select, "parentFolderId"))
    ember_fake_json_member_string (json, "parentFolderId", message->folder_id);
  if (selected (select, "conversationId"))
    ember_fake_json_member_string (json, "conversationId", message->thread_id);
  if (selected (select, "conversationIndex"))
    {
      guint8 index[22] = { 0x01, 0xd9 };
      g_autofree char *encoded = NULL;

      for (guint i = 2; i < sizeof index; i++)
        index[i] = (guint8) (g_str_hash (message->thread_id) >> (i % 4 * 8));
      encoded = g_base64_encode (index, sizeof index);
      ember_fake_json_member_string (json, "conversationIndex", encoded);
    }
  if (selected (select, "isDeliveryReceiptRequested"))
    ember_fake_json_member_null (json, "isDeliveryReceiptRequested");
  if (selected (select, "isReadReceiptRequested"))
    ember_fake_json_member_bool (json, "isReadReceiptRequested", FALSE);
  if (selected (select, "isRead"))
    ember_fake_json_member_bool (json, "isRead", !message->unread);
  if (selected (select, "isDraft"))
    ember_fake_json_member_bool (json, "isDraft", message->draft);
  if (selected (select, "webLink"))
    {
      g_autofree char *escaped = g_uri_escape_string (message->id, NULL, FALSE);
      g_autofree char *link = g_strdup_printf ("https://outlook.office365.com/owa/?ItemID=%s&exvsurl=1&viewmodel=ReadMessageItem",
                                               escaped);

      ember_fake_json_member_string (json, "webLink", link);
    }
  if (selected (select, "inferenceClassification"))
    ember_fake_json_member_string (json, "inferenceClassification",
                                   g_str_has_suffix (message->from.address, ".example") ? "other" : "focused");
  if (selected (select, "body"))
    {
      ember_fake_json_key (json, "body");
      if (prefs->text_body || message->html == NULL)
        {
          ember_fake_json_begin_object (json);
          ember_fake_json_member_string (json, "contentType", "text");
          ember_fake_json_member_string (json, "content", message->text);
          ember_fake_json_end_object (json);
        }
      else
        ember_fake_json_raw (json, message->graph_body_json, -1);
    }
  if (selected (select, "uniqueBody"))
    {
      ember_fake_json_key (json, "uniqueBody");
      ember_fake_json_begin_object (json);
      ember_fake_json_member_string (json, "contentType", "text");
      ember_fake_json_member_string (json, "content", message->text);
      ember_fake_json_end_object (json);
    }
  if (selected (select, "sender"))
    {
      ember_fake_json_key (json, "sender");
      write_recipient (json, &message->from);
    }
  if (selected (select, "from"))
    {
      ember_fake_json_key (json, "from");
      write_recipient (json, &message->from);
    }
  if (selected (select, "toRecipients"))
    write_recipients (json, "toRecipients", message->to);
  if (selected (select, "ccRecipients"))
    write_recipients (json, "ccRecipients", message->cc);
  if (selected (select, "bccRecipients"))
    write_recipients (json, "bccRecipients", NULL);
  if (selected (select, "replyTo"))
    write_recipients (json, "replyTo", NULL);
  if (selected (select, "flag"))
    {
      ember_fake_json_key (json, "flag");
      ember_fake_json_begin_object (json);
      ember_fake_json_member_string (json, "flagStatus", message->flagged ? "flagged" : "notFlagged");
      ember_fake_json_end_object (json);
    }
  ember_fake_json_member_string (json, "id", message->id);
  ember_fake_json_end_object (json);
}

/* $select: comma-separated; an unknown property is a 400, as in Graph. */
static gboolean
parse_select (EmberFakeRequest  *request,
              EmberFakeResponse *response,
              const char        *text,
              GStrv             *out)
{
  g_auto(GStrv) items = NULL;

  *out = NULL;
  if (text == NULL || *text == '\0')
    return TRUE;

  items = g_strsplit (text, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      gboolean known = FALSE;

      g_strstrip (items[i]);
      for (guint k = 0; k < G_N_ELEMENTS (message_properties) && !known; k++)
        known = strcmp (items[i], message_properties[k]) == 0;
      if (!known)
        {
          g_autofree char *message = g_strdup_printf ("Could not find a property named '%s' on type 'microsoft.graph.message'.",
                                                      items[i]);

          ember_fake_graph_error (request, response, 400, "RequestBroker--ParseUri", message);
          return FALSE;
        }
    }
  *out = g_steal_pointer (&items);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* /me and mail folders.                                                    */

static void
get_me (EmberFakeRequest  *request,
        EmberFakeResponse *response)
{
  EmberFakeAccount *account = request->account;
  GString *body = g_string_new (NULL);
  EmberFakeJson json;
  g_auto(GStrv) names = g_strsplit (account->display_name, " ", 2);

  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  ember_fake_json_member_string (&json, "@odata.context", "https://graph.microsoft.com/v1.0/$metadata#users/$entity");
  ember_fake_json_key (&json, "businessPhones");
  ember_fake_json_begin_array (&json);
  ember_fake_json_end_array (&json);
  ember_fake_json_member_string (&json, "displayName", account->display_name);
  ember_fake_json_member_string (&json, "givenName", names[0]);
  ember_fake_json_member_null (&json, "jobTitle");
  ember_fake_json_member_string (&json, "mail", account->email);
  ember_fake_json_member_null (&json, "mobilePhone");
  ember_fake_json_member_null (&json, "officeLocation");
  ember_fake_json_member_string (&json, "preferredLanguage", "en-US");
  ember_fake_json_member_string (&json, "surname", names[1]);
  ember_fake_json_member_string (&json, "userPrincipalName", account->email);
  ember_fake_json_member_string (&json, "id", account->user_id);
  ember_fake_json_end_object (&json);
  ok_json (request, response, body);
}

static const char *folder_properties[] = {
  "id", "displayName", "parentFolderId", "childFolderCount", "unreadItemCount", "totalItemCount",
  "sizeInBytes", "isHidden",
};

/* @select: (nullable): the properties to write ("id" always). */
static void
write_folder_selected (EmberFakeJson    *json,
                       EmberFakeAccount *account,
                       EmberFakeFolder  *folder,
                       GStrv             select)
{
  guint children = 0;
  guint unread = 0;
  guint64 size = 0;

  for (guint i = 0; i < account->folders->len; i++)
    if (g_strcmp0 (((EmberFakeFolder *) g_ptr_array_index (account->folders, i))->parent_id, folder->id) == 0)
      children++;
  for (guint i = 0; i < folder->members->len; i++)
    {
      EmberFakeMessage *message = g_ptr_array_index (folder->members, i);

      unread += message->unread;
      size += strlen (message->text) + 2048;
    }

  ember_fake_json_begin_object (json);
  ember_fake_json_member_string (json, "id", folder->id);
  if (selected (select, "displayName"))
    ember_fake_json_member_string (json, "displayName", folder->display_name);
  if (selected (select, "parentFolderId"))
    ember_fake_json_member_string (json, "parentFolderId", folder->parent_id);
  if (selected (select, "childFolderCount"))
    ember_fake_json_member_int (json, "childFolderCount", children);
  if (selected (select, "unreadItemCount"))
    ember_fake_json_member_int (json, "unreadItemCount", unread);
  if (selected (select, "totalItemCount"))
    ember_fake_json_member_int (json, "totalItemCount", folder->members->len);
  if (selected (select, "sizeInBytes"))
    ember_fake_json_member_int (json, "sizeInBytes", size);
  if (selected (select, "isHidden"))
    ember_fake_json_member_bool (json, "isHidden", folder->hidden);
  ember_fake_json_end_object (json);
}

static void
write_folder (EmberFakeJson    *json,
              EmberFakeAccount *account,
              EmberFakeFolder  *folder)
{
  write_folder_selected (json, account, folder, NULL);
}

static void
list_folders (EmberFakeRequest  *request,
              EmberFakeResponse *response,
              EmberFakeFolder   *parent,
              const char        *link_path)
{
  EmberFakeAccount *account = request->account;
  const char *top_text = ember_fake_request_param (request, "$top");
  const char *skip_text = ember_fake_request_param (request, "$skip");
  const char *hidden_text = ember_fake_request_param (request, "includeHiddenFolders");
  gboolean include_hidden = g_strcmp0 (hidden_text, "true") == 0;
  guint64 top = 10;
  guint64 skip = 0;
  guint index = 0;
  guint emitted = 0;
  gboolean more = FALSE;
  GString *body;
  EmberFakeJson json;
  g_autofree char *context = NULL;

  if ((top_text != NULL && !g_ascii_string_to_unsigned (top_text, 10, 1, 1000, &top, NULL)) ||
      (skip_text != NULL && !g_ascii_string_to_unsigned (skip_text, 10, 0, G_MAXUINT32, &skip, NULL)))
    {
      invalid_request (request, response, "Invalid value for $top or $skip.");
      return;
    }

  body = g_string_new (NULL);
  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  context = g_strdup_printf ("https://graph.microsoft.com/v1.0/$metadata#users('%s')/mailFolders%s",
                             account->user_id, parent->well_known != NULL &&
                             strcmp (parent->well_known, "msgfolderroot") == 0 ? "" : "('…')/childFolders");
  ember_fake_json_member_string (&json, "@odata.context", context);
  ember_fake_json_key (&json, "value");
  ember_fake_json_begin_array (&json);
  for (guint i = 0; i < account->folders->len; i++)
    {
      EmberFakeFolder *folder = g_ptr_array_index (account->folders, i);

      if (g_strcmp0 (folder->parent_id, parent->id) != 0 || (folder->hidden && !include_hidden))
        continue;
      if (index++ < skip)
        continue;
      if (emitted == top)
        {
          more = TRUE;
          break;
        }
      write_folder (&json, account, folder);
      emitted++;
    }
  ember_fake_json_end_array (&json);
  if (more)
    {
      g_autofree char *link = g_strdup_printf ("%s/v1.0/%s?%s$top=%" G_GUINT64_FORMAT "&$skip=%" G_GUINT64_FORMAT,
                                               request->server->base_uri, link_path,
                                               include_hidden ? "includeHiddenFolders=true&" : "",
                                               top, skip + top);

      ember_fake_json_member_string (&json, "@odata.nextLink", link);
    }
  ember_fake_json_end_object (&json);
  ok_json (request, response, body);
}

/* ------------------------------------------------------------------------ */
/* mailFolders/delta: the whole tree, flat.                                 */

/* Every folder below msgfolderroot, at any depth, each with its
 * parentFolderId; the root itself is not listed. Hidden folders come too,
 * marked isHidden (the docs do not say they are left out). A rename or a
 * new folder reports the folder again; a deleted one comes back as
 * @removed. Counts changing (new mail) do not report a folder again. The
 * tokens carry the generation that expiring cursors bumps, as for
 * messages/delta. */
static void
mail_folders_delta (EmberFakeRequest  *request,
                    EmberFakeResponse *response)
{
  EmberFakeAccount *account = request->account;
  EmberFakeFolder *root = ember_fake_account_find_folder (account, "msgfolderroot");
  const char *delta_token = ember_fake_request_param (request, "$deltatoken");
  const char *skip_token = ember_fake_request_param (request, "$skiptoken");
  g_autofree char *generation = g_strdup_printf ("%u", account->mail_generation);
  g_autofree char *select_text = NULL;
  g_auto(GStrv) select = NULL;
  g_autoptr(GPtrArray) folders = g_ptr_array_new ();
  Preferences prefs;
  guint64 from_seq = 0;
  guint64 end_seq = account->mail_seq;
  guint64 after_key = 0;
  guint64 last_key = 0;
  guint page_size;
  guint emitted = 0;
  guint fi = 0;
  gboolean more = FALSE;
  GString *body;
  EmberFakeJson json;

  parse_preferences (request, &prefs);
  page_size = prefs.max_page_size > 0 ? prefs.max_page_size : 10;

  if (delta_token != NULL || skip_token != NULL)
    {
      gboolean skip = skip_token != NULL;
      g_auto(GStrv) fields = ember_fake_cursor_decode (skip ? skip_token : delta_token, skip ? 6 : 4);
      guint64 token_generation;

      if (fields == NULL || strcmp (fields[0], skip ? "fs" : "fd") != 0 ||
          !g_ascii_string_to_unsigned (fields[1], 10, 0, G_MAXUINT32, &token_generation, NULL) ||
          !g_ascii_string_to_unsigned (fields[3], 10, 0, G_MAXUINT64, skip ? &from_seq : &end_seq, NULL) ||
          (skip && (!g_ascii_string_to_unsigned (fields[4], 10, 0, G_MAXUINT64, &end_seq, NULL) ||
                    !g_ascii_string_to_unsigned (fields[5], 10, 0, G_MAXUINT64, &after_key, NULL))))
        {
          invalid_request (request, response, "The delta or skip token is not valid for this request.");
          preferences_clear (&prefs);
          return;
        }
      if (token_generation != account->mail_generation)
        {
          sync_state_gone (request, response, (guint) token_generation, account->mail_generation);
          preferences_clear (&prefs);
          return;
        }
      /* A deltaLink starts the next round where the last one ended. */
      if (!skip)
        {
          from_seq = end_seq;
          end_seq = account->mail_seq;
        }
      select_text = g_strdup (fields[2]);
    }
  else
    select_text = g_strdup (ember_fake_request_param (request, "$select") ?: "");

  if (*select_text != '\0')
    {
      select = g_strsplit (select_text, ",", -1);
      for (guint i = 0; select[i] != NULL; i++)
        {
          gboolean known = FALSE;

          g_strstrip (select[i]);
          for (guint k = 0; k < G_N_ELEMENTS (folder_properties) && !known; k++)
            known = strcmp (select[i], folder_properties[k]) == 0;
          if (!known)
            {
              g_autofree char *message = g_strdup_printf ("Could not find a property named '%s' on type "
                                                          "'microsoft.graph.mailFolder'.", select[i]);

              ember_fake_graph_error (request, response, 400, "RequestBroker--ParseUri", message);
              preferences_clear (&prefs);
              return;
            }
        }
    }

  /* Folders in key (creation) order; the array is in that order already. */
  for (guint i = 0; i < account->folders->len; i++)
    {
      EmberFakeFolder *folder = g_ptr_array_index (account->folders, i);

      if (folder != root)
        g_ptr_array_add (folders, folder);
    }

  body = g_string_new (NULL);
  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  ember_fake_json_member_string (&json, "@odata.context",
                                 "https://graph.microsoft.com/v1.0/$metadata#Collection(mailFolder)");
  ember_fake_json_key (&json, "value");
  ember_fake_json_begin_array (&json);
  for (;;)
    {
      EmberFakeFolder *folder = NULL;
      EmberFakeTombstone *tombstone = NULL;

      while (fi < folders->len)
        {
          EmberFakeFolder *candidate = g_ptr_array_index (folders, fi);

          if (candidate->key > after_key && candidate->change_seq > from_seq && candidate->change_seq <= end_seq)
            {
              folder = candidate;
              break;
            }
          fi++;
        }
      /* Tombstones are in seq order, not key order: take the smallest key
       * left, so paging by key stays exact. */
      if (from_seq > 0)
        {
          for (guint k = 0; k < account->folder_tombstones->len; k++)
            {
              EmberFakeTombstone *candidate = g_ptr_array_index (account->folder_tombstones, k);

              if (candidate->key > after_key && candidate->seq > from_seq && candidate->seq <= end_seq &&
                  (tombstone == NULL || candidate->key < tombstone->key))
                tombstone = candidate;
            }
        }
      if (folder == NULL && tombstone == NULL)
        break;
      if (emitted == page_size)
        {
          more = TRUE;
          break;
        }
      if (tombstone == NULL || (folder != NULL && folder->key < tombstone->key))
        {
          write_folder_selected (&json, account, folder, select);
          last_key = folder->key;
          fi++;
        }
      else
        {
          ember_fake_json_begin_object (&json);
          ember_fake_json_member_string (&json, "@odata.type", "#microsoft.graph.mailFolder");
          ember_fake_json_member_string (&json, "id", tombstone->id);
          ember_fake_json_key (&json, "@removed");
          ember_fake_json_begin_object (&json);
          ember_fake_json_member_string (&json, "reason", "deleted");
          ember_fake_json_end_object (&json);
          ember_fake_json_end_object (&json);
          last_key = tombstone->key;
        }
      after_key = last_key;
      emitted++;
    }
  ember_fake_json_end_array (&json);

  if (more)
    {
      g_autofree char *from = g_strdup_printf ("%" G_GUINT64_FORMAT, from_seq);
      g_autofree char *end = g_strdup_printf ("%" G_GUINT64_FORMAT, end_seq);
      g_autofree char *key = g_strdup_printf ("%" G_GUINT64_FORMAT, last_key);
      g_autofree char *token = ember_fake_cursor_encode ("fs", generation, select_text, from, end, key, NULL);
      g_autofree char *link = g_strdup_printf ("%s/v1.0/me/mailFolders/delta?$skiptoken=%s",
                                               request->server->base_uri, token);

      ember_fake_json_member_string (&json, "@odata.nextLink", link);
    }
  else
    {
      g_autofree char *end = g_strdup_printf ("%" G_GUINT64_FORMAT, end_seq);
      g_autofree char *token = ember_fake_cursor_encode ("fd", generation, select_text, end, NULL);
      g_autofree char *link = g_strdup_printf ("%s/v1.0/me/mailFolders/delta?$deltatoken=%s",
                                               request->server->base_uri, token);

      ember_fake_json_member_string (&json, "@odata.deltaLink", link);
    }
  ember_fake_json_end_object (&json);
  ok_json (request, response, body);
  prefer_applied (response, &prefs, TRUE, FALSE);
  preferences_clear (&prefs);
}

/* ------------------------------------------------------------------------ */
/* messages/delta per folder.                                               */

static char *
folder_link (EmberFakeRequest *request,
             EmberFakeFolder  *folder,
             const char       *kind,
             const char       *token)
{
  g_autofree char *escaped = g_uri_escape_string (folder->id, NULL, FALSE);

  return g_strdup_printf ("%s/v1.0/me/mailFolders/%s/messages/delta?$%s=%s",
                          request->server->base_uri, escaped, kind, token);
}

static void
message_delta (EmberFakeRequest  *request,
               EmberFakeResponse *response,
               EmberFakeFolder   *folder)
{
  EmberFakeAccount *account = request->account;
  const char *delta_token = ember_fake_request_param (request, "$deltatoken");
  const char *skip_token = ember_fake_request_param (request, "$skiptoken");
  g_autofree char *select_text = NULL;
  g_auto(GStrv) select = NULL;
  Preferences prefs;
  guint64 from_seq = 0;
  guint64 end_seq = account->mail_seq;
  guint64 after_key = 0;
  guint page_size;
  GString *body;
  EmberFakeJson json;
  guint emitted = 0;
  guint64 last_key = 0;
  gboolean more = FALSE;
  guint mi = 0;
  guint ti = 0;
  g_autofree char *generation = g_strdup_printf ("%u", account->mail_generation);

  parse_preferences (request, &prefs);
  page_size = prefs.max_page_size > 0 ? prefs.max_page_size : 10;

  if (delta_token != NULL || skip_token != NULL)
    {
      gboolean skip = skip_token != NULL;
      g_auto(GStrv) fields = ember_fake_cursor_decode (skip ? skip_token : delta_token, skip ? 7 : 5);
      guint64 token_generation;

      if (fields == NULL || strcmp (fields[0], skip ? "ms" : "md") != 0 || strcmp (fields[1], folder->id) != 0 ||
          !g_ascii_string_to_unsigned (fields[2], 10, 0, G_MAXUINT32, &token_generation, NULL))
        {
          invalid_request (request, response, "The delta or skip token is not valid for this request.");
          preferences_clear (&prefs);
          return;
        }
      if (token_generation != account->mail_generation)
        {
          sync_state_gone (request, response, (guint) token_generation, account->mail_generation);
          preferences_clear (&prefs);
          return;
        }
      /* The token carries the round's options; $select on the URL is ignored. */
      select_text = g_strdup (fields[3]);
      if (!g_ascii_string_to_unsigned (fields[4], 10, 0, G_MAXUINT64, &from_seq, NULL) ||
          (skip && (!g_ascii_string_to_unsigned (fields[5], 10, 0, G_MAXUINT64, &end_seq, NULL) ||
                    !g_ascii_string_to_unsigned (fields[6], 10, 0, G_MAXUINT64, &after_key, NULL))))
        {
          invalid_request (request, response, "The delta or skip token is not valid for this request.");
          preferences_clear (&prefs);
          return;
        }
    }
  else
    select_text = g_strdup (ember_fake_request_param (request, "$select") ?: "");

  if (!parse_select (request, response, select_text, &select))
    {
      preferences_clear (&prefs);
      return;
    }

  body = g_string_sized_new (page_size * 1024);
  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  ember_fake_json_member_string (&json, "@odata.context", "https://graph.microsoft.com/v1.0/$metadata#Collection(message)");
  ember_fake_json_key (&json, "value");
  ember_fake_json_begin_array (&json);

  /* Merge live members and tombstones in key order. */
  for (;;)
    {
      EmberFakeMessage *message = NULL;
      EmberFakeTombstone *tombstone = NULL;

      while (mi < folder->members->len)
        {
          EmberFakeMessage *candidate = g_ptr_array_index (folder->members, mi);

          if (candidate->key > after_key && candidate->change_seq > from_seq && candidate->change_seq <= end_seq)
            {
              message = candidate;
              break;
            }
          mi++;
        }
      while (from_seq > 0 && ti < folder->tombstones->len)
        {
          EmberFakeTombstone *candidate = g_ptr_array_index (folder->tombstones, ti);

          if (candidate->key > after_key && candidate->seq > from_seq && candidate->seq <= end_seq)
            {
              tombstone = candidate;
              break;
            }
          ti++;
        }
      if (message == NULL && tombstone == NULL)
        break;
      if (emitted == page_size)
        {
          more = TRUE;
          break;
        }

      if (tombstone == NULL || (message != NULL && message->key < tombstone->key))
        {
          write_message (&json, message, select, &prefs);
          last_key = message->key;
          mi++;
        }
      else
        {
          ember_fake_json_begin_object (&json);
          ember_fake_json_member_string (&json, "@odata.type", "#microsoft.graph.message");
          ember_fake_json_member_string (&json, "id", tombstone->id);
          ember_fake_json_key (&json, "@removed");
          ember_fake_json_begin_object (&json);
          ember_fake_json_member_string (&json, "reason", tombstone->restorable ? "changed" : "deleted");
          ember_fake_json_end_object (&json);
          ember_fake_json_end_object (&json);
          last_key = tombstone->key;
          ti++;
        }
      emitted++;
    }
  ember_fake_json_end_array (&json);

  if (more)
    {
      g_autofree char *from = g_strdup_printf ("%" G_GUINT64_FORMAT, from_seq);
      g_autofree char *end = g_strdup_printf ("%" G_GUINT64_FORMAT, end_seq);
      g_autofree char *key = g_strdup_printf ("%" G_GUINT64_FORMAT, last_key);
      g_autofree char *token = ember_fake_cursor_encode ("ms", folder->id, generation, select_text, from, end, key, NULL);
      g_autofree char *link = folder_link (request, folder, "skiptoken", token);

      ember_fake_json_member_string (&json, "@odata.nextLink", link);
    }
  else
    {
      g_autofree char *end = g_strdup_printf ("%" G_GUINT64_FORMAT, end_seq);
      g_autofree char *token = ember_fake_cursor_encode ("md", folder->id, generation, select_text, end, NULL);
      g_autofree char *link = folder_link (request, folder, "deltatoken", token);

      ember_fake_json_member_string (&json, "@odata.deltaLink", link);
    }
  ember_fake_json_end_object (&json);
  ok_json (request, response, body);
  prefer_applied (response, &prefs, TRUE, FALSE);
  preferences_clear (&prefs);
}

static void
list_folder_messages (EmberFakeRequest  *request,
                      EmberFakeResponse *response,
                      EmberFakeFolder   *folder)
{
  const char *top_text = ember_fake_request_param (request, "$top");
  const char *skip_text = ember_fake_request_param (request, "$skip");
  g_auto(GStrv) select = NULL;
  Preferences prefs;
  guint64 top = 10;
  guint64 skip = 0;
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  GString *body;
  EmberFakeJson json;
  guint end;

  if ((top_text != NULL && !g_ascii_string_to_unsigned (top_text, 10, 1, 1000, &top, NULL)) ||
      (skip_text != NULL && !g_ascii_string_to_unsigned (skip_text, 10, 0, G_MAXUINT32, &skip, NULL)))
    {
      invalid_request (request, response, "Invalid value for $top or $skip.");
      return;
    }
  if (!parse_select (request, response, ember_fake_request_param (request, "$select"), &select))
    return;
  parse_preferences (request, &prefs);

  /* Newest first, like Outlook's default order. */
  for (guint i = folder->members->len; i > 0; i--)
    g_ptr_array_add (sorted, g_ptr_array_index (folder->members, i - 1));

  body = g_string_new (NULL);
  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  ember_fake_json_member_string (&json, "@odata.context", "https://graph.microsoft.com/v1.0/$metadata#users('me')/mailFolders('id')/messages");
  ember_fake_json_key (&json, "value");
  ember_fake_json_begin_array (&json);
  end = (guint) MIN ((guint64) sorted->len, skip + top);
  for (guint i = (guint) MIN (skip, sorted->len); i < end; i++)
    write_message (&json, g_ptr_array_index (sorted, i), select, &prefs);
  ember_fake_json_end_array (&json);
  if (end < sorted->len)
    {
      g_autofree char *escaped = g_uri_escape_string (folder->id, NULL, FALSE);
      g_autofree char *link = g_strdup_printf ("%s/v1.0/me/mailFolders/%s/messages?$top=%" G_GUINT64_FORMAT "&$skip=%u",
                                               request->server->base_uri, escaped, top, end);

      ember_fake_json_member_string (&json, "@odata.nextLink", link);
    }
  ember_fake_json_end_object (&json);
  ok_json (request, response, body);
  preferences_clear (&prefs);
}

static void
get_message (EmberFakeRequest  *request,
             EmberFakeResponse *response,
             const char        *id)
{
  EmberFakeMessage *message = ember_fake_account_find_message (request->account, id);
  g_auto(GStrv) select = NULL;
  Preferences prefs;
  GString *body;
  EmberFakeJson json;

  if (message == NULL)
    {
      item_not_found (request, response);
      return;
    }
  if (!parse_select (request, response, ember_fake_request_param (request, "$select"), &select))
    return;
  parse_preferences (request, &prefs);

  body = g_string_new (NULL);
  ember_fake_json_init (&json, body);
  write_message (&json, message, select, &prefs);
  ok_json (request, response, body);
  preferences_clear (&prefs);
}

/* ------------------------------------------------------------------------ */
/* calendarView/delta.                                                      */

typedef struct
{
  gint64              major;
  gint64              minor;
  EmberFakeEvent     *event;
  EmberFakeInstance   instance;
  const char         *removed_id;   /* tombstone */
  gboolean            removed;
} Change;

static int
compare_changes (gconstpointer a,
                 gconstpointer b)
{
  const Change *ca = a;
  const Change *cb = b;

  if (ca->major != cb->major)
    return ca->major < cb->major ? -1 : 1;
  if (ca->minor != cb->minor)
    return ca->minor < cb->minor ? -1 : 1;
  return 0;
}

static char *
graph_local_time (gint64      when,
                  const char *iana,
                  gboolean    all_day)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (when);
  g_autoptr(GDateTime) local = NULL;
  GTimeZone *tz = iana != NULL ? ember_fake_time_zone (iana) : NULL;

  /* All-day events are floating dates: midnight, whatever the zone. */
  if (all_day || tz == NULL)
    local = g_date_time_ref (utc);
  else
    local = g_date_time_to_timezone (utc, tz);
  return g_date_time_format (local, "%Y-%m-%dT%H:%M:%S.0000000");
}

static void
write_date_time_zone (EmberFakeJson     *json,
                      const char        *key,
                      gint64             when,
                      gboolean           all_day,
                      const Preferences *prefs)
{
  g_autofree char *text = graph_local_time (when, prefs->iana, all_day);

  ember_fake_json_key (json, key);
  ember_fake_json_begin_object (json);
  ember_fake_json_member_string (json, "dateTime", text);
  ember_fake_json_member_string (json, "timeZone", prefs->time_zone != NULL ? prefs->time_zone : "UTC");
  ember_fake_json_end_object (json);
}

static const char *
windows_zone (const char *iana)
{
  const char *name = ember_fake_windows_zone_for_iana (iana);

  if (name == NULL || strcmp (name, "UTC") == 0)
    return "tzone://Microsoft/Utc";
  return name;
}

static void
write_event (EmberFakeJson     *json,
             EmberFakeAccount  *account,
             Change            *change,
             const Preferences *prefs)
{
  EmberFakeEvent *event = change->event;
  EmberFakeInstance *instance = &change->instance;
  gboolean series = event->recurrence.freq != EMBER_FAKE_FREQ_NONE;
  gboolean modified = instance->exception != NULL && !instance->exception->cancelled;
  g_autofree char *id = series ? ember_fake_event_graph_instance_id (event, instance->original_start)
                               : g_strdup (event->id);
  gint64 updated_us = modified ? MAX (instance->exception->updated_us, event->updated_us) : event->updated_us;
  g_autofree char *key = change_key (event->key, (guint) (instance->seq & 0xffff));
  g_autofree char *etag = g_strdup_printf ("W/\"%s\"", key);
  g_autofree char *created = ember_fake_format_rfc3339_ms (event->created_us);
  g_autofree char *updated = ember_fake_format_rfc3339_ms (updated_us);
  const char *subject = modified && instance->exception->summary != NULL ? instance->exception->summary : event->summary;
  g_autofree char *escaped_id = g_uri_escape_string (id, NULL, FALSE);
  g_autofree char *web_link = g_strdup_printf ("https://outlook.office365.com/owa/?itemid=%s&exvsurl=1&path=/calendar/item",
                                               escaped_id);
  g_autofree char *ical_uid = series ? g_strdup_printf ("%s%08" G_GINT64_MODIFIER "x", event->ical_uid,
                                                        (guint64) instance->original_start)
                                     : g_strdup (event->ical_uid);
  const char *body_html = event->description != NULL ? event->description : "";
  g_autofree char *body = g_strdup_printf ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
                                           "</head><body>%s</body></html>", body_html);

  ember_fake_json_begin_object (json);
  ember_fake_json_member_string (json, "@odata.type", "#microsoft.graph.event");
  ember_fake_json_member_string (json, "@odata.etag", etag);
  ember_fake_json_member_string (json, "createdDateTime", created);
  ember_fake_json_member_string (json, "lastModifiedDateTime", updated);
  ember_fake_json_member_string (json, "changeKey", key);
  ember_fake_json_key (json, "categories");
  ember_fake_json_begin_array (json);
  ember_fake_json_end_array (json);
  ember_fake_json_member_null (json, "transactionId");
  ember_fake_json_member_string (json, "originalStartTimeZone", windows_zone (event->time_zone));
  ember_fake_json_member_string (json, "originalEndTimeZone", windows_zone (event->time_zone));
  ember_fake_json_member_string (json, "iCalUId", ical_uid);
  /* Outlook's default is 15 minutes, and a reminder that is off keeps
   * its minutes. */
  ember_fake_json_member_int (json, "reminderMinutesBeforeStart",
                              event->reminder_minutes >= 0 ? event->reminder_minutes : 15);
  ember_fake_json_member_bool (json, "isReminderOn", event->reminder_minutes != EMBER_FAKE_REMINDER_NONE);
  ember_fake_json_member_bool (json, "hasAttachments", FALSE);
  ember_fake_json_member_string (json, "subject", subject);
  ember_fake_json_member_string (json, "bodyPreview", event->description != NULL ? "Agenda: Status Next steps & owners" : "");
  ember_fake_json_member_string (json, "importance", "normal");
  ember_fake_json_member_string (json, "sensitivity", "normal");
  if (series)
    {
      g_autofree char *original = ember_fake_format_rfc3339_utc (instance->original_start);

      ember_fake_json_member_string (json, "originalStart", original);
    }
  ember_fake_json_member_bool (json, "isAllDay", event->all_day);
  ember_fake_json_member_bool (json, "isCancelled", event->cancelled);
  ember_fake_json_member_bool (json, "isOrganizer", TRUE);
  ember_fake_json_member_bool (json, "responseRequested", TRUE);
  if (series)
    ember_fake_json_member_string (json, "seriesMasterId", event->id);
  else
    ember_fake_json_member_null (json, "seriesMasterId");
  ember_fake_json_member_string (json, "showAs", event->tentative ? "tentative" : event->all_day ? "free" : "busy");
  ember_fake_json_member_string (json, "type", !series ? "singleInstance" : modified ? "exception" : "occurrence");
  ember_fake_json_member_string (json, "webLink", web_link);
  ember_fake_json_member_null (json, "onlineMeetingUrl");
  ember_fake_json_member_bool (json, "isOnlineMeeting", FALSE);
  ember_fake_json_member_bool (json, "allowNewTimeProposals", TRUE);
  ember_fake_json_key (json, "responseStatus");
  ember_fake_json_begin_object (json);
  ember_fake_json_member_string (json, "response", "organizer");
  ember_fake_json_member_string (json, "time", "0001-01-01T00:00:00Z");
  ember_fake_json_end_object (json);
  ember_fake_json_key (json, "body");
  ember_fake_json_begin_object (json);
  ember_fake_json_member_string (json, "contentType", "html");
  ember_fake_json_member_string (json, "content", body);
  ember_fake_json_end_object (json);
  write_date_time_zone (json, "start", instance->start, event->all_day, prefs);
  write_date_time_zone (json, "end", instance->end, event->all_day, prefs);
  ember_fake_json_key (json, "location");
  ember_fake_json_begin_object (json);
  ember_fake_json_member_string (json, "displayName", event->location != NULL ? event->location : "");
  ember_fake_json_member_string (json, "locationType", "default");
  ember_fake_json_member_string (json, "uniqueIdType", "unknown");
  ember_fake_json_key (json, "address");
  ember_fake_json_begin_object (json);
  ember_fake_json_end_object (json);
  ember_fake_json_key (json, "coordinates");
  ember_fake_json_begin_object (json);
  ember_fake_json_end_object (json);
  ember_fake_json_end_object (json);
  ember_fake_json_key (json, "locations");
  ember_fake_json_begin_array (json);
  if (event->location != NULL && *event->location != '\0')
    {
      ember_fake_json_begin_object (json);
      ember_fake_json_member_string (json, "displayName", event->location);
      ember_fake_json_member_string (json, "locationType", "default");
      ember_fake_json_end_object (json);
    }
  ember_fake_json_end_array (json);
  ember_fake_json_member_null (json, "recurrence");
  ember_fake_json_key (json, "attendees");
  ember_fake_json_begin_array (json);
  for (guint i = 0; i < event->attendees->len; i++)
    {
      static const char *responses[] = { "none", "accepted", "tentativelyAccepted", "declined" };
      EmberFakeAddress *attendee = g_ptr_array_index (event->attendees, i);

      ember_fake_json_begin_object (json);
      ember_fake_json_member_string (json, "type", "required");
      ember_fake_json_key (json, "status");
      ember_fake_json_begin_object (json);
      ember_fake_json_member_string (json, "response", responses[(event->key + i) % 4]);
      ember_fake_json_member_string (json, "time", "0001-01-01T00:00:00Z");
      ember_fake_json_end_object (json);
      ember_fake_json_key (json, "emailAddress");
      ember_fake_json_begin_object (json);
      ember_fake_json_member_string (json, "name", attendee->name != NULL ? attendee->name : attendee->address);
      ember_fake_json_member_string (json, "address", attendee->address);
      ember_fake_json_end_object (json);
      ember_fake_json_end_object (json);
    }
  ember_fake_json_end_array (json);
  ember_fake_json_key (json, "organizer");
  write_recipient (json, &event->organizer);
  ember_fake_json_member_string (json, "id", id);
  ember_fake_json_end_object (json);
  (void) account;
}

static gboolean
parse_window_time (const char *text,
                   gint64     *out)
{
  /* Graph takes ISO 8601 with or without an offset (then UTC). */
  *out = ember_fake_parse_iso8601 (text, TRUE);
  return *out != -1;
}

static void
calendar_view_delta (EmberFakeRequest  *request,
                     EmberFakeResponse *response)
{
  EmberFakeAccount *account = request->account;
  EmberFakeCalendar *calendar = ember_fake_account_primary_calendar (account);
  const char *delta_token = ember_fake_request_param (request, "$deltatoken");
  const char *skip_token = ember_fake_request_param (request, "$skiptoken");
  g_autoptr(GArray) changes = g_array_new (FALSE, TRUE, sizeof (Change));
  g_autoptr(GHashTable) live_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) id_storage = g_ptr_array_new_with_free_func (g_free);
  Preferences prefs;
  gint64 window_start;
  gint64 window_end;
  guint64 from_seq = 0;
  guint64 end_seq = account->cal_seq;
  gint64 after_major = G_MININT64;
  gint64 after_minor = G_MININT64;
  gboolean initial;
  guint page_size;
  guint emitted = 0;
  gboolean more = FALSE;
  Change *last = NULL;
  GString *body;
  EmberFakeJson json;
  g_autofree char *generation = g_strdup_printf ("%u", account->cal_generation);
  g_autofree char *start_text = NULL;
  g_autofree char *end_text = NULL;

  parse_preferences (request, &prefs);
  page_size = prefs.max_page_size > 0 ? prefs.max_page_size : 10;

  if (delta_token != NULL || skip_token != NULL)
    {
      gboolean skip = skip_token != NULL;
      g_auto(GStrv) fields = ember_fake_cursor_decode (skip ? skip_token : delta_token, skip ? 8 : 5);
      guint64 token_generation;

      if (fields == NULL || strcmp (fields[0], skip ? "cs" : "cd") != 0 ||
          !g_ascii_string_to_unsigned (fields[1], 10, 0, G_MAXUINT32, &token_generation, NULL) ||
          !g_ascii_string_to_signed (fields[2], 10, G_MININT64, G_MAXINT64, &window_start, NULL) ||
          !g_ascii_string_to_signed (fields[3], 10, G_MININT64, G_MAXINT64, &window_end, NULL) ||
          !g_ascii_string_to_unsigned (fields[4], 10, 0, G_MAXUINT64, &from_seq, NULL) ||
          (skip && (!g_ascii_string_to_unsigned (fields[5], 10, 0, G_MAXUINT64, &end_seq, NULL) ||
                    !g_ascii_string_to_signed (fields[6], 10, G_MININT64, G_MAXINT64, &after_major, NULL) ||
                    !g_ascii_string_to_signed (fields[7], 10, G_MININT64, G_MAXINT64, &after_minor, NULL))))
        {
          invalid_request (request, response, "The delta or skip token is not valid for this request.");
          preferences_clear (&prefs);
          return;
        }
      if (token_generation != account->cal_generation)
        {
          sync_state_gone (request, response, (guint) token_generation, account->cal_generation);
          preferences_clear (&prefs);
          return;
        }
    }
  else
    {
      const char *start_param = ember_fake_request_param (request, "startDateTime");
      const char *end_param = ember_fake_request_param (request, "endDateTime");

      if (start_param == NULL || end_param == NULL)
        {
          ember_fake_graph_error (request, response, 400, "ErrorInvalidParameter",
                                  "This request requires a time window specified by the query string parameters "
                                  "StartDateTime and EndDateTime.");
          preferences_clear (&prefs);
          return;
        }
      if (!parse_window_time (start_param, &window_start) || !parse_window_time (end_param, &window_end) ||
          window_end <= window_start)
        {
          ember_fake_graph_error (request, response, 400, "ErrorInvalidParameter",
                                  "The value of the parameter 'StartDateTime' or 'EndDateTime' is invalid.");
          preferences_clear (&prefs);
          return;
        }
      if (ember_fake_request_param (request, "$select") != NULL || ember_fake_request_param (request, "$filter") != NULL ||
          ember_fake_request_param (request, "$orderby") != NULL)
        {
          invalid_request (request, response, "The query option is not supported with calendarView delta.");
          preferences_clear (&prefs);
          return;
        }
    }
  initial = from_seq == 0;

  /* Every occurrence in the round, keyed by (series, original start). */
  for (guint i = 0; i < calendar->events->len; i++)
    {
      EmberFakeEvent *event = g_ptr_array_index (calendar->events, i);
      g_autoptr(GArray) instances = ember_fake_event_expand (event);

      for (guint k = 0; k < instances->len; k++)
        {
          EmberFakeInstance *instance = &g_array_index (instances, EmberFakeInstance, k);
          gboolean removed = event->deleted || (instance->exception != NULL && instance->exception->cancelled);
          gboolean in_window = instance->end > window_start && instance->start < window_end;
          Change change = { 0, };

          change.major = (gint64) event->key;
          change.minor = instance->original_start;
          change.event = event;
          change.instance = *instance;

          if (instance->seq > end_seq)
            continue;
          if (initial)
            {
              if (removed || !in_window)
                continue;
            }
          else
            {
              if (instance->seq <= from_seq)
                continue;
              /* Out-of-window changes come back as removals too. */
              change.removed = removed || !in_window;
            }

          if (change.removed)
            {
              char *id = event->recurrence.freq != EMBER_FAKE_FREQ_NONE
                         ? ember_fake_event_graph_instance_id (event, instance->original_start)
                         : g_strdup (event->id);

              g_ptr_array_add (id_storage, id);
              change.removed_id = id;
            }
          else
            g_hash_table_add (live_ids, event->recurrence.freq != EMBER_FAKE_FREQ_NONE
                                        ? ember_fake_event_graph_instance_id (event, instance->original_start)
                                        : g_strdup (event->id));
          g_array_append_val (changes, change);
        }
    }
  if (!initial)
    for (guint i = 0; i < account->event_tombstones->len; i++)
      {
        EmberFakeTombstone *tombstone = g_ptr_array_index (account->event_tombstones, i);
        Change change = { 0, };

        if (tombstone->seq <= from_seq || tombstone->seq > end_seq ||
            g_hash_table_contains (live_ids, tombstone->id))
          continue;
        change.major = (gint64) tombstone->key;
        change.minor = tombstone->minor;
        change.removed = TRUE;
        change.removed_id = tombstone->id;
        g_array_append_val (changes, change);
      }
  g_array_sort (changes, compare_changes);

  body = g_string_sized_new (page_size * 2048);
  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  ember_fake_json_member_string (&json, "@odata.context", "https://graph.microsoft.com/v1.0/$metadata#Collection(event)");
  ember_fake_json_key (&json, "value");
  ember_fake_json_begin_array (&json);
  for (guint i = 0; i < changes->len; i++)
    {
      Change *change = &g_array_index (changes, Change, i);

      if (change->major < after_major || (change->major == after_major && change->minor <= after_minor))
        continue;
      if (emitted == page_size)
        {
          more = TRUE;
          break;
        }
      if (change->removed)
        {
          ember_fake_json_begin_object (&json);
          ember_fake_json_member_string (&json, "@odata.type", "#microsoft.graph.event");
          ember_fake_json_member_string (&json, "id", change->removed_id);
          ember_fake_json_key (&json, "@removed");
          ember_fake_json_begin_object (&json);
          ember_fake_json_member_string (&json, "reason", "deleted");
          ember_fake_json_end_object (&json);
          ember_fake_json_end_object (&json);
        }
      else
        write_event (&json, account, change, &prefs);
      emitted++;
      last = change;
    }
  ember_fake_json_end_array (&json);

  start_text = g_strdup_printf ("%" G_GINT64_FORMAT, window_start);
  end_text = g_strdup_printf ("%" G_GINT64_FORMAT, window_end);
  if (more)
    {
      g_autofree char *from = g_strdup_printf ("%" G_GUINT64_FORMAT, from_seq);
      g_autofree char *end = g_strdup_printf ("%" G_GUINT64_FORMAT, end_seq);
      g_autofree char *major = g_strdup_printf ("%" G_GINT64_FORMAT, last->major);
      g_autofree char *minor = g_strdup_printf ("%" G_GINT64_FORMAT, last->minor);
      g_autofree char *token = ember_fake_cursor_encode ("cs", generation, start_text, end_text, from, end,
                                                         major, minor, NULL);
      g_autofree char *link = g_strdup_printf ("%s/v1.0/me/calendarView/delta?$skiptoken=%s",
                                               request->server->base_uri, token);

      ember_fake_json_member_string (&json, "@odata.nextLink", link);
    }
  else
    {
      /* An initial round over no changes still ends at the current seq. */
      g_autofree char *end = g_strdup_printf ("%" G_GUINT64_FORMAT, MAX (end_seq, (guint64) 1));
      g_autofree char *token = ember_fake_cursor_encode ("cd", generation, start_text, end_text, end, NULL);
      g_autofree char *link = g_strdup_printf ("%s/v1.0/me/calendarView/delta?$deltatoken=%s",
                                               request->server->base_uri, token);

      ember_fake_json_member_string (&json, "@odata.deltaLink", link);
    }
  ember_fake_json_end_object (&json);
  ok_json (request, response, body);
  prefer_applied (response, &prefs, TRUE, TRUE);
  preferences_clear (&prefs);
}

/* ------------------------------------------------------------------------ */

void
ember_fake_graph_handle (EmberFakeRequest  *request,
                         EmberFakeResponse *response)
{
  g_auto(GStrv) segments = ember_fake_request_segments (request, "/v1.0/");
  guint n = segments != NULL ? g_strv_length (segments) : 0;
  guint family;
  char **rest;
  guint n_rest;
  EmberFakeFolder *folder = NULL;

  if (n == 0 || (strcmp (segments[0], "me") != 0 && !(strcmp (segments[0], "users") == 0 && n >= 2)))
    {
      ember_fake_graph_error (request, response, 400, "BadRequest",
                              "Resource not found for the segment.");
      return;
    }
  rest = strcmp (segments[0], "me") == 0 ? segments + 1 : segments + 2;
  n_rest = g_strv_length (rest);

  if (n_rest == 0)
    family = EMBER_FAKE_SCOPE_GRAPH_USER;
  else if (strcmp (rest[0], "mailFolders") == 0 || strcmp (rest[0], "messages") == 0)
    family = EMBER_FAKE_SCOPE_GRAPH_MAIL;
  else if (strcmp (rest[0], "calendarView") == 0)
    family = EMBER_FAKE_SCOPE_GRAPH_CALENDAR;
  else
    {
      g_autofree char *message = g_strdup_printf ("Resource not found for the segment '%s'.", rest[0]);

      ember_fake_graph_error (request, response, 400, "BadRequest", message);
      return;
    }

  if (!ember_fake_oauth_authenticate (request, response, EMBER_FAKE_PROVIDER_MICROSOFT, family))
    return;
  if (strcmp (segments[0], "users") == 0 &&
      g_ascii_strcasecmp (segments[1], request->account->email) != 0 &&
      strcmp (segments[1], request->account->user_id) != 0)
    {
      ember_fake_graph_error (request, response, 403, "ErrorAccessDenied",
                              "Access is denied. Check credentials and try again.");
      return;
    }
  if (strcmp (request->method, "GET") != 0)
    {
      ember_fake_graph_error (request, response, 405, "Request_BadRequest",
                              "The fake Graph service is read-only: only GET is supported.");
      return;
    }
  if (!ember_fake_quota_begin_graph (request, response))
    return;

  if (n_rest == 0)
    {
      get_me (request, response);
      return;
    }

  if (strcmp (rest[0], "messages") == 0 && n_rest == 2)
    {
      get_message (request, response, rest[1]);
      return;
    }

  if (strcmp (rest[0], "calendarView") == 0)
    {
      if (n_rest == 2 && strcmp (rest[1], "delta") == 0)
        calendar_view_delta (request, response);
      else
        ember_fake_graph_error (request, response, 400, "BadRequest",
                                "Only calendarView/delta is served by the fake server.");
      return;
    }

  if (strcmp (rest[0], "mailFolders") == 0)
    {
      if (n_rest == 1)
        {
          list_folders (request, response, ember_fake_account_find_folder (request->account, "msgfolderroot"),
                        "me/mailFolders");
          return;
        }
      if (n_rest == 2 && strcmp (rest[1], "delta") == 0)
        {
          mail_folders_delta (request, response);
          return;
        }
      folder = ember_fake_account_find_folder (request->account, rest[1]);
      if (folder == NULL)
        {
          item_not_found (request, response);
          return;
        }
      if (n_rest == 2)
        {
          GString *body = g_string_new (NULL);
          EmberFakeJson json;

          ember_fake_json_init (&json, body);
          write_folder (&json, request->account, folder);
          ok_json (request, response, body);
          return;
        }
      if (n_rest == 3 && strcmp (rest[2], "childFolders") == 0)
        {
          g_autofree char *escaped = g_uri_escape_string (folder->id, NULL, FALSE);
          g_autofree char *link_path = g_strdup_printf ("me/mailFolders/%s/childFolders", escaped);

          list_folders (request, response, folder, link_path);
          return;
        }
      if (n_rest == 3 && strcmp (rest[2], "messages") == 0)
        {
          list_folder_messages (request, response, folder);
          return;
        }
      if (n_rest == 4 && strcmp (rest[2], "messages") == 0 && strcmp (rest[3], "delta") == 0)
        {
          message_delta (request, response, folder);
          return;
        }
    }

  ember_fake_graph_error (request, response, 400, "BadRequest", "Resource not found for the segment.");
}

/* ------------------------------------------------------------------------ */
/* JSON batching.                                                           */

typedef struct
{
  char              *id;
  char              *method;
  char              *url;
  JsonObject        *headers;
  GPtrArray         *depends_on;
  EmberFakeResponse *response;
  gboolean           done;
} BatchItem;

static void
batch_item_free (gpointer data)
{
  BatchItem *item = data;

  g_free (item->id);
  g_free (item->method);
  g_free (item->url);
  g_clear_pointer (&item->headers, json_object_unref);
  g_ptr_array_unref (item->depends_on);
  g_clear_pointer (&item->response, ember_fake_response_free);
  g_free (item);
}

static BatchItem *
find_batch_item (GPtrArray  *items,
                 const char *id)
{
  for (guint i = 0; i < items->len; i++)
    {
      BatchItem *item = g_ptr_array_index (items, i);

      if (strcmp (item->id, id) == 0)
        return item;
    }
  return NULL;
}

static void
run_inner (EmberFakeRequest *outer,
           BatchItem        *item)
{
  EmberFakeServer *server = outer->server;
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autoptr(EmberFakeRequest) inner = NULL;
  g_autofree char *path = NULL;
  const char *url = item->url;
  const char *question;
  const EmberFakeFaultRule *rule = NULL;
  const char *authorization = ember_fake_request_header (outer, "Authorization");

  item->response = ember_fake_response_new ();

  if (g_str_has_prefix (url, "http://") || g_str_has_prefix (url, "https://"))
    {
      g_autoptr(EmberFakeRequest) scratch = ember_fake_request_new (server, item->method, url, NULL, NULL, NULL);

      scratch->seq = outer->seq;
      invalid_request (scratch, item->response, "The url of a batch request must be relative.");
      return;
    }

  if (authorization != NULL)
    soup_message_headers_append (headers, "Authorization", authorization);
  if (item->headers != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, item->headers);
      while (json_object_iter_next (&iter, &name, &value))
        if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
          soup_message_headers_replace (headers, name, json_node_get_string (value));
    }

  while (*url == '/')
    url++;
  question = strchr (url, '?');
  path = question != NULL ? g_strdup_printf ("/v1.0/%.*s", (int) (question - url), url)
                          : g_strdup_printf ("/v1.0/%s", url);
  inner = ember_fake_request_new (server, item->method, path, question != NULL ? question + 1 : NULL, headers, NULL);
  inner->in_batch = TRUE;
  inner->seq = ++server->log_seq;
  inner->batch_seq = outer->seq;

  if (server->faults != NULL)
    rule = ember_fake_faults_draw (server->faults, path, TRUE);
  if (rule != NULL)
    ember_fake_fault_reply (inner, item->response, rule, TRUE);
  else
    ember_fake_server_dispatch (server, inner, item->response);
  ember_fake_server_log (server, inner, item->response);
}

void
ember_fake_graph_handle_batch (EmberFakeRequest  *request,
                               EmberFakeResponse *response)
{
  EmberFakeServer *server = request->server;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (batch_item_free);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  JsonNode *root;
  JsonObject *object;
  JsonArray *requests;
  GString *body;
  EmberFakeJson json;
  guint total_cost = 0;
  guint concurrency;

  if (strcmp (request->method, "POST") != 0)
    {
      ember_fake_graph_error (request, response, 405, "Request_BadRequest", "$batch only accepts POST.");
      return;
    }
  if (!ember_fake_oauth_authenticate (request, response, EMBER_FAKE_PROVIDER_MICROSOFT, EMBER_FAKE_SCOPE_GRAPH_MAIL) &&
      response->status == 401)
    return;
  ember_fake_response_reset (response);
  request->account = NULL;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (request->body, NULL),
                                   g_bytes_get_size (request->body), NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (object = json_node_get_object (root)) == NULL ||
      !json_object_has_member (object, "requests") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "requests")))
    {
      invalid_request (request, response, "Invalid batch payload format.");
      return;
    }

  requests = json_object_get_array_member (object, "requests");
  if (json_array_get_length (requests) == 0 || json_array_get_length (requests) > MAX_BATCH_REQUESTS)
    {
      g_autofree char *message = g_strdup_printf ("The number of requests in a batch must be between 1 and %d.",
                                                  MAX_BATCH_REQUESTS);

      invalid_request (request, response, message);
      return;
    }

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonNode *node = json_array_get_element (requests, i);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      BatchItem *item;
      const char *id = entry != NULL && json_object_has_member (entry, "id") ? json_object_get_string_member_with_default (entry, "id", NULL) : NULL;
      const char *method = entry != NULL ? json_object_get_string_member_with_default (entry, "method", NULL) : NULL;
      const char *url = entry != NULL ? json_object_get_string_member_with_default (entry, "url", NULL) : NULL;

      if (id == NULL || method == NULL || url == NULL)
        {
          invalid_request (request, response, "Each batch request needs a string id, method and url.");
          return;
        }
      if (g_hash_table_contains (ids, id))
        {
          g_autofree char *message = g_strdup_printf ("Batch request ids must be unique; '%s' is repeated.", id);

          invalid_request (request, response, message);
          return;
        }

      item = g_new0 (BatchItem, 1);
      item->id = g_strdup (id);
      item->method = g_ascii_strup (method, -1);
      item->url = g_strdup (url);
      item->depends_on = g_ptr_array_new_with_free_func (g_free);
      if (json_object_has_member (entry, "headers") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (entry, "headers")))
        item->headers = json_object_ref (json_object_get_object_member (entry, "headers"));
      if (json_object_has_member (entry, "dependsOn") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (entry, "dependsOn")))
        {
          JsonArray *deps = json_object_get_array_member (entry, "dependsOn");

          for (guint k = 0; k < json_array_get_length (deps); k++)
            g_ptr_array_add (item->depends_on, g_strdup (json_array_get_string_element (deps, k)));
        }
      g_hash_table_add (ids, item->id);
      g_ptr_array_add (items, item);
    }
  for (guint i = 0; i < items->len; i++)
    {
      BatchItem *item = g_ptr_array_index (items, i);

      for (guint k = 0; k < item->depends_on->len; k++)
        if (!g_hash_table_contains (ids, g_ptr_array_index (item->depends_on, k)))
          {
            invalid_request (request, response, "A dependsOn entry names an unknown request id.");
            return;
          }
    }

  /* Graph hands up to four requests at a time to the mailbox; the ones
   * that depend on others wait for them. */
  concurrency = 4;
  for (;;)
    {
      g_autoptr(GPtrArray) wave = g_ptr_array_new ();

      for (guint i = 0; i < items->len; i++)
        {
          BatchItem *item = g_ptr_array_index (items, i);
          gboolean ready = !item->done;

          for (guint k = 0; k < item->depends_on->len && ready; k++)
            ready = find_batch_item (items, g_ptr_array_index (item->depends_on, k))->done;
          if (ready)
            g_ptr_array_add (wave, item);
        }
      if (wave->len == 0)
        break;

      for (guint start = 0; start < wave->len; start += concurrency)
        {
          guint end = MIN (start + concurrency, wave->len);

          for (guint i = start; i < end; i++)
            {
              BatchItem *item = g_ptr_array_index (wave, i);
              gboolean failed_dependency = FALSE;

              for (guint k = 0; k < item->depends_on->len; k++)
                {
                  BatchItem *dep = find_batch_item (items, g_ptr_array_index (item->depends_on, k));

                  failed_dependency |= dep->response->status >= 400;
                }
              if (failed_dependency)
                {
                  item->response = ember_fake_response_new ();
                  ember_fake_graph_error (request, item->response, 424, "FailedDependency",
                                          "A request this one depends on failed.");
                }
              else
                run_inner (request, item);
              total_cost += item->response->cost;
            }
          /* The chunk ran side by side: release its mailbox slots together. */
          for (guint i = start; i < end; i++)
            {
              BatchItem *item = g_ptr_array_index (wave, i);

              if (item->response->holds_graph_slot)
                {
                  ember_fake_quota_end_graph (server, item->response->account);
                  item->response->holds_graph_slot = FALSE;
                }
              item->done = TRUE;
              g_ptr_array_add (order, item);
            }
        }
    }

  /* Responses may come back in any order: clients must match on id. */
  for (guint i = order->len; i > 1; i--)
    {
      guint j = ember_fake_rng_below (&server->rng, i);
      gpointer tmp = order->pdata[i - 1];

      order->pdata[i - 1] = order->pdata[j];
      order->pdata[j] = tmp;
    }

  body = g_string_new (NULL);
  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  ember_fake_json_key (&json, "responses");
  ember_fake_json_begin_array (&json);
  for (guint i = 0; i < order->len; i++)
    {
      BatchItem *item = g_ptr_array_index (order, i);
      EmberFakeResponse *inner = item->response;

      ember_fake_json_begin_object (&json);
      ember_fake_json_member_string (&json, "id", item->id);
      ember_fake_json_member_int (&json, "status", inner->status);
      ember_fake_json_key (&json, "headers");
      ember_fake_json_begin_object (&json);
      for (guint k = 0; k < inner->headers->len; k += 2)
        ember_fake_json_member_string (&json, g_ptr_array_index (inner->headers, k),
                                       g_ptr_array_index (inner->headers, k + 1));
      if (inner->content_type != NULL)
        ember_fake_json_member_string (&json, "Content-Type", inner->content_type);
      ember_fake_json_end_object (&json);
      if (inner->body->len > 0)
        {
          ember_fake_json_key (&json, "body");
          if (inner->content_type != NULL && g_str_has_prefix (inner->content_type, "application/json"))
            ember_fake_json_raw (&json, inner->body->str, inner->body->len);
          else
            ember_fake_json_string_len (&json, inner->body->str, inner->body->len);
        }
      ember_fake_json_end_object (&json);
      if (request->account == NULL && inner->account != NULL)
        {
          g_free (response->account);
          response->account = g_strdup (inner->account);
        }
    }
  ember_fake_json_end_array (&json);
  ember_fake_json_end_object (&json);

  ok_json (request, response, body);
  response->cost = total_cost;
}
