/* test-gmail-fixture.h: a store, an HTTP client and a Gmail provider wired
 * to an in-process fake Google server, plus comparisons of the store with
 * the server's dataset
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-auth-session.h"
#include "ember-fake-server.h"
#include "ember-gmail-provider.h"
#include "ember-memory-token-store.h"
#include "ember-store.h"

G_BEGIN_DECLS

#define GMAIL_TEST_EMAIL "alice@gmail.test"

typedef struct
{
  EmberFakeServerOptions  options;
  EmberFakeServer        *server;
  EmberStore             *store;
  EmberHttpClient        *client;
  EmberTokenStore        *tokens;
  EmberAuthSession       *session;
  EmberAccountRecord     *account;
  EmberApiEndpoint       *mail_endpoint;
  EmberApiEndpoint       *calendar_endpoint;
  char                   *data_dir;
} GmailFixture;

/* Starts a fake server with @options (NULL: defaults with no quota), opens
 * a store in a fresh directory, adds the account with the server as its
 * API base and gives it tokens. The mail endpoint's quota mirrors the
 * server's (units per window, through ember_gmail_endpoint_set_quota () as
 * the app does), or there is no client limiter when the server has none. */
/* Gmail's per-user quota (6,000 units per 60 s) sped up @speedup times:
 * the rate times @speedup over a window of 60 / @window_divisor seconds.
 * Also sets @n_messages and 10 events. */
void                gmail_fixture_options_with_quota (EmberFakeServerOptions *options,
                                                      guint                   n_messages,
                                                      guint                   speedup,
                                                      guint                   window_divisor);
/* @n, or a quarter of it (at least 100) in builds with AddressSanitizer,
 * where every allocation records a full stack and the big mailboxes would
 * take many minutes. */
guint               gmail_fixture_scale         (guint                         n);
/* Whether this is such a build. */
gboolean            gmail_fixture_is_sanitized  (void);

void                gmail_fixture_init          (GmailFixture                 *fixture,
                                                 const EmberFakeServerOptions *options);
void                gmail_fixture_clear         (GmailFixture                 *fixture);
/* A provider sharing the fixture's endpoints (as the app keeps them per
 * account). */
EmberGmailProvider *gmail_fixture_new_provider  (GmailFixture                 *fixture);
gboolean            gmail_fixture_sync_mail     (GmailFixture                 *fixture,
                                                 EmberSyncReport              *report,
                                                 GCancellable                 *cancellable,
                                                 GError                      **error);
gboolean            gmail_fixture_sync_calendar (GmailFixture                 *fixture,
                                                 EmberSyncReport              *report,
                                                 GCancellable                 *cancellable,
                                                 GError                      **error);

/* Asserts that the stored mail equals the server's: the same ids (no
 * duplicates, nothing missing or extra) and per message the subject,
 * sender, date, unread, starred and folders. */
void                gmail_fixture_assert_mail_matches   (GmailFixture *fixture);
/* Asserts that the stored events equal the server's event instances that
 * overlap [@window_min, @window_max): ids, summaries, instants or dates and
 * all-day flags. */
void                gmail_fixture_assert_events_match   (GmailFixture *fixture,
                                                         gint64        window_min,
                                                         gint64        window_max);

/* Every stored message of the account as listed (no bodies), newest first. */
GPtrArray          *gmail_fixture_list_stored_messages  (GmailFixture *fixture);
guint               gmail_fixture_count_stored_messages (GmailFixture *fixture);
/* Request log helpers: calls (batch parts included) whose path is exactly
 * @path, or starts with @path_prefix, optionally with a query containing
 * @query_part. */
guint               gmail_fixture_count_calls           (GmailFixture *fixture,
                                                         const char   *path,
                                                         const char   *path_prefix,
                                                         const char   *query_part);
/* Log entries (outer requests and batch parts) answered with @status. */
guint               gmail_fixture_count_status          (GmailFixture *fixture,
                                                         guint         status);
/* Quota units the server charged. */
guint64             gmail_fixture_sum_cost              (GmailFixture *fixture);

G_END_DECLS
