-- version-004.sql: event reminders
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- One popup reminder per event, in minutes before the start (of several,
-- the one closest to the start); NULL: none. An event that follows its
-- calendar's default (Google useDefault) has reminder_default = 1 and takes
-- the calendar's default_reminder_minutes when read, so a changed default
-- reaches every such event without a new event sync.

ALTER TABLE calendars ADD COLUMN default_reminder_minutes INTEGER CHECK (default_reminder_minutes >= 0);

ALTER TABLE events ADD COLUMN reminder_minutes INTEGER CHECK (reminder_minutes >= 0);
ALTER TABLE events ADD COLUMN reminder_default INTEGER NOT NULL DEFAULT 0 CHECK (reminder_default IN (0, 1));

-- Events and calendars stored before this version carry no reminders: sync
-- them again from scratch (their rows are updated in place) so that they do.
UPDATE sync_state SET cursor = NULL
 WHERE resource = 'calendars' OR resource LIKE 'calendar:%';
