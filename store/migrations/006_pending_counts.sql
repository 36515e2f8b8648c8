-- What the Pending screen and the user counts read at a million users without
-- reading every user. Both tables are kept by triggers, so that each change
-- updates them in its own transaction whatever wrote it (the rules, the mail
-- worker, a cascade), and rebuilt whole by rebuildDerived (the migration's Go
-- step, the seed).

-- Each pending invitation with its urgency key: the state of its newest
-- invitation mail (0 failed, 1 deferred, 2 otherwise) and its expiry. Expired
-- is not stored, since it changes with time alone: the reading compares
-- expires_at with now (see PendingInvitations). The rest is what the listing
-- shows, kept here so that a page reads no more than a row per invitation.
CREATE TABLE pending_invitations (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    mail       INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    sent       INTEGER NOT NULL, -- how many links were made
    sent_at    INTEGER NOT NULL, -- when the newest was
    mail_state TEXT    NOT NULL, -- of the newest mail not cancelled; '' if none
    mail_error TEXT    NOT NULL
);
CREATE INDEX pending_by_mail ON pending_invitations (mail, expires_at, user_id);
CREATE INDEX pending_by_expiry ON pending_invitations (expires_at, user_id);

-- What pending_invitations holds, computed from the users, their newest
-- invitation link and its newest mail not cancelled.
CREATE VIEW pending_source AS
SELECT u.id AS user_id,
    CASE o.state WHEN 'failed' THEN 0 WHEN 'deferred' THEN 1 ELSE 2 END AS mail,
    t.expires_at,
    (SELECT count(*) FROM tokens c WHERE c.user_id = u.id AND c.kind = 'invite') AS sent,
    t.created_at AS sent_at,
    coalesce(o.state, '') AS mail_state,
    coalesce(o.last_error, '') AS mail_error
FROM users u JOIN tokens t ON t.id = (SELECT max(id) FROM tokens WHERE user_id = u.id AND kind = 'invite')
LEFT JOIN outbox o ON o.id = (SELECT max(id) FROM outbox WHERE user_id = u.id
    AND kind IN ('invitation', 'invitation_resent') AND state != 'cancelled')
WHERE u.status = 'invited';

CREATE TRIGGER pending_token_insert AFTER INSERT ON tokens WHEN NEW.kind = 'invite' BEGIN
    DELETE FROM pending_invitations WHERE user_id = NEW.user_id;
    INSERT INTO pending_invitations SELECT * FROM pending_source WHERE user_id = NEW.user_id;
END;
CREATE TRIGGER pending_token_update AFTER UPDATE OF user_id, kind, expires_at, created_at ON tokens BEGIN
    DELETE FROM pending_invitations WHERE user_id IN (OLD.user_id, NEW.user_id);
    INSERT INTO pending_invitations SELECT * FROM pending_source WHERE user_id IN (OLD.user_id, NEW.user_id);
END;
CREATE TRIGGER pending_token_delete AFTER DELETE ON tokens WHEN OLD.kind = 'invite' BEGIN
    DELETE FROM pending_invitations WHERE user_id = OLD.user_id;
    INSERT INTO pending_invitations SELECT * FROM pending_source WHERE user_id = OLD.user_id;
END;
CREATE TRIGGER pending_mail_insert AFTER INSERT ON outbox WHEN NEW.kind IN ('invitation', 'invitation_resent') BEGIN
    DELETE FROM pending_invitations WHERE user_id = NEW.user_id;
    INSERT INTO pending_invitations SELECT * FROM pending_source WHERE user_id = NEW.user_id;
END;
CREATE TRIGGER pending_mail_update AFTER UPDATE OF user_id, kind, state, last_error ON outbox
WHEN OLD.kind IN ('invitation', 'invitation_resent') OR NEW.kind IN ('invitation', 'invitation_resent') BEGIN
    DELETE FROM pending_invitations WHERE user_id IN (OLD.user_id, NEW.user_id);
    INSERT INTO pending_invitations SELECT * FROM pending_source WHERE user_id IN (OLD.user_id, NEW.user_id);
END;
CREATE TRIGGER pending_mail_delete AFTER DELETE ON outbox WHEN OLD.kind IN ('invitation', 'invitation_resent') BEGIN
    DELETE FROM pending_invitations WHERE user_id = OLD.user_id;
    INSERT INTO pending_invitations SELECT * FROM pending_source WHERE user_id = OLD.user_id;
END;
CREATE TRIGGER pending_user_status AFTER UPDATE OF status ON users WHEN OLD.status != NEW.status BEGIN
    DELETE FROM pending_invitations WHERE user_id = NEW.id;
    INSERT INTO pending_invitations SELECT * FROM pending_source WHERE user_id = NEW.id;
END;

-- How many users have each stored status, and how many invited or active
-- users never logged in (name 'never-logged-in').
CREATE TABLE user_counts (
    name TEXT    PRIMARY KEY,
    n    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO user_counts (name) VALUES ('staged'), ('invited'), ('active'), ('deactivated'), ('never-logged-in');

-- A user counts under their status, and under 'never-logged-in' when invited
-- or active with no login yet. SQL has no functions to name that rule once,
-- so each trigger spells it out for the row it adds and the row it removes.
CREATE TRIGGER user_counts_insert AFTER INSERT ON users BEGIN
    UPDATE user_counts SET n = n + CASE name WHEN 'never-logged-in'
        THEN NEW.last_login_at = 0 AND NEW.status IN ('invited', 'active') ELSE name = NEW.status END;
END;
CREATE TRIGGER user_counts_delete AFTER DELETE ON users BEGIN
    UPDATE user_counts SET n = n - CASE name WHEN 'never-logged-in'
        THEN OLD.last_login_at = 0 AND OLD.status IN ('invited', 'active') ELSE name = OLD.status END;
END;
CREATE TRIGGER user_counts_update AFTER UPDATE OF status, last_login_at ON users
WHEN OLD.status != NEW.status OR (OLD.last_login_at = 0) != (NEW.last_login_at = 0) BEGIN
    UPDATE user_counts SET n = n
        + CASE name WHEN 'never-logged-in' THEN NEW.last_login_at = 0 AND NEW.status IN ('invited', 'active') ELSE name = NEW.status END
        - CASE name WHEN 'never-logged-in' THEN OLD.last_login_at = 0 AND OLD.status IN ('invited', 'active') ELSE name = OLD.status END;
END;

-- The users away now, counted from the index alone (ends_at added).
DROP INDEX away_user;
CREATE INDEX away_user ON away_periods (user_id, starts_at, ends_at);
