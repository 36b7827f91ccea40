-- version-001.sql: accounts, folders, messages, calendars, events, sync state
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Applied scripts are never edited; later changes go into a new
-- version-NNN.sql. Times are epoch seconds, UTC. Tokens never live here:
-- they are in the keyring.

-- AUTOINCREMENT so that the id of a removed account is never handed to a new
-- one: keyring items and logs refer to accounts by id.
CREATE TABLE accounts (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  provider         TEXT NOT NULL CHECK (provider IN ('gmail', 'microsoft')),
  email            TEXT NOT NULL,
  display_name     TEXT,
  api_base         TEXT,
  auth_base        TEXT,
  client_id        TEXT,
  mail_enabled     INTEGER NOT NULL DEFAULT 1 CHECK (mail_enabled IN (0, 1)),
  calendar_enabled INTEGER NOT NULL DEFAULT 1 CHECK (calendar_enabled IN (0, 1)),
  created          INTEGER NOT NULL,
  UNIQUE (provider, email)
);

-- Gmail labels and Graph mail folders. The parent is kept as the provider's
-- id because a folder delta may deliver a child before its parent.
CREATE TABLE folders (
  id                 INTEGER PRIMARY KEY,
  account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  provider_id        TEXT NOT NULL,
  name               TEXT NOT NULL,
  kind               TEXT NOT NULL DEFAULT 'other'
                     CHECK (kind IN ('inbox', 'sent', 'archive', 'trash', 'drafts',
                                     'junk', 'label', 'other')),
  parent_provider_id TEXT,
  UNIQUE (account_id, provider_id)
);

CREATE TABLE messages (
  id                  INTEGER PRIMARY KEY,
  account_id          INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  provider_id         TEXT NOT NULL,
  thread_id           TEXT,
  internet_message_id TEXT,
  subject             TEXT NOT NULL DEFAULT '',
  from_name           TEXT,
  from_address        TEXT,
  to_recipients       TEXT,
  cc_recipients       TEXT,
  date                INTEGER NOT NULL,
  snippet             TEXT,
  unread              INTEGER NOT NULL DEFAULT 0 CHECK (unread IN (0, 1)),
  starred             INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1)),
  has_attachments     INTEGER NOT NULL DEFAULT 0 CHECK (has_attachments IN (0, 1)),
  size                INTEGER NOT NULL DEFAULT 0,
  body_text           TEXT,
  body_html           TEXT,
  attachments_json    TEXT,
  UNIQUE (account_id, provider_id)
);

-- Every index costs each stored message a b-tree insert; these are the ones
-- a query needs. Unread messages are few, so unread counts scan only them.
CREATE INDEX messages_unread ON messages (account_id) WHERE unread = 1;

CREATE TABLE message_folders (
  message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  folder_id  INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
  PRIMARY KEY (message_id, folder_id)
) WITHOUT ROWID;

CREATE INDEX message_folders_by_folder ON message_folders (folder_id, message_id);

CREATE TABLE calendars (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  provider_id TEXT NOT NULL,
  name        TEXT NOT NULL,
  color       TEXT,
  time_zone   TEXT,
  is_primary  INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
  UNIQUE (account_id, provider_id)
);

-- start_utc/end_utc are epoch seconds in UTC, end exclusive. All-day events
-- are floating dates: start_date/end_date hold the provider's 'YYYY-MM-DD'
-- (end exclusive) and start_utc/end_utc hold UTC midnight of those dates so
-- that range queries treat both kinds alike. time_zone is the provider's
-- original zone name (IANA or Windows), for display only.
--
-- Event ids are unique per calendar (the same Google meeting shows up in
-- two calendars of one account with one id), so the key is the calendar.
CREATE TABLE events (
  id                 INTEGER PRIMARY KEY,
  account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  calendar_id        INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
  provider_id        TEXT NOT NULL,
  summary            TEXT,
  description        TEXT,
  location           TEXT,
  start_utc          INTEGER NOT NULL,
  end_utc            INTEGER NOT NULL,
  time_zone          TEXT,
  all_day            INTEGER NOT NULL DEFAULT 0 CHECK (all_day IN (0, 1)),
  start_date         TEXT,
  end_date           TEXT,
  status             TEXT,
  recurring_event_id TEXT,
  original_start     INTEGER,
  organizer          TEXT,
  attendees_json     TEXT,
  updated            INTEGER,
  UNIQUE (calendar_id, provider_id),
  CHECK (all_day = 0 OR (start_date IS NOT NULL AND end_date IS NOT NULL))
);

CREATE INDEX events_by_start ON events (start_utc);
CREATE INDEX events_by_end ON events (end_utc);
CREATE INDEX events_by_account ON events (account_id);

-- One row per (account, resource): 'folders', 'mail', 'mail:<folder id>',
-- 'calendars', 'calendar:<calendar id>'. The cursor (page token, historyId,
-- deltaLink, syncToken) is written in the same transaction as the page it
-- belongs to.
CREATE TABLE sync_state (
  account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  resource        TEXT NOT NULL,
  cursor          TEXT,
  phase           TEXT,
  last_success    INTEGER,
  last_error      TEXT,
  last_error_time INTEGER,
  extra_json      TEXT,
  updated         INTEGER NOT NULL,
  PRIMARY KEY (account_id, resource)
) WITHOUT ROWID;
