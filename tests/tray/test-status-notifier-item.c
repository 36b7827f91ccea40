/* test-status-notifier-item.c: the tray icon registers with a watcher
 * (now, later, again after a restart), exposes the protocol's properties,
 * tells hosts about changes and answers Activate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <unistd.h>

#include "ember-status-notifier-item.h"
#include "ember-test-utils.h"
#include "tray-test-utils.h"

typedef struct
{
  GTestDBus               *bus;
  GDBusConnection         *item_connection;
  GDBusConnection         *host;      /* what a panel would use */
  EmberStatusNotifierItem *item;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->bus = tray_test_bus_up ();
  fixture->item_connection = tray_test_connect (fixture->bus);
  fixture->host = tray_test_connect (fixture->bus);
  fixture->item = ember_status_notifier_item_new (fixture->item_connection, "io.github.ember.Ember.Test");
  ember_status_notifier_item_set_title (fixture->item, "Ember");
  ember_status_notifier_item_set_icon_name (fixture->item, "io.github.ember.Ember-idle-symbolic");
  ember_status_notifier_item_set_attention_icon_name (fixture->item, "io.github.ember.Ember-attention-symbolic");
  ember_status_notifier_item_set_tooltip (fixture->item, "Ember", "Up to date");
  ember_status_notifier_item_set_menu_path (fixture->item, "/MenuBar");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->item);
  g_dbus_connection_close_sync (fixture->item_connection, NULL, NULL);
  g_dbus_connection_close_sync (fixture->host, NULL, NULL);
  g_clear_object (&fixture->item_connection);
  g_clear_object (&fixture->host);
  g_test_dbus_down (fixture->bus);
  g_clear_object (&fixture->bus);
}

static gboolean
item_registered (gpointer data)
{
  return ember_status_notifier_item_get_registered (data);
}

static gboolean
item_unregistered (gpointer data)
{
  return !ember_status_notifier_item_get_registered (data);
}

static void
export_item (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ember_status_notifier_item_export (fixture->item, &error));
  g_assert_no_error (error);
  g_assert_true (tray_test_wait_for_name (fixture->host, ember_status_notifier_item_get_bus_name (fixture->item),
                                          TRUE, 5000));
}

static GVariant *
item_property (Fixture    *fixture,
               const char *name)
{
  return tray_test_get_property (fixture->host, ember_status_notifier_item_get_bus_name (fixture->item),
                                 "/StatusNotifierItem", "org.kde.StatusNotifierItem", name);
}

static char *
item_string (Fixture    *fixture,
             const char *name)
{
  g_autoptr(GVariant) value = item_property (fixture, name);

  return g_variant_dup_string (value, NULL);
}

static void
test_registers_and_exposes_properties (Fixture       *fixture,
                                       gconstpointer  data)
{
  TestWatcher *watcher = test_watcher_start (fixture->bus);
  g_autofree char *expected_name = g_strdup_printf ("org.kde.StatusNotifierItem-%d-", (int) getpid ());
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) tooltip = NULL;
  g_autoptr(GVariant) pixmaps = NULL;
  g_autoptr(GVariant) registered = NULL;
  g_autoptr(GError) error = NULL;
  const char *tooltip_icon, *tooltip_title, *tooltip_body;
  const char *bus_name;
  const char *text;
  gboolean flag;

  export_item (fixture);
  bus_name = ember_status_notifier_item_get_bus_name (fixture->item);
  g_assert_true (g_str_has_prefix (bus_name, expected_name));

  g_assert_true (test_watcher_wait_for_items (watcher, 1, 5000));
  g_assert_true (ember_test_wait_for (item_registered, fixture->item, 5000));
  g_assert_cmpuint (test_watcher_get_items (watcher)->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (test_watcher_get_items (watcher), 0), ==, bus_name);
  /* The watcher reached the item through the name it was given. */
  g_assert_cmpstr (g_ptr_array_index (test_watcher_get_item_ids (watcher), 0), ==, "io.github.ember.Ember.Test");

  registered = tray_test_get_property (fixture->host, "org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher",
                                       "org.kde.StatusNotifierWatcher", "RegisteredStatusNotifierItems");
  g_assert_cmpuint (g_variant_n_children (registered), ==, 1);

  /* Every property a host reads, in one GetAll as gtk-sni-tray does. */
  reply = tray_test_call (fixture->host, bus_name, "/StatusNotifierItem",
                          "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", "org.kde.StatusNotifierItem"),
                          G_VARIANT_TYPE ("(a{sv})"), &error);
  g_assert_no_error (error);
  props = g_variant_get_child_value (reply, 0);
  g_assert_true (g_variant_lookup (props, "Category", "&s", &text));
  g_assert_cmpstr (text, ==, "ApplicationStatus");
  g_assert_true (g_variant_lookup (props, "Id", "&s", &text));
  g_assert_cmpstr (text, ==, "io.github.ember.Ember.Test");
  g_assert_true (g_variant_lookup (props, "Title", "&s", &text));
  g_assert_cmpstr (text, ==, "Ember");
  g_assert_true (g_variant_lookup (props, "Status", "&s", &text));
  g_assert_cmpstr (text, ==, "Passive");
  g_assert_true (g_variant_lookup (props, "IconName", "&s", &text));
  g_assert_cmpstr (text, ==, "io.github.ember.Ember-idle-symbolic");
  g_assert_true (g_variant_lookup (props, "AttentionIconName", "&s", &text));
  g_assert_cmpstr (text, ==, "io.github.ember.Ember-attention-symbolic");
  g_assert_true (g_variant_lookup (props, "OverlayIconName", "&s", &text));
  g_assert_cmpstr (text, ==, "");
  g_assert_true (g_variant_lookup (props, "IconThemePath", "&s", &text));
  g_assert_true (g_variant_lookup (props, "Menu", "&o", &text));
  g_assert_cmpstr (text, ==, "/MenuBar");
  g_assert_true (g_variant_lookup (props, "ItemIsMenu", "b", &flag));
  g_assert_false (flag);
  pixmaps = g_variant_lookup_value (props, "IconPixmap", G_VARIANT_TYPE ("a(iiay)"));
  g_assert_nonnull (pixmaps);
  g_assert_cmpuint (g_variant_n_children (pixmaps), ==, 0);
  tooltip = g_variant_lookup_value (props, "ToolTip", G_VARIANT_TYPE ("(sa(iiay)ss)"));
  g_assert_nonnull (tooltip);
  g_variant_get (tooltip, "(&sa(iiay)&s&s)", &tooltip_icon, NULL, &tooltip_title, &tooltip_body);
  g_assert_cmpstr (tooltip_icon, ==, "io.github.ember.Ember-idle-symbolic");
  g_assert_cmpstr (tooltip_title, ==, "Ember");
  g_assert_cmpstr (tooltip_body, ==, "Up to date");

  test_watcher_stop (watcher);
}

static void
test_no_watcher_then_one_appears (Fixture       *fixture,
                                  gconstpointer  data)
{
  TestWatcher *watcher;

  /* No watcher: exporting works and the item waits quietly. */
  export_item (fixture);
  ember_test_spin (200);
  g_assert_false (ember_status_notifier_item_get_registered (fixture->item));

  watcher = test_watcher_start (fixture->bus);
  g_assert_true (test_watcher_wait_for_items (watcher, 1, 5000));
  g_assert_true (ember_test_wait_for (item_registered, fixture->item, 5000));
  g_assert_cmpstr (g_ptr_array_index (test_watcher_get_items (watcher), 0), ==,
                   ember_status_notifier_item_get_bus_name (fixture->item));

  test_watcher_stop (watcher);
}

static void
test_reregisters_when_watcher_restarts (Fixture       *fixture,
                                        gconstpointer  data)
{
  TestWatcher *watcher = test_watcher_start (fixture->bus);

  export_item (fixture);
  g_assert_true (ember_test_wait_for (item_registered, fixture->item, 5000));
  g_assert_cmpuint (test_watcher_get_items (watcher)->len, ==, 1);

  /* The panel crashes... */
  test_watcher_stop (watcher);
  g_assert_true (ember_test_wait_for (item_unregistered, fixture->item, 5000));

  /* ...and comes back: the new watcher knows nothing until the item
   * registers again by itself. */
  watcher = test_watcher_start (fixture->bus);
  g_assert_true (test_watcher_wait_for_items (watcher, 1, 5000));
  g_assert_true (ember_test_wait_for (item_registered, fixture->item, 5000));
  g_assert_cmpstr (g_ptr_array_index (test_watcher_get_items (watcher), 0), ==,
                   ember_status_notifier_item_get_bus_name (fixture->item));

  /* Once more, to be sure it is not a one-off. */
  test_watcher_stop (watcher);
  g_assert_true (ember_test_wait_for (item_unregistered, fixture->item, 5000));
  watcher = test_watcher_start (fixture->bus);
  g_assert_true (test_watcher_wait_for_items (watcher, 1, 5000));
  g_assert_cmpuint (test_watcher_get_items (watcher)->len, ==, 1);

  test_watcher_stop (watcher);
}

static void
test_changes_are_signalled (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(TraySignalLog) log = NULL;
  g_autofree char *status = NULL;
  g_autofree char *icon = NULL;
  g_autofree char *title = NULL;
  g_autoptr(GVariant) tooltip = NULL;
  const char *body;

  export_item (fixture);
  log = tray_signal_log_new (fixture->host, ember_status_notifier_item_get_bus_name (fixture->item),
                             "/StatusNotifierItem", "org.kde.StatusNotifierItem");

  ember_status_notifier_item_set_status (fixture->item, EMBER_SNI_STATUS_NEEDS_ATTENTION);
  g_assert_true (tray_signal_log_wait (log, "NewStatus", 1, 5000));
  g_assert_cmpstr (g_variant_get_type_string (tray_signal_log_last (log, "NewStatus")), ==, "(s)");
  g_variant_get (tray_signal_log_last (log, "NewStatus"), "(s)", &status);
  g_assert_cmpstr (status, ==, "NeedsAttention");
  g_clear_pointer (&status, g_free);
  status = item_string (fixture, "Status");
  g_assert_cmpstr (status, ==, "NeedsAttention");

  ember_status_notifier_item_set_icon_name (fixture->item, "io.github.ember.Ember-syncing-symbolic");
  g_assert_true (tray_signal_log_wait (log, "NewIcon", 1, 5000));
  icon = item_string (fixture, "IconName");
  g_assert_cmpstr (icon, ==, "io.github.ember.Ember-syncing-symbolic");

  tray_signal_log_clear (log);
  ember_status_notifier_item_set_tooltip (fixture->item, "Ember", "Syncing… 40 %");
  g_assert_true (tray_signal_log_wait (log, "NewToolTip", 1, 5000));
  tooltip = item_property (fixture, "ToolTip");
  g_variant_get (tooltip, "(&sa(iiay)&s&s)", NULL, NULL, NULL, &body);
  g_assert_cmpstr (body, ==, "Syncing… 40 %");

  ember_status_notifier_item_set_title (fixture->item, "Ember (paused)");
  g_assert_true (tray_signal_log_wait (log, "NewTitle", 1, 5000));
  title = item_string (fixture, "Title");
  g_assert_cmpstr (title, ==, "Ember (paused)");

  /* Setting the same values again sends nothing. */
  tray_signal_log_clear (log);
  ember_status_notifier_item_set_status (fixture->item, EMBER_SNI_STATUS_NEEDS_ATTENTION);
  ember_status_notifier_item_set_tooltip (fixture->item, "Ember", "Syncing… 40 %");
  ember_test_spin (100);
  g_assert_cmpuint (tray_signal_log_count (log, "NewStatus"), ==, 0);
  g_assert_cmpuint (tray_signal_log_count (log, "NewToolTip"), ==, 0);
}

static void
activate_cb (EmberStatusNotifierItem *item,
             int                      x,
             int                      y,
             gpointer                 data)
{
  int *position = data;

  position[0] = x;
  position[1] = y;
  position[2]++;
}

static void
test_activate (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  int position[3] = { 0, 0, 0 };

  export_item (fixture);
  g_signal_connect (fixture->item, "activate", G_CALLBACK (activate_cb), position);

  reply = tray_test_call (fixture->host, ember_status_notifier_item_get_bus_name (fixture->item),
                          "/StatusNotifierItem", "org.kde.StatusNotifierItem", "Activate",
                          g_variant_new ("(ii)", 120, 7), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (position[2], ==, 1);
  g_assert_cmpint (position[0], ==, 120);
  g_assert_cmpint (position[1], ==, 7);
  g_clear_pointer (&reply, g_variant_unref);

  /* The other methods of the protocol answer too. */
  reply = tray_test_call (fixture->host, ember_status_notifier_item_get_bus_name (fixture->item),
                          "/StatusNotifierItem", "org.kde.StatusNotifierItem", "ProvideXdgActivationToken",
                          g_variant_new ("(s)", "token-1"), NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  reply = tray_test_call (fixture->host, ember_status_notifier_item_get_bus_name (fixture->item),
                          "/StatusNotifierItem", "org.kde.StatusNotifierItem", "Scroll",
                          g_variant_new ("(is)", 1, "vertical"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (position[2], ==, 1);
}

static void
test_unexport_releases_name (Fixture       *fixture,
                             gconstpointer  data)
{
  TestWatcher *watcher = test_watcher_start (fixture->bus);
  g_autofree char *name = NULL;

  export_item (fixture);
  g_assert_true (ember_test_wait_for (item_registered, fixture->item, 5000));
  name = g_strdup (ember_status_notifier_item_get_bus_name (fixture->item));

  /* Releasing the name is how watchers learn the item is gone. */
  ember_status_notifier_item_unexport (fixture->item);
  g_assert_true (tray_test_wait_for_name (fixture->host, name, FALSE, 5000));
  g_assert_false (ember_status_notifier_item_get_registered (fixture->item));
  g_assert_null (ember_status_notifier_item_get_bus_name (fixture->item));

  test_watcher_stop (watcher);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ember/tray/sni/registers-and-exposes-properties", test_registers_and_exposes_properties);
  ADD ("/ember/tray/sni/no-watcher-then-one-appears", test_no_watcher_then_one_appears);
  ADD ("/ember/tray/sni/reregisters-when-watcher-restarts", test_reregisters_when_watcher_restarts);
  ADD ("/ember/tray/sni/changes-are-signalled", test_changes_are_signalled);
  ADD ("/ember/tray/sni/activate", test_activate);
  ADD ("/ember/tray/sni/unexport-releases-name", test_unexport_releases_name);
#undef ADD

  return g_test_run ();
}
