/* ember-add-account-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ember-account-row.h"
#include "ember-add-account-page.h"
#include "ember-error.h"
#include "ember-sign-in-dialog.h"

struct _EmberAddAccountPage
{
  AdwBin                parent_instance;

  EmberApplication     *app;
  char                 *provider;
  GStrv                 existing;
  EmberAddAccountState  state;
  char                 *error;
  EmberAccountSetup    *setup;           /* the last sign-in */
  GCancellable         *cancellable;

  GtkImage             *provider_icon;
  GtkLabel             *title_label;
  AdwEntryRow          *email_row;
  GtkLabel             *error_label;
  GtkButton            *sign_in_button;
};

G_DEFINE_FINAL_TYPE (EmberAddAccountPage, ember_add_account_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

enum {
  ACCOUNT_ADDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Enough to catch typos before a browser opens; the provider decides. */
static gboolean
looks_like_address (const char *text)
{
  const char *at = strchr (text, '@');

  return at != NULL && at != text && at[1] != '\0' && strchr (at + 1, '@') == NULL &&
         strchr (text, ' ') == NULL;
}

static gboolean
is_set_up (EmberAddAccountPage *self,
           const char          *email)
{
  for (guint i = 0; self->existing != NULL && self->existing[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (self->existing[i], email) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
set_state (EmberAddAccountPage  *self,
           EmberAddAccountState  state,
           const char           *error)
{
  gboolean busy = state == EMBER_ADD_ACCOUNT_STATE_BUSY || state == EMBER_ADD_ACCOUNT_STATE_DONE;

  g_free (self->error);
  self->error = g_strdup (error);
  gtk_label_set_label (self->error_label, error != NULL ? error : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);

  gtk_widget_set_sensitive (GTK_WIDGET (self->email_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button),
                            state == EMBER_ADD_ACCOUNT_STATE_READY || state == EMBER_ADD_ACCOUNT_STATE_ERROR);
  gtk_button_set_label (self->sign_in_button,
                        state == EMBER_ADD_ACCOUNT_STATE_ERROR ? _("_Try Again") : _("_Sign In"));

  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
email_changed_cb (EmberAddAccountPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->email_row));
  g_autofree char *email = g_strstrip (g_strdup (text));

  if (self->state == EMBER_ADD_ACCOUNT_STATE_BUSY || self->state == EMBER_ADD_ACCOUNT_STATE_DONE)
    return;

  if (!looks_like_address (email))
    set_state (self, EMBER_ADD_ACCOUNT_STATE_IDLE, NULL);
  else if (is_set_up (self, email))
    {
      /* Translators: %s is an email address. */
      g_autofree char *warning = g_strdup_printf (_("%s is already set up"), email);

      set_state (self, EMBER_ADD_ACCOUNT_STATE_IDLE, warning);
    }
  else
    set_state (self, EMBER_ADD_ACCOUNT_STATE_READY, NULL);
}

static void
sign_in_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EmberAddAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *email = NULL;
  EmberSyncManager *manager;
  GtkRoot *root;
  gint64 account_id;

  account_id = ember_sign_in_dialog_run_finish (EMBER_SIGN_IN_DIALOG (object), result, &error);

  /* Preferences closed meanwhile: an account that made it in still syncs. */
  if (g_cancellable_is_cancelled (self->cancellable))
    {
      manager = ember_application_get_sync_manager (self->app);
      if (account_id > 0 && manager != NULL)
        ember_sync_manager_add_account (manager, account_id);
      return;
    }

  if (account_id == 0)
    {
      g_autoptr(EmberUserError) user_error = NULL;

      /* Cancel is the person's choice: back to where they were. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          set_state (self, EMBER_ADD_ACCOUNT_STATE_READY, NULL);
          email_changed_cb (self);
          return;
        }

      user_error = ember_user_error_new_from_error (error);
      g_message ("Adding a %s account failed: %s", self->provider,
                 user_error->details != NULL ? user_error->details : user_error->message);
      /* Our own messages (already set up, no browser) say more than the
       * generic sentence. */
      set_state (self, EMBER_ADD_ACCOUNT_STATE_ERROR,
                 error->domain == EMBER_SYNC_ERROR || error->domain == G_IO_ERROR
                 ? error->message : user_error->message);
      return;
    }

  /* As the provider spells it (it may even be another account). */
  email = g_strdup (ember_account_setup_get_email (self->setup));
  set_state (self, EMBER_ADD_ACCOUNT_STATE_DONE, NULL);

  manager = ember_application_get_sync_manager (self->app);
  if (manager != NULL)
    ember_sync_manager_add_account (manager, account_id);

  g_signal_emit (self, signals[ACCOUNT_ADDED], 0, account_id, email);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (ADW_IS_PREFERENCES_WINDOW (root))
    {
      /* Translators: %s is an email address. */
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root),
                                        adw_toast_new_format (_("%s was added and is syncing"), email));
      adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (root));
    }
}

static void
sign_in_cb (EmberAddAccountPage *self)
{
  g_autoptr(EmberAccountSetup) setup = NULL;
  g_autofree char *email = NULL;
  EmberSignInDialog *dialog;

  if (self->state != EMBER_ADD_ACCOUNT_STATE_READY && self->state != EMBER_ADD_ACCOUNT_STATE_ERROR)
    return;

  if (ember_application_get_store (self->app) == NULL)
    {
      set_state (self, EMBER_ADD_ACCOUNT_STATE_ERROR, _("Ember’s data is not open yet. Try again in a moment."));
      return;
    }

  email = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->email_row))));
  setup = ember_sign_in_dialog_new_setup (self->app, self->provider, email);
  g_set_object (&self->setup, setup);
  dialog = ember_sign_in_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), setup);

  set_state (self, EMBER_ADD_ACCOUNT_STATE_BUSY, NULL);
  ember_sign_in_dialog_run_async (dialog, self->cancellable, sign_in_done_cb, g_object_ref (self));
}

static void
back_cb (EmberAddAccountPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (root));
}

EmberAddAccountPage *
ember_add_account_page_new (EmberApplication   *app,
                            const char         *provider,
                            const char * const *existing)
{
  EmberAddAccountPage *self;

  g_return_val_if_fail (EMBER_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (provider != NULL, NULL);

  self = g_object_new (EMBER_TYPE_ADD_ACCOUNT_PAGE, NULL);
  self->app = g_object_ref (app);
  self->provider = g_strdup (provider);
  self->existing = g_strdupv ((char **) existing);

  gtk_image_set_from_icon_name (self->provider_icon, ember_account_provider_get_icon_name (provider));
  gtk_label_set_label (self->title_label, ember_account_provider_get_display_name (provider));

  return self;
}

const char *
ember_add_account_page_get_provider (EmberAddAccountPage *self)
{
  g_return_val_if_fail (EMBER_IS_ADD_ACCOUNT_PAGE (self), NULL);

  return self->provider;
}

EmberAddAccountState
ember_add_account_page_get_state (EmberAddAccountPage *self)
{
  g_return_val_if_fail (EMBER_IS_ADD_ACCOUNT_PAGE (self), EMBER_ADD_ACCOUNT_STATE_IDLE);

  return self->state;
}

const char *
ember_add_account_page_get_error (EmberAddAccountPage *self)
{
  g_return_val_if_fail (EMBER_IS_ADD_ACCOUNT_PAGE (self), NULL);

  return self->error;
}

static void
ember_add_account_page_dispose (GObject *object)
{
  EmberAddAccountPage *self = EMBER_ADD_ACCOUNT_PAGE (object);

  /* Leaving the page (or closing Preferences) ends a running sign-in. */
  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), EMBER_TYPE_ADD_ACCOUNT_PAGE);

  G_OBJECT_CLASS (ember_add_account_page_parent_class)->dispose (object);
}

static void
ember_add_account_page_finalize (GObject *object)
{
  EmberAddAccountPage *self = EMBER_ADD_ACCOUNT_PAGE (object);

  g_clear_pointer (&self->provider, g_free);
  g_clear_pointer (&self->existing, g_strfreev);
  g_clear_pointer (&self->error, g_free);
  g_clear_object (&self->setup);
  g_clear_object (&self->cancellable);
  /* Kept until here: callbacks of work started by the page still run. */
  g_clear_object (&self->app);

  G_OBJECT_CLASS (ember_add_account_page_parent_class)->finalize (object);
}

static void
ember_add_account_page_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  EmberAddAccountPage *self = EMBER_ADD_ACCOUNT_PAGE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_uint (value, self->state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_add_account_page_class_init (EmberAddAccountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ember_add_account_page_dispose;
  object_class->finalize = ember_add_account_page_finalize;
  object_class->get_property = ember_add_account_page_get_property;

  /* An EmberAddAccountState. */
  properties[PROP_STATE] =
    g_param_spec_uint ("state", NULL, NULL,
                       EMBER_ADD_ACCOUNT_STATE_IDLE, EMBER_ADD_ACCOUNT_STATE_DONE,
                       EMBER_ADD_ACCOUNT_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ACCOUNT_ADDED] =
    g_signal_new ("account-added",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/ember-add-account-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EmberAddAccountPage, provider_icon);
  gtk_widget_class_bind_template_child (widget_class, EmberAddAccountPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, EmberAddAccountPage, email_row);
  gtk_widget_class_bind_template_child (widget_class, EmberAddAccountPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EmberAddAccountPage, sign_in_button);
  gtk_widget_class_bind_template_callback (widget_class, email_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, sign_in_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_cb);
}

static void
ember_add_account_page_init (EmberAddAccountPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  set_state (self, EMBER_ADD_ACCOUNT_STATE_IDLE, NULL);

  /* libadwaita 1.2 leaves the entry row's text field without a name. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_editable_get_delegate (GTK_EDITABLE (self->email_row))),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Email Address"),
                                  -1);
}
