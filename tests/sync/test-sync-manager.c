/* test-sync-manager.c: scheduling, coalesced progress, errors and shutdown
 * of EmberSyncManager, with a scripted provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-error.h"
#include "ember-sync-manager.h"
#include "ember-test-utils.h"

/* A provider whose sync_mail does what the test asks. */
typedef enum
{
  SCRIPT_SUCCEED,
  SCRIPT_BLOCK,          /* wait until released or cancelled */
  SCRIPT_FLOOD_THEN_BLOCK,
  SCRIPT_FAIL_SIGN_IN,
  SCRIPT_FAIL_SERVER,
} Script;

#define FLOOD_UPDATES 100000

typedef struct
{
  GMutex  mutex;
  GCond   cond;
  Script  script;
  gboolean released;
  gboolean flood_done;
  guint   calls;
  guint   running;
  guint   max_running;
  guint   cancelled;
  guint   returned;
  gint64  synced_ids[8];   /* accounts a provider was made for, in order */
  guint   n_synced_ids;
} Script_State;

static Script_State state;

#define TEST_TYPE_PROVIDER (test_provider_get_type ())
G_DECLARE_FINAL_TYPE (TestProvider, test_provider, TEST, PROVIDER, GObject)

struct _TestProvider
{
  GObject parent_instance;
};

static void test_provider_iface_init (EmberProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestProvider, test_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (EMBER_TYPE_PROVIDER, test_provider_iface_init))

static void
wake_on_cancel_cb (GCancellable *cancellable,
                   gpointer      data)
{
  g_mutex_lock (&state.mutex);
  g_cond_broadcast (&state.cond);
  g_mutex_unlock (&state.mutex);
}

static gboolean
block_until_released (GCancellable *cancellable,
                      GError      **error)
{
  gulong handler = g_cancellable_connect (cancellable, G_CALLBACK (wake_on_cancel_cb), NULL, NULL);
  gboolean cancelled;

  g_mutex_lock (&state.mutex);
  while (!state.released && !g_cancellable_is_cancelled (cancellable))
    g_cond_wait (&state.cond, &state.mutex);
  cancelled = !state.released;
  if (cancelled)
    state.cancelled++;
  g_mutex_unlock (&state.mutex);
  g_cancellable_disconnect (cancellable, handler);

  if (cancelled)
    return !g_cancellable_set_error_if_cancelled (cancellable, error);

  return TRUE;
}

static gboolean
test_provider_sync_mail (EmberProvider   *provider,
                         EmberSyncReport *report,
                         GCancellable    *cancellable,
                         GError         **error)
{
  Script script;
  gboolean ok = TRUE;

  g_mutex_lock (&state.mutex);
  script = state.script;
  state.calls++;
  state.running++;
  state.max_running = MAX (state.max_running, state.running);
  g_mutex_unlock (&state.mutex);

  switch (script)
    {
    case SCRIPT_SUCCEED:
      ember_sync_report_progress (report, "mail", 5, 10, "Fetching messages");
      ember_sync_report_add_new_messages (report, 3);
      ember_sync_report_add_changed_events (report, 2);
      break;

    case SCRIPT_FLOOD_THEN_BLOCK:
      for (guint i = 1; i <= FLOOD_UPDATES; i++)
        ember_sync_report_progress (report, "mail", i, FLOOD_UPDATES, "Fetching messages");
      g_mutex_lock (&state.mutex);
      state.flood_done = TRUE;
      g_cond_broadcast (&state.cond);
      g_mutex_unlock (&state.mutex);
      ok = block_until_released (cancellable, error);
      break;

    case SCRIPT_BLOCK:
      ember_sync_report_progress (report, "mail", 1, 4, NULL);
      ok = block_until_released (cancellable, error);
      break;

    case SCRIPT_FAIL_SIGN_IN:
      g_set_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NEEDS_SIGN_IN,
                   "Token has been expired or revoked.");
      ok = FALSE;
      break;

    case SCRIPT_FAIL_SERVER:
      g_set_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_SERVER,
                   "The service is unavailable (503)");
      ok = FALSE;
      break;

    default:
      g_assert_not_reached ();
    }

  g_mutex_lock (&state.mutex);
  state.running--;
  state.returned++;
  g_cond_broadcast (&state.cond);
  g_mutex_unlock (&state.mutex);

  return ok;
}

static gboolean
test_provider_sync_calendar (EmberProvider   *provider,
                             EmberSyncReport *report,
                             GCancellable    *cancellable,
                             GError         **error)
{
  return TRUE;
}

static void
test_provider_iface_init (EmberProviderInterface *iface)
{
  iface->sync_mail = test_provider_sync_mail;
  iface->sync_calendar = test_provider_sync_calendar;
}

static void
test_provider_class_init (TestProviderClass *klass)
{
}

static void
test_provider_init (TestProvider *self)
{
}

static EmberProvider *
test_factory (const EmberAccountRecord *account,
              gpointer                  user_data,
              GError                  **error)
{
  g_mutex_lock (&state.mutex);
  if (state.n_synced_ids < G_N_ELEMENTS (state.synced_ids))
    state.synced_ids[state.n_synced_ids++] = account->id;
  g_mutex_unlock (&state.mutex);
  return g_object_new (TEST_TYPE_PROVIDER, NULL);
}

/* Fixture: a store with @n accounts and a manager over it. */
typedef struct
{
  EmberStore       *store;
  EmberSyncManager *manager;
  GArray           *account_ids;
  guint             progress_signals;
  gint64            last_done;
  gint64            last_total;
  guint             synced;
  guint             last_new_messages;
  guint             last_changed_events;
  guint             errors;
  EmberUserError   *last_error;
} Fixture;

static void
progress_cb (EmberSyncManager *manager,
             gint64            account_id,
             const char       *phase,
             guint64           done,
             guint64           total,
             const char       *message,
             Fixture          *fixture)
{
  fixture->progress_signals++;
  fixture->last_done = done;
  fixture->last_total = total;
}

static void
synced_cb (EmberSyncManager *manager,
           gint64            account_id,
           guint             new_messages,
           guint             changed_events,
           Fixture          *fixture)
{
  fixture->synced++;
  fixture->last_new_messages = new_messages;
  fixture->last_changed_events = changed_events;
}

static void
error_cb (EmberSyncManager     *manager,
          gint64                account_id,
          const EmberUserError *error,
          Fixture              *fixture)
{
  fixture->errors++;
  g_clear_pointer (&fixture->last_error, ember_user_error_free);
  fixture->last_error = ember_user_error_copy (error);
}

static gboolean
loaded (gpointer data)
{
  return *(gboolean *) data;
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ember_sync_manager_load_finish (EMBER_SYNC_MANAGER (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) data = TRUE;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  guint n_accounts = GPOINTER_TO_UINT (data);
  g_autoptr(GError) error = NULL;
  static guint n_stores;
  g_autofree char *name = g_strdup_printf ("store-%u", n_stores++);
  g_autofree char *dir = g_build_filename (ember_test_get_tmpdir (), name, NULL);
  gboolean done = FALSE;

  memset (&state, 0, sizeof state);
  g_mutex_init (&state.mutex);
  g_cond_init (&state.cond);

  fixture->store = ember_store_new_sync (dir, NULL, &error);
  g_assert_no_error (error);
  fixture->account_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < n_accounts; i++)
    {
      g_autoptr(EmberAccountRecord) account = ember_account_record_new ();
      gint64 id;

      account->provider = g_strdup ("gmail");
      account->email = g_strdup_printf ("user%u@example.test", i);
      id = ember_store_add_account_sync (fixture->store, account, NULL, &error);
      g_assert_no_error (error);
      g_array_append_val (fixture->account_ids, id);
    }

  fixture->manager = ember_sync_manager_new (fixture->store, test_factory, NULL, NULL);
  g_signal_connect (fixture->manager, "progress", G_CALLBACK (progress_cb), fixture);
  g_signal_connect (fixture->manager, "account-synced", G_CALLBACK (synced_cb), fixture);
  g_signal_connect (fixture->manager, "sync-error", G_CALLBACK (error_cb), fixture);

  ember_sync_manager_load_async (fixture->manager, FALSE, NULL, load_cb, &done);
  g_assert_true (ember_test_wait_for (loaded, &done, 5000));
}

static gboolean
shut_down (gpointer data)
{
  return *(gboolean *) data;
}

static void
shutdown_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ember_sync_manager_shutdown_finish (EMBER_SYNC_MANAGER (object), result, &error));
  *(gboolean *) data = TRUE;
}

static void
release_jobs (void)
{
  g_mutex_lock (&state.mutex);
  state.released = TRUE;
  g_cond_broadcast (&state.cond);
  g_mutex_unlock (&state.mutex);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  gboolean done = FALSE;

  release_jobs ();
  ember_sync_manager_shutdown_async (fixture->manager, shutdown_cb, &done);
  g_assert_true (ember_test_wait_for (shut_down, &done, 5000));

  g_clear_object (&fixture->manager);
  g_clear_object (&fixture->store);
  g_clear_pointer (&fixture->account_ids, g_array_unref);
  g_clear_pointer (&fixture->last_error, ember_user_error_free);
  g_mutex_clear (&state.mutex);
  g_cond_clear (&state.cond);
}

static gboolean
manager_idle (gpointer data)
{
  return !ember_sync_manager_get_busy (EMBER_SYNC_MANAGER (data));
}

static void
wait_for_flood (void)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_mutex_lock (&state.mutex);
  while (!state.flood_done)
    g_assert_true (g_cond_wait_until (&state.cond, &state.mutex, deadline));
  g_mutex_unlock (&state.mutex);
}

static void
test_progress_is_coalesced (Fixture       *fixture,
                            gconstpointer  data)
{
  gint64 account_id = g_array_index (fixture->account_ids, gint64, 0);

  state.script = SCRIPT_FLOOD_THEN_BLOCK;
  ember_sync_manager_sync_now (fixture->manager, account_id);

  /* The main loop does not run while the worker reports 100,000 times... */
  wait_for_flood ();
  /* ...so when it does, there is one update waiting, with the latest value. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_cmpuint (fixture->progress_signals, ==, 1);
  g_assert_cmpint (fixture->last_done, ==, FLOOD_UPDATES);
  g_assert_cmpint (fixture->last_total, ==, FLOOD_UPDATES);
  g_assert_cmpint (ember_sync_manager_get_status (fixture->manager), ==, EMBER_SYNC_STATUS_SYNCING);
  g_assert_cmpfloat (ember_sync_manager_get_fraction (fixture->manager), ==, 1.0);

  release_jobs ();
  g_assert_true (ember_test_wait_for (manager_idle, fixture->manager, 5000));
  g_assert_cmpuint (fixture->synced, ==, 1);
  g_assert_cmpint (ember_sync_manager_get_status (fixture->manager), ==, EMBER_SYNC_STATUS_IDLE);
}

static void
test_one_job_per_account (Fixture       *fixture,
                          gconstpointer  data)
{
  gint64 account_id = g_array_index (fixture->account_ids, gint64, 0);

  state.script = SCRIPT_BLOCK;
  for (guint i = 0; i < 5; i++)
    ember_sync_manager_sync_now (fixture->manager, account_id);
  ember_test_spin (100);

  g_assert_cmpuint (state.calls, ==, 1);
  g_assert_true (ember_sync_manager_get_busy (fixture->manager));

  release_jobs ();
  g_assert_true (ember_test_wait_for (manager_idle, fixture->manager, 5000));
  g_assert_cmpuint (state.calls, ==, 1);
  g_assert_cmpuint (fixture->synced, ==, 1);
  g_assert_cmpint (ember_sync_manager_get_account_last_success (fixture->manager, account_id), >, 0);
}

static gboolean
n_running_is (gpointer data)
{
  guint running;

  g_mutex_lock (&state.mutex);
  running = state.running;
  g_mutex_unlock (&state.mutex);

  return running == GPOINTER_TO_UINT (data);
}

static void
test_global_cap (Fixture       *fixture,
                 gconstpointer  data)
{
  state.script = SCRIPT_BLOCK;
  ember_sync_manager_set_max_jobs (fixture->manager, 2);
  ember_sync_manager_sync_now (fixture->manager, 0);

  g_assert_true (ember_test_wait_for (n_running_is, GUINT_TO_POINTER (2), 5000));
  ember_test_spin (100);
  g_assert_cmpuint (state.max_running, ==, 2);

  release_jobs ();
  g_assert_true (ember_test_wait_for (manager_idle, fixture->manager, 5000));
  g_assert_cmpuint (state.calls, ==, fixture->account_ids->len);
  g_assert_cmpuint (fixture->synced, ==, fixture->account_ids->len);
  g_assert_cmpuint (state.max_running, ==, 2);
}

static void
test_success_reports_counts (Fixture       *fixture,
                             gconstpointer  data)
{
  gint64 account_id = g_array_index (fixture->account_ids, gint64, 0);
  g_autoptr(EmberSyncState) sync_state = NULL;
  g_autoptr(GError) error = NULL;

  state.script = SCRIPT_SUCCEED;
  ember_sync_manager_sync_now (fixture->manager, account_id);
  g_assert_true (ember_test_wait_for (manager_idle, fixture->manager, 5000));

  g_assert_cmpuint (fixture->synced, ==, 1);
  g_assert_cmpuint (fixture->last_new_messages, ==, 3);
  g_assert_cmpuint (fixture->last_changed_events, ==, 2);

  sync_state = ember_store_get_sync_state_sync (fixture->store, account_id, "account", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sync_state->last_success, >, 0);
  g_assert_null (sync_state->last_error);
}

static void
test_needs_sign_in (Fixture       *fixture,
                    gconstpointer  data)
{
  gint64 account_id = g_array_index (fixture->account_ids, gint64, 0);
  g_autoptr(EmberSyncState) sync_state = NULL;
  g_autoptr(GError) error = NULL;

  state.script = SCRIPT_FAIL_SIGN_IN;
  ember_sync_manager_sync_now (fixture->manager, account_id);
  g_assert_true (ember_test_wait_for (manager_idle, fixture->manager, 5000));

  g_assert_cmpuint (fixture->errors, ==, 1);
  g_assert_nonnull (fixture->last_error);
  g_assert_true (fixture->last_error->needs_sign_in);
  g_assert_false (fixture->last_error->retryable);
  g_assert_cmpint (ember_sync_manager_get_account_status (fixture->manager, account_id), ==,
                   EMBER_SYNC_STATUS_NEEDS_SIGN_IN);
  g_assert_cmpint (ember_sync_manager_get_status (fixture->manager), ==, EMBER_SYNC_STATUS_NEEDS_SIGN_IN);

  /* The failure is kept in the store for `ember-cli status`. */
  sync_state = ember_store_get_sync_state_sync (fixture->store, account_id, "account", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sync_state->last_error);
  g_assert_cmpstr (sync_state->last_error, ==, fixture->last_error->message);
}

static void
test_server_error_is_retryable (Fixture       *fixture,
                                gconstpointer  data)
{
  gint64 account_id = g_array_index (fixture->account_ids, gint64, 0);

  state.script = SCRIPT_FAIL_SERVER;
  ember_sync_manager_sync_now (fixture->manager, account_id);
  g_assert_true (ember_test_wait_for (manager_idle, fixture->manager, 5000));

  g_assert_cmpuint (fixture->errors, ==, 1);
  g_assert_true (fixture->last_error->retryable);
  g_assert_false (fixture->last_error->needs_sign_in);
  g_assert_cmpint (ember_sync_manager_get_status (fixture->manager), ==, EMBER_SYNC_STATUS_ERROR);

  /* A later success clears the error. */
  state.script = SCRIPT_SUCCEED;
  ember_sync_manager_sync_now (fixture->manager, account_id);
  g_assert_true (ember_test_wait_for (manager_idle, fixture->manager, 5000));
  g_assert_null (ember_sync_manager_get_account_error (fixture->manager, account_id));
  g_assert_cmpint (ember_sync_manager_get_status (fixture->manager), ==, EMBER_SYNC_STATUS_IDLE);
}

static void
test_shutdown_cancels_quickly (Fixture       *fixture,
                               gconstpointer  data)
{
  gboolean done = FALSE;
  gint64 start;
  gint64 elapsed;

  state.script = SCRIPT_BLOCK;
  ember_sync_manager_sync_now (fixture->manager, 0);
  g_assert_true (ember_test_wait_for (n_running_is, GUINT_TO_POINTER (4), 5000));

  start = g_get_monotonic_time ();
  ember_sync_manager_shutdown_async (fixture->manager, shutdown_cb, &done);
  g_assert_true (ember_test_wait_for (shut_down, &done, 5000));
  elapsed = g_get_monotonic_time () - start;

  g_test_message ("shutdown with 4 running jobs took %" G_GINT64_FORMAT " µs", elapsed);
  g_assert_cmpint (elapsed, <, 200 * 1000);
  g_assert_cmpuint (state.cancelled, ==, 4);
  g_assert_cmpuint (state.returned, ==, 4);
  g_assert_cmpuint (fixture->errors, ==, 0);

  /* Once shut down, nothing new starts. */
  ember_sync_manager_sync_now (fixture->manager, 0);
  ember_test_spin (50);
  g_assert_cmpuint (state.calls, ==, 4);
}

static void
test_paused_starts_nothing (Fixture       *fixture,
                            gconstpointer  data)
{
  state.script = SCRIPT_SUCCEED;
  ember_sync_manager_set_paused (fixture->manager, TRUE);
  ember_sync_manager_sync_now (fixture->manager, 0);
  ember_test_spin (100);
  g_assert_cmpuint (state.calls, ==, 0);
  g_assert_cmpint (ember_sync_manager_get_status (fixture->manager), ==, EMBER_SYNC_STATUS_PAUSED);

  /* Resuming syncs every account. */
  ember_sync_manager_set_paused (fixture->manager, FALSE);
  g_assert_true (ember_test_wait_for (manager_idle, fixture->manager, 5000));
  g_assert_cmpuint (state.calls, ==, fixture->account_ids->len);
}

static gboolean
manager_knows (EmberSyncManager *manager,
               gint64            account_id)
{
  g_autoptr(GArray) ids = ember_sync_manager_list_accounts (manager);

  for (guint i = 0; i < ids->len; i++)
    {
      if (g_array_index (ids, gint64, i) == account_id)
        return TRUE;
    }
  return FALSE;
}

static gboolean
two_returned (gpointer data)
{
  guint returned;

  g_mutex_lock (&state.mutex);
  returned = state.returned;
  g_mutex_unlock (&state.mutex);
  return returned >= 2;
}

/* The person removes one account and adds another while the account list
 * is being (re)read on a worker: the read must neither bring the removed
 * account back nor drop the new one. */
static void
test_reload_keeps_concurrent_changes (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(EmberAccountRecord) account = ember_account_record_new ();
  g_autoptr(GError) error = NULL;
  gint64 removed_id = g_array_index (fixture->account_ids, gint64, 0);
  gint64 kept_id = g_array_index (fixture->account_ids, gint64, 1);
  gint64 added_id;
  gboolean done = FALSE;

  /* The reload reads the store's list, which still has removed_id. */
  ember_sync_manager_load_async (fixture->manager, TRUE, NULL, load_cb, &done);
  ember_sync_manager_remove_account (fixture->manager, removed_id);

  account->provider = g_strdup ("gmail");
  account->email = g_strdup ("late@example.test");
  added_id = ember_store_add_account_sync (fixture->store, account, NULL, &error);
  g_assert_no_error (error);
  ember_sync_manager_add_account (fixture->manager, added_id);

  g_assert_true (ember_test_wait_for (loaded, &done, 5000));
  g_assert_true (ember_test_wait_for (two_returned, NULL, 5000));
  g_assert_true (ember_test_wait_for (manager_idle, fixture->manager, 5000));
  /* Nothing else is still on its way. */
  ember_test_spin (100);

  g_assert_false (manager_knows (fixture->manager, removed_id));
  g_assert_true (manager_knows (fixture->manager, kept_id));
  g_assert_true (manager_knows (fixture->manager, added_id));
  /* The kept and the added account synced (the added one twice when the
   * reload already read it), the removed one never. */
  g_assert_cmpuint (state.calls, >=, 2);
  for (guint i = 0; i < state.n_synced_ids; i++)
    g_assert_cmpint (state.synced_ids[i], !=, removed_id);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, n, func) \
  g_test_add ("/ember/sync/manager/" path, Fixture, GUINT_TO_POINTER (n), fixture_setup, func, fixture_teardown)

  ADD ("progress-is-coalesced", 1, test_progress_is_coalesced);
  ADD ("one-job-per-account", 1, test_one_job_per_account);
  ADD ("global-cap", 5, test_global_cap);
  ADD ("success-reports-counts", 1, test_success_reports_counts);
  ADD ("needs-sign-in", 1, test_needs_sign_in);
  ADD ("server-error-is-retryable", 1, test_server_error_is_retryable);
  ADD ("shutdown-cancels-quickly", 4, test_shutdown_cancels_quickly);
  ADD ("paused-starts-nothing", 3, test_paused_starts_nothing);
  ADD ("reload-keeps-concurrent-changes", 2, test_reload_keeps_concurrent_changes);

  return g_test_run ();
}
