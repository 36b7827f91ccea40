/* ember-message-item.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "ember-message-item.h"

struct _EmberMessageItem
{
  GObject             parent_instance;

  EmberMessageRecord *record;
  guint               thread_count;
  gboolean            loaded;
};

G_DEFINE_FINAL_TYPE (EmberMessageItem, ember_message_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_UNREAD,
  PROP_THREAD_COUNT,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

EmberMessageItem *
ember_message_item_new (EmberMessageRecord *record)
{
  EmberMessageItem *self;

  g_return_val_if_fail (record != NULL, NULL);

  self = g_object_new (EMBER_TYPE_MESSAGE_ITEM, NULL);
  self->record = record;
  self->loaded = TRUE;

  return self;
}

EmberMessageItem *
ember_message_item_new_pending (gint64 id,
                                gint64 date)
{
  EmberMessageItem *self = g_object_new (EMBER_TYPE_MESSAGE_ITEM, NULL);

  self->record = ember_message_record_new ();
  self->record->id = id;
  self->record->date = date;

  return self;
}

void
ember_message_item_set_record (EmberMessageItem   *self,
                               EmberMessageRecord *record)
{
  gboolean unread_changed;

  g_return_if_fail (EMBER_IS_MESSAGE_ITEM (self));
  g_return_if_fail (record != NULL && record->id == self->record->id);

  unread_changed = record->unread != self->record->unread;
  ember_message_record_free (self->record);
  self->record = record;
  self->loaded = TRUE;

  g_object_freeze_notify (G_OBJECT (self));
  if (unread_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
ember_message_item_get_loaded (EmberMessageItem *self)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_ITEM (self), FALSE);

  return self->loaded;
}

const EmberMessageRecord *
ember_message_item_get_record (EmberMessageItem *self)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_ITEM (self), NULL);

  return self->record;
}

gint64
ember_message_item_get_id (EmberMessageItem *self)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_ITEM (self), 0);

  return self->record->id;
}

const char *
ember_message_item_get_sender (EmberMessageItem *self)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_ITEM (self), NULL);

  if (self->record->from_name != NULL && *self->record->from_name != '\0')
    return self->record->from_name;
  if (self->record->from_address != NULL && *self->record->from_address != '\0')
    return self->record->from_address;

  return _("Unknown sender");
}

const char *
ember_message_item_get_subject (EmberMessageItem *self)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_ITEM (self), NULL);

  if (self->record->subject == NULL || *self->record->subject == '\0')
    return _("(No subject)");

  return self->record->subject;
}

const char *
ember_message_item_get_snippet (EmberMessageItem *self)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_ITEM (self), NULL);

  return self->record->snippet != NULL ? self->record->snippet : "";
}

gboolean
ember_message_item_get_unread (EmberMessageItem *self)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_ITEM (self), FALSE);

  return self->record->unread;
}

void
ember_message_item_set_unread (EmberMessageItem *self,
                               gboolean          unread)
{
  g_return_if_fail (EMBER_IS_MESSAGE_ITEM (self));

  unread = !!unread;
  if (self->record->unread == unread)
    return;

  self->record->unread = unread;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
}

guint
ember_message_item_get_thread_count (EmberMessageItem *self)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_ITEM (self), 1);

  return self->thread_count;
}

void
ember_message_item_set_thread_count (EmberMessageItem *self,
                                     guint             count)
{
  g_return_if_fail (EMBER_IS_MESSAGE_ITEM (self));

  if (self->thread_count == count)
    return;

  self->thread_count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THREAD_COUNT]);
}

static void
ember_message_item_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EmberMessageItem *self = EMBER_MESSAGE_ITEM (object);

  switch (prop_id)
    {
    case PROP_UNREAD:
      g_value_set_boolean (value, self->record->unread);
      break;
    case PROP_THREAD_COUNT:
      g_value_set_uint (value, self->thread_count);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_message_item_finalize (GObject *object)
{
  EmberMessageItem *self = EMBER_MESSAGE_ITEM (object);

  g_clear_pointer (&self->record, ember_message_record_free);

  G_OBJECT_CLASS (ember_message_item_parent_class)->finalize (object);
}

static void
ember_message_item_class_init (EmberMessageItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ember_message_item_finalize;
  object_class->get_property = ember_message_item_get_property;

  properties[PROP_UNREAD] =
    g_param_spec_boolean ("unread", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_THREAD_COUNT] =
    g_param_spec_uint ("thread-count", NULL, NULL, 1, G_MAXUINT, 1,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ember_message_item_init (EmberMessageItem *self)
{
  self->thread_count = 1;
}
