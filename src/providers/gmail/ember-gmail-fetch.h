/* ember-gmail-fetch.h: messages.get (format=raw) for a list of ids
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-api-endpoint.h"
#include "ember-http-client.h"
#include "ember-store-types.h"

G_BEGIN_DECLS

/* Fetches @n_ids (at most EMBER_GMAIL_BATCH_MAX) messages with format=raw
 * as one batch request, priced as @n_ids messages.get calls by @endpoint's
 * rate limiter, and parses them. Returns the records in the order of @ids
 * (element-type EmberMessageRecord); messages the server no longer has
 * (404) are left out, a message whose content cannot be read is kept with
 * what its metadata says. Calls that fail transiently are retried with the
 * client's backoff; anything else fails the whole fetch. */
GPtrArray *ember_gmail_fetch_messages_sync (EmberHttpClient     *client,
                                            EmberApiEndpoint    *endpoint,
                                            const char * const  *ids,
                                            guint                n_ids,
                                            GCancellable        *cancellable,
                                            GError             **error);

/* The same on a thread of its own, so the caller can store one batch while
 * the next is on its way (keeping the rate limiter's bucket from filling up
 * and wasting quota during the commit). Every started fetch must be
 * finished; finishing joins the thread. Cancelling @cancellable cancels
 * the fetch; ember_gmail_fetch_abort () cancels only the fetch. */
typedef struct _EmberGmailFetch EmberGmailFetch;

EmberGmailFetch *ember_gmail_fetch_start  (EmberHttpClient     *client,
                                           EmberApiEndpoint    *endpoint,
                                           const char * const  *ids,
                                           guint                n_ids,
                                           GCancellable        *cancellable);
GPtrArray       *ember_gmail_fetch_finish (EmberGmailFetch     *fetch,
                                           GError             **error);
/* Cancels and finishes, dropping the result. NULL is ignored. */
void             ember_gmail_fetch_abort  (EmberGmailFetch     *fetch);

G_END_DECLS
