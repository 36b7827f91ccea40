/* ember-accounts-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "ember-account-page.h"
#include "ember-account-row.h"
#include "ember-accounts-page.h"
#include "ember-add-account-page.h"

/* "Synced 2 minutes ago" is rendered again this often. */
#define RELATIVE_TIME_REFRESH_SECONDS 30

struct _EmberAccountsPage
{
  AdwPreferencesPage   parent_instance;

  EmberApplication    *app;
  EmberSyncManager    *manager;       /* the app's, while connected */
  GHashTable          *rows;          /* gint64* account id -> EmberAccountRow* (owned by the group) */
  GCancellable        *cancellable;
  guint                tick_source;
  gint64               pending_account; /* show_account() before the rows were read */

  AdwPreferencesGroup *accounts_group;
};

G_DEFINE_FINAL_TYPE (EmberAccountsPage, ember_accounts_page, ADW_TYPE_PREFERENCES_PAGE)

enum {
  PROP_0,
  PROP_APPLICATION,
  PROP_N_ACCOUNTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_row_status (EmberAccountsPage *self,
                   EmberAccountRow   *row)
{
  gint64 account_id = ember_account_row_get_account_id (row);
  EmberSyncStatus status = EMBER_SYNC_STATUS_IDLE;
  gint64 last_success = ember_account_row_get_last_success (row);

  if (self->manager != NULL)
    {
      gint64 manager_last_success = ember_sync_manager_get_account_last_success (self->manager, account_id);

      status = ember_sync_manager_get_account_status (self->manager, account_id);
      if (manager_last_success > 0)
        last_success = manager_last_success;
    }

  ember_account_row_set_status (row, status, last_success);
}

static void
remove_row (EmberAccountsPage *self,
            gint64             account_id)
{
  EmberAccountRow *row = g_hash_table_lookup (self->rows, &account_id);

  if (row == NULL)
    return;

  adw_preferences_group_remove (self->accounts_group, GTK_WIDGET (row));
  g_hash_table_remove (self->rows, &account_id);

  gtk_widget_set_visible (GTK_WIDGET (self->accounts_group), g_hash_table_size (self->rows) > 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ACCOUNTS]);
}

static void
account_page_removed_cb (EmberAccountsPage *self,
                         gint64             account_id)
{
  remove_row (self, account_id);
}

static void
account_page_changed_cb (EmberAccountsPage *self,
                         gint64             account_id)
{
  ember_accounts_page_reload (self);
}

static void
account_row_activated_cb (EmberAccountsPage *self,
                          EmberAccountRow   *row)
{
  EmberAccountPage *page;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->app == NULL || !ADW_IS_PREFERENCES_WINDOW (root))
    return;

  page = ember_account_page_new (self->app, ember_account_row_get_account (row));
  if (ember_account_row_get_last_success (row) > 0)
    g_object_set (page, "last-success", ember_account_row_get_last_success (row), NULL);
  g_signal_connect_object (page, "removed", G_CALLBACK (account_page_removed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (page, "changed", G_CALLBACK (account_page_changed_cb), self, G_CONNECT_SWAPPED);
  adw_preferences_window_present_subpage (ADW_PREFERENCES_WINDOW (root), GTK_WIDGET (page));
}

static void
apply_accounts (EmberAccountsPage *self,
                GPtrArray         *statuses)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  GHashTableIter iter;
  gint64 *account_id;
  guint n_before = g_hash_table_size (self->rows);

  for (guint i = 0; i < statuses->len; i++)
    {
      const EmberAccountStatus *status = g_ptr_array_index (statuses, i);
      EmberAccountRow *row = g_hash_table_lookup (self->rows, &status->account->id);
      gint64 stored_last_success = 0;

      g_hash_table_add (seen, (gpointer) &status->account->id);

      for (guint j = 0; status->sync_states != NULL && j < status->sync_states->len; j++)
        {
          const EmberSyncState *state = g_ptr_array_index (status->sync_states, j);

          /* The sync manager records each whole sync under "account". */
          if (g_strcmp0 (state->resource, "account") == 0)
            stored_last_success = state->last_success * G_USEC_PER_SEC;
        }

      if (row == NULL)
        {
          gint64 *key = g_new (gint64, 1);

          *key = status->account->id;
          row = ember_account_row_new (status->account);
          g_signal_connect_object (row, "activated", G_CALLBACK (account_row_activated_cb),
                                   self, G_CONNECT_SWAPPED);
          adw_preferences_group_add (self->accounts_group, GTK_WIDGET (row));
          g_hash_table_insert (self->rows, key, row);
        }
      else
        {
          ember_account_row_set_account (row, status->account);
        }

      ember_account_row_set_status (row, ember_account_row_get_status (row),
                                    MAX (stored_last_success, ember_account_row_get_last_success (row)));
      update_row_status (self, row);
    }

  /* Rows whose account is gone (removed elsewhere, e.g. ember-cli). */
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, (gpointer *) &account_id, NULL))
    {
      if (!g_hash_table_contains (seen, account_id))
        {
          EmberAccountRow *row = g_hash_table_lookup (self->rows, account_id);

          adw_preferences_group_remove (self->accounts_group, GTK_WIDGET (row));
          g_hash_table_iter_remove (&iter);
        }
    }

  gtk_widget_set_visible (GTK_WIDGET (self->accounts_group), g_hash_table_size (self->rows) > 0);
  if (g_hash_table_size (self->rows) != n_before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ACCOUNTS]);

  if (self->pending_account != 0)
    {
      gint64 pending = self->pending_account;

      self->pending_account = 0;
      ember_accounts_page_show_account (self, pending);
    }
}

static void
list_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(EmberAccountsPage) self = user_data;
  g_autoptr(GPtrArray) statuses = NULL;
  g_autoptr(GError) error = NULL;

  statuses = ember_store_list_account_status_finish (EMBER_STORE (object), result, &error);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;  /* the page went away meanwhile */

  if (statuses == NULL)
    {
      g_autoptr(EmberUserError) user_error = NULL;
      GtkRoot *root;


      user_error = ember_user_error_new_from_error (error);
      g_warning ("Could not list the accounts: %s",
                 user_error->details != NULL ? user_error->details : user_error->message);
      root = gtk_widget_get_root (GTK_WIDGET (self));
      if (ADW_IS_PREFERENCES_WINDOW (root))
        adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), adw_toast_new (user_error->message));
      return;
    }

  apply_accounts (self, statuses);
}

void
ember_accounts_page_reload (EmberAccountsPage *self)
{
  EmberStore *store;

  g_return_if_fail (EMBER_IS_ACCOUNTS_PAGE (self));

  if (self->app == NULL || (store = ember_application_get_store (self->app)) == NULL)
    return;

  ember_store_list_account_status_async (store, self->cancellable, list_done_cb, g_object_ref (self));
}

static void
account_status_changed_cb (EmberAccountsPage *self,
                           gint64             account_id,
                           EmberSyncStatus    status,
                           EmberSyncManager  *manager)
{
  EmberAccountRow *row = g_hash_table_lookup (self->rows, &account_id);

  /* An account added elsewhere (the demo, another window): show it. */
  if (row == NULL)
    ember_accounts_page_reload (self);
  else
    update_row_status (self, row);
}

static void
account_synced_cb (EmberAccountsPage *self,
                   gint64             account_id,
                   guint              new_messages,
                   guint              changed_events,
                   EmberSyncManager  *manager)
{
  EmberAccountRow *row = g_hash_table_lookup (self->rows, &account_id);

  if (row != NULL)
    update_row_status (self, row);
}

static void
connect_manager (EmberAccountsPage *self)
{
  EmberSyncManager *manager = self->app != NULL ? ember_application_get_sync_manager (self->app) : NULL;
  GHashTableIter iter;
  EmberAccountRow *row;

  if (manager == self->manager)
    return;

  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_set_object (&self->manager, manager);

  if (manager != NULL)
    {
      g_signal_connect_object (manager, "account-status-changed",
                               G_CALLBACK (account_status_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (manager, "account-synced",
                               G_CALLBACK (account_synced_cb), self, G_CONNECT_SWAPPED);
    }

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &row))
    update_row_status (self, row);
}

static void
app_store_changed_cb (EmberAccountsPage *self)
{
  ember_accounts_page_reload (self);
}

static void
app_sync_manager_changed_cb (EmberAccountsPage *self)
{
  connect_manager (self);
}

void
ember_accounts_page_show_account (EmberAccountsPage *self,
                                  gint64             account_id)
{
  EmberAccountRow *row;

  g_return_if_fail (EMBER_IS_ACCOUNTS_PAGE (self));

  row = g_hash_table_lookup (self->rows, &account_id);
  if (row != NULL)
    account_row_activated_cb (self, row);
  else
    self->pending_account = account_id;
}

static void
add_account_added_cb (EmberAccountsPage *self,
                      gint64             account_id,
                      const char        *email)
{
  ember_accounts_page_reload (self);
}

void
ember_accounts_page_add_account (EmberAccountsPage *self,
                                 const char        *provider)
{
  g_autoptr(GPtrArray) existing = g_ptr_array_new ();
  EmberAddAccountPage *page;
  GtkRoot *root;
  GHashTableIter iter;
  EmberAccountRow *row;

  g_return_if_fail (EMBER_IS_ACCOUNTS_PAGE (self));
  g_return_if_fail (provider != NULL);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (self->app == NULL || !ADW_IS_PREFERENCES_WINDOW (root))
    return;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &row))
    {
      const EmberAccountRecord *account = ember_account_row_get_account (row);

      if (g_strcmp0 (account->provider, provider) == 0)
        g_ptr_array_add (existing, account->email);
    }
  g_ptr_array_add (existing, NULL);

  page = ember_add_account_page_new (self->app, provider, (const char * const *) existing->pdata);
  g_signal_connect_object (page, "account-added", G_CALLBACK (add_account_added_cb), self, G_CONNECT_SWAPPED);
  adw_preferences_window_present_subpage (ADW_PREFERENCES_WINDOW (root), GTK_WIDGET (page));
}

static void
google_activated_cb (EmberAccountsPage *self)
{
  ember_accounts_page_add_account (self, "gmail");
}

static void
microsoft_activated_cb (EmberAccountsPage *self)
{
  ember_accounts_page_add_account (self, "microsoft");
}

static gboolean
tick_cb (gpointer data)
{
  EmberAccountsPage *self = data;
  GHashTableIter iter;
  EmberAccountRow *row;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &row))
    ember_account_row_update (row);

  return G_SOURCE_CONTINUE;
}

EmberAccountsPage *
ember_accounts_page_new (void)
{
  return g_object_new (EMBER_TYPE_ACCOUNTS_PAGE, NULL);
}

void
ember_accounts_page_set_application (EmberAccountsPage *self,
                                     EmberApplication  *app)
{
  g_return_if_fail (EMBER_IS_ACCOUNTS_PAGE (self));
  g_return_if_fail (app == NULL || EMBER_IS_APPLICATION (app));

  if (self->app == app)
    return;

  if (self->app != NULL)
    g_signal_handlers_disconnect_by_data (self->app, self);
  g_set_object (&self->app, app);

  if (app != NULL)
    {
      g_signal_connect_object (app, "notify::store", G_CALLBACK (app_store_changed_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (app, "notify::sync-manager", G_CALLBACK (app_sync_manager_changed_cb),
                               self, G_CONNECT_SWAPPED);
    }

  connect_manager (self);
  ember_accounts_page_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_APPLICATION]);
}

EmberApplication *
ember_accounts_page_get_application (EmberAccountsPage *self)
{
  g_return_val_if_fail (EMBER_IS_ACCOUNTS_PAGE (self), NULL);

  return self->app;
}

guint
ember_accounts_page_get_n_accounts (EmberAccountsPage *self)
{
  g_return_val_if_fail (EMBER_IS_ACCOUNTS_PAGE (self), 0);

  return g_hash_table_size (self->rows);
}

GtkWidget *
ember_accounts_page_get_row (EmberAccountsPage *self,
                             gint64             account_id)
{
  g_return_val_if_fail (EMBER_IS_ACCOUNTS_PAGE (self), NULL);

  return g_hash_table_lookup (self->rows, &account_id);
}

static void
ember_accounts_page_dispose (GObject *object)
{
  EmberAccountsPage *self = EMBER_ACCOUNTS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_object (&self->manager);
  if (self->app != NULL)
    g_signal_handlers_disconnect_by_data (self->app, self);
  g_clear_object (&self->app);
  g_hash_table_remove_all (self->rows);

  gtk_widget_dispose_template (GTK_WIDGET (self), EMBER_TYPE_ACCOUNTS_PAGE);

  G_OBJECT_CLASS (ember_accounts_page_parent_class)->dispose (object);
}

static void
ember_accounts_page_finalize (GObject *object)
{
  EmberAccountsPage *self = EMBER_ACCOUNTS_PAGE (object);

  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ember_accounts_page_parent_class)->finalize (object);
}

static void
ember_accounts_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  EmberAccountsPage *self = EMBER_ACCOUNTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      g_value_set_object (value, self->app);
      break;

    case PROP_N_ACCOUNTS:
      g_value_set_uint (value, ember_accounts_page_get_n_accounts (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_accounts_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  EmberAccountsPage *self = EMBER_ACCOUNTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      ember_accounts_page_set_application (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_accounts_page_class_init (EmberAccountsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ember_accounts_page_dispose;
  object_class->finalize = ember_accounts_page_finalize;
  object_class->get_property = ember_accounts_page_get_property;
  object_class->set_property = ember_accounts_page_set_property;

  properties[PROP_APPLICATION] =
    g_param_spec_object ("application", NULL, NULL,
                         EMBER_TYPE_APPLICATION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_ACCOUNTS] =
    g_param_spec_uint ("n-accounts", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (EMBER_TYPE_ACCOUNT_ROW);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/ember-accounts-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EmberAccountsPage, accounts_group);
  gtk_widget_class_bind_template_callback (widget_class, google_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, microsoft_activated_cb);
}

static void
ember_accounts_page_init (EmberAccountsPage *self)
{
  self->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->tick_source = g_timeout_add_seconds (RELATIVE_TIME_REFRESH_SECONDS, tick_cb, self);
  g_source_set_name_by_id (self->tick_source, "[ember] account sync times");
}
