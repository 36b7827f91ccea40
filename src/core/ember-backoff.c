/* ember-backoff.c: exponential backoff with full jitter and Retry-After
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-core"

#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "ember-backoff.h"
#include "ember-error.h"

struct _EmberBackoff
{
  GObject     parent_instance;

  EmberClock *clock;

  GMutex      mutex;
  GRand      *rand;
  gint64      initial_interval;
  double      multiplier;
  gint64      max_interval;
  gint64      max_elapsed;
  gint64      max_retry_after;
  guint       attempts;
  gint64      first_failure;
  guint       jitter : 1;
  guint       gave_up : 1;
};

G_DEFINE_FINAL_TYPE (EmberBackoff, ember_backoff, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLOCK,
  PROP_INITIAL_INTERVAL,
  PROP_MULTIPLIER,
  PROP_MAX_INTERVAL,
  PROP_MAX_ELAPSED,
  PROP_MAX_RETRY_AFTER,
  PROP_JITTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ember_backoff_constructed (GObject *object)
{
  EmberBackoff *self = (EmberBackoff *)object;

  G_OBJECT_CLASS (ember_backoff_parent_class)->constructed (object);

  if (self->clock == NULL)
    self->clock = g_object_ref (ember_clock_get_default ());
}

static void
ember_backoff_finalize (GObject *object)
{
  EmberBackoff *self = (EmberBackoff *)object;

  g_clear_object (&self->clock);
  g_clear_pointer (&self->rand, g_rand_free);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (ember_backoff_parent_class)->finalize (object);
}

static void
ember_backoff_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  EmberBackoff *self = EMBER_BACKOFF (object);

  g_mutex_lock (&self->mutex);
  switch (prop_id)
    {
    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;
    case PROP_INITIAL_INTERVAL:
      g_value_set_int64 (value, self->initial_interval);
      break;
    case PROP_MULTIPLIER:
      g_value_set_double (value, self->multiplier);
      break;
    case PROP_MAX_INTERVAL:
      g_value_set_int64 (value, self->max_interval);
      break;
    case PROP_MAX_ELAPSED:
      g_value_set_int64 (value, self->max_elapsed);
      break;
    case PROP_MAX_RETRY_AFTER:
      g_value_set_int64 (value, self->max_retry_after);
      break;
    case PROP_JITTER:
      g_value_set_boolean (value, self->jitter);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
  g_mutex_unlock (&self->mutex);
}

/* Sets a knob under the mutex; notifies (outside it) only on change. */
static void
set_int64 (EmberBackoff *self,
           gint64       *field,
           gint64        value,
           guint         prop_id)
{
  gboolean changed;

  g_mutex_lock (&self->mutex);
  changed = *field != value;
  *field = value;
  g_mutex_unlock (&self->mutex);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
ember_backoff_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  EmberBackoff *self = EMBER_BACKOFF (object);
  gboolean changed;

  switch (prop_id)
    {
    case PROP_CLOCK:
      self->clock = g_value_dup_object (value);
      break;
    case PROP_INITIAL_INTERVAL:
      set_int64 (self, &self->initial_interval, g_value_get_int64 (value), prop_id);
      break;
    case PROP_MAX_INTERVAL:
      set_int64 (self, &self->max_interval, g_value_get_int64 (value), prop_id);
      break;
    case PROP_MAX_ELAPSED:
      set_int64 (self, &self->max_elapsed, g_value_get_int64 (value), prop_id);
      break;
    case PROP_MAX_RETRY_AFTER:
      set_int64 (self, &self->max_retry_after, g_value_get_int64 (value), prop_id);
      break;
    case PROP_MULTIPLIER:
      g_mutex_lock (&self->mutex);
      changed = self->multiplier != g_value_get_double (value);
      self->multiplier = g_value_get_double (value);
      g_mutex_unlock (&self->mutex);
      if (changed)
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_JITTER:
      g_mutex_lock (&self->mutex);
      changed = self->jitter != g_value_get_boolean (value);
      self->jitter = g_value_get_boolean (value);
      g_mutex_unlock (&self->mutex);
      if (changed)
        g_object_notify_by_pspec (object, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ember_backoff_class_init (EmberBackoffClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ember_backoff_constructed;
  object_class->finalize = ember_backoff_finalize;
  object_class->get_property = ember_backoff_get_property;
  object_class->set_property = ember_backoff_set_property;

  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL,
                         EMBER_TYPE_CLOCK,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_INITIAL_INTERVAL] =
    g_param_spec_int64 ("initial-interval", NULL, NULL,
                        0, G_MAXINT64, EMBER_BACKOFF_DEFAULT_INITIAL_INTERVAL,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_MULTIPLIER] =
    g_param_spec_double ("multiplier", NULL, NULL,
                         1.0, 1000.0, EMBER_BACKOFF_DEFAULT_MULTIPLIER,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_MAX_INTERVAL] =
    g_param_spec_int64 ("max-interval", NULL, NULL,
                        0, G_MAXINT64, EMBER_BACKOFF_DEFAULT_MAX_INTERVAL,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_MAX_ELAPSED] =
    g_param_spec_int64 ("max-elapsed", NULL, NULL,
                        0, G_MAXINT64, EMBER_BACKOFF_DEFAULT_MAX_ELAPSED,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_MAX_RETRY_AFTER] =
    g_param_spec_int64 ("max-retry-after", NULL, NULL,
                        0, G_MAXINT64, EMBER_BACKOFF_DEFAULT_MAX_RETRY_AFTER,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_JITTER] =
    g_param_spec_boolean ("jitter", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ember_backoff_init (EmberBackoff *self)
{
  g_mutex_init (&self->mutex);
  self->rand = g_rand_new ();
  self->initial_interval = EMBER_BACKOFF_DEFAULT_INITIAL_INTERVAL;
  self->multiplier = EMBER_BACKOFF_DEFAULT_MULTIPLIER;
  self->max_interval = EMBER_BACKOFF_DEFAULT_MAX_INTERVAL;
  self->max_elapsed = EMBER_BACKOFF_DEFAULT_MAX_ELAPSED;
  self->max_retry_after = EMBER_BACKOFF_DEFAULT_MAX_RETRY_AFTER;
  self->jitter = TRUE;
}

/**
 * ember_backoff_new:
 * @clock: (nullable): the clock to wait on; %NULL for the real one
 *
 * Returns: (transfer full): a backoff policy with the default knobs
 */
EmberBackoff *
ember_backoff_new (EmberClock *clock)
{
  g_return_val_if_fail (clock == NULL || EMBER_IS_CLOCK (clock), NULL);

  return g_object_new (EMBER_TYPE_BACKOFF, "clock", clock, NULL);
}

/* Called with the mutex held. */
static gint64
computed_interval_locked (EmberBackoff *self)
{
  double interval = (double) self->initial_interval * pow (self->multiplier, self->attempts);

  if (!isfinite (interval) || interval >= (double) self->max_interval)
    return self->max_interval;

  return (gint64) interval;
}

/**
 * ember_backoff_next_delay:
 * @self: a backoff policy
 * @retry_after_usec: the server's Retry-After in µs, or -1
 *
 * Counts one failure and tells how long to wait before trying again.
 *
 * Returns: the delay in µs, or -1 when it is time to give up
 */
gint64
ember_backoff_next_delay (EmberBackoff *self,
                          gint64        retry_after_usec)
{
  gint64 now;
  gint64 delay;

  g_return_val_if_fail (EMBER_IS_BACKOFF (self), -1);

  now = ember_clock_get_monotonic (self->clock);

  g_mutex_lock (&self->mutex);

  if (self->gave_up)
    goto give_up;

  if (self->attempts == 0)
    self->first_failure = now;

  delay = computed_interval_locked (self);
  if (self->jitter)
    delay = MIN ((gint64) (g_rand_double (self->rand) * ((double) delay + 1.0)), delay);

  if (retry_after_usec >= 0)
    delay = MIN (retry_after_usec, self->max_retry_after);

  if (self->max_elapsed > 0 &&
      (now - self->first_failure > self->max_elapsed ||
       delay > self->max_elapsed - (now - self->first_failure)))
    {
      self->gave_up = TRUE;
      goto give_up;
    }

  self->attempts++;
  g_mutex_unlock (&self->mutex);

  return delay;

give_up:
  g_mutex_unlock (&self->mutex);
  return -1;
}

/**
 * ember_backoff_wait:
 * @self: a backoff policy
 * @retry_after_usec: the server's Retry-After in µs, or -1
 * @cancellable: (nullable): wakes the wait at once when cancelled
 * @error: return location for a #GError
 *
 * Counts one failure and sleeps on the clock for the next delay.
 *
 * Returns: %TRUE when it is time to try again; %FALSE with
 *   %EMBER_HTTP_ERROR_GAVE_UP or %G_IO_ERROR_CANCELLED
 */
gboolean
ember_backoff_wait (EmberBackoff  *self,
                    gint64         retry_after_usec,
                    GCancellable  *cancellable,
                    GError       **error)
{
  gint64 delay;

  g_return_val_if_fail (EMBER_IS_BACKOFF (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  delay = ember_backoff_next_delay (self, retry_after_usec);
  if (delay < 0)
    {
      guint attempts = ember_backoff_get_attempts (self);

      g_set_error (error, EMBER_HTTP_ERROR, EMBER_HTTP_ERROR_GAVE_UP,
                   g_dngettext (GETTEXT_PACKAGE,
                                "Gave up after %u failed attempt",
                                "Gave up after %u failed attempts",
                                attempts + 1),
                   attempts + 1);
      return FALSE;
    }

  return ember_clock_sleep (self->clock, delay, cancellable, error);
}

/**
 * ember_backoff_reset:
 * @self: a backoff policy
 *
 * Forgets every failure; call it after a success.
 */
void
ember_backoff_reset (EmberBackoff *self)
{
  g_return_if_fail (EMBER_IS_BACKOFF (self));

  g_mutex_lock (&self->mutex);
  self->attempts = 0;
  self->first_failure = 0;
  self->gave_up = FALSE;
  g_mutex_unlock (&self->mutex);
}

/**
 * ember_backoff_get_attempts:
 * @self: a backoff policy
 *
 * Returns: the failures that got a delay since the last reset
 */
guint
ember_backoff_get_attempts (EmberBackoff *self)
{
  guint attempts;

  g_return_val_if_fail (EMBER_IS_BACKOFF (self), 0);

  g_mutex_lock (&self->mutex);
  attempts = self->attempts;
  g_mutex_unlock (&self->mutex);

  return attempts;
}

/**
 * ember_parse_retry_after:
 * @value: (nullable): a Retry-After header value
 * @now_real_usec: the current wall-clock time in µs, for HTTP-dates
 *
 * Understands both forms of RFC 9110: delta-seconds ("120") and an
 * HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT").
 *
 * Returns: the delay in µs (0 for a date already past), or -1 when @value
 *   is %NULL, empty or not understood
 */
gint64
ember_parse_retry_after (const char *value,
                         gint64      now_real_usec)
{
  g_autofree char *trimmed = NULL;
  g_autoptr(GDateTime) date = NULL;
  gint64 delay;

  if (value == NULL)
    return -1;

  trimmed = g_strstrip (g_strdup (value));
  if (*trimmed == '\0')
    return -1;

  if (g_ascii_isdigit (*trimmed))
    {
      guint64 seconds;

      for (const char *p = trimmed; *p != '\0'; p++)
        if (!g_ascii_isdigit (*p))
          goto try_date;

      /* All digits: only an overflow can fail, and a huge value means
       * "a very long time", which the caller caps anyway. */
      if (!g_ascii_string_to_unsigned (trimmed, 10, 0, G_MAXINT64 / G_USEC_PER_SEC,
                                       &seconds, NULL))
        return G_MAXINT64;

      return (gint64) seconds * G_USEC_PER_SEC;
    }

try_date:
  date = soup_date_time_new_from_http_string (trimmed);
  if (date == NULL)
    return -1;

  delay = g_date_time_to_unix (date) * G_USEC_PER_SEC - now_real_usec;

  return MAX (delay, 0);
}
