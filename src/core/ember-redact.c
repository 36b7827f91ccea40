/* ember-redact.c: keep secrets out of every message and log line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-core"

#include "config.h"

#include <string.h>

#include "ember-redact.h"

#define REDACTED "[REDACTED]"

/* Registered secrets shorter than this are ignored: they would mangle
 * ordinary text, and no token is that short. */
#define MIN_SECRET_LENGTH 4

/* Keys whose value runs to the end of the line when unquoted, because the
 * value itself has spaces ("Authorization: Bearer abc"). */
#define HEADER_KEYS "(?:proxy-)?authorization|set-cookie|cookie"

/* Keys whose value is one token. Longer alternatives first. */
#define TOKEN_KEYS \
  "access_token|refresh_token|id_token|session_token|code_verifier|device_code|" \
  "client_secret|client_assertion|assertion|password|passwd|api_key|apikey|" \
  "secret|token|code"

/* Not preceded by a word character, so "passcode" is not "code". */
#define KEY_START "(?<![A-Za-z0-9_])"

/* The key's closing quote (plain, or escaped inside a JSON string) and the
 * separator of every syntax we know: JSON/YAML/header ':' and form '='. */
#define KEY_END "(\\\\?[\"']?)"

/* Quoted values: escaped quotes inside a JSON string (\"...\"), JSON
 * strings with escapes, and single quotes. */
#define QUOTED_VALUE \
  "\\\\\"(?:[^\\\\]|\\\\[^\"])*\\\\\"|\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'"

typedef struct
{
  GRegex *header;
  GRegex *token;
  GRegex *bearer;
  GRegex *known_formats;
} Patterns;

static GMutex secrets_mutex;
/* secret -> registration count */
static GHashTable *secrets;
/* The same secrets, longest first, so an overlapping shorter one cannot
 * leave part of a longer one behind. */
static GPtrArray *secrets_by_length;

static GRegex *
compile (const char *pattern)
{
  g_autoptr(GError) error = NULL;
  GRegex *regex;

  /* No G_REGEX_OPTIMIZE: GLib JIT-compiles lazily on the first match,
   * which is not safe when several threads log at once. RAW because log
   * lines need not be valid UTF-8 and must be redacted anyway. */
  regex = g_regex_new (pattern, G_REGEX_CASELESS | G_REGEX_RAW, 0, &error);
  if (regex == NULL)
    g_error ("Invalid redaction pattern %s: %s", pattern, error->message);

  return regex;
}

static const Patterns *
get_patterns (void)
{
  static Patterns *patterns;

  if (g_once_init_enter (&patterns))
    {
      Patterns *p = g_new0 (Patterns, 1);

      p->header = compile (KEY_START "(" HEADER_KEYS ")" KEY_END "([ \\t]*[:=][ \\t]*)"
                           "(" QUOTED_VALUE "|[^\\r\\n]+)");
      p->token = compile (KEY_START "(" TOKEN_KEYS ")" KEY_END "(\\s*[:=]\\s*)"
                          "(" QUOTED_VALUE "|[^\\s&,;\"'<>(){}\\[\\]\\\\]+)");
      p->bearer = compile (KEY_START "(bearer)(\\s+|%20|\\+)"
                           "([A-Za-z0-9\\-._~+/%]+=*)");
      /* Shapes that are secrets wherever they appear: JSON Web Tokens,
       * Google access tokens and Google client secrets. */
      p->known_formats = compile (KEY_START "(?:eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*"
                                  "|ya29\\.[A-Za-z0-9_.-]+"
                                  "|GOCSPX-[A-Za-z0-9_-]+)");
      g_once_init_leave (&patterns, p);
    }

  return patterns;
}

/* Keeps the value's quoting so JSON stays JSON. */
static void
append_redacted_value (GString    *result,
                       const char *value)
{
  if (value[0] == '\\' && value[1] == '"')
    g_string_append (result, "\\\"" REDACTED "\\\"");
  else if (value[0] == '"')
    g_string_append (result, "\"" REDACTED "\"");
  else if (value[0] == '\'')
    g_string_append (result, "'" REDACTED "'");
  else
    g_string_append (result, REDACTED);
}

/* "code": 401 and "code": "InvalidAuthenticationToken" in error bodies are
 * what a bug report needs; an authorization code (in a query, a form, or
 * JSON) always has digits or punctuation in it. */
static gboolean
is_error_code (const char *key,
               const char *separator,
               const char *value)
{
  gsize len;

  if (g_ascii_strcasecmp (key, "code") != 0 || strchr (separator, ':') == NULL)
    return FALSE;
  if (value[0] == '"')
    value++;
  len = strcspn (value, "\"\\");
  if (len == 0 || len > 64)
    return FALSE;
  if (strspn (value, "0123456789") == len)
    return TRUE;
  return strspn (value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_") == len;
}

/* Groups: 1 key, 2 the key's closing quote, 3 separator, 4 value. */
static gboolean
redact_key_value_cb (const GMatchInfo *match_info,
                     GString          *result,
                     gpointer          user_data)
{
  g_autofree char *key = g_match_info_fetch (match_info, 1);
  g_autofree char *quote = g_match_info_fetch (match_info, 2);
  g_autofree char *separator = g_match_info_fetch (match_info, 3);
  g_autofree char *value = g_match_info_fetch (match_info, 4);

  g_string_append (result, key);
  g_string_append (result, quote);
  g_string_append (result, separator);
  if (is_error_code (key, separator, value))
    g_string_append (result, value);
  else
    append_redacted_value (result, value);

  return FALSE;
}

static gboolean
redact_bearer_cb (const GMatchInfo *match_info,
                  GString          *result,
                  gpointer          user_data)
{
  g_autofree char *word = g_match_info_fetch (match_info, 1);
  g_autofree char *space = g_match_info_fetch (match_info, 2);

  g_string_append (result, word);
  g_string_append (result, space);
  g_string_append (result, REDACTED);

  return FALSE;
}

static gboolean
redact_all_cb (const GMatchInfo *match_info,
               GString          *result,
               gpointer          user_data)
{
  g_string_append (result, REDACTED);

  return FALSE;
}

/* Takes @text. On a matching error (e.g. PCRE's match limit on hostile
 * input) nothing of the text is kept, since it may hold a secret. */
static char *
replace (GRegex              *regex,
         char                *text,
         GRegexEvalCallback   eval)
{
  g_autoptr(GError) error = NULL;
  char *result;

  result = g_regex_replace_eval (regex, text, -1, 0, 0, eval, NULL, &error);
  g_free (text);
  if (result == NULL)
    return g_strdup (REDACTED " (redaction failed: " REDACTED ")");

  return result;
}

static char *
replace_registered_secrets (const char *text)
{
  g_autoptr(GString) result = g_string_new (text);

  g_mutex_lock (&secrets_mutex);
  if (secrets_by_length != NULL)
    {
      for (guint i = 0; i < secrets_by_length->len; i++)
        g_string_replace (result, g_ptr_array_index (secrets_by_length, i), REDACTED, 0);
    }
  g_mutex_unlock (&secrets_mutex);

  return g_string_free (g_steal_pointer (&result), FALSE);
}

/**
 * ember_redact:
 * @text: (nullable): text that may contain secrets
 *
 * Replaces every secret in @text by "[REDACTED]": registered secrets,
 * "Bearer" tokens, the values of Authorization, Proxy-Authorization,
 * Cookie and Set-Cookie, and the values of access_token, refresh_token,
 * id_token, session_token, code, code_verifier, device_code,
 * client_secret, client_assertion, assertion, password, passwd, api_key,
 * apikey, secret and token, in JSON (also escaped inside a JSON string),
 * form, query, header and "key: value" syntax, whatever the case; plus
 * JSON Web Tokens and Google token shapes anywhere.
 *
 * Returns: (transfer full) (nullable): the redacted copy, or %NULL
 */
char *
ember_redact (const char *text)
{
  const Patterns *patterns;
  char *result;

  if (text == NULL)
    return NULL;

  patterns = get_patterns ();

  result = replace_registered_secrets (text);
  result = replace (patterns->header, result, redact_key_value_cb);
  result = replace (patterns->token, result, redact_key_value_cb);
  result = replace (patterns->bearer, result, redact_bearer_cb);
  result = replace (patterns->known_formats, result, redact_all_cb);

  return result;
}

static int
compare_longest_first (gconstpointer a,
                       gconstpointer b)
{
  gsize len_a = strlen (*(const char * const *) a);
  gsize len_b = strlen (*(const char * const *) b);

  return len_a < len_b ? 1 : len_a > len_b ? -1 : 0;
}

/* Called with the mutex held. */
static void
add_secret_locked (const char *secret)
{
  guint count;

  if (secrets == NULL)
    {
      secrets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      secrets_by_length = g_ptr_array_new ();
    }

  count = GPOINTER_TO_UINT (g_hash_table_lookup (secrets, secret));
  if (count == 0)
    {
      char *copy = g_strdup (secret);

      g_hash_table_insert (secrets, copy, GUINT_TO_POINTER (1));
      g_ptr_array_add (secrets_by_length, copy);
      g_ptr_array_sort (secrets_by_length, compare_longest_first);
    }
  else
    g_hash_table_insert (secrets, g_strdup (secret), GUINT_TO_POINTER (count + 1));
}

/* Called with the mutex held. */
static void
remove_secret_locked (const char *secret)
{
  gpointer key;
  gpointer value;
  guint count;

  if (secrets == NULL || !g_hash_table_lookup_extended (secrets, secret, &key, &value))
    return;

  count = GPOINTER_TO_UINT (value);
  if (count > 1)
    {
      g_hash_table_insert (secrets, g_strdup (secret), GUINT_TO_POINTER (count - 1));
      return;
    }

  g_ptr_array_remove (secrets_by_length, key);
  g_hash_table_remove (secrets, secret);
}

/* A token may show up percent-encoded in a logged URL or form body. */
static char *
escaped_form (const char *secret)
{
  g_autofree char *escaped = g_uri_escape_string (secret, NULL, FALSE);

  return g_strcmp0 (escaped, secret) != 0 ? g_steal_pointer (&escaped) : NULL;
}

/**
 * ember_redact_register_secret:
 * @secret: an exact secret, such as a token just read from the keyring
 *
 * Makes ember_redact() remove @secret (and its percent-encoded form)
 * wherever it appears, until as many calls to
 * ember_redact_unregister_secret() have been made. Secrets shorter than 4
 * bytes are ignored. Thread-safe.
 */
void
ember_redact_register_secret (const char *secret)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (secret != NULL);

  if (strlen (secret) < MIN_SECRET_LENGTH)
    return;

  escaped = escaped_form (secret);

  g_mutex_lock (&secrets_mutex);
  add_secret_locked (secret);
  if (escaped != NULL)
    add_secret_locked (escaped);
  g_mutex_unlock (&secrets_mutex);
}

/**
 * ember_redact_unregister_secret:
 * @secret: a secret passed to ember_redact_register_secret()
 *
 * Undoes one ember_redact_register_secret() call. Thread-safe.
 */
void
ember_redact_unregister_secret (const char *secret)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (secret != NULL);

  if (strlen (secret) < MIN_SECRET_LENGTH)
    return;

  escaped = escaped_form (secret);

  g_mutex_lock (&secrets_mutex);
  remove_secret_locked (secret);
  if (escaped != NULL)
    remove_secret_locked (escaped);
  g_mutex_unlock (&secrets_mutex);
}
