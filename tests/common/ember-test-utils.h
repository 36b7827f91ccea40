/* ember-test-utils.h: helpers shared by every test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The per-test throw-away directory made by tests/test-wrapper.sh (or a new
 * temporary one when run by hand). Transfer none. */
const char *ember_test_get_tmpdir        (void);
/* Skips the current test (exit 77 from main) when there is no display. */
gboolean    ember_test_has_display       (void);
/* Whether a Secret Service owns org.freedesktop.secrets on the session bus. */
gboolean    ember_test_has_secret_service (void);
/* Runs the thread-default main context until @condition is TRUE or
 * @timeout_ms passes; returns the final value of the condition. */
gboolean    ember_test_wait_for          (gboolean   (*condition) (gpointer data),
                                          gpointer   data,
                                          guint      timeout_ms);
/* Spins the thread-default main context for @ms milliseconds. */
void        ember_test_spin              (guint      ms);
/* Path of a file built in the build tree, from EMBER_BUILD_ROOT. */
char       *ember_test_build_path        (const char *first_element,
                                          ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
