/* ember-add-account-page.h: asks for the address of a new account and
 * signs it in, a subpage of Preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ember-application.h"

G_BEGIN_DECLS

/* The states of GNOME Online Accounts' provider dialog. */
typedef enum
{
  EMBER_ADD_ACCOUNT_STATE_IDLE,   /* no usable address yet */
  EMBER_ADD_ACCOUNT_STATE_READY,  /* Sign In can be pressed */
  EMBER_ADD_ACCOUNT_STATE_BUSY,   /* waiting for the browser */
  EMBER_ADD_ACCOUNT_STATE_ERROR,  /* the last try failed: "Try Again" */
  EMBER_ADD_ACCOUNT_STATE_DONE,   /* the account was added */
} EmberAddAccountState;

#define EMBER_TYPE_ADD_ACCOUNT_PAGE (ember_add_account_page_get_type ())
G_DECLARE_FINAL_TYPE (EmberAddAccountPage, ember_add_account_page, EMBER, ADD_ACCOUNT_PAGE, AdwBin)

/* @provider: "gmail" or "microsoft". @existing: (nullable): addresses of
 * that provider already set up (refused before the browser opens).
 * Signal "account-added" (gint64 account_id, const char *email): the
 * account is stored, its tokens are saved and the sync manager has it. */
EmberAddAccountPage  *ember_add_account_page_new       (EmberApplication    *app,
                                                        const char          *provider,
                                                        const char * const  *existing);
const char           *ember_add_account_page_get_provider (EmberAddAccountPage *self);
EmberAddAccountState  ember_add_account_page_get_state (EmberAddAccountPage *self);
/* The error shown in the ERROR state (or an inline warning), else NULL. */
const char           *ember_add_account_page_get_error (EmberAddAccountPage *self);

G_END_DECLS
