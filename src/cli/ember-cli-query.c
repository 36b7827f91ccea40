/* ember-cli-query.c: messages, events, search and status
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ember-cli-private.h"
#include "ember-error.h"
#include "ember-metrics.h"
#include "ember-sync-dbus-client.h"


static char *
iso8601_local (gint64 seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (seconds);

  return time != NULL ? g_date_time_format_iso8601 (time) : g_strdup ("");
}

static GHashTable *
account_emails (EmberStore *store,
                GError    **error)
{
  g_autoptr(GPtrArray) accounts = ember_store_list_accounts_sync (store, NULL, error);
  GHashTable *emails;

  if (accounts == NULL)
    return NULL;

  emails = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  for (guint i = 0; i < accounts->len; i++)
    {
      EmberAccountRecord *account = g_ptr_array_index (accounts, i);
      gint64 *key = g_new (gint64, 1);

      *key = account->id;
      g_hash_table_insert (emails, key, g_strdup (account->email));
    }

  return emails;
}

static void
add_message (JsonBuilder              *builder,
             const EmberMessageRecord *message,
             GHashTable               *emails)
{
  g_autofree char *date = ember_cli_format_time (message->date);
  g_autofree char *from = NULL;

  if (message->from_name != NULL && *message->from_name != '\0')
    from = g_strdup_printf ("%s <%s>", message->from_name, message->from_address != NULL ? message->from_address : "");
  else
    from = g_strdup (message->from_address != NULL ? message->from_address : "");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, message->provider_id);
  json_builder_set_member_name (builder, "account");
  json_builder_add_string_value (builder, g_hash_table_lookup (emails, &message->account_id));
  json_builder_set_member_name (builder, "account_id");
  json_builder_add_int_value (builder, message->account_id);
  json_builder_set_member_name (builder, "thread");
  json_builder_add_string_value (builder, message->thread_id);
  json_builder_set_member_name (builder, "subject");
  json_builder_add_string_value (builder, message->subject != NULL ? message->subject : "");
  json_builder_set_member_name (builder, "from");
  json_builder_add_string_value (builder, from);
  json_builder_set_member_name (builder, "from_address");
  json_builder_add_string_value (builder, message->from_address);
  json_builder_set_member_name (builder, "to");
  json_builder_add_string_value (builder, message->to != NULL ? message->to : "");
  json_builder_set_member_name (builder, "date");
  json_builder_add_string_value (builder, date);
  json_builder_set_member_name (builder, "unread");
  json_builder_add_boolean_value (builder, message->unread);
  json_builder_set_member_name (builder, "starred");
  json_builder_add_boolean_value (builder, message->starred);
  json_builder_set_member_name (builder, "has_attachments");
  json_builder_add_boolean_value (builder, message->has_attachments);
  json_builder_set_member_name (builder, "folders");
  json_builder_begin_array (builder);
  for (guint i = 0; message->folder_names != NULL && i < message->folder_names->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (message->folder_names, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "snippet");
  json_builder_add_string_value (builder, message->snippet != NULL ? message->snippet : "");
  json_builder_end_object (builder);
}

static void
print_messages (GPtrArray  *messages,
                GHashTable *emails,
                gboolean    as_json)
{
  if (as_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < messages->len; i++)
        add_message (builder, g_ptr_array_index (messages, i), emails);
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      ember_cli_print_json (root);
      return;
    }

  for (guint i = 0; i < messages->len; i++)
    {
      EmberMessageRecord *message = g_ptr_array_index (messages, i);
      g_autofree char *date = iso8601_local (message->date);

      g_print ("%s %s %-28.28s %s\n",
               message->unread ? "*" : " ",
               date,
               message->from_name != NULL && *message->from_name != '\0' ? message->from_name
                                                                          : (message->from_address ? message->from_address : ""),
               message->subject != NULL ? message->subject : "");
    }
}

/* Finds the folder named @name (its provider name, or its kind such as
 * "inbox") among @account_id's folders (0: all accounts). */
static gint64
find_folder (EmberStore  *store,
             gint64       account_id,
             const char  *name,
             GError     **error)
{
  g_autoptr(GPtrArray) folders = ember_store_list_folders_sync (store, account_id, NULL, error);

  if (folders == NULL)
    return -1;

  for (guint i = 0; i < folders->len; i++)
    {
      EmberFolderRecord *folder = g_ptr_array_index (folders, i);

      if (g_ascii_strcasecmp (folder->name, name) == 0 ||
          g_ascii_strcasecmp (folder->provider_id, name) == 0)
        return folder->id;
    }

  g_set_error (error, EMBER_STORE_ERROR, EMBER_STORE_ERROR_NOT_FOUND,
               _("There is no folder named “%s”"), name);
  return -1;
}

int
ember_cli_messages (EmberCli  *cli,
                    int        argc,
                    char     **argv)
{
  EmberStore *store;
  gint64 account_id = 0;
  char *folder = NULL;
  int limit = 0;
  gboolean as_json = FALSE;
  const GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_INT64, &account_id, N_("Only this account"), N_("ID") },
    { "folder", 0, 0, G_OPTION_ARG_STRING, &folder, N_("Only this folder or label"), N_("NAME") },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("At most N messages (default: all)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list stored messages, newest first"));
  g_autoptr(GHashTable) emails = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder_name = NULL;
  EmberMessageQuery query = { 0 };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ember_cli_usage ("messages ", "%s", error->message);
  if ((store = ember_cli_get_store (cli, &error)) == NULL)
    return ember_cli_fail (error);
  folder_name = folder;

  emails = account_emails (store, &error);
  if (emails == NULL)
    return ember_cli_fail (error);

  query.account_id = account_id;
  query.scope = EMBER_MESSAGE_SCOPE_ALL;
  if (folder_name != NULL)
    {
      query.scope = EMBER_MESSAGE_SCOPE_FOLDER;
      query.folder_id = find_folder (store, account_id, folder_name, &error);
      if (query.folder_id < 0)
        return ember_cli_fail (error);
    }

  /* Keyset pages until the limit or the end. */
  all = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_message_record_free);
  for (;;)
    {
      g_autoptr(GPtrArray) page = NULL;
      guint n;

      query.limit = 500;
      if (limit > 0)
        query.limit = MIN (500u, (guint) limit - all->len);
      page = ember_store_list_messages_sync (store, &query, NULL, &error);
      if (page == NULL)
        return ember_cli_fail (error);

      n = page->len;
      if (n > 0)
        query.after = ember_message_cursor_after (g_ptr_array_index (page, n - 1));
      g_ptr_array_extend_and_steal (all, g_steal_pointer (&page));
      if (n < query.limit || (limit > 0 && all->len >= (guint) limit))
        break;
    }

  print_messages (all, emails, as_json);
  return 0;
}

static gboolean
parse_day (const char *text,
           gint64     *out,
           GError    **error)
{
  g_autofree char *iso = g_strdup_printf ("%sT00:00:00", text);
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (iso, local);

  if (time == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a date like 2026-11-25"), text);
      return FALSE;
    }

  *out = g_date_time_to_unix (time);
  return TRUE;
}

int
ember_cli_events (EmberCli  *cli,
                  int        argc,
                  char     **argv)
{
  EmberStore *store;
  gint64 account_id = 0;
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  gboolean as_json = FALSE;
  const GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_INT64, &account_id, N_("Only this account"), N_("ID") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from_text, N_("First day (default: 60 days ago)"), N_("YYYY-MM-DD") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to_text, N_("Day after the last (default: in 365 days)"), N_("YYYY-MM-DD") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list stored events"));
  g_autoptr(GHashTable) emails = NULL;
  g_autoptr(GHashTable) calendars_by_id = NULL;
  g_autoptr(GPtrArray) calendars = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 from = now - 60 * 86400, to = now + 365 * 86400;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ember_cli_usage ("events ", "%s", error->message);
  if ((store = ember_cli_get_store (cli, &error)) == NULL)
    return ember_cli_fail (error);
  if ((from_text != NULL && !parse_day (from_text, &from, &error)) ||
      (to_text != NULL && !parse_day (to_text, &to, &error)))
    return ember_cli_usage ("events ", "%s", error->message);

  emails = account_emails (store, &error);
  if (emails == NULL)
    return ember_cli_fail (error);
  calendars = ember_store_list_calendars_sync (store, account_id, NULL, &error);
  if (calendars == NULL)
    return ember_cli_fail (error);
  calendars_by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < calendars->len; i++)
    {
      EmberCalendarRecord *calendar = g_ptr_array_index (calendars, i);

      g_hash_table_insert (calendars_by_id, &calendar->id, calendar);
    }

  events = ember_store_list_events_sync (store, account_id, from, to, NULL, &error);
  if (events == NULL)
    return ember_cli_fail (error);

  json_builder_begin_array (builder);
  for (guint i = 0; i < events->len; i++)
    {
      EmberEventRecord *event = g_ptr_array_index (events, i);
      EmberCalendarRecord *calendar = g_hash_table_lookup (calendars_by_id, &event->calendar_id);
      g_autofree char *start = NULL;
      g_autofree char *end = NULL;

      /* All-day events are floating dates; timed ones are instants. */
      if (event->all_day)
        {
          start = g_strdup (event->start_date);
          end = g_strdup (event->end_date);
        }
      else
        {
          start = ember_cli_format_time (event->start);
          end = ember_cli_format_time (event->end);
        }

      if (!as_json)
        {
          g_print ("%-20s %-20s %s%s%s\n", start, end,
                   event->summary != NULL ? event->summary : "",
                   event->location != NULL && *event->location != '\0' ? " @ " : "",
                   event->location != NULL ? event->location : "");
          continue;
        }

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, event->provider_id);
      json_builder_set_member_name (builder, "account");
      json_builder_add_string_value (builder, g_hash_table_lookup (emails, &event->account_id));
      json_builder_set_member_name (builder, "account_id");
      json_builder_add_int_value (builder, event->account_id);
      json_builder_set_member_name (builder, "calendar");
      json_builder_add_string_value (builder, calendar != NULL ? calendar->name : event->calendar_provider_id);
      json_builder_set_member_name (builder, "calendar_id");
      json_builder_add_string_value (builder, calendar != NULL ? calendar->provider_id : event->calendar_provider_id);
      json_builder_set_member_name (builder, "summary");
      json_builder_add_string_value (builder, event->summary != NULL ? event->summary : "");
      json_builder_set_member_name (builder, "start");
      json_builder_add_string_value (builder, start);
      json_builder_set_member_name (builder, "end");
      json_builder_add_string_value (builder, end);
      json_builder_set_member_name (builder, "all_day");
      json_builder_add_boolean_value (builder, event->all_day);
      json_builder_set_member_name (builder, "time_zone");
      json_builder_add_string_value (builder, event->time_zone);
      json_builder_set_member_name (builder, "location");
      json_builder_add_string_value (builder, event->location != NULL ? event->location : "");
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, event->status != NULL ? event->status : "confirmed");
      json_builder_set_member_name (builder, "recurring_event_id");
      json_builder_add_string_value (builder, event->recurring_event_id);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (as_json)
    {
      root = json_builder_get_root (builder);
      ember_cli_print_json (root);
    }

  return 0;
}

int
ember_cli_search (EmberCli  *cli,
                  int        argc,
                  char     **argv)
{
  EmberStore *store;
  int limit = 50;
  gboolean as_json = FALSE;
  const GOptionEntry entries[] = {
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("At most N results (default: 50)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("QUERY — search stored mail"));
  g_autoptr(GHashTable) emails = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ember_cli_usage ("search ", "%s", error->message);
  if ((store = ember_cli_get_store (cli, &error)) == NULL)
    return ember_cli_fail (error);
  if (argc < 2)
    {
      return ember_cli_usage ("search ", "%s", _("Say what to search for"));
    }

  text = g_strjoinv (" ", argv + 1);
  emails = account_emails (store, &error);
  if (emails == NULL)
    return ember_cli_fail (error);
  results = ember_store_search_messages_sync (store, text, 0, MAX (limit, 1), NULL, &error);
  if (results == NULL)
    return ember_cli_fail (error);

  print_messages (results, emails, as_json);
  return 0;
}

int
ember_cli_status (EmberCli  *cli,
                  int        argc,
                  char     **argv)
{
  EmberStore *store;
  gboolean as_json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— accounts, their sync state and health"));
  g_autoptr(GPtrArray) statuses = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) metrics = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ember_cli_usage ("status ", "%s", error->message);

  /* A running Ember knows more than its store (live states, progress, its
   * HTTP and pool figures): ask it first. It uses the default data dir, so
   * only then. */
  if (as_json && cli->data_dir == NULL)
    {
      g_autoptr(JsonNode) live = ember_sync_dbus_get_status_sync (NULL, NULL, cli->cancellable, &error);

      if (live != NULL)
        {
          ember_cli_print_json (live);
          return 0;
        }
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_debug ("Could not ask the running Ember: %s", error->message);
      g_clear_error (&error);
    }
  if ((store = ember_cli_get_store (cli, &error)) == NULL)
    return ember_cli_fail (error);

  statuses = ember_store_list_account_status_sync (store, NULL, &error);
  if (statuses == NULL)
    return ember_cli_fail (error);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "accounts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < statuses->len; i++)
    {
      EmberAccountStatus *status = g_ptr_array_index (statuses, i);
      const char *state = "never-synced";
      const char *last_error = NULL;
      gint64 last_success = 0;

      for (guint j = 0; j < status->sync_states->len; j++)
        {
          EmberSyncState *sync_state = g_ptr_array_index (status->sync_states, j);

          if (g_strcmp0 (sync_state->resource, "account") != 0)
            continue;
          last_success = sync_state->last_success;
          last_error = sync_state->last_error;
          state = last_error != NULL ? "error" : (last_success > 0 ? "idle" : "never-synced");
        }

      if (!as_json)
        {
          g_autofree char *when = last_success > 0 ? iso8601_local (last_success) : g_strdup (_("never"));

          g_print ("%" G_GINT64_FORMAT "  %-9s %-32s %-12s %6" G_GINT64_FORMAT " messages %5" G_GINT64_FORMAT
                   " events  last sync %s%s%s\n",
                   status->account->id, status->account->provider, status->account->email, state,
                   status->counts.messages, status->counts.events, when,
                   last_error != NULL ? "  error: " : "", last_error != NULL ? last_error : "");
          continue;
        }

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, status->account->id);
      json_builder_set_member_name (builder, "provider");
      json_builder_add_string_value (builder, status->account->provider);
      json_builder_set_member_name (builder, "email");
      json_builder_add_string_value (builder, status->account->email);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, state);
      json_builder_set_member_name (builder, "last_sync");
      if (last_success > 0)
        {
          g_autofree char *when = ember_cli_format_time (last_success);

          json_builder_add_string_value (builder, when);
        }
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "last_error");
      json_builder_add_string_value (builder, last_error);
      json_builder_set_member_name (builder, "messages");
      json_builder_add_int_value (builder, status->counts.messages);
      json_builder_set_member_name (builder, "unread");
      json_builder_add_int_value (builder, status->counts.unread);
      json_builder_set_member_name (builder, "folders");
      json_builder_add_int_value (builder, status->counts.folders);
      json_builder_set_member_name (builder, "calendars");
      json_builder_add_int_value (builder, status->counts.calendars);
      json_builder_set_member_name (builder, "events");
      json_builder_add_int_value (builder, status->counts.events);
      json_builder_set_member_name (builder, "resources");
      json_builder_begin_array (builder);
      for (guint j = 0; j < status->sync_states->len; j++)
        {
          EmberSyncState *sync_state = g_ptr_array_index (status->sync_states, j);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "resource");
          json_builder_add_string_value (builder, sync_state->resource);
          json_builder_set_member_name (builder, "phase");
          json_builder_add_string_value (builder, sync_state->phase);
          json_builder_set_member_name (builder, "last_error");
          json_builder_add_string_value (builder, sync_state->last_error);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  /* This process's pool figures: how the store behaved while answering. */
  json_builder_set_member_name (builder, "metrics");
  metrics = ember_metrics_snapshot (ember_metrics_get_default ());
  json_builder_add_value (builder, g_steal_pointer (&metrics));
  json_builder_end_object (builder);

  if (as_json)
    {
      root = json_builder_get_root (builder);
      ember_cli_print_json (root);
    }

  return 0;
}
