-- API keys (issue 13): a secret shown once, of which only the SHA-256 is
-- kept (the secret holds 130 random bits: no slow hash is needed against
-- guessing), with a prefix shown for recognition. A key acts as its user and
-- goes with them.
CREATE TABLE api_keys (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	prefix TEXT NOT NULL,          -- rst_ and the secret's first 8 characters
	hash TEXT NOT NULL UNIQUE,     -- hex SHA-256 of the secret
	created_at INTEGER NOT NULL,
	last_used_at INTEGER NOT NULL DEFAULT 0,
	expires_at INTEGER NOT NULL DEFAULT 0  -- 0: never
);
CREATE INDEX api_keys_user ON api_keys (user_id, id);
