-- SQLite's 016_scim.sql, which says why each part exists. The setting that
-- SQLite keeps as 0 or 1 is a boolean here.
CREATE TABLE scim_ids (
    user_id     bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    external_id text   COLLATE "C" NOT NULL UNIQUE
);
ALTER TABLE account ADD COLUMN scim_heir text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE account ADD COLUMN scim_staged boolean NOT NULL DEFAULT false;
