/* ember-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ember-http-client.h"
#include "ember-store.h"
#include "ember-sync-manager.h"
#include "ember-token-store.h"

G_BEGIN_DECLS

#define EMBER_TYPE_APPLICATION (ember_application_get_type ())
G_DECLARE_FINAL_TYPE (EmberApplication, ember_application, EMBER, APPLICATION, AdwApplication)

EmberApplication *ember_application_new      (const char        *application_id,
                                              GApplicationFlags  flags);
GSettings        *ember_application_get_settings (EmberApplication *self);
/* The shared services, created at startup. The store opens in the
 * background: it is NULL until then ("notify::store" tells). The sync manager
 * exists once the store is open. */
EmberStore       *ember_application_get_store        (EmberApplication *self);
EmberSyncManager *ember_application_get_sync_manager (EmberApplication *self);
EmberHttpClient  *ember_application_get_http_client  (EmberApplication *self);
EmberTokenStore  *ember_application_get_token_store  (EmberApplication *self);
/* Shows @error as a toast in the main window, with Retry when it helps. */
void              ember_application_report_error     (EmberApplication     *self,
                                                      const EmberUserError *error,
                                                      gint64                account_id);
void              ember_application_show_preferences (EmberApplication *self);
void              ember_application_show_about       (EmberApplication *self);

G_END_DECLS
