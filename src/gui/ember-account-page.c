/* ember-account-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "ember-account-page.h"
#include "ember-account-row.h"
#include "ember-account-setup.h"
#include "ember-sign-in-dialog.h"
#include "ember-spinner.h"

struct _EmberAccountPage
{
  AdwBin              parent_instance;

  EmberApplication   *app;
  EmberAccountRecord *account;
  EmberSyncStatus     status;
  gint64              last_success;
  guint64             progress_done;
  guint64             progress_total;
  GCancellable       *cancellable;
  gboolean            updating_switches;
  gboolean            busy;            /* removing or signing in */

  GtkRevealer        *sign_in_revealer;
  GtkImage           *provider_icon;
  GtkLabel           *email_label;
  GtkLabel           *provider_label;
  AdwPreferencesGroup *use_for_group;
  GtkSwitch          *mail_switch;
  GtkSwitch          *calendar_switch;
  AdwActionRow       *sync_now_row;
  EmberSpinner       *sync_spinner;
  GtkImage           *sync_icon;
  GtkButton          *remove_button;
};

G_DEFINE_FINAL_TYPE (EmberAccountPage, ember_account_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_LAST_SUCCESS,
  N_PROPS
};

enum {
  REMOVED,
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
add_toast (EmberAccountPage *self,
           AdwToast         *toast)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), toast);
  else
    g_object_unref (g_object_ref_sink (toast));
}

static void
show_error (EmberAccountPage *self,
            const char       *what,
            const GError     *error)
{
  g_autoptr(EmberUserError) user_error = ember_user_error_new_from_error (error);
  g_autofree char *title = g_strdup_printf ("%s %s", what, user_error->message);

  g_warning ("%s %s", what, user_error->details != NULL ? user_error->details : user_error->message);
  add_toast (self, adw_toast_new (title));
}

/* Async work may end after the page went away (Preferences closed). */
static gboolean
is_disposed (EmberAccountPage *self)
{
  return g_cancellable_is_cancelled (self->cancellable);
}

static EmberSyncManager *
get_manager (EmberAccountPage *self)
{
  return ember_application_get_sync_manager (self->app);
}

static void
update_switches (EmberAccountPage *self)
{
  self->updating_switches = TRUE;
  gtk_switch_set_active (self->mail_switch, self->account->mail_enabled);
  gtk_switch_set_active (self->calendar_switch, self->account->calendar_enabled);
  self->updating_switches = FALSE;
}

static void
update_status (EmberAccountPage *self)
{
  EmberSyncManager *manager = get_manager (self);
  gboolean needs_sign_in = self->status == EMBER_SYNC_STATUS_NEEDS_SIGN_IN;
  gboolean syncing = self->status == EMBER_SYNC_STATUS_SYNCING;
  g_autofree char *subtitle = NULL;

  gtk_revealer_set_reveal_child (self->sign_in_revealer, needs_sign_in);
  /* As in GNOME Settings: an account that must sign in again has no
   * settings to change until it did. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->use_for_group), !needs_sign_in && !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sync_now_row), !needs_sign_in && !syncing && !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->remove_button), !self->busy);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_spinner), syncing);
  ember_spinner_set_spinning (self->sync_spinner, syncing);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_icon), !syncing);

  if (syncing && self->progress_total > 0)
    {
      g_autofree char *done = g_strdup_printf ("%" G_GUINT64_FORMAT, MIN (self->progress_done, self->progress_total));
      g_autofree char *total = g_strdup_printf ("%" G_GUINT64_FORMAT, self->progress_total);

      /* Translators: a count of items, e.g. "Syncing… 120 of 2000". */
      subtitle = g_strdup_printf (_("Syncing… %s of %s"), done, total);
    }
  else if (self->status == EMBER_SYNC_STATUS_ERROR && manager != NULL &&
           ember_sync_manager_get_account_error (manager, self->account->id) != NULL)
    /* Translators: %s says why, e.g. "The server had a problem. Try again later." */
    subtitle = g_strdup_printf (_("Sync failed: %s"),
                                ember_sync_manager_get_account_error (manager, self->account->id)->message);
  else if (self->status == EMBER_SYNC_STATUS_IDLE)
    subtitle = ember_account_format_last_sync (self->last_success, g_get_real_time ());
  else
    subtitle = ember_account_format_status (self->status, self->last_success, g_get_real_time ());

  adw_action_row_set_subtitle (self->sync_now_row, subtitle);
}

static void
account_status_changed_cb (EmberAccountPage *self,
                           gint64            account_id,
                           EmberSyncStatus   status,
                           EmberSyncManager *manager)
{
  if (account_id != self->account->id)
    return;

  self->status = status;
  if (status != EMBER_SYNC_STATUS_SYNCING)
    self->progress_done = self->progress_total = 0;
  if (ember_sync_manager_get_account_last_success (manager, account_id) > 0)
    self->last_success = ember_sync_manager_get_account_last_success (manager, account_id);
  update_status (self);
}

static void
progress_cb (EmberAccountPage *self,
             gint64            account_id,
             const char       *phase,
             guint64           done,
             guint64           total,
             const char       *message,
             EmberSyncManager *manager)
{
  if (account_id != self->account->id)
    return;

  self->progress_done = done;
  self->progress_total = total;
  update_status (self);
}

typedef struct
{
  EmberAccountPage *page;
  gboolean          old_mail_enabled;
  gboolean          old_calendar_enabled;
  gboolean          turned_on;
} UpdateData;

static void
update_data_free (UpdateData *data)
{
  g_clear_object (&data->page);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UpdateData, update_data_free)

static void
update_account_done_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(UpdateData) data = user_data;
  EmberAccountPage *self = data->page;
  g_autoptr(GError) error = NULL;

  if (!ember_store_update_account_finish (EMBER_STORE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || is_disposed (self))
        return;

      /* Show what is really stored. */
      self->account->mail_enabled = data->old_mail_enabled;
      self->account->calendar_enabled = data->old_calendar_enabled;
      update_switches (self);
      show_error (self, _("Could not save the setting."), error);
      return;
    }

  g_signal_emit (self, signals[CHANGED], 0, self->account->id);

  /* Fetch what was just turned on (now that the job will read it). */
  if (data->turned_on && get_manager (self) != NULL)
    ember_sync_manager_sync_now (get_manager (self), self->account->id);
}

static void
switch_changed_cb (EmberAccountPage *self)
{
  g_autoptr(EmberAccountRecord) updated = NULL;
  gboolean mail = gtk_switch_get_active (self->mail_switch);
  gboolean calendar = gtk_switch_get_active (self->calendar_switch);
  EmberStore *store = ember_application_get_store (self->app);
  UpdateData *data;

  if (self->updating_switches || store == NULL)
    return;
  if (mail == self->account->mail_enabled && calendar == self->account->calendar_enabled)
    return;

  data = g_new0 (UpdateData, 1);
  data->page = g_object_ref (self);
  data->old_mail_enabled = self->account->mail_enabled;
  data->old_calendar_enabled = self->account->calendar_enabled;

  data->turned_on = (mail && !self->account->mail_enabled) || (calendar && !self->account->calendar_enabled);
  self->account->mail_enabled = mail;
  self->account->calendar_enabled = calendar;

  updated = ember_account_record_copy (self->account);
  ember_store_update_account_async (store, updated, self->cancellable, update_account_done_cb, data);
}

static void
sync_now_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  EmberAccountPage *self = EMBER_ACCOUNT_PAGE (widget);

  if (get_manager (self) != NULL)
    ember_sync_manager_sync_now (get_manager (self), self->account->id);
}

static void
sign_in_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EmberAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 account_id;

  account_id = ember_sign_in_dialog_run_finish (EMBER_SIGN_IN_DIALOG (object), result, &error);
  self->busy = FALSE;
  if (account_id > 0 && get_manager (self) != NULL)
    ember_sync_manager_sync_now (get_manager (self), self->account->id);
  if (is_disposed (self))
    return;
  update_status (self);

  if (account_id == 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, _("Could not sign in."), error);
      return;
    }

  /* Translators: %s is an email address. */
  add_toast (self, adw_toast_new_format (_("Signed in to %s again"), self->account->email));
  g_signal_emit (self, signals[CHANGED], 0, self->account->id);
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  EmberAccountPage *self = EMBER_ACCOUNT_PAGE (widget);
  g_autoptr(EmberAccountSetup) setup = NULL;
  EmberSignInDialog *dialog;

  if (self->busy || ember_application_get_store (self->app) == NULL)
    return;

  setup = ember_sign_in_dialog_new_setup_for_account (self->app, self->account);
  dialog = ember_sign_in_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), setup);
  self->busy = TRUE;
  update_status (self);
  ember_sign_in_dialog_run_async (dialog, self->cancellable, sign_in_done_cb, g_object_ref (self));
}

static void
remove_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EmberAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;
  GtkRoot *root;

  self->busy = FALSE;

  if (!ember_account_remove_finish (result, &error))
    {
      /* Still there: let it sync again. */
      if (get_manager (self) != NULL)
        ember_sync_manager_add_account (get_manager (self), self->account->id);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || is_disposed (self))
        return;

      update_status (self);
      show_error (self, _("Could not remove the account."), error);
      return;
    }

  g_signal_emit (self, signals[REMOVED], 0, self->account->id);
  if (is_disposed (self))
    return;

  root = gtk_widget_get_root (GTK_WIDGET (self));
  /* Translators: %s is an email address. */
  add_toast (self, adw_toast_new_format (_("%s was removed"), self->account->email));
  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (root));
}

static void
remove_response_cb (EmberAccountPage *self,
                    const char       *response,
                    AdwMessageDialog *dialog)
{
  EmberStore *store = ember_application_get_store (self->app);

  if (g_strcmp0 (response, "remove") != 0 || self->busy || store == NULL)
    return;

  self->busy = TRUE;
  update_status (self);

  /* First the manager, so that no job writes for the account meanwhile. */
  if (get_manager (self) != NULL)
    ember_sync_manager_remove_account (get_manager (self), self->account->id);
  ember_account_remove_async (store, ember_application_get_token_store (self->app),
                              self->account->id, self->cancellable,
                              remove_done_cb, g_object_ref (self));
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  EmberAccountPage *self = EMBER_ACCOUNT_PAGE (widget);
  GtkWidget *dialog;

  if (self->busy)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                   _("Remove this Account?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("Ember deletes its copy of the mail and calendars of %s from this "
                                    "computer and forgets how to sign in to it. Nothing is deleted "
                                    "from the account itself; you can add it again later."),
                                  self->account->email);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (root));
}

EmberAccountPage *
ember_account_page_new (EmberApplication         *app,
                        const EmberAccountRecord *account)
{
  EmberAccountPage *self;
  EmberSyncManager *manager;

  g_return_val_if_fail (EMBER_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (account != NULL && account->id > 0, NULL);

  self = g_object_new (EMBER_TYPE_ACCOUNT_PAGE, NULL);
  self->app = g_object_ref (app);
  self->account = ember_account_record_copy (account);

  gtk_image_set_from_icon_name (self->provider_icon,
                                ember_account_provider_get_icon_name (account->provider));
  gtk_label_set_label (self->email_label, account->email);
  gtk_label_set_label (self->provider_label,
                       ember_account_provider_get_display_name (account->provider));
  update_switches (self);

  manager = get_manager (self);
  if (manager != NULL)
    {
      self->status = ember_sync_manager_get_account_status (manager, account->id);
      self->last_success = ember_sync_manager_get_account_last_success (manager, account->id);
      g_signal_connect_object (manager, "account-status-changed",
                               G_CALLBACK (account_status_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (manager, "progress",
                               G_CALLBACK (progress_cb), self, G_CONNECT_SWAPPED);
    }
  update_status (self);

  return self;
}

gint64
ember_account_page_get_account_id (EmberAccountPage *self)
{
  g_return_val_if_fail (EMBER_IS_ACCOUNT_PAGE (self), 0);

  return self->account->id;
}

const EmberAccountRecord *
ember_account_page_get_account (EmberAccountPage *self)
{
  g_return_val_if_fail (EMBER_IS_ACCOUNT_PAGE (self), NULL);

  return self->account;
}

static void
ember_account_page_dispose (GObject *object)
{
  EmberAccountPage *self = EMBER_ACCOUNT_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), EMBER_TYPE_ACCOUNT_PAGE);

  G_OBJECT_CLASS (ember_account_page_parent_class)->dispose (object);
}

static void
ember_account_page_finalize (GObject *object)
{
  EmberAccountPage *self = EMBER_ACCOUNT_PAGE (object);

  g_clear_pointer (&self->account, ember_account_record_free);
  g_clear_object (&self->cancellable);
  /* Kept until here: callbacks of work started by the page still run. */
  g_clear_object (&self->app);

  G_OBJECT_CLASS (ember_account_page_parent_class)->finalize (object);
}

static void
ember_account_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EmberAccountPage *self = EMBER_ACCOUNT_PAGE (object);

  switch (prop_id)
    {
    case PROP_LAST_SUCCESS:
      g_value_set_int64 (value, self->last_success);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_account_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EmberAccountPage *self = EMBER_ACCOUNT_PAGE (object);

  switch (prop_id)
    {
    case PROP_LAST_SUCCESS:
      if (self->last_success != g_value_get_int64 (value))
        {
          self->last_success = g_value_get_int64 (value);
          if (self->account != NULL)
            update_status (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_account_page_class_init (EmberAccountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ember_account_page_dispose;
  object_class->finalize = ember_account_page_finalize;
  object_class->get_property = ember_account_page_get_property;
  object_class->set_property = ember_account_page_set_property;

  /* Wall-clock µs of the last good sync (from the store when this run has
   * not synced yet). */
  properties[PROP_LAST_SUCCESS] =
    g_param_spec_int64 ("last-success", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[REMOVED] =
    g_signal_new ("removed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  g_type_ensure (EMBER_TYPE_SPINNER);
  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/ember-account-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EmberAccountPage, sign_in_revealer);
  gtk_widget_class_bind_template_child (widget_class, EmberAccountPage, provider_icon);
  gtk_widget_class_bind_template_child (widget_class, EmberAccountPage, email_label);
  gtk_widget_class_bind_template_child (widget_class, EmberAccountPage, provider_label);
  gtk_widget_class_bind_template_child (widget_class, EmberAccountPage, use_for_group);
  gtk_widget_class_bind_template_child (widget_class, EmberAccountPage, mail_switch);
  gtk_widget_class_bind_template_child (widget_class, EmberAccountPage, calendar_switch);
  gtk_widget_class_bind_template_child (widget_class, EmberAccountPage, sync_now_row);
  gtk_widget_class_bind_template_child (widget_class, EmberAccountPage, sync_spinner);
  gtk_widget_class_bind_template_child (widget_class, EmberAccountPage, sync_icon);
  gtk_widget_class_bind_template_child (widget_class, EmberAccountPage, remove_button);
  gtk_widget_class_bind_template_callback (widget_class, switch_changed_cb);

  gtk_widget_class_install_action (widget_class, "account.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "account.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "account.sync-now", NULL, sync_now_action);
  gtk_widget_class_install_action (widget_class, "account.remove", NULL, remove_action);
}

static void
ember_account_page_init (EmberAccountPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
