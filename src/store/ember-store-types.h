/* ember-store-types.h: plain records the store reads and writes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Times are epoch seconds in UTC. "id" fields are the store's own row ids
 * (stable while the row exists); "provider_id" fields are the provider's ids
 * (Gmail message/label ids, Graph ids). The sync layer speaks provider ids,
 * the front ends speak row ids.
 *
 * Every record is a boxed type with _new (), _copy () and _free (); strings
 * are owned by the record and may be NULL unless noted.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  EMBER_FOLDER_KIND_INBOX,
  EMBER_FOLDER_KIND_SENT,
  EMBER_FOLDER_KIND_ARCHIVE,
  EMBER_FOLDER_KIND_TRASH,
  EMBER_FOLDER_KIND_DRAFTS,
  EMBER_FOLDER_KIND_JUNK,
  EMBER_FOLDER_KIND_LABEL,
  EMBER_FOLDER_KIND_OTHER,
} EmberFolderKind;

/* "inbox", "sent", ... as stored and as printed by the CLI. */
const char      *ember_folder_kind_to_string   (EmberFolderKind kind);
/* Unknown or NULL strings give EMBER_FOLDER_KIND_OTHER. */
EmberFolderKind  ember_folder_kind_from_string (const char     *kind);

/* Accounts. No token ever lives here (tokens are in the keyring). */
typedef struct
{
  gint64    id;               /* 0 until stored */
  char     *provider;         /* "gmail" or "microsoft"; required */
  char     *email;            /* required */
  char     *display_name;
  char     *api_base;         /* NULL: the provider's real endpoint */
  char     *auth_base;        /* NULL: the provider's real endpoint */
  char     *client_id;        /* NULL: the build's default client id */
  gboolean  mail_enabled;     /* TRUE from _new () */
  gboolean  calendar_enabled; /* TRUE from _new () */
  gint64    created;          /* set by the store when 0 */
} EmberAccountRecord;

/* Gmail labels and Graph mail folders. */
typedef struct
{
  gint64           id;
  gint64           account_id;
  char            *provider_id;        /* required */
  char            *name;               /* required */
  EmberFolderKind  kind;
  char            *parent_provider_id; /* Graph parentFolderId; NULL at the top */
  /* Filled by ember_store_list_folders_sync (); ignored when saving. */
  gint64           unread_count;
  gint64           total_count;
} EmberFolderRecord;

typedef struct
{
  gint64     id;
  gint64     account_id;
  char      *provider_id;          /* required */
  char      *thread_id;
  char      *internet_message_id;  /* the Message-ID header */
  char      *subject;              /* NULL is stored as "" */
  char      *from_name;
  char      *from_address;
  char      *to;                   /* display list: "Ann <a@x>, b@y" */
  char      *cc;
  gint64     date;                 /* epoch seconds, UTC */
  char      *snippet;
  gboolean   unread;
  gboolean   starred;
  gboolean   has_attachments;
  gint64     size;                 /* bytes */
  /* NULL body or attachment fields mean "not fetched": saving keeps what is
   * stored. List and search results leave them NULL;
   * ember_store_get_message_sync () fills them. body_text is what search
   * indexes, so give a plain-text rendering even for HTML-only mail. */
  char      *body_text;
  char      *body_html;
  char      *attachments_json;     /* JSON array of {name, mime_type, size, ...} */
  /* Saving: when non-NULL, the message's folder membership becomes exactly
   * these folder provider ids (Gmail labelIds, Graph parentFolderId); NULL
   * leaves it as stored. Unknown ids get a placeholder folder (kind "other",
   * name = the id) that the next folder sync fills in.
   * Reading: the provider ids of the folders the message is in. */
  GPtrArray *folder_ids;           /* (element-type utf8) (nullable) */
  /* Reading only: the names of those folders, in the same order. */
  GPtrArray *folder_names;         /* (element-type utf8) (nullable) */
} EmberMessageRecord;

typedef struct
{
  gint64    id;
  gint64    account_id;
  char     *provider_id;  /* required */
  char     *name;         /* required */
  char     *color;        /* "#rrggbb" */
  char     *time_zone;    /* the calendar's zone, as the provider names it */
  gboolean  is_primary;
  /* The popup reminder of events that follow the calendar's default
   * (Google defaultReminders), in minutes before the start; of several,
   * the smallest offset is kept, as for EmberEventRecord. */
  gboolean  has_default_reminder;
  guint     default_reminder_minutes;
} EmberCalendarRecord;

/* All-day events are floating dates: set all_day, start_date and end_date
 * ("YYYY-MM-DD", end exclusive, as the providers send them); the store then
 * sets start and end to UTC midnight of those dates itself. Timed events
 * give start and end (UTC, end exclusive) and leave the dates NULL. */
typedef struct
{
  gint64    id;
  gint64    account_id;
  gint64    calendar_id;          /* reading only */
  char     *calendar_provider_id; /* reading only (the page names the calendar) */
  char     *provider_id;          /* required */
  char     *summary;
  char     *description;
  char     *location;
  gint64    start;
  gint64    end;
  char     *time_zone;            /* original zone name (IANA or Windows) */
  gboolean  all_day;
  char     *start_date;
  char     *end_date;
  char     *status;               /* "confirmed", "tentative", "cancelled" */
  char     *recurring_event_id;   /* the series' provider id for an instance */
  gint64    original_start;       /* 0: not an instance of a series */
  char     *organizer;
  char     *attendees_json;       /* JSON array of {name, email, response} */
  gint64    updated;
  /* Popup reminder, in minutes before the start. Of several, the one
   * closest to the start is kept. Saving: with reminder_default set the
   * calendar's default applies (Google useDefault) and the other two are
   * ignored. Reading: has_reminder and reminder_minutes are resolved, the
   * calendar's default included. */
  gboolean  reminder_default;
  gboolean  has_reminder;
  guint     reminder_minutes;
} EmberEventRecord;

/* Where one resource of one account stands. Resources are "folders", "mail",
 * "mail:<folder provider id>", "calendars", "calendar:<calendar provider id>". */
typedef struct
{
  gint64  account_id;
  char   *resource;
  char   *cursor;          /* NULL: no cursor (start with a full sync) */
  char   *phase;           /* free form, e.g. "full", "incremental"; NULL: never synced */
  gint64  last_success;    /* 0: never */
  char   *last_error;      /* redacted; NULL after a success */
  gint64  last_error_time; /* 0: none */
  char   *extra_json;      /* resource-specific state for the sync layer */
  gint64  updated;
} EmberSyncState;

typedef enum
{
  EMBER_FOLDER_CHANGE_ADD,     /* add the message to the folders */
  EMBER_FOLDER_CHANGE_REMOVE,  /* take it out of them */
  EMBER_FOLDER_CHANGE_REPLACE, /* make them its only folders */
} EmberFolderChangeOp;

/* A membership change for a stored message (Gmail labelsAdded /
 * labelsRemoved, Graph per-folder @removed). Changes naming an unknown
 * message are skipped: the message itself will come in a later page. */
typedef struct
{
  char                *message_provider_id; /* required */
  EmberFolderChangeOp  op;
  GPtrArray           *folder_ids;          /* (element-type utf8) folder provider ids */
  /* Graph: a message lives in exactly one folder, so one that is left in no
   * folder after this change was deleted or moved; delete it (a move brings
   * it back with its new folder). Gmail: leave FALSE, a message without
   * labels is archived, not gone. */
  gboolean             delete_if_no_folders;
} EmberFolderChange;

/* One page of a mail sync, committed in one transaction with its cursor. */
typedef struct
{
  char      *resource;       /* required: the sync_state row to advance */
  char      *cursor;         /* stored as given; NULL clears the cursor */
  char      *phase;          /* NULL keeps the stored phase */
  GPtrArray *messages;       /* (element-type EmberMessageRecord) upserted by provider id */
  GPtrArray *deleted_ids;    /* (element-type utf8) message provider ids deleted from the account */
  GPtrArray *folder_changes; /* (element-type EmberFolderChange) applied after the upserts */
} EmberMessagePage;

/* One page of a calendar sync for one calendar. */
typedef struct
{
  char      *resource;             /* required */
  char      *cursor;
  char      *phase;
  char      *calendar_provider_id; /* required; the calendar must be stored */
  GPtrArray *events;               /* (element-type EmberEventRecord) */
  GPtrArray *deleted_ids;          /* (element-type utf8) event provider ids */
} EmberEventPage;

/* Folders (labels.list, mailFolders/delta) or calendars (calendarList). */
typedef struct
{
  char      *resource;    /* NULL: no sync_state row is touched */
  char      *cursor;
  char      *phase;
  GPtrArray *folders;     /* (element-type EmberFolderRecord) */
  GPtrArray *deleted_ids; /* (element-type utf8) folder provider ids */
  /* TRUE when @folders is the complete list: stored folders missing from it
   * are deleted (with their memberships; the messages stay). */
  gboolean   complete;
} EmberFolderPage;

typedef struct
{
  char      *resource;
  char      *cursor;
  char      *phase;
  GPtrArray *calendars;   /* (element-type EmberCalendarRecord) */
  GPtrArray *deleted_ids; /* (element-type utf8) calendar provider ids */
  gboolean   complete;    /* as for EmberFolderPage; removed calendars take their events */
} EmberCalendarPage;

/* Keyset position in a newest-first message list: the last row seen.
 * { 0, 0 } means "from the newest". */
typedef struct
{
  gint64 date;
  gint64 id;
} EmberMessageCursor;

typedef enum
{
  EMBER_MESSAGE_SCOPE_FOLDER, /* one folder (folder_id) */
  EMBER_MESSAGE_SCOPE_INBOX,  /* inbox folders: of account_id, or of all accounts when 0 */
  EMBER_MESSAGE_SCOPE_ALL,    /* every message of account_id, or of all accounts when 0 */
} EmberMessageScope;

typedef struct
{
  EmberMessageScope  scope;
  gint64             account_id; /* 0: all accounts (INBOX and ALL scopes) */
  gint64             folder_id;  /* FOLDER scope */
  EmberMessageCursor after;      /* start after this row */
  guint              limit;      /* 0 means 100 */
} EmberMessageQuery;

typedef struct
{
  gint64 messages;
  gint64 unread;
  gint64 folders;
  gint64 calendars;
  gint64 events;
} EmberAccountCounts;

/* One account with its counts and the state of each resource, for status
 * displays (`ember-cli status`, the accounts pane). */
typedef struct
{
  EmberAccountRecord *account;
  EmberAccountCounts  counts;
  GPtrArray          *sync_states; /* (element-type EmberSyncState) by resource */
} EmberAccountStatus;

#define EMBER_TYPE_ACCOUNT_RECORD  (ember_account_record_get_type ())
#define EMBER_TYPE_FOLDER_RECORD   (ember_folder_record_get_type ())
#define EMBER_TYPE_MESSAGE_RECORD  (ember_message_record_get_type ())
#define EMBER_TYPE_CALENDAR_RECORD (ember_calendar_record_get_type ())
#define EMBER_TYPE_EVENT_RECORD    (ember_event_record_get_type ())
#define EMBER_TYPE_SYNC_STATE      (ember_sync_state_get_type ())
#define EMBER_TYPE_ACCOUNT_STATUS  (ember_account_status_get_type ())

GType                ember_account_record_get_type  (void) G_GNUC_CONST;
EmberAccountRecord  *ember_account_record_new       (void);
EmberAccountRecord  *ember_account_record_copy      (const EmberAccountRecord  *self);
void                 ember_account_record_free      (EmberAccountRecord        *self);

GType                ember_folder_record_get_type   (void) G_GNUC_CONST;
EmberFolderRecord   *ember_folder_record_new        (void);
EmberFolderRecord   *ember_folder_record_copy       (const EmberFolderRecord   *self);
void                 ember_folder_record_free       (EmberFolderRecord         *self);

GType                ember_message_record_get_type  (void) G_GNUC_CONST;
EmberMessageRecord  *ember_message_record_new       (void);
EmberMessageRecord  *ember_message_record_copy      (const EmberMessageRecord  *self);
void                 ember_message_record_free      (EmberMessageRecord        *self);
/* Appends a folder provider id to @self->folder_ids, creating the array. */
void                 ember_message_record_add_folder_id (EmberMessageRecord *self,
                                                         const char         *folder_provider_id);

GType                ember_calendar_record_get_type (void) G_GNUC_CONST;
EmberCalendarRecord *ember_calendar_record_new      (void);
EmberCalendarRecord *ember_calendar_record_copy     (const EmberCalendarRecord *self);
void                 ember_calendar_record_free     (EmberCalendarRecord       *self);

GType                ember_event_record_get_type    (void) G_GNUC_CONST;
EmberEventRecord    *ember_event_record_new         (void);
EmberEventRecord    *ember_event_record_copy        (const EmberEventRecord    *self);
void                 ember_event_record_free        (EmberEventRecord          *self);

GType                ember_sync_state_get_type      (void) G_GNUC_CONST;
EmberSyncState      *ember_sync_state_new           (void);
EmberSyncState      *ember_sync_state_copy          (const EmberSyncState      *self);
void                 ember_sync_state_free          (EmberSyncState            *self);

GType                ember_account_status_get_type  (void) G_GNUC_CONST;
EmberAccountStatus  *ember_account_status_copy      (const EmberAccountStatus  *self);
void                 ember_account_status_free      (EmberAccountStatus        *self);

/* Pages own everything they point to; _new () creates the empty arrays with
 * the right free functions, so callers just g_ptr_array_add (). */
EmberFolderChange   *ember_folder_change_new        (const char                *message_provider_id,
                                                     EmberFolderChangeOp        op);
void                 ember_folder_change_free       (EmberFolderChange         *self);

EmberMessagePage    *ember_message_page_new         (const char                *resource);
void                 ember_message_page_free        (EmberMessagePage          *self);
EmberEventPage      *ember_event_page_new           (const char                *resource,
                                                     const char                *calendar_provider_id);
void                 ember_event_page_free          (EmberEventPage            *self);
EmberFolderPage     *ember_folder_page_new          (const char                *resource);
void                 ember_folder_page_free         (EmberFolderPage           *self);
EmberCalendarPage   *ember_calendar_page_new        (const char                *resource);
void                 ember_calendar_page_free       (EmberCalendarPage         *self);

/* The cursor that continues a list after @record. */
EmberMessageCursor   ember_message_cursor_after     (const EmberMessageRecord  *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberAccountRecord, ember_account_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberFolderRecord, ember_folder_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberMessageRecord, ember_message_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberCalendarRecord, ember_calendar_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberEventRecord, ember_event_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberSyncState, ember_sync_state_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberAccountStatus, ember_account_status_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberFolderChange, ember_folder_change_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberMessagePage, ember_message_page_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberEventPage, ember_event_page_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberFolderPage, ember_folder_page_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberCalendarPage, ember_calendar_page_free)

G_END_DECLS
