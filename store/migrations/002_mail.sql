-- Mail delivery (mail/): listing the outbox by state, and the mail kept by the
-- embedded capture server that stands in for a relay when none is configured.

CREATE INDEX outbox_state ON outbox (state, id);

-- Each message the capture server received, whole and raw as it arrived (it
-- stands in for the recipients' mailboxes, so links are kept working).
CREATE TABLE captured_mail (
    id          INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    mail_from   TEXT    NOT NULL,
    rcpt_to     TEXT    NOT NULL, -- JSON array of the envelope recipients
    message_id  TEXT    NOT NULL DEFAULT '',
    subject     TEXT    NOT NULL DEFAULT '', -- decoded, for listings
    raw         BLOB    NOT NULL
);
CREATE INDEX captured_mail_message_id ON captured_mail (message_id);
