-- SQLite's 021_sms.sql, which says why each part exists.
ALTER TABLE outbox ADD COLUMN channel text COLLATE "C" NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms'));
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (channel, state, next_attempt_at);
