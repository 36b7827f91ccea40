-- version-003.sql: keyset pages over large folders
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- A page of a folder, newest first, must not read the whole folder. The
-- message date is copied into the membership table so that one index walk
-- (folder_id, date, message_id) yields the page. The store writes the date
-- when it adds a membership; the trigger follows later date changes.

ALTER TABLE message_folders ADD COLUMN date INTEGER NOT NULL DEFAULT 0;

UPDATE message_folders
   SET date = (SELECT messages.date FROM messages WHERE messages.id = message_folders.message_id);

DROP INDEX message_folders_by_folder;
CREATE INDEX message_folders_by_folder_date ON message_folders (folder_id, date DESC, message_id DESC);

CREATE TRIGGER messages_date_to_folders AFTER UPDATE OF date ON messages
WHEN old.date IS NOT new.date
BEGIN
  UPDATE message_folders SET date = new.date WHERE message_id = new.id;
END;

-- "All mail" of one account, newest first (of all accounts: one walk per
-- account, merged).
CREATE INDEX messages_by_account_date ON messages (account_id, date DESC, id DESC);
