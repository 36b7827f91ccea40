/* ember-sign-in-dialog.h: opens the browser for a sign-in and waits for it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ember-account-setup.h"
#include "ember-application.h"

G_BEGIN_DECLS

/* Opens @uri in a browser for the person to sign in, then completes
 * @callback with a GTask whose boolean result says whether that worked
 * (FALSE with an error otherwise). */
typedef void (*EmberUriLaunchFunc) (GtkWindow           *parent,
                                    const char          *uri,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             callback_data,
                                    gpointer             user_data);

#define EMBER_TYPE_SIGN_IN_DIALOG (ember_sign_in_dialog_get_type ())
G_DECLARE_FINAL_TYPE (EmberSignInDialog, ember_sign_in_dialog, EMBER, SIGN_IN_DIALOG, AdwMessageDialog)

/* How @app opens the sign-in page: the desktop's default browser unless a
 * launcher is set (the demo and the tests fetch the page themselves).
 * NULL @launch restores the default. */
void               ember_sign_in_dialog_set_uri_launcher (EmberApplication   *app,
                                                          EmberUriLaunchFunc  launch,
                                                          gpointer            user_data,
                                                          GDestroyNotify      user_data_destroy);
/* Where new accounts of @provider ("gmail" or "microsoft") sign in and sync,
 * and with which OAuth client: NULL values mean the real services and the
 * configured client. Used by the demo and the tests (the fake server). */
void               ember_sign_in_dialog_set_endpoints    (EmberApplication   *app,
                                                          const char         *provider,
                                                          const char         *api_base,
                                                          const char         *auth_base,
                                                          const char         *client_id,
                                                          const char         *client_secret);
/* A setup for a new @provider account of @email with @app's services and
 * the endpoints set above. */
EmberAccountSetup *ember_sign_in_dialog_new_setup        (EmberApplication   *app,
                                                          const char         *provider,
                                                          const char         *email);
/* The same for signing a stored account in again. */
EmberAccountSetup *ember_sign_in_dialog_new_setup_for_account (EmberApplication         *app,
                                                               const EmberAccountRecord *account);

/* A modal dialog over @parent ("Continue in Your Browser", Cancel). */
EmberSignInDialog *ember_sign_in_dialog_new              (GtkWindow          *parent,
                                                          EmberAccountSetup  *setup);
/* Starts @setup, opens the browser, shows the dialog and runs the setup;
 * the dialog goes away when it is over. Completes with the account id, or
 * an error: G_IO_ERROR_CANCELLED when the person pressed Cancel (show
 * nothing then), the launcher's error when no browser could be opened, or
 * the errors of ember_account_setup_start() and _run_sync(). */
void               ember_sign_in_dialog_run_async        (EmberSignInDialog  *self,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
gint64             ember_sign_in_dialog_run_finish       (EmberSignInDialog  *self,
                                                          GAsyncResult       *result,
                                                          GError            **error);
/* The same as pressing Cancel. */
void               ember_sign_in_dialog_cancel           (EmberSignInDialog  *self);

G_END_DECLS
