/* ember-sync-dbus-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-sync"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ember-error.h"
#include "ember-sync-dbus-client.h"

#define CALL_TIMEOUT_MSEC 10000

static const char interface_xml[] =
  "<node>"
  "  <interface name='" EMBER_SYNC_DBUS_INTERFACE "'>"
  "    <method name='GetStatus'>"
  "      <arg name='status_json' type='s' direction='out'/>"
  "    </method>"
  "    <method name='SyncNow'>"
  "      <arg name='account_id' type='x' direction='in'/>"
  "    </method>"
  "    <signal name='StatusChanged'>"
  "      <arg name='account_id' type='x'/>"
  "      <arg name='status' type='s'/>"
  "    </signal>"
  "    <property name='Status' type='s' access='read'/>"
  "  </interface>"
  "</node>";

static const struct
{
  EmberSyncError code;
  const char    *name;
} error_names[] = {
  { EMBER_SYNC_ERROR_FAILED, EMBER_SYNC_DBUS_INTERFACE ".Error.Failed" },
  { EMBER_SYNC_ERROR_ALREADY_RUNNING, EMBER_SYNC_DBUS_INTERFACE ".Error.AlreadyRunning" },
  { EMBER_SYNC_ERROR_NO_SUCH_ACCOUNT, EMBER_SYNC_DBUS_INTERFACE ".Error.NoSuchAccount" },
  { EMBER_SYNC_ERROR_OFFLINE, EMBER_SYNC_DBUS_INTERFACE ".Error.Offline" },
  { EMBER_SYNC_ERROR_SHUTTING_DOWN, EMBER_SYNC_DBUS_INTERFACE ".Error.ShuttingDown" },
};

GDBusInterfaceInfo *
ember_sync_dbus_get_interface_info (void)
{
  static GDBusInterfaceInfo *info;

  if (g_once_init_enter (&info))
    {
      g_autoptr(GError) error = NULL;
      GDBusNodeInfo *node = g_dbus_node_info_new_for_xml (interface_xml, &error);
      GDBusInterfaceInfo *interface;

      g_assert_no_error (error);
      interface = g_dbus_interface_info_ref (node->interfaces[0]);
      g_dbus_interface_info_cache_build (interface);
      g_dbus_node_info_unref (node);

      for (guint i = 0; i < G_N_ELEMENTS (error_names); i++)
        g_dbus_error_register_error (EMBER_SYNC_ERROR, error_names[i].code, error_names[i].name);

      g_once_init_leave (&info, interface);
    }

  return info;
}

/* ISO 8601 in UTC, or null for "never". */
static void
add_time (JsonBuilder *builder,
          const char  *member,
          gint64       unix_seconds)
{
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *text = NULL;

  json_builder_set_member_name (builder, member);
  if (unix_seconds <= 0 || (time = g_date_time_new_from_unix_utc (unix_seconds)) == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }

  /* As ember-cli prints times. */
  text = g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
  json_builder_add_string_value (builder, text);
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *member,
         gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

static double
ratio (gint64 part,
       gint64 whole)
{
  return whole > 0 ? (double) part / (double) whole : 0.0;
}

static void
add_account (JsonBuilder              *builder,
             const EmberAccountStatus *status,
             EmberSyncManager         *manager,
             GHashTable               *sync_counts)
{
  const EmberAccountRecord *account = status->account;
  const EmberSyncState *outcome = NULL;
  gint64 last_sync = 0, last_error_time = 0;
  const char *last_error = NULL;
  const char *state;
  gboolean needs_sign_in = FALSE;

  json_builder_begin_object (builder);
  add_int (builder, "id", account->id);
  add_string (builder, "provider", account->provider);
  add_string (builder, "email", account->email);
  add_string (builder, "display_name", account->display_name);

  json_builder_set_member_name (builder, "resources");
  json_builder_begin_array (builder);
  for (guint i = 0; status->sync_states != NULL && i < status->sync_states->len; i++)
    {
      const EmberSyncState *state_record = g_ptr_array_index (status->sync_states, i);

      json_builder_begin_object (builder);
      add_string (builder, "resource", state_record->resource);
      add_string (builder, "phase", state_record->phase);
      add_time (builder, "last_success", state_record->last_success);
      add_string (builder, "last_error", state_record->last_error);
      add_time (builder, "last_error_time", state_record->last_error != NULL ? state_record->last_error_time : 0);
      json_builder_end_object (builder);

      /* The sync manager records each whole sync's outcome as "account". */
      if (g_strcmp0 (state_record->resource, "account") == 0)
        outcome = state_record;
    }
  json_builder_end_array (builder);

  if (outcome != NULL)
    {
      last_sync = outcome->last_success;
      last_error = outcome->last_error;
      last_error_time = outcome->last_error_time;
    }

  if (manager != NULL)
    {
      const EmberUserError *live_error = ember_sync_manager_get_account_error (manager, account->id);
      gint64 live_success = ember_sync_manager_get_account_last_success (manager, account->id) / G_USEC_PER_SEC;

      if (live_success > last_sync)
        {
          last_sync = live_success;
          last_error = NULL;
        }
      if (live_error != NULL)
        {
          last_error = live_error->message;
          needs_sign_in = live_error->needs_sign_in;
        }
      state = ember_sync_status_to_string (ember_sync_manager_get_account_status (manager, account->id));
    }
  else
    {
      /* What ember-cli says from the store alone. */
      state = last_error != NULL ? "error" : last_sync > 0 ? "idle" : "never-synced";
    }

  add_string (builder, "state", state);
  json_builder_set_member_name (builder, "needs_sign_in");
  json_builder_add_boolean_value (builder, needs_sign_in);
  add_time (builder, "last_sync", last_sync);
  add_string (builder, "last_error", last_error);
  add_time (builder, "last_error_time", last_error != NULL ? last_error_time : 0);
  add_int (builder, "messages", status->counts.messages);
  add_int (builder, "unread", status->counts.unread);
  add_int (builder, "folders", status->counts.folders);
  add_int (builder, "calendars", status->counts.calendars);
  add_int (builder, "events", status->counts.events);

  if (manager != NULL)
    {
      const guint64 *counts = sync_counts != NULL ? g_hash_table_lookup (sync_counts, &account->id) : NULL;

      json_builder_set_member_name (builder, "syncs");
      json_builder_begin_object (builder);
      add_int (builder, "succeeded", counts != NULL ? (gint64) counts[0] : 0);
      add_int (builder, "failed", counts != NULL ? (gint64) counts[1] : 0);
      json_builder_end_object (builder);
    }

  json_builder_end_object (builder);
}

/* Copies every member of @snapshot named "<prefix>.<rest>" as "<rest>". */
static void
add_metrics_section (JsonBuilder *builder,
                     JsonObject  *snapshot,
                     const char  *prefix)
{
  g_autoptr(GList) names = json_object_get_members (snapshot);
  gsize prefix_len = strlen (prefix);

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (strncmp (name, prefix, prefix_len) != 0 || name[prefix_len] != '.')
        continue;
      json_builder_set_member_name (builder, name + prefix_len + 1);
      json_builder_add_value (builder, json_node_copy (json_object_get_member (snapshot, name)));
    }
}

static gint64
metric_int (JsonObject *snapshot,
            const char *name)
{
  JsonNode *node = json_object_get_member (snapshot, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;

  return json_node_get_int (node);
}

JsonNode *
ember_sync_dbus_build_status (GPtrArray        *statuses,
                              EmberSyncManager *manager,
                              EmberDbPool      *pool,
                              EmberMetrics     *metrics,
                              GHashTable       *sync_counts)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) snapshot_node = NULL;
  JsonObject *snapshot;
  guint64 syncs_ok = 0, syncs_failed = 0;

  g_return_val_if_fail (statuses != NULL, NULL);
  g_return_val_if_fail (manager == NULL || EMBER_IS_SYNC_MANAGER (manager), NULL);
  g_return_val_if_fail (pool == NULL || EMBER_IS_DB_POOL (pool), NULL);

  if (metrics == NULL)
    metrics = ember_metrics_get_default ();
  snapshot_node = ember_metrics_snapshot (metrics);
  snapshot = json_node_get_object (snapshot_node);

  json_builder_begin_object (builder);
  add_int (builder, "version", 1);
  json_builder_set_member_name (builder, "running");
  json_builder_add_boolean_value (builder, manager != NULL);

  if (manager != NULL)
    {
      add_string (builder, "status", ember_sync_status_to_string (ember_sync_manager_get_status (manager)));
      json_builder_set_member_name (builder, "paused");
      json_builder_add_boolean_value (builder, ember_sync_manager_get_paused (manager));
      json_builder_set_member_name (builder, "online");
      json_builder_add_boolean_value (builder, ember_sync_manager_get_online (manager));
      json_builder_set_member_name (builder, "busy");
      json_builder_add_boolean_value (builder, ember_sync_manager_get_busy (manager));
      json_builder_set_member_name (builder, "progress");
      json_builder_add_double_value (builder, ember_sync_manager_get_fraction (manager));
    }

  json_builder_set_member_name (builder, "accounts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < statuses->len; i++)
    add_account (builder, g_ptr_array_index (statuses, i), manager, sync_counts);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "pool");
  json_builder_begin_object (builder);
  if (pool != NULL)
    {
      EmberDbPoolStats stats;

      ember_db_pool_get_stats (pool, &stats);
      add_int (builder, "in_use", stats.in_use);
      add_int (builder, "idle", stats.idle);
      add_int (builder, "waits", (gint64) stats.waits);
      add_int (builder, "wait_time_us", (gint64) stats.wait_time_usec);
      add_int (builder, "timeouts", (gint64) stats.timeouts);
      add_int (builder, "opened", (gint64) stats.opened);
      add_int (builder, "closed", (gint64) stats.closed);
    }
  else
    {
      add_metrics_section (builder, snapshot, "pool");
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "http");
  json_builder_begin_object (builder);
  add_metrics_section (builder, snapshot, "http");
  json_builder_end_object (builder);

  if (sync_counts != NULL)
    {
      GHashTableIter iter;
      const guint64 *counts;

      g_hash_table_iter_init (&iter, sync_counts);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &counts))
        {
          syncs_ok += counts[0];
          syncs_failed += counts[1];
        }
    }

  json_builder_set_member_name (builder, "error_rates");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "http_errors");
  json_builder_add_double_value (builder, ratio (metric_int (snapshot, "http.errors"),
                                                 metric_int (snapshot, "http.requests")));
  json_builder_set_member_name (builder, "http_failures");
  json_builder_add_double_value (builder, ratio (metric_int (snapshot, "http.failures"),
                                                 metric_int (snapshot, "http.requests")));
  json_builder_set_member_name (builder, "syncs");
  json_builder_add_double_value (builder, ratio ((gint64) syncs_failed, (gint64) (syncs_ok + syncs_failed)));
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "metrics");
  json_builder_add_value (builder, g_steal_pointer (&snapshot_node));

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static GDBusConnection *
get_connection (GDBusConnection  *connection,
                GCancellable     *cancellable,
                GError          **error)
{
  if (connection != NULL)
    return g_object_ref (connection);

  return g_bus_get_sync (G_BUS_TYPE_SESSION, cancellable, error);
}

/* GApplication's object path for an id: "/" + the id with "." as "/" (and
 * "-" as "_"), so a .Devel build is found too. */
static char *
object_path_for (const char *bus_name)
{
  g_autoptr(GString) path = g_string_new ("/");

  for (const char *p = bus_name; *p != '\0'; p++)
    g_string_append_c (path, *p == '.' ? '/' : *p == '-' ? '_' : *p);

  return g_string_free (g_steal_pointer (&path), FALSE);
}

static GVariant *
call_app (GDBusConnection     *connection,
          const char          *bus_name,
          const char          *method,
          GVariant            *parameters,
          const GVariantType  *reply_type,
          GCancellable        *cancellable,
          GError             **error)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *object_path = NULL;
  GVariant *reply;

  /* Registers the error names before a reply is decoded. */
  ember_sync_dbus_get_interface_info ();

  bus = get_connection (connection, cancellable, error);
  if (bus == NULL)
    {
      if (parameters != NULL)
        g_variant_unref (g_variant_ref_sink (parameters));
      return NULL;
    }

  if (bus_name == NULL)
    bus_name = APP_ID;
  object_path = object_path_for (bus_name);

  /* NO_AUTO_START: asking about the status must not launch the app. */
  reply = g_dbus_connection_call_sync (bus,
                                       bus_name,
                                       object_path,
                                       EMBER_SYNC_DBUS_INTERFACE,
                                       method,
                                       parameters,
                                       reply_type,
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                       CALL_TIMEOUT_MSEC,
                                       cancellable,
                                       &local_error);
  if (reply != NULL)
    return reply;

  if (g_error_matches (local_error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches (local_error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("Ember is not running"));
      return NULL;
    }
  /* Running, but its store is still opening (the service comes with it):
   * as good as not running for a caller that can read the store itself. */
  if (g_error_matches (local_error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
      g_error_matches (local_error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
      g_error_matches (local_error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("Ember is starting and cannot tell its status yet"));
      return NULL;
    }

  g_dbus_error_strip_remote_error (local_error);
  g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                              _("Could not ask the running Ember: "));
  return NULL;
}

JsonNode *
ember_sync_dbus_get_status_sync (GDBusConnection  *connection,
                                 const char       *bus_name,
                                 GCancellable     *cancellable,
                                 GError          **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *text;
  JsonNode *root;

  g_return_val_if_fail (connection == NULL || G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  reply = call_app (connection, bus_name, "GetStatus", NULL, G_VARIANT_TYPE ("(s)"),
                    cancellable, error);
  if (reply == NULL)
    return NULL;

  g_variant_get (reply, "(&s)", &text);
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, -1, &local_error))
    {
      g_set_error (error, EMBER_SYNC_ERROR, EMBER_SYNC_ERROR_FAILED,
                   _("The running Ember sent a status that could not be read: %s"),
                   local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, EMBER_SYNC_ERROR, EMBER_SYNC_ERROR_FAILED,
                           _("The running Ember sent a status that is not a JSON object"));
      return NULL;
    }

  return json_node_copy (root);
}

gboolean
ember_sync_dbus_sync_now_sync (GDBusConnection  *connection,
                               const char       *bus_name,
                               gint64            account_id,
                               GCancellable     *cancellable,
                               GError          **error)
{
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (connection == NULL || G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  reply = call_app (connection, bus_name, "SyncNow", g_variant_new ("(x)", account_id), NULL,
                    cancellable, error);

  return reply != NULL;
}
