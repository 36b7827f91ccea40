/* ember-fake-json.h: a small streaming JSON writer for the fake server
 *
 * The fake server writes its own JSON (never Ember's client code), and it
 * writes a lot of it, so this appends straight into a GString.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define EMBER_FAKE_JSON_MAX_DEPTH 32

typedef struct
{
  GString  *out;
  guint     depth;
  gboolean  after_key;
  gboolean  first[EMBER_FAKE_JSON_MAX_DEPTH];
} EmberFakeJson;

void ember_fake_json_init           (EmberFakeJson *self,
                                     GString       *out);
void ember_fake_json_begin_object   (EmberFakeJson *self);
void ember_fake_json_end_object     (EmberFakeJson *self);
void ember_fake_json_begin_array    (EmberFakeJson *self);
void ember_fake_json_end_array      (EmberFakeJson *self);
void ember_fake_json_key            (EmberFakeJson *self,
                                     const char    *key);
/* A NULL string is written as null. */
void ember_fake_json_string         (EmberFakeJson *self,
                                     const char    *value);
void ember_fake_json_string_len     (EmberFakeJson *self,
                                     const char    *value,
                                     gsize          len);
void ember_fake_json_int            (EmberFakeJson *self,
                                     gint64         value);
void ember_fake_json_bool           (EmberFakeJson *self,
                                     gboolean       value);
void ember_fake_json_null           (EmberFakeJson *self);
/* Appends an already serialised JSON value. */
void ember_fake_json_raw            (EmberFakeJson *self,
                                     const char    *json,
                                     gssize         len);

void ember_fake_json_member_string  (EmberFakeJson *self,
                                     const char    *key,
                                     const char    *value);
void ember_fake_json_member_int     (EmberFakeJson *self,
                                     const char    *key,
                                     gint64         value);
/* Int64 values that Google APIs send as JSON strings (historyId, ...). */
void ember_fake_json_member_int_str (EmberFakeJson *self,
                                     const char    *key,
                                     gint64         value);
void ember_fake_json_member_bool    (EmberFakeJson *self,
                                     const char    *key,
                                     gboolean       value);
void ember_fake_json_member_null    (EmberFakeJson *self,
                                     const char    *key);
void ember_fake_json_member_strv    (EmberFakeJson *self,
                                     const char    *key,
                                     const char * const *values);

void ember_fake_json_escape_append  (GString       *out,
                                     const char    *value,
                                     gssize         len);

G_END_DECLS
