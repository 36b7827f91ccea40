/* ember-message-list-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every row read is kept as a small Row (its conversation, the message it
 * shows, its date and message count: 40 bytes); only the blocks of rows
 * near where the view last looked also hold an EmberMessageItem with the
 * row's text. A block the view comes back to is read again by message id,
 * so a 100,000-row list costs a few megabytes, not the ~70 MB of keeping
 * every row's text.
 */
#define G_LOG_DOMAIN "ember-gui"

#include "config.h"

#include "ember-message-item.h"
#include "ember-message-list-model.h"

/* Rows per store read, and how close to the end a request must come before
 * the next page is read. */
#define PAGE_SIZE 200
#define PREFETCH  60
/* Rows per block of the row index, and how many blocks on either side of
 * the one the view last asked for keep their items: GTK 4.8's list view
 * holds widgets for up to 200 rows around its position. */
#define BLOCK_ROWS  100
#define LIVE_RADIUS 2
/* Rows read are shown (given to the view) this many at a time, one batch
 * per frame: GTK 4.8's list view builds a widget for up to 200 rows
 * around its position, at close to a millisecond each, and 200 rows at
 * once stall the main loop for a quarter of a second. The batches run
 * below GDK's redraw priority (G_PRIORITY_HIGH_IDLE + 20), so each frame
 * lays out one batch, not every batch that came due meanwhile. */
#define EXPOSE_BATCH       4
/* The first screenful two at a time: the frames that show them also
 * paint the list pane for the first time. */
#define EXPOSE_BATCH_FIRST 2
#define EXPOSE_FIRST_ROWS  24
/* Rows further than this past where the view last looked get no widget
 * (GTK 4.8's list view keeps widgets for 200 rows around its position):
 * those are shown in big batches, so a long folder's scrollbar grows fast. */
#define EXPOSE_WIDGET_REACH 200
#define EXPOSE_BATCH_FAR    1000
#define EXPOSE_INTERVAL_MS 16
#define EXPOSE_PRIORITY    (G_PRIORITY_HIGH_IDLE + 30)

typedef struct
{
  guint64 key;          /* its conversation: conversation_key () */
  gint64  seq;          /* position + first_seq, fixed for the row's life */
  gint64  id;           /* the message shown: the conversation's newest */
  gint64  date;
  guint   thread_count;
} Row;

typedef struct
{
  Row               rows[BLOCK_ROWS];
  EmberMessageItem *items[BLOCK_ROWS]; /* set for every row while live */
  gboolean          live;
} Block;

struct _EmberMessageListModel
{
  GObject             parent_instance;

  EmberStore         *store;
  EmberMessageQuery   query;
  /* Rows are numbered by seq: new mail goes on top with smaller ones, so
   * a row's seq (and its place in a block) never changes. */
  GPtrArray          *blocks_down; /* Block for block numbers 0, 1, … */
  GPtrArray          *blocks_up;   /* Block for block numbers -1, -2, … */
  gint64              first_seq;
  guint               n_rows;
  GHashTable         *conversations; /* set of Row, by key */
  GArray             *live_blocks;   /* gint64 block numbers */
  gint64              focus_block;
  guint               exposed;     /* the first rows the view sees */
  guint               viewed;      /* the row the view last asked for */
  guint               expose_source;
  EmberMessageCursor  next;        /* keyset position after the last record read */
  EmberMessageCursor  newest_read; /* the newest record read so far */
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

/* Conversation keys */

static void
fnv1a (guint64       *hash,
       gconstpointer  data,
       gsize          length)
{
  const guchar *bytes = data;

  for (gsize i = 0; i < length; i++)
    {
      *hash ^= bytes[i];
      *hash *= G_GUINT64_CONSTANT (0x100000001b3);
    }
}

/* One 64-bit key per conversation, or per message when the provider gives
 * no conversation. Two of 100,000 conversations share a key with odds of
 * about one in four billion (n² / 2⁶⁵); they would then share a row. */
static guint64
conversation_key (const EmberMessageRecord *record)
{
  guint64 hash = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  fnv1a (&hash, &record->account_id, sizeof record->account_id);
  if (record->thread_id != NULL && *record->thread_id != '\0')
    {
      fnv1a (&hash, "t", 1);
      fnv1a (&hash, record->thread_id, strlen (record->thread_id));
    }
  else
    {
      fnv1a (&hash, "m", 1);
      fnv1a (&hash, &record->id, sizeof record->id);
    }

  return hash;
}

static guint
row_hash (gconstpointer row)
{
  guint64 key = ((const Row *) row)->key;

  return (guint) (key ^ (key >> 32));
}

static gboolean
row_equal (gconstpointer a,
           gconstpointer b)
{
  return ((const Row *) a)->key == ((const Row *) b)->key;
}

static Row *
lookup_conversation (EmberMessageListModel *self,
                     guint64                key)
{
  Row probe = { .key = key };

  return g_hash_table_lookup (self->conversations, &probe);
}

/* Blocks */

static gint64
block_number (gint64 seq)
{
  return seq >= 0 ? seq / BLOCK_ROWS : -((-seq - 1) / BLOCK_ROWS) - 1;
}

static guint
block_slot (gint64 seq)
{
  return (guint) (seq - block_number (seq) * BLOCK_ROWS);
}

static void
block_free (gpointer data)
{
  Block *block = data;

  if (block == NULL)
    return;
  for (guint i = 0; i < BLOCK_ROWS; i++)
    g_clear_object (&block->items[i]);
  g_free (block);
}

static Block *
get_block (EmberMessageListModel *self,
           gint64                 number,
           gboolean               create)
{
  GPtrArray *blocks = number >= 0 ? self->blocks_down : self->blocks_up;
  guint index = (guint) (number >= 0 ? number : -number - 1);

  if (index >= blocks->len)
    {
      if (!create)
        return NULL;
      g_ptr_array_set_size (blocks, index + 1);
    }
  if (g_ptr_array_index (blocks, index) == NULL && create)
    blocks->pdata[index] = g_new0 (Block, 1);

  return g_ptr_array_index (blocks, index);
}

static gboolean
seq_is_row (EmberMessageListModel *self,
            gint64                 seq)
{
  return seq >= self->first_seq && seq < self->first_seq + self->n_rows;
}

static Row *
row_at (EmberMessageListModel *self,
        guint                  position)
{
  gint64 seq = self->first_seq + position;

  return &get_block (self, block_number (seq), FALSE)->rows[block_slot (seq)];
}

/* The row's item while its block is live, else NULL. */
static EmberMessageItem *
row_item (EmberMessageListModel *self,
          const Row             *row)
{
  Block *block = get_block (self, block_number (row->seq), FALSE);

  return block->live ? block->items[block_slot (row->seq)] : NULL;
}

static gboolean
block_near_focus (EmberMessageListModel *self,
                  gint64                 number)
{
  return ABS (number - self->focus_block) <= LIVE_RADIUS;
}

/* What a row never shows goes: the reader reads the whole message itself. */
static EmberMessageRecord *
trim_record (EmberMessageRecord *record)
{
  g_clear_pointer (&record->internet_message_id, g_free);
  g_clear_pointer (&record->to, g_free);
  g_clear_pointer (&record->cc, g_free);
  g_clear_pointer (&record->folder_ids, g_ptr_array_unref);
  g_clear_pointer (&record->folder_names, g_ptr_array_unref);

  return record;
}

typedef struct
{
  EmberMessageListModel *self;
  GPtrArray             *items; /* EmberMessageItem, pending, in the order asked */
} PendingRead;

static void
pending_read_free (PendingRead *read)
{
  g_object_unref (read->self);
  g_ptr_array_unref (read->items);
  g_free (read);
}

/* Warns about a failed store read, unless it was cancelled (the model
 * went away or started over); TRUE when it warned. */
static gboolean
warn_unless_cancelled (const GError *error,
                       const char   *doing)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;

  g_warning ("Could not %s: %s", doing, error->message);
  return TRUE;
}

static void
pending_read_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PendingRead *read = user_data;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  guint next_item = 0;

  records = ember_store_list_messages_by_id_finish (EMBER_STORE (object), result, &error);
  if (records == NULL)
    {
      warn_unless_cancelled (error, "read messages");
      pending_read_free (read);
      return;
    }

  /* Records come in the order asked, without the messages removed
   * meanwhile (their rows stay blank until the list is read again). */
  for (guint i = 0; i < records->len; i++)
    {
      EmberMessageRecord *record = g_ptr_array_index (records, i);

      while (next_item < read->items->len &&
             ember_message_item_get_id (g_ptr_array_index (read->items, next_item)) != record->id)
        next_item++;
      if (next_item == read->items->len)
        break;
      records->pdata[i] = NULL;
      ember_message_item_set_record (g_ptr_array_index (read->items, next_item++), trim_record (record));
    }

  pending_read_free (read);
}

/* Gives every row of the block but @skip_slot an item, reading back the
 * rows it had before it was let go. */
static void
make_block_live (EmberMessageListModel *self,
                 gint64                 number,
                 Block                 *block,
                 guint                  skip_slot)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  PendingRead *read;

  if (block->live)
    return;

  block->live = TRUE;
  g_array_append_val (self->live_blocks, number);

  for (guint slot = 0; slot < BLOCK_ROWS; slot++)
    {
      const Row *row = &block->rows[slot];

      if (slot == skip_slot || !seq_is_row (self, number * BLOCK_ROWS + slot))
        continue;
      block->items[slot] = ember_message_item_new_pending (row->id, row->date);
      ember_message_item_set_thread_count (block->items[slot], row->thread_count);
      g_ptr_array_add (items, g_object_ref (block->items[slot]));
      g_array_append_val (ids, row->id);
    }
  if (ids->len == 0)
    return;

  read = g_new0 (PendingRead, 1);
  read->self = g_object_ref (self);
  read->items = g_steal_pointer (&items);
  ember_store_list_messages_by_id_async (self->store, (const gint64 *) ids->data, ids->len,
                                         self->cancellable, pending_read_cb, read);
}

/* Lets go of the items of blocks the view has moved away from. */
static void
release_far_blocks (EmberMessageListModel *self)
{
  for (guint i = self->live_blocks->len; i-- > 0;)
    {
      gint64 number = g_array_index (self->live_blocks, gint64, i);
      Block *block;

      if (block_near_focus (self, number))
        continue;

      block = get_block (self, number, FALSE);
      for (guint slot = 0; slot < BLOCK_ROWS; slot++)
        g_clear_object (&block->items[slot]);
      block->live = FALSE;
      g_array_remove_index_fast (self->live_blocks, i);
    }
}

/* Rows */

static gboolean
newer_than (gint64                    date,
            gint64                    id,
            const EmberMessageCursor *cursor)
{
  return date > cursor->date || (date == cursor->date && id > cursor->id);
}

static void
note_read (EmberMessageListModel    *self,
           const EmberMessageRecord *record)
{
  if (newer_than (record->date, record->id, &self->newest_read))
    {
      self->newest_read.date = record->date;
      self->newest_read.id = record->id;
    }
}

/* Makes the row at @seq (inside the rows already counted) stand for
 * @record's conversation. */
static void
fill_row (EmberMessageListModel    *self,
          gint64                    seq,
          const EmberMessageRecord *record)
{
  Row *row = &get_block (self, block_number (seq), TRUE)->rows[block_slot (seq)];

  row->key = conversation_key (record);
  row->seq = seq;
  row->id = record->id;
  row->date = record->date;
  row->thread_count = 1;
  g_hash_table_add (self->conversations, row);
}

/* Gives the filled row at @seq its item made from @record (taken), when
 * it is near the view: only the view's neighbourhood keeps the text. */
static void
give_item (EmberMessageListModel *self,
           gint64                 seq,
           EmberMessageRecord    *record)
{
  gint64 number = block_number (seq);
  Block *block = get_block (self, number, FALSE);
  guint slot = block_slot (seq);

  if (!block_near_focus (self, number))
    {
      ember_message_record_free (record);
      return;
    }

  make_block_live (self, number, block, slot);
  g_clear_object (&block->items[slot]);
  block->items[slot] = ember_message_item_new (trim_record (record));
}

static void
count_in_conversation (EmberMessageListModel *self,
                       Row                   *row)
{
  EmberMessageItem *item = row_item (self, row);

  row->thread_count++;
  if (item != NULL)
    ember_message_item_set_thread_count (item, row->thread_count);
}

/* Adds @record (taken) behind the rows read so far, folding it into its
 * conversation's row when that row exists (older messages come later).
 * TRUE when it made a new row. */
static gboolean
append_record (EmberMessageListModel *self,
               EmberMessageRecord    *record)
{
  guint64 key = conversation_key (record);
  Row *row = lookup_conversation (self, key);

  note_read (self, record);
  if (row != NULL)
    {
      count_in_conversation (self, row);
      ember_message_record_free (record);
      return FALSE;
    }

  self->n_rows++;
  fill_row (self, self->first_seq + self->n_rows - 1, record);
  give_item (self, self->first_seq + self->n_rows - 1, record);
  return TRUE;
}

/* Sets the flag behind property @prop, notifying a change. */
static void
set_flag (EmberMessageListModel *self,
          gboolean              *flag,
          gboolean               value,
          guint                  prop)
{
  if (*flag == value)
    return;

  *flag = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_loading (EmberMessageListModel *self,
             gboolean               loading)
{
  set_flag (self, &self->loading, loading, PROP_LOADING);
}

static void
set_complete (EmberMessageListModel *self,
              gboolean               complete)
{
  set_flag (self, &self->complete, complete, PROP_COMPLETE);
}

/* Shows the view one more batch of the rows read; TRUE while more wait. */
static gboolean
expose_batch (EmberMessageListModel *self)
{
  guint batch = self->exposed >= self->viewed + EXPOSE_WIDGET_REACH ? EXPOSE_BATCH_FAR :
                self->exposed < EXPOSE_FIRST_ROWS ? EXPOSE_BATCH_FIRST : EXPOSE_BATCH;
  guint n = MIN (batch, self->n_rows - self->exposed);

  if (n > 0)
    {
      guint old = self->exposed;

      self->exposed += n;
      g_list_model_items_changed (G_LIST_MODEL (self), old, 0, n);
    }

  return self->exposed < self->n_rows;
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
    self->expose_source = g_timeout_add_full (EXPOSE_PRIORITY, EXPOSE_INTERVAL_MS, expose_cb, self, NULL);
}

/* Reading */

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
      if (warn_unless_cancelled (error, "read messages"))
        set_loading (self, FALSE);
      g_object_unref (self);
      return;
    }

  if (records->len > 0)
    self->next = ember_message_cursor_after (g_ptr_array_index (records, records->len - 1));

  /* The array's free function would free the records we keep. */
  g_ptr_array_set_free_func (records, NULL);
  for (guint i = 0; i < records->len; i++)
    added += append_record (self, g_ptr_array_index (records, i));

  if (records->len < PAGE_SIZE)
    set_complete (self, TRUE);

  set_loading (self, FALSE);
  if (added > 0)
    expose_read_rows (self);

  /* Whole pages may fold into existing conversations: keep reading until
   * the view has what it asked for. */
  if (!self->complete && self->n_rows < self->wanted)
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

/* Splits a re-read newest page (newest first, as the store gives pages):
 * rows read before take its read state, messages newer than any read
 * either join their conversation's row or are returned (newest first) to
 * become rows of their own; the keys of the older new messages of those
 * new conversations go to @joining, to be counted once their rows exist. */
static GPtrArray *
take_new_records (EmberMessageListModel *self,
                  GPtrArray             *records,
                  GArray                *joining)
{
  g_autoptr(GHashTable) new_conversations = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) new_keys = g_array_sized_new (FALSE, FALSE, sizeof (guint64), records->len);
  GPtrArray *fresh = g_ptr_array_new_with_free_func ((GDestroyNotify) ember_message_record_free);
  EmberMessageCursor newest_before = self->newest_read;

  for (guint i = 0; i < records->len; i++)
    {
      EmberMessageRecord *record = g_ptr_array_index (records, i);
      guint64 key = conversation_key (record);
      Row *row = lookup_conversation (self, key);

      note_read (self, record);
      /* The message a row shows is never new, even when its date moved on
       * (re-saved by the server). */
      if (!newer_than (record->date, record->id, &newest_before) ||
          (row != NULL && row->id == record->id))
        {
          EmberMessageItem *item = row != NULL && row->id == record->id ? row_item (self, row) : NULL;

          if (item != NULL)
            ember_message_item_set_unread (item, record->unread);
          continue;
        }

      if (row != NULL)
        {
          /* A new message in a shown conversation: that row stays where
           * it is (moving it would make the list jump) and counts one more. */
          count_in_conversation (self, row);
          continue;
        }

      /* A second new message of a conversation new in this page. */
      if (g_hash_table_contains (new_conversations, &key))
        {
          g_array_append_val (joining, key);
          continue;
        }

      /* (No reallocation: sized for every record.) */
      g_array_append_val (new_keys, key);
      g_hash_table_add (new_conversations, &g_array_index (new_keys, guint64, new_keys->len - 1));
      g_ptr_array_add (fresh, g_steal_pointer (&records->pdata[i]));
    }

  return fresh;
}

static void
refreshed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  EmberMessageListModel *self = user_data;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) fresh = NULL;
  g_autoptr(GArray) joining = NULL;
  g_autoptr(GError) error = NULL;
  EmberMessageCursor last_read = { 0, 0 };
  guint n;

  self->refreshing = FALSE;
  records = ember_store_list_messages_finish (EMBER_STORE (object), result, &error);
  if (records == NULL)
    {
      warn_unless_cancelled (error, "re-read messages");
      g_object_unref (self);
      return;
    }

  if (records->len > 0)
    last_read = ember_message_cursor_after (g_ptr_array_index (records, records->len - 1));

  if (self->n_rows == 0)
    {
      /* The first rows of a folder that was empty (a first sync): like a
       * first page, shown a batch at a time, with older ones read after
       * them when the page was full. */
      gboolean added = FALSE;

      for (guint i = 0; i < records->len; i++)
        added |= append_record (self, g_steal_pointer (&records->pdata[i]));
      self->next = last_read;
      if (records->len >= PAGE_SIZE)
        set_complete (self, FALSE);
      if (added)
        expose_read_rows (self);
      g_object_unref (self);
      return;
    }

  joining = g_array_new (FALSE, FALSE, sizeof (guint64));
  fresh = take_new_records (self, records, joining);
  n = fresh->len;
  if (n > 0)
    {
      self->first_seq -= n;
      self->n_rows += n;
      /* All rows first: making a block live reads its other rows. */
      for (guint i = 0; i < n; i++)
        fill_row (self, self->first_seq + i, g_ptr_array_index (fresh, i));
      for (guint i = 0; i < n; i++)
        give_item (self, self->first_seq + i, g_steal_pointer (&fresh->pdata[i]));
      for (guint i = 0; i < joining->len; i++)
        count_in_conversation (self, lookup_conversation (self, g_array_index (joining, guint64, i)));
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
  if (self->n_rows == 0 && !self->complete)
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
  if (self->n_rows <= position)
    load_next_page (self);
}

guint
ember_message_list_model_find (EmberMessageListModel    *self,
                               const EmberMessageRecord *message)
{
  Row *row;
  guint position;

  g_return_val_if_fail (EMBER_IS_MESSAGE_LIST_MODEL (self), G_MAXUINT);
  g_return_val_if_fail (message != NULL, G_MAXUINT);

  row = lookup_conversation (self, conversation_key (message));
  if (row == NULL)
    return G_MAXUINT;
  position = (guint) (row->seq - self->first_seq);

  /* Read but still waiting for its batch: the caller is about to select it. */
  if (position >= self->exposed)
    {
      guint old = self->exposed;

      self->exposed = position + 1;
      g_list_model_items_changed (G_LIST_MODEL (self), old, 0, self->exposed - old);
    }

  return position;
}

gboolean
ember_message_list_model_read_towards (EmberMessageListModel    *self,
                                       const EmberMessageRecord *message)
{
  g_return_val_if_fail (EMBER_IS_MESSAGE_LIST_MODEL (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  if (self->complete)
    return FALSE;
  if (self->n_rows > 0 && row_at (self, self->n_rows - 1)->date < message->date)
    return FALSE;

  ember_message_list_model_ensure (self, self->n_rows);
  return TRUE;
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
  gint64 seq = self->first_seq + position;
  gint64 number = block_number (seq);
  Block *block;

  if (position >= self->exposed)
    return NULL;

  /* The view is close to the end of what was read: read on. */
  if (position + PREFETCH >= self->n_rows)
    ember_message_list_model_ensure (self, position + PREFETCH);

  self->focus_block = number;
  self->viewed = position;
  block = get_block (self, number, FALSE);
  make_block_live (self, number, block, G_MAXUINT);
  release_far_blocks (self);

  return g_object_ref (block->items[block_slot (seq)]);
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

  /* Before the blocks: its keys are their rows. */
  g_clear_pointer (&self->conversations, g_hash_table_unref);
  g_clear_pointer (&self->blocks_down, g_ptr_array_unref);
  g_clear_pointer (&self->blocks_up, g_ptr_array_unref);
  g_clear_pointer (&self->live_blocks, g_array_unref);
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
  self->blocks_down = g_ptr_array_new_with_free_func (block_free);
  self->blocks_up = g_ptr_array_new_with_free_func (block_free);
  self->conversations = g_hash_table_new (row_hash, row_equal);
  self->live_blocks = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->cancellable = g_cancellable_new ();
}
