/* test-dbus-menu.c: the com.canonical.dbusmenu export: layout, properties,
 * events and change signals, as a host sees them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-dbus-menu.h"
#include "ember-test-utils.h"
#include "tray-test-utils.h"

#define MENU_PATH "/MenuBar"

typedef struct
{
  GTestDBus       *bus;
  GDBusConnection *menu_connection;
  GDBusConnection *host;
  EmberDbusMenu   *menu;
  const char      *menu_name;   /* unique name of menu_connection */
  GArray          *clicks;      /* gint32 ids */
} Fixture;

static void
item_activated_cb (EmberDbusMenu *menu,
                   gint32         id,
                   guint          timestamp,
                   Fixture       *fixture)
{
  g_array_append_val (fixture->clicks, id);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->bus = tray_test_bus_up ();
  fixture->menu_connection = tray_test_connect (fixture->bus);
  fixture->host = tray_test_connect (fixture->bus);
  fixture->menu_name = g_dbus_connection_get_unique_name (fixture->menu_connection);
  fixture->clicks = g_array_new (FALSE, FALSE, sizeof (gint32));

  fixture->menu = ember_dbus_menu_new ();
  g_assert_cmpint (ember_dbus_menu_append_item (fixture->menu, "_Sync Now", "view-refresh-symbolic"), ==, 1);
  g_assert_cmpint (ember_dbus_menu_append_item (fixture->menu, "_Pause Sync", NULL), ==, 2);
  g_assert_cmpint (ember_dbus_menu_append_separator (fixture->menu), ==, 3);
  g_assert_cmpint (ember_dbus_menu_append_item (fixture->menu, "_Quit", NULL), ==, 4);
  g_signal_connect (fixture->menu, "item-activated", G_CALLBACK (item_activated_cb), fixture);
  g_assert_true (ember_dbus_menu_export (fixture->menu, fixture->menu_connection, MENU_PATH, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->menu);
  g_array_unref (fixture->clicks);
  g_dbus_connection_close_sync (fixture->menu_connection, NULL, NULL);
  g_dbus_connection_close_sync (fixture->host, NULL, NULL);
  g_clear_object (&fixture->menu_connection);
  g_clear_object (&fixture->host);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

static GVariant *
menu_call (Fixture     *fixture,
           const char  *method,
           GVariant    *parameters,
           const char  *reply_type,
           GError     **error)
{
  return tray_test_call (fixture->host, fixture->menu_name, MENU_PATH, "com.canonical.dbusmenu",
                         method, parameters, G_VARIANT_TYPE (reply_type), error);
}

static void
test_layout (Fixture       *fixture,
             gconstpointer  data)
{
  const char *no_names[] = { NULL };
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) root_props = NULL;
  g_autoptr(GVariant) children = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) version = NULL;
  const char *text;
  guint32 revision;
  gint32 id;

  reply = menu_call (fixture, "GetLayout", g_variant_new ("(ii^as)", 0, -1, no_names), "(u(ia{sv}av))", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u(i@a{sv}@av))", &revision, &id, &root_props, &children);
  g_assert_cmpuint (revision, ==, ember_dbus_menu_get_revision (fixture->menu));
  g_assert_cmpint (id, ==, 0);
  g_assert_true (g_variant_lookup (root_props, "children-display", "&s", &text));
  g_assert_cmpstr (text, ==, "submenu");
  g_assert_cmpuint (g_variant_n_children (children), ==, 4);

  for (guint i = 0; i < 4; i++)
    {
      static const char *labels[] = { "_Sync Now", "_Pause Sync", NULL, "_Quit" };
      g_autoptr(GVariant) child = g_variant_get_child_value (children, i);
      g_autoptr(GVariant) inner = g_variant_get_variant (child);
      g_autoptr(GVariant) props = NULL;
      g_autoptr(GVariant) grandchildren = NULL;
      gboolean enabled, visible;

      g_variant_get (inner, "(i@a{sv}@av)", &id, &props, &grandchildren);
      g_assert_cmpint (id, ==, (gint32) i + 1);
      g_assert_cmpuint (g_variant_n_children (grandchildren), ==, 0);
      g_assert_true (g_variant_lookup (props, "type", "&s", &text));
      if (labels[i] == NULL)
        {
          g_assert_cmpstr (text, ==, "separator");
          g_assert_false (g_variant_lookup (props, "label", "&s", &text));
        }
      else
        {
          g_assert_cmpstr (text, ==, "standard");
          g_assert_true (g_variant_lookup (props, "label", "&s", &text));
          g_assert_cmpstr (text, ==, labels[i]);
        }
      g_assert_true (g_variant_lookup (props, "enabled", "b", &enabled));
      g_assert_true (enabled);
      g_assert_true (g_variant_lookup (props, "visible", "b", &visible));
      g_assert_true (visible);
    }

  /* Depth 0 is the root alone. */
  g_clear_pointer (&reply, g_variant_unref);
  g_clear_pointer (&children, g_variant_unref);
  g_clear_pointer (&root_props, g_variant_unref);
  reply = menu_call (fixture, "GetLayout", g_variant_new ("(ii^as)", 0, 0, no_names), "(u(ia{sv}av))", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u(i@a{sv}@av))", &revision, &id, &root_props, &children);
  g_assert_cmpuint (g_variant_n_children (children), ==, 0);

  /* An unknown item is an error, not an empty answer. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = menu_call (fixture, "GetLayout", g_variant_new ("(ii^as)", 42, -1, no_names), "(u(ia{sv}av))", &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_assert_null (reply);

  version = tray_test_get_property (fixture->host, fixture->menu_name, MENU_PATH, "com.canonical.dbusmenu", "Version");
  g_assert_cmpuint (g_variant_get_uint32 (version), ==, 3);
}

static void
test_group_properties (Fixture       *fixture,
                       gconstpointer  data)
{
  const gint32 ids[] = { 2, 4, 99 };
  const char *names[] = { "label", NULL };
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) items = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) error = NULL;
  gint32 id;
  g_autoptr(GVariant) props = NULL;
  const char *label;

  reply = menu_call (fixture, "GetGroupProperties",
                     g_variant_new ("(@ai^as)",
                                    g_variant_new_fixed_array (G_VARIANT_TYPE_INT32, ids, G_N_ELEMENTS (ids), sizeof (gint32)),
                                    names),
                     "(a(ia{sv}))", &error);
  g_assert_no_error (error);
  items = g_variant_get_child_value (reply, 0);
  /* The unknown id 99 is left out. */
  g_assert_cmpuint (g_variant_n_children (items), ==, 2);
  g_variant_get_child (items, 1, "(i@a{sv})", &id, &props);
  g_assert_cmpint (id, ==, 4);
  g_assert_true (g_variant_lookup (props, "label", "&s", &label));
  g_assert_cmpstr (label, ==, "_Quit");
  /* Only the asked-for property. */
  g_assert_cmpuint (g_variant_n_children (props), ==, 1);

  g_clear_pointer (&reply, g_variant_unref);
  reply = menu_call (fixture, "GetProperty", g_variant_new ("(is)", 1, "icon-name"), "(v)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "view-refresh-symbolic");
}

static void
test_events (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder events;
  g_autoptr(GVariant) errors = NULL;

  reply = menu_call (fixture, "Event", g_variant_new ("(isvu)", 1, "clicked", g_variant_new_int32 (0), 0u), "()", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->clicks->len, ==, 1);
  g_assert_cmpint (g_array_index (fixture->clicks, gint32, 0), ==, 1);

  /* Hovering is not clicking. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = menu_call (fixture, "Event", g_variant_new ("(isvu)", 2, "hovered", g_variant_new_int32 (0), 0u), "()", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->clicks->len, ==, 1);

  /* A disabled item ignores clicks. */
  ember_dbus_menu_set_enabled (fixture->menu, 2, FALSE);
  g_clear_pointer (&reply, g_variant_unref);
  reply = menu_call (fixture, "Event", g_variant_new ("(isvu)", 2, "clicked", g_variant_new_int32 (0), 0u), "()", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->clicks->len, ==, 1);

  g_clear_pointer (&reply, g_variant_unref);
  reply = menu_call (fixture, "Event", g_variant_new ("(isvu)", 77, "clicked", g_variant_new_int32 (0), 0u), "()", &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  /* EventGroup: the known ids are handled, the unknown ones reported. */
  g_variant_builder_init (&events, G_VARIANT_TYPE ("a(isvu)"));
  g_variant_builder_add (&events, "(isvu)", 4, "clicked", g_variant_new_int32 (0), 0u);
  g_variant_builder_add (&events, "(isvu)", 55, "clicked", g_variant_new_int32 (0), 0u);
  g_clear_pointer (&reply, g_variant_unref);
  reply = menu_call (fixture, "EventGroup", g_variant_new ("(a(isvu))", &events), "(ai)", &error);
  g_assert_no_error (error);
  errors = g_variant_get_child_value (reply, 0);
  g_assert_cmpuint (g_variant_n_children (errors), ==, 1);
  g_assert_cmpuint (fixture->clicks->len, ==, 2);
  g_assert_cmpint (g_array_index (fixture->clicks, gint32, 1), ==, 4);

  g_clear_pointer (&reply, g_variant_unref);
  reply = menu_call (fixture, "AboutToShow", g_variant_new ("(i)", 0), "(b)", &error);
  g_assert_no_error (error);
}

static void
test_changes_are_signalled (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(TraySignalLog) log = tray_signal_log_new (fixture->host, fixture->menu_name, MENU_PATH,
                                                      "com.canonical.dbusmenu");
  g_autoptr(GVariant) updated = NULL;
  g_autoptr(GVariant) props = NULL;
  guint revision_before = ember_dbus_menu_get_revision (fixture->menu);
  const char *label;
  gboolean enabled;
  guint32 revision;
  gint32 parent;
  gint32 id;

  /* Two changes in one main-loop turn reach the host as one signal. */
  ember_dbus_menu_set_label (fixture->menu, 2, "_Resume Sync");
  ember_dbus_menu_set_enabled (fixture->menu, 1, FALSE);
  g_assert_true (tray_signal_log_wait (log, "ItemsPropertiesUpdated", 1, 5000));
  ember_test_spin (50);
  g_assert_cmpuint (tray_signal_log_count (log, "ItemsPropertiesUpdated"), ==, 1);

  updated = g_variant_get_child_value (tray_signal_log_last (log, "ItemsPropertiesUpdated"), 0);
  g_assert_cmpuint (g_variant_n_children (updated), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_clear_pointer (&props, g_variant_unref);
      g_variant_get_child (updated, i, "(i@a{sv})", &id, &props);
      if (id == 2)
        {
          g_assert_true (g_variant_lookup (props, "label", "&s", &label));
          g_assert_cmpstr (label, ==, "_Resume Sync");
        }
      else
        {
          g_assert_cmpint (id, ==, 1);
          g_assert_true (g_variant_lookup (props, "enabled", "b", &enabled));
          g_assert_false (enabled);
        }
    }
  g_assert_cmpstr (ember_dbus_menu_get_label (fixture->menu, 2), ==, "_Resume Sync");

  /* The same value again: nothing to send. */
  tray_signal_log_clear (log);
  ember_dbus_menu_set_label (fixture->menu, 2, "_Resume Sync");
  ember_test_spin (50);
  g_assert_cmpuint (tray_signal_log_count (log, "ItemsPropertiesUpdated"), ==, 0);

  /* A new item changes the layout. */
  ember_dbus_menu_append_item (fixture->menu, "_About", NULL);
  g_assert_true (tray_signal_log_wait (log, "LayoutUpdated", 1, 5000));
  g_variant_get (tray_signal_log_last (log, "LayoutUpdated"), "(ui)", &revision, &parent);
  g_assert_cmpuint (revision, >, revision_before);
  g_assert_cmpuint (revision, ==, ember_dbus_menu_get_revision (fixture->menu));
  g_assert_cmpint (parent, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ember/tray/dbusmenu/layout", test_layout);
  ADD ("/ember/tray/dbusmenu/group-properties", test_group_properties);
  ADD ("/ember/tray/dbusmenu/events", test_events);
  ADD ("/ember/tray/dbusmenu/changes-are-signalled", test_changes_are_signalled);
#undef ADD

  return g_test_run ();
}
