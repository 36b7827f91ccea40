/* test-fake-graph.c: contract tests for the fake Microsoft Graph
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "fake-client.h"

#define CAROL "carol@contoso.test"

typedef FakeSignedIn Graph;

static void
graph_setup (Graph         *self,
             gconstpointer data)
{
  fake_signed_in_setup (self, CAROL);
}

typedef struct
{
  JsonArray *items;
  guint      pages;
  char      *delta_link;
} Round;

static void
round_clear (Round *round)
{
  g_clear_pointer (&round->items, json_array_unref);
  g_clear_pointer (&round->delta_link, g_free);
}

/* Follows @odata.nextLink until @odata.deltaLink. */
static Round
delta_round (Graph              *self,
             const char         *first,
             const char * const *headers,
             guint               page_limit)
{
  Round round = { json_array_new (), 0, NULL };
  g_autofree char *link = g_strdup (first);

  while (link != NULL)
    {
      g_autoptr(FakeReply) reply = fake_request (self->fixture, "GET", link, self->token, NULL, NULL, headers);
      JsonObject *object;
      JsonArray *value;

      fake_assert_status (reply, 200);
      g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (reply->headers, NULL), "application/json"));
      g_assert_nonnull (soup_message_headers_get_one (reply->headers, "request-id"));
      object = fake_reply_object (reply);
      fake_assert_member (object, "@odata.context", G_TYPE_STRING);
      fake_assert_member (object, "value", JSON_TYPE_ARRAY);
      value = json_object_get_array_member (object, "value");
      g_assert_cmpuint (json_array_get_length (value), <=, page_limit);
      for (guint i = 0; i < json_array_get_length (value); i++)
        json_array_add_element (round.items, json_node_copy (json_array_get_element (value, i)));
      round.pages++;
      g_clear_pointer (&link, g_free);
      if (json_object_has_member (object, "@odata.nextLink"))
        {
          g_assert_false (json_object_has_member (object, "@odata.deltaLink"));
          link = g_strdup (json_object_get_string_member (object, "@odata.nextLink"));
          g_assert_nonnull (strstr (link, "$skiptoken="));
        }
      else
        {
          fake_assert_member (object, "@odata.deltaLink", G_TYPE_STRING);
          round.delta_link = g_strdup (json_object_get_string_member (object, "@odata.deltaLink"));
          g_assert_nonnull (strstr (round.delta_link, "$deltatoken="));
        }
    }
  return round;
}

static JsonObject *
find_item (JsonArray  *items,
           const char *id)
{
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);

      if (g_str_equal (json_object_get_string_member (item, "id"), id))
        return item;
    }
  return NULL;
}

static JsonNode *
dataset (Graph *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = ember_fake_server_dup_account_json (self->fixture->server, CAROL, &error);
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

static void
test_me (Graph        *self,
         gconstpointer data)
{
  g_autoptr(FakeReply) me = fake_get (self->fixture, "/v1.0/me", self->token);
  g_autoptr(FakeReply) by_upn = fake_get (self->fixture, "/v1.0/users/carol@contoso.test", self->token);
  g_autoptr(FakeReply) other = fake_get (self->fixture, "/v1.0/users/dave@contoso.test/mailFolders", self->token);
  JsonObject *object;

  fake_assert_status (me, 200);
  object = fake_reply_object (me);
  fake_assert_member (object, "@odata.context", G_TYPE_STRING);
  fake_assert_member (object, "id", G_TYPE_STRING);
  fake_assert_member (object, "displayName", G_TYPE_STRING);
  fake_assert_member (object, "mail", G_TYPE_STRING);
  fake_assert_member (object, "userPrincipalName", G_TYPE_STRING);
  fake_assert_member (object, "businessPhones", JSON_TYPE_ARRAY);
  fake_assert_member (object, "jobTitle", G_TYPE_NONE);
  g_assert_cmpstr (json_object_get_string_member (object, "mail"), ==, CAROL);
  fake_assert_status (by_upn, 200);
  fake_assert_graph_error (other, 403, "ErrorAccessDenied");
}

static void
assert_folder_shape (JsonObject *folder)
{
  fake_assert_member (folder, "id", G_TYPE_STRING);
  fake_assert_member (folder, "displayName", G_TYPE_STRING);
  fake_assert_member (folder, "parentFolderId", G_TYPE_STRING);
  fake_assert_member (folder, "childFolderCount", G_TYPE_INT64);
  fake_assert_member (folder, "unreadItemCount", G_TYPE_INT64);
  fake_assert_member (folder, "totalItemCount", G_TYPE_INT64);
  fake_assert_member (folder, "isHidden", G_TYPE_BOOLEAN);
}

static JsonArray *
all_folders (Graph      *self,
             const char *first,
             guint      *out_pages)
{
  JsonArray *folders = json_array_new ();
  g_autofree char *link = g_strdup (first);
  guint pages = 0;

  while (link != NULL)
    {
      g_autoptr(FakeReply) reply = fake_get (self->fixture, link, self->token);
      JsonArray *value;

      fake_assert_status (reply, 200);
      value = json_object_get_array_member (fake_reply_object (reply), "value");
      for (guint i = 0; i < json_array_get_length (value); i++)
        {
          assert_folder_shape (json_array_get_object_element (value, i));
          json_array_add_element (folders, json_node_copy (json_array_get_element (value, i)));
        }
      pages++;
      g_clear_pointer (&link, g_free);
      if (json_object_has_member (fake_reply_object (reply), "@odata.nextLink"))
        link = g_strdup (json_object_get_string_member (fake_reply_object (reply), "@odata.nextLink"));
    }
  *out_pages = pages;
  return folders;
}

static void
test_folders (Graph        *self,
              gconstpointer data)
{
  guint pages = 0;
  g_autoptr(JsonArray) top = all_folders (self, "/v1.0/me/mailFolders", &pages);
  g_autoptr(JsonArray) with_hidden = NULL;
  g_autoptr(JsonArray) children = NULL;
  g_autoptr(JsonNode) data_node = dataset (self);
  JsonObject *inbox = NULL;
  gint64 total = 0;

  /* Eleven visible top-level folders: two pages of the default ten. */
  g_assert_cmpuint (pages, ==, 2);
  g_assert_cmpuint (json_array_get_length (top), ==, 11);
  for (guint i = 0; i < json_array_get_length (top); i++)
    {
      JsonObject *folder = json_array_get_object_element (top, i);

      g_assert_false (json_object_get_boolean_member (folder, "isHidden"));
      if (g_str_equal (json_object_get_string_member (folder, "displayName"), "Inbox"))
        inbox = folder;
    }
  g_assert_nonnull (inbox);
  g_assert_cmpint (json_object_get_int_member (inbox, "childFolderCount"), ==, 2);

  with_hidden = all_folders (self, "/v1.0/me/mailFolders?includeHiddenFolders=true", &pages);
  g_assert_cmpuint (json_array_get_length (with_hidden), ==, 12);

  children = all_folders (self, "/v1.0/me/mailFolders/inbox/childFolders", &pages);
  g_assert_cmpuint (json_array_get_length (children), ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (children, i), "parentFolderId"),
                     ==, json_object_get_string_member (inbox, "id"));

  {
    g_autoptr(FakeReply) by_name = fake_get (self->fixture, "/v1.0/me/mailFolders/inbox", self->token);
    g_autoptr(FakeReply) missing = fake_get (self->fixture, "/v1.0/me/mailFolders/AAMkNOPE", self->token);

    fake_assert_status (by_name, 200);
    g_assert_cmpstr (json_object_get_string_member (fake_reply_object (by_name), "id"), ==,
                     json_object_get_string_member (inbox, "id"));
    fake_assert_graph_error (missing, 404, "ErrorItemNotFound");
  }

  /* The folders hold every message. */
  {
    JsonArray *folders = json_object_get_array_member (json_node_get_object (data_node), "folders");

    for (guint i = 0; i < json_array_get_length (folders); i++)
      total += json_object_get_int_member (json_array_get_object_element (folders, i), "messageCount");
    g_assert_cmpint (total, ==, json_object_get_int_member (json_node_get_object (data_node), "messageCount"));
  }
}

static GPtrArray *
dataset_folder_ids (Graph      *self,
                    const char *folder)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = ember_fake_server_list_message_ids (self->fixture->server, CAROL, folder, &error);
  GPtrArray *array = g_ptr_array_new_with_free_func (g_free);

  g_assert_no_error (error);
  for (guint i = 0; ids[i] != NULL; i++)
    g_ptr_array_add (array, g_strdup (ids[i]));
  return array;
}

static void
test_message_delta (Graph        *self,
                    gconstpointer data)
{
  const char * const prefer[] = { "Prefer", "odata.maxpagesize=25", NULL };
  static const char *allowed[] = { "@odata.type", "@odata.etag", "id", "subject", "isRead", "from",
                                   "receivedDateTime", "parentFolderId" };
  Round initial = delta_round (self, "/v1.0/me/mailFolders/inbox/messages/delta"
                                     "?$select=subject,isRead,from,receivedDateTime,parentFolderId", prefer, 25);
  g_autoptr(GPtrArray) inbox = dataset_folder_ids (self, "inbox");
  g_autoptr(GError) error = NULL;
  const char *read_id = NULL;
  const char *move_id = NULL;
  const char *delete_id = NULL;
  g_autofree char *added = NULL;
  g_autofree char *moved = NULL;
  EmberFakeMessageSpec spec = { 0, };
  Round next;

  /* Every inbox message once, with only the selected properties. */
  g_assert_cmpuint (json_array_get_length (initial.items), ==, inbox->len);
  g_assert_cmpuint (initial.pages, ==, MAX (1, (inbox->len + 24) / 25));
  for (guint i = 0; i < json_array_get_length (initial.items); i++)
    {
      JsonObject *item = json_array_get_object_element (initial.items, i);
      g_autoptr(GList) members = json_object_get_members (item);

      for (GList *l = members; l != NULL; l = l->next)
        {
          gboolean ok = FALSE;

          for (guint k = 0; k < G_N_ELEMENTS (allowed) && !ok; k++)
            ok = g_str_equal (l->data, allowed[k]);
          if (!ok)
            g_error ("unselected property “%s” in a delta item", (char *) l->data);
        }
      fake_assert_member (item, "isRead", G_TYPE_BOOLEAN);
      fake_assert_member (item, "from", JSON_TYPE_OBJECT);
      fake_assert_member (item, "@odata.etag", G_TYPE_STRING);
      g_assert_true (g_str_has_suffix (json_object_get_string_member (item, "receivedDateTime"), "Z"));
      g_assert_false (json_object_has_member (item, "@removed"));
      if (read_id == NULL && !json_object_get_boolean_member (item, "isRead"))
        read_id = json_object_get_string_member (item, "id");
    }
  for (guint i = 0; i < inbox->len; i++)
    g_assert_nonnull (find_item (initial.items, g_ptr_array_index (inbox, i)));
  for (guint i = 0; i < inbox->len && (move_id == NULL || delete_id == NULL); i++)
    {
      const char *id = g_ptr_array_index (inbox, i);

      if (g_strcmp0 (id, read_id) == 0)
        continue;
      if (move_id == NULL)
        move_id = id;
      else
        delete_id = id;
    }
  g_assert_nonnull (read_id);

  spec.subject = "Delta newcomer";
  spec.unread = TRUE;
  added = ember_fake_server_add_message (self->fixture->server, CAROL, &spec, &error);
  g_assert_no_error (error);
  g_assert_true (ember_fake_server_set_message_unread (self->fixture->server, CAROL, read_id, FALSE, &error));
  moved = ember_fake_server_move_message (self->fixture->server, CAROL, move_id, "archive", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (moved, !=, move_id);
  g_assert_true (ember_fake_server_delete_message (self->fixture->server, CAROL, delete_id, &error));

  /* The next round: exactly those four, the deltaLink keeping $select. */
  next = delta_round (self, initial.delta_link, prefer, 25);
  g_assert_cmpuint (json_array_get_length (next.items), ==, 4);
  {
    JsonObject *newcomer = find_item (next.items, added);
    JsonObject *read = find_item (next.items, read_id);
    JsonObject *moved_out = find_item (next.items, move_id);
    JsonObject *deleted = find_item (next.items, delete_id);

    g_assert_nonnull (newcomer);
    g_assert_cmpstr (json_object_get_string_member (newcomer, "subject"), ==, "Delta newcomer");
    g_assert_false (json_object_has_member (newcomer, "body"));
    g_assert_nonnull (read);
    g_assert_true (json_object_get_boolean_member (read, "isRead"));
    g_assert_nonnull (moved_out);
    fake_assert_member (moved_out, "@removed", JSON_TYPE_OBJECT);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (moved_out, "@removed"), "reason"),
                     ==, "changed");
    g_assert_nonnull (deleted);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (deleted, "@removed"), "reason"),
                     ==, "deleted");
    g_assert_cmpuint (json_object_get_size (deleted), ==, 3);
  }

  {
    /* The moved message shows up in Archive under its new id. */
    Round archive = delta_round (self, "/v1.0/me/mailFolders/archive/messages/delta", NULL, 10);
    JsonObject *arrived = find_item (archive.items, moved);

    g_assert_nonnull (arrived);
    /* No $select: the default properties, body included. */
    fake_assert_member (arrived, "body", JSON_TYPE_OBJECT);
    fake_assert_member (arrived, "internetMessageId", G_TYPE_STRING);
    fake_assert_member (arrived, "conversationId", G_TYPE_STRING);
    fake_assert_member (arrived, "toRecipients", JSON_TYPE_ARRAY);
    g_assert_cmpuint (archive.pages, >, 1);
    round_clear (&archive);
  }

  {
    Round quiet = delta_round (self, next.delta_link, NULL, 10);

    g_assert_cmpuint (json_array_get_length (quiet.items), ==, 0);
    round_clear (&quiet);
  }

  {
    g_autoptr(FakeReply) bad_select = fake_get (self->fixture, "/v1.0/me/mailFolders/inbox/messages/delta?$select=nope",
                                                self->token);
    g_autoptr(FakeReply) expired = NULL;
    g_autoptr(FakeReply) preferred = fake_request (self->fixture, "GET", "/v1.0/me/mailFolders/inbox/messages/delta",
                                                   self->token, NULL, NULL, prefer);

    fake_assert_graph_error (bad_select, 400, "RequestBroker--ParseUri");
    fake_assert_status (preferred, 200);
    g_assert_cmpstr (soup_message_headers_get_one (preferred->headers, "Preference-Applied"), ==, "odata.maxpagesize=25");

    g_assert_true (ember_fake_server_expire_cursors (self->fixture->server, CAROL, EMBER_FAKE_CURSOR_DELTA, &error));
    expired = fake_get (self->fixture, next.delta_link, self->token);
    fake_assert_graph_error (expired, 410, "SyncStateNotFound");
    g_assert_nonnull (strstr (json_object_get_string_member (json_object_get_object_member (fake_reply_object (expired), "error"), "message"),
                              "sync state generation is not found"));
  }

  round_clear (&initial);
  round_clear (&next);
}

#define WINDOW "startDateTime=2026-01-31T00:00:00Z&endDateTime=2026-06-01T00:00:00Z"

static gint64
graph_time (JsonObject *item,
            const char *member)
{
  JsonObject *when = json_object_get_object_member (item, member);
  const char *text = json_object_get_string_member (when, "dateTime");
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) parsed = NULL;

  /* "2026-02-01T10:00:00.0000000": seven digits, no offset. */
  g_assert_cmpuint (strlen (text), ==, 27);
  g_assert_null (strchr (text + 19, 'Z'));
  parsed = g_date_time_new_from_iso8601 (text, utc);
  g_assert_nonnull (parsed);
  return g_date_time_to_unix (parsed);
}

static void
test_calendar_delta (Graph        *self,
                     gconstpointer data)
{
  const char * const prefer[] = { "Prefer", "odata.maxpagesize=20", NULL };
  Round initial = delta_round (self, "/v1.0/me/calendarView/delta?" WINDOW, prefer, 20);
  g_autoptr(GDateTime) window_start = g_date_time_new_from_iso8601 ("2026-01-31T00:00:00Z", NULL);
  g_autoptr(GDateTime) window_end = g_date_time_new_from_iso8601 ("2026-06-01T00:00:00Z", NULL);
  gboolean saw_single = FALSE;
  gboolean saw_occurrence = FALSE;
  gboolean saw_all_day = FALSE;
  gboolean saw_windows_zone = FALSE;
  const char *single_id = NULL;
  const char *deleted_id = NULL;
  const char *occurrence_id = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *added = NULL;
  EmberFakeEventSpec spec = { 0, };
  Round next;

  g_assert_cmpuint (json_array_get_length (initial.items), >, 0);
  for (guint i = 0; i < json_array_get_length (initial.items); i++)
    {
      JsonObject *item = json_array_get_object_element (initial.items, i);
      const char *type;
      gint64 start = graph_time (item, "start");
      gint64 end = graph_time (item, "end");

      fake_assert_member (item, "id", G_TYPE_STRING);
      fake_assert_member (item, "subject", G_TYPE_STRING);
      fake_assert_member (item, "isAllDay", G_TYPE_BOOLEAN);
      fake_assert_member (item, "isCancelled", G_TYPE_BOOLEAN);
      fake_assert_member (item, "originalStartTimeZone", G_TYPE_STRING);
      fake_assert_member (item, "type", G_TYPE_STRING);
      fake_assert_member (item, "changeKey", G_TYPE_STRING);
      fake_assert_member (item, "iCalUId", G_TYPE_STRING);
      fake_assert_member (item, "organizer", JSON_TYPE_OBJECT);
      fake_assert_member (item, "location", JSON_TYPE_OBJECT);
      g_assert_false (json_object_has_member (item, "@removed"));
      /* UTC unless asked otherwise. */
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (item, "start"), "timeZone"), ==, "UTC");
      g_assert_cmpint (end, >, g_date_time_to_unix (window_start));
      g_assert_cmpint (start, <, g_date_time_to_unix (window_end));

      type = json_object_get_string_member (item, "type");
      if (g_str_equal (type, "singleInstance"))
        {
          fake_assert_member (item, "seriesMasterId", G_TYPE_NONE);
          if (!json_object_get_boolean_member (item, "isAllDay") && !json_object_get_boolean_member (item, "isCancelled"))
            {
              if (single_id == NULL)
                single_id = json_object_get_string_member (item, "id");
              else if (deleted_id == NULL)
                deleted_id = json_object_get_string_member (item, "id");
            }
          saw_single = TRUE;
        }
      else
        {
          g_assert_true (g_str_equal (type, "occurrence") || g_str_equal (type, "exception"));
          fake_assert_member (item, "seriesMasterId", G_TYPE_STRING);
          fake_assert_member (item, "originalStart", G_TYPE_STRING);
          if (g_str_equal (type, "occurrence") && occurrence_id == NULL)
            occurrence_id = json_object_get_string_member (item, "id");
          saw_occurrence = TRUE;
        }
      if (json_object_get_boolean_member (item, "isAllDay"))
        {
          g_assert_true (g_str_has_suffix (json_object_get_string_member (json_object_get_object_member (item, "start"), "dateTime"),
                                           "T00:00:00.0000000"));
          saw_all_day = TRUE;
        }
      saw_windows_zone |= strstr (json_object_get_string_member (item, "originalStartTimeZone"), "Standard Time") != NULL;
    }
  g_assert_true (saw_single);
  g_assert_true (saw_occurrence);
  g_assert_true (saw_all_day);
  g_assert_true (saw_windows_zone);
  g_assert_nonnull (single_id);
  g_assert_nonnull (deleted_id);
  g_assert_nonnull (occurrence_id);

  {
    /* Prefer: outlook.timezone converts start and end. */
    const char * const pacific[] = { "Prefer", "outlook.timezone=\"Pacific Standard Time\"", NULL };
    Round local = delta_round (self, "/v1.0/me/calendarView/delta?" WINDOW, pacific, 10);
    JsonObject *utc_item = find_item (initial.items, single_id);
    JsonObject *local_item = find_item (local.items, single_id);
    gint64 difference;

    g_assert_nonnull (local_item);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (local_item, "start"), "timeZone"), ==,
                     "Pacific Standard Time");
    difference = graph_time (utc_item, "start") - graph_time (local_item, "start");
    g_assert_true (difference == 8 * 3600 || difference == 7 * 3600);
    round_clear (&local);
  }

  spec.summary = "Planning, added";
  spec.start = 1772532000;
  spec.end = spec.start + 3600;
  spec.time_zone = "Europe/Berlin";
  spec.set_times = TRUE;
  added = ember_fake_server_add_event (self->fixture->server, CAROL, &spec, &error);
  g_assert_no_error (error);
  memset (&spec, 0, sizeof spec);
  spec.summary = "Renamed single";
  g_assert_true (ember_fake_server_change_event (self->fixture->server, CAROL, single_id, &spec, &error));
  g_assert_true (ember_fake_server_cancel_event (self->fixture->server, CAROL, occurrence_id, &error));
  g_assert_true (ember_fake_server_delete_event (self->fixture->server, CAROL, deleted_id, &error));
  g_assert_no_error (error);

  next = delta_round (self, initial.delta_link, prefer, 20);
  g_assert_cmpuint (json_array_get_length (next.items), ==, 4);
  {
    JsonObject *new_item = find_item (next.items, added);
    JsonObject *renamed = find_item (next.items, single_id);
    JsonObject *cancelled = find_item (next.items, occurrence_id);
    JsonObject *deleted = find_item (next.items, deleted_id);

    g_assert_nonnull (new_item);
    g_assert_cmpstr (json_object_get_string_member (new_item, "originalStartTimeZone"), ==, "W. Europe Standard Time");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (new_item, "start"), "dateTime"), ==,
                     "2026-03-03T10:00:00.0000000");
    g_assert_nonnull (renamed);
    g_assert_cmpstr (json_object_get_string_member (renamed, "subject"), ==, "Renamed single");
    g_assert_nonnull (cancelled);
    fake_assert_member (cancelled, "@removed", JSON_TYPE_OBJECT);
    g_assert_nonnull (deleted);
    fake_assert_member (deleted, "@removed", JSON_TYPE_OBJECT);
  }

  {
    /* A cancelled meeting stays, flagged; a deleted one is removed. */
    g_autofree char *meeting = NULL;
    Round cancelled_round;
    JsonObject *item;

    memset (&spec, 0, sizeof spec);
    spec.summary = "Cancelled by the organizer";
    spec.start = 1772532000 + 86400;
    spec.end = spec.start + 3600;
    spec.set_times = TRUE;
    meeting = ember_fake_server_add_event (self->fixture->server, CAROL, &spec, &error);
    g_assert_no_error (error);
    g_assert_true (ember_fake_server_cancel_event (self->fixture->server, CAROL, meeting, &error));
    cancelled_round = delta_round (self, next.delta_link, NULL, 10);
    item = find_item (cancelled_round.items, meeting);
    g_assert_nonnull (item);
    g_assert_false (json_object_has_member (item, "@removed"));
    g_assert_true (json_object_get_boolean_member (item, "isCancelled"));
    g_assert_cmpstr (json_object_get_string_member (item, "originalStartTimeZone"), ==, "tzone://Microsoft/Utc");
    g_free (next.delta_link);
    next.delta_link = g_strdup (cancelled_round.delta_link);
    round_clear (&cancelled_round);
  }

  {
    /* Moved out of the window: a removal for this window. */
    Round after_move;

    memset (&spec, 0, sizeof spec);
    spec.set_times = TRUE;
    spec.start = 1772532000 + 400 * 86400;
    spec.end = spec.start + 3600;
    g_assert_true (ember_fake_server_change_event (self->fixture->server, CAROL, added, &spec, &error));
    after_move = delta_round (self, next.delta_link, NULL, 10);
    g_assert_cmpuint (json_array_get_length (after_move.items), ==, 1);
    fake_assert_member (find_item (after_move.items, added), "@removed", JSON_TYPE_OBJECT);
    round_clear (&after_move);
  }

  {
    g_autoptr(FakeReply) no_window = fake_get (self->fixture, "/v1.0/me/calendarView/delta", self->token);
    g_autoptr(FakeReply) expired = NULL;

    fake_assert_graph_error (no_window, 400, "ErrorInvalidParameter");
    g_assert_true (ember_fake_server_expire_cursors (self->fixture->server, CAROL, EMBER_FAKE_CURSOR_DELTA, &error));
    expired = fake_get (self->fixture, next.delta_link, self->token);
    fake_assert_graph_error (expired, 410, "SyncStateNotFound");
  }

  round_clear (&initial);
  round_clear (&next);
}

static void
test_batch (Graph        *self,
            gconstpointer data)
{
  const char *body = "{\"requests\":["
                     "{\"id\":\"1\",\"method\":\"GET\",\"url\":\"/me\"},"
                     "{\"id\":\"2\",\"method\":\"GET\",\"url\":\"/me/mailFolders/inbox\"},"
                     "{\"id\":\"3\",\"method\":\"GET\",\"url\":\"/me/messages/AAMkNOPE\"},"
                     "{\"id\":\"4\",\"method\":\"GET\",\"url\":\"/me/messages/AAMkNOPE\"},"
                     "{\"id\":\"5\",\"method\":\"GET\",\"url\":\"/me\",\"dependsOn\":[\"4\"]}"
                     "]}";
  g_autoptr(FakeReply) reply = NULL;
  JsonArray *responses;
  const guint expected[] = { 0, 200, 200, 404, 404, 424 };
  g_autoptr(GPtrArray) log = NULL;
  guint64 outer = 0;
  guint inner = 0;

  ember_fake_server_clear_request_log (self->fixture->server);
  reply = fake_request (self->fixture, "POST", "/v1.0/$batch", self->token, "application/json", body, NULL);
  fake_assert_status (reply, 200);
  fake_assert_member (fake_reply_object (reply), "responses", JSON_TYPE_ARRAY);
  responses = json_object_get_array_member (fake_reply_object (reply), "responses");
  g_assert_cmpuint (json_array_get_length (responses), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      JsonObject *response = json_array_get_object_element (responses, i);
      guint64 id;

      fake_assert_member (response, "id", G_TYPE_STRING);
      fake_assert_member (response, "status", G_TYPE_INT64);
      fake_assert_member (response, "headers", JSON_TYPE_OBJECT);
      fake_assert_member (response, "body", JSON_TYPE_OBJECT);
      g_assert_true (g_ascii_string_to_unsigned (json_object_get_string_member (response, "id"), 10, 1, 5, &id, NULL));
      g_assert_cmpint (json_object_get_int_member (response, "status"), ==, expected[id]);
    }

  log = ember_fake_server_get_request_log (self->fixture->server);
  for (guint i = 0; i < log->len; i++)
    if (g_str_equal (((EmberFakeLogEntry *) g_ptr_array_index (log, i))->path, "/v1.0/$batch"))
      outer = ((EmberFakeLogEntry *) g_ptr_array_index (log, i))->seq;
  for (guint i = 0; i < log->len; i++)
    inner += ((EmberFakeLogEntry *) g_ptr_array_index (log, i))->batch_seq == outer;
  g_assert_cmpuint (inner, ==, 4);

  {
    GString *many = g_string_new ("{\"requests\":[");
    g_autoptr(FakeReply) too_many = NULL;
    g_autoptr(FakeReply) duplicate = NULL;
    g_autoptr(FakeReply) malformed = NULL;

    for (guint i = 0; i < 21; i++)
      g_string_append_printf (many, "%s{\"id\":\"%u\",\"method\":\"GET\",\"url\":\"/me\"}", i > 0 ? "," : "", i);
    g_string_append (many, "]}");
    too_many = fake_request (self->fixture, "POST", "/v1.0/$batch", self->token, "application/json", many->str, NULL);
    g_string_free (many, TRUE);
    fake_assert_graph_error (too_many, 400, "BadRequest");

    duplicate = fake_request (self->fixture, "POST", "/v1.0/$batch", self->token, "application/json",
                              "{\"requests\":[{\"id\":\"1\",\"method\":\"GET\",\"url\":\"/me\"},"
                              "{\"id\":\"1\",\"method\":\"GET\",\"url\":\"/me\"}]}", NULL);
    fake_assert_graph_error (duplicate, 400, "BadRequest");
    malformed = fake_request (self->fixture, "POST", "/v1.0/$batch", self->token, "application/json", "{\"requests\":", NULL);
    fake_assert_graph_error (malformed, 400, "BadRequest");
  }
}

static const char *
folder_id_named (JsonArray  *folders,
                 const char *name)
{
  for (guint i = 0; i < json_array_get_length (folders); i++)
    {
      JsonObject *folder = json_array_get_object_element (folders, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (folder, "displayName", NULL), name) == 0)
        return json_object_get_string_member (folder, "id");
    }
  g_error ("no folder named %s", name);
}

static void
test_folder_delta (Graph        *self,
                   gconstpointer data)
{
  const char * const prefer[] = { "Prefer", "odata.maxpagesize=4", NULL };
  Round initial = delta_round (self, "/v1.0/me/mailFolders/delta", prefer, 4);
  Round selected = delta_round (self, "/v1.0/me/mailFolders/delta?$select=displayName,parentFolderId", NULL, 10);
  g_autoptr(JsonNode) data_node = dataset (self);
  JsonArray *folders = json_object_get_array_member (json_node_get_object (data_node), "folders");
  g_autoptr(GError) error = NULL;
  g_autofree char *added = NULL;
  const char *root_id = NULL;
  const char *inbox_id = NULL;
  const char *projects_id = NULL;
  const char *ember_id = NULL;
  const char *newsletters_id = NULL;
  Round next;
  Round quiet;

  /* Every folder below the root, nested ones too, once; hidden ones
   * marked. */
  for (guint i = 0; i < json_array_get_length (folders); i++)
    {
      JsonObject *folder = json_array_get_object_element (folders, i);
      const char *id = json_object_get_string_member (folder, "id");
      const char *well_known = json_object_get_string_member_with_default (folder, "wellKnownName", NULL);
      JsonObject *item = find_item (initial.items, id);

      if (g_strcmp0 (well_known, "msgfolderroot") == 0)
        {
          root_id = id;
          g_assert_null (item);
          continue;
        }
      g_assert_nonnull (item);
      assert_folder_shape (item);
      g_assert_cmpstr (json_object_get_string_member (item, "parentFolderId"), ==,
                       json_object_get_string_member (folder, "parentFolderId"));
      g_assert_cmpint (json_object_get_boolean_member (item, "isHidden"), ==,
                       g_strcmp0 (well_known, "syncissues") == 0);
    }
  g_assert_nonnull (root_id);
  g_assert_cmpuint (json_array_get_length (initial.items), ==, json_array_get_length (folders) - 1);
  g_assert_cmpuint (initial.pages, ==, (json_array_get_length (initial.items) + 3) / 4);

  inbox_id = folder_id_named (initial.items, "Inbox");
  projects_id = folder_id_named (initial.items, "Projects");
  ember_id = folder_id_named (initial.items, "Ember");
  newsletters_id = folder_id_named (initial.items, "Newsletters");
  g_assert_cmpstr (json_object_get_string_member (find_item (initial.items, inbox_id), "parentFolderId"), ==, root_id);
  g_assert_cmpstr (json_object_get_string_member (find_item (initial.items, projects_id), "parentFolderId"), ==,
                   inbox_id);
  g_assert_cmpstr (json_object_get_string_member (find_item (initial.items, ember_id), "parentFolderId"), ==,
                   projects_id);

  /* $select keeps to what was asked, through every page. */
  g_assert_cmpuint (json_array_get_length (selected.items), ==, json_array_get_length (initial.items));
  for (guint i = 0; i < json_array_get_length (selected.items); i++)
    {
      JsonObject *item = json_array_get_object_element (selected.items, i);

      g_assert_cmpuint (json_object_get_size (item), ==, 3);
      fake_assert_member (item, "displayName", G_TYPE_STRING);
      fake_assert_member (item, "parentFolderId", G_TYPE_STRING);
    }

  /* A new nested folder, a rename, and a deleted subtree. */
  added = ember_fake_server_add_folder (self->fixture->server, CAROL, "Invoices", "inbox", &error);
  g_assert_no_error (error);
  g_assert_true (ember_fake_server_rename_folder (self->fixture->server, CAROL, newsletters_id, "News", &error));
  g_assert_no_error (error);
  g_assert_true (ember_fake_server_delete_folder (self->fixture->server, CAROL, projects_id, &error));
  g_assert_no_error (error);
  g_assert_false (ember_fake_server_delete_folder (self->fixture->server, CAROL, inbox_id, &error));
  g_clear_error (&error);

  next = delta_round (self, initial.delta_link, prefer, 4);
  g_assert_cmpuint (json_array_get_length (next.items), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (find_item (next.items, added), "parentFolderId"), ==, inbox_id);
  g_assert_cmpstr (json_object_get_string_member (find_item (next.items, added), "displayName"), ==, "Invoices");
  g_assert_cmpstr (json_object_get_string_member (find_item (next.items, newsletters_id), "displayName"), ==, "News");
  fake_assert_member (find_item (next.items, projects_id), "@removed", JSON_TYPE_OBJECT);
  fake_assert_member (find_item (next.items, ember_id), "@removed", JSON_TYPE_OBJECT);

  /* Nothing since: an empty round. */
  quiet = delta_round (self, next.delta_link, prefer, 4);
  g_assert_cmpuint (json_array_get_length (quiet.items), ==, 0);
  g_assert_cmpuint (quiet.pages, ==, 1);

  /* Expired tokens answer 410, the next and delta links alike. */
  g_assert_true (ember_fake_server_expire_cursors (self->fixture->server, CAROL, EMBER_FAKE_CURSOR_DELTA, &error));
  g_assert_no_error (error);
  {
    g_autoptr(FakeReply) gone = fake_get (self->fixture, quiet.delta_link, self->token);
    g_autoptr(FakeReply) bad_select = fake_get (self->fixture, "/v1.0/me/mailFolders/delta?$select=subject",
                                                self->token);

    fake_assert_graph_error (gone, 410, "SyncStateNotFound");
    fake_assert_graph_error (bad_select, 400, "RequestBroker--ParseUri");
  }

  round_clear (&initial);
  round_clear (&selected);
  round_clear (&next);
  round_clear (&quiet);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ember/fake/graph/me", Graph, NULL, graph_setup, test_me, fake_signed_in_teardown);
  g_test_add ("/ember/fake/graph/folders", Graph, NULL, graph_setup, test_folders, fake_signed_in_teardown);
  g_test_add ("/ember/fake/graph/folder-delta", Graph, NULL, graph_setup, test_folder_delta, fake_signed_in_teardown);
  g_test_add ("/ember/fake/graph/message-delta", Graph, NULL, graph_setup, test_message_delta, fake_signed_in_teardown);
  g_test_add ("/ember/fake/graph/calendar-delta", Graph, NULL, graph_setup, test_calendar_delta, fake_signed_in_teardown);
  g_test_add ("/ember/fake/graph/batch", Graph, NULL, graph_setup, test_batch, fake_signed_in_teardown);

  return g_test_run ();
}
