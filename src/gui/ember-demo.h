/* ember-demo.h: `ember --demo`, the whole app against the in-process fake
 * server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Demo mode never touches the person's data or keyring: the database lives
 * in a fresh temporary directory (deleted when Ember quits), tokens live in
 * a memory token store, and every account talks to the fake Gmail, Google
 * Calendar, Microsoft Graph and OAuth server that runs inside the process on
 * 127.0.0.1. It signs in a Google and a Microsoft account through the real
 * sign-in flow (the authorization URL is fetched like a browser that has
 * already consented, following the redirect to Ember's loopback listener),
 * then syncs them. Accounts added in Preferences also go to the fake server.
 * Preferences (GSettings) are the person's own.
 *
 * Size and speed of the dataset, from the environment:
 *   EMBER_DEMO_MESSAGES    messages per account (default 1000; Gmail's
 *                         quota lets about 300 a minute through)
 *   EMBER_DEMO_EVENTS      events per account (default 150)
 *   EMBER_DEMO_LATENCY_MS  added to every API reply (default 40)
 */
#pragma once

#include "ember-application.h"
#include "ember-fake-server.h"

G_BEGIN_DECLS

#define EMBER_DEMO_GOOGLE_ACCOUNT    "alice@gmail.test"
#define EMBER_DEMO_MICROSOFT_ACCOUNT "carol@contoso.test"

#define EMBER_TYPE_DEMO (ember_demo_get_type ())
G_DECLARE_FINAL_TYPE (EmberDemo, ember_demo, EMBER, DEMO, GObject)

/* Turns @app into a demo; call it before the application starts (from
 * "handle-local-options"). Starts the fake server, points the data
 * directory, the token store and new sign-ins at the demo's, and signs the
 * demo accounts in once the store and the sync manager exist. */
EmberDemo       *ember_demo_enable          (EmberApplication *app,
                                             GError          **error);
/* The demo @app runs, or NULL. */
EmberDemo       *ember_demo_get             (EmberApplication *app);
EmberFakeServer *ember_demo_get_server      (EmberDemo        *self);
const char      *ember_demo_get_data_dir    (EmberDemo        *self);
/* Accounts the demo has signed in so far ("n-signed-in" notifies). */
guint            ember_demo_get_n_signed_in (EmberDemo        *self);
/* Whether the demo accounts are still being signed in ("pending"
 * notifies): the window shows the mail view meanwhile, not the welcome. */
gboolean         ember_demo_get_pending     (EmberDemo        *self);

/* An EmberUriLaunchFunc (ember-sign-in-dialog.h) that acts as a browser
 * whose person has already consented: it GETs @uri and follows the
 * redirects (down to Ember's loopback listener). Only loopback http URLs
 * are fetched. */
void             ember_demo_follow_uri      (GtkWindow           *parent,
                                             const char          *uri,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             callback_data,
                                             gpointer             user_data);

G_END_DECLS
