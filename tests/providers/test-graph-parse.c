/* test-graph-parse.c: Graph JSON to store records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ember-error.h"
#include "ember-graph-parse.h"
#include "ember-html-text.h"

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonNode) node = parse_json (text);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static gint64
utc (int year, int month, int day, int hour, int minute, int second)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (year, month, day, hour, minute, second);

  return g_date_time_to_unix (dt);
}

static void
test_page (void)
{
  g_autoptr(JsonNode) root = parse_json (
    "{\"@odata.context\":\"x\",\"value\":["
    "{\"id\":\"m1\",\"subject\":\"Hello\"},"
    "{\"id\":\"m2\",\"@removed\":{\"reason\":\"deleted\"}},"
    "{\"id\":\"m3\",\"@removed\":{\"reason\":\"changed\"}},"
    "{\"id\":\"m1\",\"subject\":\"Hello again\"}],"
    "\"@odata.nextLink\":\"https://graph.example/v1.0/me/mailFolders/f/messages/delta?$skiptoken=abc\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberGraphPage) page = ember_graph_page_parse (root, &error);

  g_assert_no_error (error);
  g_assert_nonnull (page);
  g_assert_cmpuint (page->items->len, ==, 2);
  g_assert_cmpuint (page->removed_ids->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (page->removed_ids, 0), ==, "m2");
  g_assert_cmpstr (g_ptr_array_index (page->removed_ids, 1), ==, "m3");
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (page->items, 1), "subject"),
                   ==, "Hello again");
  g_assert_cmpstr (page->next_link, ==,
                   "https://graph.example/v1.0/me/mailFolders/f/messages/delta?$skiptoken=abc");
  g_assert_null (page->delta_link);
}

static void
test_page_delta_link_and_empty (void)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("{\"value\":[],\"@odata.deltaLink\":\"https://g/d?$deltatoken=1\"}", 59);
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberGraphPage) page = ember_graph_page_parse_bytes (body, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (page->items->len, ==, 0);
  g_assert_cmpuint (page->removed_ids->len, ==, 0);
  g_assert_null (page->next_link);
  g_assert_cmpstr (page->delta_link, ==, "https://g/d?$deltatoken=1");
}

static void
test_page_errors (void)
{
  const char *bad[] = {
    "{\"value\":[{\"id\":\"m1\",\"subj",                  /* truncated */
    "[1,2]",                                             /* not an object */
    "{\"values\":[]}",                                   /* no value */
    "{\"value\":[{\"subject\":\"no id\"}]}",             /* entry without id */
    "{\"value\":[\"m1\"]}",                              /* entry not an object */
    "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (bad[i], strlen (bad[i]));
      g_autoptr(GError) error = NULL;
      g_autoptr(EmberGraphPage) page = ember_graph_page_parse_bytes (body, &error);

      g_test_message ("body: %s", bad[i]);
      g_assert_null (page);
      g_assert_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA);
    }
}

static void
test_resync_errors (void)
{
  static const char observed[] =
    "{\"error\":{\"code\":\"SyncStateNotFound\",\"message\":\"The sync state generation is "
    "not found; generation=149;[highest=157]\",\"innerError\":{\"request-id\":\"r\"}}}";
  static const char nested[] =
    "{\"error\":{\"code\":\"badRequest\",\"message\":\"m\",\"innerError\":{\"code\":\"x\","
    "\"innerError\":{\"code\":\"resyncRequired\"}}}}";
  static const char not_found[] =
    "{\"error\":{\"code\":\"ErrorItemNotFound\",\"message\":\"The sync state is fine\"}}";
  g_autoptr(GBytes) observed_body = g_bytes_new_static (observed, strlen (observed));
  g_autoptr(GBytes) nested_body = g_bytes_new_static (nested, strlen (nested));
  g_autoptr(GBytes) not_found_body = g_bytes_new_static (not_found, strlen (not_found));
  g_autoptr(GBytes) garbage = g_bytes_new_static ("<html>", 6);

  g_assert_true (ember_graph_error_is_resync (410, NULL, NULL));
  g_assert_true (ember_graph_error_is_resync (400, "syncstatenotfound", NULL));
  g_assert_true (ember_graph_error_is_resync (400, "ResyncRequired", NULL));
  g_assert_true (ember_graph_error_is_resync (404, NULL, observed_body));
  g_assert_true (ember_graph_error_is_resync (400, NULL, nested_body));
  g_assert_false (ember_graph_error_is_resync (404, "ErrorItemNotFound", not_found_body));
  g_assert_false (ember_graph_error_is_resync (400, NULL, garbage));
  g_assert_false (ember_graph_error_is_resync (429, NULL, NULL));
  g_assert_false (ember_graph_error_is_resync (503, "serviceNotAvailable", NULL));
}

static void
test_folder (void)
{
  g_autoptr(JsonObject) object = parse_object (
    "{\"id\":\"AAMkF1\",\"displayName\":\"Über uns\",\"parentFolderId\":\"ROOT\","
    "\"childFolderCount\":0,\"unreadItemCount\":3,\"totalItemCount\":7}");
  g_autoptr(JsonObject) known = parse_object (
    "{\"id\":\"AAMkF2\",\"displayName\":\"Posteingang\",\"wellKnownName\":\"inbox\"}");
  g_autoptr(JsonObject) nameless = parse_object ("{\"id\":\"AAMkF3\"}");
  g_autoptr(JsonObject) idless = parse_object ("{\"displayName\":\"x\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberFolderRecord) folder = ember_graph_parse_mail_folder (object, &error);
  g_autoptr(EmberFolderRecord) inbox = NULL;
  g_autoptr(EmberFolderRecord) unnamed = NULL;
  g_autoptr(EmberFolderRecord) broken = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (folder->provider_id, ==, "AAMkF1");
  g_assert_cmpstr (folder->name, ==, "Über uns");
  g_assert_cmpstr (folder->parent_provider_id, ==, "ROOT");
  g_assert_cmpint (folder->kind, ==, EMBER_FOLDER_KIND_OTHER);

  inbox = ember_graph_parse_mail_folder (known, &error);
  g_assert_no_error (error);
  g_assert_cmpint (inbox->kind, ==, EMBER_FOLDER_KIND_INBOX);
  g_assert_null (inbox->parent_provider_id);

  unnamed = ember_graph_parse_mail_folder (nameless, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (unnamed->name, ==, "AAMkF3");

  broken = ember_graph_parse_mail_folder (idless, &error);
  g_assert_null (broken);
  g_assert_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA);
}

static void
test_folder_kinds (void)
{
  g_assert_cmpint (ember_graph_folder_kind_for_well_known ("inbox"), ==, EMBER_FOLDER_KIND_INBOX);
  g_assert_cmpint (ember_graph_folder_kind_for_well_known ("sentitems"), ==, EMBER_FOLDER_KIND_SENT);
  g_assert_cmpint (ember_graph_folder_kind_for_well_known ("archive"), ==, EMBER_FOLDER_KIND_ARCHIVE);
  g_assert_cmpint (ember_graph_folder_kind_for_well_known ("deleteditems"), ==, EMBER_FOLDER_KIND_TRASH);
  g_assert_cmpint (ember_graph_folder_kind_for_well_known ("drafts"), ==, EMBER_FOLDER_KIND_DRAFTS);
  g_assert_cmpint (ember_graph_folder_kind_for_well_known ("JunkEmail"), ==, EMBER_FOLDER_KIND_JUNK);
  g_assert_cmpint (ember_graph_folder_kind_for_well_known ("outbox"), ==, EMBER_FOLDER_KIND_OTHER);
  g_assert_cmpint (ember_graph_folder_kind_for_well_known (NULL), ==, EMBER_FOLDER_KIND_OTHER);
}

static const char full_message[] =
  "{\"@odata.etag\":\"W/\\\"CQAAABYAAAB\\\"\",\"id\":\"AAMkM1\",\"conversationId\":\"AAQkC1\","
  "\"internetMessageId\":\"<abc@example.com>\",\"subject\":\"Quarterly numbers\","
  "\"from\":{\"emailAddress\":{\"name\":\"Ann Smith\",\"address\":\"ann@example.com\"}},"
  "\"toRecipients\":[{\"emailAddress\":{\"name\":\"Bob\",\"address\":\"bob@example.com\"}},"
  "{\"emailAddress\":{\"address\":\"carol@example.com\"}}],"
  "\"ccRecipients\":[],"
  "\"receivedDateTime\":\"2025-01-14T09:12:33Z\",\"bodyPreview\":\"Hi Bob, the numbers\","
  "\"isRead\":false,\"flag\":{\"flagStatus\":\"flagged\"},\"hasAttachments\":true,"
  "\"body\":{\"contentType\":\"html\",\"content\":\"<html><head><style>p{color:red}</style>"
  "</head><body><p>Hi Bob,</p><p>the numbers &amp; the plan&nbsp;are <b>here</b>.</p>"
  "<script>alert(1)</script></body></html>\"}}";

static void
test_message (void)
{
  g_autoptr(JsonObject) object = parse_object (full_message);
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberMessageRecord) message = ember_graph_parse_message (object, "FOLDER-A", &error);

  g_assert_no_error (error);
  g_assert_true (ember_graph_message_is_complete (object));
  g_assert_cmpstr (message->provider_id, ==, "AAMkM1");
  g_assert_cmpstr (message->thread_id, ==, "AAQkC1");
  g_assert_cmpstr (message->internet_message_id, ==, "<abc@example.com>");
  g_assert_cmpstr (message->subject, ==, "Quarterly numbers");
  g_assert_cmpstr (message->from_name, ==, "Ann Smith");
  g_assert_cmpstr (message->from_address, ==, "ann@example.com");
  g_assert_cmpstr (message->to, ==, "Bob <bob@example.com>, carol@example.com");
  g_assert_null (message->cc);
  g_assert_cmpint (message->date, ==, utc (2025, 1, 14, 9, 12, 33));
  g_assert_cmpstr (message->snippet, ==, "Hi Bob, the numbers");
  g_assert_true (message->unread);
  g_assert_true (message->starred);
  g_assert_true (message->has_attachments);
  g_assert_nonnull (strstr (message->body_html, "<b>here</b>"));
  g_assert_cmpstr (message->body_text, ==, "Hi Bob,\n\nthe numbers & the plan are here.");
  g_assert_nonnull (message->folder_ids);
  g_assert_cmpuint (message->folder_ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (message->folder_ids, 0), ==, "FOLDER-A");
}

static void
test_message_text_body (void)
{
  g_autoptr(JsonObject) object = parse_object (
    "{\"id\":\"AAMkM2\",\"subject\":null,\"receivedDateTime\":\"2025-01-14T09:12:33Z\","
    "\"isRead\":true,\"body\":{\"contentType\":\"text\",\"content\":\"plain <b>text</b>\"},"
    "\"flag\":{\"flagStatus\":\"notFlagged\"}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberMessageRecord) message = ember_graph_parse_message (object, "F", &error);

  g_assert_no_error (error);
  g_assert_null (message->subject);
  g_assert_false (message->unread);
  g_assert_false (message->starred);
  g_assert_cmpstr (message->body_text, ==, "plain <b>text</b>");
  g_assert_cmpstr (message->body_html, ==, "");
  g_assert_null (message->from_address);
}

/* A delta update that carries only the changed property leaves the rest of
 * the stored message alone. */
static void
test_message_partial_update (void)
{
  g_autoptr(JsonObject) full = parse_object (full_message);
  g_autoptr(JsonObject) partial = parse_object ("{\"id\":\"AAMkM1\",\"isRead\":true}");
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberMessageRecord) message = ember_graph_parse_message (full, "FOLDER-A", &error);

  g_assert_no_error (error);
  g_assert_false (ember_graph_message_is_complete (partial));
  g_assert_true (ember_graph_apply_message (message, partial, "FOLDER-B", &error));
  g_assert_no_error (error);
  g_assert_false (message->unread);
  g_assert_cmpstr (message->subject, ==, "Quarterly numbers");
  g_assert_cmpstr (message->from_address, ==, "ann@example.com");
  g_assert_cmpint (message->date, ==, utc (2025, 1, 14, 9, 12, 33));
  g_assert_true (message->starred);
  g_assert_cmpuint (message->folder_ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (message->folder_ids, 0), ==, "FOLDER-B");
}

static void
test_message_errors (void)
{
  g_autoptr(JsonObject) no_id = parse_object ("{\"subject\":\"x\"}");
  g_autoptr(JsonObject) bad_date = parse_object ("{\"id\":\"m\",\"receivedDateTime\":\"soon\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberMessageRecord) a = ember_graph_parse_message (no_id, "F", &error);
  g_autoptr(EmberMessageRecord) b = NULL;

  g_assert_null (a);
  g_assert_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA);
  g_clear_error (&error);

  b = ember_graph_parse_message (bad_date, "F", &error);
  g_assert_null (b);
  g_assert_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA);
  g_assert_nonnull (strstr (error->message, "soon"));
}

static void
test_event_timed_windows_zone (void)
{
  /* What a server that ignores Prefer: outlook.timezone sends. */
  g_autoptr(JsonObject) object = parse_object (
    "{\"id\":\"E1\",\"subject\":\"Standup\",\"type\":\"singleInstance\",\"isAllDay\":false,"
    "\"isCancelled\":false,\"showAs\":\"busy\","
    "\"start\":{\"dateTime\":\"2025-03-10T09:00:00.0000000\",\"timeZone\":\"Pacific Standard Time\"},"
    "\"end\":{\"dateTime\":\"2025-03-10T09:30:00.0000000\",\"timeZone\":\"Pacific Standard Time\"},"
    "\"originalStartTimeZone\":\"Pacific Standard Time\","
    "\"location\":{\"displayName\":\"Room 4\"},"
    "\"body\":{\"contentType\":\"html\",\"content\":\"<p>Daily</p>\"},"
    "\"organizer\":{\"emailAddress\":{\"name\":\"Ann\",\"address\":\"ann@example.com\"}},"
    "\"attendees\":[{\"type\":\"required\",\"status\":{\"response\":\"accepted\"},"
    "\"emailAddress\":{\"name\":\"Bob\",\"address\":\"bob@example.com\"}}],"
    "\"lastModifiedDateTime\":\"2025-01-02T03:04:05.6789Z\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberEventRecord) event = ember_graph_parse_event (object, &error);
  g_autoptr(JsonNode) attendees = NULL;
  JsonObject *first;

  g_assert_no_error (error);
  g_assert_cmpstr (event->provider_id, ==, "E1");
  g_assert_cmpstr (event->summary, ==, "Standup");
  g_assert_cmpstr (event->location, ==, "Room 4");
  g_assert_cmpstr (event->description, ==, "Daily");
  g_assert_false (event->all_day);
  /* PDT (UTC-7) has begun on 2025-03-09. */
  g_assert_cmpint (event->start, ==, utc (2025, 3, 10, 16, 0, 0));
  g_assert_cmpint (event->end, ==, utc (2025, 3, 10, 16, 30, 0));
  g_assert_cmpstr (event->time_zone, ==, "Pacific Standard Time");
  g_assert_cmpstr (event->status, ==, "confirmed");
  g_assert_null (event->recurring_event_id);
  g_assert_cmpint (event->original_start, ==, 0);
  g_assert_cmpstr (event->organizer, ==, "ann@example.com");
  g_assert_cmpint (event->updated, ==, utc (2025, 1, 2, 3, 4, 5));

  attendees = json_from_string (event->attendees_json, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (attendees));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (attendees)), ==, 1);
  first = json_array_get_object_element (json_node_get_array (attendees), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "email"), ==, "bob@example.com");
  g_assert_cmpstr (json_object_get_string_member (first, "name"), ==, "Bob");
  g_assert_cmpstr (json_object_get_string_member (first, "response"), ==, "accepted");
}

static void
test_event_reminders (void)
{
  static const struct {
    const char *members;
    gint        minutes;  /* -1: none */
  } cases[] = {
    { "\"isReminderOn\":true,\"reminderMinutesBeforeStart\":15", 15 },
    { "\"isReminderOn\":true,\"reminderMinutesBeforeStart\":0", 0 },
    { "\"isReminderOn\":true,\"reminderMinutesBeforeStart\":1080", 1080 },
    /* Outlook keeps the minutes of a reminder that is off. */
    { "\"isReminderOn\":false,\"reminderMinutesBeforeStart\":15", -1 },
    { "\"reminderMinutesBeforeStart\":15", -1 },
    { "\"isReminderOn\":true", -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf (
        "{\"id\":\"E%u\",\"subject\":\"Standup\",\"type\":\"singleInstance\",\"isAllDay\":false,"
        "\"start\":{\"dateTime\":\"2025-03-10T09:00:00.0000000\",\"timeZone\":\"UTC\"},"
        "\"end\":{\"dateTime\":\"2025-03-10T09:30:00.0000000\",\"timeZone\":\"UTC\"},%s}",
        i, cases[i].members);
      g_autoptr(JsonObject) object = parse_object (json);
      g_autoptr(GError) error = NULL;
      g_autoptr(EmberEventRecord) event = ember_graph_parse_event (object, &error);

      g_test_message ("%s", json);
      g_assert_no_error (error);
      g_assert_false (event->reminder_default);
      g_assert_cmpint (event->has_reminder, ==, cases[i].minutes >= 0);
      if (cases[i].minutes >= 0)
        g_assert_cmpuint (event->reminder_minutes, ==, (guint) cases[i].minutes);
    }
}

static void
test_event_utc_preferred (void)
{
  /* With Prefer: outlook.timezone="UTC" the times are UTC and the event's
   * zone is in originalStartTimeZone. */
  g_autoptr(JsonObject) object = parse_object (
    "{\"id\":\"E2\",\"subject\":\"Call\",\"isAllDay\":false,"
    "\"start\":{\"dateTime\":\"2025-07-15T04:30:00.0000000\",\"timeZone\":\"UTC\"},"
    "\"end\":{\"dateTime\":\"2025-07-15T05:30:00.0000000\",\"timeZone\":\"UTC\"},"
    "\"originalStartTimeZone\":\"India Standard Time\",\"showAs\":\"tentative\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberEventRecord) event = ember_graph_parse_event (object, &error);

  g_assert_no_error (error);
  g_assert_cmpint (event->start, ==, utc (2025, 7, 15, 4, 30, 0));
  g_assert_cmpint (event->end, ==, utc (2025, 7, 15, 5, 30, 0));
  g_assert_cmpstr (event->time_zone, ==, "India Standard Time");
  g_assert_cmpstr (event->status, ==, "tentative");
  g_assert_null (event->description);
  g_assert_null (event->attendees_json);
}

static void
test_event_outlook_zone_names (void)
{
  /* Outlook's own names for UTC and for zones it cannot name. */
  g_autoptr(JsonObject) utc_event = parse_object (
    "{\"id\":\"E5\",\"originalStartTimeZone\":\"tzone://Microsoft/Utc\","
    "\"start\":{\"dateTime\":\"2025-07-15T04:30:00.0000000\",\"timeZone\":\"tzone://Microsoft/Utc\"},"
    "\"end\":{\"dateTime\":\"2025-07-15T05:30:00.0000000\",\"timeZone\":\"tzone://Microsoft/Utc\"}}");
  g_autoptr(JsonObject) custom_event = parse_object (
    "{\"id\":\"E6\",\"originalStartTimeZone\":\"tzone://Microsoft/Custom\","
    "\"start\":{\"dateTime\":\"2025-07-15T10:00:00.0000000\",\"timeZone\":\"India Standard Time\"},"
    "\"end\":{\"dateTime\":\"2025-07-15T11:00:00.0000000\",\"timeZone\":\"India Standard Time\"}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberEventRecord) a = ember_graph_parse_event (utc_event, &error);
  g_autoptr(EmberEventRecord) b = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (a->time_zone, ==, "UTC");
  g_assert_cmpint (a->start, ==, utc (2025, 7, 15, 4, 30, 0));

  b = ember_graph_parse_event (custom_event, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (b->time_zone, ==, "India Standard Time");
  g_assert_cmpint (b->start, ==, utc (2025, 7, 15, 4, 30, 0));
}

static void
test_event_all_day (void)
{
  /* Midnight in the zone asked for: a floating date, never shifted. */
  g_autoptr(JsonObject) object = parse_object (
    "{\"id\":\"E3\",\"subject\":\"Holiday\",\"isAllDay\":true,"
    "\"start\":{\"dateTime\":\"2025-03-09T00:00:00.0000000\",\"timeZone\":\"UTC\"},"
    "\"end\":{\"dateTime\":\"2025-03-11T00:00:00.0000000\",\"timeZone\":\"UTC\"},"
    "\"originalStartTimeZone\":\"Pacific Standard Time\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberEventRecord) event = ember_graph_parse_event (object, &error);

  g_assert_no_error (error);
  g_assert_true (event->all_day);
  g_assert_cmpstr (event->start_date, ==, "2025-03-09");
  g_assert_cmpstr (event->end_date, ==, "2025-03-11");
}

static void
test_event_occurrence_and_cancelled (void)
{
  g_autoptr(JsonObject) occurrence = parse_object (
    "{\"id\":\"OCC1\",\"subject\":\"Weekly\",\"type\":\"occurrence\",\"seriesMasterId\":\"SER1\","
    "\"originalStart\":\"2025-04-01T08:00:00Z\","
    "\"start\":{\"dateTime\":\"2025-04-01T10:00:00.0000000\",\"timeZone\":\"W. Europe Standard Time\"},"
    "\"end\":{\"dateTime\":\"2025-04-01T11:00:00.0000000\",\"timeZone\":\"W. Europe Standard Time\"}}");
  g_autoptr(JsonObject) cancelled = parse_object (
    "{\"id\":\"E4\",\"isCancelled\":true,"
    "\"start\":{\"dateTime\":\"2025-04-01T10:00:00\",\"timeZone\":\"UTC\"},"
    "\"end\":{\"dateTime\":\"2025-04-01T11:00:00\",\"timeZone\":\"UTC\"}}");
  g_autoptr(JsonObject) master = parse_object ("{\"id\":\"SER1\",\"type\":\"seriesMaster\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(EmberEventRecord) event = ember_graph_parse_event (occurrence, &error);
  g_autoptr(EmberEventRecord) gone = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (event->recurring_event_id, ==, "SER1");
  g_assert_cmpint (event->original_start, ==, utc (2025, 4, 1, 8, 0, 0));
  g_assert_cmpint (event->start, ==, utc (2025, 4, 1, 8, 0, 0));
  g_assert_false (ember_graph_event_is_series_master (occurrence));
  g_assert_true (ember_graph_event_is_series_master (master));

  gone = ember_graph_parse_event (cancelled, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gone->status, ==, "cancelled");
}

static void
test_event_errors (void)
{
  const char *bad[] = {
    "{\"subject\":\"no id\"}",
    "{\"id\":\"E\",\"isAllDay\":false}",
    "{\"id\":\"E\",\"start\":{\"dateTime\":\"2025-04-01T10:00:00\",\"timeZone\":\"Mars Standard Time\"},"
      "\"end\":{\"dateTime\":\"2025-04-01T11:00:00\",\"timeZone\":\"UTC\"}}",
    "{\"id\":\"E\",\"isAllDay\":true,\"start\":{\"dateTime\":\"someday\"},\"end\":{\"dateTime\":\"2025-04-02\"}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) object = parse_object (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(EmberEventRecord) event = ember_graph_parse_event (object, &error);

      g_test_message ("event: %s", bad[i]);
      g_assert_null (event);
      g_assert_error (error, EMBER_PROVIDER_ERROR, EMBER_PROVIDER_ERROR_BAD_DATA);
    }
}

static void
test_html_to_text (void)
{
  static const struct
  {
    const char *html;
    const char *text;
  } cases[] = {
    { "", "" },
    { "plain", "plain" },
    { "<p>One</p><p>Two</p>", "One\n\nTwo" },
    { "a<br>b<br/>c", "a\nb\nc" },
    { "  lots   of\n\n  space  ", "lots of space" },
    { "<h1>Title</h1>Body", "Title\n\nBody" },
    { "x &lt;y&gt; &quot;z&quot; &#39;q&#39; &#x263A; &euro;", "x <y> \"z\" 'q' ☺ €" },
    { "AT&T &unknown; &", "AT&T &unknown; &" },
    { "<!-- hidden -->shown", "shown" },
    { "<a href=\"x>y\">link</a> text", "link text" },
    { "<style type='text/css'>.a{}</style><script>var a = '<p>';</script>ok", "ok" },
    { "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc" },
    { "Grüße, <b>Jürgen</b>", "Grüße, Jürgen" },
    { "unterminated <b", "unterminated <b" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ember_html_to_text (cases[i].html);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ember/providers/graph/parse/page", test_page);
  g_test_add_func ("/ember/providers/graph/parse/page-delta-link", test_page_delta_link_and_empty);
  g_test_add_func ("/ember/providers/graph/parse/page-errors", test_page_errors);
  g_test_add_func ("/ember/providers/graph/parse/resync-errors", test_resync_errors);
  g_test_add_func ("/ember/providers/graph/parse/folder", test_folder);
  g_test_add_func ("/ember/providers/graph/parse/folder-kinds", test_folder_kinds);
  g_test_add_func ("/ember/providers/graph/parse/message", test_message);
  g_test_add_func ("/ember/providers/graph/parse/message-text-body", test_message_text_body);
  g_test_add_func ("/ember/providers/graph/parse/message-partial-update", test_message_partial_update);
  g_test_add_func ("/ember/providers/graph/parse/message-errors", test_message_errors);
  g_test_add_func ("/ember/providers/graph/parse/event-timed-windows-zone", test_event_timed_windows_zone);
  g_test_add_func ("/ember/providers/graph/parse/event-utc-preferred", test_event_utc_preferred);
  g_test_add_func ("/ember/providers/graph/parse/event-reminders", test_event_reminders);
  g_test_add_func ("/ember/providers/graph/parse/event-outlook-zone-names", test_event_outlook_zone_names);
  g_test_add_func ("/ember/providers/graph/parse/event-all-day", test_event_all_day);
  g_test_add_func ("/ember/providers/graph/parse/event-occurrence", test_event_occurrence_and_cancelled);
  g_test_add_func ("/ember/providers/graph/parse/event-errors", test_event_errors);
  g_test_add_func ("/ember/providers/graph/parse/html-to-text", test_html_to_text);

  return g_test_run ();
}
