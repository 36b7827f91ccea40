/* ember-api-endpoint-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-api-endpoint.h"

G_BEGIN_DECLS

/* One multi-slot reservation at a time, so two batches can never each hold
 * part of the in-flight slots and wait for the rest. (transfer full) */
EmberRateLimiter *_ember_api_endpoint_ref_batch_gate (EmberApiEndpoint *self);

G_END_DECLS
