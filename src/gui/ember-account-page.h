/* ember-account-page.h: one account's settings, a subpage of Preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ember-application.h"

G_BEGIN_DECLS

#define EMBER_TYPE_ACCOUNT_PAGE (ember_account_page_get_type ())
G_DECLARE_FINAL_TYPE (EmberAccountPage, ember_account_page, EMBER, ACCOUNT_PAGE, AdwBin)

/* Signals: "removed" (gint64 account_id) once the account, its data and its
 * secrets are gone; "changed" (gint64 account_id) after a setting was saved
 * or the account was signed in again. */
EmberAccountPage         *ember_account_page_new            (EmberApplication         *app,
                                                             const EmberAccountRecord *account);
gint64                    ember_account_page_get_account_id (EmberAccountPage         *self);
const EmberAccountRecord *ember_account_page_get_account    (EmberAccountPage         *self);

G_END_DECLS
