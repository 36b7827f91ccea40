/* test-fake-bench.c: how fast the fake serves mail with --no-quota
 *
 * Ember's sync speed is measured against the fake server, so the fake
 * must not be the bottleneck: the target is 5,000 messages/s through
 * Gmail batch (format=full) and through Graph messages/delta.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "fake-client.h"

#define N_MESSAGES 5000
#define TARGET 5000.0

static FakeFixture *
bench_fixture (void)
{
  EmberFakeServerOptions options;

  fake_options_init (&options);
  options.n_messages = N_MESSAGES;
  options.n_events = 0;
  options.no_quota = TRUE;
  return fake_fixture_new (&options);
}

/* Prints the wall-clock rate, and the rate the server thread's own CPU
 * time allows: on a shared, loaded machine the second says whether the
 * fake could be the bottleneck. */
static void
report (FakeFixture *fixture,
        const char  *what,
        guint        messages,
        gint64       elapsed_us,
        gint64       server_cpu_us)
{
  double rate = messages / (elapsed_us / (double) G_USEC_PER_SEC);
  double capacity = server_cpu_us > 0 ? messages / (server_cpu_us / (double) G_USEC_PER_SEC) : 0;

  g_test_message ("%s: %u messages in %.3f s = %.0f messages/s; server thread CPU %.3f s = %.0f messages/s "
                  "per server core (target %.0f)%s",
                  what, messages, elapsed_us / (double) G_USEC_PER_SEC, rate,
                  server_cpu_us / (double) G_USEC_PER_SEC, capacity, TARGET,
                  rate >= TARGET ? "" : capacity >= TARGET ? " (wall clock below target: the clients or a loaded machine)" : " BELOW TARGET");
  g_printerr ("BENCH %s: %.0f messages/s wall clock, %.0f messages/s per server CPU second\n", what, rate, capacity);
  (void) fixture;
}

typedef struct
{
  FakeFixture *fixture;
  SoupSession *session;
  const char  *token;
  GPtrArray   *ids;
  guint        first_batch;
  guint        stride;
  GStrv        folders;
  guint        fetched;
} Worker;

static GPtrArray *
gmail_ids (FakeFixture *fixture,
           const char  *token)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *page_token = NULL;

  do
    {
      g_autofree char *path = g_strdup_printf ("/gmail/v1/users/me/messages?maxResults=500&includeSpamTrash=true%s%s",
                                               page_token != NULL ? "&pageToken=" : "",
                                               page_token != NULL ? page_token : "");
      g_autoptr(FakeReply) reply = fake_get (fixture, path, token);
      JsonArray *messages;

      fake_assert_status (reply, 200);
      messages = json_object_get_array_member (fake_reply_object (reply), "messages");
      for (guint i = 0; i < json_array_get_length (messages); i++)
        g_ptr_array_add (ids, g_strdup (json_object_get_string_member (json_array_get_object_element (messages, i), "id")));
      g_clear_pointer (&page_token, g_free);
      if (json_object_has_member (fake_reply_object (reply), "nextPageToken"))
        page_token = g_strdup (json_object_get_string_member (fake_reply_object (reply), "nextPageToken"));
    }
  while (page_token != NULL);
  return ids;
}

static guint
gmail_batch_pass (FakeFixture *fixture,
                  SoupSession *session,
                  const char  *token,
                  GPtrArray   *ids,
                  guint        first_batch,
                  guint        stride)
{
  guint fetched = 0;

  for (guint start = first_batch * 100; start < ids->len; start += 100 * stride)
    {
      GString *body = g_string_new (NULL);
      g_autoptr(FakeReply) reply = NULL;
      g_autoptr(SoupMultipart) multipart = NULL;
      guint end = MIN (start + 100, ids->len);

      for (guint i = start; i < end; i++)
        g_string_append_printf (body, "--bench\r\nContent-Type: application/http\r\nContent-ID: <%u>\r\n\r\n"
                                "GET /gmail/v1/users/me/messages/%s?format=full\r\n\r\n",
                                i, (char *) g_ptr_array_index (ids, i));
      g_string_append (body, "--bench--\r\n");
      reply = fake_request_on (session, fixture->base, "POST", "/batch/gmail/v1", token,
                               "multipart/mixed; boundary=bench", body->str, NULL);
      g_string_free (body, TRUE);
      fake_assert_status (reply, 200);

      multipart = soup_multipart_new_from_message (reply->headers, reply->body);
      g_assert_nonnull (multipart);
      g_assert_cmpint (soup_multipart_get_length (multipart), ==, end - start);
      for (guint i = start; i < end; i++)
        {
          SoupMessageHeaders *headers;
          GBytes *part;
          gsize len;
          const char *data;
          g_autofree char *needle = g_strdup_printf ("{\"id\":\"%s\"", (char *) g_ptr_array_index (ids, i));

          g_assert_true (soup_multipart_get_part (multipart, (int) (i - start), &headers, &part));
          data = g_bytes_get_data (part, &len);
          g_assert_true (len > 12 && memcmp (data, "HTTP/1.1 200", 12) == 0);
          g_assert_nonnull (g_strstr_len (data, MIN (len, 512), needle));
          fetched++;
        }
    }
  return fetched;
}

static gpointer
gmail_worker (gpointer data)
{
  Worker *worker = data;

  worker->fetched = gmail_batch_pass (worker->fixture, worker->session, worker->token, worker->ids,
                                      worker->first_batch, worker->stride);
  return NULL;
}

/* Two clients side by side, as the server thread should be the only
 * thing measured; each takes every other batch of 100. */
static guint
gmail_parallel_pass (FakeFixture *fixture,
                     const char  *token,
                     GPtrArray   *ids)
{
  Worker workers[2];
  GThread *threads[2];
  guint fetched = 0;

  for (guint i = 0; i < 2; i++)
    {
      workers[i] = (Worker) { fixture, soup_session_new_with_options ("timeout", 60, NULL), token, ids, i, 2, NULL, 0 };
      threads[i] = g_thread_new ("bench-client", gmail_worker, &workers[i]);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_thread_join (threads[i]);
      fetched += workers[i].fetched;
      g_object_unref (workers[i].session);
    }
  return fetched;
}

static void
test_gmail_batch (void)
{
  FakeFixture *fixture = bench_fixture ();
  g_autofree char *token = fake_token (fixture, "alice@gmail.test");
  g_autoptr(GPtrArray) ids = NULL;
  gint64 start;
  gint64 cpu;
  guint fetched;

  start = g_get_monotonic_time ();
  cpu = ember_fake_server_get_cpu_time_us (fixture->server);
  ids = gmail_ids (fixture, token);
  g_assert_cmpuint (ids->len, ==, N_MESSAGES);
  report (fixture, "Gmail messages.list (500 per page)", ids->len, g_get_monotonic_time () - start,
          ember_fake_server_get_cpu_time_us (fixture->server) - cpu);

  /* The first pass may find messages the server has not rendered ahead
   * yet; the second is served from its cache. */
  start = g_get_monotonic_time ();
  cpu = ember_fake_server_get_cpu_time_us (fixture->server);
  fetched = gmail_parallel_pass (fixture, token, ids);
  report (fixture, "Gmail batch of 100 messages.get format=full, first pass", fetched, g_get_monotonic_time () - start,
          ember_fake_server_get_cpu_time_us (fixture->server) - cpu);
  g_assert_cmpuint (fetched, ==, N_MESSAGES);

  start = g_get_monotonic_time ();
  cpu = ember_fake_server_get_cpu_time_us (fixture->server);
  fetched = gmail_parallel_pass (fixture, token, ids);
  report (fixture, "Gmail batch of 100 messages.get format=full, second pass", fetched, g_get_monotonic_time () - start,
          ember_fake_server_get_cpu_time_us (fixture->server) - cpu);
  g_assert_cmpuint (fetched, ==, N_MESSAGES);

  fake_fixture_free (fixture);
}

static guint
graph_delta_pass (FakeFixture *fixture,
                  SoupSession *session,
                  const char  *token,
                  GStrv        folders,
                  const char  *select)
{
  const char * const prefer[] = { "Prefer", "odata.maxpagesize=200", NULL };
  guint items = 0;

  for (guint f = 0; folders[f] != NULL; f++)
    {
      g_autofree char *link = g_strdup_printf ("/v1.0/me/mailFolders/%s/messages/delta%s%s", folders[f],
                                               select != NULL ? "?$select=" : "", select != NULL ? select : "");

      while (link != NULL)
        {
          /* A light client: count the items and find the next link, so
           * that the server, not JSON parsing here, is what is timed. */
          g_autoptr(FakeReply) reply = fake_request_full (session, fixture->base, "GET", link, token, NULL, NULL,
                                                          prefer, FALSE);
          const char *next;
          const char *end;

          fake_assert_status (reply, 200);
          for (const char *p = strstr (reply->text, "{\"@odata.type\":\"#microsoft.graph.message\"");
               p != NULL; p = strstr (p + 1, "{\"@odata.type\":\"#microsoft.graph.message\""))
            items++;
          g_clear_pointer (&link, g_free);
          next = g_strrstr (reply->text, "\"@odata.nextLink\":\"");
          if (next != NULL)
            {
              next += strlen ("\"@odata.nextLink\":\"");
              end = strchr (next, '"');
              g_assert_nonnull (end);
              link = g_strndup (next, end - next);
            }
          else
            g_assert_nonnull (g_strrstr (reply->text, "\"@odata.deltaLink\":\""));
        }
    }
  return items;
}

static GStrv
folder_ids (FakeFixture *fixture,
            const char  *email)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = ember_fake_server_dup_account_json (fixture->server, email, &error);
  g_autoptr(JsonNode) root = json_from_string (text, &error);
  JsonArray *folders;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_assert_no_error (error);
  folders = json_object_get_array_member (json_node_get_object (root), "folders");
  for (guint i = 0; i < json_array_get_length (folders); i++)
    g_strv_builder_add (builder, json_object_get_string_member (json_array_get_object_element (folders, i), "id"));
  return g_strv_builder_end (builder);
}

typedef struct
{
  Worker      worker;
  const char *select;
} GraphWorker;

static gpointer
graph_worker (gpointer data)
{
  GraphWorker *graph = data;

  graph->worker.fetched = graph_delta_pass (graph->worker.fixture, graph->worker.session, graph->worker.token,
                                            graph->worker.folders, graph->select);
  return NULL;
}

/* Two mailboxes synced side by side, every folder of each. */
static guint
graph_parallel_pass (FakeFixture *fixture,
                     char        *tokens[2],
                     GStrv        folders[2],
                     const char  *select)
{
  GraphWorker workers[2];
  GThread *threads[2];
  guint fetched = 0;

  for (guint i = 0; i < 2; i++)
    {
      workers[i].worker = (Worker) { fixture, soup_session_new_with_options ("timeout", 60, NULL), tokens[i], NULL, 0, 1,
                                     folders[i], 0 };
      workers[i].select = select;
      threads[i] = g_thread_new ("bench-client", graph_worker, &workers[i]);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_thread_join (threads[i]);
      fetched += workers[i].worker.fetched;
      g_object_unref (workers[i].worker.session);
    }
  return fetched;
}

static void
test_graph_delta (void)
{
  FakeFixture *fixture = bench_fixture ();
  char *tokens[2] = { fake_token (fixture, "carol@contoso.test"), fake_token (fixture, "dave@contoso.test") };
  GStrv folders[2] = { folder_ids (fixture, "carol@contoso.test"), folder_ids (fixture, "dave@contoso.test") };
  gint64 start;
  gint64 cpu;
  guint items;

  start = g_get_monotonic_time ();
  cpu = ember_fake_server_get_cpu_time_us (fixture->server);
  items = graph_parallel_pass (fixture, tokens, folders, NULL);
  report (fixture, "Graph messages/delta (200 per page), all properties", items, g_get_monotonic_time () - start,
          ember_fake_server_get_cpu_time_us (fixture->server) - cpu);
  g_assert_cmpuint (items, ==, 2 * N_MESSAGES);

  start = g_get_monotonic_time ();
  cpu = ember_fake_server_get_cpu_time_us (fixture->server);
  items = graph_parallel_pass (fixture, tokens, folders,
                               "subject,from,toRecipients,ccRecipients,receivedDateTime,isRead,conversationId,"
                               "internetMessageId,bodyPreview,parentFolderId,body");
  report (fixture, "Graph messages/delta (200 per page), $select with body", items, g_get_monotonic_time () - start,
          ember_fake_server_get_cpu_time_us (fixture->server) - cpu);
  g_assert_cmpuint (items, ==, 2 * N_MESSAGES);

  for (guint i = 0; i < 2; i++)
    {
      g_free (tokens[i]);
      g_strfreev (folders[i]);
    }
  fake_fixture_free (fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/fake/bench/gmail-batch", test_gmail_batch);
  g_test_add_func ("/ember/fake/bench/graph-delta", test_graph_delta);

  return g_test_run ();
}
