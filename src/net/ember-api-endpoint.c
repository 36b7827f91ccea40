/* ember-api-endpoint.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-net"

#include "config.h"

#include <string.h>

#include "ember-api-endpoint-private.h"
#include "ember-auth-session.h"

struct _EmberApiEndpoint
{
  GObject           parent_instance;

  EmberApiKind      kind;
  char             *base_url;
  EmberClock       *clock;
  guint             timeout_ms;

  GMutex            mutex;   /* guards the fields below */
  EmberRateLimiter *limiter;
  EmberRateLimiter *batch_gate;
  EmberAuthSession *auth_session;
  GHashTable       *costs;   /* operation -> double* */
  double            default_cost;
};

G_DEFINE_FINAL_TYPE (EmberApiEndpoint, ember_api_endpoint, G_TYPE_OBJECT)

static void
ember_api_endpoint_finalize (GObject *object)
{
  EmberApiEndpoint *self = EMBER_API_ENDPOINT (object);

  g_clear_pointer (&self->base_url, g_free);
  g_clear_object (&self->clock);
  g_clear_object (&self->limiter);
  g_clear_object (&self->batch_gate);
  g_clear_object (&self->auth_session);
  g_clear_pointer (&self->costs, g_hash_table_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (ember_api_endpoint_parent_class)->finalize (object);
}

static void
ember_api_endpoint_class_init (EmberApiEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ember_api_endpoint_finalize;
}

static void
ember_api_endpoint_init (EmberApiEndpoint *self)
{
  g_mutex_init (&self->mutex);
  self->costs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->default_cost = 1;
}

static char *
strip_trailing_slashes (const char *base)
{
  char *copy = g_strdup (base);
  gsize len = strlen (copy);

  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';

  return copy;
}

/* The providers' quotas are sliding windows (Gmail and Calendar per user,
 * Graph per mailbox): the limiter keeps the same one. */
static EmberRateLimiter *
make_limiter (EmberClock *clock,
              double      units,
              double      window_seconds,
              guint       max_in_flight)
{
  return ember_rate_limiter_new_window (clock, units * EMBER_QUOTA_SHARE,
                                        (GTimeSpan) (window_seconds * G_USEC_PER_SEC),
                                        max_in_flight);
}

EmberApiEndpoint *
ember_api_endpoint_new (EmberApiKind  kind,
                        const char   *base_url,
                        EmberClock   *clock)
{
  EmberApiEndpoint *self;
  const char *real_base = NULL;

  g_return_val_if_fail (EMBER_IS_CLOCK (clock), NULL);

  self = g_object_new (EMBER_TYPE_API_ENDPOINT, NULL);
  self->kind = kind;
  self->clock = g_object_ref (clock);

  switch (kind)
    {
    case EMBER_API_KIND_GMAIL:
      real_base = EMBER_GMAIL_API_BASE;
      self->timeout_ms = EMBER_GMAIL_DEFAULT_TIMEOUT_MS;
      self->limiter = make_limiter (clock, EMBER_GMAIL_DEFAULT_UNITS_PER_MINUTE, 60, 0);
      self->default_cost = 5;
      ember_api_endpoint_set_cost (self, "messages.get", EMBER_GMAIL_COST_MESSAGES_GET);
      ember_api_endpoint_set_cost (self, "messages.list", EMBER_GMAIL_COST_MESSAGES_LIST);
      ember_api_endpoint_set_cost (self, "history.list", EMBER_GMAIL_COST_HISTORY_LIST);
      ember_api_endpoint_set_cost (self, "getProfile", EMBER_GMAIL_COST_PROFILE);
      ember_api_endpoint_set_cost (self, "labels.list", EMBER_GMAIL_COST_LABELS_LIST);
      break;

    case EMBER_API_KIND_GOOGLE_CALENDAR:
      real_base = EMBER_CALENDAR_API_BASE;
      self->timeout_ms = EMBER_GMAIL_DEFAULT_TIMEOUT_MS;
      self->limiter = make_limiter (clock, EMBER_CALENDAR_DEFAULT_REQUESTS_PER_MINUTE, 60, 0);
      break;

    case EMBER_API_KIND_GRAPH:
      real_base = EMBER_GRAPH_API_BASE;
      self->timeout_ms = EMBER_GRAPH_DEFAULT_TIMEOUT_MS;
      self->limiter = make_limiter (clock, EMBER_GRAPH_DEFAULT_REQUESTS_PER_10_MIN, 600,
                                    EMBER_GRAPH_MAX_IN_FLIGHT);
      break;

    case EMBER_API_KIND_OAUTH:
      real_base = "";
      self->timeout_ms = EMBER_GMAIL_DEFAULT_TIMEOUT_MS;
      break;

    default:
      g_assert_not_reached ();
    }

  self->base_url = strip_trailing_slashes (base_url != NULL && *base_url != '\0' ? base_url : real_base);

  return self;
}

EmberApiKind
ember_api_endpoint_get_kind (EmberApiEndpoint *self)
{
  g_return_val_if_fail (EMBER_IS_API_ENDPOINT (self), EMBER_API_KIND_OAUTH);

  return self->kind;
}

const char *
ember_api_endpoint_get_base_url (EmberApiEndpoint *self)
{
  g_return_val_if_fail (EMBER_IS_API_ENDPOINT (self), NULL);

  return self->base_url;
}

guint
ember_api_endpoint_get_timeout (EmberApiEndpoint *self)
{
  g_return_val_if_fail (EMBER_IS_API_ENDPOINT (self), 0);

  return g_atomic_int_get (&self->timeout_ms);
}

void
ember_api_endpoint_set_timeout (EmberApiEndpoint *self,
                                guint             timeout_ms)
{
  g_return_if_fail (EMBER_IS_API_ENDPOINT (self));
  g_return_if_fail (timeout_ms > 0);

  g_atomic_int_set (&self->timeout_ms, timeout_ms);
}

void
ember_api_endpoint_set_quota (EmberApiEndpoint *self,
                              double            units,
                              double            window_seconds,
                              guint             max_in_flight)
{
  g_autoptr(EmberRateLimiter) limiter = NULL;

  g_return_if_fail (EMBER_IS_API_ENDPOINT (self));
  g_return_if_fail (units > 0);
  g_return_if_fail (window_seconds > 0);

  limiter = make_limiter (self->clock, units, window_seconds, max_in_flight);
  ember_api_endpoint_set_rate_limiter (self, limiter);
}

EmberRateLimiter *
ember_api_endpoint_ref_rate_limiter (EmberApiEndpoint *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (EMBER_IS_API_ENDPOINT (self), NULL);

  locker = g_mutex_locker_new (&self->mutex);
  return self->limiter != NULL ? g_object_ref (self->limiter) : NULL;
}

void
ember_api_endpoint_set_rate_limiter (EmberApiEndpoint *self,
                                     EmberRateLimiter *limiter)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_if_fail (EMBER_IS_API_ENDPOINT (self));
  g_return_if_fail (limiter == NULL || EMBER_IS_RATE_LIMITER (limiter));

  locker = g_mutex_locker_new (&self->mutex);
  g_set_object (&self->limiter, limiter);
}

void
ember_api_endpoint_set_cost (EmberApiEndpoint *self,
                             const char       *operation,
                             double            cost)
{
  g_autoptr(GMutexLocker) locker = NULL;
  double *value;

  g_return_if_fail (EMBER_IS_API_ENDPOINT (self));
  g_return_if_fail (operation != NULL);
  g_return_if_fail (cost >= 0);

  value = g_new (double, 1);
  *value = cost;
  locker = g_mutex_locker_new (&self->mutex);
  g_hash_table_replace (self->costs, g_strdup (operation), value);
}

double
ember_api_endpoint_get_cost (EmberApiEndpoint *self,
                             const char       *operation)
{
  g_autoptr(GMutexLocker) locker = NULL;
  const double *value;

  g_return_val_if_fail (EMBER_IS_API_ENDPOINT (self), 1);

  locker = g_mutex_locker_new (&self->mutex);
  value = operation != NULL ? g_hash_table_lookup (self->costs, operation) : NULL;

  return value != NULL ? *value : self->default_cost;
}

void
ember_api_endpoint_set_default_cost (EmberApiEndpoint *self,
                                     double            cost)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_if_fail (EMBER_IS_API_ENDPOINT (self));
  g_return_if_fail (cost >= 0);

  locker = g_mutex_locker_new (&self->mutex);
  self->default_cost = cost;
}

EmberAuthSession *
ember_api_endpoint_ref_auth_session (EmberApiEndpoint *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (EMBER_IS_API_ENDPOINT (self), NULL);

  locker = g_mutex_locker_new (&self->mutex);
  return self->auth_session != NULL ? g_object_ref (self->auth_session) : NULL;
}

void
ember_api_endpoint_set_auth_session (EmberApiEndpoint *self,
                                     EmberAuthSession *session)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_if_fail (EMBER_IS_API_ENDPOINT (self));
  g_return_if_fail (session == NULL || EMBER_IS_AUTH_SESSION (session));

  locker = g_mutex_locker_new (&self->mutex);
  g_set_object (&self->auth_session, session);
}

const char *
ember_api_endpoint_get_display_name (EmberApiEndpoint *self)
{
  g_return_val_if_fail (EMBER_IS_API_ENDPOINT (self), NULL);

  switch (self->kind)
    {
    case EMBER_API_KIND_GMAIL:
      return "Gmail";
    case EMBER_API_KIND_GOOGLE_CALENDAR:
      return "Google Calendar";
    case EMBER_API_KIND_GRAPH:
      return "Microsoft Graph";
    case EMBER_API_KIND_OAUTH:
      return "The sign-in service";
    default:
      g_return_val_if_reached ("The server");
    }
}

EmberRateLimiter *
_ember_api_endpoint_ref_batch_gate (EmberApiEndpoint *self)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  if (self->batch_gate == NULL)
    self->batch_gate = ember_rate_limiter_new (self->clock, 1e9, 1e9, 1);

  return g_object_ref (self->batch_gate);
}
