/* ember-redirect-listener.h: the loopback listener the browser is sent back
 * to after sign-in (RFC 8252 §7.3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-clock.h"

G_BEGIN_DECLS

/* Requests with a bigger body are refused before it is read. */
#define EMBER_REDIRECT_MAX_BODY_SIZE (16 * 1024)

#define EMBER_TYPE_REDIRECT_LISTENER (ember_redirect_listener_get_type ())
G_DECLARE_FINAL_TYPE (EmberRedirectListener, ember_redirect_listener, EMBER, REDIRECT_LISTENER, GObject)

/* Accepts exactly one answer carrying @expected_state. */
EmberRedirectListener *ember_redirect_listener_new           (const char            *expected_state);
/* Listens on 127.0.0.1 on a port the system picks, in a thread of its own. */
gboolean               ember_redirect_listener_start         (EmberRedirectListener *self,
                                                              GError               **error);
/* "http://127.0.0.1:PORT/" once started. */
const char            *ember_redirect_listener_get_redirect_uri (EmberRedirectListener *self);
guint                  ember_redirect_listener_get_port      (EmberRedirectListener *self);
/* Blocks until the browser comes back, @timeout_usec passes on @clock
 * (EMBER_AUTH_ERROR_TIMED_OUT) or @cancellable fires. Returns the
 * authorization code; an answer with the right state but an error or no
 * code fails with EMBER_AUTH_ERROR_ACCESS_DENIED, _NO_CODE or _FAILED.
 * Answers with a wrong or no state are refused with a page and ignored
 * (they cannot end the sign-in), as are other bad requests. */
char                  *ember_redirect_listener_wait_sync     (EmberRedirectListener *self,
                                                              EmberClock            *clock,
                                                              gint64                 timeout_usec,
                                                              GCancellable          *cancellable,
                                                              GError               **error);
/* Stops listening (also done on finalize). */
void                   ember_redirect_listener_stop          (EmberRedirectListener *self);
/* Requests answered with an error page. */
guint                  ember_redirect_listener_get_n_refused (EmberRedirectListener *self);

G_END_DECLS
