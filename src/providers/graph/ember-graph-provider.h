/* ember-graph-provider.h: Microsoft 365 mail and calendar through Graph
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-api-endpoint.h"
#include "ember-http-client.h"
#include "ember-provider.h"
#include "ember-store.h"

G_BEGIN_DECLS

/* The calendar window, in days around today (UTC): calendarView/delta
 * needs a fixed range per round, so Ember syncs from 60 days back to 365
 * days ahead and re-anchors the range (with a fresh round) once today has
 * moved a week past the anchor. */
#define EMBER_GRAPH_CALENDAR_DAYS_BACK   60
#define EMBER_GRAPH_CALENDAR_DAYS_AHEAD  365
#define EMBER_GRAPH_CALENDAR_SLIDE_DAYS  7

#define EMBER_GRAPH_DEFAULT_MESSAGE_PAGE_SIZE 100
#define EMBER_GRAPH_DEFAULT_EVENT_PAGE_SIZE   100

#define EMBER_TYPE_GRAPH_PROVIDER (ember_graph_provider_get_type ())
G_DECLARE_FINAL_TYPE (EmberGraphProvider, ember_graph_provider, EMBER, GRAPH_PROVIDER, GObject)

/* A provider for the Microsoft account @account_id stored in @store.
 * @endpoint is that account's Graph endpoint (kind EMBER_API_KIND_GRAPH,
 * with its auth session and its per-mailbox rate limiter: 4 in flight,
 * 10,000 requests per 10 minutes), e.g. from ember_account_new_endpoint ().
 * Keep one provider (or at least one endpoint) per account for the life of
 * the app, so the limiter's budget carries over from one sync job to the
 * next. The endpoint's base URL is Graph's with its version
 * ("https://graph.microsoft.com/v1.0", EMBER_GRAPH_API_BASE); a bare host
 * works too, without $batch. Only one sync_mail / sync_calendar call per
 * provider may run at a time (the sync manager runs one job per account). */
EmberProvider *ember_graph_provider_new                  (EmberStore         *store,
                                                          EmberHttpClient    *client,
                                                          EmberApiEndpoint   *endpoint,
                                                          gint64              account_id);

/* Prefer: odata.maxpagesize for messages/delta and calendarView/delta. */
void           ember_graph_provider_set_message_page_size (EmberGraphProvider *self,
                                                           guint               page_size);
void           ember_graph_provider_set_event_page_size   (EmberGraphProvider *self,
                                                           guint               page_size);
/* Folders whose deltas run at the same time (default 4, never more than
 * the mailbox's concurrency; the endpoint's limiter has the last word). */
void           ember_graph_provider_set_max_parallel_folders (EmberGraphProvider *self,
                                                              guint               n_folders);

G_END_DECLS
