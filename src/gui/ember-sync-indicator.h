/* ember-sync-indicator.h: the header-bar sync status
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ember-sync-manager.h"

G_BEGIN_DECLS

#define EMBER_TYPE_SYNC_INDICATOR (ember_sync_indicator_get_type ())
G_DECLARE_FINAL_TYPE (EmberSyncIndicator, ember_sync_indicator, EMBER, SYNC_INDICATOR, GtkWidget)

GtkWidget  *ember_sync_indicator_new         (void);
void        ember_sync_indicator_set_manager (EmberSyncIndicator *self,
                                              EmberSyncManager   *manager);
/* What the indicator says now ("Syncing Gmail — 1,240 of 5,000",
 * "Updated 2 minutes ago", ...). */
const char *ember_sync_indicator_get_text    (EmberSyncIndicator *self);

/* "just now", "2 minutes ago", "3 hours ago", ... */
char       *ember_format_time_ago            (gint64              then_usec,
                                              gint64              now_usec);

G_END_DECLS
