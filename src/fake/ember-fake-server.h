/* ember-fake-server.h: a stand-in for Gmail, Google Calendar, Microsoft
 * Graph and both OAuth servers, listening on 127.0.0.1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server runs on its own thread with its own GMainContext; every call
 * below is thread-safe. It behaves like the documented services, including
 * their unpleasant parts (quotas, paging, expiring cursors, flaky networks).
 *
 * URL mapping (BASE = ember_fake_server_get_base_uri(), "http://127.0.0.1:PORT"):
 *
 *   Google OAuth   authorize  BASE/google/o/oauth2/v2/auth
 *                  token      BASE/google/token
 *                  (a client's Google "auth base" is BASE/google)
 *   Microsoft      authorize  BASE/microsoft/{tenant}/oauth2/v2.0/authorize
 *                  token      BASE/microsoft/{tenant}/oauth2/v2.0/token
 *                  (a client's Microsoft "auth base" is BASE/microsoft)
 *   Gmail          BASE/gmail/v1/users/me/...       batch: BASE/batch/gmail/v1
 *   Calendar       BASE/calendar/v3/...             (Google API base = BASE)
 *   Graph          BASE/v1.0/me/...                 batch: BASE/v1.0/$batch
 *                  (Graph API base = BASE/v1.0): /me, mailFolders (list,
 *                  get, childFolders, delta), messages/delta, messages,
 *                  calendarView/delta
 *   Control        BASE/_fake/...                   (JSON, no auth; see below)
 *
 * Accounts: alice@gmail.test and bob@gmail.test (Google), carol@contoso.test
 * and dave@contoso.test (Microsoft). The authorize endpoint consents at once
 * for the account named by login_hint (the provider's first account without
 * one) and redirects (302) to the loopback redirect_uri with code and state.
 * The bearer token then decides which mailbox a request reaches.
 *
 * OAuth rules (as the providers document them): response_type=code,
 * client_id, a loopback http redirect_uri (127.0.0.1, [::1] or localhost,
 * any port), state, code_challenge (43-128 chars) with
 * code_challenge_method=S256 and scope are required. Codes are single-use
 * and live --code-ttl seconds; the token request must repeat the same
 * redirect_uri and client_id and carry the matching code_verifier.
 * Google's token endpoint wants a client_secret (desktop clients get one;
 * any value is accepted) and issues a refresh token only for
 * access_type=offline; Microsoft's rejects a client_secret from a public
 * client and issues a refresh token only for the offline_access scope, and
 * rotates it on every refresh. Access tokens live --token-ttl seconds.
 *
 * Control API (JSON bodies and replies):
 *   GET    /_fake/accounts
 *   GET    /_fake/accounts/{email}                     summary + dataset
 *   GET    /_fake/accounts/{email}/messages
 *   POST   /_fake/accounts/{email}/messages            {subject, from, from_name, to, text, html,
 *                                                      labels[], folder, thread_id, unread, date}
 *   DELETE /_fake/accounts/{email}/messages/{id}
 *   POST   /_fake/accounts/{email}/messages/{id}/read  {"unread": bool}
 *   POST   /_fake/accounts/{email}/messages/{id}/move  {"to": "inbox|archive|trash|spam|label|folder"}
 *   POST   /_fake/accounts/{email}/messages/{id}/labels {"add": [...], "remove": [...]}
 *   POST   /_fake/accounts/{email}/folders             {name, parent} (Graph; parent: id or
 *                                                      well-known name, none for the top)
 *   PATCH  /_fake/accounts/{email}/folders/{id}        {name}
 *   DELETE /_fake/accounts/{email}/folders/{id}        with its subfolders and messages
 *   GET    /_fake/accounts/{email}/events
 *   POST   /_fake/accounts/{email}/events              {summary, location, description, calendar,
 *                                                      start, end (RFC 3339), all_day, time_zone, rrule}
 *   PATCH  /_fake/accounts/{email}/events/{id}         same fields, all optional
 *   POST   /_fake/accounts/{email}/events/{id}/cancel
 *   DELETE /_fake/accounts/{email}/events/{id}
 *   POST   /_fake/accounts/{email}/expire              {"cursors": ["history","sync","delta"]}
 *   POST   /_fake/accounts/{email}/revoke
 *   POST   /_fake/accounts/{email}/tokens              -> {access_token, refresh_token, expires_in}
 *   GET    /_fake/faults   PUT /_fake/faults {"spec": "503:0.05,..."}
 *   GET    /_fake/log[?since=SEQ]   DELETE /_fake/log
 *   GET    /_fake/stats                               in-flight, max in-flight, quota use
 *   POST   /_fake/time                                {"advance_seconds": N}
 *
 * Fault spec: comma-separated KIND:PROBABILITY[:OPTION...] rules, drawn
 * once per API request from a generator seeded with --seed:
 *   500|502|503|504   server error with the provider's error body
 *   429               throttled; option retry-after=SECONDS
 *   reset             the connection is closed without a response
 *   stall             no answer for a while; option DURATION (15s, 500ms)
 *   truncate          a 200 whose JSON body is cut short
 *   any rule: path=PREFIX limits it to request paths starting with PREFIX
 * e.g. "503:0.05,429:0.02:retry-after=1,reset:0.01,stall:0.01:15s,truncate:0.01".
 * Inside a Gmail or Graph batch, status rules apply to each inner call.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  EMBER_FAKE_GMAIL_COSTS_2026,    /* messages.get = 20 units (the current table) */
  EMBER_FAKE_GMAIL_COSTS_LEGACY,  /* messages.get = 5 units (before 2026-05-01) */
} EmberFakeGmailCosts;

typedef struct
{
  guint16              port;                      /* 0: ephemeral */
  guint                n_messages;                /* per account, default 200 */
  guint                n_events;                  /* per account, default 80 */
  guint64              seed;                      /* default 1 */
  const char          *faults;                    /* fault spec, NULL: none */
  gboolean             no_quota;                  /* no quotas, no throttling */
  guint                token_ttl_seconds;         /* default 3600 */
  guint                code_ttl_seconds;          /* default 600 */
  guint                latency_ms;                /* added to every API reply, without blocking */
  guint                gmail_quota_units;         /* per user per window, default 6000 */
  guint                gmail_quota_window_seconds;/* default 60 */
  EmberFakeGmailCosts  gmail_costs;               /* default 2026 */
  guint                calendar_quota_requests;   /* per user per minute, default 600 */
  guint                graph_concurrency;         /* per mailbox, default 4 */
  guint                graph_requests_per_window; /* per mailbox, default 10000 */
  guint                graph_window_seconds;      /* default 600 */
  gint64               anchor_time;               /* unix seconds the data centres on; 0: now */
} EmberFakeServerOptions;

typedef enum
{
  EMBER_FAKE_CURSOR_HISTORY    = 1 << 0,  /* Gmail startHistoryId -> 404 */
  EMBER_FAKE_CURSOR_SYNC_TOKEN = 1 << 1,  /* Calendar syncToken / pageToken -> 410 */
  EMBER_FAKE_CURSOR_DELTA      = 1 << 2,  /* Graph deltaLink / nextLink -> 410 */
  EMBER_FAKE_CURSOR_ALL        = 0x7,
} EmberFakeCursors;

typedef struct
{
  const char          *subject;
  const char          *from_name;
  const char          *from_address;
  const char          *to_address;    /* NULL: the account itself */
  const char          *text;
  const char          *html;          /* nullable */
  const char * const  *labels;        /* Gmail label ids or names; NULL: INBOX */
  const char          *folder;        /* Graph folder id or well-known name; NULL: inbox */
  const char          *thread_id;     /* Gmail: join this thread */
  gboolean             unread;
  gint64               date;          /* unix seconds; 0: now */
} EmberFakeMessageSpec;

typedef struct
{
  const char *summary;      /* change: NULL keeps it */
  const char *location;
  const char *description;
  const char *calendar;     /* NULL: primary */
  const char *time_zone;    /* IANA; NULL: UTC (add) / unchanged (change) */
  const char *rrule;        /* "FREQ=WEEKLY;COUNT=5"; NULL: single / unchanged; "" removes */
  gboolean    all_day;
  gboolean    set_times;    /* change: whether start/end apply */
  gint64      start;        /* unix seconds; all-day: any time on the first day */
  gint64      end;          /* exclusive */
  /* Add: without set_reminder the event follows its calendar's default.
   * Change: without it the reminder stays. reminder_minutes is minutes
   * before the start or one of the EMBER_FAKE_REMINDER_ values. */
  gboolean    set_reminder;
  int         reminder_minutes;
} EmberFakeEventSpec;

/* An event's reminder: the calendar's default (Google useDefault; Graph
 * has no calendar default and sends Outlook's 15 minutes), or none. */
#define EMBER_FAKE_REMINDER_DEFAULT (-1)
#define EMBER_FAKE_REMINDER_NONE    (-2)

typedef struct
{
  guint64  seq;
  gint64   time_us;        /* wall clock (including any advance) */
  char    *method;
  char    *path;           /* without the query */
  char    *query;          /* nullable */
  guint    status;
  guint    cost;           /* quota units charged (Gmail), requests (Graph/Calendar) */
  char    *account;        /* nullable */
  char    *fault;          /* nullable: "503", "reset", "stall", "truncate", ... */
  guint64  batch_seq;      /* the enclosing batch request's seq, 0 if none */
} EmberFakeLogEntry;

void ember_fake_log_entry_free (EmberFakeLogEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberFakeLogEntry, ember_fake_log_entry_free)

#define EMBER_TYPE_FAKE_SERVER (ember_fake_server_get_type ())
G_DECLARE_FINAL_TYPE (EmberFakeServer, ember_fake_server, EMBER, FAKE_SERVER, GObject)

void             ember_fake_server_options_init     (EmberFakeServerOptions *options);

/* @options: (nullable): NULL for the defaults. Generates the dataset. */
EmberFakeServer *ember_fake_server_new              (const EmberFakeServerOptions *options);
/* Starts the server thread and returns once it listens. */
gboolean         ember_fake_server_start            (EmberFakeServer   *self,
                                                     GError           **error);
/* Stops listening, drops connections and joins the thread. Idempotent. */
void             ember_fake_server_stop             (EmberFakeServer   *self);
guint16          ember_fake_server_get_port         (EmberFakeServer   *self);
/* "http://127.0.0.1:PORT" (no trailing slash), NULL before start. */
const char      *ember_fake_server_get_base_uri     (EmberFakeServer   *self);

/* Faults, tokens, cursors, time */
gboolean         ember_fake_server_set_faults       (EmberFakeServer   *self,
                                                     const char        *spec,
                                                     GError           **error);
char            *ember_fake_server_dup_faults       (EmberFakeServer   *self);
/* Issues tokens for @email without the browser dance (all scopes). */
gboolean         ember_fake_server_issue_token      (EmberFakeServer   *self,
                                                     const char        *email,
                                                     char             **access_token,
                                                     char             **refresh_token,
                                                     GError           **error);
/* Revokes every refresh and access token of @email. */
gboolean         ember_fake_server_revoke           (EmberFakeServer   *self,
                                                     const char        *email,
                                                     GError           **error);
gboolean         ember_fake_server_expire_cursors   (EmberFakeServer   *self,
                                                     const char        *email,
                                                     EmberFakeCursors   cursors,
                                                     GError           **error);
/* Moves the server's clock (token and code expiry, quota windows, the
 * timestamps of new data) forward. */
void             ember_fake_server_advance_time     (EmberFakeServer   *self,
                                                     gint64             seconds);

/* Dataset */
char            *ember_fake_server_add_message      (EmberFakeServer   *self,
                                                     const char        *email,
                                                     const EmberFakeMessageSpec *spec,
                                                     GError           **error);
gboolean         ember_fake_server_delete_message   (EmberFakeServer   *self,
                                                     const char        *email,
                                                     const char        *id,
                                                     GError           **error);
gboolean         ember_fake_server_set_message_unread (EmberFakeServer *self,
                                                     const char        *email,
                                                     const char        *id,
                                                     gboolean           unread,
                                                     GError           **error);
/* Returns the message's id after the move (Graph ids change). */
char            *ember_fake_server_move_message     (EmberFakeServer   *self,
                                                     const char        *email,
                                                     const char        *id,
                                                     const char        *destination,
                                                     GError           **error);
/* Graph mail folders. @parent: id or well-known name, NULL for the top.
 * Deleting takes subfolders and messages along; well-known folders stay. */
char            *ember_fake_server_add_folder       (EmberFakeServer   *self,
                                                     const char        *email,
                                                     const char        *display_name,
                                                     const char        *parent,
                                                     GError           **error);
gboolean         ember_fake_server_rename_folder    (EmberFakeServer   *self,
                                                     const char        *email,
                                                     const char        *id,
                                                     const char        *display_name,
                                                     GError           **error);
gboolean         ember_fake_server_delete_folder    (EmberFakeServer   *self,
                                                     const char        *email,
                                                     const char        *id,
                                                     GError           **error);
gboolean         ember_fake_server_relabel_message  (EmberFakeServer   *self,
                                                     const char        *email,
                                                     const char        *id,
                                                     const char * const *add,
                                                     const char * const *remove,
                                                     GError           **error);
char            *ember_fake_server_add_event        (EmberFakeServer   *self,
                                                     const char        *email,
                                                     const EmberFakeEventSpec *spec,
                                                     GError           **error);
gboolean         ember_fake_server_change_event     (EmberFakeServer   *self,
                                                     const char        *email,
                                                     const char        *id,
                                                     const EmberFakeEventSpec *change,
                                                     GError           **error);
gboolean         ember_fake_server_cancel_event     (EmberFakeServer   *self,
                                                     const char        *email,
                                                     const char        *id,
                                                     GError           **error);
gboolean         ember_fake_server_delete_event     (EmberFakeServer   *self,
                                                     const char        *email,
                                                     const char        *id,
                                                     GError           **error);
/* Ids of the account's messages, newest first; @label_or_folder (nullable)
 * filters by Gmail label id or Graph folder (id or well-known name). */
GStrv            ember_fake_server_list_message_ids (EmberFakeServer   *self,
                                                     const char        *email,
                                                     const char        *label_or_folder,
                                                     GError           **error);
/* The account's dataset as the control API returns it (JSON). */
char            *ember_fake_server_dup_account_json (EmberFakeServer   *self,
                                                     const char        *email,
                                                     GError           **error);

/* Request log and counters */
/* Transfer full: a GPtrArray of EmberFakeLogEntry. */
GPtrArray       *ember_fake_server_get_request_log  (EmberFakeServer   *self);
void             ember_fake_server_clear_request_log (EmberFakeServer  *self);
/* Counts log entries; NULL @method / @path_prefix and 0 @status match any. */
guint            ember_fake_server_count_requests   (EmberFakeServer   *self,
                                                     const char        *method,
                                                     const char        *path_prefix,
                                                     guint              status);
/* CPU time the server thread has used, in microseconds (benchmarks). */
gint64           ember_fake_server_get_cpu_time_us  (EmberFakeServer  *self);
guint            ember_fake_server_get_max_in_flight (EmberFakeServer  *self,
                                                     const char        *email);
void             ember_fake_server_reset_max_in_flight (EmberFakeServer *self);
/* Graph requests to @email's mailbox being answered right now (a killed
 * client's count until the server finishes them). */
guint            ember_fake_server_get_in_flight    (EmberFakeServer  *self,
                                                     const char       *email);

G_END_DECLS
