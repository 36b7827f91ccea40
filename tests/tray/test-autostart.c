/* test-autostart.c: the "autostart" setting writes and removes an XDG
 * autostart entry that launches `ember --background` and passes
 * desktop-file-validate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ember-autostart.h"
#include "ember-test-utils.h"

typedef struct
{
  GSettings *settings;
  char      *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *dir = NULL;

  fixture->settings = g_settings_new (APP_ID);
  g_settings_reset (fixture->settings, "autostart");
  fixture->path = ember_autostart_get_path ();
  dir = g_path_get_dirname (fixture->path);
  /* The entry lives under the test's own XDG_CONFIG_HOME. */
  g_assert_true (g_str_has_prefix (fixture->path, g_get_user_config_dir ()));
  g_remove (fixture->path);
  g_remove (dir);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_remove (fixture->path);
  g_clear_object (&fixture->settings);
  g_free (fixture->path);
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static gboolean
file_missing (gpointer data)
{
  return !g_file_test (data, G_FILE_TEST_EXISTS);
}

static void
assert_valid_desktop_file (const char *path)
{
  g_autofree char *validator = g_find_program_in_path ("desktop-file-validate");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { validator, path, NULL };
  int status;

  if (validator == NULL)
    {
      g_test_message ("desktop-file-validate is not installed; not validating %s", path);
      return;
    }

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("expected %s to pass desktop-file-validate, it said: %s%s", path, out, err);
  /* Errors make it fail; warnings only print. Neither is acceptable. */
  g_assert_null (strstr (out, "error"));
  g_assert_null (strstr (out, "warning"));
}

static char *
entry_string (const char *path,
              const char *key)
{
  g_autoptr(GKeyFile) entry = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  char *value;

  g_key_file_load_from_file (entry, path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  value = g_key_file_get_string (entry, G_KEY_FILE_DESKTOP_GROUP, key, &error);
  g_assert_no_error (error);

  return value;
}

static void
test_switch_writes_and_removes_entry (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(EmberAutostart) autostart = ember_autostart_new (fixture->settings, "/usr/bin/ember");
  g_autofree char *exec = NULL;
  g_autofree char *type = NULL;
  g_autofree char *try_exec = NULL;

  g_assert_false (ember_autostart_get_enabled (autostart));
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));

  g_settings_set_boolean (fixture->settings, "autostart", TRUE);
  g_assert_true (ember_test_wait_for (file_exists, fixture->path, 5000));
  g_assert_true (ember_autostart_get_enabled (autostart));
  g_assert_true (ember_autostart_entry_exists ());

  exec = entry_string (fixture->path, "Exec");
  g_assert_cmpstr (exec, ==, "/usr/bin/ember --background");
  type = entry_string (fixture->path, "Type");
  g_assert_cmpstr (type, ==, "Application");
  try_exec = entry_string (fixture->path, "TryExec");
  g_assert_cmpstr (try_exec, ==, "/usr/bin/ember");
  assert_valid_desktop_file (fixture->path);

  g_settings_set_boolean (fixture->settings, "autostart", FALSE);
  g_assert_true (ember_test_wait_for (file_missing, fixture->path, 5000));
  g_assert_false (ember_autostart_get_enabled (autostart));
  g_assert_false (ember_autostart_entry_exists ());

  /* And on again. */
  g_settings_set_boolean (fixture->settings, "autostart", TRUE);
  g_assert_true (ember_test_wait_for (file_exists, fixture->path, 5000));
}

static void
test_default_and_quoted_commands (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *exec = NULL;
  g_auto(GStrv) argv = NULL;

  g_assert_true (ember_autostart_write_entry (NULL, &error));
  g_assert_no_error (error);
  exec = entry_string (fixture->path, "Exec");
  g_assert_cmpstr (exec, ==, "ember --background");
  assert_valid_desktop_file (fixture->path);

  /* A path with a space is quoted as the Desktop Entry spec says. */
  g_assert_true (ember_autostart_write_entry ("/opt/My Apps/ember", &error));
  g_assert_no_error (error);
  g_clear_pointer (&exec, g_free);
  exec = entry_string (fixture->path, "Exec");
  g_assert_cmpstr (exec, ==, "\"/opt/My Apps/ember\" --background");
  g_assert_true (g_shell_parse_argv (exec, NULL, &argv, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (argv[0], ==, "/opt/My Apps/ember");
  g_assert_cmpstr (argv[1], ==, "--background");
  assert_valid_desktop_file (fixture->path);

  g_assert_true (ember_autostart_remove_entry (&error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
  /* Removing what is not there is fine. */
  g_assert_true (ember_autostart_remove_entry (&error));
  g_assert_no_error (error);
}

static void
test_switch_follows_existing_entry (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberAutostart) autostart = NULL;

  /* An entry written before (by us, or another tool): the switch shows it. */
  g_assert_true (ember_autostart_write_entry ("/usr/bin/ember", &error));
  g_assert_no_error (error);
  autostart = ember_autostart_new (fixture->settings, "/usr/bin/ember");
  g_assert_true (g_settings_get_boolean (fixture->settings, "autostart"));
  g_assert_true (ember_autostart_get_enabled (autostart));
  g_clear_object (&autostart);

  /* Turned off with Hidden=true elsewhere: the switch is off. */
  g_assert_true (g_file_set_contents (fixture->path,
                                      "[Desktop Entry]\nType=Application\nName=Ember\n"
                                      "Exec=ember --background\nHidden=true\n",
                                      -1, &error));
  g_assert_no_error (error);
  autostart = ember_autostart_new (fixture->settings, "/usr/bin/ember");
  g_assert_false (g_settings_get_boolean (fixture->settings, "autostart"));
  g_assert_false (ember_autostart_get_enabled (autostart));
}

static gboolean
key_is_off (gpointer data)
{
  return !g_settings_get_boolean (data, "autostart");
}

static void
test_write_failure_turns_switch_back (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autofree char *dir = g_path_get_dirname (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberAutostart) autostart = NULL;

  /* A file where the autostart folder should be: nothing can be written
   * (this works as root too, unlike permissions). */
  g_assert_true (g_file_set_contents (dir, "not a folder", -1, &error));
  g_assert_no_error (error);
  autostart = ember_autostart_new (fixture->settings, "/usr/bin/ember");

  g_test_expect_message ("ember-gui", G_LOG_LEVEL_WARNING, "*autostart*");
  g_settings_set_boolean (fixture->settings, "autostart", TRUE);
  g_assert_true (ember_test_wait_for (key_is_off, fixture->settings, 5000));
  g_test_assert_expected_messages ();
  g_assert_false (ember_autostart_get_enabled (autostart));

  g_remove (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ember/tray/autostart/switch-writes-and-removes-entry", test_switch_writes_and_removes_entry);
  ADD ("/ember/tray/autostart/default-and-quoted-commands", test_default_and_quoted_commands);
  ADD ("/ember/tray/autostart/switch-follows-existing-entry", test_switch_follows_existing_entry);
  ADD ("/ember/tray/autostart/write-failure-turns-switch-back", test_write_failure_turns_switch_back);
#undef ADD

  return g_test_run ();
}
