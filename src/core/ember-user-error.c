/* ember-user-error.c: what a person is shown when something fails
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ember-error.h"
#include "ember-redact.h"
#include "ember-user-error.h"

G_DEFINE_BOXED_TYPE (EmberUserError, ember_user_error, ember_user_error_copy, ember_user_error_free)

/* Every GError code maps to one of these; several codes that read the same
 * to a person share one. */
typedef enum
{
  KIND_UNKNOWN,
  KIND_CANCELLED,
  KIND_NETWORK,
  KIND_HOST_NOT_FOUND,
  KIND_TIMEOUT,
  KIND_RATE_LIMITED,
  KIND_SERVER,
  KIND_REQUEST_REFUSED,
  KIND_REQUEST_FAILED,
  KIND_BAD_RESPONSE,
  KIND_INSECURE,
  KIND_GAVE_UP,
  KIND_TLS,
  KIND_BAD_CERTIFICATE,
  KIND_REDIRECTS,
  KIND_PROXY,
  KIND_DISK_FULL,
  KIND_DB_OPEN,
  KIND_DB_CORRUPT,
  KIND_READ_ONLY,
  KIND_BUSY,
  KIND_SHUTTING_DOWN,
  KIND_SCHEMA_TOO_NEW,
  KIND_MIGRATION,
  KIND_DB_FAILED,
  KIND_ITEM_NOT_FOUND,
  KIND_NEEDS_SIGN_IN,
  KIND_ACCESS_DENIED,
  KIND_SIGN_IN_INCOMPLETE,
  KIND_SIGN_IN_TIMED_OUT,
  KIND_NO_KEYRING,
  KIND_AUTH_CONFIG,
  KIND_AUTH_FAILED,
  KIND_CURSOR_EXPIRED,
  KIND_BAD_DATA,
  KIND_FORBIDDEN,
  KIND_PROVIDER_FAILED,
  KIND_SYNC_RUNNING,
  KIND_NO_SUCH_ACCOUNT,
  KIND_OFFLINE,
  KIND_SYNC_FAILED,
  KIND_PERMISSION,
  KIND_FILE_MISSING,
  N_KINDS
} Kind;

typedef struct
{
  const char *message;
  gboolean    retryable;
  gboolean    needs_sign_in;
} KindInfo;

/* retryable: whether pressing "Retry" (now or after the person fixed
 * something outside Ember, like freeing disk space) can succeed. Transient
 * network trouble, timeouts, 5xx, rate limits, a busy database and a full
 * disk are; a refused request, damaged data or missing configuration are
 * not. */
static const KindInfo kinds[N_KINDS] = {
  [KIND_UNKNOWN] = { N_("Something went wrong."), FALSE, FALSE },
  [KIND_CANCELLED] = { N_("The operation was cancelled."), TRUE, FALSE },
  [KIND_NETWORK] = { N_("Could not connect to the server. Check your internet connection."), TRUE, FALSE },
  [KIND_HOST_NOT_FOUND] = { N_("Could not find the server. Check your internet connection."), TRUE, FALSE },
  [KIND_TIMEOUT] = { N_("The server took too long to respond."), TRUE, FALSE },
  [KIND_RATE_LIMITED] = { N_("The server is receiving too many requests. Ember will try again shortly."), TRUE, FALSE },
  [KIND_SERVER] = { N_("The server had a problem. Try again later."), TRUE, FALSE },
  [KIND_REQUEST_REFUSED] = { N_("The server refused the request."), FALSE, FALSE },
  [KIND_REQUEST_FAILED] = { N_("The request to the server failed."), TRUE, FALSE },
  [KIND_BAD_RESPONSE] = { N_("The server sent a reply that could not be read."), TRUE, FALSE },
  [KIND_INSECURE] = { N_("Refusing to send account data over an unencrypted connection."), FALSE, FALSE },
  [KIND_GAVE_UP] = { N_("The server still did not respond after several attempts. Try again later."), TRUE, FALSE },
  [KIND_TLS] = { N_("A secure connection to the server could not be established."), TRUE, FALSE },
  [KIND_BAD_CERTIFICATE] = { N_("The server’s security certificate is not trusted."), FALSE, FALSE },
  [KIND_REDIRECTS] = { N_("The server redirected the request too many times."), FALSE, FALSE },
  [KIND_PROXY] = { N_("Could not connect through the network proxy."), TRUE, FALSE },
  [KIND_DISK_FULL] = { N_("The disk is full. Free up some space and try again."), TRUE, FALSE },
  [KIND_DB_OPEN] = { N_("Could not open the local mail and calendar database."), FALSE, FALSE },
  [KIND_DB_CORRUPT] = { N_("The local mail and calendar database is damaged."), FALSE, FALSE },
  [KIND_READ_ONLY] = { N_("Ember cannot write to its data folder."), FALSE, FALSE },
  [KIND_BUSY] = { N_("Ember is busy. Try again in a moment."), TRUE, FALSE },
  [KIND_SHUTTING_DOWN] = { N_("Ember is shutting down."), FALSE, FALSE },
  [KIND_SCHEMA_TOO_NEW] = { N_("The local database was created by a newer version of Ember."), FALSE, FALSE },
  [KIND_MIGRATION] = { N_("Could not upgrade the local database."), FALSE, FALSE },
  [KIND_DB_FAILED] = { N_("The local database reported an error."), FALSE, FALSE },
  [KIND_ITEM_NOT_FOUND] = { N_("The item could not be found."), FALSE, FALSE },
  [KIND_NEEDS_SIGN_IN] = { N_("Sign in again to keep this account in sync."), FALSE, TRUE },
  [KIND_ACCESS_DENIED] = { N_("Access to the account was not granted."), FALSE, FALSE },
  [KIND_SIGN_IN_INCOMPLETE] = { N_("Signing in did not complete. Try signing in again."), TRUE, FALSE },
  [KIND_SIGN_IN_TIMED_OUT] = { N_("Signing in took too long. Try signing in again."), TRUE, FALSE },
  [KIND_NO_KEYRING] = { N_("No keyring is available to store the account’s sign-in."), FALSE, FALSE },
  [KIND_AUTH_CONFIG] = { N_("Signing in is not configured for this provider."), FALSE, FALSE },
  [KIND_AUTH_FAILED] = { N_("Signing in failed."), TRUE, FALSE },
  [KIND_CURSOR_EXPIRED] = { N_("The account needs a full sync."), TRUE, FALSE },
  [KIND_BAD_DATA] = { N_("The server sent data that could not be used."), FALSE, FALSE },
  [KIND_FORBIDDEN] = { N_("The account does not allow access to this data."), FALSE, FALSE },
  [KIND_PROVIDER_FAILED] = { N_("The mail or calendar service reported an error."), TRUE, FALSE },
  [KIND_SYNC_RUNNING] = { N_("A sync is already running for this account."), FALSE, FALSE },
  [KIND_NO_SUCH_ACCOUNT] = { N_("The account does not exist."), FALSE, FALSE },
  [KIND_OFFLINE] = { N_("You are offline. Ember will sync when the connection is back."), TRUE, FALSE },
  [KIND_SYNC_FAILED] = { N_("Syncing failed."), TRUE, FALSE },
  [KIND_PERMISSION] = { N_("Ember is not allowed to access a file it needs."), FALSE, FALSE },
  [KIND_FILE_MISSING] = { N_("A file Ember needs is missing."), FALSE, FALSE },
};

typedef struct
{
  int  code;
  Kind kind;
} CodeKind;

/* Tables rather than switches for foreign enums: they gain codes with new
 * library versions, and a code not listed falls back per domain. */
static const CodeKind io_error_kinds[] = {
  { G_IO_ERROR_CANCELLED, KIND_CANCELLED },
  { G_IO_ERROR_NO_SPACE, KIND_DISK_FULL },
  { G_IO_ERROR_TIMED_OUT, KIND_TIMEOUT },
  { G_IO_ERROR_HOST_NOT_FOUND, KIND_HOST_NOT_FOUND },
  { G_IO_ERROR_HOST_UNREACHABLE, KIND_NETWORK },
  { G_IO_ERROR_NETWORK_UNREACHABLE, KIND_NETWORK },
  { G_IO_ERROR_CONNECTION_REFUSED, KIND_NETWORK },
  { G_IO_ERROR_CONNECTION_CLOSED, KIND_NETWORK },
  { G_IO_ERROR_NOT_CONNECTED, KIND_NETWORK },
  { G_IO_ERROR_PROXY_FAILED, KIND_PROXY },
  { G_IO_ERROR_PROXY_AUTH_FAILED, KIND_PROXY },
  { G_IO_ERROR_PROXY_NEED_AUTH, KIND_PROXY },
  { G_IO_ERROR_PROXY_NOT_ALLOWED, KIND_PROXY },
  { G_IO_ERROR_PARTIAL_INPUT, KIND_BAD_RESPONSE },
  { G_IO_ERROR_INVALID_DATA, KIND_BAD_RESPONSE },
  { G_IO_ERROR_PERMISSION_DENIED, KIND_PERMISSION },
  { G_IO_ERROR_READ_ONLY, KIND_READ_ONLY },
  { G_IO_ERROR_NOT_FOUND, KIND_FILE_MISSING },
  { G_IO_ERROR_BUSY, KIND_BUSY },
  { G_IO_ERROR_WOULD_BLOCK, KIND_BUSY },
  { G_IO_ERROR_CLOSED, KIND_SHUTTING_DOWN },
};

static const CodeKind file_error_kinds[] = {
  { G_FILE_ERROR_NOSPC, KIND_DISK_FULL },
  { G_FILE_ERROR_ACCES, KIND_PERMISSION },
  { G_FILE_ERROR_PERM, KIND_PERMISSION },
  { G_FILE_ERROR_ROFS, KIND_READ_ONLY },
  { G_FILE_ERROR_NOENT, KIND_FILE_MISSING },
};

static const CodeKind tls_error_kinds[] = {
  { G_TLS_ERROR_BAD_CERTIFICATE, KIND_BAD_CERTIFICATE },
  { G_TLS_ERROR_CERTIFICATE_REQUIRED, KIND_BAD_CERTIFICATE },
  { G_TLS_ERROR_UNAVAILABLE, KIND_TLS },
  { G_TLS_ERROR_MISC, KIND_TLS },
  { G_TLS_ERROR_NOT_TLS, KIND_TLS },
  { G_TLS_ERROR_HANDSHAKE, KIND_TLS },
  { G_TLS_ERROR_EOF, KIND_TLS },
  { G_TLS_ERROR_INAPPROPRIATE_FALLBACK, KIND_TLS },
};

static const CodeKind soup_session_error_kinds[] = {
  { SOUP_SESSION_ERROR_PARSING, KIND_BAD_RESPONSE },
  { SOUP_SESSION_ERROR_ENCODING, KIND_BAD_RESPONSE },
  { SOUP_SESSION_ERROR_TOO_MANY_REDIRECTS, KIND_REDIRECTS },
  { SOUP_SESSION_ERROR_TOO_MANY_RESTARTS, KIND_REDIRECTS },
  { SOUP_SESSION_ERROR_REDIRECT_NO_LOCATION, KIND_BAD_RESPONSE },
  { SOUP_SESSION_ERROR_REDIRECT_BAD_URI, KIND_BAD_RESPONSE },
};

static Kind
lookup_kind (const CodeKind *table,
             gsize           n_entries,
             int             code,
             Kind            fallback)
{
  for (gsize i = 0; i < n_entries; i++)
    if (table[i].code == code)
      return table[i].kind;

  return fallback;
}

static Kind
store_error_kind (EmberStoreError code)
{
  switch (code)
    {
    case EMBER_STORE_ERROR_OPEN:           return KIND_DB_OPEN;
    case EMBER_STORE_ERROR_CORRUPT:        return KIND_DB_CORRUPT;
    case EMBER_STORE_ERROR_READ_ONLY:      return KIND_READ_ONLY;
    case EMBER_STORE_ERROR_DISK_FULL:      return KIND_DISK_FULL;
    case EMBER_STORE_ERROR_POOL_TIMEOUT:   return KIND_BUSY;
    case EMBER_STORE_ERROR_BUSY:           return KIND_BUSY;
    case EMBER_STORE_ERROR_POOL_CLOSED:    return KIND_SHUTTING_DOWN;
    case EMBER_STORE_ERROR_SCHEMA_TOO_NEW: return KIND_SCHEMA_TOO_NEW;
    case EMBER_STORE_ERROR_MIGRATION:      return KIND_MIGRATION;
    case EMBER_STORE_ERROR_NOT_FOUND:      return KIND_ITEM_NOT_FOUND;
    case EMBER_STORE_ERROR_FAILED:         return KIND_DB_FAILED;
    default:                               return KIND_DB_FAILED;
    }
}

static Kind
http_error_kind (EmberHttpError code)
{
  switch (code)
    {
    case EMBER_HTTP_ERROR_NETWORK:      return KIND_NETWORK;
    case EMBER_HTTP_ERROR_TIMEOUT:      return KIND_TIMEOUT;
    case EMBER_HTTP_ERROR_RATE_LIMITED: return KIND_RATE_LIMITED;
    case EMBER_HTTP_ERROR_SERVER:       return KIND_SERVER;
    case EMBER_HTTP_ERROR_CLIENT:       return KIND_REQUEST_REFUSED;
    case EMBER_HTTP_ERROR_BAD_RESPONSE: return KIND_BAD_RESPONSE;
    case EMBER_HTTP_ERROR_INSECURE:     return KIND_INSECURE;
    case EMBER_HTTP_ERROR_GAVE_UP:      return KIND_GAVE_UP;
    case EMBER_HTTP_ERROR_FAILED:       return KIND_REQUEST_FAILED;
    default:                            return KIND_REQUEST_FAILED;
    }
}

static Kind
auth_error_kind (EmberAuthError code)
{
  switch (code)
    {
    case EMBER_AUTH_ERROR_NEEDS_SIGN_IN:  return KIND_NEEDS_SIGN_IN;
    case EMBER_AUTH_ERROR_NO_TOKEN:       return KIND_NEEDS_SIGN_IN;
    case EMBER_AUTH_ERROR_ACCESS_DENIED:  return KIND_ACCESS_DENIED;
    case EMBER_AUTH_ERROR_STATE_MISMATCH: return KIND_SIGN_IN_INCOMPLETE;
    case EMBER_AUTH_ERROR_NO_CODE:        return KIND_SIGN_IN_INCOMPLETE;
    case EMBER_AUTH_ERROR_TIMED_OUT:      return KIND_SIGN_IN_TIMED_OUT;
    case EMBER_AUTH_ERROR_NO_KEYRING:     return KIND_NO_KEYRING;
    case EMBER_AUTH_ERROR_CONFIG:         return KIND_AUTH_CONFIG;
    case EMBER_AUTH_ERROR_FAILED:         return KIND_AUTH_FAILED;
    default:                              return KIND_AUTH_FAILED;
    }
}

static Kind
provider_error_kind (EmberProviderError code)
{
  switch (code)
    {
    case EMBER_PROVIDER_ERROR_CURSOR_EXPIRED: return KIND_CURSOR_EXPIRED;
    case EMBER_PROVIDER_ERROR_BAD_DATA:       return KIND_BAD_DATA;
    case EMBER_PROVIDER_ERROR_NOT_FOUND:      return KIND_ITEM_NOT_FOUND;
    case EMBER_PROVIDER_ERROR_FORBIDDEN:      return KIND_FORBIDDEN;
    case EMBER_PROVIDER_ERROR_FAILED:         return KIND_PROVIDER_FAILED;
    default:                                  return KIND_PROVIDER_FAILED;
    }
}

static Kind
sync_error_kind (EmberSyncError code)
{
  switch (code)
    {
    case EMBER_SYNC_ERROR_ALREADY_RUNNING: return KIND_SYNC_RUNNING;
    case EMBER_SYNC_ERROR_NO_SUCH_ACCOUNT: return KIND_NO_SUCH_ACCOUNT;
    case EMBER_SYNC_ERROR_OFFLINE:         return KIND_OFFLINE;
    case EMBER_SYNC_ERROR_SHUTTING_DOWN:   return KIND_SHUTTING_DOWN;
    case EMBER_SYNC_ERROR_FAILED:          return KIND_SYNC_FAILED;
    default:                               return KIND_SYNC_FAILED;
    }
}

static Kind
error_kind (const GError *error)
{
  if (error->domain == EMBER_STORE_ERROR)
    return store_error_kind (error->code);
  if (error->domain == EMBER_HTTP_ERROR)
    return http_error_kind (error->code);
  if (error->domain == EMBER_AUTH_ERROR)
    return auth_error_kind (error->code);
  if (error->domain == EMBER_PROVIDER_ERROR)
    return provider_error_kind (error->code);
  if (error->domain == EMBER_SYNC_ERROR)
    return sync_error_kind (error->code);
  if (error->domain == G_IO_ERROR)
    return lookup_kind (io_error_kinds, G_N_ELEMENTS (io_error_kinds), error->code, KIND_UNKNOWN);
  if (error->domain == G_FILE_ERROR)
    return lookup_kind (file_error_kinds, G_N_ELEMENTS (file_error_kinds), error->code, KIND_UNKNOWN);
  if (error->domain == G_RESOLVER_ERROR)
    return KIND_HOST_NOT_FOUND;
  if (error->domain == G_TLS_ERROR)
    return lookup_kind (tls_error_kinds, G_N_ELEMENTS (tls_error_kinds), error->code, KIND_TLS);
  if (error->domain == SOUP_SESSION_ERROR)
    return lookup_kind (soup_session_error_kinds, G_N_ELEMENTS (soup_session_error_kinds),
                        error->code, KIND_REQUEST_FAILED);
  if (error->domain == SOUP_TLD_ERROR)
    return KIND_REQUEST_REFUSED;
  if (error->domain == SOUP_WEBSOCKET_ERROR)
    return KIND_REQUEST_FAILED;
  if (error->domain == JSON_PARSER_ERROR)
    return KIND_BAD_RESPONSE;

  return KIND_UNKNOWN;
}

/**
 * ember_user_error_new:
 * @message: one translated sentence for people
 * @details: (nullable): technical detail; it is redacted here
 * @retryable: whether retrying can help
 *
 * Returns: (transfer full): a new user error with needs_sign_in %FALSE
 */
EmberUserError *
ember_user_error_new (const char *message,
                      const char *details,
                      gboolean    retryable)
{
  EmberUserError *self;

  g_return_val_if_fail (message != NULL, NULL);

  self = g_new0 (EmberUserError, 1);
  self->message = g_strdup (message);
  self->details = ember_redact (details);
  self->retryable = !!retryable;

  return self;
}

/**
 * ember_user_error_new_from_error:
 * @error: any error from any layer, GIO, GLib, libsoup or json-glib
 *
 * The one mapping from a #GError to what the UI and the command line show:
 * a translated sentence, whether retrying can help, whether the account
 * must sign in again, and the redacted error text with its domain and code
 * as details.
 *
 * Returns: (transfer full): a new user error, never %NULL
 */
EmberUserError *
ember_user_error_new_from_error (const GError *error)
{
  g_autofree char *details = NULL;
  const KindInfo *info;
  EmberUserError *self;

  g_return_val_if_fail (error != NULL,
                        ember_user_error_new (_(kinds[KIND_UNKNOWN].message), NULL, FALSE));

  info = &kinds[error_kind (error)];
  details = g_strdup_printf ("%s (%s %d)",
                             error->message != NULL ? error->message : "",
                             g_quark_to_string (error->domain),
                             error->code);

  self = ember_user_error_new (_(info->message), details, info->retryable);
  self->needs_sign_in = info->needs_sign_in;

  return self;
}

/**
 * ember_user_error_copy:
 * @self: a user error
 *
 * Returns: (transfer full): a copy of @self
 */
EmberUserError *
ember_user_error_copy (const EmberUserError *self)
{
  EmberUserError *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (EmberUserError, 1);
  copy->message = g_strdup (self->message);
  copy->details = g_strdup (self->details);
  copy->retryable = self->retryable;
  copy->needs_sign_in = self->needs_sign_in;

  return copy;
}

/**
 * ember_user_error_free:
 * @self: (nullable): a user error
 */
void
ember_user_error_free (EmberUserError *self)
{
  if (self == NULL)
    return;

  g_free (self->message);
  g_free (self->details);
  g_free (self);
}
