/* ember-http-batch.h: many API calls in one request (Gmail multipart/mixed
 * batch, Graph JSON $batch), retrying only the parts that failed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-http-client.h"

G_BEGIN_DECLS

/* Gmail allows 100 calls per batch and advises at most 50; Graph allows 20. */
#define EMBER_GMAIL_BATCH_MAX             100
#define EMBER_GMAIL_BATCH_DEFAULT_SIZE    50
#define EMBER_GRAPH_BATCH_MAX             20
#define EMBER_GRAPH_BATCH_DEFAULT_SIZE    20

#define EMBER_TYPE_HTTP_BATCH (ember_http_batch_get_type ())
G_DECLARE_FINAL_TYPE (EmberHttpBatch, ember_http_batch, EMBER, HTTP_BATCH, GObject)

EmberHttpBatch   *ember_http_batch_new          (void);
/* Adds a call (method, path below the endpoint's base with its query, and
 * for Graph an optional JSON body); returns its index. Each part's
 * operation prices it against the endpoint's cost table. */
guint             ember_http_batch_add          (EmberHttpBatch   *self,
                                                 EmberHttpRequest *request);
guint             ember_http_batch_get_n_parts  (EmberHttpBatch   *self);
EmberHttpRequest *ember_http_batch_get_request  (EmberHttpBatch   *self,
                                                 guint             index);
/* Parts per HTTP request; 0: the provider's default. Clamped to the
 * provider's maximum. */
void              ember_http_batch_set_max_size (EmberHttpBatch   *self,
                                                 guint             max_size);
/* Sends every part through @endpoint (EMBER_API_KIND_GMAIL: POST
 * BASE/batch/gmail/v1; EMBER_API_KIND_GRAPH: POST BASE/$batch) in chunks of
 * the max size. Each outer request goes through the client's send path (rate
 * limiter cost = the sum of its parts' costs; for Graph it also holds as
 * many in-flight slots as Graph dispatches at once, up to 4). Parts that
 * come back 429, 5xx, 401 (after one token refresh) or with a malformed body
 * are sent again, alone, after a backoff honouring their Retry-After; other
 * statuses are final. Returns FALSE only when the batch as a whole failed
 * (cancelled, sign-in needed, outer request gave up); per-part outcomes are
 * then on the parts' requests and below. */
gboolean          ember_http_batch_send_sync    (EmberHttpBatch   *self,
                                                 EmberHttpClient  *client,
                                                 EmberApiEndpoint *endpoint,
                                                 GCancellable     *cancellable,
                                                 GError          **error);
/* After sending: the part's JSON (transfer none; NULL when it failed) and
 * its error (NULL on success; EMBER_HTTP_ERROR_CLIENT for a final 4xx,
 * EMBER_HTTP_ERROR_GAVE_UP when retries ran out). Status, headers and raw
 * body are on ember_http_batch_get_request (). */
JsonNode         *ember_http_batch_get_json     (EmberHttpBatch   *self,
                                                 guint             index);
const GError     *ember_http_batch_get_error    (EmberHttpBatch   *self,
                                                 guint             index);
/* Outer HTTP requests sent by the last send. */
guint             ember_http_batch_get_n_requests_sent (EmberHttpBatch *self);

G_END_DECLS
