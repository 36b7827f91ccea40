/* ember-dbus-menu.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The com.canonical.dbusmenu protocol (version 3) for a one-level menu:
 * hosts fetch the tree with GetLayout, the properties with
 * GetGroupProperties, and send clicks back as Event. Property changes are
 * collected and sent as one ItemsPropertiesUpdated from an idle callback, so
 * a burst of state changes costs the host one round of updates.
 */
#define G_LOG_DOMAIN "ember-tray"

#include "config.h"

#include "ember-dbus-menu.h"

static const char menu_xml[] =
  "<node>"
  "  <interface name='com.canonical.dbusmenu'>"
  "    <property name='Version' type='u' access='read'/>"
  "    <property name='TextDirection' type='s' access='read'/>"
  "    <property name='Status' type='s' access='read'/>"
  "    <property name='IconThemePath' type='as' access='read'/>"
  "    <method name='GetLayout'>"
  "      <arg name='parentId' type='i' direction='in'/>"
  "      <arg name='recursionDepth' type='i' direction='in'/>"
  "      <arg name='propertyNames' type='as' direction='in'/>"
  "      <arg name='revision' type='u' direction='out'/>"
  "      <arg name='layout' type='(ia{sv}av)' direction='out'/>"
  "    </method>"
  "    <method name='GetGroupProperties'>"
  "      <arg name='ids' type='ai' direction='in'/>"
  "      <arg name='propertyNames' type='as' direction='in'/>"
  "      <arg name='properties' type='a(ia{sv})' direction='out'/>"
  "    </method>"
  "    <method name='GetProperty'>"
  "      <arg name='id' type='i' direction='in'/>"
  "      <arg name='name' type='s' direction='in'/>"
  "      <arg name='value' type='v' direction='out'/>"
  "    </method>"
  "    <method name='Event'>"
  "      <arg name='id' type='i' direction='in'/>"
  "      <arg name='eventId' type='s' direction='in'/>"
  "      <arg name='data' type='v' direction='in'/>"
  "      <arg name='timestamp' type='u' direction='in'/>"
  "    </method>"
  "    <method name='EventGroup'>"
  "      <arg name='events' type='a(isvu)' direction='in'/>"
  "      <arg name='idErrors' type='ai' direction='out'/>"
  "    </method>"
  "    <method name='AboutToShow'>"
  "      <arg name='id' type='i' direction='in'/>"
  "      <arg name='needUpdate' type='b' direction='out'/>"
  "    </method>"
  "    <method name='AboutToShowGroup'>"
  "      <arg name='ids' type='ai' direction='in'/>"
  "      <arg name='updatesNeeded' type='ai' direction='out'/>"
  "      <arg name='idErrors' type='ai' direction='out'/>"
  "    </method>"
  "    <signal name='ItemsPropertiesUpdated'>"
  "      <arg name='updatedProps' type='a(ia{sv})'/>"
  "      <arg name='removedProps' type='a(ias)'/>"
  "    </signal>"
  "    <signal name='LayoutUpdated'>"
  "      <arg name='revision' type='u'/>"
  "      <arg name='parent' type='i'/>"
  "    </signal>"
  "    <signal name='ItemActivationRequested'>"
  "      <arg name='id' type='i'/>"
  "      <arg name='timestamp' type='u'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

typedef struct
{
  gint32    id;
  gboolean  separator;
  char     *label;
  char     *icon_name;
  gboolean  enabled;
  gboolean  visible;
} MenuItem;

struct _EmberDbusMenu
{
  GObject          parent_instance;

  GPtrArray       *items;          /* (element-type MenuItem), index = id - 1 */
  guint            revision;

  GDBusNodeInfo   *node_info;
  GDBusConnection *connection;
  char            *object_path;
  guint            registration_id;

  GHashTable      *changed_ids;    /* ids whose properties changed since the last flush */
  gboolean         layout_changed;
  guint            flush_source;
};

G_DEFINE_FINAL_TYPE (EmberDbusMenu, ember_dbus_menu, G_TYPE_OBJECT)

enum {
  ITEM_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
menu_item_free (gpointer data)
{
  MenuItem *item = data;

  g_free (item->label);
  g_free (item->icon_name);
  g_free (item);
}

static MenuItem *
lookup_item (EmberDbusMenu *self,
             gint32         id)
{
  if (id < 1 || (guint) id > self->items->len)
    return NULL;

  return g_ptr_array_index (self->items, id - 1);
}

static gboolean
wants (const char * const *names,
       const char         *name)
{
  /* An empty list asks for every property. */
  return names == NULL || names[0] == NULL || g_strv_contains (names, name);
}

static GVariant *
item_properties (EmberDbusMenu      *self,
                 gint32              id,
                 const char * const *names)
{
  GVariantBuilder builder;
  MenuItem *item;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);

  if (id == 0)
    {
      if (wants (names, "children-display"))
        g_variant_builder_add (&builder, "{sv}", "children-display", g_variant_new_string ("submenu"));
      return g_variant_builder_end (&builder);
    }

  item = lookup_item (self, id);
  g_assert (item != NULL);

  if (item->separator)
    {
      if (wants (names, "type"))
        g_variant_builder_add (&builder, "{sv}", "type", g_variant_new_string ("separator"));
    }
  else
    {
      if (wants (names, "type"))
        g_variant_builder_add (&builder, "{sv}", "type", g_variant_new_string ("standard"));
      if (wants (names, "label"))
        g_variant_builder_add (&builder, "{sv}", "label", g_variant_new_string (item->label != NULL ? item->label : ""));
      if (item->icon_name != NULL && wants (names, "icon-name"))
        g_variant_builder_add (&builder, "{sv}", "icon-name", g_variant_new_string (item->icon_name));
    }
  if (wants (names, "enabled"))
    g_variant_builder_add (&builder, "{sv}", "enabled", g_variant_new_boolean (item->enabled));
  if (wants (names, "visible"))
    g_variant_builder_add (&builder, "{sv}", "visible", g_variant_new_boolean (item->visible));

  return g_variant_builder_end (&builder);
}

static GVariant *
build_layout (EmberDbusMenu      *self,
              gint32              id,
              gint32              depth,
              const char * const *names)
{
  GVariantBuilder children;

  g_variant_builder_init (&children, G_VARIANT_TYPE ("av"));

  /* Only the root has children; depth 0 means "this node alone". */
  if (id == 0 && depth != 0)
    {
      for (guint i = 0; i < self->items->len; i++)
        {
          MenuItem *item = g_ptr_array_index (self->items, i);

          g_variant_builder_add (&children, "v", build_layout (self, item->id, depth - 1, names));
        }
    }

  return g_variant_new ("(i@a{sv}av)", id, item_properties (self, id, names), &children);
}

static gboolean
flush_changes_cb (gpointer user_data)
{
  EmberDbusMenu *self = user_data;
  g_autoptr(GError) error = NULL;

  self->flush_source = 0;

  if (self->registration_id == 0)
    {
      g_hash_table_remove_all (self->changed_ids);
      self->layout_changed = FALSE;
      return G_SOURCE_REMOVE;
    }

  if (self->layout_changed)
    {
      self->layout_changed = FALSE;
      if (!g_dbus_connection_emit_signal (self->connection, NULL, self->object_path,
                                          EMBER_DBUS_MENU_INTERFACE, "LayoutUpdated",
                                          g_variant_new ("(ui)", self->revision, 0),
                                          &error))
        g_debug ("Could not emit LayoutUpdated: %s", error->message);
      g_clear_error (&error);
    }

  if (g_hash_table_size (self->changed_ids) > 0)
    {
      GVariantBuilder updated;
      GHashTableIter iter;
      gpointer key;

      g_variant_builder_init (&updated, G_VARIANT_TYPE ("a(ia{sv})"));
      g_hash_table_iter_init (&iter, self->changed_ids);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          gint32 id = GPOINTER_TO_INT (key);

          if (lookup_item (self, id) != NULL)
            g_variant_builder_add (&updated, "(i@a{sv})", id, item_properties (self, id, NULL));
        }
      g_hash_table_remove_all (self->changed_ids);

      if (!g_dbus_connection_emit_signal (self->connection, NULL, self->object_path,
                                          EMBER_DBUS_MENU_INTERFACE, "ItemsPropertiesUpdated",
                                          g_variant_new ("(a(ia{sv})a(ias))", &updated, NULL),
                                          &error))
        g_debug ("Could not emit ItemsPropertiesUpdated: %s", error->message);
    }

  return G_SOURCE_REMOVE;
}

static void
schedule_flush (EmberDbusMenu *self)
{
  if (self->flush_source == 0 && self->registration_id != 0)
    {
      self->flush_source = g_idle_add_full (G_PRIORITY_DEFAULT, flush_changes_cb, self, NULL);
      g_source_set_name_by_id (self->flush_source, "[ember] dbusmenu updates");
    }
}

static void
item_changed (EmberDbusMenu *self,
              gint32         id)
{
  g_hash_table_add (self->changed_ids, GINT_TO_POINTER (id));
  schedule_flush (self);
}

static void
layout_changed (EmberDbusMenu *self)
{
  self->revision++;
  self->layout_changed = TRUE;
  schedule_flush (self);
}

/* Returns FALSE for an unknown id after answering the invocation. */
static gboolean
check_id (EmberDbusMenu         *self,
          gint32                 id,
          GDBusMethodInvocation *invocation)
{
  if (id == 0 || lookup_item (self, id) != NULL)
    return TRUE;

  g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                         "No menu item with id %d", id);
  return FALSE;
}

static gboolean
handle_event (EmberDbusMenu *self,
              gint32         id,
              const char    *event_id,
              guint32        timestamp)
{
  MenuItem *item = lookup_item (self, id);

  if (item == NULL && id != 0)
    return FALSE;

  if (item != NULL && g_str_equal (event_id, "clicked") &&
      item->enabled && item->visible && !item->separator)
    g_signal_emit (self, signals[ITEM_ACTIVATED], 0, id, timestamp);

  return TRUE;
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
  g_autoptr(EmberDbusMenu) self = g_object_ref (user_data);

  if (g_str_equal (method_name, "GetLayout"))
    {
      g_autofree const char **names = NULL;
      gint32 parent, depth;

      g_variant_get (parameters, "(ii^a&s)", &parent, &depth, &names);
      if (!check_id (self, parent, invocation))
        return;
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(u@(ia{sv}av))",
                                                            self->revision,
                                                            build_layout (self, parent, depth, names)));
    }
  else if (g_str_equal (method_name, "GetGroupProperties"))
    {
      g_autoptr(GVariantIter) ids = NULL;
      g_autofree const char **names = NULL;
      GVariantBuilder result;
      gint32 id;

      g_variant_get (parameters, "(ai^a&s)", &ids, &names);
      g_variant_builder_init (&result, G_VARIANT_TYPE ("a(ia{sv})"));
      if (g_variant_iter_n_children (ids) == 0)
        {
          for (guint i = 0; i < self->items->len; i++)
            g_variant_builder_add (&result, "(i@a{sv})", (gint32) i + 1,
                                   item_properties (self, (gint32) i + 1, names));
        }
      /* Unknown ids are left out, as libdbusmenu does. */
      while (g_variant_iter_next (ids, "i", &id))
        {
          if (id == 0 || lookup_item (self, id) != NULL)
            g_variant_builder_add (&result, "(i@a{sv})", id, item_properties (self, id, names));
        }
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(a(ia{sv}))", &result));
    }
  else if (g_str_equal (method_name, "GetProperty"))
    {
      const char *name;
      const char *names[2] = { NULL, NULL };
      g_autoptr(GVariant) props = NULL;
      g_autoptr(GVariant) value = NULL;
      gint32 id;

      g_variant_get (parameters, "(i&s)", &id, &name);
      if (!check_id (self, id, invocation))
        return;
      names[0] = name;
      props = item_properties (self, id, names);
      value = g_variant_lookup_value (props, name, NULL);
      if (value == NULL)
        g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                               "Menu item %d has no property “%s”", id, name);
      else
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(v)", value));
    }
  else if (g_str_equal (method_name, "Event"))
    {
      const char *event_id;
      g_autoptr(GVariant) data = NULL;
      guint32 timestamp;
      gint32 id;

      g_variant_get (parameters, "(i&svu)", &id, &event_id, &data, &timestamp);
      if (!check_id (self, id, invocation))
        return;
      /* Answer first: the handler may quit the application. */
      g_dbus_method_invocation_return_value (invocation, NULL);
      handle_event (self, id, event_id, timestamp);
    }
  else if (g_str_equal (method_name, "EventGroup"))
    {
      g_autoptr(GVariantIter) events = NULL;
      g_autoptr(GArray) accepted = g_array_new (FALSE, FALSE, sizeof (gint32));
      g_autoptr(GArray) timestamps = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(GPtrArray) event_ids = g_ptr_array_new_with_free_func (g_free);
      GVariantBuilder errors;
      const char *event_id;
      GVariant *data;
      guint32 timestamp;
      gint32 id;

      g_variant_get (parameters, "(a(isvu))", &events);
      g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
      while (g_variant_iter_next (events, "(i&svu)", &id, &event_id, &data, &timestamp))
        {
          g_variant_unref (data);
          if (id != 0 && lookup_item (self, id) == NULL)
            {
              g_variant_builder_add (&errors, "i", id);
              continue;
            }
          g_array_append_val (accepted, id);
          g_array_append_val (timestamps, timestamp);
          g_ptr_array_add (event_ids, g_strdup (event_id));
        }
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ai)", &errors));
      for (guint i = 0; i < accepted->len; i++)
        handle_event (self, g_array_index (accepted, gint32, i),
                      g_ptr_array_index (event_ids, i),
                      g_array_index (timestamps, guint32, i));
    }
  else if (g_str_equal (method_name, "AboutToShow"))
    {
      gint32 id;

      g_variant_get (parameters, "(i)", &id);
      if (!check_id (self, id, invocation))
        return;
      /* The menu is always up to date: nothing to refresh. */
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(b)", FALSE));
    }
  else if (g_str_equal (method_name, "AboutToShowGroup"))
    {
      g_autoptr(GVariantIter) ids = NULL;
      GVariantBuilder errors;
      gint32 id;

      g_variant_get (parameters, "(ai)", &ids);
      g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
      while (g_variant_iter_next (ids, "i", &id))
        {
          if (id != 0 && lookup_item (self, id) == NULL)
            g_variant_builder_add (&errors, "i", id);
        }
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@aiai)",
                                                                        g_variant_new_array (G_VARIANT_TYPE_INT32, NULL, 0),
                                                                        &errors));
    }
  else
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "No such method: %s", method_name);
    }
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
  if (g_str_equal (property_name, "Version"))
    return g_variant_new_uint32 (3);
  if (g_str_equal (property_name, "TextDirection"))
    return g_variant_new_string ("ltr");
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string ("normal");
  if (g_str_equal (property_name, "IconThemePath"))
    return g_variant_new_strv (NULL, 0);

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY,
               "No such property: %s", property_name);
  return NULL;
}

static const GDBusInterfaceVTable menu_vtable = {
  .method_call = method_call_cb,
  .get_property = get_property_cb,
};

gboolean
ember_dbus_menu_export (EmberDbusMenu    *self,
                        GDBusConnection  *connection,
                        const char       *object_path,
                        GError          **error)
{
  g_return_val_if_fail (EMBER_IS_DBUS_MENU (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (g_variant_is_object_path (object_path), FALSE);
  g_return_val_if_fail (self->registration_id == 0, FALSE);

  self->registration_id = g_dbus_connection_register_object (connection,
                                                             object_path,
                                                             self->node_info->interfaces[0],
                                                             &menu_vtable,
                                                             self, NULL,
                                                             error);
  if (self->registration_id == 0)
    {
      g_prefix_error (error, "Could not export the tray menu: ");
      return FALSE;
    }

  self->connection = g_object_ref (connection);
  self->object_path = g_strdup (object_path);
  return TRUE;
}

void
ember_dbus_menu_unexport (EmberDbusMenu *self)
{
  g_return_if_fail (EMBER_IS_DBUS_MENU (self));

  g_clear_handle_id (&self->flush_source, g_source_remove);
  if (self->registration_id != 0)
    {
      g_dbus_connection_unregister_object (self->connection, self->registration_id);
      self->registration_id = 0;
    }
  g_clear_object (&self->connection);
  g_clear_pointer (&self->object_path, g_free);
  g_hash_table_remove_all (self->changed_ids);
  self->layout_changed = FALSE;
}

static gint32
append (EmberDbusMenu *self,
        MenuItem      *item)
{
  item->id = (gint32) self->items->len + 1;
  item->enabled = TRUE;
  item->visible = TRUE;
  g_ptr_array_add (self->items, item);
  layout_changed (self);

  return item->id;
}

gint32
ember_dbus_menu_append_item (EmberDbusMenu *self,
                             const char    *label,
                             const char    *icon_name)
{
  MenuItem *item;

  g_return_val_if_fail (EMBER_IS_DBUS_MENU (self), 0);
  g_return_val_if_fail (label != NULL, 0);

  item = g_new0 (MenuItem, 1);
  item->label = g_strdup (label);
  item->icon_name = g_strdup (icon_name);

  return append (self, item);
}

gint32
ember_dbus_menu_append_separator (EmberDbusMenu *self)
{
  MenuItem *item;

  g_return_val_if_fail (EMBER_IS_DBUS_MENU (self), 0);

  item = g_new0 (MenuItem, 1);
  item->separator = TRUE;

  return append (self, item);
}

void
ember_dbus_menu_set_label (EmberDbusMenu *self,
                           gint32         id,
                           const char    *label)
{
  MenuItem *item;

  g_return_if_fail (EMBER_IS_DBUS_MENU (self));
  g_return_if_fail (label != NULL);
  item = lookup_item (self, id);
  g_return_if_fail (item != NULL);

  if (g_strcmp0 (item->label, label) == 0)
    return;

  g_free (item->label);
  item->label = g_strdup (label);
  item_changed (self, id);
}

void
ember_dbus_menu_set_icon_name (EmberDbusMenu *self,
                               gint32         id,
                               const char    *icon_name)
{
  MenuItem *item;

  g_return_if_fail (EMBER_IS_DBUS_MENU (self));
  item = lookup_item (self, id);
  g_return_if_fail (item != NULL);

  if (g_strcmp0 (item->icon_name, icon_name) == 0)
    return;

  g_free (item->icon_name);
  item->icon_name = g_strdup (icon_name);
  item_changed (self, id);
}

void
ember_dbus_menu_set_enabled (EmberDbusMenu *self,
                             gint32         id,
                             gboolean       enabled)
{
  MenuItem *item;

  g_return_if_fail (EMBER_IS_DBUS_MENU (self));
  item = lookup_item (self, id);
  g_return_if_fail (item != NULL);

  enabled = !!enabled;
  if (item->enabled == enabled)
    return;

  item->enabled = enabled;
  item_changed (self, id);
}

void
ember_dbus_menu_set_visible (EmberDbusMenu *self,
                             gint32         id,
                             gboolean       visible)
{
  MenuItem *item;

  g_return_if_fail (EMBER_IS_DBUS_MENU (self));
  item = lookup_item (self, id);
  g_return_if_fail (item != NULL);

  visible = !!visible;
  if (item->visible == visible)
    return;

  item->visible = visible;
  item_changed (self, id);
}

const char *
ember_dbus_menu_get_label (EmberDbusMenu *self,
                           gint32         id)
{
  MenuItem *item;

  g_return_val_if_fail (EMBER_IS_DBUS_MENU (self), NULL);
  item = lookup_item (self, id);
  g_return_val_if_fail (item != NULL, NULL);

  return item->label;
}

gboolean
ember_dbus_menu_get_enabled (EmberDbusMenu *self,
                             gint32         id)
{
  MenuItem *item;

  g_return_val_if_fail (EMBER_IS_DBUS_MENU (self), FALSE);
  item = lookup_item (self, id);
  g_return_val_if_fail (item != NULL, FALSE);

  return item->enabled;
}

guint
ember_dbus_menu_get_revision (EmberDbusMenu *self)
{
  g_return_val_if_fail (EMBER_IS_DBUS_MENU (self), 0);

  return self->revision;
}

EmberDbusMenu *
ember_dbus_menu_new (void)
{
  return g_object_new (EMBER_TYPE_DBUS_MENU, NULL);
}

static void
ember_dbus_menu_dispose (GObject *object)
{
  EmberDbusMenu *self = EMBER_DBUS_MENU (object);

  ember_dbus_menu_unexport (self);

  G_OBJECT_CLASS (ember_dbus_menu_parent_class)->dispose (object);
}

static void
ember_dbus_menu_finalize (GObject *object)
{
  EmberDbusMenu *self = EMBER_DBUS_MENU (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->changed_ids, g_hash_table_unref);
  g_clear_pointer (&self->node_info, g_dbus_node_info_unref);

  G_OBJECT_CLASS (ember_dbus_menu_parent_class)->finalize (object);
}

static void
ember_dbus_menu_class_init (EmberDbusMenuClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ember_dbus_menu_dispose;
  object_class->finalize = ember_dbus_menu_finalize;

  /**
   * EmberDbusMenu::item-activated:
   * @id: the item
   * @timestamp: the host's event time
   *
   * A host reported a click on an enabled, visible item.
   */
  signals[ITEM_ACTIVATED] =
    g_signal_new ("item-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_UINT);
}

static void
ember_dbus_menu_init (EmberDbusMenu *self)
{
  self->items = g_ptr_array_new_with_free_func (menu_item_free);
  self->changed_ids = g_hash_table_new (NULL, NULL);
  self->revision = 1;
  self->node_info = g_dbus_node_info_new_for_xml (menu_xml, NULL);
  g_assert (self->node_info != NULL);
}
