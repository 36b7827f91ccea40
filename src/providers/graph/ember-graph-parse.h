/* ember-graph-parse.h: Microsoft Graph JSON to store records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure functions over parsed JSON: no HTTP, no store. Every failure is
 * EMBER_PROVIDER_ERROR_BAD_DATA with a message that names what was wrong
 * (never a token: nothing here sees one).
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ember-store-types.h"

G_BEGIN_DECLS

/* One response of a delta round (or of any paged Graph collection). */
typedef struct
{
  GPtrArray *items;        /* (element-type JsonObject) entries without @removed */
  GPtrArray *removed_ids;  /* (element-type utf8) ids of @removed entries */
  char      *next_link;    /* @odata.nextLink: more pages in this round */
  char      *delta_link;   /* @odata.deltaLink: the round is complete */
} EmberGraphPage;

/* Reads {"value": [...], "@odata.nextLink" | "@odata.deltaLink"}. A page
 * with neither link ends a plain (non-delta) collection. */
EmberGraphPage     *ember_graph_page_parse          (JsonNode       *root,
                                                     GError        **error);
/* The same from a response body (truncated or malformed JSON is
 * EMBER_PROVIDER_ERROR_BAD_DATA). */
EmberGraphPage     *ember_graph_page_parse_bytes    (GBytes         *body,
                                                     GError        **error);
void                ember_graph_page_free           (EmberGraphPage *page);

/* Whether an error response says the delta token (or a nextLink of an
 * interrupted round) is no longer valid: HTTP 410, or an error code
 * "syncStateNotFound", "resyncRequired" or "syncStateInvalid" at any
 * innerError depth, compared case-insensitively. @body may be NULL. */
gboolean            ember_graph_error_is_resync     (guint           status,
                                                     const char     *error_code,
                                                     GBytes         *body);

/* The folder kind for a Graph well-known folder name ("inbox", "sentitems",
 * "archive", "deleteditems", "drafts", "junkemail"); others give
 * EMBER_FOLDER_KIND_OTHER. */
EmberFolderKind     ember_graph_folder_kind_for_well_known (const char *well_known_name);

/* A mailFolder. @parent_provider_id (nullable) overrides parentFolderId:
 * top-level folders hang below the hidden msgfolderroot, which Ember does
 * not store, so the caller passes NULL for them. The kind comes from
 * "wellKnownName" when the server sends it, else it is OTHER (the caller
 * knows the well-known folders' ids). */
EmberFolderRecord  *ember_graph_parse_mail_folder   (JsonObject     *object,
                                                     GError        **error);

/* The $select list for messages/delta: what the store keeps. */
#define EMBER_GRAPH_MESSAGE_SELECT \
  "id,conversationId,internetMessageId,subject,from,toRecipients," \
  "ccRecipients,receivedDateTime,bodyPreview,isRead,flag,hasAttachments,body"

/* Whether @object carries the whole $select set (a created message, or an
 * update as Graph usually sends it) or only some changed properties. */
gboolean            ember_graph_message_is_complete (JsonObject     *object);
/* Overlays the properties present in @object on @record (a new record, or
 * the stored one for a partial update); the message is then in exactly
 * @folder_provider_id. */
gboolean            ember_graph_apply_message       (EmberMessageRecord *record,
                                                     JsonObject     *object,
                                                     const char     *folder_provider_id,
                                                     GError        **error);
EmberMessageRecord *ember_graph_parse_message       (JsonObject     *object,
                                                     const char     *folder_provider_id,
                                                     GError        **error);

/* An event from calendarView/delta. start/end are converted to UTC from
 * whatever zone the server used (IANA or Windows names); all-day events
 * keep their dates as sent (floating). time_zone is the event's own zone
 * (originalStartTimeZone, else start.timeZone). Occurrences and
 * exceptions get recurring_event_id = seriesMasterId and original_start.
 * status is "cancelled" for isCancelled, "tentative" for showAs tentative,
 * else "confirmed". */
EmberEventRecord   *ember_graph_parse_event         (JsonObject     *object,
                                                     GError        **error);
/* "seriesMaster" entries describe a series, not something on the agenda;
 * calendarView returns its occurrences instead. */
gboolean            ember_graph_event_is_series_master (JsonObject  *object);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EmberGraphPage, ember_graph_page_free)

G_END_DECLS
