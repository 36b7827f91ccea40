/* ember-gui-test-utils.h: drive the real EmberApplication in a test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-application.h"

G_BEGIN_DECLS

/* Initialises GTK and translations like main() does. Returns FALSE when there
 * is no display (the caller then exits 77 so meson counts a skip). */
gboolean          ember_gui_test_init        (void);
/* A registered, activated application (non-unique, so tests can run in
 * parallel on one bus) whose main window has been asked to show. */
EmberApplication *ember_gui_test_start_app   (void);
/* Quits through the app.quit action and waits until every window is gone. */
void              ember_gui_test_quit_app    (EmberApplication *app);
/* The first visible toplevel of @type, or NULL. */
GtkWindow        *ember_gui_test_find_window (GType             type);
/* Depth-first search under @root for a widget of @type for which @match
 * returns TRUE (NULL @match accepts any). */
GtkWidget        *ember_gui_test_find_widget (GtkWidget        *root,
                                              GType             type,
                                              gboolean        (*match) (GtkWidget *widget,
                                                                        gpointer   data),
                                              gpointer          data);
/* Waits up to @timeout_ms for a visible, mapped toplevel of @type. */
GtkWindow        *ember_gui_test_wait_for_window (GType         type,
                                                  guint         timeout_ms);

/* Adds a test case that runs in its own subprocess: one application per
 * process, as in real life (an app cannot be registered twice on a bus
 * connection). */
void              ember_gui_test_add         (const char       *path,
                                              GTestFunc         func);

G_END_DECLS
