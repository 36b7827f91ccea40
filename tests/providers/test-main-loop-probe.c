/* test-main-loop-probe.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-sync-manager.h"
#include "test-main-loop-probe.h"

typedef struct
{
  GmailFixture *fixture;
  GMainLoop    *loop;
  guint         n_progress;
  guint         new_messages;
  gboolean      synced;
  char         *error;
} ManagerRun;

static EmberProvider *
fixture_provider_cb (const EmberAccountRecord *account,
                     gpointer                  user_data,
                     GError                  **error)
{
  return EMBER_PROVIDER (gmail_fixture_new_provider (user_data));
}

static void
progress_cb (EmberSyncManager *manager,
             gint64            account_id,
             const char       *phase,
             guint64           done,
             guint64           total,
             const char       *message,
             ManagerRun       *run)
{
  run->n_progress++;
}

static void
account_synced_cb (EmberSyncManager *manager,
                   gint64            account_id,
                   guint             new_messages,
                   guint             changed_events,
                   ManagerRun       *run)
{
  run->synced = TRUE;
  run->new_messages = new_messages;
  g_main_loop_quit (run->loop);
}

static void
sync_error_cb (EmberSyncManager     *manager,
               gint64                account_id,
               const EmberUserError *error,
               ManagerRun           *run)
{
  run->error = g_strdup (error->message);
  g_main_loop_quit (run->loop);
}

static void
shutdown_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ManagerRun *run = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (ember_sync_manager_shutdown_finish (EMBER_SYNC_MANAGER (object), result, &error));
  g_assert_no_error (error);
  g_main_loop_quit (run->loop);
}

void
gmail_fixture_sync_through_manager (GmailFixture      *fixture,
                                    ManagerSyncResult *result)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr(EmberSyncManager) manager = NULL;
  ManagerRun run = { 0 };
  MainLoopProbe *probe;
  gint64 start;

  run.fixture = fixture;
  run.loop = loop;
  manager = ember_sync_manager_new (fixture->store, fixture_provider_cb, fixture, NULL);
  g_signal_connect (manager, "progress", G_CALLBACK (progress_cb), &run);
  g_signal_connect (manager, "account-synced", G_CALLBACK (account_synced_cb), &run);
  g_signal_connect (manager, "sync-error", G_CALLBACK (sync_error_cb), &run);

  probe = main_loop_probe_start (context);
  start = g_get_monotonic_time ();
  ember_sync_manager_add_account (manager, fixture->account->id);
  g_main_loop_run (loop);
  result->seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  main_loop_probe_stop (probe, &result->lateness);

  if (run.error != NULL)
    g_error ("the sync failed: %s", run.error);
  g_assert_true (run.synced);
  result->n_progress = run.n_progress;
  result->new_messages = run.new_messages;

  ember_sync_manager_shutdown_async (manager, shutdown_cb, &run);
  g_main_loop_run (loop);
  g_signal_handlers_disconnect_by_data (manager, &run);
}
