/* ember-http-request.h: one API call and, once sent, its response
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define EMBER_TYPE_HTTP_REQUEST (ember_http_request_get_type ())
G_DECLARE_FINAL_TYPE (EmberHttpRequest, ember_http_request, EMBER, HTTP_REQUEST, GObject)

/* @path_or_url: a path below the endpoint's base URL ("/gmail/v1/users/me/
 * profile") or an absolute URL (a Graph nextLink). A request is used by one
 * thread at a time; it can be sent again (the response is replaced). */
EmberHttpRequest   *ember_http_request_new                  (const char       *method,
                                                             const char       *path_or_url);
const char         *ember_http_request_get_method           (EmberHttpRequest *self);
const char         *ember_http_request_get_path             (EmberHttpRequest *self);
/* Appends ?name=value (escaped); repeat a name for a repeated parameter. */
void                ember_http_request_add_query            (EmberHttpRequest *self,
                                                             const char       *name,
                                                             const char       *value);
/* The path with the query appended, as sent. */
char               *ember_http_request_dup_path_and_query   (EmberHttpRequest *self);
void                ember_http_request_add_header           (EmberHttpRequest *self,
                                                             const char       *name,
                                                             const char       *value);
SoupMessageHeaders *ember_http_request_get_request_headers  (EmberHttpRequest *self);
void                ember_http_request_set_body             (EmberHttpRequest *self,
                                                             const char       *content_type,
                                                             GBytes           *body);
void                ember_http_request_set_json_body        (EmberHttpRequest *self,
                                                             JsonNode         *node);
/* application/x-www-form-urlencoded from name, value pairs ending in NULL. */
void                ember_http_request_set_form_body        (EmberHttpRequest *self,
                                                             const char       *first_name,
                                                             ...) G_GNUC_NULL_TERMINATED;
GBytes             *ember_http_request_get_body             (EmberHttpRequest *self);
const char         *ember_http_request_get_content_type     (EmberHttpRequest *self);
/* The operation name ("messages.get") the endpoint's cost table prices;
 * NULL: the endpoint's default cost. */
void                ember_http_request_set_operation        (EmberHttpRequest *self,
                                                             const char       *operation);
const char         *ember_http_request_get_operation        (EmberHttpRequest *self);
/* An explicit rate-limiter cost, overriding the operation's; < 0 unsets. */
void                ember_http_request_set_cost             (EmberHttpRequest *self,
                                                             double            cost);
double              ember_http_request_get_cost             (EmberHttpRequest *self);
/* Whether a bearer token is attached (default TRUE when the endpoint has an
 * auth session). */
void                ember_http_request_set_authenticated    (EmberHttpRequest *self,
                                                             gboolean          authenticated);
gboolean            ember_http_request_get_authenticated    (EmberHttpRequest *self);
/* A request that only reads, whatever its method (a POST carrying a batch
 * of GETs): it may then reuse an idle connection instead of opening a new
 * one, as GET and HEAD always do. */
void                ember_http_request_set_idempotent       (EmberHttpRequest *self,
                                                             gboolean          idempotent);
gboolean            ember_http_request_get_idempotent       (EmberHttpRequest *self);
/* Milliseconds for the whole exchange; 0: the endpoint's timeout. */
void                ember_http_request_set_timeout          (EmberHttpRequest *self,
                                                             guint             timeout_ms);
guint               ember_http_request_get_timeout          (EmberHttpRequest *self);

/* After sending: the last HTTP status (0: no response at all), headers and
 * body of the last response, the provider's error reason or code
 * ("notFound", "SyncStateNotFound", "invalid_grant"; NULL when none), and
 * the number of attempts made. */
guint               ember_http_request_get_status           (EmberHttpRequest *self);
SoupMessageHeaders *ember_http_request_get_response_headers (EmberHttpRequest *self);
GBytes             *ember_http_request_get_response_body    (EmberHttpRequest *self);
const char         *ember_http_request_get_error_reason     (EmberHttpRequest *self);
guint               ember_http_request_get_attempts         (EmberHttpRequest *self);

G_END_DECLS
