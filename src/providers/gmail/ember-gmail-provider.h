/* ember-gmail-provider.h: Gmail + Google Calendar for one account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-api-endpoint.h"
#include "ember-auth-session.h"
#include "ember-http-client.h"
#include "ember-provider.h"
#include "ember-store.h"

G_BEGIN_DECLS

/* messages.get calls per batch request; Gmail advises at most 50. */
#define EMBER_GMAIL_DEFAULT_BATCH_SIZE 50
#define EMBER_GMAIL_MAX_BATCH_SIZE     100

/* Sync state resources written by this provider: "folders" (labels),
 * "mail" (cursor: while a full sync runs a small JSON object with the list
 * page token, the profile historyId taken before listing and the mode;
 * afterwards the historyId; phases "full-inbox", "full-all", "full-sweep",
 * "incremental"), "calendars" and "calendar:<calendar id>". */
#define EMBER_GMAIL_RESOURCE_MAIL "mail"

/* Gives the Gmail endpoint @endpoint a rate limiter (on its clock) for a
 * per-user quota of @units per @window_seconds: a sliding window like
 * Google's, so the newest mail may take the whole allowance at once. A
 * request counts until a window after its reply, by when Google has
 * charged it, so no window on Google's side sees more than @units; the
 * limiter spends EMBER_QUOTA_SHARE of it. */
void                ember_gmail_endpoint_set_quota          (EmberApiEndpoint *endpoint,
                                                             EmberClock       *clock,
                                                             double            units,
                                                             double            window_seconds);

#define EMBER_TYPE_GMAIL_PROVIDER (ember_gmail_provider_get_type ())
G_DECLARE_FINAL_TYPE (EmberGmailProvider, ember_gmail_provider, EMBER, GMAIL_PROVIDER, GObject)

/* A provider for the Google account @account (already stored: its id is
 * used), writing to @store and talking through @client. Makes a Gmail and
 * a Google Calendar endpoint at @account's api_base (the real services
 * when NULL) with @auth_session (nullable: requests go unauthenticated) as
 * token source and @client's clock; Gmail gets Google's per-user quota
 * (EMBER_GMAIL_DEFAULT_UNITS_PER_MINUTE) through
 * ember_gmail_endpoint_set_quota (), Calendar the endpoint's default. */
EmberGmailProvider *ember_gmail_provider_new                (const EmberAccountRecord *account,
                                                             EmberStore               *store,
                                                             EmberHttpClient          *client,
                                                             EmberAuthSession         *auth_session);
/* Same with endpoints the caller made and keeps. Keep them (or the
 * provider) for the account's lifetime: the rate limiters then remember
 * what earlier syncs spent of the per-user quota. @calendar_endpoint may be
 * NULL when the calendar is never synced. */
EmberGmailProvider *ember_gmail_provider_new_with_endpoints (const EmberAccountRecord *account,
                                                             EmberStore               *store,
                                                             EmberHttpClient          *client,
                                                             EmberApiEndpoint         *mail_endpoint,
                                                             EmberApiEndpoint         *calendar_endpoint);

EmberApiEndpoint   *ember_gmail_provider_get_mail_endpoint     (EmberGmailProvider *self);
EmberApiEndpoint   *ember_gmail_provider_get_calendar_endpoint (EmberGmailProvider *self);

/* The most messages.get calls per batch, 1..EMBER_GMAIL_MAX_BATCH_SIZE.
 * A sync uses fewer when a batch would cost more than the mail endpoint's
 * rate limiter allows at once ("burst"), since such a batch could never
 * pass: never with the default Gmail quota (6,000 units a minute, 20 units
 * per get). */
void                ember_gmail_provider_set_batch_size     (EmberGmailProvider *self,
                                                             guint               batch_size);
guint               ember_gmail_provider_get_batch_size     (EmberGmailProvider *self);

G_END_DECLS
