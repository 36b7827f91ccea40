/* ember-graph-time-zone-private.h: the mapping table, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-graph-time-zone.h"

G_BEGIN_DECLS

guint    _ember_graph_windows_zone_get_count (void);
/* FALSE past the end. */
gboolean _ember_graph_windows_zone_get_nth   (guint        index,
                                              const char **out_windows,
                                              const char **out_iana);

G_END_DECLS
