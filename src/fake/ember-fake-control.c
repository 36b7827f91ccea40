/* ember-fake-control.c: the /_fake/ control API
 *
 * Runs with the server lock held, so it calls the dataset directly rather
 * than the public (locking) C API.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-fake"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ember-fake-mime.h"
#include "ember-fake-private.h"

static void
reply (EmberFakeResponse *response,
       guint              status,
       GString           *body)
{
  ember_fake_response_set_json (response, status, body);
  g_free (response->content_type);
  response->content_type = g_strdup ("application/json");
}

static void
reply_error (EmberFakeResponse *response,
             guint              status,
             const char        *message)
{
  GString *body = g_string_new (NULL);
  EmberFakeJson json;

  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  ember_fake_json_member_string (&json, "error", message);
  ember_fake_json_end_object (&json);
  reply (response, status, body);
}

static void
reply_gerror (EmberFakeResponse *response,
              const GError      *error)
{
  reply_error (response, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ? 404 : 400, error->message);
}

static void
reply_ok (EmberFakeResponse *response,
          const char        *id)
{
  GString *body = g_string_new (NULL);
  EmberFakeJson json;

  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  ember_fake_json_member_bool (&json, "ok", TRUE);
  if (id != NULL)
    ember_fake_json_member_string (&json, "id", id);
  ember_fake_json_end_object (&json);
  reply (response, 200, body);
}

static char *
date_text (gint64   unix_sec,
           gboolean all_day)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (unix_sec);

  return g_date_time_format (when, all_day ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ");
}

static void
write_message_summary (EmberFakeJson    *json,
                       EmberFakeAccount *account,
                       EmberFakeMessage *message)
{
  g_autofree char *date = date_text (message->date_ms / 1000, FALSE);

  ember_fake_json_begin_object (json);
  ember_fake_json_member_string (json, "id", message->id);
  ember_fake_json_member_string (json, "threadId", message->thread_id);
  ember_fake_json_member_string (json, "internetMessageId", message->internet_message_id);
  ember_fake_json_member_string (json, "subject", message->subject);
  ember_fake_json_member_string (json, "from", message->from.address);
  ember_fake_json_member_string (json, "date", date);
  ember_fake_json_member_bool (json, "unread", message->unread);
  if (account->provider == EMBER_FAKE_PROVIDER_GOOGLE)
    {
      g_autofree const char **labels = ember_fake_message_label_ids (message);

      ember_fake_json_member_strv (json, "labels", labels);
      ember_fake_json_member_int_str (json, "historyId", message->history_id);
    }
  else
    {
      EmberFakeFolder *folder = ember_fake_account_find_folder (account, message->folder_id);

      ember_fake_json_member_string (json, "folderId", message->folder_id);
      ember_fake_json_member_string (json, "folder", folder->well_known != NULL ? folder->well_known : folder->display_name);
      ember_fake_json_key (json, "categories");
      ember_fake_json_begin_array (json);
      for (guint i = 0; i < message->labels->len; i++)
        ember_fake_json_string (json, g_ptr_array_index (message->labels, i));
      ember_fake_json_end_array (json);
    }
  ember_fake_json_end_object (json);
}

static void
write_event_summary (EmberFakeJson  *json,
                     EmberFakeEvent *event)
{
  g_autofree char *start = date_text (event->start, event->all_day);
  g_autofree char *end = date_text (event->end, event->all_day);
  g_autoptr(GArray) instances = ember_fake_event_expand (event);
  guint live = 0;

  for (guint i = 0; i < instances->len; i++)
    live += !g_array_index (instances, EmberFakeInstance, i).cancelled;

  ember_fake_json_begin_object (json);
  ember_fake_json_member_string (json, "id", event->id);
  ember_fake_json_member_string (json, "calendar", event->calendar_id);
  ember_fake_json_member_string (json, "summary", event->summary);
  ember_fake_json_member_string (json, "start", start);
  ember_fake_json_member_string (json, "end", end);
  ember_fake_json_member_bool (json, "allDay", event->all_day);
  ember_fake_json_member_string (json, "timeZone", event->time_zone);
  ember_fake_json_member_string (json, "status", event->deleted ? "deleted" : event->cancelled ? "cancelled"
                                 : event->tentative ? "tentative" : "confirmed");
  if (event->recurrence.freq != EMBER_FAKE_FREQ_NONE)
    {
      g_autofree char *rule = ember_fake_recurrence_to_string (&event->recurrence, event->start, event->all_day,
                                                               ember_fake_time_zone (event->time_zone));

      ember_fake_json_member_string (json, "recurrence", rule);
    }
  else
    ember_fake_json_member_null (json, "recurrence");
  ember_fake_json_member_int (json, "instances", instances->len);
  ember_fake_json_member_int (json, "liveInstances", live);
  ember_fake_json_end_object (json);
}

static void
write_account (EmberFakeJson    *json,
               EmberFakeAccount *account,
               gboolean          with_data)
{
  gboolean google = account->provider == EMBER_FAKE_PROVIDER_GOOGLE;

  ember_fake_json_begin_object (json);
  ember_fake_json_member_string (json, "email", account->email);
  ember_fake_json_member_string (json, "displayName", account->display_name);
  ember_fake_json_member_string (json, "provider", google ? "google" : "microsoft");
  ember_fake_json_member_int (json, "messageCount", account->messages->len);
  if (google)
    ember_fake_json_member_int_str (json, "historyId", account->history_id);

  if (with_data)
    {
      GPtrArray *by_date = ember_fake_account_messages_by_date (account);

      if (google)
        {
          ember_fake_json_key (json, "labels");
          ember_fake_json_begin_array (json);
          for (guint i = 0; i < account->labels->len; i++)
            {
              EmberFakeLabel *label = g_ptr_array_index (account->labels, i);

              ember_fake_json_begin_object (json);
              ember_fake_json_member_string (json, "id", label->id);
              ember_fake_json_member_string (json, "name", label->name);
              ember_fake_json_end_object (json);
            }
          ember_fake_json_end_array (json);
        }
      else
        {
          ember_fake_json_key (json, "folders");
          ember_fake_json_begin_array (json);
          for (guint i = 0; i < account->folders->len; i++)
            {
              EmberFakeFolder *folder = g_ptr_array_index (account->folders, i);

              ember_fake_json_begin_object (json);
              ember_fake_json_member_string (json, "id", folder->id);
              ember_fake_json_member_string (json, "wellKnownName", folder->well_known);
              ember_fake_json_member_string (json, "displayName", folder->display_name);
              ember_fake_json_member_string (json, "parentFolderId", folder->parent_id);
              ember_fake_json_member_int (json, "messageCount", folder->members->len);
              ember_fake_json_end_object (json);
            }
          ember_fake_json_end_array (json);
        }

      ember_fake_json_key (json, "calendars");
      ember_fake_json_begin_array (json);
      for (guint i = 0; i < account->calendars->len; i++)
        {
          EmberFakeCalendar *calendar = g_ptr_array_index (account->calendars, i);

          ember_fake_json_begin_object (json);
          ember_fake_json_member_string (json, "id", calendar->id);
          ember_fake_json_member_string (json, "summary", calendar->summary);
          ember_fake_json_member_bool (json, "primary", calendar->primary);
          ember_fake_json_end_object (json);
        }
      ember_fake_json_end_array (json);

      ember_fake_json_key (json, "messages");
      ember_fake_json_begin_array (json);
      for (guint i = 0; i < by_date->len; i++)
        write_message_summary (json, account, g_ptr_array_index (by_date, i));
      ember_fake_json_end_array (json);

      ember_fake_json_key (json, "events");
      ember_fake_json_begin_array (json);
      for (guint c = 0; c < account->calendars->len; c++)
        {
          EmberFakeCalendar *calendar = g_ptr_array_index (account->calendars, c);

          for (guint i = 0; i < calendar->events->len; i++)
            write_event_summary (json, g_ptr_array_index (calendar->events, i));
        }
      ember_fake_json_end_array (json);
    }
  ember_fake_json_end_object (json);
}

char *
ember_fake_account_to_json (EmberFakeAccount *account,
                            gboolean          with_data)
{
  GString *body = g_string_new (NULL);
  EmberFakeJson json;

  ember_fake_json_init (&json, body);
  write_account (&json, account, with_data);
  return g_string_free (body, FALSE);
}

GString *
ember_fake_log_to_json (EmberFakeServer *server,
                        guint64          since)
{
  GString *body = g_string_new (NULL);
  EmberFakeJson json;

  ember_fake_json_init (&json, body);
  ember_fake_json_begin_object (&json);
  ember_fake_json_key (&json, "entries");
  ember_fake_json_begin_array (&json);
  for (guint i = 0; i < server->log->len; i++)
    {
      EmberFakeLogEntry *entry = g_ptr_array_index (server->log, i);

      if (entry->seq <= since)
        continue;
      ember_fake_json_begin_object (&json);
      ember_fake_json_member_int (&json, "seq", entry->seq);
      ember_fake_json_member_int (&json, "time_us", entry->time_us);
      ember_fake_json_member_string (&json, "method", entry->method);
      ember_fake_json_member_string (&json, "path", entry->path);
      ember_fake_json_member_string (&json, "query", entry->query);
      ember_fake_json_member_int (&json, "status", entry->status);
      ember_fake_json_member_int (&json, "cost", entry->cost);
      ember_fake_json_member_string (&json, "account", entry->account);
      ember_fake_json_member_string (&json, "fault", entry->fault);
      if (entry->batch_seq != 0)
        ember_fake_json_member_int (&json, "batch", entry->batch_seq);
      else
        ember_fake_json_member_null (&json, "batch");
      ember_fake_json_end_object (&json);
    }
  ember_fake_json_end_array (&json);
  ember_fake_json_member_int (&json, "last_seq", server->log_seq);
  ember_fake_json_end_object (&json);
  return body;
}

/* ------------------------------------------------------------------------ */

static JsonObject *
body_object (EmberFakeRequest  *request,
             EmberFakeResponse *response,
             JsonParser        *parser)
{
  JsonNode *root;

  if (g_bytes_get_size (request->body) == 0)
    {
      json_parser_load_from_data (parser, "{}", -1, NULL);
      return json_node_get_object (json_parser_get_root (parser));
    }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (request->body, NULL),
                                   g_bytes_get_size (request->body), NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      reply_error (response, 400, "The body must be a JSON object");
      return NULL;
    }
  return json_node_get_object (root);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static GStrv
member_strv (JsonObject *object,
             const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      const char *value = json_array_get_string_element (json_node_get_array (node), i);

      if (value != NULL)
        g_strv_builder_add (builder, value);
    }
  return g_strv_builder_end (builder);
}

static gboolean
parse_event_spec (JsonObject         *object,
                  EmberFakeEventSpec *spec,
                  GError            **error)
{
  const char *start = member_string (object, "start");
  const char *end = member_string (object, "end");

  spec->summary = member_string (object, "summary");
  spec->location = member_string (object, "location");
  spec->description = member_string (object, "description");
  spec->calendar = member_string (object, "calendar");
  spec->time_zone = member_string (object, "time_zone");
  spec->rrule = member_string (object, "rrule");
  spec->all_day = json_object_get_boolean_member_with_default (object, "all_day", FALSE);
  /* "reminder_minutes": minutes, null for none; absent: the default (add)
   * or unchanged (change). */
  if (json_object_has_member (object, "reminder_minutes"))
    {
      JsonNode *minutes = json_object_get_member (object, "reminder_minutes");

      spec->set_reminder = TRUE;
      if (JSON_NODE_HOLDS_NULL (minutes))
        spec->reminder_minutes = EMBER_FAKE_REMINDER_NONE;
      else if (JSON_NODE_HOLDS_VALUE (minutes) && json_node_get_int (minutes) >= 0 &&
               json_node_get_int (minutes) <= 40320)
        spec->reminder_minutes = (int) json_node_get_int (minutes);
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "“reminder_minutes” must be 0 to 40320 or null");
          return FALSE;
        }
    }

  if (start == NULL && end == NULL)
    return TRUE;
  if (start == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "“end” needs a “start”");
      return FALSE;
    }

  spec->set_times = TRUE;
  for (guint i = 0; i < 2; i++)
    {
      const char *text = i == 0 ? start : end;
      gint64 *out = i == 0 ? &spec->start : &spec->end;

      if (text == NULL)
        {
          *out = 0;
          continue;
        }
      if (strlen (text) == 10)
        {
          g_autofree char *midnight = g_strdup_printf ("%sT00:00:00Z", text);

          *out = ember_fake_parse_iso8601 (midnight, TRUE);
        }
      else
        *out = ember_fake_parse_iso8601 (text, TRUE);
      if (*out == -1)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "“%s” is not an RFC 3339 time or a YYYY-MM-DD date", text);
          return FALSE;
        }
    }
  return TRUE;
}

static void
handle_account (EmberFakeRequest  *request,
                EmberFakeResponse *response,
                GStrv              segments)
{
  EmberFakeServer *server = request->server;
  EmberFakeAccount *account = ember_fake_dataset_lookup (server->dataset, segments[1]);
  guint n = g_strv_length (segments);
  const char *method = request->method;
  gint64 now_us = ember_fake_server_now_us (server);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  if (account == NULL)
    {
      g_autofree char *message = g_strdup_printf ("No account “%s”", segments[1]);

      reply_error (response, 404, message);
      return;
    }

  if (n == 2 && strcmp (method, "GET") == 0)
    {
      GString *body = g_string_new (NULL);
      EmberFakeJson json;

      ember_fake_json_init (&json, body);
      write_account (&json, account, TRUE);
      reply (response, 200, body);
      return;
    }

  if (n == 3 && strcmp (segments[2], "messages") == 0 && strcmp (method, "GET") == 0)
    {
      GPtrArray *by_date = ember_fake_account_messages_by_date (account);
      GString *body = g_string_new (NULL);
      EmberFakeJson json;

      ember_fake_json_init (&json, body);
      ember_fake_json_begin_array (&json);
      for (guint i = 0; i < by_date->len; i++)
        write_message_summary (&json, account, g_ptr_array_index (by_date, i));
      ember_fake_json_end_array (&json);
      reply (response, 200, body);
      return;
    }

  if (n == 3 && strcmp (segments[2], "events") == 0 && strcmp (method, "GET") == 0)
    {
      GString *body = g_string_new (NULL);
      EmberFakeJson json;

      ember_fake_json_init (&json, body);
      ember_fake_json_begin_array (&json);
      for (guint c = 0; c < account->calendars->len; c++)
        {
          EmberFakeCalendar *calendar = g_ptr_array_index (account->calendars, c);

          for (guint i = 0; i < calendar->events->len; i++)
            write_event_summary (&json, g_ptr_array_index (calendar->events, i));
        }
      ember_fake_json_end_array (&json);
      reply (response, 200, body);
      return;
    }

  if ((object = body_object (request, response, parser)) == NULL)
    return;

  if (n == 3 && strcmp (segments[2], "messages") == 0 && strcmp (method, "POST") == 0)
    {
      g_auto(GStrv) labels = member_strv (object, "labels");
      EmberFakeMessageSpec spec = { 0, };
      EmberFakeMessage *message;

      spec.subject = member_string (object, "subject");
      spec.from_address = member_string (object, "from");
      spec.from_name = member_string (object, "from_name");
      spec.to_address = member_string (object, "to");
      spec.text = member_string (object, "text");
      spec.html = member_string (object, "html");
      spec.labels = (const char * const *) labels;
      spec.folder = member_string (object, "folder");
      spec.thread_id = member_string (object, "thread_id");
      spec.unread = json_object_get_boolean_member_with_default (object, "unread", TRUE);
      spec.date = json_object_get_int_member_with_default (object, "date", 0);
      message = ember_fake_account_add_message (account, &spec, now_us, &error);
      if (message == NULL)
        reply_gerror (response, error);
      else
        reply_ok (response, message->id);
      return;
    }

  if (n == 4 && strcmp (segments[2], "messages") == 0 && strcmp (method, "DELETE") == 0)
    {
      if (!ember_fake_account_delete_message (account, segments[3], now_us, &error))
        reply_gerror (response, error);
      else
        reply_ok (response, NULL);
      return;
    }

  if (n == 5 && strcmp (segments[2], "messages") == 0 && strcmp (method, "POST") == 0)
    {
      const char *id = segments[3];

      if (strcmp (segments[4], "read") == 0)
        {
          gboolean unread = json_object_get_boolean_member_with_default (object, "unread", FALSE);

          if (!ember_fake_account_set_unread (account, id, unread, now_us, &error))
            reply_gerror (response, error);
          else
            reply_ok (response, id);
          return;
        }
      if (strcmp (segments[4], "move") == 0)
        {
          const char *to = member_string (object, "to");
          g_autofree char *new_id = NULL;

          if (to == NULL)
            {
              reply_error (response, 400, "“to” is required");
              return;
            }
          new_id = ember_fake_account_move_message (account, id, to, now_us, &error);
          if (new_id == NULL)
            reply_gerror (response, error);
          else
            reply_ok (response, new_id);
          return;
        }
      if (strcmp (segments[4], "labels") == 0)
        {
          g_auto(GStrv) add = member_strv (object, "add");
          g_auto(GStrv) remove = member_strv (object, "remove");

          if (!ember_fake_account_relabel (account, id, (const char * const *) add,
                                           (const char * const *) remove, now_us, &error))
            reply_gerror (response, error);
          else
            reply_ok (response, id);
          return;
        }
    }

  if (n == 3 && strcmp (segments[2], "folders") == 0 && strcmp (method, "POST") == 0)
    {
      const char *name = member_string (object, "name");
      EmberFakeFolder *folder;

      if (name == NULL)
        {
          reply_error (response, 400, "“name” is required");
          return;
        }
      folder = ember_fake_account_add_folder (account, name, member_string (object, "parent"), &error);
      if (folder == NULL)
        reply_gerror (response, error);
      else
        reply_ok (response, folder->id);
      return;
    }

  if (n == 4 && strcmp (segments[2], "folders") == 0 && strcmp (method, "PATCH") == 0)
    {
      const char *name = member_string (object, "name");

      if (name == NULL)
        {
          reply_error (response, 400, "“name” is required");
          return;
        }
      if (!ember_fake_account_rename_folder (account, segments[3], name, &error))
        reply_gerror (response, error);
      else
        reply_ok (response, segments[3]);
      return;
    }

  if (n == 4 && strcmp (segments[2], "folders") == 0 && strcmp (method, "DELETE") == 0)
    {
      if (!ember_fake_account_delete_folder (account, segments[3], now_us, &error))
        reply_gerror (response, error);
      else
        reply_ok (response, NULL);
      return;
    }

  if (n == 3 && strcmp (segments[2], "events") == 0 && strcmp (method, "POST") == 0)
    {
      EmberFakeEventSpec spec = { 0, };
      EmberFakeEvent *event;

      if (!parse_event_spec (object, &spec, &error))
        {
          reply_gerror (response, error);
          return;
        }
      if (!spec.set_times)
        {
          reply_error (response, 400, "“start” is required");
          return;
        }
      event = ember_fake_account_add_event (account, &spec, now_us, &error);
      if (event == NULL)
        reply_gerror (response, error);
      else
        reply_ok (response, event->id);
      return;
    }

  if (n == 4 && strcmp (segments[2], "events") == 0 &&
      (strcmp (method, "PATCH") == 0 || strcmp (method, "DELETE") == 0))
    {
      gboolean ok;

      if (strcmp (method, "DELETE") == 0)
        ok = ember_fake_account_delete_event (account, segments[3], now_us, &error);
      else
        {
          EmberFakeEventSpec spec = { 0, };

          ok = parse_event_spec (object, &spec, &error) &&
               ember_fake_account_change_event (account, segments[3], &spec, now_us, &error);
        }
      if (!ok)
        reply_gerror (response, error);
      else
        reply_ok (response, segments[3]);
      return;
    }

  if (n == 5 && strcmp (segments[2], "events") == 0 && strcmp (segments[4], "cancel") == 0 &&
      strcmp (method, "POST") == 0)
    {
      if (!ember_fake_account_cancel_event (account, segments[3], now_us, &error))
        reply_gerror (response, error);
      else
        reply_ok (response, segments[3]);
      return;
    }

  if (n == 3 && strcmp (segments[2], "expire") == 0 && strcmp (method, "POST") == 0)
    {
      g_auto(GStrv) cursors = member_strv (object, "cursors");

      for (guint i = 0; cursors != NULL && cursors[i] != NULL; i++)
        if (strcmp (cursors[i], "history") != 0 && strcmp (cursors[i], "sync") != 0 &&
            strcmp (cursors[i], "delta") != 0)
          {
            reply_error (response, 400, "cursors: history, sync or delta");
            return;
          }
      if (cursors == NULL || g_strv_contains ((const char * const *) cursors, "history"))
        ember_fake_account_expire_history (account);
      if (cursors == NULL || g_strv_contains ((const char * const *) cursors, "sync") ||
          g_strv_contains ((const char * const *) cursors, "delta"))
        ember_fake_account_expire_sync (account);
      reply_ok (response, NULL);
      return;
    }

  if (n == 3 && strcmp (segments[2], "revoke") == 0 && strcmp (method, "POST") == 0)
    {
      ember_fake_auth_revoke_account (server, account->email);
      reply_ok (response, NULL);
      return;
    }

  if (n == 3 && strcmp (segments[2], "tokens") == 0 && strcmp (method, "POST") == 0)
    {
      g_autofree char *access = NULL;
      g_autofree char *refresh = NULL;
      guint expires_in = 0;
      GString *body = g_string_new (NULL);
      EmberFakeJson json;

      ember_fake_auth_issue_direct (server, account, &access, &refresh, &expires_in);
      ember_fake_json_init (&json, body);
      ember_fake_json_begin_object (&json);
      ember_fake_json_member_string (&json, "access_token", access);
      ember_fake_json_member_string (&json, "refresh_token", refresh);
      ember_fake_json_member_int (&json, "expires_in", expires_in);
      ember_fake_json_end_object (&json);
      reply (response, 200, body);
      return;
    }

  reply_error (response, 404, "No such control endpoint");
}

void
ember_fake_control_handle (EmberFakeRequest  *request,
                           EmberFakeResponse *response)
{
  EmberFakeServer *server = request->server;
  g_auto(GStrv) segments = ember_fake_request_segments (request, "/_fake/");
  guint n = segments != NULL ? g_strv_length (segments) : 0;
  const char *method = request->method;

  if (n == 0)
    {
      reply_error (response, 404, "No such control endpoint");
      return;
    }

  if (strcmp (segments[0], "accounts") == 0)
    {
      if (n == 1 && strcmp (method, "GET") == 0)
        {
          GString *body = g_string_new (NULL);
          EmberFakeJson json;

          ember_fake_json_init (&json, body);
          ember_fake_json_begin_array (&json);
          for (guint i = 0; i < server->dataset->accounts->len; i++)
            write_account (&json, g_ptr_array_index (server->dataset->accounts, i), FALSE);
          ember_fake_json_end_array (&json);
          reply (response, 200, body);
          return;
        }
      if (n >= 2)
        {
          handle_account (request, response, segments);
          return;
        }
    }

  if (n == 1 && strcmp (segments[0], "faults") == 0)
    {
      if (strcmp (method, "PUT") == 0 || strcmp (method, "POST") == 0)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          g_autoptr(GError) error = NULL;
          JsonObject *object = body_object (request, response, parser);
          const char *spec;
          EmberFakeFaults *faults = NULL;

          if (object == NULL)
            return;
          spec = member_string (object, "spec");
          if (spec != NULL && *spec != '\0')
            {
              faults = ember_fake_faults_parse (spec, server->options.seed, &error);
              if (faults == NULL)
                {
                  reply_gerror (response, error);
                  return;
                }
            }
          g_clear_pointer (&server->faults, ember_fake_faults_free);
          server->faults = faults;
        }
      else if (strcmp (method, "GET") != 0)
        {
          reply_error (response, 405, "GET or PUT");
          return;
        }
      {
        GString *body = g_string_new (NULL);
        EmberFakeJson json;

        ember_fake_json_init (&json, body);
        ember_fake_json_begin_object (&json);
        ember_fake_json_member_string (&json, "spec", server->faults != NULL ? server->faults->spec : "");
        ember_fake_json_end_object (&json);
        reply (response, 200, body);
      }
      return;
    }

  if (n == 1 && strcmp (segments[0], "log") == 0)
    {
      if (strcmp (method, "DELETE") == 0)
        {
          g_ptr_array_set_size (server->log, 0);
          reply_ok (response, NULL);
          return;
        }
      if (strcmp (method, "GET") == 0)
        {
          const char *since_text = ember_fake_request_param (request, "since");
          guint64 since = 0;

          if (since_text != NULL && !g_ascii_string_to_unsigned (since_text, 10, 0, G_MAXUINT64, &since, NULL))
            {
              reply_error (response, 400, "since must be a sequence number");
              return;
            }
          reply (response, 200, ember_fake_log_to_json (server, since));
          return;
        }
    }

  if (n == 1 && strcmp (segments[0], "stats") == 0 && strcmp (method, "GET") == 0)
    {
      GString *body = g_string_new (NULL);
      EmberFakeJson json;

      ember_fake_json_init (&json, body);
      ember_fake_json_begin_object (&json);
      ember_fake_json_key (&json, "accounts");
      ember_fake_json_begin_object (&json);
      for (guint i = 0; i < server->dataset->accounts->len; i++)
        {
          EmberFakeAccount *account = g_ptr_array_index (server->dataset->accounts, i);
          EmberFakeQuota *quota = ember_fake_server_quota (server, account->email);

          ember_fake_json_key (&json, account->email);
          ember_fake_json_begin_object (&json);
          ember_fake_json_member_int (&json, "in_flight", quota->in_flight);
          ember_fake_json_member_int (&json, "max_in_flight", quota->max_in_flight);
          ember_fake_json_member_int (&json, "quota_used", quota->charged);
          ember_fake_json_member_int (&json, "calendar_quota_used", quota->calendar_charged);
          ember_fake_json_end_object (&json);
        }
      ember_fake_json_end_object (&json);
      ember_fake_json_member_int (&json, "requests", server->log_seq);
      ember_fake_json_end_object (&json);
      reply (response, 200, body);
      return;
    }

  if (n == 1 && strcmp (segments[0], "time") == 0 && strcmp (method, "POST") == 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object = body_object (request, response, parser);
      gint64 seconds;

      if (object == NULL)
        return;
      seconds = json_object_get_int_member_with_default (object, "advance_seconds", 0);
      if (seconds < 0)
        {
          reply_error (response, 400, "Time only moves forward");
          return;
        }
      server->time_offset_us += seconds * G_USEC_PER_SEC;
      reply_ok (response, NULL);
      return;
    }

  reply_error (response, 404, "No such control endpoint");
}
