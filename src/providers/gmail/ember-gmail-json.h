/* ember-gmail-json.h: Gmail API resources into store records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ember-store-types.h"

G_BEGIN_DECLS

/* System labels that Ember keeps as message flags, not folders. */
#define EMBER_GMAIL_LABEL_UNREAD  "UNREAD"
#define EMBER_GMAIL_LABEL_STARRED "STARRED"
#define EMBER_GMAIL_LABEL_INBOX   "INBOX"
#define EMBER_GMAIL_LABEL_SENT    "SENT"
#define EMBER_GMAIL_LABEL_DRAFT   "DRAFT"

/* Whether @label_id is kept as a flag (UNREAD, STARRED) rather than as a
 * folder. */
gboolean            ember_gmail_label_is_flag       (const char  *label_id);

/* A folder for a label resource ({"id", "name", "type"}): INBOX, SENT,
 * TRASH, DRAFT and SPAM become the inbox, sent, trash, drafts and junk
 * kinds with readable names; the CATEGORY_* tabs, IMPORTANT and CHAT are
 * kind "other" with readable names; user labels are kind "label" with
 * their own names. NULL for flag labels and for labels without an id. */
EmberFolderRecord  *ember_gmail_folder_from_label   (JsonObject  *label);

/* The metadata of a message resource (any format): id, thread, date
 * (internalDate), size, snippet, flags and folder ids. NULL without an
 * id. */
EmberMessageRecord *ember_gmail_message_metadata_from_json (JsonObject *message);

/* A message resource fetched with format=raw into a record: ids, thread,
 * date (internalDate), size (sizeEstimate), snippet (HTML references
 * decoded), unread and starred (from labelIds), folder ids (the other
 * labelIds), and everything ember_gmail_mime_fill_record () reads from the
 * raw message. Fails with EMBER_PROVIDER_ERROR_BAD_DATA when the resource
 * has no id or its raw content is missing or cannot be decoded. */
EmberMessageRecord *ember_gmail_message_from_json   (JsonObject  *message,
                                                     GError     **error);

/* Gmail sends int64 values (historyId, internalDate) as JSON strings;
 * accepts numbers too. Returns 0 when the member is missing or invalid. */
guint64             ember_gmail_json_get_uint64     (JsonObject  *object,
                                                     const char  *member);
/* The string member, or NULL when it is missing or not a string. */
const char         *ember_gmail_json_get_string     (JsonObject  *object,
                                                     const char  *member);

G_END_DECLS
