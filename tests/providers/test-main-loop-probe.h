/* test-main-loop-probe.h: how late a 1 ms timer on a main context runs,
 * and a Gmail sync driven through EmberSyncManager while it is measured
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "test-gmail-fixture.h"

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
} MainLoopLateness;

MainLoopProbe *main_loop_probe_start (GMainContext     *context);
void           main_loop_probe_stop  (MainLoopProbe    *probe,
                                      MainLoopLateness *out);

typedef struct
{
  MainLoopLateness lateness;
  double           seconds;
  guint            n_progress;      /* "progress" signals heard */
  guint            new_messages;    /* from "account-synced" */
} ManagerSyncResult;

/* Adds the fixture's account to a new EmberSyncManager (its provider
 * shares the fixture's endpoints), syncs it on the thread-default main
 * context while a probe measures it, and asserts that the sync went
 * well. */
void           gmail_fixture_sync_through_manager (GmailFixture      *fixture,
                                                   ManagerSyncResult *result);

G_END_DECLS
