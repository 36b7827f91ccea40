/* ember-api-endpoint.h: one provider API as seen from one account: base URL,
 * timeout, rate limiter, costs and the token source
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-clock.h"
#include "ember-rate-limiter.h"

G_BEGIN_DECLS

/* The share of a provider's quota Ember's limiters spend: the services'
 * own accounting (when a request counts, clock skew, calls we time out on
 * that still arrive) is never exactly ours, and a 429 costs more than the
 * margin. */
#define EMBER_QUOTA_SHARE 0.95

typedef enum
{
  EMBER_API_KIND_GMAIL,
  EMBER_API_KIND_GOOGLE_CALENDAR,
  EMBER_API_KIND_GRAPH,
  EMBER_API_KIND_OAUTH,   /* token endpoints: no bearer token, no quota */
} EmberApiKind;

/* Real bases. Google paths start with the API's version root
 * ("/gmail/v1/users/me/profile", "/calendar/v3/users/me/calendarList"; the
 * Gmail batch is BASE/batch/gmail/v1); Graph's base includes the version and
 * paths follow it ("/me/mailFolders"; the batch is BASE/$batch). */
#define EMBER_GMAIL_API_BASE    "https://gmail.googleapis.com"
#define EMBER_CALENDAR_API_BASE "https://www.googleapis.com"
#define EMBER_GRAPH_API_BASE    "https://graph.microsoft.com/v1.0"

/* Defaults from the providers' documented limits. */
#define EMBER_GMAIL_DEFAULT_TIMEOUT_MS          10000
#define EMBER_GRAPH_DEFAULT_TIMEOUT_MS          5000
#define EMBER_GMAIL_DEFAULT_UNITS_PER_MINUTE    6000.0
#define EMBER_CALENDAR_DEFAULT_REQUESTS_PER_MINUTE 600.0
#define EMBER_GRAPH_DEFAULT_REQUESTS_PER_10_MIN 10000.0
#define EMBER_GRAPH_MAX_IN_FLIGHT               4

/* Gmail quota units per method. */
#define EMBER_GMAIL_COST_MESSAGES_GET  20.0
#define EMBER_GMAIL_COST_MESSAGES_LIST 5.0
#define EMBER_GMAIL_COST_HISTORY_LIST  2.0
#define EMBER_GMAIL_COST_PROFILE       1.0
#define EMBER_GMAIL_COST_LABELS_LIST   1.0

typedef struct _EmberAuthSession EmberAuthSession;

#define EMBER_TYPE_API_ENDPOINT (ember_api_endpoint_get_type ())
G_DECLARE_FINAL_TYPE (EmberApiEndpoint, ember_api_endpoint, EMBER, API_ENDPOINT, GObject)

/* Sets the kind's default timeout, cost table and a rate limiter on @clock:
 *  - Gmail: EMBER_GMAIL_DEFAULT_UNITS_PER_MINUTE with the costs above
 *    (operations "messages.get", "messages.list", "history.list",
 *    "getProfile", "labels.list"; other operations cost 5), no in-flight cap;
 *  - Google Calendar: 600 requests a minute;
 *  - Graph: 10,000 requests per 10 minutes and 4 in flight (per mailbox);
 *  - OAuth: no rate limiter.
 * The limiter is a sliding window of the quota's length and allowance
 * (ember_rate_limiter_new_window()): all of it may go at once, and no
 * window of the quota's length ever exceeds it.
 * @base_url NULL: the real service. */
EmberApiEndpoint *ember_api_endpoint_new               (EmberApiKind      kind,
                                                        const char       *base_url,
                                                        EmberClock       *clock);
EmberApiKind      ember_api_endpoint_get_kind          (EmberApiEndpoint *self);
const char       *ember_api_endpoint_get_base_url      (EmberApiEndpoint *self);
guint             ember_api_endpoint_get_timeout       (EmberApiEndpoint *self);
void              ember_api_endpoint_set_timeout       (EmberApiEndpoint *self,
                                                        guint             timeout_ms);
/* Replaces the rate limiter with one for @units per @window_seconds (see
 * above for how it is derived) and @max_in_flight (0: no cap). Use it when
 * the quota is not the default (the fake server's is configurable). */
void              ember_api_endpoint_set_quota         (EmberApiEndpoint *self,
                                                        double            units,
                                                        double            window_seconds,
                                                        guint             max_in_flight);
/* (transfer full) (nullable): NULL means no rate limiting. Share one
 * limiter between endpoints that share a quota. */
EmberRateLimiter *ember_api_endpoint_ref_rate_limiter  (EmberApiEndpoint *self);
void              ember_api_endpoint_set_rate_limiter  (EmberApiEndpoint *self,
                                                        EmberRateLimiter *limiter);
void              ember_api_endpoint_set_cost          (EmberApiEndpoint *self,
                                                        const char       *operation,
                                                        double            cost);
/* The cost of @operation; NULL or unknown: the default cost. */
double            ember_api_endpoint_get_cost          (EmberApiEndpoint *self,
                                                        const char       *operation);
void              ember_api_endpoint_set_default_cost  (EmberApiEndpoint *self,
                                                        double            cost);
/* (transfer full) (nullable): the token source for bearer tokens; NULL:
 * requests go unauthenticated. */
EmberAuthSession *ember_api_endpoint_ref_auth_session  (EmberApiEndpoint *self);
void              ember_api_endpoint_set_auth_session  (EmberApiEndpoint *self,
                                                        EmberAuthSession *session);
/* "Gmail", "Google Calendar", "Microsoft Graph", "the sign-in service": for
 * error messages. */
const char       *ember_api_endpoint_get_display_name  (EmberApiEndpoint *self);

G_END_DECLS
