/* ember-fake-clock.h: a clock that only moves when a test moves it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-clock.h"

G_BEGIN_DECLS

#define EMBER_TYPE_FAKE_CLOCK (ember_fake_clock_get_type ())
G_DECLARE_FINAL_TYPE (EmberFakeClock, ember_fake_clock, EMBER, FAKE_CLOCK, GObject)

/* Both the monotonic and the real time start at @start_usec and move
 * together. */
EmberFakeClock *ember_fake_clock_new              (gint64          start_usec);
/* Moves time forward and wakes, before returning, every waiter whose
 * deadline has been reached (on any thread). */
void            ember_fake_clock_advance          (EmberFakeClock *self,
                                                   gint64          usec);
/* Sets the monotonic time; it never goes backwards. */
void            ember_fake_clock_set              (EmberFakeClock *self,
                                                   gint64          usec);
/* Threads blocked in ember_clock_wait_until() whose deadline has not been
 * reached and that were not cancelled. A woken waiter stops counting at the
 * moment it is woken, not when its thread gets to run. */
guint           ember_fake_clock_get_n_waiters    (EmberFakeClock *self);
/* Blocks (in real time, at most @timeout_usec) until at least @n_waiters
 * threads wait on the clock. Returns whether they do. */
gboolean        ember_fake_clock_wait_for_waiters (EmberFakeClock *self,
                                                   guint           n_waiters,
                                                   gint64          timeout_usec);
/* The earliest deadline among the waiters, or -1 when nobody waits. */
gint64          ember_fake_clock_get_next_deadline (EmberFakeClock *self);

G_END_DECLS
