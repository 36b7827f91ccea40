/* test-spinner.c: the busy spinner turns by redrawing itself alone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-gui-test-utils.h"
#include "ember-spinner.h"
#include "ember-test-utils.h"

#define SIZE 16

typedef struct
{
  GtkWindow *window;
  GtkWidget *spinner;
  guint      n_paints;
  guint      n_layouts; /* the window computing its size again */
} Fixture;

static void
painted_cb (GdkFrameClock *clock,
            Fixture       *fixture)
{
  fixture->n_paints++;
}

static void
compute_size_cb (GdkToplevel     *toplevel,
                 GdkToplevelSize *size,
                 Fixture         *fixture)
{
  fixture->n_layouts++;
}

static void
fixture_set_up (Fixture *fixture)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  fixture->spinner = ember_spinner_new ();
  gtk_box_append (GTK_BOX (box), gtk_label_new ("Syncing"));
  gtk_box_append (GTK_BOX (box), fixture->spinner);
  gtk_window_set_child (fixture->window, box);
  gtk_window_present (fixture->window);
  g_assert_nonnull (ember_gui_test_wait_for_mapped (GTK_WIDGET (fixture->window), EMBER_TYPE_SPINNER, 5000));
  ember_gui_test_wait_for_frame (GTK_WIDGET (fixture->window));

  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (fixture->window)), "after-paint",
                    G_CALLBACK (painted_cb), fixture);
  g_signal_connect (gtk_native_get_surface (GTK_NATIVE (fixture->window)), "compute-size",
                    G_CALLBACK (compute_size_cb), fixture);
}

static void
fixture_tear_down (Fixture *fixture)
{
  gtk_window_destroy (fixture->window);
}

/* What the spinner drew last on screen, as 16×16 premultiplied RGBA. */
static GBytes *
render (Fixture *fixture)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (fixture->spinner);
  g_autoptr(GdkPaintable) image = gdk_paintable_get_current_image (paintable);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  guchar *pixels = g_malloc0 (SIZE * SIZE * 4);

  gdk_paintable_snapshot (image, snapshot, SIZE, SIZE);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node != NULL)
    {
      texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (fixture->window)),
                                             node, &GRAPHENE_RECT_INIT (0, 0, SIZE, SIZE));
      gdk_texture_download (texture, pixels, SIZE * 4);
    }

  return g_bytes_new_take (pixels, SIZE * SIZE * 4);
}

static gboolean
is_blank (GBytes *image)
{
  gsize size;
  const guchar *pixels = g_bytes_get_data (image, &size);

  for (gsize i = 0; i < size; i++)
    {
      if (pixels[i] != 0)
        return FALSE;
    }

  return TRUE;
}

static void
test_turns_without_relayout (void)
{
  Fixture fixture = { NULL };
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) stopped = NULL;
  g_autoptr(GBytes) idle = NULL;
  guint n_moved = 0;

  fixture_set_up (&fixture);
  idle = render (&fixture);
  g_assert_true (is_blank (idle));

  ember_spinner_set_spinning (EMBER_SPINNER (fixture.spinner), TRUE);
  ember_gui_test_wait_for_frame (GTK_WIDGET (fixture.window));
  before = render (&fixture);
  g_assert_false (is_blank (before));

  /* A second: twelve steps of a turn, each one frame. Looked at four
   * times, a quarter turn apart, it has moved. */
  fixture.n_paints = fixture.n_layouts = 0;
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(GBytes) image = NULL;

      ember_test_spin (250);
      image = render (&fixture);
      g_assert_false (is_blank (image));
      if (!g_bytes_equal (before, image))
        n_moved++;
    }
  g_assert_cmpuint (n_moved, >, 0);
  g_assert_cmpuint (fixture.n_paints, >=, 6);
  g_assert_cmpuint (fixture.n_paints, <=, 24);
  /* Turning must not make the window lay itself out again (a CSS
   * animation did, every frame). */
  g_assert_cmpuint (fixture.n_layouts, ==, 0);

  ember_spinner_set_spinning (EMBER_SPINNER (fixture.spinner), FALSE);
  ember_gui_test_wait_for_frame (GTK_WIDGET (fixture.window));
  stopped = render (&fixture);
  g_assert_true (is_blank (stopped));
  ember_test_spin (100);
  fixture.n_paints = 0;
  ember_test_spin (500);
  g_assert_cmpuint (fixture.n_paints, ==, 0);

  fixture_tear_down (&fixture);
}

static void
test_still_without_animations (void)
{
  Fixture fixture = { NULL };
  g_autoptr(GBytes) image = NULL;
  g_autoptr(GBytes) later = NULL;

  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  fixture_set_up (&fixture);

  ember_spinner_set_spinning (EMBER_SPINNER (fixture.spinner), TRUE);
  ember_test_spin (100);
  image = render (&fixture);
  g_assert_false (is_blank (image));

  fixture.n_paints = 0;
  ember_test_spin (500);
  g_assert_cmpuint (fixture.n_paints, ==, 0);
  later = render (&fixture);
  g_assert_true (g_bytes_equal (image, later));

  fixture_tear_down (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  if (!ember_gui_test_setup (&argc, &argv))
    return 77;

  ember_gui_test_add ("/ember/gui/spinner/turns-without-relayout", test_turns_without_relayout);
  ember_gui_test_add ("/ember/gui/spinner/still-without-animations", test_still_without_animations);

  return g_test_run ();
}
