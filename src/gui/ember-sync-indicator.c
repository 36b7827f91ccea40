/* ember-sync-indicator.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "ember-sync-indicator.h"
#include "ember-spinner.h"

struct _EmberSyncIndicator
{
  GtkWidget         parent_instance;

  EmberSyncManager *manager;
  gint64            syncing_account;
  guint             tick_source;
  char             *text;

  GtkStack         *status_slot;
  EmberSpinner     *spinner;
  GtkImage         *status_icon;
  GtkInscription   *status_label;
  GtkProgressBar   *progress_bar;
};

G_DEFINE_FINAL_TYPE (EmberSyncIndicator, ember_sync_indicator, GTK_TYPE_WIDGET)

char *
ember_format_time_ago (gint64 then_usec,
                       gint64 now_usec)
{
  gint64 minutes = (now_usec - then_usec) / G_USEC_PER_SEC / 60;

  if (minutes < 1)
    return g_strdup (_("just now"));
  if (minutes < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago", minutes),
                            (int) minutes);
  if (minutes < 24 * 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago", minutes / 60),
                            (int) (minutes / 60));

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago", minutes / 60 / 24),
                          (int) (minutes / 60 / 24));
}

static const char *
provider_name (const char *provider)
{
  if (g_strcmp0 (provider, "gmail") == 0)
    return _("Gmail");
  if (g_strcmp0 (provider, "microsoft") == 0)
    return _("Microsoft 365");

  return _("your account");
}

/* The account whose problem the indicator shows, or 0. */
static gint64
find_account_with_status (EmberSyncManager *manager,
                          EmberSyncStatus   status)
{
  g_autoptr(GArray) ids = ember_sync_manager_list_accounts (manager);

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);

      if (ember_sync_manager_get_account_status (manager, id) == status)
        return id;
    }

  return 0;
}

static gint64
latest_success (EmberSyncManager *manager)
{
  g_autoptr(GArray) ids = ember_sync_manager_list_accounts (manager);
  gint64 latest = 0;

  for (guint i = 0; i < ids->len; i++)
    latest = MAX (latest, ember_sync_manager_get_account_last_success (manager, g_array_index (ids, gint64, i)));

  return latest;
}

/* Hidden parts keep their room: the header, and with it the panes of the
 * window, keep one size whatever the state (a change of width lays out
 * and repaints the whole window). */
static void
show (GtkWidget *widget,
      gboolean   shown)
{
  gtk_widget_set_opacity (widget, shown ? 1.0 : 0.0);
  gtk_widget_set_can_target (widget, shown);
}

static void
update (EmberSyncIndicator *self)
{
  g_autofree char *text = NULL;
  const char *icon = NULL;
  EmberSyncStatus status;
  gboolean syncing = FALSE;
  g_autoptr(GArray) ids = NULL;

  if (self->manager == NULL)
    {
      show (GTK_WIDGET (self), FALSE);
      return;
    }

  ids = ember_sync_manager_list_accounts (self->manager);
  status = ember_sync_manager_get_status (self->manager);

  switch (status)
    {
    case EMBER_SYNC_STATUS_SYNCING:
      {
        gint64 account = self->syncing_account;
        guint64 done = 0, total = 0;

        if (!ember_sync_manager_get_account_progress (self->manager, account, &done, &total))
          account = find_account_with_status (self->manager, EMBER_SYNC_STATUS_SYNCING);
        ember_sync_manager_get_account_progress (self->manager, account, &done, &total);

        syncing = TRUE;
        if (total > 0)
          {
            g_autofree char *done_text = g_strdup_printf ("%'" G_GUINT64_FORMAT, MIN (done, total));
            g_autofree char *total_text = g_strdup_printf ("%'" G_GUINT64_FORMAT, total);

            /* Translators: "Syncing Gmail — 1,240 of 5,000" */
            text = g_strdup_printf (_("Syncing %s — %s of %s"),
                                    provider_name (ember_sync_manager_get_account_provider (self->manager, account)),
                                    done_text, total_text);
          }
        else
          text = g_strdup_printf (_("Syncing %s…"),
                                  provider_name (ember_sync_manager_get_account_provider (self->manager, account)));
      }
      break;

    case EMBER_SYNC_STATUS_NEEDS_SIGN_IN:
      icon = "dialog-password-symbolic";
      text = g_strdup_printf (_("Sign in to %s again"),
                              ember_sync_manager_get_account_email (self->manager,
                                                                    find_account_with_status (self->manager, status)));
      break;

    case EMBER_SYNC_STATUS_ERROR:
      {
        gint64 account = find_account_with_status (self->manager, status);
        const EmberUserError *error = ember_sync_manager_get_account_error (self->manager, account);

        icon = "dialog-warning-symbolic";
        text = g_strdup_printf (_("Sync failed: %s"), error != NULL ? error->message : _("unknown problem"));
      }
      break;

    case EMBER_SYNC_STATUS_OFFLINE:
      icon = "network-offline-symbolic";
      text = g_strdup (_("Offline — showing saved mail"));
      break;

    case EMBER_SYNC_STATUS_PAUSED:
      icon = "media-playback-pause-symbolic";
      text = g_strdup (_("Sync paused"));
      break;

    case EMBER_SYNC_STATUS_IDLE:
    default:
      {
        gint64 last = latest_success (self->manager);

        if (last > 0)
          {
            g_autofree char *ago = ember_format_time_ago (last, g_get_real_time ());

            /* Translators: "Updated 2 minutes ago" */
            text = g_strdup_printf (_("Updated %s"), ago);
          }
        else if (ids->len > 0)
          text = g_strdup (_("Waiting to sync"));
      }
      break;
    }

  show (GTK_WIDGET (self), ids->len > 0);
  ember_spinner_set_spinning (self->spinner, syncing);
  show (GTK_WIDGET (self->status_slot), syncing || icon != NULL);
  gtk_stack_set_visible_child (self->status_slot, syncing ? GTK_WIDGET (self->spinner) : GTK_WIDGET (self->status_icon));
  if (icon != NULL)
    gtk_image_set_from_icon_name (self->status_icon, icon);
  show (GTK_WIDGET (self->progress_bar), syncing);
  gtk_progress_bar_set_fraction (self->progress_bar, ember_sync_manager_get_fraction (self->manager));

  g_free (self->text);
  self->text = g_strdup (text != NULL ? text : "");
  gtk_inscription_set_text (self->status_label, self->text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->text,
                                  -1);
}

static void
progress_cb (EmberSyncIndicator *self,
             gint64              account_id)
{
  self->syncing_account = account_id;
  update (self);
}

static gboolean
tick_cb (gpointer user_data)
{
  update (user_data);

  return G_SOURCE_CONTINUE;
}

void
ember_sync_indicator_set_manager (EmberSyncIndicator *self,
                                  EmberSyncManager   *manager)
{
  g_return_if_fail (EMBER_IS_SYNC_INDICATOR (self));

  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  if (!g_set_object (&self->manager, manager))
    return;

  if (manager != NULL)
    {
      g_signal_connect_object (manager, "notify", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (manager, "progress", G_CALLBACK (progress_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (manager, "account-status-changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
    }

  update (self);
}

const char *
ember_sync_indicator_get_text (EmberSyncIndicator *self)
{
  g_return_val_if_fail (EMBER_IS_SYNC_INDICATOR (self), NULL);

  return self->text != NULL ? self->text : "";
}

GtkWidget *
ember_sync_indicator_new (void)
{
  return g_object_new (EMBER_TYPE_SYNC_INDICATOR, NULL);
}

static void
ember_sync_indicator_dispose (GObject *object)
{
  EmberSyncIndicator *self = EMBER_SYNC_INDICATOR (object);

  g_clear_handle_id (&self->tick_source, g_source_remove);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_object (&self->manager);
  gtk_widget_dispose_template (GTK_WIDGET (self), EMBER_TYPE_SYNC_INDICATOR);
  /* The template's root box is not a bound child: unparent it too. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (ember_sync_indicator_parent_class)->dispose (object);
}

static void
ember_sync_indicator_finalize (GObject *object)
{
  EmberSyncIndicator *self = EMBER_SYNC_INDICATOR (object);

  g_free (self->text);

  G_OBJECT_CLASS (ember_sync_indicator_parent_class)->finalize (object);
}

/* The tooltip is asked for when it shows: setting it on every progress
 * update makes GTK look for the pointer at once, which on X11 is two round
 * trips to the X server (one a full sync) for each update. */
static gboolean
ember_sync_indicator_query_tooltip (GtkWidget  *widget,
                                    int         x,
                                    int         y,
                                    gboolean    keyboard_tooltip,
                                    GtkTooltip *tooltip)
{
  EmberSyncIndicator *self = EMBER_SYNC_INDICATOR (widget);

  if (self->text == NULL || *self->text == '\0')
    return FALSE;

  gtk_tooltip_set_text (tooltip, self->text);
  return TRUE;
}

static void
ember_sync_indicator_class_init (EmberSyncIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ember_sync_indicator_dispose;
  object_class->finalize = ember_sync_indicator_finalize;

  widget_class->query_tooltip = ember_sync_indicator_query_tooltip;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_STATUS);
  g_type_ensure (EMBER_TYPE_SPINNER);
  gtk_widget_class_set_template_from_resource (widget_class, APP_PATH "/ui/ember-sync-indicator.ui");
  gtk_widget_class_bind_template_child (widget_class, EmberSyncIndicator, status_slot);
  gtk_widget_class_bind_template_child (widget_class, EmberSyncIndicator, spinner);
  gtk_widget_class_bind_template_child (widget_class, EmberSyncIndicator, status_icon);
  gtk_widget_class_bind_template_child (widget_class, EmberSyncIndicator, status_label);
  gtk_widget_class_bind_template_child (widget_class, EmberSyncIndicator, progress_bar);
}

static void
ember_sync_indicator_init (EmberSyncIndicator *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);

  /* "Updated 2 minutes ago" has to age. */
  self->tick_source = g_timeout_add_seconds (30, tick_cb, self);
}
