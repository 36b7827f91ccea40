/* ember-real-clock.h: the clock of the running system
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-clock.h"

G_BEGIN_DECLS

#define EMBER_TYPE_REAL_CLOCK (ember_real_clock_get_type ())
G_DECLARE_FINAL_TYPE (EmberRealClock, ember_real_clock, EMBER, REAL_CLOCK, GObject)

/* Most code wants ember_clock_get_default() instead. */
EmberRealClock *ember_real_clock_new (void);

G_END_DECLS
