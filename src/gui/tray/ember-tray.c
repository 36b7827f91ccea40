/* ember-tray.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Maps the sync manager's state onto the StatusNotifierItem: Passive with
 * the idle (or paused, offline) icon while nothing happens, Active with the
 * syncing icon while a job runs, NeedsAttention with the attention icon when
 * an account failed or must be signed in again. The tooltip tells the last
 * sync time and the current progress.
 */
#define G_LOG_DOMAIN "ember-tray"

#include "config.h"

#include <glib/gi18n.h>

#include "ember-tray.h"

#define ICON_IDLE      APP_ID "-idle-symbolic"
#define ICON_SYNCING   APP_ID "-syncing-symbolic"
#define ICON_ATTENTION APP_ID "-attention-symbolic"
#define ICON_PAUSED    APP_ID "-paused-symbolic"
#define ICON_OFFLINE   APP_ID "-offline-symbolic"

struct _EmberTray
{
  GObject                  parent_instance;

  GApplication            *application;  /* weak: it owns us */
  EmberSyncManager        *manager;
  EmberStore              *store;
  EmberStatusNotifierItem *item;
  EmberDbusMenu           *menu;
  GDBusConnection         *connection;

  GHashTable              *emails;       /* gint64* account id -> email */
  gboolean                 loading_emails;
  GCancellable            *cancellable;
  char                    *progress_message;
};

G_DEFINE_FINAL_TYPE (EmberTray, ember_tray, G_TYPE_OBJECT)

static void update_state (EmberTray *self);

static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) then = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (then == NULL || now == NULL)
    return g_strdup ("?");

  if (g_date_time_get_year (then) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (then) == g_date_time_get_day_of_year (now))
    /* Translators: a time of day, see g_date_time_format(). */
    return g_date_time_format (then, _("%H:%M"));

  /* Translators: a day and a time, see g_date_time_format(). */
  return g_date_time_format (then, _("%-d %b, %H:%M"));
}

static gint64
last_success (EmberTray *self)
{
  g_autoptr(GArray) ids = ember_sync_manager_list_accounts (self->manager);
  gint64 latest = 0;

  for (guint i = 0; i < ids->len; i++)
    latest = MAX (latest, ember_sync_manager_get_account_last_success (self->manager,
                                                                        g_array_index (ids, gint64, i)));

  return latest;
}

static const char *
account_name (EmberTray *self,
              gint64     account_id)
{
  return g_hash_table_lookup (self->emails, &account_id);
}

static void
emails_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EmberTray) self = user_data;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  self->loading_emails = FALSE;
  accounts = ember_store_list_accounts_finish (EMBER_STORE (object), result, &error);
  if (accounts == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the accounts for the tray: %s", error->message);
      return;
    }
  if (self->manager == NULL)
    return;

  g_hash_table_remove_all (self->emails);
  for (guint i = 0; i < accounts->len; i++)
    {
      const EmberAccountRecord *account = g_ptr_array_index (accounts, i);
      gint64 *key = g_new (gint64, 1);

      *key = account->id;
      g_hash_table_insert (self->emails, key, g_strdup (account->email));
    }

  update_state (self);
}

static void
load_emails (EmberTray *self)
{
  if (self->store == NULL || self->loading_emails)
    return;

  self->loading_emails = TRUE;
  ember_store_list_accounts_async (self->store, self->cancellable, emails_loaded_cb, g_object_ref (self));
}

/* "work@example.com needs you to sign in again", one line per account. */
static void
append_attention_lines (EmberTray *self,
                        GString   *body)
{
  g_autoptr(GArray) ids = ember_sync_manager_list_accounts (self->manager);

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      EmberSyncStatus status = ember_sync_manager_get_account_status (self->manager, id);
      const EmberUserError *error = ember_sync_manager_get_account_error (self->manager, id);
      const char *name = account_name (self, id);
      g_autofree char *fallback = NULL;

      if (status != EMBER_SYNC_STATUS_NEEDS_SIGN_IN && status != EMBER_SYNC_STATUS_ERROR)
        continue;

      if (name == NULL)
        {
          /* Translators: %d is a number; used until the address is known. */
          name = fallback = g_strdup_printf (_("Account %d"), (int) id);
          load_emails (self);
        }

      if (body->len > 0)
        g_string_append_c (body, '\n');
      if (status == EMBER_SYNC_STATUS_NEEDS_SIGN_IN)
        g_string_append_printf (body, _("Sign in to %s again"), name);
      else
        g_string_append_printf (body, _("%s: %s"), name,
                                error != NULL ? error->message : _("Sync failed"));
    }
}

static void
update_state (EmberTray *self)
{
  EmberSyncStatus status = ember_sync_manager_get_status (self->manager);
  gboolean paused = ember_sync_manager_get_paused (self->manager);
  g_autoptr(GString) body = g_string_new (NULL);
  EmberSniStatus sni_status = EMBER_SNI_STATUS_PASSIVE;
  const char *icon = ICON_IDLE;
  gint64 last = last_success (self);

  switch (status)
    {
    case EMBER_SYNC_STATUS_SYNCING:
      sni_status = EMBER_SNI_STATUS_ACTIVE;
      icon = ICON_SYNCING;
      g_string_append_printf (body, _("Syncing… %d %%"),
                              (int) (ember_sync_manager_get_fraction (self->manager) * 100.0 + 0.5));
      if (self->progress_message != NULL)
        g_string_append_printf (body, "\n%s", self->progress_message);
      break;

    case EMBER_SYNC_STATUS_NEEDS_SIGN_IN:
    case EMBER_SYNC_STATUS_ERROR:
      sni_status = EMBER_SNI_STATUS_NEEDS_ATTENTION;
      icon = ICON_ATTENTION;
      append_attention_lines (self, body);
      break;

    case EMBER_SYNC_STATUS_PAUSED:
      icon = ICON_PAUSED;
      g_string_append (body, _("Sync is paused"));
      break;

    case EMBER_SYNC_STATUS_OFFLINE:
      icon = ICON_OFFLINE;
      g_string_append (body, _("Offline: waiting for a connection"));
      break;

    case EMBER_SYNC_STATUS_IDLE:
    default:
      g_string_append (body, _("Up to date"));
      break;
    }

  if (status != EMBER_SYNC_STATUS_SYNCING)
    g_clear_pointer (&self->progress_message, g_free);

  if (body->len > 0)
    g_string_append_c (body, '\n');
  if (last > 0)
    {
      g_autofree char *when = format_time (last);

      g_string_append_printf (body, _("Last synced at %s"), when);
    }
  else
    {
      g_string_append (body, _("Not synced yet"));
    }

  ember_status_notifier_item_set_status (self->item, sni_status);
  ember_status_notifier_item_set_icon_name (self->item, icon);
  ember_status_notifier_item_set_tooltip (self->item, g_get_application_name (), body->str);

  ember_dbus_menu_set_enabled (self->menu, EMBER_TRAY_ITEM_SYNC_NOW, !paused);
  ember_dbus_menu_set_label (self->menu, EMBER_TRAY_ITEM_PAUSE,
                             paused ? _("_Resume Sync") : _("_Pause Sync"));
  ember_dbus_menu_set_icon_name (self->menu, EMBER_TRAY_ITEM_PAUSE,
                                 paused ? "media-playback-start-symbolic" : "media-playback-pause-symbolic");
}

static void
manager_notify_cb (EmberTray *self)
{
  update_state (self);
}

static void
progress_cb (EmberTray  *self,
             gint64      account_id,
             const char *phase,
             guint64     done,
             guint64     total,
             const char *message)
{
  g_free (self->progress_message);
  if (message == NULL)
    self->progress_message = NULL;
  else if (total > 0)
    /* Translators: "Fetching messages (120 of 400)" */
    self->progress_message = g_strdup_printf (_("%s (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT ")"),
                                              message, done, total);
  else
    self->progress_message = g_strdup (message);

  update_state (self);
}

static void
account_status_changed_cb (EmberTray       *self,
                           gint64           account_id,
                           EmberSyncStatus  status)
{
  if (account_name (self, account_id) == NULL)
    load_emails (self);
  update_state (self);
}

static void
open_application (EmberTray *self)
{
  if (self->application != NULL && g_application_get_is_registered (self->application))
    g_application_activate (self->application);
}

static void
item_activate_cb (EmberTray *self,
                  int        x,
                  int        y)
{
  open_application (self);
}

static void
menu_item_activated_cb (EmberTray *self,
                        gint32     id,
                        guint      timestamp)
{
  switch ((EmberTrayItem) id)
    {
    case EMBER_TRAY_ITEM_SYNC_NOW:
      ember_sync_manager_sync_now (self->manager, 0);
      break;

    case EMBER_TRAY_ITEM_PAUSE:
      ember_sync_manager_set_paused (self->manager, !ember_sync_manager_get_paused (self->manager));
      break;

    case EMBER_TRAY_ITEM_OPEN:
      open_application (self);
      break;

    case EMBER_TRAY_ITEM_QUIT:
      if (self->application == NULL)
        break;
      /* The application's own quit shuts the sync down gracefully. */
      if (g_action_group_has_action (G_ACTION_GROUP (self->application), "quit"))
        g_action_group_activate_action (G_ACTION_GROUP (self->application), "quit", NULL);
      else
        g_application_quit (self->application);
      break;

    default:
      g_warning ("Unknown tray menu item %d", id);
      break;
    }
}

gboolean
ember_tray_export (EmberTray  *self,
                   GError    **error)
{
  g_return_val_if_fail (EMBER_IS_TRAY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ember_dbus_menu_export (self->menu, self->connection, EMBER_TRAY_MENU_PATH, error))
    return FALSE;

  if (!ember_status_notifier_item_export (self->item, error))
    {
      ember_dbus_menu_unexport (self->menu);
      return FALSE;
    }

  return TRUE;
}

void
ember_tray_unexport (EmberTray *self)
{
  g_return_if_fail (EMBER_IS_TRAY (self));

  ember_status_notifier_item_unexport (self->item);
  ember_dbus_menu_unexport (self->menu);
}

EmberStatusNotifierItem *
ember_tray_get_item (EmberTray *self)
{
  g_return_val_if_fail (EMBER_IS_TRAY (self), NULL);

  return self->item;
}

EmberDbusMenu *
ember_tray_get_menu (EmberTray *self)
{
  g_return_val_if_fail (EMBER_IS_TRAY (self), NULL);

  return self->menu;
}

EmberTray *
ember_tray_new (GApplication     *application,
                EmberSyncManager *manager,
                EmberStore       *store,
                GDBusConnection  *connection)
{
  EmberTray *self;
  gint32 id;

  g_return_val_if_fail (G_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (EMBER_IS_SYNC_MANAGER (manager), NULL);
  g_return_val_if_fail (store == NULL || EMBER_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);

  self = g_object_new (EMBER_TYPE_TRAY, NULL);
  self->application = application;
  g_object_add_weak_pointer (G_OBJECT (application), (gpointer *) &self->application);
  self->manager = g_object_ref (manager);
  self->store = store != NULL ? g_object_ref (store) : NULL;
  self->connection = g_object_ref (connection);

  self->item = ember_status_notifier_item_new (connection, APP_ID);
  ember_status_notifier_item_set_title (self->item, g_get_application_name ());
  ember_status_notifier_item_set_attention_icon_name (self->item, ICON_ATTENTION);
  ember_status_notifier_item_set_menu_path (self->item, EMBER_TRAY_MENU_PATH);
  g_signal_connect_object (self->item, "activate", G_CALLBACK (item_activate_cb), self, G_CONNECT_SWAPPED);

  self->menu = ember_dbus_menu_new ();
  id = ember_dbus_menu_append_item (self->menu, _("_Sync Now"), "view-refresh-symbolic");
  g_assert (id == EMBER_TRAY_ITEM_SYNC_NOW);
  id = ember_dbus_menu_append_item (self->menu, _("_Pause Sync"), "media-playback-pause-symbolic");
  g_assert (id == EMBER_TRAY_ITEM_PAUSE);
  id = ember_dbus_menu_append_item (self->menu, _("_Open Ember"), NULL);
  g_assert (id == EMBER_TRAY_ITEM_OPEN);
  id = ember_dbus_menu_append_item (self->menu, _("_Quit"), "application-exit-symbolic");
  g_assert (id == EMBER_TRAY_ITEM_QUIT);
  g_signal_connect_object (self->menu, "item-activated", G_CALLBACK (menu_item_activated_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (manager, "notify::status", G_CALLBACK (manager_notify_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "notify::fraction", G_CALLBACK (manager_notify_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "notify::paused", G_CALLBACK (manager_notify_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "progress", G_CALLBACK (progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "account-status-changed", G_CALLBACK (account_status_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "account-synced", G_CALLBACK (manager_notify_cb), self, G_CONNECT_SWAPPED);

  load_emails (self);
  update_state (self);

  return self;
}

static void
ember_tray_dispose (GObject *object)
{
  EmberTray *self = EMBER_TRAY (object);

  g_cancellable_cancel (self->cancellable);
  if (self->item != NULL)
    ember_tray_unexport (self);
  if (self->application != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->application), (gpointer *) &self->application);
  self->application = NULL;
  g_clear_object (&self->item);
  g_clear_object (&self->menu);
  g_clear_object (&self->manager);
  g_clear_object (&self->store);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (ember_tray_parent_class)->dispose (object);
}

static void
ember_tray_finalize (GObject *object)
{
  EmberTray *self = EMBER_TRAY (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->emails, g_hash_table_unref);
  g_free (self->progress_message);

  G_OBJECT_CLASS (ember_tray_parent_class)->finalize (object);
}

static void
ember_tray_class_init (EmberTrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ember_tray_dispose;
  object_class->finalize = ember_tray_finalize;
}

static void
ember_tray_init (EmberTray *self)
{
  self->emails = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->cancellable = g_cancellable_new ();
}
