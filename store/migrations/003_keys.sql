-- SSH public keys: how operators are identified by roster serve.
CREATE TABLE ssh_keys (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    fingerprint  TEXT    NOT NULL UNIQUE, -- SHA256:…, as ssh-keygen -l prints it
    public_key   TEXT    NOT NULL,        -- authorized_keys form: type and base64
    comment      TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    created_by   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX ssh_keys_user ON ssh_keys (user_id);
