-- version-002.sql: full-text search over messages
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- An external-content FTS5 index whose content is a view over messages, so
-- the text is stored once and 'rebuild' can re-index from the messages table.
-- Triggers keep it in step; the 'delete' command must be given exactly the
-- values that were indexed, hence the same expressions everywhere.
--
-- The snippet (Gmail snippet, Graph bodyPreview) is the start of the body,
-- so it is indexed only while the body is not stored: indexing it twice
-- costs time and skews ranking.

CREATE VIEW message_search_source AS
  SELECT id,
         subject,
         coalesce (from_name, '') || ' ' || coalesce (from_address, '') AS sender,
         coalesce (to_recipients, '') || ' ' || coalesce (cc_recipients, '') AS recipients,
         CASE WHEN body_text IS NULL THEN coalesce (snippet, '') ELSE '' END AS preview,
         coalesce (body_text, '') AS body
  FROM messages;

CREATE VIRTUAL TABLE message_search USING fts5 (
  subject,
  sender,
  recipients,
  preview,
  body,
  content = 'message_search_source',
  content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
BEGIN
  INSERT INTO message_search (rowid, subject, sender, recipients, preview, body)
  VALUES (new.id,
          new.subject,
          coalesce (new.from_name, '') || ' ' || coalesce (new.from_address, ''),
          coalesce (new.to_recipients, '') || ' ' || coalesce (new.cc_recipients, ''),
          CASE WHEN new.body_text IS NULL THEN coalesce (new.snippet, '') ELSE '' END,
          coalesce (new.body_text, ''));
END;

CREATE TRIGGER messages_search_delete AFTER DELETE ON messages
BEGIN
  INSERT INTO message_search (message_search, rowid, subject, sender, recipients, preview, body)
  VALUES ('delete',
          old.id,
          old.subject,
          coalesce (old.from_name, '') || ' ' || coalesce (old.from_address, ''),
          coalesce (old.to_recipients, '') || ' ' || coalesce (old.cc_recipients, ''),
          CASE WHEN old.body_text IS NULL THEN coalesce (old.snippet, '') ELSE '' END,
          coalesce (old.body_text, ''));
END;

-- Flag changes (unread, starred) and replays of unchanged text leave the
-- index alone.
CREATE TRIGGER messages_search_update
AFTER UPDATE OF subject, from_name, from_address, to_recipients, cc_recipients, snippet, body_text
ON messages
WHEN old.subject IS NOT new.subject
  OR old.from_name IS NOT new.from_name
  OR old.from_address IS NOT new.from_address
  OR old.to_recipients IS NOT new.to_recipients
  OR old.cc_recipients IS NOT new.cc_recipients
  OR old.snippet IS NOT new.snippet
  OR old.body_text IS NOT new.body_text
BEGIN
  INSERT INTO message_search (message_search, rowid, subject, sender, recipients, preview, body)
  VALUES ('delete',
          old.id,
          old.subject,
          coalesce (old.from_name, '') || ' ' || coalesce (old.from_address, ''),
          coalesce (old.to_recipients, '') || ' ' || coalesce (old.cc_recipients, ''),
          CASE WHEN old.body_text IS NULL THEN coalesce (old.snippet, '') ELSE '' END,
          coalesce (old.body_text, ''));
  INSERT INTO message_search (rowid, subject, sender, recipients, preview, body)
  VALUES (new.id,
          new.subject,
          coalesce (new.from_name, '') || ' ' || coalesce (new.from_address, ''),
          coalesce (new.to_recipients, '') || ' ' || coalesce (new.cc_recipients, ''),
          CASE WHEN new.body_text IS NULL THEN coalesce (new.snippet, '') ELSE '' END,
          coalesce (new.body_text, ''));
END;

-- Each sync page is a transaction, and FTS5 writes a segment per
-- transaction; merging after 16 segments per level rather than 4 halves the
-- merge work of a long sync for a few more segments to read per term.
-- ember_store_optimize_sync () merges them when the sync is done.
INSERT INTO message_search (message_search, rank) VALUES ('automerge', 16);

-- A hit in the subject or sender counts more than one in the body.
INSERT INTO message_search (message_search, rank) VALUES ('rank', 'bm25(10.0, 5.0, 2.0, 2.0, 1.0)');

-- Messages stored before this version.
INSERT INTO message_search (message_search) VALUES ('rebuild');
