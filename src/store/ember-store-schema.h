/* ember-store-schema.h: schema versions and migrations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The schema is the series of scripts sql/version-NNN.sql, shipped in a
 * GResource. PRAGMA user_version is the number of the last one applied.
 * Each newer script runs in its own write transaction that also sets
 * user_version, so a crash leaves the database at a whole version.
 */
#pragma once

#include "ember-db-pool.h"

G_BEGIN_DECLS

/* The highest version this build knows. */
guint    ember_store_schema_get_latest_version (void);
gboolean ember_store_schema_get_version_sync   (EmberDbPool   *pool,
                                                guint         *version,
                                                GCancellable  *cancellable,
                                                GError       **error);
/* Brings the database up to @target_version (0: the latest). Fails with
 * EMBER_STORE_ERROR_SCHEMA_TOO_NEW, leaving the file alone, when it is
 * already newer than this build knows; with EMBER_STORE_ERROR_MIGRATION
 * when a script fails or the file holds tables that are not Ember's. */
gboolean ember_store_schema_migrate_sync       (EmberDbPool   *pool,
                                                guint          target_version,
                                                GCancellable  *cancellable,
                                                GError       **error);

G_END_DECLS
