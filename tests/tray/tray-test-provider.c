/* tray-test-provider.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ember-error.h"
#include "ember-test-utils.h"
#include "tray-test-provider.h"

typedef struct
{
  char   *sender;
  char   *subject;
} QueuedMessage;

typedef struct
{
  char   *summary;
  gint64  start;
  gint64  end;
  int     reminder_minutes;
} QueuedEvent;

static struct
{
  GMutex      mutex;
  GCond       cond;
  TrayScript  script;
  gboolean    released;
  guint       calls;
  guint       blocked;
  guint       cancelled;
  guint       next_id;
  GPtrArray  *messages;  /* (element-type QueuedMessage) */
  GPtrArray  *events;    /* (element-type QueuedEvent) */
} state;

static void
queued_message_free (gpointer data)
{
  QueuedMessage *message = data;

  g_free (message->sender);
  g_free (message->subject);
  g_free (message);
}

static void
queued_event_free (gpointer data)
{
  QueuedEvent *event = data;

  g_free (event->summary);
  g_free (event);
}

void
tray_test_provider_reset (void)
{
  g_mutex_lock (&state.mutex);
  state.script = TRAY_SCRIPT_SUCCEED;
  state.released = FALSE;
  state.calls = state.blocked = state.cancelled = 0;
  g_clear_pointer (&state.messages, g_ptr_array_unref);
  g_clear_pointer (&state.events, g_ptr_array_unref);
  state.messages = g_ptr_array_new_with_free_func (queued_message_free);
  state.events = g_ptr_array_new_with_free_func (queued_event_free);
  g_mutex_unlock (&state.mutex);
}

void
tray_test_provider_set_script (TrayScript script)
{
  g_mutex_lock (&state.mutex);
  state.script = script;
  state.released = FALSE;
  g_mutex_unlock (&state.mutex);
}

void
tray_test_provider_queue_message (const char *sender,
                                  const char *subject)
{
  QueuedMessage *message = g_new0 (QueuedMessage, 1);

  message->sender = g_strdup (sender);
  message->subject = g_strdup (subject);
  g_mutex_lock (&state.mutex);
  g_ptr_array_add (state.messages, message);
  g_mutex_unlock (&state.mutex);
}

void
tray_test_provider_queue_event (const char *summary,
                                gint64      start,
                                gint64      end,
                                int         reminder_minutes)
{
  QueuedEvent *event = g_new0 (QueuedEvent, 1);

  event->summary = g_strdup (summary);
  event->start = start;
  event->end = end;
  event->reminder_minutes = reminder_minutes;
  g_mutex_lock (&state.mutex);
  g_ptr_array_add (state.events, event);
  g_mutex_unlock (&state.mutex);
}

void
tray_test_provider_release (void)
{
  g_mutex_lock (&state.mutex);
  state.released = TRUE;
  g_cond_broadcast (&state.cond);
  g_mutex_unlock (&state.mutex);
}

static guint
read_counter (guint *counter)
{
  guint value;

  g_mutex_lock (&state.mutex);
  value = *counter;
  g_mutex_unlock (&state.mutex);

  return value;
}

guint
tray_test_provider_get_calls (void)
{
  return read_counter (&state.calls);
}

guint
tray_test_provider_get_blocked (void)
{
  return read_counter (&state.blocked);
}

guint
tray_test_provider_get_cancelled (void)
{
  return read_counter (&state.cancelled);
}

static gboolean
some_job_blocked (gpointer data)
{
  return tray_test_provider_get_blocked () > 0;
}

gboolean
tray_test_provider_wait_blocked (guint timeout_ms)
{
  return ember_test_wait_for (some_job_blocked, NULL, timeout_ms);
}

#define TRAY_TYPE_TEST_PROVIDER (tray_test_provider_get_type ())
G_DECLARE_FINAL_TYPE (TrayTestProvider, tray_test_provider, TRAY, TEST_PROVIDER, GObject)

struct _TrayTestProvider
{
  GObject     parent_instance;

  EmberStore *store;
  gint64      account_id;
};

static void tray_test_provider_iface_init (EmberProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TrayTestProvider, tray_test_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (EMBER_TYPE_PROVIDER, tray_test_provider_iface_init))

static void
wake_on_cancel_cb (GCancellable *cancellable,
                   gpointer      data)
{
  g_mutex_lock (&state.mutex);
  g_cond_broadcast (&state.cond);
  g_mutex_unlock (&state.mutex);
}

static gboolean
block (GCancellable  *cancellable,
       GError       **error)
{
  gulong handler = g_cancellable_connect (cancellable, G_CALLBACK (wake_on_cancel_cb), NULL, NULL);
  gboolean cancelled;

  g_mutex_lock (&state.mutex);
  state.blocked++;
  while (!state.released && !g_cancellable_is_cancelled (cancellable))
    g_cond_wait (&state.cond, &state.mutex);
  state.blocked--;
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
save_messages (TrayTestProvider  *self,
               GPtrArray         *messages,
               EmberSyncReport   *report,
               GCancellable      *cancellable,
               GError           **error)
{
  g_autoptr(EmberFolderPage) folders = ember_folder_page_new ("folders");
  g_autoptr(EmberMessagePage) page = ember_message_page_new ("mail");
  EmberFolderRecord *inbox = ember_folder_record_new ();

  inbox->provider_id = g_strdup ("INBOX");
  inbox->name = g_strdup ("Inbox");
  inbox->kind = EMBER_FOLDER_KIND_INBOX;
  g_ptr_array_add (folders->folders, inbox);
  if (!ember_store_save_folder_page_sync (self->store, self->account_id, folders, cancellable, error))
    return FALSE;

  page->cursor = g_strdup ("history-1");
  page->phase = g_strdup ("incremental");
  for (guint i = 0; i < messages->len; i++)
    {
      QueuedMessage *queued = g_ptr_array_index (messages, i);
      EmberMessageRecord *message = ember_message_record_new ();
      guint id;

      g_mutex_lock (&state.mutex);
      id = ++state.next_id;
      g_mutex_unlock (&state.mutex);

      message->provider_id = g_strdup_printf ("msg-%u", id);
      message->thread_id = g_strdup_printf ("thread-%u", id);
      message->subject = g_strdup (queued->subject);
      message->from_name = g_strdup (queued->sender);
      message->from_address = g_strdup_printf ("%s@example.test", queued->sender);
      message->to = g_strdup ("work@example.com");
      message->date = g_get_real_time () / G_USEC_PER_SEC + (gint64) id;
      message->unread = TRUE;
      message->snippet = g_strdup ("Hello");
      ember_message_record_add_folder_id (message, "INBOX");
      g_ptr_array_add (page->messages, message);
    }

  if (!ember_store_save_message_page_sync (self->store, self->account_id, page, cancellable, error))
    return FALSE;

  ember_sync_report_add_new_messages (report, messages->len);
  return TRUE;
}

static gboolean
tray_test_provider_sync_mail (EmberProvider    *provider,
                              EmberSyncReport  *report,
                              GCancellable     *cancellable,
                              GError          **error)
{
  TrayTestProvider *self = TRAY_TEST_PROVIDER (provider);
  g_autoptr(GPtrArray) messages = NULL;
  TrayScript script;

  g_mutex_lock (&state.mutex);
  script = state.script;
  state.calls++;
  g_mutex_unlock (&state.mutex);

  ember_sync_report_progress (report, "mail", 1, 4, "Fetching messages");

  switch (script)
    {
    case TRAY_SCRIPT_SUCCEED:
      break;

    case TRAY_SCRIPT_BLOCK:
      if (!block (cancellable, error))
        return FALSE;
      break;

    case TRAY_SCRIPT_FAIL_SIGN_IN:
      g_set_error (error, EMBER_AUTH_ERROR, EMBER_AUTH_ERROR_NEEDS_SIGN_IN,
                   "invalid_grant: Token has been expired or revoked.");
      return FALSE;

    case TRAY_SCRIPT_FAIL_SERVER:
      g_set_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_SERVER,
                   "The service is unavailable (503)");
      return FALSE;

    default:
      g_assert_not_reached ();
    }

  g_mutex_lock (&state.mutex);
  messages = g_steal_pointer (&state.messages);
  state.messages = g_ptr_array_new_with_free_func (queued_message_free);
  g_mutex_unlock (&state.mutex);

  if (messages->len > 0 && !save_messages (self, messages, report, cancellable, error))
    return FALSE;

  ember_sync_report_progress (report, "mail", 4, 4, "Fetching messages");
  return TRUE;
}

static gboolean
tray_test_provider_sync_calendar (EmberProvider    *provider,
                                  EmberSyncReport  *report,
                                  GCancellable     *cancellable,
                                  GError          **error)
{
  TrayTestProvider *self = TRAY_TEST_PROVIDER (provider);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(EmberCalendarPage) calendars = NULL;
  g_autoptr(EmberEventPage) page = NULL;
  EmberCalendarRecord *calendar;

  g_mutex_lock (&state.mutex);
  events = g_steal_pointer (&state.events);
  state.events = g_ptr_array_new_with_free_func (queued_event_free);
  g_mutex_unlock (&state.mutex);

  if (events->len == 0)
    return TRUE;

  calendars = ember_calendar_page_new ("calendars");
  calendar = ember_calendar_record_new ();
  calendar->provider_id = g_strdup ("primary");
  calendar->name = g_strdup ("Work");
  calendar->is_primary = TRUE;
  calendar->has_default_reminder = TRUE;
  calendar->default_reminder_minutes = 10;
  g_ptr_array_add (calendars->calendars, calendar);
  if (!ember_store_save_calendar_page_sync (self->store, self->account_id, calendars, cancellable, error))
    return FALSE;

  page = ember_event_page_new ("calendar:primary", "primary");
  page->cursor = g_strdup ("sync-token-1");
  for (guint i = 0; i < events->len; i++)
    {
      QueuedEvent *queued = g_ptr_array_index (events, i);
      EmberEventRecord *event = ember_event_record_new ();
      guint id;

      g_mutex_lock (&state.mutex);
      id = ++state.next_id;
      g_mutex_unlock (&state.mutex);

      event->provider_id = g_strdup_printf ("event-%u", id);
      event->summary = g_strdup (queued->summary);
      event->location = g_strdup ("Room 4");
      event->start = queued->start;
      event->end = queued->end;
      event->status = g_strdup ("confirmed");
      event->reminder_default = queued->reminder_minutes == TRAY_REMINDER_DEFAULT;
      event->has_reminder = queued->reminder_minutes >= 0;
      event->reminder_minutes = (guint) MAX (queued->reminder_minutes, 0);
      g_ptr_array_add (page->events, event);
    }

  if (!ember_store_save_event_page_sync (self->store, self->account_id, page, cancellable, error))
    return FALSE;

  ember_sync_report_add_changed_events (report, events->len);
  return TRUE;
}

static void
tray_test_provider_iface_init (EmberProviderInterface *iface)
{
  iface->sync_mail = tray_test_provider_sync_mail;
  iface->sync_calendar = tray_test_provider_sync_calendar;
}

static void
tray_test_provider_finalize (GObject *object)
{
  TrayTestProvider *self = TRAY_TEST_PROVIDER (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (tray_test_provider_parent_class)->finalize (object);
}

static void
tray_test_provider_class_init (TrayTestProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tray_test_provider_finalize;
}

static void
tray_test_provider_init (TrayTestProvider *self)
{
}

static EmberProvider *
test_factory (const EmberAccountRecord  *account,
              gpointer                   user_data,
              GError                   **error)
{
  TrayTestProvider *provider = g_object_new (TRAY_TYPE_TEST_PROVIDER, NULL);

  provider->store = g_object_ref (user_data);
  provider->account_id = account->id;

  return EMBER_PROVIDER (provider);
}

EmberStore *
tray_test_store_new (const char *email,
                     gint64     *out_account_id)
{
  /* Unique also across subprocesses of one test program. */
  g_autofree char *dir = g_build_filename (ember_test_get_tmpdir (), "tray-store-XXXXXX", NULL);
  g_autoptr(EmberAccountRecord) account = ember_account_record_new ();
  g_autoptr(GError) error = NULL;
  EmberStore *store;
  gint64 id;

  g_assert_nonnull (g_mkdtemp (dir));
  store = ember_store_new_sync (dir, NULL, &error);
  g_assert_no_error (error);

  account->provider = g_strdup ("gmail");
  account->email = g_strdup (email);
  account->api_base = g_strdup ("http://127.0.0.1:9/");
  account->auth_base = g_strdup ("http://127.0.0.1:9/");
  id = ember_store_add_account_sync (store, account, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  if (out_account_id != NULL)
    *out_account_id = id;

  return store;
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ember_sync_manager_load_finish (EMBER_SYNC_MANAGER (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

EmberSyncManager *
tray_test_manager_new (EmberStore *store)
{
  EmberSyncManager *manager;
  gboolean done = FALSE;

  manager = ember_sync_manager_new (store, test_factory, g_object_ref (store), g_object_unref);
  ember_sync_manager_load_async (manager, FALSE, NULL, loaded_cb, &done);
  g_assert_true (ember_test_wait_for (flag_set, &done, 5000));

  return manager;
}

static void
shutdown_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ember_sync_manager_shutdown_finish (EMBER_SYNC_MANAGER (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) data = TRUE;
}

void
tray_test_manager_shutdown (EmberSyncManager *manager)
{
  gboolean done = FALSE;

  tray_test_provider_release ();
  ember_sync_manager_shutdown_async (manager, shutdown_cb, &done);
  g_assert_true (ember_test_wait_for (flag_set, &done, 10000));
}
