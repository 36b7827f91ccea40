/* ember-main-loop-probe.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ember-main-loop-probe.h"

#define TICK_US  1000
#define FRAME_US 16000

struct _MainLoopProbe
{
  GSource *source;
  gint64   expected;
  GArray  *lateness;          /* gint64 µs, one per tick */
  gint64   worst_blocked;
  gint64   worst;
  gint64   worst_at;          /* when the worst tick ran */
  guint    n_over_frame;
  int      schedstat_fd;
  guint64  run_delay_ns;      /* at the previous tick */
};

/* The main thread's run-queue wait so far, in ns; FALSE if unknown. */
static gboolean
read_run_delay (int      fd,
                guint64 *run_delay_ns)
{
  char text[128];
  ssize_t n;
  guint64 on_cpu;

  if (fd < 0)
    return FALSE;
  n = pread (fd, text, sizeof text - 1, 0);
  if (n <= 0)
    return FALSE;
  text[n] = '\0';

  return sscanf (text, "%" SCNu64 " %" SCNu64, &on_cpu, run_delay_ns) == 2;
}

typedef struct
{
  GSource        source;
  MainLoopProbe *probe;
} ProbeSource;

static gboolean
probe_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  MainLoopProbe *probe = ((ProbeSource *) source)->probe;
  gint64 now = g_get_monotonic_time ();
  gint64 late = now - probe->expected;
  gint64 blocked = late;
  guint64 run_delay;

  g_array_append_val (probe->lateness, late);
  if (late > probe->worst)
    {
      probe->worst = late;
      probe->worst_at = now;
    }
  probe->n_over_frame += late >= FRAME_US;
  if (read_run_delay (probe->schedstat_fd, &run_delay))
    {
      blocked = late - (gint64) (run_delay - probe->run_delay_ns) / 1000;
      probe->run_delay_ns = run_delay;
    }
  probe->worst_blocked = MAX (probe->worst_blocked, blocked);

  probe->expected = now + TICK_US;
  g_source_set_ready_time (source, probe->expected);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs probe_funcs = {
  .dispatch = probe_dispatch,
};

MainLoopProbe *
main_loop_probe_start (GMainContext *context)
{
  MainLoopProbe *probe = g_new0 (MainLoopProbe, 1);

  probe->lateness = g_array_sized_new (FALSE, FALSE, sizeof (gint64), 1 << 16);
  /* The calling (main) thread's own line, not the process's. */
  probe->schedstat_fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  if (probe->schedstat_fd >= 0 && !read_run_delay (probe->schedstat_fd, &probe->run_delay_ns))
    {
      close (probe->schedstat_fd);
      probe->schedstat_fd = -1;
    }

  /* Default priority, like the sync manager's progress sources and most
   * of what a window does: a higher one would jump the queue. */
  probe->source = g_source_new (&probe_funcs, sizeof (ProbeSource));
  ((ProbeSource *) probe->source)->probe = probe;
  g_source_set_priority (probe->source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (probe->source, "[ember-test] main loop probe");
  probe->expected = g_get_monotonic_time () + TICK_US;
  g_source_set_ready_time (probe->source, probe->expected);
  g_source_attach (probe->source, context);

  return probe;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

void
main_loop_probe_stop (MainLoopProbe    *probe,
                      MainLoopLateness *out)
{
  GArray *lateness = probe->lateness;
  guint n = lateness->len;

  g_source_destroy (probe->source);
  g_source_unref (probe->source);

  g_array_sort (lateness, compare_gint64);
  out->n_ticks = n;
  out->worst_us = n > 0 ? g_array_index (lateness, gint64, n - 1) : 0;
  out->p99_us = n > 0 ? g_array_index (lateness, gint64, MIN (n - 1, n * 99 / 100)) : 0;
  out->median_us = n > 0 ? g_array_index (lateness, gint64, n / 2) : 0;
  out->has_run_queue = probe->schedstat_fd >= 0;
  out->worst_blocked_us = probe->worst_blocked;
  out->worst_at_us = probe->worst_at;
  out->n_over_frame = probe->n_over_frame;

  if (probe->schedstat_fd >= 0)
    close (probe->schedstat_fd);
  g_array_unref (lateness);
  g_free (probe);
}

