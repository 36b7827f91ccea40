/* store-test-helpers.h: records and stores for the store tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-fake-clock.h"
#include "ember-store.h"

G_BEGIN_DECLS

/* 2026-01-01T00:00:00Z */
#define TEST_EPOCH ((gint64) 1767225600)

/* A fresh directory under the test's tmpdir. */
char               *store_test_make_dir        (const char  *name);
/* A store in a fresh directory, on @clock when not NULL. */
EmberStore         *store_test_open            (const char  *name,
                                                EmberClock  *clock);
gint64              store_test_add_account     (EmberStore  *store,
                                                const char  *provider,
                                                const char  *email);
EmberMessageRecord *store_test_message         (const char  *provider_id,
                                                gint64       date,
                                                const char  *subject,
                                                const char  *folder_id);
EmberFolderRecord  *store_test_folder          (const char     *provider_id,
                                                const char     *name,
                                                EmberFolderKind kind);
/* Saves folders (complete list) for the account. */
void                store_test_save_folders    (EmberStore  *store,
                                                gint64       account_id,
                                                ...) G_GNUC_NULL_TERMINATED;
/* Runs one integer query on a raw connection to @path; for checks that must
 * not go through the code under test. */
gint64              store_test_query_int       (const char  *db_path,
                                                const char  *sql);
char               *store_test_query_text      (const char  *db_path,
                                                const char  *sql);

G_END_DECLS
