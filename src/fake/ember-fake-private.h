/* ember-fake-private.h: what the fake server's modules share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <time.h>

#include "ember-fake-dataset.h"
#include "ember-fake-json.h"
#include "ember-fake-server.h"
#include "ember-fake-util.h"

G_BEGIN_DECLS

/* ---- Faults (ember-fake-faults.c) ---- */

typedef enum
{
  EMBER_FAKE_FAULT_NONE,
  EMBER_FAKE_FAULT_STATUS,
  EMBER_FAKE_FAULT_RESET,
  EMBER_FAKE_FAULT_STALL,
  EMBER_FAKE_FAULT_TRUNCATE,
} EmberFakeFaultKind;

typedef struct
{
  EmberFakeFaultKind  kind;
  guint               status;
  double              probability;
  guint               retry_after;   /* seconds, 0: no header */
  guint               stall_ms;
  char               *path_prefix;   /* nullable */
} EmberFakeFaultRule;

typedef struct
{
  char         *spec;
  GPtrArray    *rules;   /* EmberFakeFaultRule */
  EmberFakeRng  rng;
} EmberFakeFaults;

EmberFakeFaults          *ember_fake_faults_parse (const char      *spec,
                                                   guint64          seed,
                                                   GError         **error);
void                      ember_fake_faults_free  (EmberFakeFaults *self);
/* One draw per request; inner batch calls only get status rules. */
const EmberFakeFaultRule *ember_fake_faults_draw  (EmberFakeFaults *self,
                                                   const char      *path,
                                                   gboolean         inner);

/* ---- Tokens (ember-fake-oauth.c) ---- */

typedef struct _EmberFakeAuth EmberFakeAuth;

EmberFakeAuth *ember_fake_auth_new   (guint64        seed);
void           ember_fake_auth_free  (EmberFakeAuth *self);

/* ---- Quota state per account (ember-fake-quota.c) ---- */

typedef struct
{
  GQueue   charges;          /* EmberFakeCharge, oldest first */
  guint64  charged;          /* sum of the charges in the window */
  GQueue   calendar_charges;
  guint64  calendar_charged;
  guint    in_flight;
  guint    max_in_flight;
} EmberFakeQuota;

void     ember_fake_quota_clear (EmberFakeQuota *quota);

/* What a token's scopes allow, worked out once when it is issued. */
typedef enum
{
  EMBER_FAKE_SCOPE_GMAIL               = 1 << 0,
  EMBER_FAKE_SCOPE_GMAIL_METADATA_ONLY = 1 << 1,
  EMBER_FAKE_SCOPE_CALENDAR            = 1 << 2,
  EMBER_FAKE_SCOPE_GRAPH_MAIL          = 1 << 3,
  EMBER_FAKE_SCOPE_GRAPH_CALENDAR      = 1 << 4,
  EMBER_FAKE_SCOPE_GRAPH_USER          = 1 << 5,
} EmberFakeScopes;

/* ---- The server ---- */

struct _EmberFakeServer
{
  GObject                 parent_instance;

  EmberFakeServerOptions  options;        /* options.faults not kept */

  /* Guards everything below up to the thread fields. */
  GMutex                  lock;
  EmberFakeDataset       *dataset;
  EmberFakeFaults        *faults;
  EmberFakeAuth          *auth;
  GHashTable             *quotas;         /* email -> EmberFakeQuota */
  GPtrArray              *log;            /* EmberFakeLogEntry */
  guint64                 log_seq;
  gint64                  time_offset_us;
  EmberFakeRng            rng;

  /* Server thread. */
  GThread                *thread;
  GMainContext           *context;
  GMainLoop              *loop;
  SoupServer             *soup;
  GHashTable             *pending;        /* delayed replies, server thread only */
  GSource                *warm_source;    /* renders messages while idle */
  guint                   warm_account;
  guint                   warm_position;
  gint64                  cpu_time_us;    /* the server thread's, when it stopped */
  clockid_t               cpu_clock;
  gboolean                has_cpu_clock;
  GMutex                  start_mutex;
  GCond                   start_cond;
  gboolean                start_done;
  GError                 *start_error;
  guint16                 port;
  char                   *base_uri;
};

typedef struct
{
  EmberFakeServer    *server;
  char               *method;
  char               *path;           /* as sent, percent-encoded */
  char               *query;          /* raw, nullable */
  GPtrArray          *params;         /* decoded key, value, key, value ... */
  SoupMessageHeaders *headers;
  GBytes             *body;
  gboolean            in_batch;
  guint64             seq;            /* log sequence number */
  guint64             batch_seq;      /* the enclosing batch's seq */
  /* Filled by authentication. */
  EmberFakeAccount   *account;
  guint               scopes;         /* EmberFakeScopes of the token */
} EmberFakeRequest;

typedef struct
{
  guint      status;
  GPtrArray *headers;                /* name, value, ... */
  char      *content_type;
  GString   *body;
  guint      cost;
  char      *account;
  char      *fault;                  /* for the log */
  gboolean   holds_graph_slot;
  /* Whole-connection faults, outer requests only. */
  EmberFakeFaultKind network_fault;
  guint      stall_ms;
} EmberFakeResponse;

EmberFakeRequest  *ember_fake_request_new          (EmberFakeServer   *server,
                                                    const char        *method,
                                                    const char        *path,
                                                    const char        *query,
                                                    SoupMessageHeaders *headers,
                                                    GBytes            *body);
void               ember_fake_request_free         (EmberFakeRequest  *request);
const char        *ember_fake_request_param        (EmberFakeRequest  *request,
                                                    const char        *name);
/* Every value of a repeated parameter (labelIds=A&labelIds=B). */
GPtrArray         *ember_fake_request_params       (EmberFakeRequest  *request,
                                                    const char        *name);
const char        *ember_fake_request_header       (EmberFakeRequest  *request,
                                                    const char        *name);
/* The path split into percent-decoded segments after @prefix, or NULL
 * when the path does not start with it. */
GStrv              ember_fake_request_segments     (EmberFakeRequest  *request,
                                                    const char        *prefix);

EmberFakeResponse *ember_fake_response_new         (void);
void               ember_fake_response_free        (EmberFakeResponse *response);
void               ember_fake_response_add_header  (EmberFakeResponse *response,
                                                    const char        *name,
                                                    const char        *value);
const char        *ember_fake_response_get_header  (EmberFakeResponse *response,
                                                    const char        *name);
void               ember_fake_response_set_json    (EmberFakeResponse *response,
                                                    guint              status,
                                                    GString           *body);
void               ember_fake_response_reset       (EmberFakeResponse *response);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberFakeRequest, ember_fake_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberFakeResponse, ember_fake_response_free)

/* Server helpers; all called with self->lock held. */
gint64             ember_fake_server_now_us        (EmberFakeServer   *self);  /* wall clock */
gint64             ember_fake_server_mono_us       (EmberFakeServer   *self);
EmberFakeQuota    *ember_fake_server_quota         (EmberFakeServer   *self,
                                                    const char        *email);
/* Routes an API request (also a batch's inner ones); fills @response. */
void               ember_fake_server_dispatch      (EmberFakeServer   *self,
                                                    EmberFakeRequest  *request,
                                                    EmberFakeResponse *response);
guint64            ember_fake_server_log           (EmberFakeServer   *self,
                                                    EmberFakeRequest  *request,
                                                    EmberFakeResponse *response);

/* Error bodies. */
void ember_fake_google_error (EmberFakeResponse *response,
                              guint              code,
                              const char        *status,    /* "NOT_FOUND", nullable */
                              const char        *domain,
                              const char        *reason,
                              const char        *message,
                              const char        *location_type,
                              const char        *location);
void ember_fake_graph_error  (EmberFakeRequest  *request,
                              EmberFakeResponse *response,
                              guint              code,
                              const char        *error_code,
                              const char        *message);
/* A fault-injected status with the provider's body. */
void ember_fake_fault_reply  (EmberFakeRequest         *request,
                              EmberFakeResponse        *response,
                              const EmberFakeFaultRule *rule,
                              gboolean                  graph);

/* Opaque cursors: base64url of "v1|field|field...". */
char  *ember_fake_cursor_encode (const char *first_field,
                                 ...) G_GNUC_NULL_TERMINATED;
GStrv  ember_fake_cursor_decode (const char *cursor,
                                 guint       expected_fields);

/* OAuth (ember-fake-oauth.c) */
gboolean ember_fake_oauth_handle         (EmberFakeRequest  *request,
                                          EmberFakeResponse *response);
/* Checks the bearer token; fills request->account or writes the provider's
 * 401/403 when the token lacks @required (EmberFakeScopes). */
gboolean ember_fake_oauth_authenticate   (EmberFakeRequest  *request,
                                          EmberFakeResponse *response,
                                          EmberFakeProvider  provider,
                                          guint              required);
gboolean ember_fake_auth_issue_direct    (EmberFakeServer   *server,
                                          EmberFakeAccount  *account,
                                          char             **access_token,
                                          char             **refresh_token,
                                          guint             *expires_in);
void     ember_fake_auth_revoke_account  (EmberFakeServer   *server,
                                          const char        *email);

/* Quotas (ember-fake-quota.c); on refusal they write the provider's reply. */
gboolean ember_fake_quota_charge_gmail    (EmberFakeRequest  *request,
                                           EmberFakeResponse *response,
                                           guint              cost);
gboolean ember_fake_quota_charge_calendar (EmberFakeRequest  *request,
                                           EmberFakeResponse *response);
gboolean ember_fake_quota_begin_graph     (EmberFakeRequest  *request,
                                           EmberFakeResponse *response);
void     ember_fake_quota_end_graph       (EmberFakeServer   *server,
                                           const char        *email);
guint    ember_fake_quota_gmail_cost      (EmberFakeServer   *server,
                                           const char        *method_name);

/* The APIs. */
void ember_fake_gmail_handle        (EmberFakeRequest *request, EmberFakeResponse *response);
void ember_fake_gmail_handle_batch  (EmberFakeRequest *request, EmberFakeResponse *response);
void ember_fake_calendar_handle     (EmberFakeRequest *request, EmberFakeResponse *response);
void ember_fake_graph_handle        (EmberFakeRequest *request, EmberFakeResponse *response);
void ember_fake_graph_handle_batch  (EmberFakeRequest *request, EmberFakeResponse *response);
void ember_fake_control_handle      (EmberFakeRequest *request, EmberFakeResponse *response);

/* Shared by the control API and the C API (lock held). */
char    *ember_fake_account_to_json (EmberFakeAccount *account,
                                     gboolean          with_data);
GString *ember_fake_log_to_json     (EmberFakeServer  *server,
                                     guint64           since);

G_END_DECLS
