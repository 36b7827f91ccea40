/* ember-http-request-private.h: what the client records on a request
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-http-request.h"

G_BEGIN_DECLS

void _ember_http_request_reset_response (EmberHttpRequest   *self);
void _ember_http_request_set_response   (EmberHttpRequest   *self,
                                         guint               status,
                                         SoupMessageHeaders *headers,
                                         GBytes             *body);
void _ember_http_request_set_error_reason (EmberHttpRequest *self,
                                           const char       *reason);
void _ember_http_request_count_attempt  (EmberHttpRequest   *self);

G_END_DECLS
