/* ember-application-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-application.h"

G_BEGIN_DECLS

void _ember_application_install_actions  (EmberApplication *self);
/* Creates the sync manager over the open store and starts the first sync
 * (ember-application-sync.c). */
void _ember_application_start_sync       (EmberApplication *self);
void _ember_application_set_sync_manager (EmberApplication *self,
                                          EmberSyncManager *manager);
/* A data directory other than the default (demo mode, tests). */
void _ember_application_set_data_dir     (EmberApplication *self,
                                          const char       *data_dir);
/* A token store other than the keyring (demo mode, tests); before startup. */
void _ember_application_set_token_store  (EmberApplication *self,
                                          EmberTokenStore  *token_store);

G_END_DECLS
