/* ember-account-row.h: one account in the accounts pane
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ember-store.h"
#include "ember-sync-manager.h"

G_BEGIN_DECLS

#define EMBER_TYPE_ACCOUNT_ROW (ember_account_row_get_type ())
G_DECLARE_FINAL_TYPE (EmberAccountRow, ember_account_row, EMBER, ACCOUNT_ROW, AdwActionRow)

EmberAccountRow          *ember_account_row_new                (const EmberAccountRecord *account);
gint64                    ember_account_row_get_account_id     (EmberAccountRow          *self);
const EmberAccountRecord *ember_account_row_get_account        (EmberAccountRow          *self);
void                      ember_account_row_set_account        (EmberAccountRow          *self,
                                                                const EmberAccountRecord *account);
EmberSyncStatus           ember_account_row_get_status         (EmberAccountRow          *self);
/* @last_success: wall-clock µs of the last good sync, 0 if none. */
void                      ember_account_row_set_status         (EmberAccountRow          *self,
                                                                EmberSyncStatus           status,
                                                                gint64                    last_success);
gint64                    ember_account_row_get_last_success   (EmberAccountRow          *self);
/* "Synced 2 minutes ago", "Syncing…", "Needs sign in", "Offline", ... */
const char               *ember_account_row_get_status_text    (EmberAccountRow          *self);
/* TRUE while the account needs the person (sign in again, or a failed sync). */
gboolean                  ember_account_row_get_attention_needed (EmberAccountRow        *self);
/* Renders the relative time again ("2 minutes ago" ages). */
void                      ember_account_row_update             (EmberAccountRow          *self);

/* Shared by the account page. */
/* "Google", "Microsoft 365" (store provider names "gmail", "microsoft"). */
const char               *ember_account_provider_get_display_name (const char         *provider);
const char               *ember_account_provider_get_icon_name    (const char         *provider);
/* "Synced just now", "Synced 5 minutes ago", ..., "Not synced yet"
 * (times in wall-clock µs). */
char                     *ember_account_format_last_sync          (gint64              last_success,
                                                                   gint64              now);
char                     *ember_account_format_status             (EmberSyncStatus     status,
                                                                   gint64              last_success,
                                                                   gint64              now);

G_END_DECLS
