/* ember-gcal-sync.h: Google Calendar sync for one account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-api-endpoint.h"
#include "ember-http-client.h"
#include "ember-store.h"
#include "ember-sync-report.h"

G_BEGIN_DECLS

/* The window a first (or a fresh) sync fetches, around the clock's now. */
#define EMBER_GCAL_WINDOW_PAST_DAYS   60
#define EMBER_GCAL_WINDOW_FUTURE_DAYS 365
/* Once the window's start lies this many days further back than
 * EMBER_GCAL_WINDOW_PAST_DAYS, the calendar is fetched afresh around the
 * new now. */
#define EMBER_GCAL_WINDOW_SLACK_DAYS  30

/* Syncs the calendar list (resource "calendars") and then each calendar's
 * events (resource "calendar:<id>"): a windowed events.list with
 * singleEvents=true the first time, its syncToken afterwards (changes
 * outside the window are dropped locally, so the store always holds the
 * events overlapping the window). An expired syncToken (410) refetches the
 * calendar and deletes what the server no longer has. Each page is
 * committed with its cursor. */
gboolean ember_gcal_sync_run (EmberStore        *store,
                              gint64             account_id,
                              EmberHttpClient   *client,
                              EmberApiEndpoint  *endpoint,
                              EmberSyncReport   *report,
                              GCancellable      *cancellable,
                              GError           **error);

G_END_DECLS
