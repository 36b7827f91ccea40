/* ember-fake-faults.c: the fault spec
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-fake"

#include "config.h"

#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

#include "ember-fake-private.h"

static void
rule_free (gpointer data)
{
  EmberFakeFaultRule *rule = data;

  g_free (rule->path_prefix);
  g_free (rule);
}

void
ember_fake_faults_free (EmberFakeFaults *self)
{
  if (self == NULL)
    return;
  g_free (self->spec);
  g_ptr_array_unref (self->rules);
  g_free (self);
}

static gboolean
parse_duration_ms (const char *text,
                   guint      *out_ms)
{
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);

  if (end == text || value < 0)
    return FALSE;
  if (strcmp (end, "ms") == 0)
    *out_ms = (guint) value;
  else if (strcmp (end, "s") == 0 || *end == '\0')
    *out_ms = (guint) (value * 1000);
  else if (strcmp (end, "m") == 0)
    *out_ms = (guint) (value * 60000);
  else
    return FALSE;
  return TRUE;
}

static gboolean
invalid (GError    **error,
         const char *item,
         const char *why)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "Bad fault rule “%s”: %s", item, why);
  return FALSE;
}

static gboolean
parse_rule (const char          *item,
            EmberFakeFaultRule  *rule,
            GError             **error)
{
  g_auto(GStrv) fields = g_strsplit (item, ":", -1);
  const char *kind;
  char *end = NULL;
  guint64 status;

  if (g_strv_length (fields) < 2)
    return invalid (error, item, "expected KIND:PROBABILITY");

  kind = fields[0];
  if (strcmp (kind, "reset") == 0)
    rule->kind = EMBER_FAKE_FAULT_RESET;
  else if (strcmp (kind, "stall") == 0)
    {
      rule->kind = EMBER_FAKE_FAULT_STALL;
      rule->stall_ms = 30000;
    }
  else if (strcmp (kind, "truncate") == 0)
    rule->kind = EMBER_FAKE_FAULT_TRUNCATE;
  else if (g_ascii_string_to_unsigned (kind, 10, 400, 599, &status, NULL) &&
           (status == 429 || status >= 500))
    {
      rule->kind = EMBER_FAKE_FAULT_STATUS;
      rule->status = (guint) status;
    }
  else
    return invalid (error, item, "kind must be 429, 500-599, reset, stall or truncate");

  rule->probability = g_ascii_strtod (fields[1], &end);
  if (end == fields[1] || *end != '\0' || rule->probability < 0 || rule->probability > 1)
    return invalid (error, item, "the probability must be a number from 0 to 1");

  for (guint i = 2; fields[i] != NULL; i++)
    {
      const char *option = fields[i];

      if (g_str_has_prefix (option, "retry-after="))
        {
          guint64 seconds;

          if (!g_ascii_string_to_unsigned (option + strlen ("retry-after="), 10, 0, 86400, &seconds, NULL))
            return invalid (error, item, "retry-after needs whole seconds");
          rule->retry_after = (guint) seconds;
        }
      else if (g_str_has_prefix (option, "path="))
        rule->path_prefix = g_strdup (option + strlen ("path="));
      else if (rule->kind == EMBER_FAKE_FAULT_STALL && parse_duration_ms (option, &rule->stall_ms))
        ;
      else
        return invalid (error, item, "unknown option");
    }

  if (rule->retry_after > 0 && rule->kind != EMBER_FAKE_FAULT_STATUS)
    return invalid (error, item, "retry-after only applies to status faults");
  return TRUE;
}

EmberFakeFaults *
ember_fake_faults_parse (const char  *spec,
                         guint64      seed,
                         GError     **error)
{
  g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func (rule_free);
  g_auto(GStrv) items = g_strsplit (spec, ",", -1);
  EmberFakeFaults *self;
  double total = 0;

  for (guint i = 0; items[i] != NULL; i++)
    {
      g_autofree char *item = g_strstrip (g_strdup (items[i]));
      EmberFakeFaultRule *rule;

      if (*item == '\0')
        continue;
      rule = g_new0 (EmberFakeFaultRule, 1);
      g_ptr_array_add (rules, rule);
      if (!parse_rule (item, rule, error))
        return NULL;
      total += rule->probability;
    }

  if (total > 1.0 + 1e-9)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Bad fault spec “%s”: the probabilities add up to more than 1", spec);
      return NULL;
    }

  self = g_new0 (EmberFakeFaults, 1);
  self->spec = g_strdup (spec);
  self->rules = g_steal_pointer (&rules);
  ember_fake_rng_init (&self->rng, ember_fake_mix64 (seed, 0xfa0175));
  return self;
}

const EmberFakeFaultRule *
ember_fake_faults_draw (EmberFakeFaults *self,
                        const char      *path,
                        gboolean         inner)
{
  double roll = ember_fake_rng_double (&self->rng);
  double cumulative = 0;

  for (guint i = 0; i < self->rules->len; i++)
    {
      const EmberFakeFaultRule *rule = g_ptr_array_index (self->rules, i);

      if (rule->path_prefix != NULL && !g_str_has_prefix (path, rule->path_prefix))
        continue;
      if (inner && rule->kind != EMBER_FAKE_FAULT_STATUS)
        continue;
      cumulative += rule->probability;
      if (roll < cumulative)
        return rule;
    }
  return NULL;
}
