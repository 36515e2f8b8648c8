-- SQLite's 031_scim_user_names.sql, which says why: the userName an
-- identity provider gave a user, and its key, unique.
ALTER TABLE scim_ids ALTER COLUMN external_id DROP NOT NULL;
ALTER TABLE scim_ids ADD COLUMN user_name text COLLATE "C";
ALTER TABLE scim_ids ADD COLUMN user_name_key text COLLATE "C" UNIQUE;
