/* ember-fake-quota.c: production-like quotas
 *
 * Gmail: a per-user budget of quota units over a sliding window, each
 * method costing what Google's table says. Calendar: requests per user per
 * minute. Graph: per mailbox, at most N requests in flight and a request
 * budget per 10 minutes. Every refusal carries the provider's own body.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-fake"

#include "config.h"

#include <string.h>

#include "ember-fake-private.h"

typedef struct
{
  gint64 at_us;
  guint  cost;
} Charge;

void
ember_fake_quota_clear (EmberFakeQuota *quota)
{
  g_queue_clear_full (&quota->charges, g_free);
  g_queue_clear_full (&quota->calendar_charges, g_free);
  quota->charged = 0;
  quota->calendar_charged = 0;
}

static const struct
{
  const char *method;
  guint       cost_2026;
  guint       cost_legacy;
} gmail_costs[] = {
  { "getProfile", 1, 1 },
  { "labels.list", 1, 1 },
  { "labels.get", 1, 1 },
  { "history.list", 2, 2 },
  { "messages.list", 5, 5 },
  { "messages.get", 20, 5 },
  { "messages.attachments.get", 20, 5 },
  { "threads.get", 10, 10 },
};

guint
ember_fake_quota_gmail_cost (EmberFakeServer *server,
                             const char      *method_name)
{
  for (guint i = 0; i < G_N_ELEMENTS (gmail_costs); i++)
    if (strcmp (gmail_costs[i].method, method_name) == 0)
      return server->options.gmail_costs == EMBER_FAKE_GMAIL_COSTS_LEGACY
             ? gmail_costs[i].cost_legacy : gmail_costs[i].cost_2026;
  return 5;
}

/* Drops charges that left the window; returns the microseconds until the
 * oldest remaining one leaves it. */
static gint64
expire (GQueue  *charges,
        guint64 *charged,
        gint64   now_us,
        gint64   window_us)
{
  Charge *oldest;

  while ((oldest = g_queue_peek_head (charges)) != NULL && oldest->at_us <= now_us - window_us)
    {
      *charged -= oldest->cost;
      g_free (g_queue_pop_head (charges));
    }
  oldest = g_queue_peek_head (charges);
  return oldest != NULL ? oldest->at_us + window_us - now_us : 0;
}

static void
charge (GQueue  *charges,
        guint64 *charged,
        gint64   now_us,
        guint    cost)
{
  Charge *last = g_queue_peek_tail (charges);

  /* Coalesce charges made in the same millisecond. */
  if (last != NULL && now_us - last->at_us < 1000)
    last->cost += cost;
  else
    {
      Charge *entry = g_new (Charge, 1);

      entry->at_us = now_us;
      entry->cost = cost;
      g_queue_push_tail (charges, entry);
    }
  *charged += cost;
}

gboolean
ember_fake_quota_charge_gmail (EmberFakeRequest  *request,
                               EmberFakeResponse *response,
                               guint              cost)
{
  EmberFakeServer *server = request->server;
  EmberFakeQuota *quota = ember_fake_server_quota (server, request->account->email);
  gint64 now_us = ember_fake_server_mono_us (server);
  gint64 window_us = (gint64) server->options.gmail_quota_window_seconds * G_USEC_PER_SEC;

  response->cost = cost;
  if (server->options.no_quota)
    return TRUE;

  expire (&quota->charges, &quota->charged, now_us, window_us);
  if (quota->charged + cost > server->options.gmail_quota_units)
    {
      g_autofree char *message = g_strdup_printf (
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' "
        "of service 'gmail.googleapis.com' for consumer 'project_number:%u'.", 424242u);

      response->cost = 0;
      ember_fake_google_error (response, 429, "RESOURCE_EXHAUSTED", "usageLimits",
                               "rateLimitExceeded", message, NULL, NULL);
      g_free (response->fault);
      response->fault = g_strdup ("quota");
      return FALSE;
    }
  charge (&quota->charges, &quota->charged, now_us, cost);
  return TRUE;
}

gboolean
ember_fake_quota_charge_calendar (EmberFakeRequest  *request,
                                  EmberFakeResponse *response)
{
  EmberFakeServer *server = request->server;
  EmberFakeQuota *quota = ember_fake_server_quota (server, request->account->email);
  gint64 now_us = ember_fake_server_mono_us (server);

  response->cost = 1;
  if (server->options.no_quota)
    return TRUE;

  expire (&quota->calendar_charges, &quota->calendar_charged, now_us, 60 * G_USEC_PER_SEC);
  if (quota->calendar_charged + 1 > server->options.calendar_quota_requests)
    {
      g_autofree char *message = g_strdup_printf (
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' "
        "of service 'calendar-json.googleapis.com' for consumer 'project_number:%u'.", 424242u);

      response->cost = 0;
      ember_fake_google_error (response, 429, "RESOURCE_EXHAUSTED", "usageLimits",
                               "rateLimitExceeded", message, NULL, NULL);
      g_free (response->fault);
      response->fault = g_strdup ("quota");
      return FALSE;
    }
  charge (&quota->calendar_charges, &quota->calendar_charged, now_us, 1);
  return TRUE;
}

gboolean
ember_fake_quota_begin_graph (EmberFakeRequest  *request,
                              EmberFakeResponse *response)
{
  EmberFakeServer *server = request->server;
  const char *email = request->account->email;
  EmberFakeQuota *quota = ember_fake_server_quota (server, email);
  gint64 now_us = ember_fake_server_mono_us (server);
  gint64 window_us = (gint64) server->options.graph_window_seconds * G_USEC_PER_SEC;
  gint64 wait_us;

  response->cost = 1;
  g_free (response->account);
  response->account = g_strdup (email);

  if (server->options.no_quota)
    {
      quota->in_flight++;
      quota->max_in_flight = MAX (quota->max_in_flight, quota->in_flight);
      response->holds_graph_slot = TRUE;
      return TRUE;
    }

  /* Every attempt counts, refused ones included. */
  wait_us = expire (&quota->charges, &quota->charged, now_us, window_us);
  charge (&quota->charges, &quota->charged, now_us, 1);

  if (quota->in_flight >= server->options.graph_concurrency)
    {
      g_debug ("MailboxConcurrency: request %" G_GUINT64_FORMAT " (%s %s) refused, %u in flight",
               request->seq, request->method, request->path, quota->in_flight);
      ember_fake_graph_error (request, response, 429, "ApplicationThrottled",
                              "Application is over its MailboxConcurrency limit.");
      ember_fake_response_add_header (response, "Retry-After", "1");
      g_free (response->fault);
      response->fault = g_strdup ("concurrency");
      return FALSE;
    }

  if (quota->charged > server->options.graph_requests_per_window)
    {
      g_autofree char *retry_after = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                      MAX (1, (wait_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC));

      ember_fake_graph_error (request, response, 429, "ApplicationThrottled",
                              "Application is over its MailboxRequestLimit limit.");
      ember_fake_response_add_header (response, "Retry-After", retry_after);
      g_free (response->fault);
      response->fault = g_strdup ("quota");
      return FALSE;
    }

  quota->in_flight++;
  quota->max_in_flight = MAX (quota->max_in_flight, quota->in_flight);
  response->holds_graph_slot = TRUE;
  return TRUE;
}

void
ember_fake_quota_end_graph (EmberFakeServer *server,
                            const char      *email)
{
  EmberFakeQuota *quota = ember_fake_server_quota (server, email);

  g_assert (quota->in_flight > 0);
  quota->in_flight--;
}
