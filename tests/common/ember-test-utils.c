/* ember-test-utils.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdarg.h>

#include "ember-test-utils.h"

static char *fallback_tmpdir;

const char *
ember_test_get_tmpdir (void)
{
  const char *dir = g_getenv ("EMBER_TEST_TMPDIR");

  if (dir != NULL && *dir != '\0')
    return dir;

  if (fallback_tmpdir == NULL)
    fallback_tmpdir = g_dir_make_tmp ("ember-test-XXXXXX", NULL);

  return fallback_tmpdir;
}

gboolean
ember_test_has_display (void)
{
  const char *display = g_getenv ("DISPLAY");

  return display != NULL && *display != '\0';
}

gboolean
ember_test_has_secret_service (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = FALSE;

  if (bus == NULL)
    return FALSE;

  reply = g_dbus_connection_call_sync (bus,
                                       "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus",
                                       "NameHasOwner",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE,
                                       2000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);

  return has_owner;
}

static gboolean
timeout_reached_cb (gpointer data)
{
  gboolean *reached = data;

  *reached = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
ember_test_wait_for (gboolean (*condition) (gpointer data),
                     gpointer   data,
                     guint      timeout_ms)
{
  GMainContext *context = g_main_context_get_thread_default ();
  gboolean reached = FALSE;
  guint id;

  id = g_timeout_add (timeout_ms, timeout_reached_cb, &reached);
  while (!condition (data) && !reached)
    g_main_context_iteration (context, TRUE);
  if (!reached)
    g_source_remove (id);

  return condition (data);
}

static gboolean
never_cb (gpointer data)
{
  return FALSE;
}

void
ember_test_spin (guint ms)
{
  ember_test_wait_for (never_cb, NULL, ms);
}

char *
ember_test_build_path (const char *first_element,
                       ...)
{
  const char *root = g_getenv ("EMBER_BUILD_ROOT");
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  const char *element;
  va_list args;

  g_ptr_array_add (parts, (gpointer) (root != NULL ? root : "."));
  va_start (args, first_element);
  for (element = first_element; element != NULL; element = va_arg (args, const char *))
    g_ptr_array_add (parts, (gpointer) element);
  va_end (args);
  g_ptr_array_add (parts, NULL);

  return g_build_filenamev ((char **) parts->pdata);
}
