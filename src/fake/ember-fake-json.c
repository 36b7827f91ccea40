/* ember-fake-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-fake"

#include "config.h"

#include <string.h>

#include "ember-fake-json.h"

void
ember_fake_json_init (EmberFakeJson *self,
                      GString       *out)
{
  self->out = out;
  self->depth = 0;
  self->after_key = FALSE;
  self->first[0] = TRUE;
}

/* Writes the separator owed before a new value or key. */
static void
before_value (EmberFakeJson *self)
{
  if (self->after_key)
    {
      self->after_key = FALSE;
      return;
    }

  if (!self->first[self->depth])
    g_string_append_c (self->out, ',');
  self->first[self->depth] = FALSE;
}

static void
push (EmberFakeJson *self,
      char           opening)
{
  before_value (self);
  g_string_append_c (self->out, opening);
  g_assert (self->depth + 1 < EMBER_FAKE_JSON_MAX_DEPTH);
  self->depth++;
  self->first[self->depth] = TRUE;
}

static void
pop (EmberFakeJson *self,
     char           closing)
{
  g_assert (self->depth > 0);
  self->depth--;
  g_string_append_c (self->out, closing);
}

void
ember_fake_json_begin_object (EmberFakeJson *self)
{
  push (self, '{');
}

void
ember_fake_json_end_object (EmberFakeJson *self)
{
  pop (self, '}');
}

void
ember_fake_json_begin_array (EmberFakeJson *self)
{
  push (self, '[');
}

void
ember_fake_json_end_array (EmberFakeJson *self)
{
  pop (self, ']');
}

void
ember_fake_json_escape_append (GString    *out,
                               const char *value,
                               gssize      len)
{
  static const char hex[] = "0123456789abcdef";
  const guchar *p = (const guchar *) value;
  const guchar *end;
  const guchar *run;

  if (len < 0)
    len = strlen (value);
  end = p + len;

  g_string_append_c (out, '"');
  run = p;
  for (; p < end; p++)
    {
      guchar c = *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;

      g_string_append_len (out, (const char *) run, p - run);
      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          g_string_append (out, "\\u00");
          g_string_append_c (out, hex[c >> 4]);
          g_string_append_c (out, hex[c & 0xf]);
          break;
        }
      run = p + 1;
    }
  g_string_append_len (out, (const char *) run, p - run);
  g_string_append_c (out, '"');
}

void
ember_fake_json_key (EmberFakeJson *self,
                     const char    *key)
{
  before_value (self);
  ember_fake_json_escape_append (self->out, key, -1);
  g_string_append_c (self->out, ':');
  self->after_key = TRUE;
}

void
ember_fake_json_string (EmberFakeJson *self,
                        const char    *value)
{
  if (value == NULL)
    {
      ember_fake_json_null (self);
      return;
    }
  before_value (self);
  ember_fake_json_escape_append (self->out, value, -1);
}

void
ember_fake_json_string_len (EmberFakeJson *self,
                            const char    *value,
                            gsize          len)
{
  before_value (self);
  ember_fake_json_escape_append (self->out, value, len);
}

void
ember_fake_json_int (EmberFakeJson *self,
                     gint64         value)
{
  before_value (self);
  g_string_append_printf (self->out, "%" G_GINT64_FORMAT, value);
}

void
ember_fake_json_bool (EmberFakeJson *self,
                      gboolean       value)
{
  before_value (self);
  g_string_append (self->out, value ? "true" : "false");
}

void
ember_fake_json_null (EmberFakeJson *self)
{
  before_value (self);
  g_string_append (self->out, "null");
}

void
ember_fake_json_raw (EmberFakeJson *self,
                     const char    *json,
                     gssize         len)
{
  before_value (self);
  if (len < 0)
    g_string_append (self->out, json);
  else
    g_string_append_len (self->out, json, len);
}

void
ember_fake_json_member_string (EmberFakeJson *self,
                               const char    *key,
                               const char    *value)
{
  ember_fake_json_key (self, key);
  ember_fake_json_string (self, value);
}

void
ember_fake_json_member_int (EmberFakeJson *self,
                            const char    *key,
                            gint64         value)
{
  ember_fake_json_key (self, key);
  ember_fake_json_int (self, value);
}

void
ember_fake_json_member_int_str (EmberFakeJson *self,
                                const char    *key,
                                gint64         value)
{
  ember_fake_json_key (self, key);
  before_value (self);
  g_string_append_printf (self->out, "\"%" G_GINT64_FORMAT "\"", value);
}

void
ember_fake_json_member_bool (EmberFakeJson *self,
                             const char    *key,
                             gboolean       value)
{
  ember_fake_json_key (self, key);
  ember_fake_json_bool (self, value);
}

void
ember_fake_json_member_null (EmberFakeJson *self,
                             const char    *key)
{
  ember_fake_json_key (self, key);
  ember_fake_json_null (self);
}

void
ember_fake_json_member_strv (EmberFakeJson      *self,
                             const char         *key,
                             const char * const *values)
{
  ember_fake_json_key (self, key);
  ember_fake_json_begin_array (self);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    ember_fake_json_string (self, values[i]);
  ember_fake_json_end_array (self);
}
