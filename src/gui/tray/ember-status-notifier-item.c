/* ember-status-notifier-item.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The StatusNotifierItem protocol (freedesktop.org draft, as KDE, the
 * AppIndicator extension, waybar and others implement it): the item owns
 * org.kde.StatusNotifierItem-<pid>-<n>, exports /StatusNotifierItem and
 * tells org.kde.StatusNotifierWatcher its bus name. Hosts read the
 * properties and are told about changes by the New* signals. Everything
 * here runs on the thread-default main context of the creator.
 */
#define G_LOG_DOMAIN "ember-tray"

#include "config.h"

#include <unistd.h>

#include "ember-status-notifier-item.h"

G_DEFINE_ENUM_TYPE (EmberSniStatus, ember_sni_status,
  G_DEFINE_ENUM_VALUE (EMBER_SNI_STATUS_PASSIVE, "passive"),
  G_DEFINE_ENUM_VALUE (EMBER_SNI_STATUS_ACTIVE, "active"),
  G_DEFINE_ENUM_VALUE (EMBER_SNI_STATUS_NEEDS_ATTENTION, "needs-attention"))

const char *
ember_sni_status_to_string (EmberSniStatus status)
{
  switch (status)
    {
    case EMBER_SNI_STATUS_PASSIVE: return "Passive";
    case EMBER_SNI_STATUS_ACTIVE: return "Active";
    case EMBER_SNI_STATUS_NEEDS_ATTENTION: return "NeedsAttention";
    default: return "Passive";
    }
}

static const char item_xml[] =
  "<node>"
  "  <interface name='org.kde.StatusNotifierItem'>"
  "    <property name='Category' type='s' access='read'/>"
  "    <property name='Id' type='s' access='read'/>"
  "    <property name='Title' type='s' access='read'/>"
  "    <property name='Status' type='s' access='read'/>"
  "    <property name='WindowId' type='i' access='read'/>"
  "    <property name='IconThemePath' type='s' access='read'/>"
  "    <property name='Menu' type='o' access='read'/>"
  "    <property name='ItemIsMenu' type='b' access='read'/>"
  "    <property name='IconName' type='s' access='read'/>"
  "    <property name='IconPixmap' type='a(iiay)' access='read'/>"
  "    <property name='OverlayIconName' type='s' access='read'/>"
  "    <property name='OverlayIconPixmap' type='a(iiay)' access='read'/>"
  "    <property name='AttentionIconName' type='s' access='read'/>"
  "    <property name='AttentionIconPixmap' type='a(iiay)' access='read'/>"
  "    <property name='AttentionMovieName' type='s' access='read'/>"
  "    <property name='ToolTip' type='(sa(iiay)ss)' access='read'/>"
  "    <method name='ContextMenu'>"
  "      <arg name='x' type='i' direction='in'/>"
  "      <arg name='y' type='i' direction='in'/>"
  "    </method>"
  "    <method name='Activate'>"
  "      <arg name='x' type='i' direction='in'/>"
  "      <arg name='y' type='i' direction='in'/>"
  "    </method>"
  "    <method name='SecondaryActivate'>"
  "      <arg name='x' type='i' direction='in'/>"
  "      <arg name='y' type='i' direction='in'/>"
  "    </method>"
  "    <method name='Scroll'>"
  "      <arg name='delta' type='i' direction='in'/>"
  "      <arg name='orientation' type='s' direction='in'/>"
  "    </method>"
  "    <method name='ProvideXdgActivationToken'>"
  "      <arg name='token' type='s' direction='in'/>"
  "    </method>"
  "    <signal name='NewTitle'/>"
  "    <signal name='NewIcon'/>"
  "    <signal name='NewAttentionIcon'/>"
  "    <signal name='NewOverlayIcon'/>"
  "    <signal name='NewToolTip'/>"
  "    <signal name='NewStatus'>"
  "      <arg name='status' type='s'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

#define NO_MENU_PATH "/NO_DBUSMENU"

struct _EmberStatusNotifierItem
{
  GObject          parent_instance;

  GDBusConnection *connection;
  char            *id;
  char            *title;
  EmberSniStatus   status;
  char            *icon_name;
  char            *attention_icon_name;
  char            *icon_theme_path;
  char            *tooltip_title;
  char            *tooltip_body;
  char            *menu_path;
  char            *activation_token;

  GDBusNodeInfo   *node_info;
  guint            registration_id;
  guint            own_name_id;
  guint            watch_id;
  char            *bus_name;
  gboolean         name_owned;
  char            *watcher_owner;  /* unique name of the watcher we see */
  gboolean         registered;
  GCancellable    *register_cancellable;
  guint            register_attempts;
  guint            retry_source;
};

G_DEFINE_FINAL_TYPE (EmberStatusNotifierItem, ember_status_notifier_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_ID,
  PROP_TITLE,
  PROP_STATUS,
  PROP_ICON_NAME,
  PROP_REGISTERED,
  N_PROPS
};

enum {
  ACTIVATE,
  SECONDARY_ACTIVATE,
  SCROLL,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Each item in a process gets its own name suffix. */
static gint item_counter;

/* g_set_str () is GLib 2.76. */
static gboolean
set_string (char       **dest,
            const char  *value)
{
  if (g_strcmp0 (*dest, value) == 0)
    return FALSE;

  g_free (*dest);
  *dest = g_strdup (value);
  return TRUE;
}

static void
emit_dbus_signal (EmberStatusNotifierItem *self,
                  const char              *name,
                  GVariant                *parameters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) owned = parameters != NULL ? g_variant_ref_sink (parameters) : NULL;

  if (self->registration_id == 0)
    return;

  if (!g_dbus_connection_emit_signal (self->connection, NULL, EMBER_SNI_OBJECT_PATH,
                                      EMBER_SNI_INTERFACE, name, owned, &error))
    g_debug ("Could not emit %s: %s", name, error->message);
}

static void
set_registered (EmberStatusNotifierItem *self,
                gboolean                 registered)
{
  if (self->registered == registered)
    return;

  self->registered = registered;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGISTERED]);
}

static GVariant *
empty_pixmaps (void)
{
  return g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0);
}

static GVariant *
get_property_cb (GDBusConnection *connection,
                 const char      *sender,
                 const char      *object_path,
                 const char      *interface_name,
                 const char      *property_name,
                 GError         **error,
                 gpointer         user_data)
{
  EmberStatusNotifierItem *self = user_data;

  if (g_str_equal (property_name, "Category"))
    return g_variant_new_string ("ApplicationStatus");
  if (g_str_equal (property_name, "Id"))
    return g_variant_new_string (self->id);
  if (g_str_equal (property_name, "Title"))
    return g_variant_new_string (self->title != NULL ? self->title : "");
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string (ember_sni_status_to_string (self->status));
  if (g_str_equal (property_name, "WindowId"))
    return g_variant_new_int32 (0);
  if (g_str_equal (property_name, "IconThemePath"))
    return g_variant_new_string (self->icon_theme_path != NULL ? self->icon_theme_path : "");
  if (g_str_equal (property_name, "Menu"))
    return g_variant_new_object_path (self->menu_path != NULL ? self->menu_path : NO_MENU_PATH);
  if (g_str_equal (property_name, "ItemIsMenu"))
    return g_variant_new_boolean (FALSE);
  if (g_str_equal (property_name, "IconName"))
    return g_variant_new_string (self->icon_name != NULL ? self->icon_name : "");
  if (g_str_equal (property_name, "AttentionIconName"))
    return g_variant_new_string (self->attention_icon_name != NULL ? self->attention_icon_name : "");
  if (g_str_equal (property_name, "OverlayIconName") ||
      g_str_equal (property_name, "AttentionMovieName"))
    return g_variant_new_string ("");
  if (g_str_equal (property_name, "IconPixmap") ||
      g_str_equal (property_name, "OverlayIconPixmap") ||
      g_str_equal (property_name, "AttentionIconPixmap"))
    return empty_pixmaps ();
  if (g_str_equal (property_name, "ToolTip"))
    return g_variant_new ("(s@a(iiay)ss)",
                          self->icon_name != NULL ? self->icon_name : "",
                          empty_pixmaps (),
                          self->tooltip_title != NULL ? self->tooltip_title : "",
                          self->tooltip_body != NULL ? self->tooltip_body : "");

  /* GDBus checks names against the introspection data before calling us. */
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY,
               "No such property: %s", property_name);
  return NULL;
}

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  EmberStatusNotifierItem *self = user_data;

  if (g_str_equal (method_name, "Activate") ||
      g_str_equal (method_name, "SecondaryActivate"))
    {
      gint32 x, y;

      g_variant_get (parameters, "(ii)", &x, &y);
      g_dbus_method_invocation_return_value (invocation, NULL);
      g_signal_emit (self,
                     signals[g_str_equal (method_name, "Activate") ? ACTIVATE : SECONDARY_ACTIVATE],
                     0, x, y);
    }
  else if (g_str_equal (method_name, "ContextMenu"))
    {
      /* The menu is exported through dbusmenu for the host to show; an item
       * without a toolkit of its own cannot pop one up itself. */
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "Scroll"))
    {
      gint32 delta;
      const char *orientation;

      g_variant_get (parameters, "(i&s)", &delta, &orientation);
      g_dbus_method_invocation_return_value (invocation, NULL);
      g_signal_emit (self, signals[SCROLL], 0, delta, orientation);
    }
  else if (g_str_equal (method_name, "ProvideXdgActivationToken"))
    {
      const char *token;

      g_variant_get (parameters, "(&s)", &token);
      g_free (self->activation_token);
      self->activation_token = g_strdup (token);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "No such method: %s", method_name);
    }
}

static const GDBusInterfaceVTable item_vtable = {
  .method_call = method_call_cb,
  .get_property = get_property_cb,
};

/* A watcher may own its name a moment before its object is exported (the
 * Haskell one does): early refusals are retried a few times. */
#define MAX_REGISTER_ATTEMPTS 6
#define FIRST_RETRY_MSEC      100

static void register_with_watcher (EmberStatusNotifierItem *self);

static gboolean
retry_register_cb (gpointer user_data)
{
  EmberStatusNotifierItem *self = user_data;

  self->retry_source = 0;
  register_with_watcher (self);

  return G_SOURCE_REMOVE;
}

static void
register_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  EmberStatusNotifierItem *self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  /* Not referenced: unexporting (and so disposing) cancels the call, and
   * then @self must not be touched. */
  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (reply == NULL)
    {
      if (self->register_attempts < MAX_REGISTER_ATTEMPTS && self->watcher_owner != NULL)
        {
          guint delay = FIRST_RETRY_MSEC << (self->register_attempts - 1);

          g_debug ("The StatusNotifierWatcher did not take the tray icon yet (%s), retrying in %u ms",
                   error->message, delay);
          g_clear_handle_id (&self->retry_source, g_source_remove);
          self->retry_source = g_timeout_add (delay, retry_register_cb, self);
          g_source_set_name_by_id (self->retry_source, "[ember] register tray icon");
          return;
        }
      /* A new watcher gets a registration of its own when it appears. */
      g_message ("The StatusNotifierWatcher did not take the tray icon: %s", error->message);
      return;
    }

  g_debug ("Registered %s with the StatusNotifierWatcher", self->bus_name);
  set_registered (self, TRUE);
}

static void
register_with_watcher (EmberStatusNotifierItem *self)
{
  g_clear_handle_id (&self->retry_source, g_source_remove);
  if (!self->name_owned || self->watcher_owner == NULL)
    return;

  self->register_attempts++;

  g_cancellable_cancel (self->register_cancellable);
  g_clear_object (&self->register_cancellable);
  self->register_cancellable = g_cancellable_new ();

  /* Sent to the watcher's unique name: a watcher that restarts in between
   * gets its own registration when its name appears. */
  g_dbus_connection_call (self->connection,
                          self->watcher_owner,
                          EMBER_SNI_WATCHER_PATH,
                          EMBER_SNI_WATCHER_IFACE,
                          "RegisterStatusNotifierItem",
                          g_variant_new ("(s)", self->bus_name),
                          NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          -1,
                          self->register_cancellable,
                          register_done_cb,
                          self);
}

static void
watcher_appeared_cb (GDBusConnection *connection,
                     const char      *name,
                     const char      *name_owner,
                     gpointer         user_data)
{
  EmberStatusNotifierItem *self = user_data;

  g_debug ("StatusNotifierWatcher appeared (%s)", name_owner);
  g_free (self->watcher_owner);
  self->watcher_owner = g_strdup (name_owner);
  self->register_attempts = 0;
  set_registered (self, FALSE);
  register_with_watcher (self);
}

static void
watcher_vanished_cb (GDBusConnection *connection,
                     const char      *name,
                     gpointer         user_data)
{
  EmberStatusNotifierItem *self = user_data;

  /* Called once at the start too when there is no watcher: that is fine,
   * the item waits for one. */
  g_cancellable_cancel (self->register_cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_pointer (&self->watcher_owner, g_free);
  set_registered (self, FALSE);
}

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  EmberStatusNotifierItem *self = user_data;

  self->name_owned = TRUE;
  register_with_watcher (self);
}

static void
name_lost_cb (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  EmberStatusNotifierItem *self = user_data;

  /* Our name is unique to this process, so losing it means the connection
   * went away (the session is ending); the item cannot be shown until it
   * is exported again. */
  if (self->name_owned)
    g_debug ("Lost the tray icon's bus name %s", name);
  self->name_owned = FALSE;
  set_registered (self, FALSE);
}

gboolean
ember_status_notifier_item_export (EmberStatusNotifierItem  *self,
                                   GError                  **error)
{
  g_return_val_if_fail (EMBER_IS_STATUS_NOTIFIER_ITEM (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->registration_id != 0)
    return TRUE;

  self->registration_id =
    g_dbus_connection_register_object (self->connection,
                                       EMBER_SNI_OBJECT_PATH,
                                       self->node_info->interfaces[0],
                                       &item_vtable,
                                       self, NULL,
                                       error);
  if (self->registration_id == 0)
    {
      g_prefix_error (error, "Could not export the tray icon: ");
      return FALSE;
    }

  g_free (self->bus_name);
  self->bus_name = g_strdup_printf ("org.kde.StatusNotifierItem-%d-%d",
                                    (int) getpid (),
                                    g_atomic_int_add (&item_counter, 1) + 1);
  self->own_name_id = g_bus_own_name_on_connection (self->connection,
                                                    self->bus_name,
                                                    G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                                    name_acquired_cb,
                                                    name_lost_cb,
                                                    self, NULL);
  self->watch_id = g_bus_watch_name_on_connection (self->connection,
                                                   EMBER_SNI_WATCHER_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   watcher_appeared_cb,
                                                   watcher_vanished_cb,
                                                   self, NULL);
  return TRUE;
}

void
ember_status_notifier_item_unexport (EmberStatusNotifierItem *self)
{
  g_return_if_fail (EMBER_IS_STATUS_NOTIFIER_ITEM (self));

  g_cancellable_cancel (self->register_cancellable);
  g_clear_object (&self->register_cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  /* Releasing the name is how watchers learn that the item is gone. */
  g_clear_handle_id (&self->own_name_id, g_bus_unown_name);
  if (self->registration_id != 0)
    {
      g_dbus_connection_unregister_object (self->connection, self->registration_id);
      self->registration_id = 0;
    }
  g_clear_pointer (&self->watcher_owner, g_free);
  self->name_owned = FALSE;
  set_registered (self, FALSE);
}

EmberStatusNotifierItem *
ember_status_notifier_item_new (GDBusConnection *connection,
                                const char      *id)
{
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return g_object_new (EMBER_TYPE_STATUS_NOTIFIER_ITEM,
                       "connection", connection,
                       "id", id,
                       NULL);
}

GDBusConnection *
ember_status_notifier_item_get_connection (EmberStatusNotifierItem *self)
{
  g_return_val_if_fail (EMBER_IS_STATUS_NOTIFIER_ITEM (self), NULL);

  return self->connection;
}

const char *
ember_status_notifier_item_get_bus_name (EmberStatusNotifierItem *self)
{
  g_return_val_if_fail (EMBER_IS_STATUS_NOTIFIER_ITEM (self), NULL);

  return self->own_name_id != 0 ? self->bus_name : NULL;
}

gboolean
ember_status_notifier_item_get_registered (EmberStatusNotifierItem *self)
{
  g_return_val_if_fail (EMBER_IS_STATUS_NOTIFIER_ITEM (self), FALSE);

  return self->registered;
}

void
ember_status_notifier_item_set_title (EmberStatusNotifierItem *self,
                                      const char              *title)
{
  g_return_if_fail (EMBER_IS_STATUS_NOTIFIER_ITEM (self));

  if (set_string (&self->title, title))
    {
      emit_dbus_signal (self, "NewTitle", NULL);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
    }
}

const char *
ember_status_notifier_item_get_title (EmberStatusNotifierItem *self)
{
  g_return_val_if_fail (EMBER_IS_STATUS_NOTIFIER_ITEM (self), NULL);

  return self->title;
}

void
ember_status_notifier_item_set_status (EmberStatusNotifierItem *self,
                                       EmberSniStatus           status)
{
  g_return_if_fail (EMBER_IS_STATUS_NOTIFIER_ITEM (self));

  if (self->status == status)
    return;

  self->status = status;
  emit_dbus_signal (self, "NewStatus", g_variant_new ("(s)", ember_sni_status_to_string (status)));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

EmberSniStatus
ember_status_notifier_item_get_status (EmberStatusNotifierItem *self)
{
  g_return_val_if_fail (EMBER_IS_STATUS_NOTIFIER_ITEM (self), EMBER_SNI_STATUS_PASSIVE);

  return self->status;
}

void
ember_status_notifier_item_set_icon_name (EmberStatusNotifierItem *self,
                                          const char              *icon_name)
{
  g_return_if_fail (EMBER_IS_STATUS_NOTIFIER_ITEM (self));

  if (set_string (&self->icon_name, icon_name))
    {
      emit_dbus_signal (self, "NewIcon", NULL);
      /* The tooltip shows the icon too. */
      emit_dbus_signal (self, "NewToolTip", NULL);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ICON_NAME]);
    }
}

const char *
ember_status_notifier_item_get_icon_name (EmberStatusNotifierItem *self)
{
  g_return_val_if_fail (EMBER_IS_STATUS_NOTIFIER_ITEM (self), NULL);

  return self->icon_name;
}

void
ember_status_notifier_item_set_attention_icon_name (EmberStatusNotifierItem *self,
                                                    const char              *icon_name)
{
  g_return_if_fail (EMBER_IS_STATUS_NOTIFIER_ITEM (self));

  if (set_string (&self->attention_icon_name, icon_name))
    emit_dbus_signal (self, "NewAttentionIcon", NULL);
}

void
ember_status_notifier_item_set_icon_theme_path (EmberStatusNotifierItem *self,
                                                const char              *path)
{
  g_return_if_fail (EMBER_IS_STATUS_NOTIFIER_ITEM (self));

  /* The protocol has no signal of its own for this one; hosts read it with
   * the icon. */
  if (set_string (&self->icon_theme_path, path))
    emit_dbus_signal (self, "NewIcon", NULL);
}

void
ember_status_notifier_item_set_tooltip (EmberStatusNotifierItem *self,
                                        const char              *title,
                                        const char              *body)
{
  gboolean changed;

  g_return_if_fail (EMBER_IS_STATUS_NOTIFIER_ITEM (self));

  changed = set_string (&self->tooltip_title, title);
  changed |= set_string (&self->tooltip_body, body);
  if (changed)
    emit_dbus_signal (self, "NewToolTip", NULL);
}

void
ember_status_notifier_item_set_menu_path (EmberStatusNotifierItem *self,
                                          const char              *menu_path)
{
  g_return_if_fail (EMBER_IS_STATUS_NOTIFIER_ITEM (self));
  g_return_if_fail (menu_path == NULL || g_variant_is_object_path (menu_path));

  set_string (&self->menu_path, menu_path);
}

static void
ember_status_notifier_item_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  EmberStatusNotifierItem *self = EMBER_STATUS_NOTIFIER_ITEM (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_ICON_NAME:
      g_value_set_string (value, self->icon_name);
      break;
    case PROP_REGISTERED:
      g_value_set_boolean (value, self->registered);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_status_notifier_item_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  EmberStatusNotifierItem *self = EMBER_STATUS_NOTIFIER_ITEM (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    case PROP_TITLE:
      ember_status_notifier_item_set_title (self, g_value_get_string (value));
      break;
    case PROP_STATUS:
      ember_status_notifier_item_set_status (self, g_value_get_enum (value));
      break;
    case PROP_ICON_NAME:
      ember_status_notifier_item_set_icon_name (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_status_notifier_item_dispose (GObject *object)
{
  EmberStatusNotifierItem *self = EMBER_STATUS_NOTIFIER_ITEM (object);

  if (self->connection != NULL)
    ember_status_notifier_item_unexport (self);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (ember_status_notifier_item_parent_class)->dispose (object);
}

static void
ember_status_notifier_item_finalize (GObject *object)
{
  EmberStatusNotifierItem *self = EMBER_STATUS_NOTIFIER_ITEM (object);

  g_clear_pointer (&self->node_info, g_dbus_node_info_unref);
  g_free (self->id);
  g_free (self->title);
  g_free (self->icon_name);
  g_free (self->attention_icon_name);
  g_free (self->icon_theme_path);
  g_free (self->tooltip_title);
  g_free (self->tooltip_body);
  g_free (self->menu_path);
  g_free (self->activation_token);
  g_free (self->bus_name);
  g_free (self->watcher_owner);

  G_OBJECT_CLASS (ember_status_notifier_item_parent_class)->finalize (object);
}

static void
ember_status_notifier_item_class_init (EmberStatusNotifierItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ember_status_notifier_item_dispose;
  object_class->finalize = ember_status_notifier_item_finalize;
  object_class->get_property = ember_status_notifier_item_get_property;
  object_class->set_property = ember_status_notifier_item_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       EMBER_TYPE_SNI_STATUS, EMBER_SNI_STATUS_PASSIVE,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ICON_NAME] =
    g_param_spec_string ("icon-name", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_REGISTERED] =
    g_param_spec_boolean ("registered", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EmberStatusNotifierItem::activate:
   * @x: screen x of the click, as the host reports it
   * @y: screen y
   *
   * The host asked for the item's main action (usually a left click).
   */
  signals[ACTIVATE] =
    g_signal_new ("activate",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);
  signals[SECONDARY_ACTIVATE] =
    g_signal_new ("secondary-activate",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);
  signals[SCROLL] =
    g_signal_new ("scroll",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
}

static void
ember_status_notifier_item_init (EmberStatusNotifierItem *self)
{
  self->status = EMBER_SNI_STATUS_PASSIVE;
  self->node_info = g_dbus_node_info_new_for_xml (item_xml, NULL);
  g_assert (self->node_info != NULL);
}
