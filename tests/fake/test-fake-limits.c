/* test-fake-limits.c: quotas, throttling and injected faults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fake-client.h"

#define ALICE "alice@gmail.test"
#define CAROL "carol@contoso.test"
#define DAVE "dave@contoso.test"

static char *
first_message_path (FakeFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = ember_fake_server_list_message_ids (fixture->server, ALICE, "INBOX", &error);

  g_assert_no_error (error);
  return g_strdup_printf ("/gmail/v1/users/me/messages/%s", ids[0]);
}

static void
assert_gmail_quota_error (FakeReply *reply)
{
  JsonObject *error;
  JsonObject *first;

  fake_assert_google_error (reply, 429, "rateLimitExceeded");
  error = json_object_get_object_member (fake_reply_object (reply), "error");
  g_assert_cmpstr (json_object_get_string_member (error, "status"), ==, "RESOURCE_EXHAUSTED");
  first = json_array_get_object_element (json_object_get_array_member (error, "errors"), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "domain"), ==, "usageLimits");
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "Queries per minute per user"));
}

static void
test_gmail_quota_burst (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autofree char *token = NULL;
  g_autofree char *path = NULL;

  fake_options_init (&options);
  options.no_quota = FALSE;
  options.gmail_quota_units = 100;
  options.gmail_quota_window_seconds = 60;
  fixture = fake_fixture_new (&options);
  token = fake_token (fixture, ALICE);
  path = first_message_path (fixture);

  /* messages.get costs 20 units (2026 table): five fit in 100. */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(FakeReply) reply = fake_get (fixture, path, token);

      fake_assert_status (reply, 200);
    }
  {
    g_autoptr(FakeReply) refused = fake_get (fixture, path, token);
    g_autoptr(FakeReply) profile = fake_get (fixture, "/gmail/v1/users/me/profile", token);

    assert_gmail_quota_error (refused);
    /* Nothing left, not even 1 unit. */
    assert_gmail_quota_error (profile);
  }
  /* Another user has a quota of its own. */
  {
    g_autofree char *bob = fake_token (fixture, "bob@gmail.test");
    g_autoptr(FakeReply) other = fake_get (fixture, "/gmail/v1/users/me/profile", bob);

    fake_assert_status (other, 200);
  }

  /* The window slides. */
  ember_fake_server_advance_time (fixture->server, 61);
  {
    g_autoptr(FakeReply) again = fake_get (fixture, path, token);

    fake_assert_status (again, 200);
  }
  g_assert_cmpuint (ember_fake_server_count_requests (fixture->server, "GET", "/gmail/v1", 429), ==, 2);

  fake_fixture_free (fixture);
}

static void
test_gmail_quota_under (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autofree char *token = NULL;
  g_autofree char *path = NULL;

  fake_options_init (&options);
  options.no_quota = FALSE;
  options.gmail_quota_units = 100;
  options.gmail_quota_window_seconds = 60;
  fixture = fake_fixture_new (&options);
  token = fake_token (fixture, ALICE);
  path = first_message_path (fixture);

  /* 95 units a minute for ten minutes: never refused. */
  for (guint minute = 0; minute < 10; minute++)
    {
      for (guint i = 0; i < 4; i++)
        {
          g_autoptr(FakeReply) reply = fake_get (fixture, path, token);

          fake_assert_status (reply, 200);
        }
      {
        g_autoptr(FakeReply) list = fake_get (fixture, "/gmail/v1/users/me/messages?maxResults=5", token);

        fake_assert_status (list, 200);
      }
      ember_fake_server_advance_time (fixture->server, 60);
    }
  g_assert_cmpuint (ember_fake_server_count_requests (fixture->server, NULL, NULL, 429), ==, 0);

  fake_fixture_free (fixture);
}

static void
test_gmail_quota_legacy_costs (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autofree char *token = NULL;
  g_autofree char *path = NULL;

  fake_options_init (&options);
  options.no_quota = FALSE;
  options.gmail_quota_units = 100;
  options.gmail_costs = EMBER_FAKE_GMAIL_COSTS_LEGACY;
  fixture = fake_fixture_new (&options);
  token = fake_token (fixture, ALICE);
  path = first_message_path (fixture);

  /* 5 units each in the older table: twenty fit. */
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(FakeReply) reply = fake_get (fixture, path, token);

      fake_assert_status (reply, 200);
    }
  {
    g_autoptr(FakeReply) refused = fake_get (fixture, path, token);

    assert_gmail_quota_error (refused);
  }
  fake_fixture_free (fixture);
}

static void
test_gmail_quota_batch (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autofree char *token = NULL;
  g_autofree char *path = NULL;
  GString *body = g_string_new (NULL);
  g_autoptr(FakeReply) reply = NULL;
  g_autoptr(SoupMultipart) multipart = NULL;
  guint ok = 0;
  guint throttled = 0;

  fake_options_init (&options);
  options.no_quota = FALSE;
  options.gmail_quota_units = 100;
  fixture = fake_fixture_new (&options);
  token = fake_token (fixture, ALICE);
  path = first_message_path (fixture);

  /* A batch of n calls counts as n requests. */
  for (guint i = 0; i < 8; i++)
    g_string_append_printf (body, "--q\r\nContent-Type: application/http\r\nContent-ID: <%u>\r\n\r\nGET %s\r\n\r\n", i, path);
  g_string_append (body, "--q--\r\n");
  reply = fake_request (fixture, "POST", "/batch/gmail/v1", token, "multipart/mixed; boundary=q", body->str, NULL);
  g_string_free (body, TRUE);
  fake_assert_status (reply, 200);
  multipart = soup_multipart_new_from_message (reply->headers, reply->body);
  for (int i = 0; i < soup_multipart_get_length (multipart); i++)
    {
      SoupMessageHeaders *headers;
      GBytes *part;

      soup_multipart_get_part (multipart, i, &headers, &part);
      if (g_str_has_prefix (g_bytes_get_data (part, NULL), "HTTP/1.1 200"))
        ok++;
      else if (g_str_has_prefix (g_bytes_get_data (part, NULL), "HTTP/1.1 429"))
        throttled++;
    }
  g_assert_cmpuint (ok, ==, 5);
  g_assert_cmpuint (throttled, ==, 3);

  fake_fixture_free (fixture);
}

static void
test_calendar_quota (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autofree char *token = NULL;

  fake_options_init (&options);
  options.no_quota = FALSE;
  options.calendar_quota_requests = 3;
  fixture = fake_fixture_new (&options);
  token = fake_token (fixture, ALICE);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(FakeReply) reply = fake_get (fixture, "/calendar/v3/users/me/calendarList", token);

      fake_assert_status (reply, 200);
    }
  {
    g_autoptr(FakeReply) refused = fake_get (fixture, "/calendar/v3/users/me/calendarList", token);
    JsonObject *first;

    fake_assert_google_error (refused, 429, "rateLimitExceeded");
    first = json_array_get_object_element (json_object_get_array_member (
      json_object_get_object_member (fake_reply_object (refused), "error"), "errors"), 0);
    g_assert_cmpstr (json_object_get_string_member (first, "domain"), ==, "usageLimits");
  }
  fake_fixture_free (fixture);
}

typedef struct
{
  const char *base;
  char       *token;
  const char *path;
  GMutex     *mutex;
  GCond      *cond;
  guint      *waiting;
  guint       parties;
  FakeReply  *reply;
} Caller;

static gpointer
caller_thread (gpointer data)
{
  Caller *caller = data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 20, NULL);

  /* A barrier, so that every request is in flight at once. */
  g_mutex_lock (caller->mutex);
  (*caller->waiting)++;
  g_cond_broadcast (caller->cond);
  while (*caller->waiting < caller->parties)
    g_cond_wait (caller->cond, caller->mutex);
  g_mutex_unlock (caller->mutex);

  caller->reply = fake_request_on (session, caller->base, "GET", caller->path, caller->token, NULL, NULL, NULL);
  return NULL;
}

static void
test_graph_concurrency (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  Caller callers[6];
  GThread *threads[6];
  GMutex mutex;
  GCond cond;
  guint waiting = 0;
  guint ok = 0;
  guint throttled = 0;

  fake_options_init (&options);
  options.no_quota = FALSE;
  /* Long enough that all five overlap, without blocking the server. */
  options.latency_ms = 3000;
  fixture = fake_fixture_new (&options);
  g_mutex_init (&mutex);
  g_cond_init (&cond);

  for (guint i = 0; i < G_N_ELEMENTS (callers); i++)
    {
      /* Five to Carol's mailbox, one to Dave's. */
      callers[i].base = fixture->base;
      callers[i].token = fake_token (fixture, i < 5 ? CAROL : DAVE);
      callers[i].path = "/v1.0/me/mailFolders/inbox";
      callers[i].mutex = &mutex;
      callers[i].cond = &cond;
      callers[i].waiting = &waiting;
      callers[i].parties = G_N_ELEMENTS (callers);
      callers[i].reply = NULL;
      threads[i] = g_thread_new ("caller", caller_thread, &callers[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (callers); i++)
    g_thread_join (threads[i]);

  for (guint i = 0; i < 5; i++)
    {
      FakeReply *reply = callers[i].reply;

      g_assert_no_error (reply->error);
      if (reply->status == 200)
        ok++;
      else
        {
          const char *retry_after = soup_message_headers_get_one (reply->headers, "Retry-After");

          fake_assert_graph_error (reply, 429, "ApplicationThrottled");
          g_assert_nonnull (strstr (json_object_get_string_member (json_object_get_object_member (fake_reply_object (reply), "error"), "message"),
                                    "MailboxConcurrency"));
          g_assert_nonnull (retry_after);
          g_assert_cmpint (atoi (retry_after), >=, 1);
          throttled++;
        }
    }
  g_assert_cmpuint (ok, ==, 4);
  g_assert_cmpuint (throttled, ==, 1);
  /* Another mailbox is not affected. */
  fake_assert_status (callers[5].reply, 200);
  g_assert_cmpuint (ember_fake_server_get_max_in_flight (fixture->server, CAROL), ==, 4);
  g_assert_cmpuint (ember_fake_server_get_max_in_flight (fixture->server, DAVE), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (callers); i++)
    {
      fake_reply_free (callers[i].reply);
      g_free (callers[i].token);
    }
  g_mutex_clear (&mutex);
  g_cond_clear (&cond);
  fake_fixture_free (fixture);
}

static void
test_graph_budget (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autofree char *token = NULL;

  fake_options_init (&options);
  options.no_quota = FALSE;
  options.graph_requests_per_window = 5;
  fixture = fake_fixture_new (&options);
  token = fake_token (fixture, CAROL);

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(FakeReply) reply = fake_get (fixture, "/v1.0/me", token);

      fake_assert_status (reply, 200);
    }
  {
    g_autoptr(FakeReply) refused = fake_get (fixture, "/v1.0/me", token);
    const char *retry_after;

    fake_assert_graph_error (refused, 429, "ApplicationThrottled");
    retry_after = soup_message_headers_get_one (refused->headers, "Retry-After");
    g_assert_nonnull (retry_after);
    g_assert_cmpint (atoi (retry_after), >=, 1);
    g_assert_cmpint (atoi (retry_after), <=, 600);
  }
  ember_fake_server_advance_time (fixture->server, 601);
  {
    g_autoptr(FakeReply) again = fake_get (fixture, "/v1.0/me", token);

    fake_assert_status (again, 200);
  }
  fake_fixture_free (fixture);
}

static void
set_faults (FakeFixture *fixture,
            const char  *spec)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ember_fake_server_set_faults (fixture->server, spec, &error));
  g_assert_no_error (error);
}

static void
test_fault_status (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autofree char *google = NULL;
  g_autofree char *graph = NULL;

  fake_options_init (&options);
  fixture = fake_fixture_new (&options);
  google = fake_token (fixture, ALICE);
  graph = fake_token (fixture, CAROL);

  set_faults (fixture, "503:1");
  {
    g_autoptr(FakeReply) gmail = fake_get (fixture, "/gmail/v1/users/me/profile", google);
    g_autoptr(FakeReply) outlook = fake_get (fixture, "/v1.0/me", graph);

    fake_assert_google_error (gmail, 503, "backendError");
    fake_assert_graph_error (outlook, 503, "serviceNotAvailable");
  }

  set_faults (fixture, "429:1:retry-after=3");
  {
    g_autoptr(FakeReply) gmail = fake_get (fixture, "/gmail/v1/users/me/profile", google);
    g_autoptr(FakeReply) outlook = fake_get (fixture, "/v1.0/me", graph);

    fake_assert_google_error (gmail, 429, "rateLimitExceeded");
    g_assert_cmpstr (soup_message_headers_get_one (gmail->headers, "Retry-After"), ==, "3");
    fake_assert_graph_error (outlook, 429, "TooManyRequests");
    g_assert_cmpstr (soup_message_headers_get_one (outlook->headers, "Retry-After"), ==, "3");
  }

  /* path= limits a rule; the control API never gets faults. */
  set_faults (fixture, "500:1:path=/v1.0/");
  {
    g_autoptr(FakeReply) gmail = fake_get (fixture, "/gmail/v1/users/me/profile", google);
    g_autoptr(FakeReply) outlook = fake_get (fixture, "/v1.0/me", graph);
    g_autoptr(FakeReply) control = fake_get (fixture, "/_fake/accounts", NULL);

    fake_assert_status (gmail, 200);
    fake_assert_graph_error (outlook, 500, "generalException");
    fake_assert_status (control, 200);
  }

  set_faults (fixture, "");
  {
    g_autoptr(FakeReply) gmail = fake_get (fixture, "/gmail/v1/users/me/profile", google);

    fake_assert_status (gmail, 200);
  }
  fake_fixture_free (fixture);
}

static void
test_fault_network (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autofree char *token = NULL;
  g_autoptr(FakeReply) whole = NULL;

  fake_options_init (&options);
  fixture = fake_fixture_new (&options);
  token = fake_token (fixture, ALICE);
  whole = fake_get (fixture, "/gmail/v1/users/me/messages?maxResults=50", token);
  fake_assert_status (whole, 200);

  /* A dropped connection: no response at all. */
  set_faults (fixture, "reset:1");
  {
    g_autoptr(SoupSession) fresh = soup_session_new_with_options ("timeout", 5, NULL);
    g_autoptr(FakeReply) reset = fake_request_on (fresh, fixture->base, "GET", "/gmail/v1/users/me/profile",
                                                  token, NULL, NULL, NULL);
    g_autoptr(GPtrArray) log = ember_fake_server_get_request_log (fixture->server);
    EmberFakeLogEntry *last = g_ptr_array_index (log, log->len - 1);

    g_assert_nonnull (reset->error);
    g_assert_cmpstr (last->fault, ==, "reset");
    g_assert_cmpuint (last->status, ==, 0);
  }

  /* A 200 whose JSON stops short. */
  set_faults (fixture, "truncate:1");
  {
    g_autoptr(FakeReply) cut = fake_get (fixture, "/gmail/v1/users/me/messages?maxResults=50", token);

    fake_assert_status (cut, 200);
    g_assert_null (cut->json);
    g_assert_cmpuint (g_bytes_get_size (cut->body), <, g_bytes_get_size (whole->body));
    g_assert_true (g_str_has_prefix (whole->text, cut->text));
  }

  /* A stall outlasting the client's timeout. */
  set_faults (fixture, "stall:1:3s");
  {
    g_autoptr(SoupSession) impatient = soup_session_new_with_options ("timeout", 1, NULL);
    g_autoptr(FakeReply) stalled = fake_request_on (impatient, fixture->base, "GET", "/gmail/v1/users/me/profile",
                                                    token, NULL, NULL, NULL);
    g_assert_error (stalled->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  }

  /* The server itself stays responsive through all of it. */
  set_faults (fixture, NULL);
  {
    g_autoptr(FakeReply) fine = fake_get (fixture, "/gmail/v1/users/me/profile", token);

    fake_assert_status (fine, 200);
  }
  fake_fixture_free (fixture);
}

static GArray *
status_sequence (guint64     seed,
                 const char *spec)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autofree char *token = NULL;
  GArray *statuses = g_array_new (FALSE, FALSE, sizeof (guint));

  fake_options_init (&options);
  options.seed = seed;
  options.n_messages = 10;
  options.n_events = 0;
  options.faults = spec;
  fixture = fake_fixture_new (&options);
  token = fake_token (fixture, ALICE);
  for (guint i = 0; i < 60; i++)
    {
      g_autoptr(FakeReply) reply = fake_get (fixture, "/gmail/v1/users/me/profile", token);

      g_array_append_val (statuses, reply->status);
    }
  fake_fixture_free (fixture);
  return statuses;
}

static void
test_fault_determinism (void)
{
  g_autoptr(GArray) first = status_sequence (11, "503:0.3,429:0.2");
  g_autoptr(GArray) second = status_sequence (11, "503:0.3,429:0.2");
  g_autoptr(GArray) other = status_sequence (12, "503:0.3,429:0.2");
  guint counts[3] = { 0, };
  gboolean differs = FALSE;

  for (guint i = 0; i < first->len; i++)
    {
      guint status = g_array_index (first, guint, i);

      g_assert_cmpuint (status, ==, g_array_index (second, guint, i));
      differs |= status != g_array_index (other, guint, i);
      counts[status == 200 ? 0 : status == 503 ? 1 : 2]++;
    }
  g_assert_true (differs);
  g_assert_cmpuint (counts[0], >, 10);
  g_assert_cmpuint (counts[1], >, 5);
  g_assert_cmpuint (counts[2], >, 2);
}

static void
test_fault_batch_inner (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  g_autofree char *token = NULL;
  GString *body = g_string_new (NULL);
  g_autoptr(FakeReply) reply = NULL;

  fake_options_init (&options);
  fixture = fake_fixture_new (&options);
  token = fake_token (fixture, ALICE);
  /* Only the inner calls' paths match: the batch itself always answers. */
  set_faults (fixture, "503:0.5:path=/gmail/v1/");
  for (guint i = 0; i < 40; i++)
    g_string_append_printf (body, "--z\r\nContent-Type: application/http\r\n\r\nGET /gmail/v1/users/me/profile\r\n\r\n");
  g_string_append (body, "--z--\r\n");
  reply = fake_request (fixture, "POST", "/batch/gmail/v1", token, "multipart/mixed; boundary=z", body->str, NULL);
  g_string_free (body, TRUE);
  fake_assert_status (reply, 200);
  g_assert_nonnull (strstr (reply->text, "HTTP/1.1 503 "));
  g_assert_nonnull (strstr (reply->text, "HTTP/1.1 200 "));
  fake_fixture_free (fixture);
}

static void
test_fault_spec_errors (void)
{
  EmberFakeServerOptions options;
  FakeFixture *fixture;
  const char *bad[] = { "foo:0.1", "503:2", "503:0.6,429:0.6", "503", "reset:0.1:retry-after=2",
                        "stall:0.1:soon", "418:0.1", "429:0.1:retry-after=x" };

  fake_options_init (&options);
  options.n_messages = 5;
  fixture = fake_fixture_new (&options);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (ember_fake_server_set_faults (fixture->server, bad[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }

  /* And through the control API, at run time. */
  {
    g_autoptr(FakeReply) put = fake_request (fixture, "PUT", "/_fake/faults", NULL, "application/json",
                                             "{\"spec\": \"503:0.05,429:0.02:retry-after=1,reset:0.01,stall:0.01:15s,truncate:0.01\"}", NULL);
    g_autoptr(FakeReply) get = fake_get (fixture, "/_fake/faults", NULL);
    g_autoptr(FakeReply) rejected = fake_request (fixture, "PUT", "/_fake/faults", NULL, "application/json",
                                                  "{\"spec\": \"nonsense:1\"}", NULL);
    g_autofree char *current = ember_fake_server_dup_faults (fixture->server);

    fake_assert_status (put, 200);
    fake_assert_status (get, 200);
    g_assert_cmpstr (json_object_get_string_member (fake_reply_object (get), "spec"), ==,
                     "503:0.05,429:0.02:retry-after=1,reset:0.01,stall:0.01:15s,truncate:0.01");
    g_assert_cmpstr (current, ==, "503:0.05,429:0.02:retry-after=1,reset:0.01,stall:0.01:15s,truncate:0.01");
    fake_assert_status (rejected, 400);
  }
  fake_fixture_free (fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/fake/quota/gmail-burst", test_gmail_quota_burst);
  g_test_add_func ("/ember/fake/quota/gmail-under", test_gmail_quota_under);
  g_test_add_func ("/ember/fake/quota/gmail-legacy-costs", test_gmail_quota_legacy_costs);
  g_test_add_func ("/ember/fake/quota/gmail-batch", test_gmail_quota_batch);
  g_test_add_func ("/ember/fake/quota/calendar", test_calendar_quota);
  g_test_add_func ("/ember/fake/quota/graph-concurrency", test_graph_concurrency);
  g_test_add_func ("/ember/fake/quota/graph-budget", test_graph_budget);
  g_test_add_func ("/ember/fake/faults/status", test_fault_status);
  g_test_add_func ("/ember/fake/faults/network", test_fault_network);
  g_test_add_func ("/ember/fake/faults/determinism", test_fault_determinism);
  g_test_add_func ("/ember/fake/faults/batch-inner", test_fault_batch_inner);
  g_test_add_func ("/ember/fake/faults/spec-errors", test_fault_spec_errors);

  return g_test_run ();
}
