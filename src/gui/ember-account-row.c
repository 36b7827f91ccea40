/* ember-account-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "ember-account-row.h"

struct _EmberAccountRow
{
  AdwActionRow        parent_instance;

  EmberAccountRecord *account;
  EmberSyncStatus     status;
  gint64              last_success;
  char               *status_text;

  GtkImage           *provider_icon;
  GtkLabel           *status_label;
  GtkImage           *attention_icon;
};

G_DEFINE_FINAL_TYPE (EmberAccountRow, ember_account_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_STATUS,
  PROP_STATUS_TEXT,
  PROP_ATTENTION_NEEDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
ember_account_provider_get_display_name (const char *provider)
{
  if (g_strcmp0 (provider, "gmail") == 0)
    return _("Google");
  if (g_strcmp0 (provider, "microsoft") == 0)
    return _("Microsoft 365");

  return provider != NULL ? provider : "";
}

const char *
ember_account_provider_get_icon_name (const char *provider)
{
  if (g_strcmp0 (provider, "microsoft") == 0)
    return "io.github.ember.Ember-provider-microsoft-symbolic";

  return "io.github.ember.Ember-provider-google-symbolic";
}

char *
ember_account_format_last_sync (gint64 last_success,
                                gint64 now)
{
  gint64 seconds;

  if (last_success <= 0)
    return g_strdup (_("Not synced yet"));

  /* A clock that went back is not the future. */
  seconds = MAX (0, (now - last_success) / G_USEC_PER_SEC);

  if (seconds < 60)
    return g_strdup (_("Synced just now"));

  if (seconds < 60 * 60)
    {
      int minutes = (int) (seconds / 60);

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synced %d minute ago",
                                           "Synced %d minutes ago", minutes),
                              minutes);
    }

  if (seconds < 24 * 60 * 60)
    {
      int hours = (int) (seconds / (60 * 60));

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synced %d hour ago",
                                           "Synced %d hours ago", hours),
                              hours);
    }

  if (seconds < 7 * 24 * 60 * 60)
    {
      int days = (int) (seconds / (24 * 60 * 60));

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synced %d day ago",
                                           "Synced %d days ago", days),
                              days);
    }

  {
    g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (last_success / G_USEC_PER_SEC);
    /* Translators: a date in the local format, e.g. "on 3 March". */
    g_autofree char *date = g_date_time_format (time, _("%e %B"));

    g_strstrip (date);
    /* Translators: %s is a date, e.g. "3 March". */
    return g_strdup_printf (_("Synced on %s"), date);
  }
}

char *
ember_account_format_status (EmberSyncStatus status,
                             gint64          last_success,
                             gint64          now)
{
  switch (status)
    {
    case EMBER_SYNC_STATUS_SYNCING:
      return g_strdup (_("Syncing…"));
    case EMBER_SYNC_STATUS_NEEDS_SIGN_IN:
      return g_strdup (_("Needs sign in"));
    case EMBER_SYNC_STATUS_OFFLINE:
      return g_strdup (_("Offline"));
    case EMBER_SYNC_STATUS_ERROR:
      return g_strdup (_("Sync failed"));
    case EMBER_SYNC_STATUS_PAUSED:
      return g_strdup (_("Paused"));
    case EMBER_SYNC_STATUS_IDLE:
    default:
      return ember_account_format_last_sync (last_success, now);
    }
}

static gboolean
status_needs_attention (EmberSyncStatus status)
{
  return status == EMBER_SYNC_STATUS_NEEDS_SIGN_IN || status == EMBER_SYNC_STATUS_ERROR;
}

EmberAccountRow *
ember_account_row_new (const EmberAccountRecord *account)
{
  EmberAccountRow *self;

  g_return_val_if_fail (account != NULL, NULL);

  self = g_object_new (EMBER_TYPE_ACCOUNT_ROW, NULL);
  ember_account_row_set_account (self, account);

  return self;
}

gint64
ember_account_row_get_account_id (EmberAccountRow *self)
{
  g_return_val_if_fail (EMBER_IS_ACCOUNT_ROW (self), 0);

  return self->account->id;
}

const EmberAccountRecord *
ember_account_row_get_account (EmberAccountRow *self)
{
  g_return_val_if_fail (EMBER_IS_ACCOUNT_ROW (self), NULL);

  return self->account;
}

void
ember_account_row_set_account (EmberAccountRow          *self,
                               const EmberAccountRecord *account)
{
  g_return_if_fail (EMBER_IS_ACCOUNT_ROW (self));
  g_return_if_fail (account != NULL);

  g_clear_pointer (&self->account, ember_account_record_free);
  self->account = ember_account_record_copy (account);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self),
                                 ember_account_provider_get_display_name (account->provider));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), account->email);
  gtk_image_set_from_icon_name (self->provider_icon,
                                ember_account_provider_get_icon_name (account->provider));
}

EmberSyncStatus
ember_account_row_get_status (EmberAccountRow *self)
{
  g_return_val_if_fail (EMBER_IS_ACCOUNT_ROW (self), EMBER_SYNC_STATUS_IDLE);

  return self->status;
}

gint64
ember_account_row_get_last_success (EmberAccountRow *self)
{
  g_return_val_if_fail (EMBER_IS_ACCOUNT_ROW (self), 0);

  return self->last_success;
}

const char *
ember_account_row_get_status_text (EmberAccountRow *self)
{
  g_return_val_if_fail (EMBER_IS_ACCOUNT_ROW (self), NULL);

  return self->status_text;
}

gboolean
ember_account_row_get_attention_needed (EmberAccountRow *self)
{
  g_return_val_if_fail (EMBER_IS_ACCOUNT_ROW (self), FALSE);

  return status_needs_attention (self->status);
}

void
ember_account_row_update (EmberAccountRow *self)
{
  g_autofree char *text = NULL;

  g_return_if_fail (EMBER_IS_ACCOUNT_ROW (self));

  text = ember_account_format_status (self->status, self->last_success, g_get_real_time ());
  if (g_strcmp0 (text, self->status_text) == 0)
    return;

  g_free (self->status_text);
  self->status_text = g_steal_pointer (&text);
  gtk_label_set_label (self->status_label, self->status_text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_TEXT]);
}

void
ember_account_row_set_status (EmberAccountRow *self,
                              EmberSyncStatus  status,
                              gint64           last_success)
{
  gboolean attention_before;

  g_return_if_fail (EMBER_IS_ACCOUNT_ROW (self));

  attention_before = status_needs_attention (self->status);
  self->last_success = last_success;

  if (self->status != status)
    {
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->attention_icon), status_needs_attention (status));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->attention_icon),
                               status == EMBER_SYNC_STATUS_NEEDS_SIGN_IN
                               ? _("Sign in again to keep this account in sync")
                               : _("The last sync of this account failed"));
  if (status_needs_attention (status) != attention_before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTENTION_NEEDED]);

  ember_account_row_update (self);
}

static void
ember_account_row_finalize (GObject *object)
{
  EmberAccountRow *self = EMBER_ACCOUNT_ROW (object);

  g_clear_pointer (&self->account, ember_account_record_free);
  g_clear_pointer (&self->status_text, g_free);

  G_OBJECT_CLASS (ember_account_row_parent_class)->finalize (object);
}

static void
ember_account_row_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  EmberAccountRow *self = EMBER_ACCOUNT_ROW (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;

    case PROP_STATUS_TEXT:
      g_value_set_string (value, self->status_text);
      break;

    case PROP_ATTENTION_NEEDED:
      g_value_set_boolean (value, ember_account_row_get_attention_needed (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_account_row_class_init (EmberAccountRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ember_account_row_finalize;
  object_class->get_property = ember_account_row_get_property;

  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       EMBER_TYPE_SYNC_STATUS, EMBER_SYNC_STATUS_IDLE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATUS_TEXT] =
    g_param_spec_string ("status-text", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ATTENTION_NEEDED] =
    g_param_spec_boolean ("attention-needed", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/ember-account-row.ui");
  gtk_widget_class_bind_template_child (widget_class, EmberAccountRow, provider_icon);
  gtk_widget_class_bind_template_child (widget_class, EmberAccountRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, EmberAccountRow, attention_icon);
}

static void
ember_account_row_init (EmberAccountRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ember_account_row_update (self);
}
