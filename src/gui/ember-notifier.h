/* ember-notifier.h: desktop notifications for new mail, event reminders
 * and account problems
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ember-clock.h"
#include "ember-store.h"
#include "ember-sync-manager.h"

G_BEGIN_DECLS

/* Application actions the notifications activate; the notifier adds them
 * unless the application already has actions of these names. Each opens
 * the application and emits the matching signal. */
#define EMBER_NOTIFIER_ACTION_OPEN_MESSAGE "open-message"  /* (x) message row id */
#define EMBER_NOTIFIER_ACTION_OPEN_EVENT   "open-event"    /* (x) event row id */
#define EMBER_NOTIFIER_ACTION_SHOW_ACCOUNT "show-account"  /* (x) account id */

#define EMBER_TYPE_NOTIFIER (ember_notifier_get_type ())
G_DECLARE_FINAL_TYPE (EmberNotifier, ember_notifier, EMBER, NOTIFIER, GObject)

/* Sends, through @application (which must be registered):
 * - one notification per account and sync with the number of new messages
 *   and their senders, never for an account's first sync;
 * - a reminder for each upcoming timed event that has a popup reminder,
 *   at its reminder time (start minus the provider's offset);
 * - one notification when an account must be signed in again (or fails
 *   for a reason only the person can fix), withdrawn when it syncs again.
 * Each kind obeys its GSettings key (notify-new-mail, notify-events,
 * notify-problems) at the moment it would be sent. @clock (NULL: the real
 * clock) times the reminders. The application is not referenced. */
EmberNotifier *ember_notifier_new (GApplication     *application,
                                   EmberSyncManager *manager,
                                   EmberStore       *store,
                                   GSettings        *settings,
                                   EmberClock       *clock);

G_END_DECLS
