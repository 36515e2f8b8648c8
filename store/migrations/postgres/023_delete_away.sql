-- SQLite's 023_delete_away.sql, which says why each part exists; what
-- SQLite keeps as 0 or 1 is a boolean here.
ALTER TABLE auto_replies ADD COLUMN enabled boolean NOT NULL DEFAULT true;

DROP INDEX conversations_assignee;
CREATE INDEX conversations_assignee ON conversations (assignee_id, status, id);

CREATE INDEX away_ends ON away_periods (ends_at, starts_at);
