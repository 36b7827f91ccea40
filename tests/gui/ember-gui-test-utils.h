/* ember-gui-test-utils.h: drive the real EmberApplication in a test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-application.h"
#include "ember-store.h"

G_BEGIN_DECLS

/* Initialises GTK and translations like main() does. Returns FALSE when there
 * is no display (the caller then exits 77 so meson counts a skip). */
gboolean          ember_gui_test_init        (void);
/* What every GUI test's main() does first: the C locale and untranslated
 * strings, g_test_init() and ember_gui_test_init(). Returns FALSE (having
 * said so) when there is no display; main() then returns 77. */
gboolean          ember_gui_test_setup       (int              *argc,
                                              char           ***argv);
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
/* A match for ember_gui_test_find_widget(): mapped widgets only (a subpage
 * that was just closed may linger, unmapped). */
gboolean          ember_gui_test_widget_is_mapped (GtkWidget   *widget,
                                                   gpointer     data);
/* Waits up to @timeout_ms for a mapped widget of @type under @root; a
 * test error when none appears. */
GtkWidget        *ember_gui_test_wait_for_mapped (GtkWidget    *root,
                                                  GType         type,
                                                  guint         timeout_ms);
/* Waits up to @timeout_ms for a visible, mapped toplevel of @type. */
GtkWindow        *ember_gui_test_wait_for_window (GType         type,
                                                  guint         timeout_ms);

/* Adds alice@example.test, a Gmail account whose servers are a closed
 * local port: its syncs fail quietly without touching the network. */
gint64            ember_gui_test_add_offline_account (EmberStore *store);
/* Saves the complete folder list "INBOX" (the inbox) and "Label_1"
 * (a label named "Receipts") for @account_id. */
void              ember_gui_test_save_inbox_and_label (EmberStore *store,
                                                       gint64      account_id);

/* Message @i of a numbered inbox: provider id "m@i", thread "t@i",
 * subject "Message number @i" from "Sender @i", @i minutes newer than
 * @base_date, text "hello", unread when @i is even, in "INBOX". */
EmberMessageRecord *ember_gui_test_numbered_message (guint  i,
                                                     gint64 base_date);

/* Spins the main loop until @widget's frame clock has painted one more
 * frame (what was queued is laid out and drawn). */
void              ember_gui_test_wait_for_frame (GtkWidget *widget);

/* Whether a file whose path ends in @name ("/libfoo.so") is mapped into
 * this process: which libraries and modules have been loaded so far. */
gboolean          ember_gui_test_is_mapped   (const char       *name);

/* Adds a test case that runs in its own subprocess: one application per
 * process, as in real life (an app cannot be registered twice on a bus
 * connection). */
void              ember_gui_test_add         (const char       *path,
                                              GTestFunc         func);

G_END_DECLS
