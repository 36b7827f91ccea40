/* ember-http-client.h: the one HTTP path: rate limit, bearer token, refresh
 * on 401, retry with backoff, provider errors, metrics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ember-api-endpoint.h"
#include "ember-backoff.h"
#include "ember-clock.h"
#include "ember-http-request.h"

G_BEGIN_DECLS

/* Bodies larger than this are refused (EMBER_HTTP_ERROR_BAD_RESPONSE). */
#define EMBER_HTTP_DEFAULT_MAX_BODY_SIZE (64 * 1024 * 1024)

#define EMBER_TYPE_HTTP_CLIENT (ember_http_client_get_type ())
G_DECLARE_FINAL_TYPE (EmberHttpClient, ember_http_client, EMBER, HTTP_CLIENT, GObject)

/* Creates the shared SoupSession and configures it on the calling thread;
 * afterwards every _sync call may come from any thread. Waits (backoff,
 * rate limits) are on @clock; per-request timeouts are real time. */
EmberHttpClient *ember_http_client_new                (EmberClock       *clock);
EmberClock      *ember_http_client_get_clock          (EmberHttpClient  *self);
/* "Ember/<version>" */
const char      *ember_http_client_get_user_agent     (EmberHttpClient  *self);
/* Backoff policy for every later send (µs; 0 keeps EmberBackoff's default:
 * 500 ms initial, 60 s max interval, give up after 5 min). */
void             ember_http_client_set_backoff_policy (EmberHttpClient  *self,
                                                       gint64            initial_interval,
                                                       gint64            max_interval,
                                                       gint64            max_elapsed);
/* A fresh backoff with that policy (for callers that retry parts of a
 * batch themselves). */
EmberBackoff    *ember_http_client_new_backoff        (EmberHttpClient  *self);

/* Sends @request to @endpoint until it succeeds or fails for good:
 *  - takes a rate-limiter permit of the request's cost for each attempt;
 *  - attaches the endpoint's bearer token; on 401 refreshes it once and
 *    retries;
 *  - retries 429 (and 403 with a rate-limit reason), 500, 502, 503, 504,
 *    timeouts and dropped connections with backoff, honouring Retry-After
 *    (429 also holds the endpoint's rate limiter for that long);
 *  - fails at once on other 4xx with the provider's message
 *    (EMBER_HTTP_ERROR_CLIENT; the status and the provider's reason stay on
 *    @request);
 *  - refuses plain http:// to anything but loopback (EMBER_HTTP_ERROR_INSECURE).
 * After the backoff's give-up time: EMBER_HTTP_ERROR_GAVE_UP naming the last
 * failure. Errors from the auth session (EMBER_AUTH_ERROR_*) pass through.
 * TRUE on 2xx; the response is on @request. */
gboolean         ember_http_client_send_sync          (EmberHttpClient  *self,
                                                       EmberApiEndpoint *endpoint,
                                                       EmberHttpRequest *request,
                                                       GCancellable     *cancellable,
                                                       GError          **error);
/* As send_sync, and parses the body as JSON: a truncated or malformed body
 * is retried like a 503 (and is EMBER_HTTP_ERROR_BAD_RESPONSE inside the
 * give-up error). A 204 gives a JSON null node. */
JsonNode        *ember_http_client_send_json_sync     (EmberHttpClient  *self,
                                                       EmberApiEndpoint *endpoint,
                                                       EmberHttpRequest *request,
                                                       GCancellable     *cancellable,
                                                       GError          **error);

/* Whether @url may be fetched: https, or http to a loopback address. */
gboolean         ember_http_url_is_allowed            (const char       *url,
                                                       GError          **error);

/* Reads a provider error body: Google {"error":{"code","message","errors":
 * [{"reason"}],"status"}}, Graph {"error":{"code","message"}} and OAuth
 * {"error","error_description"}. Outputs are redacted; NULL when absent.
 * Returns whether the body had one of those shapes. */
gboolean         ember_http_parse_provider_error      (GBytes           *body,
                                                       char            **out_reason,
                                                       char            **out_message);

G_END_DECLS
