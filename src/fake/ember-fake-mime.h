/* ember-fake-mime.h: RFC 5322 / MIME rendering of the fake messages
 *
 * An implementation of its own (nothing from Ember's parsers), so that the
 * contract between them is tested rather than assumed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ember-fake-dataset.h"

G_BEGIN_DECLS

/* Fills the message's render caches (size_estimate, payload_json,
 * top_headers, snippet, preview, graph_body_json); cheap when done. */
void                 ember_fake_message_render          (EmberFakeMessage *message);
/* Only what needs no MIME: snippet, preview, graph_body_json. */
void                 ember_fake_message_render_text     (EmberFakeMessage *message);
const char          *ember_fake_message_raw_base64url   (EmberFakeMessage *message);
/* The whole RFC 5322 message, rebuilt on each call. */
GBytes              *ember_fake_message_dup_raw         (EmberFakeMessage *message);
EmberFakeAttachment *ember_fake_message_find_attachment (EmberFakeMessage *message,
                                                         const char       *attachment_id);
/* The attachment's bytes, generated from its seed. */
GBytes              *ember_fake_attachment_data         (EmberFakeAttachment *attachment);

G_END_DECLS
