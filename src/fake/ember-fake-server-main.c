/* ember-fake-server-main.c: the ember-fake-server executable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-fake"

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "ember-fake-server.h"

static const char description[] =
  "A stand-in for Gmail, Google Calendar, Microsoft Graph and their OAuth servers,\n"
  "listening on 127.0.0.1 only. Prints \"READY <port>\" once it listens.\n"
  "\n"
  "URLs (BASE = http://127.0.0.1:PORT):\n"
  "  Google OAuth     BASE/google/o/oauth2/v2/auth, BASE/google/token (auth base BASE/google)\n"
  "  Microsoft OAuth  BASE/microsoft/{tenant}/oauth2/v2.0/authorize and .../token\n"
  "                   (auth base BASE/microsoft)\n"
  "  Gmail            BASE/gmail/v1/users/me/...   batch: BASE/batch/gmail/v1\n"
  "  Calendar         BASE/calendar/v3/...         (Google API base: BASE)\n"
  "  Graph            BASE/v1.0/me/...             batch: BASE/v1.0/$batch (Graph base: BASE/v1.0)\n"
  "  Control          BASE/_fake/... (JSON: accounts, messages, events, expire, revoke,\n"
  "                   tokens, faults, log, stats, time; see ember-fake-server.h)\n"
  "\n"
  "Accounts: alice@gmail.test, bob@gmail.test (Google); carol@contoso.test,\n"
  "dave@contoso.test (Microsoft). The authorize endpoint consents at once for the\n"
  "login_hint account and redirects to the loopback redirect_uri. It requires\n"
  "response_type=code, client_id, a loopback http redirect_uri, state, scope,\n"
  "code_challenge and code_challenge_method=S256. Google's token endpoint wants a\n"
  "client_secret (any value) and gives a refresh token for access_type=offline;\n"
  "Microsoft's refuses a client_secret and gives one for the offline_access scope.\n"
  "\n"
  "Fault spec (--faults): comma-separated KIND:PROBABILITY[:OPTION...], drawn once\n"
  "per API request from a generator seeded with --seed:\n"
  "  500|502|503|504  a server error with the provider's error body\n"
  "  429              throttled; option retry-after=SECONDS adds Retry-After\n"
  "  reset            the connection is dropped without a response\n"
  "  stall            no reply for a while; option DURATION, e.g. 15s or 500ms (default 30s)\n"
  "  truncate         a 200 whose JSON body is cut short\n"
  "  any rule         option path=PREFIX limits it to paths starting with PREFIX\n"
  "Inside Gmail and Graph batches the status rules apply to each inner call.\n"
  "Example: 503:0.05,429:0.02:retry-after=1,reset:0.01,stall:0.01:15s,truncate:0.01\n"
  "The faults can be changed while running: PUT /_fake/faults {\"spec\": \"...\"}.\n"
  "\n"
  "Quotas (off with --no-quota): Gmail per-user units per window with Google's\n"
  "per-method costs (429 rateLimitExceeded); Calendar 600 requests per user per\n"
  "minute; Graph 4 concurrent requests and 10000 requests per 10 minutes per\n"
  "mailbox (429 ApplicationThrottled with Retry-After).";

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  EmberFakeServerOptions options;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberFakeServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  int port = 0;
  int messages = 200;
  int events = 80;
  gint64 seed = 1;
  g_autofree char *faults = NULL;
  gboolean no_quota = FALSE;
  int token_ttl = 3600;
  int code_ttl = 600;
  int latency_ms = 0;
  int gmail_quota = 6000;
  int gmail_window = 60;
  g_autofree char *gmail_costs = NULL;
  int calendar_quota = 600;
  int graph_concurrency = 4;
  int graph_requests = 10000;
  int graph_window = 600;
  gint64 anchor = 0;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (0: any free port)", "PORT" },
    { "messages", 'm', 0, G_OPTION_ARG_INT, &messages, "Messages per account (default 200)", "N" },
    { "events", 'e', 0, G_OPTION_ARG_INT, &events, "Events per account, over -60..+300 days (default 80)", "M" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Seed for the data and the faults (default 1)", "S" },
    { "faults", 'f', 0, G_OPTION_ARG_STRING, &faults, "Fault spec (see below)", "SPEC" },
    { "no-quota", 0, 0, G_OPTION_ARG_NONE, &no_quota, "No quotas and no throttling (raw-speed benchmarks)", NULL },
    { "token-ttl", 0, 0, G_OPTION_ARG_INT, &token_ttl, "Access token lifetime (default 3600)", "SECONDS" },
    { "code-ttl", 0, 0, G_OPTION_ARG_INT, &code_ttl, "Authorization code lifetime (default 600)", "SECONDS" },
    { "latency-ms", 0, 0, G_OPTION_ARG_INT, &latency_ms, "Delay added to every API reply (non-blocking)", "MS" },
    { "gmail-quota", 0, 0, G_OPTION_ARG_INT, &gmail_quota, "Gmail quota units per user per window (default 6000)", "UNITS" },
    { "gmail-quota-window", 0, 0, G_OPTION_ARG_INT, &gmail_window, "Gmail quota window (default 60)", "SECONDS" },
    { "gmail-costs", 0, 0, G_OPTION_ARG_STRING, &gmail_costs,
      "Gmail method costs: 2026 (messages.get 20, default) or legacy (messages.get 5)", "TABLE" },
    { "calendar-quota", 0, 0, G_OPTION_ARG_INT, &calendar_quota, "Calendar requests per user per minute (default 600)", "N" },
    { "graph-concurrency", 0, 0, G_OPTION_ARG_INT, &graph_concurrency, "Graph concurrent requests per mailbox (default 4)", "N" },
    { "graph-requests", 0, 0, G_OPTION_ARG_INT, &graph_requests, "Graph requests per mailbox per window (default 10000)", "N" },
    { "graph-window", 0, 0, G_OPTION_ARG_INT, &graph_window, "Graph request window (default 600)", "SECONDS" },
    { "anchor-time", 0, 0, G_OPTION_ARG_INT64, &anchor, "Unix time the data is generated around (default: now)", "SECONDS" },
    { NULL }
  };

  setlocale (LC_ALL, "");

  context = g_option_context_new ("- fake Gmail, Calendar, Graph and OAuth server");
  g_option_context_set_summary (context, "Serves deterministic test data the way the real services do.");
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("ember-fake-server: %s\n", error->message);
      return 2;
    }

  if (port < 0 || port > 65535 || messages < 0 || events < 0 || token_ttl < 1 || code_ttl < 1 ||
      latency_ms < 0 || gmail_quota < 1 || gmail_window < 1 || calendar_quota < 1 ||
      graph_concurrency < 1 || graph_requests < 1 || graph_window < 1)
    {
      g_printerr ("ember-fake-server: option values out of range (see --help)\n");
      return 2;
    }

  ember_fake_server_options_init (&options);
  options.port = (guint16) port;
  options.n_messages = (guint) messages;
  options.n_events = (guint) events;
  options.seed = (guint64) seed;
  options.no_quota = no_quota;
  options.token_ttl_seconds = (guint) token_ttl;
  options.code_ttl_seconds = (guint) code_ttl;
  options.latency_ms = (guint) latency_ms;
  options.gmail_quota_units = (guint) gmail_quota;
  options.gmail_quota_window_seconds = (guint) gmail_window;
  options.calendar_quota_requests = (guint) calendar_quota;
  options.graph_concurrency = (guint) graph_concurrency;
  options.graph_requests_per_window = (guint) graph_requests;
  options.graph_window_seconds = (guint) graph_window;
  options.anchor_time = anchor;
  if (gmail_costs == NULL || g_strcmp0 (gmail_costs, "2026") == 0)
    options.gmail_costs = EMBER_FAKE_GMAIL_COSTS_2026;
  else if (g_strcmp0 (gmail_costs, "legacy") == 0)
    options.gmail_costs = EMBER_FAKE_GMAIL_COSTS_LEGACY;
  else
    {
      g_printerr ("ember-fake-server: --gmail-costs must be 2026 or legacy\n");
      return 2;
    }

  server = ember_fake_server_new (&options);
  if (faults != NULL && !ember_fake_server_set_faults (server, faults, &error))
    {
      g_printerr ("ember-fake-server: %s\n", error->message);
      return 2;
    }
  if (!ember_fake_server_start (server, &error))
    {
      g_printerr ("ember-fake-server: %s\n", error->message);
      return 1;
    }

  g_print ("READY %u\n", ember_fake_server_get_port (server));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  ember_fake_server_stop (server);
  return 0;
}
