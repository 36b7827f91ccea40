/* ember-screenshot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include "ember-demo.h"
#include "ember-preferences-window.h"
#include "ember-screenshot.h"
#include "ember-window-private.h"

/* Longest wait for the demo to get where the view needs it. */
#define READY_TIMEOUT_S 180
/* Polls that may find the window between layouts before giving up. */
#define MAX_EMPTY_SHOTS 40

typedef enum
{
  PHASE_WAIT,    /* for the window and the demo's sync */
  PHASE_SETTLE,  /* the view is shown: let it load and animate */
  PHASE_DONE,
} Phase;

struct _EmberScreenshot
{
  GObject           parent_instance;

  EmberApplication *app;     /* not owned: the app owns this */
  char             *view;
  char             *path;
  Phase             phase;
  gint64            started;
  gint64            settle_until;
  guint             n_empty;        /* pictures that came out empty */
  GtkWindow        *target;  /* not owned: the window to save */
  guint             poll;
};

G_DEFINE_FINAL_TYPE (EmberScreenshot, ember_screenshot, G_TYPE_OBJECT)

static const char *views[] = {
  "main", "message", "agenda", "search", "accounts", "account", "syncing", "narrow",
};

static GQuark
screenshot_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("ember-screenshot");

  return quark;
}

static GtkWindow *
find_window (EmberScreenshot *self,
             GType            type)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self->app)); l != NULL; l = l->next)
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_mapped (l->data))
        return l->data;
    }

  return NULL;
}

/* Both demo accounts signed in and synced once. */
static gboolean
demo_synced (EmberScreenshot *self)
{
  EmberDemo *demo = ember_demo_get (self->app);
  EmberSyncManager *manager = ember_application_get_sync_manager (self->app);
  g_autoptr(GArray) accounts = NULL;

  if (demo == NULL || manager == NULL || ember_demo_get_n_signed_in (demo) < 2)
    return FALSE;

  accounts = ember_sync_manager_list_accounts (manager);
  for (guint i = 0; i < accounts->len; i++)
    {
      gint64 id = g_array_index (accounts, gint64, i);

      if (ember_sync_manager_get_account_last_success (manager, id) == 0 ||
          ember_sync_manager_get_account_status (manager, id) != EMBER_SYNC_STATUS_IDLE)
        return FALSE;
    }

  return accounts->len >= 2;
}

static gint64
first_account (EmberScreenshot *self)
{
  EmberSyncManager *manager = ember_application_get_sync_manager (self->app);
  g_autoptr(GArray) accounts = ember_sync_manager_list_accounts (manager);
  gint64 found = 0;

  for (guint i = 0; i < accounts->len; i++)
    {
      gint64 id = g_array_index (accounts, gint64, i);

      if (found == 0 || g_strcmp0 (ember_sync_manager_get_account_provider (manager, id), "gmail") == 0)
        found = id;
    }

  return found;
}

/* Shows the view; returns how long it needs to settle, in ms. */
static guint
show_view (EmberScreenshot *self,
           EmberWindow     *window)
{
  GActionGroup *app = G_ACTION_GROUP (self->app);

  self->target = GTK_WINDOW (window);

  if (g_str_equal (self->view, "message"))
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.next-message", NULL);
      return 3000;  /* the reader's web view loads in its own process */
    }
  if (g_str_equal (self->view, "agenda"))
    _ember_window_open_calendar (window);
  else if (g_str_equal (self->view, "search"))
    _ember_window_search (window, "budget");
  else if (g_str_equal (self->view, "narrow"))
    {
      gtk_window_set_default_size (GTK_WINDOW (window), 360, 720);
      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-list", NULL);
    }
  else if (g_str_equal (self->view, "accounts"))
    {
      g_action_group_activate_action (app, "add-account", NULL);
      self->target = NULL;  /* the Preferences window, once it is up */
    }
  else if (g_str_equal (self->view, "account"))
    {
      g_action_group_activate_action (app, "show-account", g_variant_new_int64 (first_account (self)));
      self->target = NULL;
    }
  else if (g_str_equal (self->view, "syncing"))
    return 200;  /* before the sync is over */

  return 1500;
}

static gboolean
save_png (GtkWidget   *widget,
          const char  *path,
          GError     **error)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The window drew nothing");
      return FALSE;
    }

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not write %s", path);
      return FALSE;
    }

  return TRUE;
}

static void
finish (EmberScreenshot *self)
{
  self->phase = PHASE_DONE;
  g_clear_handle_id (&self->poll, g_source_remove);
  g_action_group_activate_action (G_ACTION_GROUP (self->app), "quit", NULL);
}

static gboolean
poll_cb (gpointer data)
{
  EmberScreenshot *self = data;
  EmberWindow *window = EMBER_WINDOW (find_window (self, EMBER_TYPE_WINDOW));
  EmberSyncManager *manager = ember_application_get_sync_manager (self->app);
  gint64 now = g_get_monotonic_time ();
  gboolean ready;

  if (now - self->started > READY_TIMEOUT_S * G_USEC_PER_SEC)
    {
      g_printerr ("Screenshot %s: the demo did not get there within %d s\n", self->view, READY_TIMEOUT_S);
      finish (self);
      return G_SOURCE_REMOVE;
    }

  switch (self->phase)
    {
    case PHASE_WAIT:
      if (window == NULL)
        return G_SOURCE_CONTINUE;
      if (g_str_equal (self->view, "syncing"))
        ready = manager != NULL && ember_sync_manager_get_busy (manager) &&
                _ember_window_get_n_rows (window) >= 10;
      else
        ready = demo_synced (self) && _ember_window_get_n_rows (window) > 0;
      if (!ready)
        return G_SOURCE_CONTINUE;

      self->settle_until = now + show_view (self, window) * (gint64) 1000;
      self->phase = PHASE_SETTLE;
      return G_SOURCE_CONTINUE;

    case PHASE_SETTLE:
      if (self->target == NULL)
        self->target = find_window (self, EMBER_TYPE_PREFERENCES_WINDOW);
      if (now < self->settle_until || self->target == NULL)
        return G_SOURCE_CONTINUE;

      {
        g_autoptr(GError) error = NULL;

        /* A window waiting for its next layout (a syncing one often is)
         * gives an empty picture: try again at the next poll. */
        if (!gtk_widget_get_mapped (GTK_WIDGET (self->target)) ||
            gtk_widget_get_width (GTK_WIDGET (self->target)) == 0 ||
            (!save_png (GTK_WIDGET (self->target), self->path, &error) && ++self->n_empty < MAX_EMPTY_SHOTS))
          return G_SOURCE_CONTINUE;

        if (error == NULL)
          g_print ("Saved the %s view as %s\n", self->view, self->path);
        else
          g_printerr ("Screenshot %s: %s\n", self->view, error->message);
      }
      finish (self);
      return G_SOURCE_REMOVE;

    case PHASE_DONE:
    default:
      return G_SOURCE_REMOVE;
    }
}

/* The main window comes up at the screenshot size. */
static void
window_added_cb (EmberScreenshot *self,
                 GtkWindow       *window)
{
  const char *size = g_getenv ("EMBER_SCREENSHOT_SIZE");
  int width = 1100, height = 720;

  if (!EMBER_IS_WINDOW (window))
    return;

  if (size != NULL && sscanf (size, "%dx%d", &width, &height) != 2)
    g_printerr ("EMBER_SCREENSHOT_SIZE should be WIDTHxHEIGHT, not %s\n", size);
  gtk_window_unmaximize (window);
  gtk_window_set_default_size (window, width, height);
}

static void
startup_cb (EmberScreenshot *self)
{
  self->started = g_get_monotonic_time ();
  self->poll = g_timeout_add (100, poll_cb, self);
}

gboolean
ember_screenshot_enable (EmberApplication  *app,
                         const char        *view,
                         const char        *path,
                         GError           **error)
{
  g_autoptr(EmberScreenshot) self = NULL;

  g_return_val_if_fail (EMBER_IS_APPLICATION (app), FALSE);
  g_return_val_if_fail (view != NULL && path != NULL, FALSE);

  if (!g_strv_contains (views, view))
    {
      g_autofree char *known = g_strjoinv (", ", (char **) views);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Unknown screenshot view %s (known: %s)", view, known);
      return FALSE;
    }

  self = g_object_new (EMBER_TYPE_SCREENSHOT, NULL);
  self->app = app;
  self->view = g_strdup (view);
  self->path = g_strdup (path);
  g_signal_connect_object (app, "startup", G_CALLBACK (startup_cb), self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (app, "window-added", G_CALLBACK (window_added_cb), self, G_CONNECT_SWAPPED);

  g_object_set_qdata_full (G_OBJECT (app), screenshot_quark (), g_steal_pointer (&self), g_object_unref);
  return TRUE;
}

static void
ember_screenshot_dispose (GObject *object)
{
  EmberScreenshot *self = EMBER_SCREENSHOT (object);

  g_clear_handle_id (&self->poll, g_source_remove);

  G_OBJECT_CLASS (ember_screenshot_parent_class)->dispose (object);
}

static void
ember_screenshot_finalize (GObject *object)
{
  EmberScreenshot *self = EMBER_SCREENSHOT (object);

  g_free (self->view);
  g_free (self->path);

  G_OBJECT_CLASS (ember_screenshot_parent_class)->finalize (object);
}

static void
ember_screenshot_class_init (EmberScreenshotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ember_screenshot_dispose;
  object_class->finalize = ember_screenshot_finalize;
}

static void
ember_screenshot_init (EmberScreenshot *self)
{
}
