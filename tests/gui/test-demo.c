/* test-demo.c: `ember --demo` signs in its two accounts through the real
 * sign-in flow and syncs the fake dataset into a throw-away store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include "ember-demo.h"
#include "ember-gui-test-utils.h"
#include "ember-memory-token-store.h"
#include "ember-test-utils.h"

#define DEADLINE_SECONDS 90

typedef struct
{
  EmberApplication *app;
  gint64            deadline;
  char             *data_dir;
  char             *store_path;
  gboolean          memory_tokens;
  guint             n_accounts;
  gint64            stored[2];     /* messages in Ember's store, per demo account */
  gint64            served[2];     /* messages the fake server holds */
  gint64            events[2];
  gboolean          done;
} DemoRun;

static const char *demo_accounts[] = { EMBER_DEMO_GOOGLE_ACCOUNT, EMBER_DEMO_MICROSOFT_ACCOUNT };

static gint64
count_served (EmberFakeServer *server,
              const char      *email)
{
  g_auto(GStrv) ids = NULL;
  g_autoptr(GError) error = NULL;

  ids = ember_fake_server_list_message_ids (server, email, NULL, &error);
  g_assert_no_error (error);
  return g_strv_length (ids);
}

/* Every demo account synced once: read what Ember stored, then quit. */
static gboolean
check_cb (gpointer data)
{
  DemoRun *run = data;
  EmberDemo *demo = ember_demo_get (run->app);
  EmberSyncManager *manager = ember_application_get_sync_manager (run->app);
  EmberStore *store = ember_application_get_store (run->app);
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  if (g_get_monotonic_time () > run->deadline)
    g_error ("expected the demo to sign in and sync both accounts within %d s; %u signed in",
             DEADLINE_SECONDS, demo != NULL ? ember_demo_get_n_signed_in (demo) : 0);

  if (demo == NULL || manager == NULL || store == NULL || ember_demo_get_n_signed_in (demo) < 2)
    return G_SOURCE_CONTINUE;

  accounts = ember_store_list_accounts_sync (store, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < accounts->len; i++)
    {
      const EmberAccountRecord *account = g_ptr_array_index (accounts, i);

      if (ember_sync_manager_get_account_last_success (manager, account->id) == 0 ||
          ember_sync_manager_get_account_status (manager, account->id) != EMBER_SYNC_STATUS_IDLE)
        return G_SOURCE_CONTINUE;
    }

  run->n_accounts = accounts->len;
  run->data_dir = g_strdup (ember_demo_get_data_dir (demo));
  run->store_path = g_strdup (ember_store_get_path (store));
  run->memory_tokens = EMBER_IS_MEMORY_TOKEN_STORE (ember_application_get_token_store (run->app));

  for (guint i = 0; i < accounts->len; i++)
    {
      const EmberAccountRecord *account = g_ptr_array_index (accounts, i);
      EmberAccountCounts counts = { 0 };

      for (guint j = 0; j < G_N_ELEMENTS (demo_accounts); j++)
        {
          if (g_strcmp0 (account->email, demo_accounts[j]) != 0)
            continue;

          g_assert_true (ember_store_get_account_counts_sync (store, account->id, &counts, NULL, &error));
          g_assert_no_error (error);
          run->stored[j] = counts.messages;
          run->events[j] = counts.events;
          run->served[j] = count_served (ember_demo_get_server (demo), account->email);
        }
    }

  run->done = TRUE;
  g_action_group_activate_action (G_ACTION_GROUP (run->app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
test_demo_syncs_fake_dataset (void)
{
  char *argv[] = { (char *) "ember", (char *) "--demo", NULL };
  DemoRun run = { NULL };
  g_autofree char *real_data_dir = NULL;
  int status;

  run.app = ember_application_new (APP_ID, G_APPLICATION_DEFAULT_FLAGS);
  run.deadline = g_get_monotonic_time () + DEADLINE_SECONDS * G_USEC_PER_SEC;
  g_timeout_add (100, check_cb, &run);

  status = g_application_run (G_APPLICATION (run.app), G_N_ELEMENTS (argv) - 1, argv);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.done);

  /* Both accounts came in through the sign-in flow and synced all mail. */
  g_assert_cmpuint (run.n_accounts, ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (demo_accounts); i++)
    {
      g_test_message ("%s: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " messages, %" G_GINT64_FORMAT " events",
                      demo_accounts[i], run.stored[i], run.served[i], run.events[i]);
      g_assert_cmpint (run.served[i], >=, 30);
      g_assert_cmpint (run.stored[i], ==, run.served[i]);
      g_assert_cmpint (run.events[i], >, 0);
    }

  /* Never the person's data or keyring. */
  g_assert_true (run.memory_tokens);
  g_assert_true (g_str_has_prefix (run.store_path, run.data_dir));
  real_data_dir = g_build_filename (g_get_user_data_dir (), "ember", NULL);
  g_assert_false (g_str_has_prefix (run.store_path, real_data_dir));
  g_assert_false (g_file_test (real_data_dir, G_FILE_TEST_EXISTS));

  /* The throw-away data goes with the app. */
  g_assert_true (g_file_test (run.data_dir, G_FILE_TEST_IS_DIR));
  g_clear_object (&run.app);
  g_assert_false (g_file_test (run.data_dir, G_FILE_TEST_EXISTS));

  g_free (run.data_dir);
  g_free (run.store_path);
}

typedef struct
{
  EmberApplication *app;
  char             *data_dir;
  gboolean          killed;
} KillRun;

/* Once the demo's store is open, stop it the way Ctrl+C in a terminal (or
 * a window manager's kill) does. */
static gboolean
kill_cb (gpointer data)
{
  KillRun *run = data;
  EmberDemo *demo = ember_demo_get (run->app);

  if (demo == NULL || ember_application_get_store (run->app) == NULL)
    return G_SOURCE_CONTINUE;

  run->data_dir = g_strdup (ember_demo_get_data_dir (demo));
  g_assert_true (g_file_test (run->data_dir, G_FILE_TEST_IS_DIR));
  run->killed = TRUE;
  raise (SIGTERM);
  return G_SOURCE_REMOVE;
}

static void
test_demo_cleans_up_on_sigterm (void)
{
  char *argv[] = { (char *) "ember", (char *) "--demo", NULL };
  KillRun run = { NULL };
  int status;

  run.app = ember_application_new (APP_ID, G_APPLICATION_DEFAULT_FLAGS);
  g_timeout_add (50, kill_cb, &run);

  status = g_application_run (G_APPLICATION (run.app), G_N_ELEMENTS (argv) - 1, argv);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.killed);

  g_clear_object (&run.app);
  g_assert_false (g_file_test (run.data_dir, G_FILE_TEST_EXISTS));
  g_free (run.data_dir);
}

int
main (int   argc,
      char *argv[])
{
  /* Small and quick; the real demo is bigger and slower on purpose. */
  g_setenv ("EMBER_DEMO_MESSAGES", "30", TRUE);
  g_setenv ("EMBER_DEMO_EVENTS", "6", TRUE);
  g_setenv ("EMBER_DEMO_LATENCY_MS", "5", TRUE);

  if (!ember_gui_test_setup (&argc, &argv))
    return 77;

  ember_gui_test_add ("/ember/gui/demo/syncs-fake-dataset", test_demo_syncs_fake_dataset);
  ember_gui_test_add ("/ember/gui/demo/cleans-up-on-sigterm", test_demo_cleans_up_on_sigterm);

  return g_test_run ();
}
