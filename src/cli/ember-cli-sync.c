/* ember-cli-sync.c: one sync pass from the command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-cli"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "ember-cli-private.h"
#include "ember-clock.h"
#include "ember-provider-factory.h"
#include "ember-sync-manager.h"

typedef struct
{
  EmberSyncManager *manager;
  GMainLoop        *loop;
  gint64            account_id;
  gboolean          tty;
  gboolean          started;
  gboolean          interrupted;
  guint             failures;
  guint             synced;
  gint64            last_line;
} SyncRun;

static void
clear_progress_line (SyncRun *run)
{
  if (run->tty)
    g_print ("\r\033[K");
}

static void
progress_cb (EmberSyncManager *manager,
             gint64            account_id,
             const char       *phase,
             guint64           done,
             guint64           total,
             const char       *message,
             SyncRun          *run)
{
  const char *email = ember_sync_manager_get_account_email (manager, account_id);
  gint64 now = g_get_monotonic_time ();

  if (run->tty)
    {
      char bar[31];
      guint filled = total > 0 ? (guint) (MIN (done, total) * 30 / total) : 0;

      memset (bar, '#', filled);
      memset (bar + filled, '-', 30 - filled);
      bar[30] = '\0';
      clear_progress_line (run);
      if (total > 0)
        g_print ("%s [%s] %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " %s", email, bar, MIN (done, total), total,
                 message != NULL ? message : "");
      else
        g_print ("%s %s", email, message != NULL ? message : "");
      fflush (stdout);
      return;
    }

  /* Not a terminal: a plain line now and then is enough. */
  if (now - run->last_line < G_USEC_PER_SEC)
    return;
  run->last_line = now;
  g_print ("%s: %s %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "\n", email,
           phase != NULL ? phase : "sync", done, total);
}

static void
synced_cb (EmberSyncManager *manager,
           gint64            account_id,
           guint             new_messages,
           guint             changed_events,
           SyncRun          *run)
{
  clear_progress_line (run);
  run->synced++;
  g_print (_("%s: synced (%u new messages, %u changed events)\n"),
           ember_sync_manager_get_account_email (manager, account_id), new_messages, changed_events);
}

static void
error_cb (EmberSyncManager     *manager,
          gint64                account_id,
          const EmberUserError *error,
          SyncRun              *run)
{
  clear_progress_line (run);
  run->failures++;
  g_printerr ("ember-cli: %s: %s\n", ember_sync_manager_get_account_email (manager, account_id), error->message);
}

static void
busy_cb (EmberSyncManager *manager,
         GParamSpec       *pspec,
         SyncRun          *run)
{
  if (run->started && !ember_sync_manager_get_busy (manager))
    g_main_loop_quit (run->loop);
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  SyncRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;

  if (!ember_sync_manager_load_finish (run->manager, result, &error))
    {
      ember_cli_fail (error);
      run->failures++;
      g_main_loop_quit (run->loop);
      return;
    }

  ids = ember_sync_manager_list_accounts (run->manager);
  if (ids->len == 0)
    {
      g_printerr ("ember-cli: %s\n", _("There are no accounts to sync; add one with “ember-cli account add”."));
      run->failures++;
      g_main_loop_quit (run->loop);
      return;
    }
  if (run->account_id != 0 && ember_sync_manager_get_account_email (run->manager, run->account_id) == NULL)
    {
      g_printerr ("ember-cli: %s\n", _("There is no account with that id."));
      run->failures++;
      g_main_loop_quit (run->loop);
      return;
    }

  run->started = TRUE;
  ember_sync_manager_sync_now (run->manager, run->account_id);
  if (!ember_sync_manager_get_busy (run->manager))
    g_main_loop_quit (run->loop);
}

static gboolean
interrupt_cb (gpointer user_data)
{
  SyncRun *run = user_data;

  /* Pages already committed stay; the next sync resumes from them. */
  run->interrupted = TRUE;
  ember_sync_manager_cancel (run->manager, 0);
  g_main_loop_quit (run->loop);

  return G_SOURCE_REMOVE;
}

static void
shutdown_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  SyncRun *run = user_data;

  ember_sync_manager_shutdown_finish (run->manager, result, NULL);
  g_main_loop_quit (run->loop);
}

int
ember_cli_sync (EmberCli  *cli,
                int        argc,
                char     **argv)
{
  g_autoptr(EmberHttpClient) client = NULL;
  EmberStore *store;
  gint64 account_id = 0;
  const GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_INT64, &account_id, N_("Only this account"), N_("ID") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— run one sync pass"));
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberProviderFactory) factory = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  SyncRun run = { 0 };
  guint sigint, sigterm;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return ember_cli_usage ("sync ", "%s", error->message);
  if ((store = ember_cli_get_store (cli, &error)) == NULL)
    return ember_cli_fail (error);

  client = ember_http_client_new (ember_clock_get_default ());
  factory = ember_provider_factory_new (store, client, cli->tokens);
  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  run.account_id = account_id;
  run.tty = isatty (STDOUT_FILENO);
  run.manager = ember_sync_manager_new (store, ember_provider_factory_get, g_object_ref (factory), g_object_unref);

  g_signal_connect (run.manager, "progress", G_CALLBACK (progress_cb), &run);
  g_signal_connect (run.manager, "account-synced", G_CALLBACK (synced_cb), &run);
  g_signal_connect (run.manager, "sync-error", G_CALLBACK (error_cb), &run);
  g_signal_connect (run.manager, "notify::busy", G_CALLBACK (busy_cb), &run);
  sigint = g_unix_signal_add (SIGINT, interrupt_cb, &run);
  sigterm = g_unix_signal_add (SIGTERM, interrupt_cb, &run);

  ember_sync_manager_load_async (run.manager, FALSE, NULL, loaded_cb, &run);
  g_main_loop_run (loop);

  /* Stop and wait for the jobs: nothing is cut off mid-transaction. */
  ember_sync_manager_shutdown_async (run.manager, shutdown_cb, &run);
  g_main_loop_run (loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handlers_disconnect_by_data (run.manager, &run);
  g_clear_object (&run.manager);
  clear_progress_line (&run);

  if (run.interrupted)
    {
      g_printerr ("ember-cli: %s\n", _("Sync interrupted; the next sync continues where this one stopped."));
      return 1;
    }

  return run.failures > 0 ? 1 : 0;
}
