/* ember-spinner.h: a busy spinner that only redraws itself
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define EMBER_TYPE_SPINNER (ember_spinner_get_type ())
G_DECLARE_FINAL_TYPE (EmberSpinner, ember_spinner, EMBER, SPINNER, GtkWidget)

/* Looks like GtkSpinner (the theme's process-working icon, turning once a
 * second in twelve steps, drawn as big as the widget), but turns by
 * redrawing, not by a CSS animation. In GTK 4.8 a CSS animation restyles
 * the widget every frame, which makes the window lay itself out again,
 * and on X11 each of those layouts asks the X server for the work area:
 * a dozen round trips a frame, for as long as a sync runs. Still when
 * animations are off (gtk-enable-animations). Invisible while not
 * spinning, keeping its place. */
GtkWidget *ember_spinner_new          (void);
void       ember_spinner_set_spinning (EmberSpinner *self,
                                       gboolean      spinning);

G_END_DECLS
