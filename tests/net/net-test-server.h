/* net-test-server.h: a scripted HTTP server on 127.0.0.1 in its own thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _NetTestServer NetTestServer;

/* Special bodies. */
#define NET_TEST_RESET "\x01reset"   /* close the connection without a reply */
#define NET_TEST_STALL "\x01stall"   /* never answer (until the server stops) */

NetTestServer *net_test_server_new              (void);
void           net_test_server_free             (NetTestServer *self);
/* "http://127.0.0.1:PORT" */
const char    *net_test_server_get_base         (NetTestServer *self);
/* Queues one reply for requests to @path (without query). @headers:
 * "Name: value" lines separated by "\n", or NULL. Unscripted requests get
 * 404 with a Google-style error body. */
void           net_test_server_push             (NetTestServer *self,
                                                 const char    *path,
                                                 guint          status,
                                                 const char    *headers,
                                                 const char    *body);
/* The same reply for every request to @path once the queue is empty. */
void           net_test_server_set_fallback     (NetTestServer *self,
                                                 const char    *path,
                                                 guint          status,
                                                 const char    *headers,
                                                 const char    *body);
/* How many client connections requests came on so far. */
guint          net_test_server_get_connections  (NetTestServer *self);
guint          net_test_server_get_hits         (NetTestServer *self,
                                                 const char    *path);
/* Headers and body of the last request to @path (transfer full). */
char          *net_test_server_dup_last_header  (NetTestServer *self,
                                                 const char    *path,
                                                 const char    *name);
char          *net_test_server_dup_last_body    (NetTestServer *self,
                                                 const char    *path);
char          *net_test_server_dup_last_query   (NetTestServer *self,
                                                 const char    *path);

G_END_DECLS
