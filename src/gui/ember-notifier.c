/* ember-notifier.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything runs on the main thread except the reminder wait, which blocks
 * a worker of the notifier's own one-thread pool on the clock (so tests can
 * move a fake clock instead of sleeping) and comes back through its GTask.
 *
 * "First sync": an account whose store shows no successful sync from before
 * the notifier started, and that has not finished a sync since, is in its
 * first sync. Its mail is history, not news, so it gets no notification.
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "ember-notifier.h"
#include "ember-task-tracker.h"

/* How long one wait on the clock may last before the events are read
 * again (clock changes, suspend); reminders come at most this long before
 * the start (Google's limit, four weeks), so the store is asked for the
 * events starting within the sum; a reminder found up to this long after
 * the event began (a late wake-up) still says "Starts now". */
#define REMINDER_MAX_WAIT_SECONDS   (60 * 60)
#define REMINDER_MAX_OFFSET_SECONDS (4 * 7 * 24 * 60 * 60)
#define REMINDER_GRACE_SECONDS      60
/* At most this many senders are named in a new-mail notification. */
#define MAX_SENDERS 3

struct _EmberNotifier
{
  GObject           parent_instance;

  GApplication     *application;   /* weak: it owns us */
  EmberSyncManager *manager;
  EmberStore       *store;
  GSettings        *settings;
  EmberClock       *clock;
  EmberTaskTracker *tracker;
  GCancellable     *cancellable;
  gint64            started;       /* clock time (s) when made */

  /* Accounts, read from the store at start and whenever an unknown one
   * shows up; sync outcomes wait in @pending until the first read is in. */
  gboolean          loaded;
  gboolean          loading;
  GQueue            pending;       /* (element-type PendingOutcome) */
  GHashTable       *emails;        /* gint64* -> char* */
  GHashTable       *established;   /* set of gint64*: past their first sync */
  GHashTable       *problems;      /* set of gint64*: a problem notification is out */

  /* Whether anything on the session bus shows notifications; without, GLib
   * warns on the first one and the rest go nowhere. */
  GDBusConnection  *connection;
  guint             service_watches[3];
  guint             services_present;   /* bit per watched name */
  guint             services_activatable;
  gboolean          services_known;

  /* Reminders. */
  GHashTable       *reminded;      /* set of "event id:start" */
  gboolean          reading_events;
  gboolean          read_events_again;
  GCancellable     *wait_cancellable;
};

G_DEFINE_FINAL_TYPE (EmberNotifier, ember_notifier, G_TYPE_OBJECT)

enum {
  OPEN_MESSAGE,
  OPEN_EVENT,
  SHOW_ACCOUNT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  gint64          account_id;
  guint           new_messages;  /* on success */
  EmberUserError *error;         /* NULL: the sync succeeded */
  gboolean        reread;        /* the accounts were read again for it */
} PendingOutcome;

static void read_events (EmberNotifier *self);
static void handle_outcome (EmberNotifier *self, PendingOutcome *outcome);

static void
pending_outcome_free (PendingOutcome *outcome)
{
  g_clear_pointer (&outcome->error, ember_user_error_free);
  g_free (outcome);
}

static gint64 *
int64_dup (gint64 value)
{
  gint64 *copy = g_new (gint64, 1);

  *copy = value;
  return copy;
}

static gint64
now_seconds (EmberNotifier *self)
{
  return ember_clock_get_real (self->clock) / G_USEC_PER_SEC;
}

static gboolean
setting_enabled (EmberNotifier *self,
                 const char    *key)
{
  return self->settings == NULL || g_settings_get_boolean (self->settings, key);
}

/* What GApplication's notification backends talk to. The portal counts
 * only inside a sandbox, where GLib uses it. */
static const char * const notification_services[] = {
  "org.freedesktop.Notifications",
  "org.gtk.Notifications",
  "org.freedesktop.portal.Desktop",
};

static gboolean
can_notify (EmberNotifier *self)
{
  guint usable;

  if (self->connection == NULL || !self->services_known)
    return TRUE;

  usable = self->services_present | self->services_activatable;
  if (!g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    usable &= ~(1u << 2);

  return usable != 0;
}

static void
service_appeared_cb (GDBusConnection *connection,
                     const char      *name,
                     const char      *name_owner,
                     gpointer         user_data)
{
  EmberNotifier *self = user_data;

  for (guint i = 0; i < G_N_ELEMENTS (notification_services); i++)
    {
      if (g_str_equal (name, notification_services[i]))
        self->services_present |= 1u << i;
    }
}

static void
service_vanished_cb (GDBusConnection *connection,
                     const char      *name,
                     gpointer         user_data)
{
  EmberNotifier *self = user_data;

  for (guint i = 0; i < G_N_ELEMENTS (notification_services); i++)
    {
      if (g_str_equal (name, notification_services[i]))
        self->services_present &= ~(1u << i);
    }
}

static void
activatable_names_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree const char **names = NULL;
  EmberNotifier *self;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = EMBER_NOTIFIER (user_data);
  self->services_known = TRUE;
  if (reply == NULL)
    {
      g_debug ("Could not list the activatable services: %s", error->message);
      return;
    }

  g_variant_get (reply, "(^a&s)", &names);
  for (guint i = 0; i < G_N_ELEMENTS (notification_services); i++)
    {
      if (g_strv_contains (names, notification_services[i]))
        self->services_activatable |= 1u << i;
    }
}

static void
watch_notification_services (EmberNotifier *self)
{
  self->connection = g_application_get_dbus_connection (self->application);
  if (self->connection == NULL)
    return;

  g_object_ref (self->connection);
  for (guint i = 0; i < G_N_ELEMENTS (notification_services); i++)
    self->service_watches[i] = g_bus_watch_name_on_connection (self->connection, notification_services[i],
                                                               G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                               service_appeared_cb, service_vanished_cb,
                                                               self, NULL);
  /* Cancelled in dispose, so @self needs no reference. */
  g_dbus_connection_call (self->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "ListActivatableNames", NULL, G_VARIANT_TYPE ("(as)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, activatable_names_cb, self);
}

static void
send (EmberNotifier *self,
      const char    *id,
      GNotification *notification)
{
  if (self->application == NULL)
    return;

  if (!can_notify (self))
    {
      g_debug ("No notification service on the session bus: not showing %s", id);
      return;
    }

  g_debug ("Sending notification %s", id);
  g_application_send_notification (self->application, id, notification);
}

static void
withdraw (EmberNotifier *self,
          const char    *id)
{
  g_debug ("Withdrawing notification %s", id);
  if (self->application != NULL)
    g_application_withdraw_notification (self->application, id);
}

/* Accounts */

static void
accounts_loaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(EmberNotifier) self = user_data;
  g_autoptr(GPtrArray) statuses = NULL;
  g_autoptr(GError) error = NULL;
  GQueue pending = G_QUEUE_INIT;
  PendingOutcome *outcome;

  self->loading = FALSE;
  statuses = ember_store_list_account_status_finish (EMBER_STORE (object), result, &error);
  if (statuses == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Could not read the accounts for notifications: %s", error->message);
    }

  for (guint i = 0; statuses != NULL && i < statuses->len; i++)
    {
      const EmberAccountStatus *status = g_ptr_array_index (statuses, i);
      gint64 id = status->account->id;
      gint64 last_success = 0;

      g_hash_table_replace (self->emails, int64_dup (id), g_strdup (status->account->email));

      for (guint j = 0; status->sync_states != NULL && j < status->sync_states->len; j++)
        {
          const EmberSyncState *state = g_ptr_array_index (status->sync_states, j);

          last_success = MAX (last_success, state->last_success);
        }
      /* A success from before we started: this run's syncs are not first
       * ones (a success from this run is seen through account-synced). */
      if (last_success > 0 && last_success < self->started)
        g_hash_table_add (self->established, int64_dup (id));
    }

  if (!self->loaded)
    {
      self->loaded = TRUE;
      read_events (self);
    }

  /* Handling one may queue it again for another read of the accounts. */
  pending = self->pending;
  g_queue_init (&self->pending);
  while ((outcome = g_queue_pop_head (&pending)) != NULL)
    {
      handle_outcome (self, outcome);
      pending_outcome_free (outcome);
    }
}

static void
load_accounts (EmberNotifier *self)
{
  if (self->loading)
    return;

  self->loading = TRUE;
  ember_store_list_account_status_async (self->store, self->cancellable,
                                         accounts_loaded_cb, g_object_ref (self));
}

static const char *
account_email (EmberNotifier *self,
               gint64         account_id)
{
  return g_hash_table_lookup (self->emails, &account_id);
}

/* New mail */

typedef struct
{
  EmberNotifier *self;
  gint64         account_id;
  guint          new_messages;
} MailRequest;

static void
mail_request_free (MailRequest *request)
{
  g_clear_object (&request->self);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MailRequest, mail_request_free)

static char *
sender_name (const EmberMessageRecord *message)
{
  if (message->from_name != NULL && *message->from_name != '\0')
    return g_strdup (message->from_name);
  if (message->from_address != NULL && *message->from_address != '\0')
    return g_strdup (message->from_address);

  return g_strdup (_("Unknown sender"));
}

/* "From Ann", "From Ann and Bob", "From Ann, Bob and Carol", "From Ann, Bob,
 * Carol and others". */
static char *
format_senders (GPtrArray *names,
                gboolean   more)
{
  g_autoptr(GString) list = g_string_new (NULL);

  if (names->len == 0)
    return NULL;

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      if (i > 0)
        /* Translators: between two names in a list, not the last two. */
        g_string_append (list, i + 1 == names->len && !more ? _(" and ") : _(", "));
      g_string_append (list, name);
    }

  if (more)
    /* Translators: "From Ann, Bob and others" */
    return g_strdup_printf (_("From %s and others"), list->str);

  /* Translators: %s is a list of names */
  return g_strdup_printf (_("From %s"), list->str);
}

static void
new_messages_loaded_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(MailRequest) request = user_data;
  EmberNotifier *self = request->self;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;
  const EmberMessageRecord *newest = NULL;
  gboolean more = FALSE;

  messages = ember_store_list_messages_finish (EMBER_STORE (object), result, &error);
  if (messages == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the new messages: %s", error->message);
      return;
    }

  /* The newest rows of the inbox are the ones that just came in; unread
   * ones first, since those are the news. */
  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < messages->len; i++)
        {
          const EmberMessageRecord *message = g_ptr_array_index (messages, i);
          g_autofree char *name = NULL;
          gboolean seen = FALSE;

          if ((pass == 0) != message->unread)
            continue;
          if (newest == NULL)
            newest = message;

          name = sender_name (message);
          for (guint j = 0; j < names->len && !seen; j++)
            seen = g_str_equal (g_ptr_array_index (names, j), name);
          if (seen)
            continue;
          if (names->len == MAX_SENDERS)
            {
              more = TRUE;
              continue;
            }
          g_ptr_array_add (names, g_steal_pointer (&name));
        }
    }
  if (messages->len < request->new_messages && names->len > 0)
    more = names->len >= MAX_SENDERS || more;

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new message", "%u new messages",
                                        request->new_messages),
                           request->new_messages);
  notification = g_notification_new (title);
  body = format_senders (names, more);
  if (body != NULL)
    g_notification_set_body (notification, body);
  g_notification_set_category (notification, "email.arrived");

  if (newest != NULL)
    g_notification_set_default_action_and_target (notification,
                                                  "app." EMBER_NOTIFIER_ACTION_OPEN_MESSAGE,
                                                  "x", newest->id);
  else
    g_notification_set_default_action (notification, "app.activate");

  id = g_strdup_printf ("new-mail-%" G_GINT64_FORMAT, request->account_id);
  send (self, id, notification);
}

static void
notify_new_mail (EmberNotifier *self,
                 gint64         account_id,
                 guint          new_messages)
{
  EmberMessageQuery query = { 0 };
  MailRequest *request;

  query.scope = EMBER_MESSAGE_SCOPE_INBOX;
  query.account_id = account_id;
  query.limit = MIN (new_messages, 20);

  request = g_new0 (MailRequest, 1);
  request->self = g_object_ref (self);
  request->account_id = account_id;
  request->new_messages = new_messages;
  ember_store_list_messages_async (self->store, &query, self->cancellable,
                                   new_messages_loaded_cb, request);
}

/* Problems */

static char *
problem_id (gint64 account_id)
{
  return g_strdup_printf ("problem-%" G_GINT64_FORMAT, account_id);
}

static void
notify_problem (EmberNotifier        *self,
                gint64                account_id,
                const EmberUserError *error)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *id = problem_id (account_id);
  const char *email = account_email (self, account_id);

  /* Retryable trouble (network, server, rate limits) sorts itself out; the
   * tray shows it meanwhile. */
  if (!error->needs_sign_in && error->retryable)
    return;
  if (g_hash_table_contains (self->problems, &account_id))
    return;
  if (!setting_enabled (self, "notify-problems"))
    return;

  if (email == NULL)
    email = _("an account");

  if (error->needs_sign_in)
    title = g_strdup_printf (_("Sign in to %s again"), email);
  else
    title = g_strdup_printf (_("Ember cannot sync %s"), email);

  notification = g_notification_new (title);
  g_notification_set_body (notification, error->message);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_category (notification, "email");
  g_notification_set_default_action_and_target (notification,
                                                "app." EMBER_NOTIFIER_ACTION_SHOW_ACCOUNT,
                                                "x", account_id);
  if (error->needs_sign_in)
    g_notification_add_button_with_target (notification, _("Sign In…"),
                                           "app." EMBER_NOTIFIER_ACTION_SHOW_ACCOUNT,
                                           "x", account_id);

  g_hash_table_add (self->problems, int64_dup (account_id));
  send (self, id, notification);
}

static void
handle_outcome (EmberNotifier  *self,
                PendingOutcome *outcome)
{
  gint64 id = outcome->account_id;

  if (outcome->error != NULL)
    {
      if (account_email (self, id) == NULL && !outcome->reread)
        {
          /* An account added while we run: read its address first. */
          PendingOutcome *again = g_memdup2 (outcome, sizeof *outcome);

          again->error = ember_user_error_copy (outcome->error);
          again->reread = TRUE;
          g_queue_push_tail (&self->pending, again);
          load_accounts (self);
          return;
        }

      notify_problem (self, id, outcome->error);
      return;
    }

  if (g_hash_table_remove (self->problems, &id))
    {
      g_autofree char *problem = problem_id (id);

      withdraw (self, problem);
    }

  if (!g_hash_table_contains (self->established, &id))
    {
      g_debug ("First sync of account %" G_GINT64_FORMAT ": no new-mail notification", id);
      g_hash_table_add (self->established, int64_dup (id));
      return;
    }

  if (outcome->new_messages > 0 && setting_enabled (self, "notify-new-mail"))
    notify_new_mail (self, id, outcome->new_messages);
}

static void
queue_or_handle (EmberNotifier  *self,
                 PendingOutcome *outcome)
{
  if (!self->loaded || self->loading)
    {
      g_queue_push_tail (&self->pending, outcome);
      return;
    }

  handle_outcome (self, outcome);
  pending_outcome_free (outcome);
}

static void
account_synced_cb (EmberNotifier *self,
                   gint64         account_id,
                   guint          new_messages,
                   guint          changed_events)
{
  PendingOutcome *outcome = g_new0 (PendingOutcome, 1);

  outcome->account_id = account_id;
  outcome->new_messages = new_messages;
  queue_or_handle (self, outcome);

  if (changed_events > 0 && self->loaded)
    read_events (self);
}

static void
sync_error_cb (EmberNotifier        *self,
               gint64                account_id,
               const EmberUserError *error)
{
  PendingOutcome *outcome = g_new0 (PendingOutcome, 1);

  outcome->account_id = account_id;
  outcome->error = ember_user_error_copy (error);
  queue_or_handle (self, outcome);
}

/* Reminders */

/* When the event's popup reminder is due, FALSE when it has none. */
static gboolean
reminder_time (const EmberEventRecord *event,
               gint64                 *out_time)
{
  if (!event->has_reminder)
    return FALSE;

  *out_time = event->start - (gint64) MIN (event->reminder_minutes, REMINDER_MAX_OFFSET_SECONDS / 60) * 60;
  return TRUE;
}

/* "In 5 minutes, 10:00–10:30", "Today, 14:00–15:00", "Tomorrow, …",
 * "Friday 8 May, …". */
static char *
format_when (const EmberEventRecord *event,
             gint64                  now)
{
  g_autoptr(GDateTime) start = g_date_time_new_from_unix_local (event->start);
  g_autoptr(GDateTime) end = g_date_time_new_from_unix_local (event->end);
  g_autoptr(GDateTime) today = g_date_time_new_from_unix_local (now);
  g_autofree char *start_text = NULL;
  g_autofree char *end_text = NULL;
  g_autofree char *day_text = NULL;
  gint64 minutes = (event->start - now + 59) / 60;
  int days;

  /* Translators: a time of day, see g_date_time_format(). */
  start_text = g_date_time_format (start, _("%H:%M"));
  end_text = g_date_time_format (end, _("%H:%M"));

  if (minutes <= 1)
    return g_strdup_printf (_("Starts now, %s–%s"), start_text, end_text);
  if (minutes < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "In %d minute, %s–%s",
                                         "In %d minutes, %s–%s",
                                         (gulong) minutes),
                            (int) minutes, start_text, end_text);

  days = g_date_time_get_year (start) != g_date_time_get_year (today)
           ? 2
           : g_date_time_get_day_of_year (start) - g_date_time_get_day_of_year (today);
  if (days == 0)
    /* Translators: "Today, 14:00–15:00" */
    return g_strdup_printf (_("Today, %s–%s"), start_text, end_text);
  if (days == 1)
    /* Translators: "Tomorrow, 14:00–15:00" */
    return g_strdup_printf (_("Tomorrow, %s–%s"), start_text, end_text);

  /* Translators: a date, see g_date_time_format(). */
  day_text = g_date_time_format (start, _("%A %-e %B"));
  /* Translators: "Friday 8 May, 14:00–15:00" */
  return g_strdup_printf (_("%s, %s–%s"), day_text, start_text, end_text);
}

static void
notify_event (EmberNotifier          *self,
              const EmberEventRecord *event,
              gint64                  now)
{
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *when = format_when (event, now);
  g_autofree char *id = NULL;

  notification = g_notification_new (event->summary != NULL && *event->summary != '\0'
                                       ? event->summary : _("Untitled event"));

  g_string_append (body, when);
  if (event->location != NULL && *event->location != '\0')
    g_string_append_printf (body, "\n%s", event->location);

  g_notification_set_body (notification, body->str);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_category (notification, "x-gnome.calendar.reminder");
  g_notification_set_default_action_and_target (notification,
                                                "app." EMBER_NOTIFIER_ACTION_OPEN_EVENT,
                                                "x", event->id);

  id = g_strdup_printf ("event-%" G_GINT64_FORMAT, event->id);
  send (self, id, notification);
}

typedef struct
{
  EmberClock *clock;
  gint64      deadline;   /* monotonic µs */
} WaitData;

static void
wait_data_free (WaitData *data)
{
  g_clear_object (&data->clock);
  g_free (data);
}

static void
wait_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  WaitData *data = task_data;
  GError *error = NULL;

  if (!ember_clock_wait_until (data->clock, data->deadline, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
wait_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));
  EmberNotifier *self = user_data;

  /* Cancelled: either a newer wait replaced this one or the notifier is
   * gone; @self must not be touched in the latter case. */
  if (g_cancellable_is_cancelled (cancellable))
    return;

  g_assert (self->wait_cancellable == cancellable);
  g_clear_object (&self->wait_cancellable);
  read_events (self);
}

/* Sleeps until @deadline (clock seconds, real time), then reads the
 * events again. */
static void
wait_until (EmberNotifier *self,
            gint64         deadline)
{
  g_autoptr(GTask) task = NULL;
  gint64 now_real = ember_clock_get_real (self->clock);
  gint64 wait_usec;
  WaitData *data;

  if (self->wait_cancellable != NULL)
    g_cancellable_cancel (self->wait_cancellable);
  g_clear_object (&self->wait_cancellable);
  self->wait_cancellable = g_cancellable_new ();

  wait_usec = CLAMP (deadline * G_USEC_PER_SEC - now_real, 0, (gint64) REMINDER_MAX_WAIT_SECONDS * G_USEC_PER_SEC);
  g_debug ("Next reminder check in %" G_GINT64_FORMAT " s", wait_usec / G_USEC_PER_SEC);
  data = g_new0 (WaitData, 1);
  data->clock = g_object_ref (self->clock);
  data->deadline = ember_clock_get_monotonic (self->clock) + wait_usec;

  task = g_task_new (NULL, self->wait_cancellable, wait_done_cb, self);
  g_task_set_source_tag (task, wait_until);
  g_task_set_name (task, "[ember] reminder wait");
  g_task_set_task_data (task, data, (GDestroyNotify) wait_data_free);
  ember_task_tracker_run (self->tracker, task, wait_thread);
}

static void
events_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EmberNotifier) self = user_data;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = now_seconds (self);
  gint64 next = now + REMINDER_MAX_WAIT_SECONDS;

  self->reading_events = FALSE;
  events = ember_store_list_events_finish (EMBER_STORE (object), result, &error);
  if (events == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Could not read the upcoming events: %s", error->message);
    }

  for (guint i = 0; events != NULL && i < events->len; i++)
    {
      const EmberEventRecord *event = g_ptr_array_index (events, i);
      gint64 remind_at;
      g_autofree char *key = NULL;

      /* All-day events have no time to be reminded of. */
      if (event->all_day || event->start + REMINDER_GRACE_SECONDS < now)
        continue;
      if (g_strcmp0 (event->status, "cancelled") == 0)
        continue;
      if (!reminder_time (event, &remind_at))
        continue;

      if (remind_at > now)
        {
          next = MIN (next, remind_at);
          continue;
        }

      key = g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, event->id, event->start);
      if (g_hash_table_contains (self->reminded, key))
        continue;
      g_hash_table_add (self->reminded, g_steal_pointer (&key));

      if (setting_enabled (self, "notify-events"))
        notify_event (self, event, now);
    }

  if (self->read_events_again)
    read_events (self);
  else
    wait_until (self, next);
}

static void
read_events (EmberNotifier *self)
{
  gint64 now = now_seconds (self);

  if (self->reading_events)
    {
      self->read_events_again = TRUE;
      return;
    }

  self->reading_events = TRUE;
  self->read_events_again = FALSE;
  /* Events that overlap [now, …), so ones that just began are there. */
  ember_store_list_events_async (self->store, 0,
                                 now,
                                 now + REMINDER_MAX_WAIT_SECONDS + REMINDER_MAX_OFFSET_SECONDS,
                                 self->cancellable, events_loaded_cb, g_object_ref (self));
}

/* Actions */

static void
open_action_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  EmberNotifier *self = user_data;
  const char *name = g_action_get_name (G_ACTION (action));
  gint64 id = g_variant_get_int64 (parameter);

  if (self->application != NULL)
    g_application_activate (self->application);

  if (g_str_equal (name, EMBER_NOTIFIER_ACTION_OPEN_MESSAGE))
    g_signal_emit (self, signals[OPEN_MESSAGE], 0, id);
  else if (g_str_equal (name, EMBER_NOTIFIER_ACTION_OPEN_EVENT))
    g_signal_emit (self, signals[OPEN_EVENT], 0, id);
  else
    g_signal_emit (self, signals[SHOW_ACCOUNT], 0, id);
}

static void
add_actions (EmberNotifier *self)
{
  static const char *names[] = {
    EMBER_NOTIFIER_ACTION_OPEN_MESSAGE,
    EMBER_NOTIFIER_ACTION_OPEN_EVENT,
    EMBER_NOTIFIER_ACTION_SHOW_ACCOUNT,
  };

  if (!G_IS_ACTION_MAP (self->application))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GSimpleAction) action = NULL;

      if (g_action_group_has_action (G_ACTION_GROUP (self->application), names[i]))
        continue;

      action = g_simple_action_new (names[i], G_VARIANT_TYPE_INT64);
      g_signal_connect_object (action, "activate", G_CALLBACK (open_action_cb), self, 0);
      g_action_map_add_action (G_ACTION_MAP (self->application), G_ACTION (action));
    }
}

EmberNotifier *
ember_notifier_new (GApplication     *application,
                    EmberSyncManager *manager,
                    EmberStore       *store,
                    GSettings        *settings,
                    EmberClock       *clock)
{
  EmberNotifier *self;

  g_return_val_if_fail (G_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (EMBER_IS_SYNC_MANAGER (manager), NULL);
  g_return_val_if_fail (EMBER_IS_STORE (store), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (clock == NULL || EMBER_IS_CLOCK (clock), NULL);

  self = g_object_new (EMBER_TYPE_NOTIFIER, NULL);
  self->application = application;
  g_object_add_weak_pointer (G_OBJECT (application), (gpointer *) &self->application);
  self->manager = g_object_ref (manager);
  self->store = g_object_ref (store);
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;
  self->clock = g_object_ref (clock != NULL ? clock : ember_clock_get_default ());
  self->started = now_seconds (self);

  add_actions (self);
  watch_notification_services (self);

  g_signal_connect_object (manager, "account-synced", G_CALLBACK (account_synced_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "sync-error", G_CALLBACK (sync_error_cb), self, G_CONNECT_SWAPPED);

  load_accounts (self);

  return self;
}

static void
ember_notifier_dispose (GObject *object)
{
  EmberNotifier *self = EMBER_NOTIFIER (object);

  g_cancellable_cancel (self->cancellable);
  for (guint i = 0; i < G_N_ELEMENTS (self->service_watches); i++)
    g_clear_handle_id (&self->service_watches[i], g_bus_unwatch_name);
  g_clear_object (&self->connection);
  if (self->wait_cancellable != NULL)
    g_cancellable_cancel (self->wait_cancellable);
  g_clear_object (&self->wait_cancellable);
  if (self->application != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->application), (gpointer *) &self->application);
  self->application = NULL;
  g_clear_object (&self->tracker);
  g_clear_object (&self->manager);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (ember_notifier_parent_class)->dispose (object);
}

static void
ember_notifier_finalize (GObject *object)
{
  EmberNotifier *self = EMBER_NOTIFIER (object);

  g_queue_clear_full (&self->pending, (GDestroyNotify) pending_outcome_free);
  g_clear_pointer (&self->emails, g_hash_table_unref);
  g_clear_pointer (&self->established, g_hash_table_unref);
  g_clear_pointer (&self->problems, g_hash_table_unref);
  g_clear_pointer (&self->reminded, g_hash_table_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ember_notifier_parent_class)->finalize (object);
}

static void
ember_notifier_class_init (EmberNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ember_notifier_dispose;
  object_class->finalize = ember_notifier_finalize;

  /**
   * EmberNotifier::open-message:
   * @message_id: the message's row id
   *
   * A new-mail notification was clicked; the application has been
   * activated.
   */
  signals[OPEN_MESSAGE] =
    g_signal_new ("open-message",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
  /**
   * EmberNotifier::open-event:
   * @event_id: the event's row id
   */
  signals[OPEN_EVENT] =
    g_signal_new ("open-event",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
  /**
   * EmberNotifier::show-account:
   * @account_id: the account that needs attention
   */
  signals[SHOW_ACCOUNT] =
    g_signal_new ("show-account",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
ember_notifier_init (EmberNotifier *self)
{
  self->cancellable = g_cancellable_new ();
  self->tracker = ember_task_tracker_new (1);
  g_queue_init (&self->pending);
  self->emails = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->established = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->problems = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->reminded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
