/* ember-autostart.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The XDG Autostart specification: a desktop entry in
 * $XDG_CONFIG_HOME/autostart is started at login unless it says
 * Hidden=true (or, for GNOME, X-GNOME-Autostart-enabled=false).
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "ember-autostart.h"

#define DEFAULT_EXECUTABLE "ember"

struct _EmberAutostart
{
  GObject    parent_instance;

  GSettings *settings;
  char      *executable;
  gboolean   enabled;
};

G_DEFINE_FINAL_TYPE (EmberAutostart, ember_autostart, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ENABLED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
ember_autostart_get_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", APP_ID ".desktop", NULL);
}

gboolean
ember_autostart_entry_exists (void)
{
  g_autofree char *path = ember_autostart_get_path ();
  g_autoptr(GKeyFile) entry = g_key_file_new ();

  if (!g_key_file_load_from_file (entry, path, G_KEY_FILE_NONE, NULL))
    return FALSE;

  if (g_key_file_get_boolean (entry, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_HIDDEN, NULL))
    return FALSE;
  /* A missing key reads as FALSE with an error: only an explicit "false"
   * turns the entry off. */
  if (g_key_file_has_key (entry, G_KEY_FILE_DESKTOP_GROUP, "X-GNOME-Autostart-enabled", NULL) &&
      !g_key_file_get_boolean (entry, G_KEY_FILE_DESKTOP_GROUP, "X-GNOME-Autostart-enabled", NULL))
    return FALSE;

  return TRUE;
}

/* Quotes one Exec argument as the Desktop Entry specification asks. */
static char *
quote_exec_argument (const char *argument)
{
  static const char reserved[] = " \t\n\"'\\><~|&;$*?#()`";
  g_autoptr(GString) quoted = NULL;

  if (strpbrk (argument, reserved) == NULL)
    return g_strdup (argument);

  quoted = g_string_new ("\"");
  for (const char *p = argument; *p != '\0'; p++)
    {
      if (strchr ("\"`$\\", *p) != NULL)
        g_string_append_c (quoted, '\\');
      g_string_append_c (quoted, *p);
    }
  g_string_append_c (quoted, '"');

  return g_string_free (g_steal_pointer (&quoted), FALSE);
}

gboolean
ember_autostart_write_entry (const char  *executable,
                             GError     **error)
{
  g_autofree char *path = ember_autostart_get_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *program = NULL;
  g_autofree char *exec = NULL;
  g_autoptr(GKeyFile) entry = g_key_file_new ();
  const char *group = G_KEY_FILE_DESKTOP_GROUP;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (executable == NULL)
    executable = DEFAULT_EXECUTABLE;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the folder %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  program = quote_exec_argument (executable);
  exec = g_strdup_printf ("%s --background", program);

  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_TYPE, G_KEY_FILE_DESKTOP_TYPE_APPLICATION);
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_NAME, "Ember");
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_COMMENT,
                         "Keep mail and calendars in sync in the background");
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_EXEC, exec);
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_TRY_EXEC, executable);
  g_key_file_set_string (entry, group, G_KEY_FILE_DESKTOP_KEY_ICON, APP_ID);
  g_key_file_set_boolean (entry, group, G_KEY_FILE_DESKTOP_KEY_TERMINAL, FALSE);
  g_key_file_set_boolean (entry, group, G_KEY_FILE_DESKTOP_KEY_NO_DISPLAY, TRUE);
  g_key_file_set_boolean (entry, group, "X-GNOME-Autostart-enabled", TRUE);
  g_key_file_set_boolean (entry, group, "X-GNOME-UsesNotifications", TRUE);

  if (!g_key_file_save_to_file (entry, path, error))
    {
      g_prefix_error (error, _("Could not write the autostart entry: "));
      return FALSE;
    }

  g_debug ("Wrote the autostart entry %s", path);
  return TRUE;
}

gboolean
ember_autostart_remove_entry (GError **error)
{
  g_autofree char *path = ember_autostart_get_path ();

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not remove the autostart entry %s: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  g_debug ("Removed the autostart entry %s", path);
  return TRUE;
}

static void
set_enabled (EmberAutostart *self,
             gboolean        enabled)
{
  if (self->enabled == enabled)
    return;

  self->enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENABLED]);
}

static void
autostart_changed_cb (EmberAutostart *self)
{
  gboolean wanted = g_settings_get_boolean (self->settings, "autostart");
  gboolean exists = ember_autostart_entry_exists ();
  g_autoptr(GError) error = NULL;

  /* Also how our own resets (below, and at start) come back: no-ops. */
  if (wanted == exists)
    {
      set_enabled (self, exists);
      return;
    }

  if (wanted ? ember_autostart_write_entry (self->executable, &error)
             : ember_autostart_remove_entry (&error))
    {
      set_enabled (self, wanted);
      return;
    }

  /* The switch goes back to what is true on disk. */
  g_warning ("%s", error->message);
  g_settings_set_boolean (self->settings, "autostart", exists);
  set_enabled (self, exists);
}

EmberAutostart *
ember_autostart_new (GSettings  *settings,
                     const char *executable)
{
  EmberAutostart *self;
  gboolean exists;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (EMBER_TYPE_AUTOSTART, NULL);
  self->settings = g_object_ref (settings);
  self->executable = g_strdup (executable != NULL ? executable : DEFAULT_EXECUTABLE);

  exists = ember_autostart_entry_exists ();
  self->enabled = exists;
  if (g_settings_get_boolean (settings, "autostart") != exists)
    g_settings_set_boolean (settings, "autostart", exists);

  g_signal_connect_object (settings, "changed::autostart",
                           G_CALLBACK (autostart_changed_cb), self, G_CONNECT_SWAPPED);
  /* GSettings only emits changed:: for keys that were read once. */
  g_settings_get_boolean (settings, "autostart");

  return self;
}

gboolean
ember_autostart_get_enabled (EmberAutostart *self)
{
  g_return_val_if_fail (EMBER_IS_AUTOSTART (self), FALSE);

  return self->enabled;
}

static void
ember_autostart_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EmberAutostart *self = EMBER_AUTOSTART (object);

  switch (prop_id)
    {
    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_autostart_finalize (GObject *object)
{
  EmberAutostart *self = EMBER_AUTOSTART (object);

  g_clear_object (&self->settings);
  g_free (self->executable);

  G_OBJECT_CLASS (ember_autostart_parent_class)->finalize (object);
}

static void
ember_autostart_class_init (EmberAutostartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ember_autostart_finalize;
  object_class->get_property = ember_autostart_get_property;

  properties[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ember_autostart_init (EmberAutostart *self)
{
}
