/* ember-message-view-private.h: for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-message-view.h"
#include "ember-html-view.h"

G_BEGIN_DECLS

/* The HTML view: NULL until a message with HTML has been shown. */
EmberHtmlView *_ember_message_view_get_html_view (EmberMessageView *self);
/* "html" or "text": which body is on screen. */
const char    *_ember_message_view_get_body_mode (EmberMessageView *self);

G_END_DECLS
