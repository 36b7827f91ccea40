/* ember-sync-report.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-providers"

#include "config.h"

#include "ember-sync-report.h"

struct _EmberSyncReport
{
  GObject                parent_instance;

  EmberSyncProgressFunc  func;
  gpointer               user_data;
  GDestroyNotify         destroy;

  GMutex                 mutex;
  char                  *phase;
  char                  *message;
  guint64                done;
  guint64                total;
  guint                  new_messages;
  guint                  changed_events;
  guint                  stored_messages;
};

G_DEFINE_FINAL_TYPE (EmberSyncReport, ember_sync_report, G_TYPE_OBJECT)

EmberSyncReport *
ember_sync_report_new (EmberSyncProgressFunc func,
                       gpointer              user_data,
                       GDestroyNotify        destroy)
{
  EmberSyncReport *self = g_object_new (EMBER_TYPE_SYNC_REPORT, NULL);

  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;

  return self;
}

void
ember_sync_report_progress (EmberSyncReport *self,
                            const char      *phase,
                            guint64          done,
                            guint64          total,
                            const char      *message)
{
  g_return_if_fail (EMBER_IS_SYNC_REPORT (self));

  g_mutex_lock (&self->mutex);
  if (g_strcmp0 (self->phase, phase) != 0)
    {
      g_free (self->phase);
      self->phase = g_strdup (phase);
    }
  if (g_strcmp0 (self->message, message) != 0)
    {
      g_free (self->message);
      self->message = g_strdup (message);
    }
  self->done = done;
  self->total = total;
  g_mutex_unlock (&self->mutex);

  if (self->func != NULL)
    self->func (self, self->user_data);
}

#define DEFINE_COUNTER(name)                                          \
  void                                                                \
  ember_sync_report_add_##name (EmberSyncReport *self,                \
                                guint            n)                   \
  {                                                                   \
    g_return_if_fail (EMBER_IS_SYNC_REPORT (self));                   \
    g_mutex_lock (&self->mutex);                                      \
    self->name += n;                                                  \
    g_mutex_unlock (&self->mutex);                                    \
  }                                                                   \
                                                                      \
  guint                                                               \
  ember_sync_report_get_##name (EmberSyncReport *self)                \
  {                                                                   \
    guint value;                                                      \
                                                                      \
    g_return_val_if_fail (EMBER_IS_SYNC_REPORT (self), 0);            \
    g_mutex_lock (&self->mutex);                                      \
    value = self->name;                                               \
    g_mutex_unlock (&self->mutex);                                    \
    return value;                                                     \
  }

DEFINE_COUNTER (new_messages)
DEFINE_COUNTER (changed_events)
DEFINE_COUNTER (stored_messages)

void
ember_sync_report_get_progress (EmberSyncReport *self,
                                char           **phase,
                                guint64         *done,
                                guint64         *total,
                                char           **message)
{
  g_return_if_fail (EMBER_IS_SYNC_REPORT (self));

  g_mutex_lock (&self->mutex);
  if (phase != NULL)
    *phase = g_strdup (self->phase);
  if (done != NULL)
    *done = self->done;
  if (total != NULL)
    *total = self->total;
  if (message != NULL)
    *message = g_strdup (self->message);
  g_mutex_unlock (&self->mutex);
}

static void
ember_sync_report_finalize (GObject *object)
{
  EmberSyncReport *self = EMBER_SYNC_REPORT (object);

  if (self->destroy != NULL)
    self->destroy (self->user_data);
  g_free (self->phase);
  g_free (self->message);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (ember_sync_report_parent_class)->finalize (object);
}

static void
ember_sync_report_class_init (EmberSyncReportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ember_sync_report_finalize;
}

static void
ember_sync_report_init (EmberSyncReport *self)
{
  g_mutex_init (&self->mutex);
}
