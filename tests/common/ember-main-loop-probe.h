/* ember-main-loop-probe.h: how late a 1 ms timer on a main context runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A 1 ms timer: each dispatch records how long after its ready time it
 * ran (g_get_monotonic_time ()). On Linux it also records how much of
 * that the main thread spent runnable but not running (run-queue wait
 * from /proc/thread-self/schedstat): on a loaded machine other processes
 * take the CPU, which says nothing about what the main loop does. */
typedef struct _MainLoopProbe MainLoopProbe;

typedef struct
{
  guint  n_ticks;
  gint64 worst_us;         /* worst lateness */
  gint64 p99_us;
  gint64 median_us;
  /* Worst lateness less the run-queue wait since the previous tick: the
   * main loop's own blocking (work, locks, I/O). Equals worst_us where
   * run-queue waits cannot be read. */
  gint64 worst_blocked_us;
  gboolean has_run_queue;
  gint64 worst_at_us;      /* g_get_monotonic_time () of the worst tick */
  guint  n_over_frame;     /* ticks 16 ms or more late */
} MainLoopLateness;

MainLoopProbe *main_loop_probe_start (GMainContext     *context);
void           main_loop_probe_stop  (MainLoopProbe    *probe,
                                      MainLoopLateness *out);

G_END_DECLS
