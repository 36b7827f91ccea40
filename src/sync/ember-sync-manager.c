/* ember-sync-manager.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Threads: the manager and every field of it belong to the thread that made
 * it (the main thread), but for progress_dirty. Jobs run on the task
 * tracker's own pool; all they share with the manager is their SyncJob and
 * that flag. A job's progress reaches the main context through the
 * manager's one progress source (latest value wins): the job raises flags
 * and wakes the context, which takes no lock. Attaching a source from the
 * worker instead held the context's lock while waking the main thread,
 * which then blocked on that lock for as long as the preempted worker
 * waited for a CPU (tens of ms on a busy machine).
 */
#define G_LOG_DOMAIN "ember-sync"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ember-error.h"
#include "ember-sync-manager.h"
#include "ember-task-tracker.h"

G_DEFINE_ENUM_TYPE (EmberSyncStatus, ember_sync_status,
  G_DEFINE_ENUM_VALUE (EMBER_SYNC_STATUS_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (EMBER_SYNC_STATUS_SYNCING, "syncing"),
  G_DEFINE_ENUM_VALUE (EMBER_SYNC_STATUS_ERROR, "error"),
  G_DEFINE_ENUM_VALUE (EMBER_SYNC_STATUS_NEEDS_SIGN_IN, "needs-sign-in"),
  G_DEFINE_ENUM_VALUE (EMBER_SYNC_STATUS_OFFLINE, "offline"),
  G_DEFINE_ENUM_VALUE (EMBER_SYNC_STATUS_PAUSED, "paused"))

const char *
ember_sync_status_to_string (EmberSyncStatus status)
{
  switch (status)
    {
    case EMBER_SYNC_STATUS_IDLE: return "idle";
    case EMBER_SYNC_STATUS_SYNCING: return "syncing";
    case EMBER_SYNC_STATUS_ERROR: return "error";
    case EMBER_SYNC_STATUS_NEEDS_SIGN_IN: return "needs-sign-in";
    case EMBER_SYNC_STATUS_OFFLINE: return "offline";
    case EMBER_SYNC_STATUS_PAUSED: return "paused";
    default: return "unknown";
    }
}

typedef struct _SyncJob SyncJob;

typedef struct
{
  gint64          account_id;
  char           *email;
  char           *provider;
  gboolean        local;        /* API on a loopback host: reachable offline */
  EmberSyncStatus status;
  EmberUserError *last_error;
  gint64          last_success;
  SyncJob        *job;          /* running job, owned by its GTask */
  gboolean        queued;
  char           *phase;
  char           *message;
  guint64         done;
  guint64         total;
  guint64         added_at;     /* change serial of the add_account() that read it */
} AccountInfo;

struct _SyncJob
{
  gatomicrefcount   ref_count;
  EmberSyncManager *manager;    /* strong: the manager outlives its jobs */
  gint64            account_id;
  GCancellable     *cancellable;
  EmberSyncReport  *report;
  GMainContext     *context;
  gint              progress_pending;  /* atomic */
};

typedef struct
{
  guint new_messages;
  guint changed_events;
  gint64 finished;   /* real time, taken before the store records the success */
} SyncOutcome;

struct _EmberSyncManager
{
  GObject                   parent_instance;

  EmberStore               *store;
  EmberProviderFactoryFunc  factory;
  gpointer                  factory_data;
  GDestroyNotify            factory_data_destroy;
  EmberTaskTracker         *tracker;
  GMainContext             *context;
  GNetworkMonitor          *network_monitor;
  GSource                  *progress_source;
  gint                      progress_dirty;  /* atomic, set by jobs */

  GHashTable               *accounts;      /* gint64* -> AccountInfo* */
  /* Account lists are read on a worker; the serial orders those reads
   * against add/remove calls made while they ran. */
  guint64                   change_serial;
  GHashTable               *removed_at;    /* gint64* -> guint64* serial */
  GQueue                    queue;         /* account ids (as pointers to AccountInfo) */
  guint                     n_running;
  guint                     max_jobs;
  guint                     interval;
  guint                     interval_source;
  gboolean                  paused;
  gboolean                  online;
  gboolean                  shutting_down;

  EmberSyncStatus           status;
  double                    fraction;
  gboolean                  busy;
};

G_DEFINE_FINAL_TYPE (EmberSyncManager, ember_sync_manager, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATUS,
  PROP_FRACTION,
  PROP_BUSY,
  PROP_ONLINE,
  PROP_PAUSED,
  PROP_INTERVAL,
  N_PROPS
};

enum {
  PROGRESS,
  ACCOUNT_SYNCED,
  SYNC_ERROR,
  ACCOUNT_STATUS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_queued_jobs (EmberSyncManager *self);

static SyncJob *
sync_job_ref (SyncJob *job)
{
  g_atomic_ref_count_inc (&job->ref_count);
  return job;
}

static void
sync_job_unref (gpointer data)
{
  SyncJob *job = data;

  if (g_atomic_ref_count_dec (&job->ref_count))
    {
      g_clear_object (&job->report);
      g_clear_object (&job->cancellable);
      g_clear_object (&job->manager);
      g_main_context_unref (job->context);
      g_free (job);
    }
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyncJob, sync_job_unref)

static void
account_info_free (gpointer data)
{
  AccountInfo *info = data;

  g_clear_pointer (&info->last_error, ember_user_error_free);
  g_free (info->email);
  g_free (info->provider);
  g_free (info->phase);
  g_free (info->message);
  g_free (info);
}

static AccountInfo *
lookup_account (EmberSyncManager *self,
                gint64            account_id)
{
  return g_hash_table_lookup (self->accounts, &account_id);
}

static void
update_overall_state (EmberSyncManager *self)
{
  EmberSyncStatus status = EMBER_SYNC_STATUS_IDLE;
  gboolean any_syncing = FALSE, any_sign_in = FALSE, any_error = FALSE;
  guint64 done = 0, total = 0;
  GHashTableIter iter;
  AccountInfo *info;
  double fraction;
  gboolean busy;

  g_hash_table_iter_init (&iter, self->accounts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &info))
    {
      switch (info->status)
        {
        case EMBER_SYNC_STATUS_SYNCING:
          any_syncing = TRUE;
          done += MIN (info->done, info->total);
          total += info->total;
          break;
        case EMBER_SYNC_STATUS_NEEDS_SIGN_IN:
          any_sign_in = TRUE;
          break;
        case EMBER_SYNC_STATUS_ERROR:
          any_error = TRUE;
          break;
        case EMBER_SYNC_STATUS_IDLE:
        case EMBER_SYNC_STATUS_OFFLINE:
        case EMBER_SYNC_STATUS_PAUSED:
        default:
          break;
        }
    }

  if (any_syncing)
    status = EMBER_SYNC_STATUS_SYNCING;
  else if (self->paused)
    status = EMBER_SYNC_STATUS_PAUSED;
  else if (!self->online && g_hash_table_size (self->accounts) > 0)
    status = EMBER_SYNC_STATUS_OFFLINE;
  else if (any_sign_in)
    status = EMBER_SYNC_STATUS_NEEDS_SIGN_IN;
  else if (any_error)
    status = EMBER_SYNC_STATUS_ERROR;

  busy = any_syncing || self->queue.length > 0;
  fraction = total > 0 ? (double) done / (double) total : 0.0;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->status != status)
    {
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }
  if (self->busy != busy)
    {
      self->busy = busy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
  if (self->fraction != fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_account_status (EmberSyncManager *self,
                    AccountInfo      *info,
                    EmberSyncStatus   status)
{
  if (info->status == status)
    return;

  info->status = status;
  g_signal_emit (self, signals[ACCOUNT_STATUS_CHANGED], 0, info->account_id, status);
}

/* Main thread: the latest progress of one job. */
static void
emit_job_progress (EmberSyncManager *self,
                   AccountInfo      *info)
{
  SyncJob *job = info->job;

  if (!g_atomic_int_compare_and_exchange (&job->progress_pending, 1, 0))
    return;

  g_clear_pointer (&info->phase, g_free);
  g_clear_pointer (&info->message, g_free);
  ember_sync_report_get_progress (job->report, &info->phase, &info->done, &info->total, &info->message);

  g_signal_emit (self, signals[PROGRESS], 0,
                 info->account_id, info->phase, info->done, info->total, info->message);
}

typedef struct
{
  GSource           source;
  EmberSyncManager *manager;  /* unowned: the manager destroys the source */
} ProgressSource;

static gboolean
progress_source_prepare (GSource *source,
                         gint    *timeout)
{
  ProgressSource *progress = (ProgressSource *) source;

  *timeout = -1;
  return g_atomic_int_get (&progress->manager->progress_dirty) != 0;
}

static gboolean
progress_source_check (GSource *source)
{
  ProgressSource *progress = (ProgressSource *) source;

  return g_atomic_int_get (&progress->manager->progress_dirty) != 0;
}

static gboolean
progress_source_dispatch (GSource     *source,
                          GSourceFunc  callback,
                          gpointer     user_data)
{
  EmberSyncManager *self = ((ProgressSource *) source)->manager;
  g_autoptr(GArray) ids = NULL;
  gboolean any = FALSE;

  /* Cleared first: a job raising its flag during the scan raises this
   * one again. */
  g_atomic_int_set (&self->progress_dirty, 0);

  /* By id: a signal handler may add or remove accounts. */
  ids = ember_sync_manager_list_accounts (self);
  for (guint i = 0; i < ids->len; i++)
    {
      AccountInfo *info = lookup_account (self, g_array_index (ids, gint64, i));

      if (info != NULL && info->job != NULL && g_atomic_int_get (&info->job->progress_pending))
        {
          emit_job_progress (self, info);
          any = TRUE;
        }
    }
  if (any)
    update_overall_state (self);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs progress_source_funcs = {
  .prepare = progress_source_prepare,
  .check = progress_source_check,
  .dispatch = progress_source_dispatch,
};

/* Worker thread: flag the job's progress and wake the main context. */
static void
job_progress_cb (EmberSyncReport *report,
                 gpointer         user_data)
{
  SyncJob *job = user_data;

  if (g_atomic_int_compare_and_exchange (&job->progress_pending, 0, 1))
    {
      g_atomic_int_set (&job->manager->progress_dirty, 1);
      g_main_context_wakeup (job->context);
    }
}

static void
record_outcome (EmberStore   *store,
                gint64        account_id,
                const GError *error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(EmberUserError) user_error = NULL;

  if (error != NULL)
    user_error = ember_user_error_new_from_error (error);

  if (!ember_store_record_sync_result_sync (store, account_id, "account",
                                            user_error != NULL ? user_error->message : NULL,
                                            NULL, &local_error))
    g_warning ("Could not record the outcome of a sync of account %" G_GINT64_FORMAT ": %s",
               account_id, local_error->message);
}

static void
sync_job_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  EmberSyncManager *self = source_object;
  SyncJob *job = task_data;
  g_autoptr(EmberAccountRecord) account = NULL;
  g_autoptr(EmberProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  SyncOutcome *outcome;
  gint64 finished;

  account = ember_store_get_account_sync (self->store, job->account_id, cancellable, &error);
  if (account != NULL)
    provider = self->factory (account, self->factory_data, &error);

  if (provider != NULL && account->mail_enabled)
    {
      if (!ember_provider_sync_mail (provider, job->report, cancellable, &error))
        g_prefix_error (&error, _("Mail of %s: "), account->email);
    }

  if (error == NULL && provider != NULL && account->calendar_enabled)
    {
      if (!ember_provider_sync_calendar (provider, job->report, cancellable, &error))
        g_prefix_error (&error, _("Calendar of %s: "), account->email);
    }

  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        record_outcome (self->store, job->account_id, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Taken first, so the live last success is never later than the stored
   * one: status from the running app and from the store then agree. */
  finished = g_get_real_time ();
  record_outcome (self->store, job->account_id, NULL);

  outcome = g_new0 (SyncOutcome, 1);
  outcome->finished = finished;
  outcome->new_messages = ember_sync_report_get_new_messages (job->report);
  outcome->changed_events = ember_sync_report_get_changed_events (job->report);
  g_task_return_pointer (task, outcome, g_free);
}

static void
sync_job_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  EmberSyncManager *self = EMBER_SYNC_MANAGER (object);
  g_autoptr(SyncJob) job = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree SyncOutcome *outcome = NULL;
  AccountInfo *info;

  outcome = g_task_propagate_pointer (G_TASK (result), &error);

  g_assert (self->n_running > 0);
  self->n_running--;

  info = lookup_account (self, job->account_id);
  if (info != NULL && info->job == job)
    {
      info->job = NULL;
      g_clear_pointer (&info->phase, g_free);
      g_clear_pointer (&info->message, g_free);
      info->done = info->total = 0;

      if (outcome != NULL)
        {
          g_clear_pointer (&info->last_error, ember_user_error_free);
          info->last_success = outcome->finished;
          set_account_status (self, info, EMBER_SYNC_STATUS_IDLE);
          g_signal_emit (self, signals[ACCOUNT_SYNCED], 0,
                         info->account_id, outcome->new_messages, outcome->changed_events);
        }
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
               g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
        {
          /* Cancelling is the person's choice (or quitting): nothing to show. */
          set_account_status (self, info, info->last_error != NULL
                                            ? (info->last_error->needs_sign_in
                                                 ? EMBER_SYNC_STATUS_NEEDS_SIGN_IN
                                                 : EMBER_SYNC_STATUS_ERROR)
                                            : EMBER_SYNC_STATUS_IDLE);
        }
      else
        {
          g_clear_pointer (&info->last_error, ember_user_error_free);
          info->last_error = ember_user_error_new_from_error (error);
          g_debug ("Sync of account %" G_GINT64_FORMAT " failed: %s",
                   info->account_id, info->last_error->message);
          set_account_status (self, info, info->last_error->needs_sign_in
                                            ? EMBER_SYNC_STATUS_NEEDS_SIGN_IN
                                            : EMBER_SYNC_STATUS_ERROR);
          g_signal_emit (self, signals[SYNC_ERROR], 0, info->account_id, info->last_error);
        }
    }

  start_queued_jobs (self);
  update_overall_state (self);
}

static gboolean
account_can_sync (EmberSyncManager *self,
                  AccountInfo      *info)
{
  return !self->paused && !self->shutting_down && (self->online || info->local);
}

static void
start_job (EmberSyncManager *self,
           AccountInfo      *info)
{
  g_autoptr(GTask) task = NULL;
  SyncJob *job;

  job = g_new0 (SyncJob, 1);
  g_atomic_ref_count_init (&job->ref_count);
  job->manager = g_object_ref (self);
  job->account_id = info->account_id;
  job->cancellable = g_cancellable_new ();
  job->context = g_main_context_ref (self->context);
  /* The report lives inside the job, so it needs no reference of its own. */
  job->report = ember_sync_report_new (job_progress_cb, job, NULL);

  info->job = job;
  info->done = info->total = 0;
  set_account_status (self, info, EMBER_SYNC_STATUS_SYNCING);
  self->n_running++;

  task = g_task_new (self, job->cancellable, sync_job_done_cb, sync_job_ref (job));
  g_task_set_source_tag (task, start_job);
  g_task_set_name (task, "[ember] sync job");
  g_task_set_task_data (task, job, sync_job_unref);
  ember_task_tracker_run (self->tracker, task, sync_job_thread);
}

static void
start_queued_jobs (EmberSyncManager *self)
{
  while (self->n_running < self->max_jobs && self->queue.length > 0)
    {
      gint64 account_id = GPOINTER_TO_SIZE (g_queue_pop_head (&self->queue));
      AccountInfo *info = lookup_account (self, account_id);

      if (info == NULL || !info->queued)
        continue;
      info->queued = FALSE;
      if (info->job != NULL || !account_can_sync (self, info))
        continue;

      start_job (self, info);
    }
}

static void
queue_account (EmberSyncManager *self,
               AccountInfo      *info)
{
  if (info->job != NULL || info->queued)
    return;

  if (!account_can_sync (self, info))
    {
      if (!self->online && !info->local)
        set_account_status (self, info, EMBER_SYNC_STATUS_OFFLINE);
      return;
    }

  info->queued = TRUE;
  /* Account ids are small positive integers, far below pointer range. */
  g_queue_push_tail (&self->queue, GSIZE_TO_POINTER ((gsize) info->account_id));
}

void
ember_sync_manager_sync_now (EmberSyncManager *self,
                             gint64            account_id)
{
  g_return_if_fail (EMBER_IS_SYNC_MANAGER (self));

  if (account_id != 0)
    {
      AccountInfo *info = lookup_account (self, account_id);

      if (info != NULL)
        queue_account (self, info);
    }
  else
    {
      g_autoptr(GArray) ids = ember_sync_manager_list_accounts (self);

      for (guint i = 0; i < ids->len; i++)
        queue_account (self, lookup_account (self, g_array_index (ids, gint64, i)));
    }

  start_queued_jobs (self);
  update_overall_state (self);
}

void
ember_sync_manager_cancel (EmberSyncManager *self,
                           gint64            account_id)
{
  GHashTableIter iter;
  AccountInfo *info;

  g_return_if_fail (EMBER_IS_SYNC_MANAGER (self));

  g_hash_table_iter_init (&iter, self->accounts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &info))
    {
      if (account_id != 0 && info->account_id != account_id)
        continue;
      info->queued = FALSE;
      if (info->job != NULL)
        g_cancellable_cancel (info->job->cancellable);
    }
}

static gboolean
api_base_is_loopback (const char *api_base)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;

  if (api_base == NULL)
    return FALSE;
  uri = g_uri_parse (api_base, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL)
    return FALSE;

  return g_str_equal (host, "127.0.0.1") || g_str_equal (host, "::1") ||
         g_str_equal (host, "localhost");
}

static AccountInfo *
ensure_account (EmberSyncManager         *self,
                const EmberAccountRecord *record)
{
  AccountInfo *info = lookup_account (self, record->id);

  if (info == NULL)
    {
      gint64 *key = g_new (gint64, 1);

      info = g_new0 (AccountInfo, 1);
      info->account_id = *key = record->id;
      info->status = EMBER_SYNC_STATUS_IDLE;
      g_hash_table_insert (self->accounts, key, info);
    }

  g_free (info->email);
  info->email = g_strdup (record->email);
  g_free (info->provider);
  info->provider = g_strdup (record->provider);
  info->local = api_base_is_loopback (record->api_base);

  return info;
}

typedef struct
{
  gint64   only_id;   /* 0: every account */
  guint64  serial;    /* change serial when the read started */
  gboolean sync;
  gboolean replace;   /* accounts not read are dropped */
} LoadRequest;

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  EmberSyncManager *self = source_object;
  const LoadRequest *request = task_data;
  GError *error = NULL;
  GPtrArray *accounts;

  if (request->only_id != 0)
    {
      EmberAccountRecord *account = ember_store_get_account_sync (self->store, request->only_id,
                                                                  cancellable, &error);

      if (account == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_account_record_free);
      g_ptr_array_add (accounts, account);
    }
  else if ((accounts = ember_store_list_accounts_sync (self->store, cancellable, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, accounts, (GDestroyNotify) g_ptr_array_unref);
}

static GTask *
load_task_new (EmberSyncManager   *self,
               gint64              only_id,
               gboolean            sync,
               gboolean            replace,
               GCancellable       *cancellable,
               GAsyncReadyCallback callback,
               gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  LoadRequest *request = g_new0 (LoadRequest, 1);

  request->only_id = only_id;
  request->serial = ++self->change_serial;
  request->sync = sync;
  request->replace = replace;
  g_task_set_task_data (task, request, g_free);
  return task;
}

/* Whether @account_id was removed after the read behind @request began:
 * such a read must not bring it back. */
static gboolean
removed_since (EmberSyncManager  *self,
               gint64             account_id,
               const LoadRequest *request)
{
  const guint64 *removed_at = g_hash_table_lookup (self->removed_at, &account_id);

  return removed_at != NULL && *removed_at > request->serial;
}

static gboolean
apply_loaded_accounts (EmberSyncManager *self,
                       GTask            *task,
                       GError          **error)
{
  const LoadRequest *request = g_task_get_task_data (task);
  g_autoptr(GPtrArray) accounts = g_task_propagate_pointer (task, error);
  g_autoptr(GHashTable) seen = NULL;

  if (accounts == NULL)
    return FALSE;

  seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < accounts->len; i++)
    {
      const EmberAccountRecord *record = g_ptr_array_index (accounts, i);
      AccountInfo *info;

      if (removed_since (self, record->id, request))
        continue;
      info = ensure_account (self, record);
      if (request->only_id != 0)
        info->added_at = MAX (info->added_at, request->serial);
      g_hash_table_add (seen, &info->account_id);
      if (request->sync)
        queue_account (self, info);
    }

  if (request->replace)
    {
      GHashTableIter iter;
      AccountInfo *info;

      g_hash_table_iter_init (&iter, self->accounts);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &info))
        {
          /* Added while the list was being read: the list may predate it. */
          if (g_hash_table_contains (seen, &info->account_id) || info->added_at > request->serial)
            continue;
          if (info->job != NULL)
            g_cancellable_cancel (info->job->cancellable);
          g_hash_table_iter_remove (&iter);
        }
    }

  start_queued_jobs (self);
  update_overall_state (self);
  return TRUE;
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  EmberSyncManager *self = EMBER_SYNC_MANAGER (object);
  g_autoptr(GTask) outer = user_data;
  GError *error = NULL;

  if (!apply_loaded_accounts (self, G_TASK (result), &error))
    g_task_return_error (outer, error);
  else
    g_task_return_boolean (outer, TRUE);
}

void
ember_sync_manager_load_async (EmberSyncManager   *self,
                               gboolean            sync,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) inner = NULL;

  g_return_if_fail (EMBER_IS_SYNC_MANAGER (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, ember_sync_manager_load_async);

  inner = load_task_new (self, 0, sync, TRUE, cancellable, load_done_cb, g_steal_pointer (&outer));
  g_task_run_in_thread (inner, load_thread);
}

gboolean
ember_sync_manager_load_finish (EmberSyncManager *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
add_account_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  EmberSyncManager *self = EMBER_SYNC_MANAGER (object);
  g_autoptr(GError) error = NULL;

  if (!apply_loaded_accounts (self, G_TASK (result), &error))
    g_warning ("Could not read a new account: %s", error->message);
}

void
ember_sync_manager_add_account (EmberSyncManager *self,
                                gint64            account_id)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EMBER_IS_SYNC_MANAGER (self));
  g_return_if_fail (account_id > 0);

  task = load_task_new (self, account_id, TRUE, FALSE, NULL, add_account_done_cb, NULL);
  g_task_run_in_thread (task, load_thread);
}

void
ember_sync_manager_remove_account (EmberSyncManager *self,
                                   gint64            account_id)
{
  AccountInfo *info;

  g_return_if_fail (EMBER_IS_SYNC_MANAGER (self));

  /* Even when not known yet: a list being read may still bring it. */
  {
    gint64 *key = g_new (gint64, 1);
    guint64 *serial = g_new (guint64, 1);

    *key = account_id;
    *serial = ++self->change_serial;
    g_hash_table_replace (self->removed_at, key, serial);
  }

  info = lookup_account (self, account_id);
  if (info == NULL)
    return;
  if (info->job != NULL)
    g_cancellable_cancel (info->job->cancellable);
  g_hash_table_remove (self->accounts, &account_id);
  update_overall_state (self);
}

GArray *
ember_sync_manager_list_accounts (EmberSyncManager *self)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter iter;
  AccountInfo *info;

  g_return_val_if_fail (EMBER_IS_SYNC_MANAGER (self), ids);

  g_hash_table_iter_init (&iter, self->accounts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &info))
    g_array_append_val (ids, info->account_id);

  return ids;
}

EmberSyncStatus
ember_sync_manager_get_account_status (EmberSyncManager *self,
                                       gint64            account_id)
{
  AccountInfo *info;

  g_return_val_if_fail (EMBER_IS_SYNC_MANAGER (self), EMBER_SYNC_STATUS_IDLE);

  info = lookup_account (self, account_id);
  if (info == NULL)
    return EMBER_SYNC_STATUS_IDLE;
  if (info->status == EMBER_SYNC_STATUS_IDLE && self->paused)
    return EMBER_SYNC_STATUS_PAUSED;

  return info->status;
}

const EmberUserError *
ember_sync_manager_get_account_error (EmberSyncManager *self,
                                      gint64            account_id)
{
  AccountInfo *info;

  g_return_val_if_fail (EMBER_IS_SYNC_MANAGER (self), NULL);

  info = lookup_account (self, account_id);
  return info != NULL ? info->last_error : NULL;
}

const char *
ember_sync_manager_get_account_email (EmberSyncManager *self,
                                      gint64            account_id)
{
  AccountInfo *info;

  g_return_val_if_fail (EMBER_IS_SYNC_MANAGER (self), NULL);

  info = lookup_account (self, account_id);
  return info != NULL ? info->email : NULL;
}

const char *
ember_sync_manager_get_account_provider (EmberSyncManager *self,
                                         gint64            account_id)
{
  AccountInfo *info;

  g_return_val_if_fail (EMBER_IS_SYNC_MANAGER (self), NULL);

  info = lookup_account (self, account_id);
  return info != NULL ? info->provider : NULL;
}

gboolean
ember_sync_manager_get_account_progress (EmberSyncManager *self,
                                         gint64            account_id,
                                         guint64          *done,
                                         guint64          *total)
{
  AccountInfo *info;

  g_return_val_if_fail (EMBER_IS_SYNC_MANAGER (self), FALSE);

  info = lookup_account (self, account_id);
  if (info == NULL || info->job == NULL)
    return FALSE;
  if (done != NULL)
    *done = info->done;
  if (total != NULL)
    *total = info->total;

  return TRUE;
}

gint64
ember_sync_manager_get_account_last_success (EmberSyncManager *self,
                                             gint64            account_id)
{
  AccountInfo *info;

  g_return_val_if_fail (EMBER_IS_SYNC_MANAGER (self), 0);

  info = lookup_account (self, account_id);
  return info != NULL ? info->last_success : 0;
}

static gboolean
periodic_sync_cb (gpointer user_data)
{
  ember_sync_manager_sync_now (EMBER_SYNC_MANAGER (user_data), 0);

  return G_SOURCE_CONTINUE;
}

void
ember_sync_manager_set_interval (EmberSyncManager *self,
                                 guint             seconds)
{
  g_return_if_fail (EMBER_IS_SYNC_MANAGER (self));

  if (self->interval == seconds)
    return;

  self->interval = seconds;
  g_clear_handle_id (&self->interval_source, g_source_remove);
  if (seconds > 0)
    {
      GSource *source = g_timeout_source_new_seconds (seconds);

      g_source_set_callback (source, periodic_sync_cb, self, NULL);
      g_source_set_name (source, "[ember] periodic sync");
      self->interval_source = g_source_attach (source, self->context);
      g_source_unref (source);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

guint
ember_sync_manager_get_interval (EmberSyncManager *self)
{
  g_return_val_if_fail (EMBER_IS_SYNC_MANAGER (self), 0);

  return self->interval;
}

void
ember_sync_manager_set_max_jobs (EmberSyncManager *self,
                                 guint             max_jobs)
{
  g_return_if_fail (EMBER_IS_SYNC_MANAGER (self));
  g_return_if_fail (max_jobs > 0);

  self->max_jobs = max_jobs;
  start_queued_jobs (self);
}

void
ember_sync_manager_set_paused (EmberSyncManager *self,
                               gboolean          paused)
{
  g_return_if_fail (EMBER_IS_SYNC_MANAGER (self));

  paused = !!paused;
  if (self->paused == paused)
    return;

  self->paused = paused;
  if (paused)
    ember_sync_manager_cancel (self, 0);
  else
    ember_sync_manager_sync_now (self, 0);

  update_overall_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

gboolean
ember_sync_manager_get_paused (EmberSyncManager *self)
{
  g_return_val_if_fail (EMBER_IS_SYNC_MANAGER (self), FALSE);

  return self->paused;
}

EmberSyncStatus
ember_sync_manager_get_status (EmberSyncManager *self)
{
  g_return_val_if_fail (EMBER_IS_SYNC_MANAGER (self), EMBER_SYNC_STATUS_IDLE);

  return self->status;
}

double
ember_sync_manager_get_fraction (EmberSyncManager *self)
{
  g_return_val_if_fail (EMBER_IS_SYNC_MANAGER (self), 0.0);

  return self->fraction;
}

gboolean
ember_sync_manager_get_busy (EmberSyncManager *self)
{
  g_return_val_if_fail (EMBER_IS_SYNC_MANAGER (self), FALSE);

  return self->busy;
}

gboolean
ember_sync_manager_get_online (EmberSyncManager *self)
{
  g_return_val_if_fail (EMBER_IS_SYNC_MANAGER (self), FALSE);

  return self->online;
}

static void
network_changed_cb (GNetworkMonitor  *monitor,
                    gboolean          available,
                    EmberSyncManager *self)
{
  GHashTableIter iter;
  AccountInfo *info;

  available = !!available;
  if (self->online == available)
    return;

  self->online = available;
  g_debug ("Network %s", available ? "available" : "gone");

  g_hash_table_iter_init (&iter, self->accounts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &info))
    {
      if (info->local)
        continue;
      if (!available && info->job != NULL)
        g_cancellable_cancel (info->job->cancellable);
      if (!available && info->job == NULL)
        set_account_status (self, info, EMBER_SYNC_STATUS_OFFLINE);
      else if (available && info->status == EMBER_SYNC_STATUS_OFFLINE)
        set_account_status (self, info, EMBER_SYNC_STATUS_IDLE);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
  if (available)
    ember_sync_manager_sync_now (self, 0);
  update_overall_state (self);
}

static void
tracker_wait_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!ember_task_tracker_wait_finish (EMBER_TASK_TRACKER (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
ember_sync_manager_shutdown_async (EmberSyncManager   *self,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (EMBER_IS_SYNC_MANAGER (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, ember_sync_manager_shutdown_async);

  self->shutting_down = TRUE;
  g_queue_clear (&self->queue);
  g_clear_handle_id (&self->interval_source, g_source_remove);
  ember_task_tracker_close (self->tracker);
  ember_task_tracker_cancel_all (self->tracker);
  ember_task_tracker_wait_async (self->tracker, NULL, tracker_wait_cb, task);
}

gboolean
ember_sync_manager_shutdown_finish (EmberSyncManager *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

EmberSyncManager *
ember_sync_manager_new (EmberStore               *store,
                        EmberProviderFactoryFunc  factory,
                        gpointer                  factory_data,
                        GDestroyNotify            factory_data_destroy)
{
  EmberSyncManager *self;

  g_return_val_if_fail (EMBER_IS_STORE (store), NULL);
  g_return_val_if_fail (factory != NULL, NULL);

  self = g_object_new (EMBER_TYPE_SYNC_MANAGER, NULL);
  self->store = g_object_ref (store);
  self->factory = factory;
  self->factory_data = factory_data;
  self->factory_data_destroy = factory_data_destroy;

  return self;
}

static void
ember_sync_manager_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EmberSyncManager *self = EMBER_SYNC_MANAGER (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_sync_manager_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EmberSyncManager *self = EMBER_SYNC_MANAGER (object);

  switch (prop_id)
    {
    case PROP_PAUSED:
      ember_sync_manager_set_paused (self, g_value_get_boolean (value));
      break;
    case PROP_INTERVAL:
      ember_sync_manager_set_interval (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_sync_manager_dispose (GObject *object)
{
  EmberSyncManager *self = EMBER_SYNC_MANAGER (object);

  g_clear_handle_id (&self->interval_source, g_source_remove);
  if (self->progress_source != NULL)
    g_source_destroy (self->progress_source);
  g_clear_pointer (&self->progress_source, g_source_unref);
  if (self->network_monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->network_monitor, self);
  g_clear_object (&self->network_monitor);
  if (self->tracker != NULL)
    {
      ember_task_tracker_close (self->tracker);
      ember_task_tracker_cancel_all (self->tracker);
    }

  G_OBJECT_CLASS (ember_sync_manager_parent_class)->dispose (object);
}

static void
ember_sync_manager_finalize (GObject *object)
{
  EmberSyncManager *self = EMBER_SYNC_MANAGER (object);

  g_queue_clear (&self->queue);
  g_clear_pointer (&self->accounts, g_hash_table_unref);
  g_clear_pointer (&self->removed_at, g_hash_table_unref);
  g_clear_object (&self->tracker);
  g_clear_object (&self->store);
  if (self->factory_data_destroy != NULL)
    self->factory_data_destroy (self->factory_data);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (ember_sync_manager_parent_class)->finalize (object);
}

static void
ember_sync_manager_class_init (EmberSyncManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ember_sync_manager_dispose;
  object_class->finalize = ember_sync_manager_finalize;
  object_class->get_property = ember_sync_manager_get_property;
  object_class->set_property = ember_sync_manager_set_property;

  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       EMBER_TYPE_SYNC_STATUS, EMBER_SYNC_STATUS_IDLE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL,
                         0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ONLINE] =
    g_param_spec_boolean ("online", NULL, NULL,
                          TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EmberSyncManager::progress:
   * @account_id: the account
   * @phase: (nullable): "folders", "mail", "calendar", ...
   * @done: items done
   * @total: items expected, 0 if unknown
   * @message: (nullable): what is happening, for people
   *
   * The latest progress of a job; intermediate values may be skipped.
   */
  signals[PROGRESS] =
    g_signal_new ("progress",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 5,
                  G_TYPE_INT64, G_TYPE_STRING, G_TYPE_UINT64, G_TYPE_UINT64, G_TYPE_STRING);

  signals[ACCOUNT_SYNCED] =
    g_signal_new ("account-synced",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3,
                  G_TYPE_INT64, G_TYPE_UINT, G_TYPE_UINT);

  signals[SYNC_ERROR] =
    g_signal_new ("sync-error",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  G_TYPE_INT64, EMBER_TYPE_USER_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);

  signals[ACCOUNT_STATUS_CHANGED] =
    g_signal_new ("account-status-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  G_TYPE_INT64, EMBER_TYPE_SYNC_STATUS);
}

static void
ember_sync_manager_init (EmberSyncManager *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->progress_source = g_source_new (&progress_source_funcs, sizeof (ProgressSource));
  ((ProgressSource *) self->progress_source)->manager = self;
  g_source_set_priority (self->progress_source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (self->progress_source, "[ember] sync progress");
  g_source_attach (self->progress_source, self->context);
  self->accounts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, account_info_free);
  self->removed_at = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_queue_init (&self->queue);
  self->max_jobs = 4;
  self->tracker = ember_task_tracker_new (8);
  self->network_monitor = g_object_ref (g_network_monitor_get_default ());
  self->online = g_network_monitor_get_network_available (self->network_monitor);
  g_signal_connect (self->network_monitor, "network-changed",
                    G_CALLBACK (network_changed_cb), self);
}
