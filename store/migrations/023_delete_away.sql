-- Deleting a user (seed 004, issue 15): an automated reply the operator
-- switches off instead of handing it on keeps existing, off.
ALTER TABLE auto_replies ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;

-- A user's open conversations are read a page at a time, in id order
-- (the Delete screen's keyset paging); PostgreSQL needs id in the index
-- for that, SQLite has it as the rowid.
DROP INDEX conversations_assignee;
CREATE INDEX conversations_assignee ON conversations (assignee_id, status, id);

-- The Away overview reads the periods that have not ended by a date
-- (ends_at 0: until further notice) without reading past ones.
CREATE INDEX away_ends ON away_periods (ends_at, starts_at);
