/* ember-graph-provider-private.h: knobs for tests and benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-graph-provider.h"

G_BEGIN_DECLS

/* The zone asked for with Prefer: outlook.timezone (default "UTC"). Another
 * zone makes the server send local times, which the provider then converts
 * itself (Windows names through CLDR): tests use it to exercise that path. */
void _ember_graph_provider_set_preferred_time_zone (EmberGraphProvider *self,
                                                    const char         *windows_or_iana);

/* Whether a paging link from the server points at the endpoint's own
 * origin (scheme, host, port, no user info): only such links are followed,
 * since they are fetched with the account's bearer token. */
gboolean _ember_graph_provider_is_own_link (EmberGraphProvider *self,
                                            const char         *link);

G_END_DECLS
