/* ember-fake-dataset.c: generator and mutations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ember-fake"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "ember-fake-dataset.h"

#define DAY (24 * 60 * 60)

/* ------------------------------------------------------------------------ */
/* Content pools. Names and subjects are deliberately unkind: non-ASCII in  */
/* several scripts, commas and quotes that need quoting, emoji.             */

typedef struct
{
  const char *name;
  const char *address;
  int         tz_offset_min;
  gboolean    latin1;      /* the name fits ISO-8859-1 */
  gboolean    newsletter;
} Contact;

static const Contact contacts[] = {
  { "José Müller", "jose.mueller@example.de", 60, TRUE, FALSE },
  { "Zoë Kraus", "zoe@example.org", 60, TRUE, FALSE },
  { "山田 太郎", "taro.yamada@example.jp", 540, FALSE, FALSE },
  { "Ødegaard, Mette", "mette@example.no", 60, TRUE, FALSE },
  { "Seán O'Brien", "sean.obrien@example.ie", 0, TRUE, FALSE },
  { "Renée Faure", "renee@example.fr", 60, TRUE, FALSE },
  { "Иван Петров", "ivan.petrov@example.ru", 180, FALSE, FALSE },
  { "Priya Raman", "priya@example.in", 330, TRUE, FALSE },
  { "Łukasz Żółkiewski", "lukasz@example.pl", 60, FALSE, FALSE },
  { "Maria \"Mimi\" Rossi", "mimi@example.it", 60, TRUE, FALSE },
  { "Sam Lee", "sam.lee@example.com", -300, TRUE, FALSE },
  { "Jordan Smith", "jordan@example.com", -480, TRUE, FALSE },
  { "ACME Billing", "billing@acme.example", -300, TRUE, TRUE },
  { "The Weekly Digest", "news@digest.example", 0, TRUE, TRUE },
  { "GitHub", "noreply@github.example", 0, TRUE, TRUE },
  { NULL, "no-reply@alerts.example", 0, TRUE, TRUE },
};

static const char *subjects_utf8[] = {
  "Café meeting — agenda",
  "Über das Projekt „Ember“",
  "Your order has shipped 📦",
  "会議の議事録",
  "Отчёт за неделю",
  "Zürich offsite 🏔️ logistics",
  "Smörgåsbord & crème brûlée recipe",
  "Photos from the weekend",
  "Quick question",
  "Re-scheduling our call",
  "Don't forget: dentist appointment",
  "Security alert for your account",
  "Déjà vu: the budget spreadsheet",
  "Travel plans for Kraków",
  "Lunch on Friday?",
  "[ember] Build failed on main",
  "Weekly newsletter — issue 42",
  "Invoice from ACME Corp",
  "Fwd: contract draft v3",
  "Quarterly report",
};

static const char *subjects_latin1[] = {
  "Café meeting, agenda",
  "Über das Projekt",
  "Smörgåsbord & crème brûlée recipe",
  "Déjà vu: the budget spreadsheet",
  "Photos from the weekend",
  "Quick question",
  "Lunch on Friday?",
  "Invoice from ACME Corp",
  "Quarterly report",
  "Grüße aus München",
};

static const char *sentences_latin1[] = {
  "Thanks for the update, I'll take a look tomorrow morning.",
  "Could you send me the numbers before the meeting?",
  "The café on the corner does a great crème brûlée.",
  "Let's meet at 10:30 in the usual room & bring the slides.",
  "Ich habe die Unterlagen für nächste Woche vorbereitet.",
  "Grüße aus München, und schöne Grüße an das Team!",
  "Nous avons reçu votre message et nous répondrons bientôt.",
  "It's not urgent, but it'd be nice to finish it this week.",
  "The quarterly numbers look better than last year's.",
  "Please don't reply to this automated message.",
  "See the attached file for the details <as discussed>.",
  "Prices went up by 5% since the last invoice.",
  "¿Podemos hablar mañana por la tarde?",
  "Vi ses på fredag, hälsningar från Göteborg.",
};

static const char *sentences_utf8_only[] = {
  "会議は来週の火曜日に変更になりました。",
  "Спасибо за быстрый ответ, всё получилось.",
  "Great work everyone 🎉 see you at the retro!",
  "Łódź and Kraków are both on the itinerary.",
  "The “final” version is attached — hopefully really final.",
  "Το αρχείο είναι έτοιμο για έλεγχο.",
};

static const char *sentences_cp1252_only[] = {
  "The total is €1,250 including VAT.",
  "He said “this is the last change” – again.",
  "Budget: €300 for travel … and €80 for food.",
};

static const char *cities[] = { "Zürich", "Kraków", "Reykjavík", "São Paulo", "Tokyo", "Montréal" };

static const char *event_summaries[] = {
  "Team stand-up", "1:1 with Zoë", "Dentist", "Flight ✈ ZRH → JFK", "Sprint planning",
  "Café with José", "Board meeting", "Yoga", "Design review", "Lunch",
  "Öffentlicher Feiertag", "Vacation 🌴", "GUADEC", "Parents' evening", "Release retro",
  "Встреча с клиентом", "Haircut", "Quarterly business review",
};

static const char *event_locations[] = {
  "Room 4.01", "Zoom", "Café Odéon, Zürich", "", "Main St 12, Springfield",
  "Büro München, 3. OG", "", "https://meet.example.com/abc-defg-hij",
};

static const char *time_zones[] = {
  "Europe/Zurich", "Europe/Berlin", "America/New_York", "America/Los_Angeles",
  "Asia/Tokyo", "Europe/London", "Asia/Kolkata", "UTC", "Australia/Sydney",
};

static const char *mailers[] = {
  "Apple Mail (2.3696.120.41.1.1)", "Microsoft Outlook 16.0", "Thunderbird 115.6.0",
};

/* ------------------------------------------------------------------------ */

static void
address_clear (EmberFakeAddress *address)
{
  g_clear_pointer (&address->name, g_free);
  g_clear_pointer (&address->address, g_free);
}

static EmberFakeAddress *
address_new (const char *name,
             const char *addr)
{
  EmberFakeAddress *address = g_new0 (EmberFakeAddress, 1);

  address->name = g_strdup (name);
  address->address = g_strdup (addr);
  return address;
}

static void
address_free (gpointer data)
{
  EmberFakeAddress *address = data;

  address_clear (address);
  g_free (address);
}

static void
attachment_free (gpointer data)
{
  EmberFakeAttachment *attachment = data;

  g_free (attachment->filename);
  g_free (attachment->mime_type);
  g_free (attachment->content_id);
  g_free (attachment->attachment_id);
  g_free (attachment);
}

static void
message_free (gpointer data)
{
  EmberFakeMessage *message = data;

  g_free (message->id);
  g_free (message->thread_id);
  g_free (message->internet_message_id);
  g_free (message->in_reply_to);
  g_free (message->references);
  g_free (message->subject);
  address_clear (&message->from);
  g_ptr_array_unref (message->to);
  g_ptr_array_unref (message->cc);
  g_free (message->text);
  g_free (message->html);
  g_free (message->charset);
  g_ptr_array_unref (message->attachments);
  g_free (message->mailer);
  g_ptr_array_unref (message->labels);
  g_free (message->folder_id);
  g_free (message->raw_b64);
  g_free (message->payload_json);
  g_clear_pointer (&message->top_headers, g_ptr_array_unref);
  g_free (message->top_mime_type);
  g_free (message->snippet);
  g_free (message->preview);
  g_free (message->graph_body_json);
  g_free (message);
}

static EmberFakeMessage *
message_new (void)
{
  EmberFakeMessage *message = g_new0 (EmberFakeMessage, 1);

  message->to = g_ptr_array_new_with_free_func (address_free);
  message->cc = g_ptr_array_new_with_free_func (address_free);
  message->attachments = g_ptr_array_new_with_free_func (attachment_free);
  message->labels = g_ptr_array_new_with_free_func (g_free);
  return message;
}

static void
label_free (gpointer data)
{
  EmberFakeLabel *label = data;

  g_free (label->id);
  g_free (label->name);
  g_free (label);
}

static void
history_free (gpointer data)
{
  EmberFakeHistory *history = data;

  g_free (history->message_id);
  g_free (history->thread_id);
  g_strfreev (history->message_labels);
  g_strfreev (history->changed_labels);
  g_free (history);
}

static void
tombstone_free (gpointer data)
{
  EmberFakeTombstone *tombstone = data;

  g_free (tombstone->id);
  g_free (tombstone);
}

static void
folder_free (gpointer data)
{
  EmberFakeFolder *folder = data;

  g_free (folder->id);
  g_free (folder->well_known);
  g_free (folder->display_name);
  g_free (folder->parent_id);
  g_ptr_array_unref (folder->members);
  g_ptr_array_unref (folder->tombstones);
  g_free (folder);
}

static void
exception_free (gpointer data)
{
  EmberFakeException *exception = data;

  g_free (exception->summary);
  g_free (exception);
}

static void
event_free (gpointer data)
{
  EmberFakeEvent *event = data;

  g_free (event->id);
  g_free (event->ical_uid);
  g_free (event->calendar_id);
  g_free (event->summary);
  g_free (event->description);
  g_free (event->location);
  g_free (event->time_zone);
  g_ptr_array_unref (event->exceptions);
  address_clear (&event->organizer);
  g_ptr_array_unref (event->attendees);
  g_free (event);
}

static EmberFakeEvent *
event_new (void)
{
  EmberFakeEvent *event = g_new0 (EmberFakeEvent, 1);

  event->exceptions = g_ptr_array_new_with_free_func (exception_free);
  event->attendees = g_ptr_array_new_with_free_func (address_free);
  event->reminder_minutes = EMBER_FAKE_REMINDER_DEFAULT;
  return event;
}

static void
calendar_free (gpointer data)
{
  EmberFakeCalendar *calendar = data;

  g_free (calendar->id);
  g_free (calendar->summary);
  g_free (calendar->time_zone);
  g_free (calendar->color);
  g_ptr_array_unref (calendar->events);
  g_free (calendar);
}

static void
account_free (gpointer data)
{
  EmberFakeAccount *account = data;

  g_free (account->email);
  g_free (account->display_name);
  g_free (account->user_id);
  g_hash_table_unref (account->messages_by_id);
  g_clear_pointer (&account->by_date, g_ptr_array_unref);
  g_ptr_array_unref (account->folders);
  g_ptr_array_unref (account->folder_tombstones);
  g_ptr_array_unref (account->messages);
  g_ptr_array_unref (account->labels);
  g_ptr_array_unref (account->history);
  g_ptr_array_unref (account->calendars);
  g_ptr_array_unref (account->event_tombstones);
  g_free (account);
}

/* ------------------------------------------------------------------------ */
/* Ids that look like the providers' own.                                  */

static char *
gmail_message_id (EmberFakeAccount *account,
                  gint64            date_ms)
{
  for (;;)
    {
      guint64 raw = ((guint64) date_ms << 20) | ember_fake_rng_below (&account->rng, 1 << 20);
      char *id = g_strdup_printf ("%016" G_GINT64_MODIFIER "x", raw);

      if (!g_hash_table_contains (account->messages_by_id, id))
        return id;
      g_free (id);
    }
}

static char *
graph_opaque_id (EmberFakeRng *rng,
                 const char   *prefix,
                 guint         len)
{
  g_autofree char *body = ember_fake_random_token (rng, len);

  return g_strdup_printf ("%s%sAAA=", prefix, body);
}

static char *
graph_message_id (EmberFakeAccount *account)
{
  for (;;)
    {
      char *id = graph_opaque_id (&account->rng, "AAMkAGI2", 132);

      if (!g_hash_table_contains (account->messages_by_id, id))
        return id;
      g_free (id);
    }
}

static char *
google_event_id (EmberFakeRng *rng)
{
  static const char alphabet[] = "0123456789abcdefghijklmnopqrstuv";
  char id[27];

  for (guint i = 0; i < 26; i++)
    id[i] = alphabet[ember_fake_rng_below (rng, 32)];
  id[26] = '\0';
  return g_strdup (id);
}

static char *
guid (EmberFakeRng *rng)
{
  guint64 a = ember_fake_rng_next (rng);
  guint64 b = ember_fake_rng_next (rng);

  return g_strdup_printf ("%08x-%04x-%04x-%04x-%012" G_GINT64_MODIFIER "x",
                          (guint) (a >> 32), (guint) ((a >> 16) & 0xffff),
                          (guint) (0x4000 | (a & 0x0fff)),
                          (guint) (0x8000 | ((b >> 48) & 0x3fff)),
                          b & G_GUINT64_CONSTANT (0xffffffffffff));
}

static char *
internet_message_id (EmberFakeRng *rng,
                     const char   *from_address)
{
  const char *at = strchr (from_address, '@');
  g_autofree char *local = ember_fake_random_token (rng, 24);

  return g_strdup_printf ("<%s.%u@%s>", local, ember_fake_rng_below (rng, 100000),
                          at != NULL ? at + 1 : "mail.example");
}

/* ------------------------------------------------------------------------ */
/* Text generation.                                                         */

static char *
make_text (EmberFakeRng *rng,
           const char   *charset)
{
  GString *text = g_string_new (NULL);
  guint n_paragraphs = 1 + ember_fake_rng_below (rng, 5);
  gboolean latin1 = g_ascii_strcasecmp (charset, "ISO-8859-1") == 0;
  gboolean cp1252 = g_ascii_strcasecmp (charset, "windows-1252") == 0;

  for (guint p = 0; p < n_paragraphs; p++)
    {
      guint n_sentences = 2 + ember_fake_rng_below (rng, 4);

      if (p > 0)
        g_string_append (text, "\n\n");
      for (guint s = 0; s < n_sentences; s++)
        {
          const char *sentence;
          guint pick = ember_fake_rng_below (rng, 10);

          if (!latin1 && !cp1252 && pick == 0)
            sentence = sentences_utf8_only[ember_fake_rng_below (rng, G_N_ELEMENTS (sentences_utf8_only))];
          else if (cp1252 && pick == 0)
            sentence = sentences_cp1252_only[ember_fake_rng_below (rng, G_N_ELEMENTS (sentences_cp1252_only))];
          else
            sentence = sentences_latin1[ember_fake_rng_below (rng, G_N_ELEMENTS (sentences_latin1))];

          if (s > 0)
            g_string_append_c (text, ' ');
          g_string_append (text, sentence);
        }
    }

  g_string_append (text, "\n\n-- \nSent from a fake mailbox\n");
  return g_string_free (text, FALSE);
}

static char *
make_html (const char *text,
           gboolean    with_inline_image)
{
  GString *html = g_string_new ("<html><head><meta http-equiv=\"Content-Type\" "
                                "content=\"text/html; charset=utf-8\"><style>p{margin:0 0 1em}</style>"
                                "</head><body><div dir=\"ltr\">");
  g_auto(GStrv) paragraphs = g_strsplit (text, "\n\n", -1);

  for (guint i = 0; paragraphs[i] != NULL; i++)
    {
      g_autofree char *escaped = g_markup_escape_text (paragraphs[i], -1);

      g_string_append_printf (html, "<p>%s</p>", escaped);
    }
  if (with_inline_image)
    g_string_append (html, "<p><img src=\"cid:logo@fake.example\" alt=\"logo\" width=\"64\"></p>");
  g_string_append (html, "<p><a href=\"https://example.com/?a=1&amp;b=2\">Open in browser</a></p>"
                         "</div></body></html>");
  return g_string_free (html, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Accounts.                                                               */

static const struct
{
  const char *id;
  const char *name;
  gboolean    hidden;
} gmail_system_labels[] = {
  { "CHAT", "CHAT", TRUE },
  { "SENT", "SENT", FALSE },
  { "INBOX", "INBOX", FALSE },
  { "IMPORTANT", "IMPORTANT", FALSE },
  { "TRASH", "TRASH", FALSE },
  { "DRAFT", "DRAFT", FALSE },
  { "SPAM", "SPAM", FALSE },
  { "CATEGORY_FORUMS", "CATEGORY_FORUMS", TRUE },
  { "CATEGORY_UPDATES", "CATEGORY_UPDATES", TRUE },
  { "CATEGORY_PERSONAL", "CATEGORY_PERSONAL", TRUE },
  { "CATEGORY_PROMOTIONS", "CATEGORY_PROMOTIONS", TRUE },
  { "CATEGORY_SOCIAL", "CATEGORY_SOCIAL", TRUE },
  { "STARRED", "STARRED", FALSE },
  { "UNREAD", "UNREAD", FALSE },
};

static const char *gmail_user_labels[][2] = {
  { "Label_1", "Work" },
  { "Label_2", "Receipts" },
  { "Label_3", "Travel/2024" },
  { "Label_4", "Ünïcödé & Co" },
};

static void
add_label (EmberFakeAccount *account,
           const char       *id,
           const char       *name,
           gboolean          system,
           gboolean          hidden)
{
  EmberFakeLabel *label = g_new0 (EmberFakeLabel, 1);

  label->id = g_strdup (id);
  label->name = g_strdup (name);
  label->system = system;
  label->hidden = hidden;
  g_ptr_array_add (account->labels, label);
}

static EmberFakeFolder *
add_folder (EmberFakeAccount *account,
            const char       *well_known,
            const char       *display_name,
            const char       *parent_id,
            gboolean          hidden)
{
  EmberFakeFolder *folder = g_new0 (EmberFakeFolder, 1);

  folder->key = ++account->next_folder_key;
  folder->change_seq = ++account->mail_seq;
  folder->id = graph_opaque_id (&account->rng, "AAMkAGI2AQ", 40);
  folder->well_known = g_strdup (well_known);
  folder->display_name = g_strdup (display_name);
  folder->parent_id = g_strdup (parent_id);
  folder->hidden = hidden;
  folder->members = g_ptr_array_new ();
  folder->tombstones = g_ptr_array_new_with_free_func (tombstone_free);
  g_ptr_array_add (account->folders, folder);
  return folder;
}

static void
create_folders (EmberFakeAccount *account)
{
  EmberFakeFolder *root = add_folder (account, "msgfolderroot", "Top of Information Store", NULL, FALSE);
  EmberFakeFolder *inbox;
  EmberFakeFolder *projects;

  /* Eleven top-level folders: more than one default page (10) of
   * GET /me/mailFolders. */
  add_folder (account, "archive", "Archive", root->id, FALSE);
  add_folder (account, "conversationhistory", "Conversation History", root->id, FALSE);
  add_folder (account, "deleteditems", "Deleted Items", root->id, FALSE);
  add_folder (account, "drafts", "Drafts", root->id, FALSE);
  inbox = add_folder (account, "inbox", "Inbox", root->id, FALSE);
  add_folder (account, "junkemail", "Junk Email", root->id, FALSE);
  add_folder (account, "outbox", "Outbox", root->id, FALSE);
  add_folder (account, "sentitems", "Sent Items", root->id, FALSE);
  add_folder (account, NULL, "Receipts", root->id, FALSE);
  add_folder (account, NULL, "Newsletters", root->id, FALSE);
  add_folder (account, NULL, "Über uns", root->id, FALSE);
  add_folder (account, "syncissues", "Sync Issues", root->id, TRUE);
  projects = add_folder (account, NULL, "Projects", inbox->id, FALSE);
  add_folder (account, NULL, "Team", inbox->id, FALSE);
  add_folder (account, NULL, "Ember", projects->id, FALSE);
}

static EmberFakeFolder *
folder_by_name (EmberFakeAccount *account,
                const char       *display_name)
{
  for (guint i = 0; i < account->folders->len; i++)
    {
      EmberFakeFolder *folder = g_ptr_array_index (account->folders, i);

      if (g_strcmp0 (folder->display_name, display_name) == 0)
        return folder;
    }
  g_assert_not_reached ();
  return NULL;
}

static void
add_calendar (EmberFakeAccount *account,
              const char       *id,
              const char       *summary,
              const char       *time_zone,
              const char       *color,
              gboolean          primary)
{
  EmberFakeCalendar *calendar = g_new0 (EmberFakeCalendar, 1);

  calendar->id = g_strdup (id);
  calendar->summary = g_strdup (summary);
  calendar->time_zone = g_strdup (time_zone);
  calendar->color = g_strdup (color);
  calendar->primary = primary;
  /* Google's own default for a new calendar; other calendars often have
   * none. */
  calendar->default_reminder_minutes = primary ? 10 : -1;
  calendar->events = g_ptr_array_new_with_free_func (event_free);
  g_ptr_array_add (account->calendars, calendar);
}

static int
compare_by_date_desc (gconstpointer a,
                      gconstpointer b)
{
  const EmberFakeMessage *ma = *(EmberFakeMessage * const *) a;
  const EmberFakeMessage *mb = *(EmberFakeMessage * const *) b;

  if (ma->date_ms != mb->date_ms)
    return ma->date_ms > mb->date_ms ? -1 : 1;
  if (ma->key != mb->key)
    return ma->key > mb->key ? -1 : 1;
  return 0;
}

GPtrArray *
ember_fake_account_messages_by_date (EmberFakeAccount *self)
{
  if (self->by_date == NULL || self->by_date_dirty)
    {
      g_clear_pointer (&self->by_date, g_ptr_array_unref);
      self->by_date = g_ptr_array_new ();
      for (guint i = 0; i < self->messages->len; i++)
        g_ptr_array_add (self->by_date, g_ptr_array_index (self->messages, i));
      g_ptr_array_sort (self->by_date, compare_by_date_desc);
      self->by_date_dirty = FALSE;
    }
  return self->by_date;
}

static void
index_message (EmberFakeAccount *account,
               EmberFakeMessage *message)
{
  g_ptr_array_add (account->messages, message);
  g_hash_table_insert (account->messages_by_id, message->id, message);
  account->by_date_dirty = TRUE;

  if (account->provider == EMBER_FAKE_PROVIDER_MICROSOFT)
    {
      EmberFakeFolder *folder = ember_fake_account_find_folder (account, message->folder_id);

      g_assert (folder != NULL);
      g_ptr_array_add (folder->members, message);
    }
}

gboolean
ember_fake_message_has_label (EmberFakeMessage *message,
                              const char       *label_id)
{
  if (g_strcmp0 (label_id, "UNREAD") == 0)
    return message->unread;
  for (guint i = 0; i < message->labels->len; i++)
    if (g_strcmp0 (g_ptr_array_index (message->labels, i), label_id) == 0)
      return TRUE;
  return FALSE;
}

const char **
ember_fake_message_label_ids (EmberFakeMessage *message)
{
  const char **ids = g_new0 (const char *, message->labels->len + 2);
  guint n = 0;

  if (message->unread)
    ids[n++] = "UNREAD";
  for (guint i = 0; i < message->labels->len; i++)
    ids[n++] = g_ptr_array_index (message->labels, i);
  return ids;
}

static GStrv
label_snapshot (EmberFakeMessage *message)
{
  g_autofree const char **ids = ember_fake_message_label_ids (message);

  return g_strdupv ((char **) ids);
}

static EmberFakeHistory *
append_history (EmberFakeAccount     *account,
                EmberFakeHistoryKind  kind,
                EmberFakeMessage     *message,
                GStrv                 changed_labels)
{
  EmberFakeHistory *history = g_new0 (EmberFakeHistory, 1);

  /* History ids increase but are not contiguous. */
  account->history_id += 1 + ember_fake_rng_below (&account->rng, 4);
  history->id = account->history_id;
  history->kind = kind;
  history->message_id = g_strdup (message->id);
  history->thread_id = g_strdup (message->thread_id);
  history->message_labels = label_snapshot (message);
  history->changed_labels = changed_labels;
  g_ptr_array_add (account->history, history);
  message->history_id = history->id;
  return history;
}

static void
add_gmail_label_to (EmberFakeMessage *message,
                    const char       *label_id)
{
  if (!ember_fake_message_has_label (message, label_id))
    g_ptr_array_add (message->labels, g_strdup (label_id));
}

static void
generate_messages (EmberFakeAccount *account,
                   guint             n_messages,
                   gint64            anchor)
{
  typedef struct
  {
    char    *thread_id;
    char    *subject;
    char    *last_message_id;
    char    *references;
    guint    contact;
  } Thread;
  g_autoptr(GArray) threads = g_array_new (FALSE, TRUE, sizeof (Thread));
  EmberFakeRng *rng = &account->rng;
  gboolean google = account->provider == EMBER_FAKE_PROVIDER_GOOGLE;
  gint64 span_ms = (gint64) 365 * DAY * 1000;
  gint64 first_ms = (anchor - 365 * DAY) * 1000;

  for (guint i = 0; i < n_messages; i++)
    {
      EmberFakeMessage *message = message_new ();
      Thread *thread = NULL;
      const Contact *contact;
      gboolean from_owner;
      gboolean reply = threads->len > 0 && ember_fake_rng_chance (rng, 0.45);
      guint roll;
      gint64 slot = span_ms / MAX (n_messages, 1);

      message->key = account->next_key++;
      message->date_ms = first_ms + slot * i + ember_fake_rng_range (rng, 0, MAX (slot - 1, 0));

      if (reply)
        {
          guint window = MIN (threads->len, 15);

          thread = &g_array_index (threads, Thread, threads->len - 1 - ember_fake_rng_below (rng, window));
          contact = &contacts[thread->contact];
          from_owner = !contact->newsletter && ember_fake_rng_chance (rng, 0.4);
        }
      else
        {
          contact = &contacts[ember_fake_rng_below (rng, G_N_ELEMENTS (contacts))];
          from_owner = !contact->newsletter && ember_fake_rng_chance (rng, 0.12);
        }

      /* Charset first: it limits which text fits. */
      roll = ember_fake_rng_below (rng, 20);
      if (roll < 3 && contact->latin1)
        message->charset = g_strdup ("ISO-8859-1");
      else if (roll < 5 && contact->latin1)
        message->charset = g_strdup ("windows-1252");
      else
        message->charset = g_strdup ("UTF-8");

      if (thread != NULL)
        {
          message->subject = g_str_has_prefix (thread->subject, "Re: ")
                             ? g_strdup (thread->subject)
                             : g_strdup_printf ("Re: %s", thread->subject);
          message->in_reply_to = g_strdup (thread->last_message_id);
          message->references = thread->references != NULL
                                ? g_strdup_printf ("%s %s", thread->references, thread->last_message_id)
                                : g_strdup (thread->last_message_id);
          if (strcmp (message->charset, "UTF-8") != 0 &&
              !g_str_is_ascii (message->subject))
            {
              /* Keep the thread's subject representable. */
              g_free (message->charset);
              message->charset = g_strdup ("UTF-8");
            }
        }
      else if (strcmp (message->charset, "UTF-8") != 0)
        message->subject = g_strdup (subjects_latin1[ember_fake_rng_below (rng, G_N_ELEMENTS (subjects_latin1))]);
      else
        {
          const char *base = subjects_utf8[ember_fake_rng_below (rng, G_N_ELEMENTS (subjects_utf8))];

          if (ember_fake_rng_chance (rng, 0.3))
            message->subject = g_strdup_printf ("%s (%s)", base, cities[ember_fake_rng_below (rng, G_N_ELEMENTS (cities))]);
          else
            message->subject = g_strdup (base);
        }

      if (from_owner)
        {
          message->from.name = g_strdup (account->display_name);
          message->from.address = g_strdup (account->email);
          g_ptr_array_add (message->to, address_new (contact->name, contact->address));
          message->tz_offset_min = google ? 60 : -300;
        }
      else
        {
          message->from.name = g_strdup (contact->name);
          message->from.address = g_strdup (contact->address);
          g_ptr_array_add (message->to, address_new (account->display_name, account->email));
          message->tz_offset_min = contact->tz_offset_min;
        }
      if (ember_fake_rng_chance (rng, 0.2))
        {
          const Contact *cc = &contacts[ember_fake_rng_below (rng, 12)];

          g_ptr_array_add (message->cc, address_new (cc->name, cc->address));
        }

      message->internet_message_id = internet_message_id (rng, message->from.address);
      message->text = make_text (rng, message->charset);

      roll = ember_fake_rng_below (rng, 100);
      if (roll < 25)
        message->shape = EMBER_FAKE_SHAPE_PLAIN;
      else if (roll < 30)
        message->shape = EMBER_FAKE_SHAPE_HTML;
      else if (roll < 75)
        message->shape = EMBER_FAKE_SHAPE_ALTERNATIVE;
      else if (roll < 87)
        message->shape = EMBER_FAKE_SHAPE_MIXED;
      else if (roll < 93)
        message->shape = EMBER_FAKE_SHAPE_MIXED_PLAIN;
      else
        message->shape = EMBER_FAKE_SHAPE_RELATED;

      if (message->shape != EMBER_FAKE_SHAPE_PLAIN && message->shape != EMBER_FAKE_SHAPE_MIXED_PLAIN)
        message->html = make_html (message->text, message->shape == EMBER_FAKE_SHAPE_RELATED);

      if (message->shape == EMBER_FAKE_SHAPE_MIXED || message->shape == EMBER_FAKE_SHAPE_MIXED_PLAIN)
        {
          static const char *kinds[][2] = {
            { "report.pdf", "application/pdf" },
            { "Übersicht März.csv", "text/csv" },
            { "photo.jpg", "image/jpeg" },
            { "invite.ics", "text/calendar" },
            { "notes.txt", "text/plain" },
            { "Präsentation.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation" },
          };
          guint n_attachments = message->shape == EMBER_FAKE_SHAPE_MIXED ? 1 + ember_fake_rng_below (rng, 3) : 1;

          for (guint a = 0; a < n_attachments; a++)
            {
              EmberFakeAttachment *attachment = g_new0 (EmberFakeAttachment, 1);
              guint kind = ember_fake_rng_below (rng, G_N_ELEMENTS (kinds));
              g_autofree char *token = NULL;

              attachment->filename = g_strdup (kinds[kind][0]);
              attachment->mime_type = g_strdup (kinds[kind][1]);
              attachment->size = 300 + ember_fake_rng_below (rng, 24000);
              attachment->seed = ember_fake_rng_next (rng);
              token = ember_fake_random_token (rng, 90);
              attachment->attachment_id = g_strdup_printf ("ANGjdJ%s", token);
              g_ptr_array_add (message->attachments, attachment);
            }
        }
      else if (message->shape == EMBER_FAKE_SHAPE_RELATED)
        {
          EmberFakeAttachment *attachment = g_new0 (EmberFakeAttachment, 1);
          g_autofree char *token = ember_fake_random_token (rng, 90);

          attachment->filename = g_strdup ("logo.png");
          attachment->mime_type = g_strdup ("image/png");
          attachment->size = 200 + ember_fake_rng_below (rng, 3000);
          attachment->seed = ember_fake_rng_next (rng);
          attachment->content_id = g_strdup ("logo@fake.example");
          attachment->attachment_id = g_strdup_printf ("ANGjdJ%s", token);
          g_ptr_array_add (message->attachments, attachment);
        }

      if (ember_fake_rng_chance (rng, 0.5))
        message->mailer = g_strdup (mailers[ember_fake_rng_below (rng, G_N_ELEMENTS (mailers))]);

      message->unread = !from_owner && message->date_ms > (anchor - 60 * DAY) * 1000 &&
                        ember_fake_rng_chance (rng, 0.35);
      message->draft = from_owner && ember_fake_rng_chance (rng, 0.03);
      if (message->draft)
        message->unread = FALSE;
      message->flagged = ember_fake_rng_chance (rng, 0.05);
      message->created_us = message->date_ms * 1000;
      message->modified_us = message->created_us;

      if (google)
        {
          message->id = gmail_message_id (account, message->date_ms);
          message->thread_id = g_strdup (thread != NULL ? thread->thread_id : message->id);

          if (message->draft)
            add_gmail_label_to (message, "DRAFT");
          else if (from_owner)
            add_gmail_label_to (message, "SENT");
          else
            {
              roll = ember_fake_rng_below (rng, 100);
              if (roll < 2)
                add_gmail_label_to (message, "SPAM");
              else if (roll < 4)
                add_gmail_label_to (message, "TRASH");
              else if (roll < 74)
                add_gmail_label_to (message, "INBOX");
              /* else: archived, no INBOX */
              add_gmail_label_to (message, contact->newsletter ? "CATEGORY_UPDATES" : "CATEGORY_PERSONAL");
              if (ember_fake_rng_chance (rng, 0.2))
                add_gmail_label_to (message, "IMPORTANT");
            }
          if (message->flagged)
            add_gmail_label_to (message, "STARRED");
          for (guint l = 0; l < G_N_ELEMENTS (gmail_user_labels); l++)
            if (ember_fake_rng_chance (rng, 0.07))
              add_gmail_label_to (message, gmail_user_labels[l][0]);
        }
      else
        {
          const char *folder_name;

          message->id = graph_message_id (account);
          message->thread_id = thread != NULL ? g_strdup (thread->thread_id)
                                              : graph_opaque_id (rng, "AAQkAGI2", 40);
          if (message->draft)
            folder_name = "Drafts";
          else if (from_owner)
            folder_name = "Sent Items";
          else
            {
              roll = ember_fake_rng_below (rng, 100);
              if (roll < 60)
                folder_name = "Inbox";
              else if (roll < 75)
                folder_name = "Archive";
              else if (roll < 83)
                folder_name = "Projects";
              else if (roll < 87)
                folder_name = "Ember";
              else if (roll < 92)
                folder_name = "Team";
              else if (roll < 95)
                folder_name = contact->newsletter ? "Newsletters" : "Receipts";
              else if (roll < 98)
                folder_name = "Deleted Items";
              else
                folder_name = "Junk Email";
            }
          message->folder_id = g_strdup (folder_by_name (account, folder_name)->id);
          if (ember_fake_rng_chance (rng, 0.1))
            g_ptr_array_add (message->labels, g_strdup (ember_fake_rng_chance (rng, 0.5) ? "Red category" : "Blue category"));
          account->mail_seq++;
          message->change_seq = account->mail_seq;
        }

      index_message (account, message);
      if (google)
        append_history (account, EMBER_FAKE_HISTORY_MESSAGE_ADDED, message, NULL);

      /* Remember the thread for later replies. */
      if (thread == NULL)
        {
          Thread fresh = { 0, };

          fresh.thread_id = g_strdup (message->thread_id);
          fresh.subject = g_strdup (message->subject);
          fresh.last_message_id = g_strdup (message->internet_message_id);
          fresh.contact = (guint) (contact - contacts);
          g_array_append_val (threads, fresh);
        }
      else
        {
          g_free (thread->last_message_id);
          thread->last_message_id = g_strdup (message->internet_message_id);
          g_free (thread->references);
          thread->references = g_strdup (message->references);
        }
    }

  for (guint i = 0; i < threads->len; i++)
    {
      Thread *thread = &g_array_index (threads, Thread, i);

      g_free (thread->thread_id);
      g_free (thread->subject);
      g_free (thread->last_message_id);
      g_free (thread->references);
    }

}

/* ------------------------------------------------------------------------ */
/* Events.                                                                 */

static gint64
local_time (const char       *time_zone,
            gint64            anchor,
            int               day_offset,
            int               hour,
            int               minute)
{
  GTimeZone *tz = ember_fake_time_zone (time_zone);
  g_autoptr(GDateTime) anchor_utc = g_date_time_new_from_unix_utc (anchor);
  g_autoptr(GDateTime) anchor_local = g_date_time_to_timezone (anchor_utc, tz);
  g_autoptr(GDateTime) day = g_date_time_add_days (anchor_local, day_offset);
  g_autoptr(GDateTime) result = g_date_time_new (tz,
                                                 g_date_time_get_year (day),
                                                 g_date_time_get_month (day),
                                                 g_date_time_get_day_of_month (day),
                                                 hour, minute, 0);

  return g_date_time_to_unix (result);
}

static gint64
utc_midnight (gint64 when,
              int    day_offset)
{
  gint64 day = when / DAY;

  if (when < 0 && when % DAY != 0)
    day--;
  return (day + day_offset) * DAY;
}

static char *
new_event_id (EmberFakeAccount *account)
{
  if (account->provider == EMBER_FAKE_PROVIDER_GOOGLE)
    return google_event_id (&account->rng);
  return graph_opaque_id (&account->rng, "AAMkAGI2AE", 100);
}

static char *
new_ical_uid (EmberFakeAccount *account,
              const char       *event_id)
{
  if (account->provider == EMBER_FAKE_PROVIDER_GOOGLE)
    return g_strdup_printf ("%s@google.com", event_id);
  else
    {
      guint64 a = ember_fake_rng_next (&account->rng);
      guint64 b = ember_fake_rng_next (&account->rng);

      return g_strdup_printf ("040000008200E00074C5B7101A82E00800000000%016" G_GINT64_MODIFIER "X%016" G_GINT64_MODIFIER "X", a, b);
    }
}

/* Most events keep the calendar's default, some have their own (Google
 * offers these in its menu), a few none. Picked from the key rather than
 * the generator so that the rest of the dataset stays as it was. */
static int
pick_reminder (guint64 key)
{
  static const int own[] = { 0, 5, 15, 30, 60, 1440 };
  guint64 hash = (key + 1) * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  guint roll = (guint) ((hash >> 32) % 100);

  if (roll < 65)
    return EMBER_FAKE_REMINDER_DEFAULT;
  if (roll < 88)
    return own[(hash >> 16) % G_N_ELEMENTS (own)];
  return EMBER_FAKE_REMINDER_NONE;
}

static void
generate_events (EmberFakeAccount *account,
                 guint             n_events,
                 gint64            anchor)
{
  EmberFakeRng *rng = &account->rng;
  gboolean google = account->provider == EMBER_FAKE_PROVIDER_GOOGLE;
  EmberFakeCalendar *primary = g_ptr_array_index (account->calendars, 0);

  for (guint i = 0; i < n_events; i++)
    {
      EmberFakeEvent *event = event_new ();
      EmberFakeCalendar *calendar = primary;
      guint roll = ember_fake_rng_below (rng, 100);
      int day_offset = (int) ember_fake_rng_range (rng, -60, 300);
      gboolean recurring = FALSE;

      if (google && account->calendars->len > 1 && ember_fake_rng_chance (rng, 0.2))
        calendar = g_ptr_array_index (account->calendars, 1);

      event->key = account->next_key++;
      event->id = new_event_id (account);
      event->ical_uid = new_ical_uid (account, event->id);
      event->calendar_id = g_strdup (calendar->id);
      event->summary = g_strdup (event_summaries[ember_fake_rng_below (rng, G_N_ELEMENTS (event_summaries))]);
      event->location = g_strdup (event_locations[ember_fake_rng_below (rng, G_N_ELEMENTS (event_locations))]);
      if (ember_fake_rng_chance (rng, 0.4))
        event->description = g_strdup ("Agenda:<br><ul><li>Status</li><li>Next steps &amp; owners</li></ul>");
      event->time_zone = g_strdup (time_zones[ember_fake_rng_below (rng, G_N_ELEMENTS (time_zones))]);
      event->organizer.name = g_strdup (account->display_name);
      event->organizer.address = g_strdup (account->email);
      for (guint a = ember_fake_rng_below (rng, 4); a > 0; a--)
        {
          const Contact *contact = &contacts[ember_fake_rng_below (rng, 12)];

          g_ptr_array_add (event->attendees, address_new (contact->name, contact->address));
        }

      event->reminder_minutes = pick_reminder (event->key);
      event->all_day = (roll >= 50 && roll < 65) || (roll >= 87 && roll < 92);
      recurring = roll >= 65 && roll < 92;
      event->cancelled = roll >= 92 && roll < 97;
      event->tentative = roll >= 97;

      if (event->all_day)
        {
          guint days = ember_fake_rng_chance (rng, 0.85) ? 1 : 2 + ember_fake_rng_below (rng, 2);

          event->start = utc_midnight (anchor, day_offset);
          event->end = event->start + days * DAY;
        }
      else
        {
          static const int durations[] = { 15, 30, 45, 60, 60, 90, 120, 180 };
          int hour = 8 + (int) ember_fake_rng_below (rng, 11);
          int minute = 15 * (int) ember_fake_rng_below (rng, 4);

          event->start = local_time (event->time_zone, anchor, day_offset, hour, minute);
          event->end = event->start + 60 * durations[ember_fake_rng_below (rng, G_N_ELEMENTS (durations))];
          if (google && !recurring && ember_fake_rng_chance (rng, 0.3))
            event->omit_time_zone = TRUE;
        }

      if (recurring)
        {
          guint kind = ember_fake_rng_below (rng, 10);
          gint64 period;

          if (kind < 6)
            {
              event->recurrence.freq = EMBER_FAKE_FREQ_WEEKLY;
              event->recurrence.interval = ember_fake_rng_chance (rng, 0.25) ? 2 : 1;
              period = 7 * DAY * event->recurrence.interval;
            }
          else if (kind < 8)
            {
              event->recurrence.freq = EMBER_FAKE_FREQ_DAILY;
              event->recurrence.interval = 1;
              period = DAY;
            }
          else
            {
              event->recurrence.freq = EMBER_FAKE_FREQ_MONTHLY;
              event->recurrence.interval = 1;
              period = 31 * DAY;
            }
          event->recurrence.count = 4 + ember_fake_rng_below (rng, 17);
          if (ember_fake_rng_chance (rng, 0.3))
            {
              /* UNTIL-bounded: just after the count-th start. */
              event->recurrence.until = event->start + period * (event->recurrence.count - 1) + 3600;
              event->recurrence.count = 0;
            }
        }

      event->seq = ++account->cal_seq;
      event->sequence = ember_fake_rng_below (rng, 3);
      event->created_us = (anchor - ember_fake_rng_range (rng, 2 * DAY, 90 * DAY)) * G_USEC_PER_SEC;
      event->updated_us = event->created_us + ember_fake_rng_range (rng, 0, DAY) * G_USEC_PER_SEC;
      g_ptr_array_add (calendar->events, event);

      if (recurring)
        {
          g_autoptr(GArray) instances = ember_fake_event_expand (event);

          if (instances->len > 2 && ember_fake_rng_chance (rng, 0.3))
            {
              EmberFakeInstance *instance = &g_array_index (instances, EmberFakeInstance,
                                                            1 + ember_fake_rng_below (rng, instances->len - 1));
              EmberFakeException *exception = g_new0 (EmberFakeException, 1);

              exception->original_start = instance->original_start;
              exception->cancelled = TRUE;
              exception->seq = ++account->cal_seq;
              exception->updated_us = event->updated_us;
              g_ptr_array_add (event->exceptions, exception);
            }
          if (instances->len > 3 && ember_fake_rng_chance (rng, 0.2))
            {
              EmberFakeInstance *instance = &g_array_index (instances, EmberFakeInstance, instances->len - 1);
              EmberFakeException *exception = g_new0 (EmberFakeException, 1);

              exception->original_start = instance->original_start;
              exception->summary = g_strdup_printf ("%s (moved)", event->summary);
              exception->start = instance->start + (event->all_day ? DAY : 3600);
              exception->end = instance->end + (event->all_day ? DAY : 3600);
              exception->seq = ++account->cal_seq;
              exception->updated_us = event->updated_us;
              g_ptr_array_add (event->exceptions, exception);
            }
        }
    }
}

/* ------------------------------------------------------------------------ */

EmberFakeAccount *
ember_fake_dataset_add_account (EmberFakeDataset  *self,
                                const char        *email,
                                const char        *display_name,
                                EmberFakeProvider  provider,
                                guint              n_messages,
                                guint              n_events,
                                gint64             now_us)
{
  EmberFakeAccount *account = g_new0 (EmberFakeAccount, 1);
  g_autofree char *folded = g_ascii_strdown (email, -1);

  g_return_val_if_fail (ember_fake_dataset_lookup (self, email) == NULL, NULL);

  account->index = self->accounts->len;
  account->email = g_strdup (folded);
  account->display_name = g_strdup (display_name);
  account->provider = provider;
  ember_fake_rng_init (&account->rng, ember_fake_mix64 (self->seed, account->index + 1));
  account->user_id = guid (&account->rng);
  account->next_key = 1;
  account->messages = g_ptr_array_new_with_free_func (message_free);
  account->messages_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  account->labels = g_ptr_array_new_with_free_func (label_free);
  account->history = g_ptr_array_new_with_free_func (history_free);
  account->folders = g_ptr_array_new_with_free_func (folder_free);
  account->folder_tombstones = g_ptr_array_new_with_free_func (tombstone_free);
  account->calendars = g_ptr_array_new_with_free_func (calendar_free);
  account->event_tombstones = g_ptr_array_new_with_free_func (tombstone_free);
  account->history_id = 100000 + 7919 * account->index;
  account->history_min = account->history_id;
  account->mail_generation = 1;
  account->cal_generation = 1;

  if (provider == EMBER_FAKE_PROVIDER_GOOGLE)
    {
      g_autofree char *team_token = ember_fake_random_token (&account->rng, 20);
      g_autofree char *team_lower = g_ascii_strdown (team_token, -1);
      g_autofree char *team_id = g_strdup_printf ("c_%s@group.calendar.google.com", team_lower);

      for (guint i = 0; i < G_N_ELEMENTS (gmail_system_labels); i++)
        add_label (account, gmail_system_labels[i].id, gmail_system_labels[i].name,
                   TRUE, gmail_system_labels[i].hidden);
      for (guint i = 0; i < G_N_ELEMENTS (gmail_user_labels); i++)
        add_label (account, gmail_user_labels[i][0], gmail_user_labels[i][1], FALSE, FALSE);

      add_calendar (account, account->email, account->email,
                    account->index % 2 == 0 ? "Europe/Zurich" : "America/New_York", "#9fe1e7", TRUE);
      add_calendar (account, team_id, "Team ✨", "Europe/Berlin", "#f83a22", FALSE);
    }
  else
    {
      g_autofree char *calendar_id = graph_opaque_id (&account->rng, "AAMkAGI2AC", 60);

      create_folders (account);
      add_calendar (account, calendar_id, "Calendar", "Europe/London", "auto", TRUE);
    }

  g_ptr_array_add (self->accounts, account);
  g_hash_table_insert (self->by_email, account->email, account);

  generate_messages (account, n_messages, self->anchor);
  generate_events (account, n_events, self->anchor);
  return account;
}

EmberFakeDataset *
ember_fake_dataset_new (guint64 seed,
                        guint   n_messages,
                        guint   n_events,
                        gint64  anchor_unix,
                        gint64  now_us)
{
  EmberFakeDataset *self = g_new0 (EmberFakeDataset, 1);

  self->seed = seed;
  self->anchor = anchor_unix;
  self->accounts = g_ptr_array_new_with_free_func (account_free);
  self->by_email = g_hash_table_new (g_str_hash, g_str_equal);

  ember_fake_dataset_add_account (self, "alice@gmail.test", "Alice Example",
                                  EMBER_FAKE_PROVIDER_GOOGLE, n_messages, n_events, now_us);
  ember_fake_dataset_add_account (self, "bob@gmail.test", "Bob Example",
                                  EMBER_FAKE_PROVIDER_GOOGLE, n_messages, n_events, now_us);
  ember_fake_dataset_add_account (self, "carol@contoso.test", "Carol Example",
                                  EMBER_FAKE_PROVIDER_MICROSOFT, n_messages, n_events, now_us);
  ember_fake_dataset_add_account (self, "dave@contoso.test", "Dave Example",
                                  EMBER_FAKE_PROVIDER_MICROSOFT, n_messages, n_events, now_us);
  return self;
}

void
ember_fake_dataset_free (EmberFakeDataset *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->by_email);
  g_ptr_array_unref (self->accounts);
  g_free (self);
}

EmberFakeAccount *
ember_fake_dataset_lookup (EmberFakeDataset *self,
                           const char       *email)
{
  g_autofree char *folded = NULL;

  if (email == NULL)
    return NULL;
  folded = g_ascii_strdown (email, -1);
  return g_hash_table_lookup (self->by_email, folded);
}

EmberFakeMessage *
ember_fake_account_find_message (EmberFakeAccount *self,
                                 const char       *id)
{
  return id != NULL ? g_hash_table_lookup (self->messages_by_id, id) : NULL;
}

EmberFakeLabel *
ember_fake_account_find_label (EmberFakeAccount *self,
                               const char       *id_or_name)
{
  for (guint i = 0; i < self->labels->len; i++)
    {
      EmberFakeLabel *label = g_ptr_array_index (self->labels, i);

      if (g_strcmp0 (label->id, id_or_name) == 0)
        return label;
    }
  for (guint i = 0; i < self->labels->len; i++)
    {
      EmberFakeLabel *label = g_ptr_array_index (self->labels, i);

      if (id_or_name != NULL && g_utf8_collate (label->name, id_or_name) == 0)
        return label;
    }
  return NULL;
}

EmberFakeFolder *
ember_fake_account_find_folder (EmberFakeAccount *self,
                                const char       *id_or_well_known)
{
  if (id_or_well_known == NULL)
    return NULL;
  for (guint i = 0; i < self->folders->len; i++)
    {
      EmberFakeFolder *folder = g_ptr_array_index (self->folders, i);

      if (strcmp (folder->id, id_or_well_known) == 0 ||
          (folder->well_known != NULL && g_ascii_strcasecmp (folder->well_known, id_or_well_known) == 0))
        return folder;
    }
  return NULL;
}

EmberFakeCalendar *
ember_fake_account_find_calendar (EmberFakeAccount *self,
                                  const char       *id)
{
  if (id == NULL || strcmp (id, "primary") == 0)
    return ember_fake_account_primary_calendar (self);
  for (guint i = 0; i < self->calendars->len; i++)
    {
      EmberFakeCalendar *calendar = g_ptr_array_index (self->calendars, i);

      if (strcmp (calendar->id, id) == 0)
        return calendar;
    }
  return NULL;
}

EmberFakeCalendar *
ember_fake_account_primary_calendar (EmberFakeAccount *self)
{
  return g_ptr_array_index (self->calendars, 0);
}

static EmberFakeEvent *
find_series (EmberFakeAccount *self,
             const char       *id,
             gsize             len)
{
  for (guint c = 0; c < self->calendars->len; c++)
    {
      EmberFakeCalendar *calendar = g_ptr_array_index (self->calendars, c);

      for (guint i = 0; i < calendar->events->len; i++)
        {
          EmberFakeEvent *event = g_ptr_array_index (calendar->events, i);

          if (strlen (event->id) == len && strncmp (event->id, id, len) == 0)
            return event;
        }
    }
  return NULL;
}

EmberFakeEvent *
ember_fake_account_find_event (EmberFakeAccount *self,
                               const char       *id,
                               gint64           *out_original_start)
{
  EmberFakeEvent *event;
  const char *underscore;

  *out_original_start = 0;
  if (id == NULL)
    return NULL;

  event = find_series (self, id, strlen (id));
  if (event != NULL)
    return event;

  /* Google instance ids: "<series>_<YYYYMMDD>[T<HHMMSS>Z]". */
  underscore = strrchr (id, '_');
  if (self->provider == EMBER_FAKE_PROVIDER_GOOGLE && underscore != NULL)
    {
      event = find_series (self, id, underscore - id);
      if (event != NULL && event->recurrence.freq != EMBER_FAKE_FREQ_NONE)
        {
          g_autoptr(GArray) instances = ember_fake_event_expand (event);

          for (guint i = 0; i < instances->len; i++)
            {
              EmberFakeInstance *instance = &g_array_index (instances, EmberFakeInstance, i);
              g_autofree char *instance_id = ember_fake_event_google_instance_id (event, instance->original_start);

              if (strcmp (instance_id, id) == 0)
                {
                  *out_original_start = instance->original_start;
                  return event;
                }
            }
        }
      return NULL;
    }

  /* Graph occurrence ids are opaque: compare against every series. */
  for (guint c = 0; c < self->calendars->len; c++)
    {
      EmberFakeCalendar *calendar = g_ptr_array_index (self->calendars, c);

      for (guint i = 0; i < calendar->events->len; i++)
        {
          EmberFakeEvent *series = g_ptr_array_index (calendar->events, i);
          g_autoptr(GArray) instances = NULL;

          if (series->recurrence.freq == EMBER_FAKE_FREQ_NONE)
            continue;
          instances = ember_fake_event_expand (series);
          for (guint k = 0; k < instances->len; k++)
            {
              EmberFakeInstance *instance = &g_array_index (instances, EmberFakeInstance, k);
              g_autofree char *instance_id = ember_fake_event_graph_instance_id (series, instance->original_start);

              if (strcmp (instance_id, id) == 0)
                {
                  *out_original_start = instance->original_start;
                  return series;
                }
            }
        }
    }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Mail mutations.                                                          */

static gboolean
not_found (GError    **error,
           const char *what,
           const char *id)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No %s with id “%s”", what, id);
  return FALSE;
}

static const char *
resolve_label (EmberFakeAccount *self,
               const char       *id_or_name,
               GError          **error)
{
  EmberFakeLabel *label;

  if (g_ascii_strcasecmp (id_or_name, "UNREAD") == 0)
    return "UNREAD";
  label = ember_fake_account_find_label (self, id_or_name);
  if (label == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No label “%s”", id_or_name);
      return NULL;
    }
  return label->id;
}

static void
touch_graph_message (EmberFakeAccount *self,
                     EmberFakeMessage *message,
                     gint64            now_us)
{
  message->change_seq = ++self->mail_seq;
  message->change_count++;
  message->modified_us = now_us;
}

EmberFakeMessage *
ember_fake_account_add_message (EmberFakeAccount          *self,
                                const EmberFakeMessageSpec *spec,
                                gint64                     now_us,
                                GError                   **error)
{
  EmberFakeMessage *message;
  gint64 date_ms = spec->date > 0 ? spec->date * 1000 : now_us / 1000;
  g_autoptr(GPtrArray) label_ids = g_ptr_array_new ();
  EmberFakeFolder *folder = NULL;
  const char *thread_id = NULL;

  if (self->provider == EMBER_FAKE_PROVIDER_GOOGLE)
    {
      const char * const default_labels[] = { "INBOX", NULL };
      const char * const *labels = spec->labels != NULL ? spec->labels : default_labels;

      for (guint i = 0; labels[i] != NULL; i++)
        {
          const char *id = resolve_label (self, labels[i], error);

          if (id == NULL)
            return NULL;
          g_ptr_array_add (label_ids, (gpointer) id);
        }
      if (spec->thread_id != NULL)
        {
          for (guint i = 0; i < self->messages->len && thread_id == NULL; i++)
            {
              EmberFakeMessage *other = g_ptr_array_index (self->messages, i);

              if (strcmp (other->thread_id, spec->thread_id) == 0)
                thread_id = other->thread_id;
            }
          if (thread_id == NULL)
            {
              not_found (error, "thread", spec->thread_id);
              return NULL;
            }
        }
    }
  else
    {
      folder = ember_fake_account_find_folder (self, spec->folder != NULL ? spec->folder : "inbox");
      if (folder == NULL)
        {
          not_found (error, "folder", spec->folder);
          return NULL;
        }
    }

  message = message_new ();
  message->key = self->next_key++;
  message->date_ms = date_ms;
  message->subject = g_strdup (spec->subject != NULL ? spec->subject : "New message");
  message->from.name = g_strdup (spec->from_name != NULL ? spec->from_name
                                 : spec->from_address != NULL ? NULL : "Runtime Sender");
  message->from.address = g_strdup (spec->from_address != NULL ? spec->from_address : "sender@example.com");
  g_ptr_array_add (message->to, address_new (spec->to_address != NULL ? NULL : self->display_name,
                                             spec->to_address != NULL ? spec->to_address : self->email));
  message->internet_message_id = internet_message_id (&self->rng, message->from.address);
  message->text = g_strdup (spec->text != NULL ? spec->text : "Hello from the fake server.\n");
  message->html = g_strdup (spec->html);
  message->charset = g_strdup ("UTF-8");
  message->shape = spec->html != NULL ? EMBER_FAKE_SHAPE_ALTERNATIVE : EMBER_FAKE_SHAPE_PLAIN;
  message->unread = spec->unread;
  message->created_us = now_us;
  message->modified_us = now_us;

  if (self->provider == EMBER_FAKE_PROVIDER_GOOGLE)
    {
      message->id = gmail_message_id (self, date_ms);
      message->thread_id = g_strdup (thread_id != NULL ? thread_id : message->id);
      for (guint i = 0; i < label_ids->len; i++)
        {
          const char *id = g_ptr_array_index (label_ids, i);

          if (strcmp (id, "UNREAD") == 0)
            message->unread = TRUE;
          else
            add_gmail_label_to (message, id);
        }
      index_message (self, message);
      append_history (self, EMBER_FAKE_HISTORY_MESSAGE_ADDED, message, NULL);
    }
  else
    {
      message->id = graph_message_id (self);
      message->thread_id = graph_opaque_id (&self->rng, "AAQkAGI2", 40);
      message->folder_id = g_strdup (folder->id);
      message->draft = folder->well_known != NULL && strcmp (folder->well_known, "drafts") == 0;
      message->change_seq = ++self->mail_seq;
      index_message (self, message);
    }

  return message;
}

static void
remove_from_folder (EmberFakeAccount *self,
                    EmberFakeMessage *message,
                    gboolean          restorable)
{
  EmberFakeFolder *folder = ember_fake_account_find_folder (self, message->folder_id);
  EmberFakeTombstone *tombstone = g_new0 (EmberFakeTombstone, 1);

  g_assert (folder != NULL);
  g_ptr_array_remove (folder->members, message);
  tombstone->key = message->key;
  tombstone->id = g_strdup (message->id);
  tombstone->seq = ++self->mail_seq;
  tombstone->restorable = restorable;
  g_ptr_array_add (folder->tombstones, tombstone);
}

gboolean
ember_fake_account_delete_message (EmberFakeAccount *self,
                                   const char       *id,
                                   gint64            now_us,
                                   GError          **error)
{
  EmberFakeMessage *message = ember_fake_account_find_message (self, id);

  if (message == NULL)
    return not_found (error, "message", id);

  if (self->provider == EMBER_FAKE_PROVIDER_GOOGLE)
    append_history (self, EMBER_FAKE_HISTORY_MESSAGE_DELETED, message, NULL);
  else
    remove_from_folder (self, message, FALSE);

  g_hash_table_remove (self->messages_by_id, message->id);
  self->by_date_dirty = TRUE;
  g_ptr_array_remove (self->messages, message);
  return TRUE;
}

EmberFakeFolder *
ember_fake_account_add_folder (EmberFakeAccount  *self,
                               const char        *display_name,
                               const char        *parent,
                               GError           **error)
{
  EmberFakeFolder *parent_folder;

  g_return_val_if_fail (display_name != NULL, NULL);

  if (self->provider != EMBER_FAKE_PROVIDER_MICROSOFT)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "Only Graph accounts have folders");
      return NULL;
    }
  parent_folder = ember_fake_account_find_folder (self, parent != NULL ? parent : "msgfolderroot");
  if (parent_folder == NULL)
    {
      not_found (error, "folder", parent);
      return NULL;
    }
  return add_folder (self, NULL, display_name, parent_folder->id, FALSE);
}

gboolean
ember_fake_account_rename_folder (EmberFakeAccount  *self,
                                  const char        *id,
                                  const char        *display_name,
                                  GError           **error)
{
  EmberFakeFolder *folder = ember_fake_account_find_folder (self, id);

  g_return_val_if_fail (display_name != NULL, FALSE);

  if (folder == NULL)
    return not_found (error, "folder", id);
  g_free (folder->display_name);
  folder->display_name = g_strdup (display_name);
  folder->change_seq = ++self->mail_seq;
  return TRUE;
}

gboolean
ember_fake_account_delete_folder (EmberFakeAccount  *self,
                                  const char        *id,
                                  gint64             now_us,
                                  GError           **error)
{
  EmberFakeFolder *folder = ember_fake_account_find_folder (self, id);
  g_autoptr(GPtrArray) members = NULL;
  EmberFakeTombstone *tombstone;

  if (folder == NULL)
    return not_found (error, "folder", id);
  if (folder->well_known != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "The well-known folder “%s” cannot be deleted", folder->well_known);
      return FALSE;
    }

  /* Children first: each goes with its own tombstone. */
  for (guint i = 0; i < self->folders->len; )
    {
      EmberFakeFolder *child = g_ptr_array_index (self->folders, i);
      g_autofree char *child_id = NULL;

      if (g_strcmp0 (child->parent_id, folder->id) != 0)
        {
          i++;
          continue;
        }
      child_id = g_strdup (child->id);
      if (!ember_fake_account_delete_folder (self, child_id, now_us, error))
        return FALSE;
      i = 0;
    }

  members = g_ptr_array_copy (folder->members, NULL, NULL);
  for (guint i = 0; i < members->len; i++)
    {
      EmberFakeMessage *message = g_ptr_array_index (members, i);
      g_autofree char *message_id = g_strdup (message->id);

      if (!ember_fake_account_delete_message (self, message_id, now_us, error))
        return FALSE;
    }

  tombstone = g_new0 (EmberFakeTombstone, 1);
  tombstone->key = folder->key;
  tombstone->id = g_strdup (folder->id);
  tombstone->seq = ++self->mail_seq;
  g_ptr_array_add (self->folder_tombstones, tombstone);
  g_ptr_array_remove (self->folders, folder);
  return TRUE;
}

static void
gmail_change_labels (EmberFakeAccount *self,
                     EmberFakeMessage *message,
                     GPtrArray        *add,
                     GPtrArray        *remove)
{
  g_autoptr(GStrvBuilder) added = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) removed = g_strv_builder_new ();
  g_auto(GStrv) added_v = NULL;
  g_auto(GStrv) removed_v = NULL;

  for (guint i = 0; i < add->len; i++)
    {
      const char *id = g_ptr_array_index (add, i);

      if (ember_fake_message_has_label (message, id))
        continue;
      if (strcmp (id, "UNREAD") == 0)
        message->unread = TRUE;
      else
        g_ptr_array_add (message->labels, g_strdup (id));
      g_strv_builder_add (added, id);
    }
  added_v = g_strv_builder_end (added);
  if (added_v[0] != NULL)
    append_history (self, EMBER_FAKE_HISTORY_LABELS_ADDED, message, g_steal_pointer (&added_v));

  for (guint i = 0; i < remove->len; i++)
    {
      const char *id = g_ptr_array_index (remove, i);

      if (!ember_fake_message_has_label (message, id))
        continue;
      if (strcmp (id, "UNREAD") == 0)
        message->unread = FALSE;
      else
        {
          for (guint k = 0; k < message->labels->len; k++)
            if (strcmp (g_ptr_array_index (message->labels, k), id) == 0)
              {
                g_ptr_array_remove_index (message->labels, k);
                break;
              }
        }
      g_strv_builder_add (removed, id);
    }
  removed_v = g_strv_builder_end (removed);
  if (removed_v[0] != NULL)
    append_history (self, EMBER_FAKE_HISTORY_LABELS_REMOVED, message, g_steal_pointer (&removed_v));
}

gboolean
ember_fake_account_set_unread (EmberFakeAccount *self,
                               const char       *id,
                               gboolean          unread,
                               gint64            now_us,
                               GError          **error)
{
  EmberFakeMessage *message = ember_fake_account_find_message (self, id);

  if (message == NULL)
    return not_found (error, "message", id);

  if (self->provider == EMBER_FAKE_PROVIDER_GOOGLE)
    {
      g_autoptr(GPtrArray) add = g_ptr_array_new ();
      g_autoptr(GPtrArray) remove = g_ptr_array_new ();

      g_ptr_array_add (unread ? add : remove, (gpointer) "UNREAD");
      gmail_change_labels (self, message, add, remove);
    }
  else if (message->unread != unread)
    {
      message->unread = unread;
      touch_graph_message (self, message, now_us);
    }
  return TRUE;
}

gboolean
ember_fake_account_relabel (EmberFakeAccount   *self,
                            const char         *id,
                            const char * const *add,
                            const char * const *remove,
                            gint64              now_us,
                            GError            **error)
{
  EmberFakeMessage *message = ember_fake_account_find_message (self, id);

  if (message == NULL)
    return not_found (error, "message", id);

  if (self->provider == EMBER_FAKE_PROVIDER_GOOGLE)
    {
      g_autoptr(GPtrArray) add_ids = g_ptr_array_new ();
      g_autoptr(GPtrArray) remove_ids = g_ptr_array_new ();

      for (guint i = 0; add != NULL && add[i] != NULL; i++)
        {
          const char *label = resolve_label (self, add[i], error);

          if (label == NULL)
            return FALSE;
          g_ptr_array_add (add_ids, (gpointer) label);
        }
      for (guint i = 0; remove != NULL && remove[i] != NULL; i++)
        {
          const char *label = resolve_label (self, remove[i], error);

          if (label == NULL)
            return FALSE;
          g_ptr_array_add (remove_ids, (gpointer) label);
        }
      gmail_change_labels (self, message, add_ids, remove_ids);
    }
  else
    {
      /* Outlook has categories instead of labels. */
      gboolean changed = FALSE;

      for (guint i = 0; add != NULL && add[i] != NULL; i++)
        if (!ember_fake_message_has_label (message, add[i]))
          {
            g_ptr_array_add (message->labels, g_strdup (add[i]));
            changed = TRUE;
          }
      for (guint i = 0; remove != NULL && remove[i] != NULL; i++)
        for (guint k = 0; k < message->labels->len; k++)
          if (strcmp (g_ptr_array_index (message->labels, k), remove[i]) == 0)
            {
              g_ptr_array_remove_index (message->labels, k);
              changed = TRUE;
              break;
            }
      if (changed)
        touch_graph_message (self, message, now_us);
    }
  return TRUE;
}

char *
ember_fake_account_move_message (EmberFakeAccount *self,
                                 const char       *id,
                                 const char       *destination,
                                 gint64            now_us,
                                 GError          **error)
{
  EmberFakeMessage *message = ember_fake_account_find_message (self, id);

  if (message == NULL)
    {
      not_found (error, "message", id);
      return NULL;
    }

  if (self->provider == EMBER_FAKE_PROVIDER_GOOGLE)
    {
      g_autoptr(GPtrArray) add = g_ptr_array_new ();
      g_autoptr(GPtrArray) remove = g_ptr_array_new ();

      if (g_ascii_strcasecmp (destination, "inbox") == 0)
        {
          g_ptr_array_add (add, (gpointer) "INBOX");
          g_ptr_array_add (remove, (gpointer) "TRASH");
          g_ptr_array_add (remove, (gpointer) "SPAM");
        }
      else if (g_ascii_strcasecmp (destination, "archive") == 0)
        g_ptr_array_add (remove, (gpointer) "INBOX");
      else if (g_ascii_strcasecmp (destination, "trash") == 0)
        {
          g_ptr_array_add (add, (gpointer) "TRASH");
          g_ptr_array_add (remove, (gpointer) "INBOX");
          g_ptr_array_add (remove, (gpointer) "SPAM");
        }
      else if (g_ascii_strcasecmp (destination, "spam") == 0)
        {
          g_ptr_array_add (add, (gpointer) "SPAM");
          g_ptr_array_add (remove, (gpointer) "INBOX");
          g_ptr_array_add (remove, (gpointer) "TRASH");
        }
      else
        {
          const char *label = resolve_label (self, destination, error);

          if (label == NULL)
            return NULL;
          g_ptr_array_add (add, (gpointer) label);
        }
      gmail_change_labels (self, message, add, remove);
      return g_strdup (message->id);
    }
  else
    {
      EmberFakeFolder *folder = ember_fake_account_find_folder (self, destination);

      if (folder == NULL)
        {
          not_found (error, "folder", destination);
          return NULL;
        }
      if (strcmp (folder->id, message->folder_id) == 0)
        return g_strdup (message->id);

      remove_from_folder (self, message, TRUE);

      /* Outlook ids change on a move: the message is a new item there. */
      g_hash_table_remove (self->messages_by_id, message->id);
      {
        guint index;

        if (g_ptr_array_find (self->messages, message, &index))
          g_ptr_array_steal_index (self->messages, index);
      }
      g_free (message->id);
      message->id = graph_message_id (self);
      message->key = self->next_key++;
      g_free (message->folder_id);
      message->folder_id = g_strdup (folder->id);
      message->draft = folder->well_known != NULL && strcmp (folder->well_known, "drafts") == 0;
      touch_graph_message (self, message, now_us);
      index_message (self, message);
      return g_strdup (message->id);
    }
}

/* ------------------------------------------------------------------------ */
/* Calendar mutations.                                                      */

static GPtrArray *
graph_instance_ids (EmberFakeEvent *event)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) instances = NULL;

  if (event->recurrence.freq == EMBER_FAKE_FREQ_NONE)
    {
      g_ptr_array_add (ids, g_strdup (event->id));
      return ids;
    }
  instances = ember_fake_event_expand (event);
  for (guint i = 0; i < instances->len; i++)
    {
      EmberFakeInstance *instance = &g_array_index (instances, EmberFakeInstance, i);

      g_ptr_array_add (ids, ember_fake_event_graph_instance_id (event, instance->original_start));
    }
  return ids;
}

static gboolean
strv_contains_id (GPtrArray  *ids,
                  const char *id)
{
  for (guint i = 0; i < ids->len; i++)
    if (strcmp (g_ptr_array_index (ids, i), id) == 0)
      return TRUE;
  return FALSE;
}

/* Occurrences whose ids vanished with a change are reported as removed by
 * the next calendarView delta. */
static void
tombstone_vanished (EmberFakeAccount *self,
                    EmberFakeEvent   *event,
                    GPtrArray        *before)
{
  g_autoptr(GPtrArray) after = NULL;

  if (self->provider != EMBER_FAKE_PROVIDER_MICROSOFT)
    return;
  after = graph_instance_ids (event);
  for (guint i = 0; i < before->len; i++)
    {
      const char *id = g_ptr_array_index (before, i);

      if (!strv_contains_id (after, id))
        {
          EmberFakeTombstone *tombstone = g_new0 (EmberFakeTombstone, 1);

          tombstone->key = event->key;
          /* Unique, and before the series' live occurrences. */
          tombstone->minor = G_MININT64 + self->event_tombstones->len;
          tombstone->id = g_strdup (id);
          tombstone->seq = event->seq;
          g_ptr_array_add (self->event_tombstones, tombstone);
        }
    }
}

static gboolean
apply_times (EmberFakeEvent             *event,
             const EmberFakeEventSpec *change,
             GError                    **error)
{
  gint64 start = change->start;
  gint64 end = change->end;

  if (change->all_day)
    {
      start = utc_midnight (start, 0);
      end = end > 0 ? utc_midnight (end - 1, 1) : start + DAY;
    }
  else if (end <= 0)
    end = start + 3600;

  if (end <= start)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The event must end after it starts");
      return FALSE;
    }
  event->all_day = change->all_day;
  event->start = start;
  event->end = end;
  return TRUE;
}

EmberFakeEvent *
ember_fake_account_add_event (EmberFakeAccount           *self,
                              const EmberFakeEventSpec *spec,
                              gint64                      now_us,
                              GError                    **error)
{
  EmberFakeCalendar *calendar = ember_fake_account_find_calendar (self, spec->calendar);
  EmberFakeEvent *event;
  EmberFakeRecurrence recurrence = { EMBER_FAKE_FREQ_NONE, 1, 0, 0 };
  const char *time_zone = spec->time_zone != NULL ? spec->time_zone : "UTC";

  if (calendar == NULL)
    {
      not_found (error, "calendar", spec->calendar);
      return NULL;
    }
  if (ember_fake_time_zone (time_zone) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Unknown time zone “%s”", time_zone);
      return NULL;
    }
  if (spec->rrule != NULL && !ember_fake_recurrence_parse (spec->rrule, &recurrence, error))
    return NULL;

  event = event_new ();
  if (!apply_times (event, spec, error))
    {
      event_free (event);
      return NULL;
    }
  event->key = self->next_key++;
  event->id = new_event_id (self);
  event->ical_uid = new_ical_uid (self, event->id);
  event->calendar_id = g_strdup (calendar->id);
  event->summary = g_strdup (spec->summary != NULL ? spec->summary : "Untitled");
  event->location = g_strdup (spec->location != NULL ? spec->location : "");
  event->description = g_strdup (spec->description);
  event->time_zone = g_strdup (time_zone);
  event->recurrence = recurrence;
  event->organizer.name = g_strdup (self->display_name);
  event->organizer.address = g_strdup (self->email);
  if (spec->set_reminder)
    event->reminder_minutes = spec->reminder_minutes;
  event->seq = ++self->cal_seq;
  event->created_us = now_us;
  event->updated_us = now_us;
  g_ptr_array_add (calendar->events, event);
  return event;
}

static EmberFakeException *
find_or_add_exception (EmberFakeEvent *event,
                       gint64          original_start)
{
  EmberFakeException *exception;

  for (guint i = 0; i < event->exceptions->len; i++)
    {
      exception = g_ptr_array_index (event->exceptions, i);
      if (exception->original_start == original_start)
        return exception;
    }
  exception = g_new0 (EmberFakeException, 1);
  exception->original_start = original_start;
  g_ptr_array_add (event->exceptions, exception);
  return exception;
}

gboolean
ember_fake_account_change_event (EmberFakeAccount           *self,
                                 const char                 *id,
                                 const EmberFakeEventSpec *change,
                                 gint64                      now_us,
                                 GError                    **error)
{
  gint64 original_start = 0;
  EmberFakeEvent *event = ember_fake_account_find_event (self, id, &original_start);
  g_autoptr(GPtrArray) before = NULL;

  if (event == NULL || event->deleted)
    return not_found (error, "event", id);

  if (original_start != 0)
    {
      EmberFakeException *exception = find_or_add_exception (event, original_start);

      if (change->summary != NULL)
        {
          g_free (exception->summary);
          exception->summary = g_strdup (change->summary);
        }
      if (change->set_times)
        {
          if (change->end <= change->start)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "The event must end after it starts");
              return FALSE;
            }
          exception->start = change->start;
          exception->end = change->end;
        }
      exception->seq = ++self->cal_seq;
      exception->updated_us = now_us;
      return TRUE;
    }

  before = graph_instance_ids (event);
  if (change->set_times)
    {
      EmberFakeEvent scratch = *event;

      if (!apply_times (&scratch, change, error))
        return FALSE;
      event->all_day = scratch.all_day;
      event->start = scratch.start;
      event->end = scratch.end;
    }
  if (change->time_zone != NULL)
    {
      if (ember_fake_time_zone (change->time_zone) == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Unknown time zone “%s”", change->time_zone);
          return FALSE;
        }
      g_free (event->time_zone);
      event->time_zone = g_strdup (change->time_zone);
    }
  if (change->rrule != NULL)
    {
      EmberFakeRecurrence recurrence = { EMBER_FAKE_FREQ_NONE, 1, 0, 0 };

      if (*change->rrule != '\0' && !ember_fake_recurrence_parse (change->rrule, &recurrence, error))
        return FALSE;
      event->recurrence = recurrence;
    }
  if (change->summary != NULL)
    {
      g_free (event->summary);
      event->summary = g_strdup (change->summary);
    }
  if (change->location != NULL)
    {
      g_free (event->location);
      event->location = g_strdup (change->location);
    }
  if (change->description != NULL)
    {
      g_free (event->description);
      event->description = g_strdup (change->description);
    }
  if (change->set_reminder)
    event->reminder_minutes = change->reminder_minutes;
  event->seq = ++self->cal_seq;
  event->sequence++;
  event->updated_us = now_us;
  tombstone_vanished (self, event, before);
  return TRUE;
}

static gboolean
cancel_or_delete (EmberFakeAccount *self,
                  const char       *id,
                  gboolean          delete,
                  gint64            now_us,
                  GError          **error)
{
  gint64 original_start = 0;
  EmberFakeEvent *event = ember_fake_account_find_event (self, id, &original_start);

  if (event == NULL || event->deleted)
    return not_found (error, "event", id);

  if (original_start != 0)
    {
      EmberFakeException *exception = find_or_add_exception (event, original_start);

      exception->cancelled = TRUE;
      exception->seq = ++self->cal_seq;
      exception->updated_us = now_us;
      return TRUE;
    }

  if (delete)
    event->deleted = TRUE;
  else
    event->cancelled = TRUE;
  event->seq = ++self->cal_seq;
  event->sequence++;
  event->updated_us = now_us;
  return TRUE;
}

gboolean
ember_fake_account_cancel_event (EmberFakeAccount *self,
                                 const char       *id,
                                 gint64            now_us,
                                 GError          **error)
{
  return cancel_or_delete (self, id, FALSE, now_us, error);
}

gboolean
ember_fake_account_delete_event (EmberFakeAccount *self,
                                 const char       *id,
                                 gint64            now_us,
                                 GError          **error)
{
  return cancel_or_delete (self, id, TRUE, now_us, error);
}

void
ember_fake_account_expire_history (EmberFakeAccount *self)
{
  /* Everything before now is gone; the next id (from getProfile) is valid. */
  self->history_id += 1000 + ember_fake_rng_below (&self->rng, 1000);
  self->history_min = self->history_id;
  g_ptr_array_set_size (self->history, 0);
}

void
ember_fake_account_expire_sync (EmberFakeAccount *self)
{
  self->mail_generation++;
  self->cal_generation++;
}
