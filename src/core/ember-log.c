/* ember-log.c: structured logging that never writes a secret
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-core"

#include "config.h"

#include <string.h>

#include "ember-log.h"
#include "ember-redact.h"

/* Fields GLib and the journal fill with our own metadata, never with
 * server data; the rest is text that may hold anything. */
static gboolean
is_trusted_field (const char *key)
{
  static const char * const trusted[] = {
    "PRIORITY", "GLIB_DOMAIN", "GLIB_OLD_LOG_API", "CODE_FILE", "CODE_LINE",
    "CODE_FUNC", "ERRNO", "SYSLOG_IDENTIFIER",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (trusted); i++)
    if (strcmp (key, trusted[i]) == 0)
      return TRUE;

  return FALSE;
}

static const char *
find_domain (const GLogField *fields,
             gsize            n_fields)
{
  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, "GLIB_DOMAIN") == 0 && fields[i].length < 0)
      return fields[i].value;

  return NULL;
}

/**
 * ember_log_writer:
 * @log_level: the level of the record
 * @fields: (array length=n_fields): the record's fields
 * @n_fields: how many fields
 * @user_data: unused
 *
 * A #GLogWriterFunc that redacts and then calls g_log_writer_default().
 *
 * Returns: whether the record was handled
 */
GLogWriterOutput
ember_log_writer (GLogLevelFlags   log_level,
                  const GLogField *fields,
                  gsize            n_fields,
                  gpointer         user_data)
{
  g_autofree GLogField *redacted_fields = NULL;
  g_autoptr(GPtrArray) owned = NULL;

  if (g_log_writer_default_would_drop (log_level, find_domain (fields, n_fields)))
    return G_LOG_WRITER_HANDLED;

  redacted_fields = g_new (GLogField, n_fields);
  owned = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i < n_fields; i++)
    {
      const GLogField *field = &fields[i];
      g_autofree char *text = NULL;
      char *redacted;

      redacted_fields[i] = *field;

      if (is_trusted_field (field->key) || field->value == NULL)
        continue;

      /* A length >= 0 means binary data, except for MESSAGE, which
       * g_log_structured() callers may pass with an explicit length. */
      if (field->length < 0)
        text = g_strdup (field->value);
      else if (strcmp (field->key, "MESSAGE") == 0)
        text = g_strndup (field->value, field->length);
      else
        continue;

      redacted = ember_redact (text);
      g_ptr_array_add (owned, redacted);
      redacted_fields[i].value = redacted;
      redacted_fields[i].length = -1;
    }

  return g_log_writer_default (log_level, redacted_fields, n_fields, user_data);
}

/**
 * ember_log_init:
 *
 * Installs ember_log_writer() as the GLog writer of this process, once.
 */
void
ember_log_init (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      g_log_set_writer_func (ember_log_writer, NULL, NULL);
      g_once_init_leave (&initialized, 1);
    }
}
