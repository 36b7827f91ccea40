/* ember-store-types.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-store"

#include "config.h"

#include "ember-store-types.h"

static const char * const folder_kind_names[] = {
  [EMBER_FOLDER_KIND_INBOX] = "inbox",
  [EMBER_FOLDER_KIND_SENT] = "sent",
  [EMBER_FOLDER_KIND_ARCHIVE] = "archive",
  [EMBER_FOLDER_KIND_TRASH] = "trash",
  [EMBER_FOLDER_KIND_DRAFTS] = "drafts",
  [EMBER_FOLDER_KIND_JUNK] = "junk",
  [EMBER_FOLDER_KIND_LABEL] = "label",
  [EMBER_FOLDER_KIND_OTHER] = "other",
};

const char *
ember_folder_kind_to_string (EmberFolderKind kind)
{
  if ((guint) kind >= G_N_ELEMENTS (folder_kind_names))
    return folder_kind_names[EMBER_FOLDER_KIND_OTHER];

  return folder_kind_names[kind];
}

EmberFolderKind
ember_folder_kind_from_string (const char *kind)
{
  if (kind == NULL)
    return EMBER_FOLDER_KIND_OTHER;

  for (guint i = 0; i < G_N_ELEMENTS (folder_kind_names); i++)
    if (g_str_equal (kind, folder_kind_names[i]))
      return (EmberFolderKind) i;

  return EMBER_FOLDER_KIND_OTHER;
}

static GPtrArray *
copy_string_array (const GPtrArray *array)
{
  GPtrArray *copy;

  if (array == NULL)
    return NULL;

  copy = g_ptr_array_new_full (array->len, g_free);
  for (guint i = 0; i < array->len; i++)
    g_ptr_array_add (copy, g_strdup (g_ptr_array_index (array, i)));

  return copy;
}

/* Accounts */

G_DEFINE_BOXED_TYPE (EmberAccountRecord, ember_account_record,
                     ember_account_record_copy, ember_account_record_free)

EmberAccountRecord *
ember_account_record_new (void)
{
  EmberAccountRecord *self = g_new0 (EmberAccountRecord, 1);

  self->mail_enabled = TRUE;
  self->calendar_enabled = TRUE;

  return self;
}

EmberAccountRecord *
ember_account_record_copy (const EmberAccountRecord *self)
{
  EmberAccountRecord *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->provider = g_strdup (self->provider);
  copy->email = g_strdup (self->email);
  copy->display_name = g_strdup (self->display_name);
  copy->api_base = g_strdup (self->api_base);
  copy->auth_base = g_strdup (self->auth_base);
  copy->client_id = g_strdup (self->client_id);

  return copy;
}

void
ember_account_record_free (EmberAccountRecord *self)
{
  if (self == NULL)
    return;

  g_free (self->provider);
  g_free (self->email);
  g_free (self->display_name);
  g_free (self->api_base);
  g_free (self->auth_base);
  g_free (self->client_id);
  g_free (self);
}

/* Folders */

G_DEFINE_BOXED_TYPE (EmberFolderRecord, ember_folder_record,
                     ember_folder_record_copy, ember_folder_record_free)

EmberFolderRecord *
ember_folder_record_new (void)
{
  EmberFolderRecord *self = g_new0 (EmberFolderRecord, 1);

  self->kind = EMBER_FOLDER_KIND_OTHER;

  return self;
}

EmberFolderRecord *
ember_folder_record_copy (const EmberFolderRecord *self)
{
  EmberFolderRecord *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->provider_id = g_strdup (self->provider_id);
  copy->name = g_strdup (self->name);
  copy->parent_provider_id = g_strdup (self->parent_provider_id);

  return copy;
}

void
ember_folder_record_free (EmberFolderRecord *self)
{
  if (self == NULL)
    return;

  g_free (self->provider_id);
  g_free (self->name);
  g_free (self->parent_provider_id);
  g_free (self);
}

/* Messages */

G_DEFINE_BOXED_TYPE (EmberMessageRecord, ember_message_record,
                     ember_message_record_copy, ember_message_record_free)

EmberMessageRecord *
ember_message_record_new (void)
{
  return g_new0 (EmberMessageRecord, 1);
}

EmberMessageRecord *
ember_message_record_copy (const EmberMessageRecord *self)
{
  EmberMessageRecord *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->provider_id = g_strdup (self->provider_id);
  copy->thread_id = g_strdup (self->thread_id);
  copy->internet_message_id = g_strdup (self->internet_message_id);
  copy->subject = g_strdup (self->subject);
  copy->from_name = g_strdup (self->from_name);
  copy->from_address = g_strdup (self->from_address);
  copy->to = g_strdup (self->to);
  copy->cc = g_strdup (self->cc);
  copy->snippet = g_strdup (self->snippet);
  copy->body_text = g_strdup (self->body_text);
  copy->body_html = g_strdup (self->body_html);
  copy->attachments_json = g_strdup (self->attachments_json);
  copy->folder_ids = copy_string_array (self->folder_ids);
  copy->folder_names = copy_string_array (self->folder_names);

  return copy;
}

void
ember_message_record_free (EmberMessageRecord *self)
{
  if (self == NULL)
    return;

  g_free (self->provider_id);
  g_free (self->thread_id);
  g_free (self->internet_message_id);
  g_free (self->subject);
  g_free (self->from_name);
  g_free (self->from_address);
  g_free (self->to);
  g_free (self->cc);
  g_free (self->snippet);
  g_free (self->body_text);
  g_free (self->body_html);
  g_free (self->attachments_json);
  g_clear_pointer (&self->folder_ids, g_ptr_array_unref);
  g_clear_pointer (&self->folder_names, g_ptr_array_unref);
  g_free (self);
}

void
ember_message_record_add_folder_id (EmberMessageRecord *self,
                                    const char         *folder_provider_id)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (folder_provider_id != NULL);

  if (self->folder_ids == NULL)
    self->folder_ids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->folder_ids, g_strdup (folder_provider_id));
}

EmberMessageCursor
ember_message_cursor_after (const EmberMessageRecord *record)
{
  EmberMessageCursor cursor = { 0, 0 };

  g_return_val_if_fail (record != NULL, cursor);

  cursor.date = record->date;
  cursor.id = record->id;

  return cursor;
}

/* Calendars */

G_DEFINE_BOXED_TYPE (EmberCalendarRecord, ember_calendar_record,
                     ember_calendar_record_copy, ember_calendar_record_free)

EmberCalendarRecord *
ember_calendar_record_new (void)
{
  return g_new0 (EmberCalendarRecord, 1);
}

EmberCalendarRecord *
ember_calendar_record_copy (const EmberCalendarRecord *self)
{
  EmberCalendarRecord *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->provider_id = g_strdup (self->provider_id);
  copy->name = g_strdup (self->name);
  copy->color = g_strdup (self->color);
  copy->time_zone = g_strdup (self->time_zone);

  return copy;
}

void
ember_calendar_record_free (EmberCalendarRecord *self)
{
  if (self == NULL)
    return;

  g_free (self->provider_id);
  g_free (self->name);
  g_free (self->color);
  g_free (self->time_zone);
  g_free (self);
}

/* Events */

G_DEFINE_BOXED_TYPE (EmberEventRecord, ember_event_record,
                     ember_event_record_copy, ember_event_record_free)

EmberEventRecord *
ember_event_record_new (void)
{
  return g_new0 (EmberEventRecord, 1);
}

EmberEventRecord *
ember_event_record_copy (const EmberEventRecord *self)
{
  EmberEventRecord *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->calendar_provider_id = g_strdup (self->calendar_provider_id);
  copy->provider_id = g_strdup (self->provider_id);
  copy->summary = g_strdup (self->summary);
  copy->description = g_strdup (self->description);
  copy->location = g_strdup (self->location);
  copy->time_zone = g_strdup (self->time_zone);
  copy->start_date = g_strdup (self->start_date);
  copy->end_date = g_strdup (self->end_date);
  copy->status = g_strdup (self->status);
  copy->recurring_event_id = g_strdup (self->recurring_event_id);
  copy->organizer = g_strdup (self->organizer);
  copy->attendees_json = g_strdup (self->attendees_json);

  return copy;
}

void
ember_event_record_free (EmberEventRecord *self)
{
  if (self == NULL)
    return;

  g_free (self->calendar_provider_id);
  g_free (self->provider_id);
  g_free (self->summary);
  g_free (self->description);
  g_free (self->location);
  g_free (self->time_zone);
  g_free (self->start_date);
  g_free (self->end_date);
  g_free (self->status);
  g_free (self->recurring_event_id);
  g_free (self->organizer);
  g_free (self->attendees_json);
  g_free (self);
}

/* Sync state */

G_DEFINE_BOXED_TYPE (EmberSyncState, ember_sync_state,
                     ember_sync_state_copy, ember_sync_state_free)

EmberSyncState *
ember_sync_state_new (void)
{
  return g_new0 (EmberSyncState, 1);
}

EmberSyncState *
ember_sync_state_copy (const EmberSyncState *self)
{
  EmberSyncState *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->resource = g_strdup (self->resource);
  copy->cursor = g_strdup (self->cursor);
  copy->phase = g_strdup (self->phase);
  copy->last_error = g_strdup (self->last_error);
  copy->extra_json = g_strdup (self->extra_json);

  return copy;
}

void
ember_sync_state_free (EmberSyncState *self)
{
  if (self == NULL)
    return;

  g_free (self->resource);
  g_free (self->cursor);
  g_free (self->phase);
  g_free (self->last_error);
  g_free (self->extra_json);
  g_free (self);
}

/* Account status */

G_DEFINE_BOXED_TYPE (EmberAccountStatus, ember_account_status,
                     ember_account_status_copy, ember_account_status_free)

EmberAccountStatus *
ember_account_status_copy (const EmberAccountStatus *self)
{
  EmberAccountStatus *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (EmberAccountStatus, 1);
  copy->account = self->account != NULL ? ember_account_record_copy (self->account) : NULL;
  copy->counts = self->counts;
  copy->sync_states = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_sync_state_free);
  if (self->sync_states != NULL)
    for (guint i = 0; i < self->sync_states->len; i++)
      g_ptr_array_add (copy->sync_states,
                       ember_sync_state_copy (g_ptr_array_index (self->sync_states, i)));

  return copy;
}

void
ember_account_status_free (EmberAccountStatus *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->account, ember_account_record_free);
  g_clear_pointer (&self->sync_states, g_ptr_array_unref);
  g_free (self);
}

/* Pages */

EmberFolderChange *
ember_folder_change_new (const char          *message_provider_id,
                         EmberFolderChangeOp  op)
{
  EmberFolderChange *self;

  g_return_val_if_fail (message_provider_id != NULL, NULL);

  self = g_new0 (EmberFolderChange, 1);
  self->message_provider_id = g_strdup (message_provider_id);
  self->op = op;
  self->folder_ids = g_ptr_array_new_with_free_func (g_free);

  return self;
}

void
ember_folder_change_free (EmberFolderChange *self)
{
  if (self == NULL)
    return;

  g_free (self->message_provider_id);
  g_clear_pointer (&self->folder_ids, g_ptr_array_unref);
  g_free (self);
}

EmberMessagePage *
ember_message_page_new (const char *resource)
{
  EmberMessagePage *self = g_new0 (EmberMessagePage, 1);

  self->resource = g_strdup (resource);
  self->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_message_record_free);
  self->deleted_ids = g_ptr_array_new_with_free_func (g_free);
  self->folder_changes = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_folder_change_free);

  return self;
}

void
ember_message_page_free (EmberMessagePage *self)
{
  if (self == NULL)
    return;

  g_free (self->resource);
  g_free (self->cursor);
  g_free (self->phase);
  g_clear_pointer (&self->messages, g_ptr_array_unref);
  g_clear_pointer (&self->deleted_ids, g_ptr_array_unref);
  g_clear_pointer (&self->folder_changes, g_ptr_array_unref);
  g_free (self);
}

EmberEventPage *
ember_event_page_new (const char *resource,
                      const char *calendar_provider_id)
{
  EmberEventPage *self = g_new0 (EmberEventPage, 1);

  self->resource = g_strdup (resource);
  self->calendar_provider_id = g_strdup (calendar_provider_id);
  self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_event_record_free);
  self->deleted_ids = g_ptr_array_new_with_free_func (g_free);

  return self;
}

void
ember_event_page_free (EmberEventPage *self)
{
  if (self == NULL)
    return;

  g_free (self->resource);
  g_free (self->cursor);
  g_free (self->phase);
  g_free (self->calendar_provider_id);
  g_clear_pointer (&self->events, g_ptr_array_unref);
  g_clear_pointer (&self->deleted_ids, g_ptr_array_unref);
  g_free (self);
}

EmberFolderPage *
ember_folder_page_new (const char *resource)
{
  EmberFolderPage *self = g_new0 (EmberFolderPage, 1);

  self->resource = g_strdup (resource);
  self->folders = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_folder_record_free);
  self->deleted_ids = g_ptr_array_new_with_free_func (g_free);

  return self;
}

void
ember_folder_page_free (EmberFolderPage *self)
{
  if (self == NULL)
    return;

  g_free (self->resource);
  g_free (self->cursor);
  g_free (self->phase);
  g_clear_pointer (&self->folders, g_ptr_array_unref);
  g_clear_pointer (&self->deleted_ids, g_ptr_array_unref);
  g_free (self);
}

EmberCalendarPage *
ember_calendar_page_new (const char *resource)
{
  EmberCalendarPage *self = g_new0 (EmberCalendarPage, 1);

  self->resource = g_strdup (resource);
  self->calendars = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_calendar_record_free);
  self->deleted_ids = g_ptr_array_new_with_free_func (g_free);

  return self;
}

void
ember_calendar_page_free (EmberCalendarPage *self)
{
  if (self == NULL)
    return;

  g_free (self->resource);
  g_free (self->cursor);
  g_free (self->phase);
  g_clear_pointer (&self->calendars, g_ptr_array_unref);
  g_clear_pointer (&self->deleted_ids, g_ptr_array_unref);
  g_free (self);
}
