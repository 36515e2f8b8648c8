-- SQLite's 030_search_keys_on_users.sql says why: the search keys the
-- users table's own indexes hold (the sort name, an ASCII address's
-- email_key) are no longer rows of search_keys.
DELETE FROM search_keys k USING users u
WHERE u.id = k.user_id AND (k.key = u.sort_name
    OR k.key = u.email_key AND length(u.email) = octet_length(u.email));

-- The user's row written with their team and their link's expiry by the
-- invitation is written again only when it differs, as on SQLite.
CREATE OR REPLACE FUNCTION user_row_teams() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        UPDATE users SET teams = s.teams FROM user_row_source s
        WHERE s.user_id = NEW.user_id AND users.id = NEW.user_id AND users.teams IS DISTINCT FROM s.teams;
    END IF;
    IF TG_OP = 'DELETE' OR OLD.user_id IS DISTINCT FROM NEW.user_id THEN
        UPDATE users SET teams = (SELECT s.teams FROM user_row_source s WHERE s.user_id = OLD.user_id) WHERE id = OLD.user_id;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION user_row_invites() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    uid bigint;
BEGIN
    FOR uid IN SELECT DISTINCT user_id FROM changed_rows WHERE kind = 'invite' AND user_id IS NOT NULL LOOP
        UPDATE users SET invite_expires_at = s.invite_expires_at FROM user_row_source s
        WHERE s.user_id = uid AND users.id = uid AND users.invite_expires_at IS DISTINCT FROM s.invite_expires_at;
    END LOOP;
    RETURN NULL;
END $$;
