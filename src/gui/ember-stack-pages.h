/* ember-stack-pages.h: a GtkStack whose pages out of view cost nothing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* GTK 4.8 restyles every visible widget when the style changes as a
 * whole (libadwaita's start-up, the icon theme, a theme or focus change),
 * and a GtkStack's pages out of view count as visible: about half of the
 * window's widgets are status pages nobody sees. These keep only the
 * shown page visible.
 *
 * ember_stack_pages_init () hides every page but the one shown;
 * ember_stack_pages_show () is gtk_stack_set_visible_child_name () for
 * such a stack. */
void ember_stack_pages_init (GtkStack   *stack);
void ember_stack_pages_show (GtkStack   *stack,
                             const char *name);

G_END_DECLS
