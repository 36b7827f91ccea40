/* ember-accounts-page.h: the Accounts page of Preferences, in the style of
 * GNOME Settings' Online Accounts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ember-application.h"

G_BEGIN_DECLS

#define EMBER_TYPE_ACCOUNTS_PAGE (ember_accounts_page_get_type ())
G_DECLARE_FINAL_TYPE (EmberAccountsPage, ember_accounts_page, EMBER, ACCOUNTS_PAGE, AdwPreferencesPage)

EmberAccountsPage *ember_accounts_page_new             (void);
/* The app whose store and sync manager the page shows; the preferences
 * window sets it once it belongs to the app. Property "application". */
void               ember_accounts_page_set_application (EmberAccountsPage *self,
                                                        EmberApplication  *app);
EmberApplication  *ember_accounts_page_get_application (EmberAccountsPage *self);
/* Number of accounts shown. Property "n-accounts". */
guint              ember_accounts_page_get_n_accounts  (EmberAccountsPage *self);
/* The row of @account_id, or NULL. */
GtkWidget         *ember_accounts_page_get_row         (EmberAccountsPage *self,
                                                        gint64             account_id);
/* Reads the accounts from the store again. */
void               ember_accounts_page_reload          (EmberAccountsPage *self);
/* Opens the subpage of @account_id (once the page has read it from the
 * store). */
void               ember_accounts_page_show_account    (EmberAccountsPage *self,
                                                        gint64             account_id);
/* Opens the sign-in subpage for a new "gmail" or "microsoft" account. */
void               ember_accounts_page_add_account     (EmberAccountsPage *self,
                                                        const char        *provider);

G_END_DECLS
