/* fake-client.h: a small HTTP client for the fake server's tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ember-fake-server.h"

G_BEGIN_DECLS

typedef struct
{
  EmberFakeServer *server;
  SoupSession     *session;
  char            *base;
} FakeFixture;

typedef struct
{
  guint               status;
  SoupMessageHeaders *headers;
  GBytes             *body;
  char               *text;     /* the body, NUL-terminated */
  JsonNode           *json;     /* when the body parses as JSON */
  GError             *error;    /* transport error */
} FakeReply;

/* Options the contract tests share: seeded, small, no quotas, fixed anchor. */
void         fake_options_init        (EmberFakeServerOptions *options);
FakeFixture *fake_fixture_new         (const EmberFakeServerOptions *options);
void         fake_fixture_free        (FakeFixture *fixture);

/* @target: a path ("/gmail/v1/...") or a full URL. @headers: name, value
 * pairs, NULL-terminated, may be NULL. */
FakeReply   *fake_request             (FakeFixture *fixture,
                                       const char  *method,
                                       const char  *target,
                                       const char  *token,
                                       const char  *content_type,
                                       const char  *body,
                                       const char * const *headers);
FakeReply   *fake_get                 (FakeFixture *fixture,
                                       const char  *target,
                                       const char  *token);
FakeReply   *fake_request_on          (SoupSession *session,
                                       const char  *base,
                                       const char  *method,
                                       const char  *target,
                                       const char  *token,
                                       const char  *content_type,
                                       const char  *body,
                                       const char * const *headers);
/* As fake_request_on(), parsing the body as JSON only if @parse_json. */
FakeReply   *fake_request_full        (SoupSession *session,
                                       const char  *base,
                                       const char  *method,
                                       const char  *target,
                                       const char  *token,
                                       const char  *content_type,
                                       const char  *body,
                                       const char * const *headers,
                                       gboolean     parse_json);
void         fake_reply_free          (FakeReply   *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeReply, fake_reply_free)

char        *fake_token               (FakeFixture *fixture,
                                       const char  *email);

/* What most contract tests run against: a server with the shared options
 * and a token for one account. */
typedef struct
{
  FakeFixture *fixture;
  char        *token;
} FakeSignedIn;

void         fake_signed_in_setup     (FakeSignedIn *self,
                                       const char   *email);
void         fake_signed_in_teardown  (FakeSignedIn *self,
                                       gconstpointer data);

/* Assertions that say what was expected and what came back. */
#define fake_assert_status(reply, expected) \
  fake_assert_status_impl ((reply), (expected), __FILE__, __LINE__)
void         fake_assert_status_impl  (FakeReply   *reply,
                                       guint        expected,
                                       const char  *file,
                                       int          line);
JsonObject  *fake_reply_object        (FakeReply   *reply);
void         fake_assert_member       (JsonObject  *object,
                                       const char  *name,
                                       GType        type);
/* A JSON string holding a decimal int64 (historyId, internalDate). */
gint64       fake_assert_int64_string (JsonObject  *object,
                                       const char  *name);
void         fake_assert_google_error (FakeReply   *reply,
                                       guint        status,
                                       const char  *reason);
void         fake_assert_graph_error  (FakeReply   *reply,
                                       guint        status,
                                       const char  *code);
/* GET a Graph/Google collection link to the end; returns every item. */
char        *fake_url_param           (const char  *url,
                                       const char  *name);

G_END_DECLS
