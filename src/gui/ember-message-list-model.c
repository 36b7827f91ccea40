/* ember-message-list-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include "ember-message-item.h"
#include "ember-message-list-model.h"

/* Rows per store read, and how close to the end a request must come before
 * the next page is read. */
#define PAGE_SIZE 200
#define PREFETCH  60
/* Rows read are shown (given to the view) this many at a time, one batch
 * per EXPOSE_INTERVAL_MS: GTK 4.8's list view builds a widget for up to
 * 200 rows around its position, and 200 rows at once stall the main loop
 * for a quarter of a second. The first batch fills a screen at once. */
#define EXPOSE_BATCH       12
#define EXPOSE_INTERVAL_MS 8

struct _EmberMessageListModel
{
  GObject             parent_instance;

  EmberStore         *store;
  EmberMessageQuery   query;
  GPtrArray          *items;       /* EmberMessageItem, newest first */
  guint               exposed;     /* the first rows of items the view sees */
  guint               expose_source;
  GHashTable         *threads;     /* "account:thread" -> EmberMessageItem (unowned) */
  GHashTable         *by_id;       /* gint64 message id -> EmberMessageItem (unowned) */
  GHashTable         *seen;        /* every message id read, folded ones too (owned gint64) */
  EmberMessageCursor  next;        /* keyset position after the last record read */
  guint               wanted;      /* ensure () target */
  GCancellable       *cancellable;
  gboolean            loading;
  gboolean            refreshing;
  gboolean            complete;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EmberMessageListModel, ember_message_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_LOADING,
  PROP_COMPLETE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void load_next_page (EmberMessageListModel *self);

static char *
thread_key (const EmberMessageRecord *record)
{
  if (record->thread_id == NULL || *record->thread_id == '\0')
    return NULL;

  return g_strdup_printf ("%" G_GINT64_FORMAT ":%s", record->account_id, record->thread_id);
}

static void
set_loading (EmberMessageListModel *self,
             gboolean               loading)
{
  if (self->loading == loading)
    return;

  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* Adds @record behind the rows read so far, folding it into its
 * conversation's row when that row exists (older messages come later). */
/* Remembers @id; FALSE when it was read before. */
static gboolean
mark_seen (EmberMessageListModel *self,
           gint64                 id)
{
  gint64 *key;

  if (g_hash_table_contains (self->seen, &id))
    return FALSE;

  key = g_new (gint64, 1);
  *key = id;
  g_hash_table_add (self->seen, key);
  return TRUE;
}

/* What a row never shows goes: a list read to its end holds every message
 * of the folder (the reader reads the whole message itself). */
static EmberMessageRecord *
trim_record (EmberMessageRecord *record)
{
  g_clear_pointer (&record->internet_message_id, g_free);
  g_clear_pointer (&record->to, g_free);
  g_clear_pointer (&record->cc, g_free);
  g_clear_pointer (&record->folder_names, g_ptr_array_unref);

  return record;
}

/* Makes @item findable by its message id and, with @thread_key (taken),
 * as its conversation's row. */
static void
index_item (EmberMessageListModel *self,
            EmberMessageItem      *item,
            char                  *thread_key)
{
  g_hash_table_insert (self->by_id, &((EmberMessageRecord *) ember_message_item_get_record (item))->id, item);
  if (thread_key != NULL)
    g_hash_table_insert (self->threads, thread_key, item);
}

static gboolean
append_record (EmberMessageListModel *self,
               EmberMessageRecord    *record)
{
  g_autofree char *key = thread_key (record);
  EmberMessageItem *item;

  if (!mark_seen (self, record->id))
    {
      ember_message_record_free (record);
      return FALSE;
    }

  if (key != NULL && (item = g_hash_table_lookup (self->threads, key)) != NULL)
    {
      ember_message_item_set_thread_count (item, ember_message_item_get_thread_count (item) + 1);
      ember_message_record_free (record);
      return FALSE;
    }

  item = ember_message_item_new (trim_record (record));
  g_ptr_array_add (self->items, item);
  index_item (self, item, g_steal_pointer (&key));

  return TRUE;
}

/* Shows the view one more batch of the rows read; TRUE while more wait. */
static gboolean
expose_batch (EmberMessageListModel *self)
{
  guint n = MIN (EXPOSE_BATCH, self->items->len - self->exposed);

  if (n > 0)
    {
      guint old = self->exposed;

      self->exposed += n;
      g_list_model_items_changed (G_LIST_MODEL (self), old, 0, n);
    }

  return self->exposed < self->items->len;
}

static gboolean
expose_cb (gpointer data)
{
  EmberMessageListModel *self = data;

  if (expose_batch (self))
    return G_SOURCE_CONTINUE;

  self->expose_source = 0;
  return G_SOURCE_REMOVE;
}

static void
expose_read_rows (EmberMessageListModel *self)
{
  if (self->expose_source != 0)
    return;

  if (expose_batch (self))
    self->expose_source = g_timeout_add (EXPOSE_INTERVAL_MS, expose_cb, self);
}

static void
page_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  EmberMessageListModel *self = user_data;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  guint added = 0;

  records = ember_store_list_messages_finish (EMBER_STORE (object), result, &error);
  if (records == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("Could not read messages: %s", error->message);
          set_loading (self, FALSE);
        }
      g_object_unref (self);
      return;
    }

  if (records->len > 0)
    self->next = ember_message_cursor_after (g_ptr_array_index (records, records->len - 1));

  /* The array's free function would free the records we keep. */
  g_ptr_array_set_free_func (records, NULL);
  for (guint i = 0; i < records->len; i++)
    added += append_record (self, g_ptr_array_index (records, i));

  if (records->len < PAGE_SIZE && !self->complete)
    {
      self->complete = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
    }

  set_loading (self, FALSE);
  if (added > 0)
    expose_read_rows (self);

  /* Whole pages may fold into existing conversations: keep reading until
   * the view has what it asked for. */
  if (!self->complete && self->items->len < self->wanted)
    load_next_page (self);

  g_object_unref (self);
}

static void
load_next_page (EmberMessageListModel *self)
{
  EmberMessageQuery query;

  if (self->loading || self->complete)
    return;

  query = self->query;
  query.after = self->next;
  query.limit = PAGE_SIZE;

  set_loading (self, TRUE);
  ember_store_list_messages_async (self->store, &query, self->cancellable,
                                   page_loaded_cb, g_object_ref (self));
}

static gint
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const EmberMessageRecord *ra = ember_message_item_get_record (*(EmberMessageItem **) a);
  const EmberMessageRecord *rb = ember_message_item_get_record (*(EmberMessageItem **) b);

  if (ra->date != rb->date)
    return ra->date > rb->date ? -1 : 1;
  if (ra->id != rb->id)
    return ra->id > rb->id ? -1 : 1;

  return 0;
}

static void
refreshed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  EmberMessageListModel *self = user_data;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) fresh = NULL;
  g_autoptr(GError) error = NULL;
  const EmberMessageRecord *newest = NULL;
  EmberMessageCursor last_read = { 0, 0 };

  self->refreshing = FALSE;
  records = ember_store_list_messages_finish (EMBER_STORE (object), result, &error);
  if (records == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not re-read messages: %s", error->message);
      g_object_unref (self);
      return;
    }

  if (self->items->len > 0)
    newest = ember_message_item_get_record (g_ptr_array_index (self->items, 0));
  /* Taken now: the loop below frees the records it does not keep. */
  if (records->len > 0)
    last_read = ember_message_cursor_after (g_ptr_array_index (records, records->len - 1));

  fresh = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_set_free_func (records, NULL);
  for (guint i = 0; i < records->len; i++)
    {
      EmberMessageRecord *record = g_ptr_array_index (records, i);
      EmberMessageItem *known = g_hash_table_lookup (self->by_id, &record->id);
      g_autofree char *key = NULL;

      if (known != NULL)
        ember_message_item_set_unread (known, record->unread);
      if (!mark_seen (self, record->id))
        {
          ember_message_record_free (record);
          continue;
        }

      /* Older than what is shown: a later page will bring it. */
      if (newest != NULL &&
          (record->date < newest->date || (record->date == newest->date && record->id < newest->id)))
        {
          g_hash_table_remove (self->seen, &record->id);
          ember_message_record_free (record);
          continue;
        }

      key = thread_key (record);
      if (key != NULL && g_hash_table_contains (self->threads, key))
        {
          /* A new message in a shown conversation: that row stays where
           * it is (moving it would make the list jump) and counts one more. */
          EmberMessageItem *item = g_hash_table_lookup (self->threads, key);

          ember_message_item_set_thread_count (item, ember_message_item_get_thread_count (item) + 1);
          ember_message_record_free (record);
          continue;
        }

      {
        EmberMessageItem *item = ember_message_item_new (trim_record (record));

        g_ptr_array_add (fresh, item);
        index_item (self, item, g_steal_pointer (&key));
      }
    }

  if (fresh->len > 0 && self->items->len == 0)
    {
      /* The first rows of a folder that was empty (a first sync): like a
       * first page, shown a batch at a time, with older ones read after
       * them when the page was full. */
      g_ptr_array_sort (fresh, compare_newest_first);
      for (guint i = 0; i < fresh->len; i++)
        g_ptr_array_add (self->items, g_object_ref (g_ptr_array_index (fresh, i)));
      self->next = last_read;
      if (records->len >= PAGE_SIZE && self->complete)
        {
          self->complete = FALSE;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
        }
      expose_read_rows (self);
    }
  else if (fresh->len > 0)
    {
      guint n = fresh->len;

      g_ptr_array_sort (fresh, compare_newest_first);
      for (guint i = 0; i < n; i++)
        g_ptr_array_insert (self->items, i, g_object_ref (g_ptr_array_index (fresh, i)));
      self->exposed += n;
      g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, n);

      /* An empty folder had no cursor yet. */
      if (self->next.date == 0 && self->next.id == 0)
        self->next = last_read;
    }

  g_object_unref (self);
}

void
ember_message_list_model_refresh (EmberMessageListModel *self)
{
  EmberMessageQuery query;

  g_return_if_fail (EMBER_IS_MESSAGE_LIST_MODEL (self));

  if (self->refreshing)
    return;

  /* Nothing read yet: the first page read is the refresh. */
  if (self->items->len == 0 && !self->complete)
    {
      load_next_page (self);
      return;
    }

  query = self->query;
  query.after.date = 0;
  query.after.id = 0;
  query.limit = PAGE_SIZE;

  self->refreshing = TRUE;
  ember_store_list_messages_async (self->store, &query, self->cancellable,
                                   refreshed_cb, g_object_ref (self));
}

gboolean
ember_message_list_model_get_loading (EmberMessageListModel *self)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_LIST_MODEL (self), FALSE);

  return self->loading;
}

gboolean
ember_message_list_model_get_complete (EmberMessageListModel *self)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_LIST_MODEL (self), FALSE);

  return self->complete;
}

void
ember_message_list_model_ensure (EmberMessageListModel *self,
                                 guint                  position)
{
  g_return_if_fail (EMBER_IS_MESSAGE_LIST_MODEL (self));

  self->wanted = MAX (self->wanted, position + 1);
  if (self->items->len <= position)
    load_next_page (self);
}

guint
ember_message_list_model_find (EmberMessageListModel    *self,
                               const EmberMessageRecord *message)
{
  g_autofree char *key = NULL;
  EmberMessageItem *item;
  guint position;

  g_return_val_if_fail (EMBER_IS_MESSAGE_LIST_MODEL (self), G_MAXUINT);
  g_return_val_if_fail (message != NULL, G_MAXUINT);

  item = g_hash_table_lookup (self->by_id, &message->id);
  key = thread_key (message);
  if (item == NULL && key != NULL)
    item = g_hash_table_lookup (self->threads, key);
  if (item == NULL || !g_ptr_array_find (self->items, item, &position))
    return G_MAXUINT;

  /* Read but still waiting for its batch: the caller is about to select it. */
  if (position >= self->exposed)
    {
      guint old = self->exposed;

      self->exposed = position + 1;
      g_list_model_items_changed (G_LIST_MODEL (self), old, 0, self->exposed - old);
    }

  return position;
}

static GType
get_item_type (GListModel *model)
{
  return EMBER_TYPE_MESSAGE_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return EMBER_MESSAGE_LIST_MODEL (model)->exposed;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  EmberMessageListModel *self = EMBER_MESSAGE_LIST_MODEL (model);

  if (position >= self->exposed)
    return NULL;

  /* The view is close to the end of what was read: read on. */
  if (position + PREFETCH >= self->items->len)
    ember_message_list_model_ensure (self, position + PREFETCH);

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

EmberMessageListModel *
ember_message_list_model_new (EmberStore              *store,
                              const EmberMessageQuery *query)
{
  EmberMessageListModel *self;

  g_return_val_if_fail (EMBER_IS_STORE (store), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  self = g_object_new (EMBER_TYPE_MESSAGE_LIST_MODEL, NULL);
  self->store = g_object_ref (store);
  self->query = *query;
  self->query.after.date = 0;
  self->query.after.id = 0;
  self->wanted = PREFETCH;
  load_next_page (self);

  return self;
}

static void
ember_message_list_model_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  EmberMessageListModel *self = EMBER_MESSAGE_LIST_MODEL (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_COMPLETE:
      g_value_set_boolean (value, self->complete);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_message_list_model_dispose (GObject *object)
{
  EmberMessageListModel *self = EMBER_MESSAGE_LIST_MODEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->expose_source, g_source_remove);

  G_OBJECT_CLASS (ember_message_list_model_parent_class)->dispose (object);
}

static void
ember_message_list_model_finalize (GObject *object)
{
  EmberMessageListModel *self = EMBER_MESSAGE_LIST_MODEL (object);

  g_clear_pointer (&self->threads, g_hash_table_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->seen, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ember_message_list_model_parent_class)->finalize (object);
}

static void
ember_message_list_model_class_init (EmberMessageListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ember_message_list_model_dispose;
  object_class->finalize = ember_message_list_model_finalize;
  object_class->get_property = ember_message_list_model_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ember_message_list_model_init (EmberMessageListModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->threads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
}
