/* ember-error.h: error domains for every layer below the front ends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define EMBER_STORE_ERROR    (ember_store_error_quark ())
#define EMBER_HTTP_ERROR     (ember_http_error_quark ())
#define EMBER_AUTH_ERROR     (ember_auth_error_quark ())
#define EMBER_PROVIDER_ERROR (ember_provider_error_quark ())
#define EMBER_SYNC_ERROR     (ember_sync_error_quark ())

typedef enum
{
  EMBER_STORE_ERROR_FAILED,
  EMBER_STORE_ERROR_OPEN,           /* cannot open or create the file */
  EMBER_STORE_ERROR_CORRUPT,        /* not an SQLite file, or damaged */
  EMBER_STORE_ERROR_READ_ONLY,      /* the data directory cannot be written */
  EMBER_STORE_ERROR_DISK_FULL,
  EMBER_STORE_ERROR_POOL_TIMEOUT,   /* no connection free within the acquire timeout */
  EMBER_STORE_ERROR_POOL_CLOSED,
  EMBER_STORE_ERROR_SCHEMA_TOO_NEW, /* written by a newer Ember */
  EMBER_STORE_ERROR_MIGRATION,
  EMBER_STORE_ERROR_NOT_FOUND,
  EMBER_STORE_ERROR_BUSY,
} EmberStoreError;

typedef enum
{
  EMBER_HTTP_ERROR_FAILED,
  EMBER_HTTP_ERROR_NETWORK,         /* refused, reset or dropped connection */
  EMBER_HTTP_ERROR_TIMEOUT,
  EMBER_HTTP_ERROR_RATE_LIMITED,    /* 429, or 403 with a rate-limit reason */
  EMBER_HTTP_ERROR_SERVER,          /* 5xx */
  EMBER_HTTP_ERROR_CLIENT,          /* other 4xx */
  EMBER_HTTP_ERROR_BAD_RESPONSE,    /* truncated or malformed body */
  EMBER_HTTP_ERROR_INSECURE,        /* plain http:// to a non-loopback host */
  EMBER_HTTP_ERROR_GAVE_UP,         /* retries exhausted by the backoff policy */
} EmberHttpError;

typedef enum
{
  EMBER_AUTH_ERROR_FAILED,
  EMBER_AUTH_ERROR_NEEDS_SIGN_IN,   /* invalid_grant: refresh token revoked or expired */
  EMBER_AUTH_ERROR_ACCESS_DENIED,   /* the person declined in the browser */
  EMBER_AUTH_ERROR_STATE_MISMATCH,
  EMBER_AUTH_ERROR_NO_CODE,
  EMBER_AUTH_ERROR_TIMED_OUT,
  EMBER_AUTH_ERROR_NO_KEYRING,      /* no Secret Service on the session bus */
  EMBER_AUTH_ERROR_NO_TOKEN,
  EMBER_AUTH_ERROR_CONFIG,          /* no client id configured */
} EmberAuthError;

typedef enum
{
  EMBER_PROVIDER_ERROR_FAILED,
  EMBER_PROVIDER_ERROR_CURSOR_EXPIRED, /* history 404, syncToken 410, deltaLink 410 */
  EMBER_PROVIDER_ERROR_BAD_DATA,       /* a well-formed reply with unusable content */
  EMBER_PROVIDER_ERROR_NOT_FOUND,
  EMBER_PROVIDER_ERROR_FORBIDDEN,
} EmberProviderError;

typedef enum
{
  EMBER_SYNC_ERROR_FAILED,
  EMBER_SYNC_ERROR_ALREADY_RUNNING,
  EMBER_SYNC_ERROR_NO_SUCH_ACCOUNT,
  EMBER_SYNC_ERROR_OFFLINE,
  EMBER_SYNC_ERROR_SHUTTING_DOWN,
} EmberSyncError;

GQuark ember_store_error_quark    (void);
GQuark ember_http_error_quark     (void);
GQuark ember_auth_error_quark     (void);
GQuark ember_provider_error_quark (void);
GQuark ember_sync_error_quark     (void);

G_END_DECLS
