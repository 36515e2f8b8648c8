-- The account, its users and everything the rules in admin/ write.
-- Times are Unix seconds (UTC); 0 means "never" so that keyset indexes need no NULL handling.

CREATE TABLE account (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    name                 TEXT    NOT NULL,
    invite_lifetime_secs INTEGER NOT NULL DEFAULT 172800,
    country              TEXT    NOT NULL DEFAULT 'FR',
    created_at           INTEGER NOT NULL
);

CREATE TABLE users (
    id                 INTEGER PRIMARY KEY,
    email              TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    first_name         TEXT    NOT NULL DEFAULT '',
    last_name          TEXT    NOT NULL DEFAULT '',
    sort_name          TEXT    NOT NULL,
    phone              TEXT    NOT NULL DEFAULT '',
    position           TEXT    NOT NULL DEFAULT '',
    reference_id       TEXT    NOT NULL DEFAULT '',
    locale             TEXT    NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'fr')),
    role               TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'member')),
    status             TEXT    NOT NULL CHECK (status IN ('staged', 'invited', 'active', 'deactivated')),
    invited_by         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at         INTEGER NOT NULL,
    activated_at       INTEGER NOT NULL DEFAULT 0,
    last_login_at      INTEGER NOT NULL DEFAULT 0,
    login_count        INTEGER NOT NULL DEFAULT 0,
    failed_login_count INTEGER NOT NULL DEFAULT 0,
    password_hash      TEXT    NOT NULL DEFAULT '',
    version            INTEGER NOT NULL DEFAULT 1,
    updated_at         INTEGER NOT NULL,
    updated_by         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX users_by_name ON users (sort_name, id);
CREATE INDEX users_by_login ON users (last_login_at, id);
CREATE INDEX users_by_status ON users (status, sort_name, id);

-- Prefix search over email, names, position, reference ID and tags: one row per key,
-- folded (lower case, no accents), so that a search is one range scan of the primary key.
CREATE TABLE search_keys (
    key     TEXT    NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (key, user_id)
) WITHOUT ROWID;
CREATE INDEX search_keys_user ON search_keys (user_id);

CREATE TABLE user_perms (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    perm    TEXT    NOT NULL,
    PRIMARY KEY (user_id, perm)
) WITHOUT ROWID;

CREATE TABLE teams (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE user_teams (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, team_id)
) WITHOUT ROWID;
CREATE INDEX user_teams_team ON user_teams (team_id, user_id);

CREATE TABLE user_tags (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tag     TEXT    NOT NULL,
    PRIMARY KEY (user_id, tag)
) WITHOUT ROWID;

-- Invitation and password-reset links. Only the SHA-256 of the token is kept.
CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('invite', 'reset')),
    hash       BLOB    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER NOT NULL DEFAULT 0,
    voided_at  INTEGER NOT NULL DEFAULT 0,
    created_by TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX tokens_user ON tokens (user_id, kind, id);

CREATE TABLE away_periods (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at       INTEGER NOT NULL,
    ends_at         INTEGER NOT NULL DEFAULT 0, -- 0: until further notice
    standin_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    standin_team_id INTEGER REFERENCES teams (id) ON DELETE SET NULL,
    note            TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    created_by      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX away_user ON away_periods (user_id, starts_at);

-- The work users own in the product: what away routing and deletion act on.
CREATE TABLE conversations (
    id          INTEGER PRIMARY KEY,
    subject     TEXT    NOT NULL,
    assignee_id INTEGER REFERENCES users (id) ON DELETE RESTRICT,
    status      TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at  INTEGER NOT NULL
);
CREATE INDEX conversations_assignee ON conversations (assignee_id, status);

CREATE TABLE auto_replies (
    id       INTEGER PRIMARY KEY,
    name     TEXT    NOT NULL,
    owner_id INTEGER REFERENCES users (id) ON DELETE RESTRICT
);
CREATE INDEX auto_replies_owner ON auto_replies (owner_id);

-- Append-only: who did what, to whom, through which channel, before and after.
CREATE TABLE audit (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor_id     INTEGER,
    actor_email  TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    target_id    INTEGER,
    target_email TEXT    NOT NULL DEFAULT '',
    before       TEXT    NOT NULL DEFAULT '',
    after        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_target ON audit (target_id, id);
CREATE INDEX audit_target_email ON audit (target_email COLLATE NOCASE, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
-- INSERT OR REPLACE deletes the row it replaces without firing delete triggers.
CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit WHEN EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;

-- Mail waiting to be delivered (mail/ sends it). data holds what the template needs,
-- including the link's token until a relay has accepted the message.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    user_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    token_id        INTEGER REFERENCES tokens (id) ON DELETE SET NULL,
    recipient       TEXT    NOT NULL,
    recipient_name  TEXT    NOT NULL DEFAULT '',
    locale          TEXT    NOT NULL,
    data            TEXT    NOT NULL,
    message_id      TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'sending', 'sent', 'deferred', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER NOT NULL DEFAULT 0,
    give_up_at      INTEGER NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    reply           TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_user ON outbox (user_id, id);
