-- SQLite's 018_notifications.sql, which says why each part exists.
CREATE TABLE notify_prefs (
    user_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event    text   COLLATE "C" NOT NULL,
    channels text   COLLATE "C" NOT NULL,
    PRIMARY KEY (user_id, event)
);

ALTER TABLE account ADD COLUMN remind_before_secs bigint NOT NULL DEFAULT 86400;
ALTER TABLE account ADD COLUMN notices_through bigint NOT NULL DEFAULT 0;
ALTER TABLE account ADD COLUMN digest_hour integer NOT NULL DEFAULT 9;
ALTER TABLE account ADD COLUMN digest_through bigint NOT NULL DEFAULT 0;
