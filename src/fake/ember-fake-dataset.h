/* ember-fake-dataset.h: the fake server's mailboxes and calendars
 *
 * Plain data, no HTTP: the generator, the mutations the control API offers,
 * and the change bookkeeping every sync cursor is computed from (Gmail
 * history records, Graph change sequence numbers and tombstones, Calendar
 * sequence numbers). The server holds one lock around all of it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ember-fake-server.h"
#include "ember-fake-util.h"

G_BEGIN_DECLS

typedef enum
{
  EMBER_FAKE_PROVIDER_GOOGLE,
  EMBER_FAKE_PROVIDER_MICROSOFT,
} EmberFakeProvider;

typedef struct
{
  char *name;     /* UTF-8, may be NULL */
  char *address;
} EmberFakeAddress;

typedef enum
{
  EMBER_FAKE_SHAPE_PLAIN,        /* text/plain */
  EMBER_FAKE_SHAPE_HTML,         /* text/html */
  EMBER_FAKE_SHAPE_ALTERNATIVE,  /* multipart/alternative: text + html */
  EMBER_FAKE_SHAPE_MIXED,        /* multipart/mixed: alternative + attachments */
  EMBER_FAKE_SHAPE_MIXED_PLAIN,  /* multipart/mixed: text + attachments */
  EMBER_FAKE_SHAPE_RELATED,      /* alternative: text + related(html + inline image) */
} EmberFakeShape;

typedef struct
{
  char    *filename;       /* UTF-8 */
  char    *mime_type;
  guint    size;
  guint64  seed;
  char    *content_id;     /* inline images only */
  char    *attachment_id;  /* Gmail attachmentId */
} EmberFakeAttachment;

typedef struct
{
  guint64           key;              /* creation order; keyset paging key */
  char             *id;
  char             *thread_id;        /* Gmail threadId, Graph conversationId */
  char             *internet_message_id;
  char             *in_reply_to;
  char             *references;
  char             *subject;          /* UTF-8 */
  EmberFakeAddress  from;
  GPtrArray        *to;               /* EmberFakeAddress */
  GPtrArray        *cc;
  gint64            date_ms;          /* internalDate / receivedDateTime */
  int               tz_offset_min;    /* offset written in the Date: header */
  char             *text;             /* UTF-8 body */
  char             *html;             /* nullable */
  char             *charset;          /* charset of the text parts */
  EmberFakeShape    shape;
  GPtrArray        *attachments;      /* EmberFakeAttachment */
  char             *mailer;           /* nullable X-Mailer */

  /* Mutable state. */
  GPtrArray        *labels;           /* Gmail label ids (not UNREAD) / Graph categories */
  char             *folder_id;        /* Graph */
  gboolean          unread;
  gboolean          draft;
  gboolean          flagged;
  guint64           history_id;       /* Gmail */
  guint64           change_seq;       /* Graph delta */
  guint             change_count;     /* changeKey / etag version */
  gint64            created_us;
  gint64            modified_us;

  /* Rendered lazily by ember-fake-mime.c (immutable content only). */
  gsize             size_estimate;    /* bytes of the RFC 5322 form, 0: not rendered */
  char             *raw_b64;
  char             *payload_json;     /* Gmail payload, format=full */
  GPtrArray        *top_headers;      /* name, value, name, value, ... */
  char             *top_mime_type;
  char             *snippet;          /* Gmail snippet, HTML-escaped */
  char             *preview;          /* Graph bodyPreview */
  char             *graph_body_json;  /* serialised itemBody */
} EmberFakeMessage;

typedef struct
{
  char     *id;
  char     *name;
  gboolean  system;
  gboolean  hidden;   /* labelListVisibility = labelHide */
} EmberFakeLabel;

typedef enum
{
  EMBER_FAKE_HISTORY_MESSAGE_ADDED,
  EMBER_FAKE_HISTORY_MESSAGE_DELETED,
  EMBER_FAKE_HISTORY_LABELS_ADDED,
  EMBER_FAKE_HISTORY_LABELS_REMOVED,
} EmberFakeHistoryKind;

typedef struct
{
  guint64               id;
  EmberFakeHistoryKind  kind;
  char                 *message_id;
  char                 *thread_id;
  GStrv                 message_labels;  /* the message's labels after the change */
  GStrv                 changed_labels;  /* labelsAdded / labelsRemoved only */
} EmberFakeHistory;

typedef struct
{
  guint64  key;          /* the removed item's paging key */
  gint64   minor;        /* second paging key (an occurrence's original start) */
  char    *id;
  guint64  seq;
  gboolean restorable;   /* @removed reason "changed" rather than "deleted" */
} EmberFakeTombstone;

typedef struct
{
  guint64    key;           /* paging key of mailFolders/delta, by creation */
  guint64    change_seq;    /* mail_seq of its creation or last rename */
  char      *id;
  char      *well_known;    /* "inbox", "sentitems", ... or NULL */
  char      *display_name;
  char      *parent_id;     /* NULL for msgfolderroot's children */
  gboolean   hidden;
  GPtrArray *members;       /* EmberFakeMessage, by key (not owned) */
  GPtrArray *tombstones;    /* EmberFakeTombstone, by seq */
} EmberFakeFolder;

typedef enum
{
  EMBER_FAKE_FREQ_NONE,
  EMBER_FAKE_FREQ_DAILY,
  EMBER_FAKE_FREQ_WEEKLY,
  EMBER_FAKE_FREQ_MONTHLY,
  EMBER_FAKE_FREQ_YEARLY,
} EmberFakeFreq;

typedef struct
{
  EmberFakeFreq freq;
  guint         interval;
  guint         count;      /* 0 = until-bounded */
  gint64        until;      /* unix seconds, 0 = count-bounded */
} EmberFakeRecurrence;

typedef struct
{
  gint64    original_start;   /* unix seconds (all-day: UTC midnight of the date) */
  gboolean  cancelled;
  char     *summary;          /* override, nullable */
  gint64    start;            /* override (0 = as the series) */
  gint64    end;
  guint64   seq;
  gint64    updated_us;
} EmberFakeException;

typedef struct
{
  guint64              key;
  char                *id;
  char                *ical_uid;
  char                *calendar_id;
  char                *summary;
  char                *description;
  char                *location;
  gboolean             all_day;
  gint64               start;        /* unix seconds; all-day: UTC midnight of the date */
  gint64               end;          /* exclusive */
  char                *time_zone;    /* IANA */
  gboolean             omit_time_zone;
  EmberFakeRecurrence  recurrence;
  GPtrArray           *exceptions;   /* EmberFakeException */
  gboolean             cancelled;    /* Google status=cancelled, Graph isCancelled */
  gboolean             tentative;
  gboolean             deleted;      /* removed: a bare cancelled stub / @removed */
  guint64              seq;
  guint                sequence;
  gint64               created_us;
  gint64               updated_us;
  EmberFakeAddress     organizer;
  GPtrArray           *attendees;    /* EmberFakeAddress */
  int                  reminder_minutes;  /* or EMBER_FAKE_REMINDER_DEFAULT / _NONE */
} EmberFakeEvent;

typedef struct
{
  EmberFakeEvent     *event;
  EmberFakeException *exception;   /* nullable */
  gint64              original_start;
  gint64              start;
  gint64              end;
  gboolean            cancelled;
  guint64             seq;
} EmberFakeInstance;

typedef struct
{
  char      *id;
  char      *summary;
  char      *time_zone;
  char      *color;
  gboolean   primary;
  int        default_reminder_minutes;  /* popup defaultReminders; -1: none */
  GPtrArray *events;   /* EmberFakeEvent, by key */
} EmberFakeCalendar;

typedef struct
{
  guint64            index;
  char              *email;
  char              *display_name;
  char              *user_id;
  EmberFakeProvider  provider;
  EmberFakeRng       rng;           /* ids for runtime additions */
  guint64            next_key;

  GPtrArray         *messages;      /* EmberFakeMessage (owned), by key */
  GHashTable        *messages_by_id;
  GPtrArray         *by_date;       /* newest first; rebuilt when dirty */
  gboolean           by_date_dirty;

  /* Gmail */
  GPtrArray         *labels;        /* EmberFakeLabel */
  guint64            history_id;
  guint64            history_min;   /* oldest startHistoryId still served */
  GPtrArray         *history;       /* EmberFakeHistory, ascending */

  /* Graph mail */
  GPtrArray         *folders;       /* EmberFakeFolder */
  GPtrArray         *folder_tombstones;  /* EmberFakeTombstone, by seq */
  guint64            next_folder_key;
  guint64            mail_seq;
  guint              mail_generation;

  /* Calendars (both providers) */
  GPtrArray         *calendars;     /* EmberFakeCalendar */
  guint64            cal_seq;
  guint              cal_generation;
  GPtrArray         *event_tombstones;  /* Graph occurrence ids gone by a change */
} EmberFakeAccount;

typedef struct
{
  guint64     seed;
  gint64      anchor;        /* unix seconds the dataset was generated around */
  GPtrArray  *accounts;      /* EmberFakeAccount */
  GHashTable *by_email;
} EmberFakeDataset;

EmberFakeDataset   *ember_fake_dataset_new            (guint64            seed,
                                                       guint              n_messages,
                                                       guint              n_events,
                                                       gint64             anchor_unix,
                                                       gint64             now_us);
void                ember_fake_dataset_free           (EmberFakeDataset  *self);
EmberFakeAccount   *ember_fake_dataset_lookup         (EmberFakeDataset  *self,
                                                       const char        *email);
EmberFakeAccount   *ember_fake_dataset_add_account    (EmberFakeDataset  *self,
                                                       const char        *email,
                                                       const char        *display_name,
                                                       EmberFakeProvider  provider,
                                                       guint              n_messages,
                                                       guint              n_events,
                                                       gint64             now_us);
/* A shared, cached zone (transfer none); NULL when the name is unknown. */
GTimeZone          *ember_fake_time_zone              (const char        *iana);

/* Lookups */
EmberFakeMessage   *ember_fake_account_find_message   (EmberFakeAccount  *self,
                                                       const char        *id);
GPtrArray          *ember_fake_account_messages_by_date (EmberFakeAccount *self);
EmberFakeLabel     *ember_fake_account_find_label     (EmberFakeAccount  *self,
                                                       const char        *id_or_name);
EmberFakeFolder    *ember_fake_account_find_folder    (EmberFakeAccount  *self,
                                                       const char        *id_or_well_known);
EmberFakeCalendar  *ember_fake_account_find_calendar  (EmberFakeAccount  *self,
                                                       const char        *id);
EmberFakeCalendar  *ember_fake_account_primary_calendar (EmberFakeAccount *self);
/* Finds a series, single event or (for Google ids "master_20250101T090000Z"
 * and Graph occurrence ids) one instance of a series. */
EmberFakeEvent     *ember_fake_account_find_event     (EmberFakeAccount  *self,
                                                       const char        *id,
                                                       gint64            *out_original_start);
gboolean            ember_fake_message_has_label      (EmberFakeMessage  *message,
                                                       const char        *label_id);
/* Label ids as Gmail lists them, UNREAD included; free with g_free() only. */
const char        **ember_fake_message_label_ids      (EmberFakeMessage  *message);

/* Mutations; @now_us is the server's (shiftable) wall clock. */
EmberFakeMessage   *ember_fake_account_add_message    (EmberFakeAccount  *self,
                                                       const EmberFakeMessageSpec *spec,
                                                       gint64             now_us,
                                                       GError           **error);
gboolean            ember_fake_account_delete_message (EmberFakeAccount  *self,
                                                       const char        *id,
                                                       gint64             now_us,
                                                       GError           **error);
gboolean            ember_fake_account_set_unread     (EmberFakeAccount  *self,
                                                       const char        *id,
                                                       gboolean           unread,
                                                       gint64             now_us,
                                                       GError           **error);
gboolean            ember_fake_account_relabel        (EmberFakeAccount  *self,
                                                       const char        *id,
                                                       const char * const *add,
                                                       const char * const *remove,
                                                       gint64             now_us,
                                                       GError           **error);
/* Gmail: inbox/archive/trash/spam or a label; Graph: a folder (the message
 * gets a new id, as Outlook ids change on a move). Returns the id after the
 * move. */
char               *ember_fake_account_move_message   (EmberFakeAccount  *self,
                                                       const char        *id,
                                                       const char        *destination,
                                                       gint64             now_us,
                                                       GError           **error);
/* Graph folders. @parent: id or well-known name, NULL for the top level.
 * Deleting takes the folder's subfolders and messages with it (as
 * emptying Deleted Items does); well-known folders cannot be deleted. */
EmberFakeFolder    *ember_fake_account_add_folder     (EmberFakeAccount  *self,
                                                       const char        *display_name,
                                                       const char        *parent,
                                                       GError           **error);
gboolean            ember_fake_account_rename_folder  (EmberFakeAccount  *self,
                                                       const char        *id,
                                                       const char        *display_name,
                                                       GError           **error);
gboolean            ember_fake_account_delete_folder  (EmberFakeAccount  *self,
                                                       const char        *id,
                                                       gint64             now_us,
                                                       GError           **error);

EmberFakeEvent     *ember_fake_account_add_event      (EmberFakeAccount  *self,
                                                       const EmberFakeEventSpec *spec,
                                                       gint64             now_us,
                                                       GError           **error);
gboolean            ember_fake_account_change_event   (EmberFakeAccount  *self,
                                                       const char        *id,
                                                       const EmberFakeEventSpec *change,
                                                       gint64             now_us,
                                                       GError           **error);
gboolean            ember_fake_account_cancel_event   (EmberFakeAccount  *self,
                                                       const char        *id,
                                                       gint64             now_us,
                                                       GError           **error);
gboolean            ember_fake_account_delete_event   (EmberFakeAccount  *self,
                                                       const char        *id,
                                                       gint64             now_us,
                                                       GError           **error);

void                ember_fake_account_expire_history (EmberFakeAccount  *self);
void                ember_fake_account_expire_sync    (EmberFakeAccount  *self);

/* Recurrence (ember-fake-recurrence.c) */
/* All instances of a series (cancelled exceptions included, flagged), or
 * the single event itself, in start order. */
GArray             *ember_fake_event_expand           (EmberFakeEvent    *event);
gboolean            ember_fake_recurrence_parse       (const char        *rrule,
                                                       EmberFakeRecurrence *out,
                                                       GError           **error);
char               *ember_fake_recurrence_to_string   (const EmberFakeRecurrence *rec,
                                                       gint64             start,
                                                       gboolean           all_day,
                                                       GTimeZone         *tz);
/* Google instance id: master id + "_20250114T080000Z" or "_20250114". */
char               *ember_fake_event_google_instance_id (EmberFakeEvent  *event,
                                                       gint64             original_start);
/* Graph occurrence id: opaque, derived from the series id and the date. */
char               *ember_fake_event_graph_instance_id (EmberFakeEvent   *event,
                                                       gint64             original_start);
/* IANA -> Windows time zone name (CLDR windowsZones), NULL when unknown. */
const char         *ember_fake_windows_zone_for_iana  (const char        *iana);
const char         *ember_fake_iana_zone_for_windows  (const char        *windows);

G_END_DECLS
