/* ember-message-view-private.h: for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-message-view.h"
#include "ember-reader-web-view.h"

G_BEGIN_DECLS

/* The HTML view, created on first use. */
EmberReaderWebView *_ember_message_view_ensure_web_view (EmberMessageView *self);
/* "html" or "text": which body is on screen. */
const char         *_ember_message_view_get_body_mode   (EmberMessageView *self);

G_END_DECLS
