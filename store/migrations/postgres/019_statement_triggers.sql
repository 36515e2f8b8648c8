-- The triggers that keep derived rows on inserts (and, for the counts, on
-- deletes) run once per statement over the rows it changed (REFERENCING
-- NEW/OLD TABLE), not once per row: inviting 10,000 people updated each
-- user_counts row 10,000 times in one transaction, each update walking the
-- versions of the row the ones before it left behind. The store inserts in
-- statements of many rows (chunks). Updates keep their row triggers: a
-- transition table cannot go with the column lists (UPDATE OF) that keep
-- them from firing on every update, and the rules update a row at a time.

-- User counts: the rows added count up, the rows removed down (006).
CREATE FUNCTION user_counts_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign bigint := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
    UPDATE user_counts c SET n = c.n + sign * d.n
    FROM (SELECT status AS name, count(*) AS n FROM changed_rows GROUP BY status
        UNION ALL
        SELECT 'never-logged-in', count(*) FROM changed_rows
        WHERE last_login_at = 0 AND status IN ('invited', 'active')) d
    WHERE c.name = d.name AND d.n > 0;
    RETURN NULL;
END $$;
DROP TRIGGER user_counts_insert ON users;
DROP TRIGGER user_counts_delete ON users;
CREATE TRIGGER user_counts_insert AFTER INSERT ON users REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION user_counts_rows();
CREATE TRIGGER user_counts_delete AFTER DELETE ON users REFERENCING OLD TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION user_counts_rows();

-- Each team's member count (008).
CREATE FUNCTION team_members_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign bigint := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
    UPDATE teams t SET members = t.members + sign * d.n
    FROM (SELECT team_id, count(*) AS n FROM changed_rows GROUP BY team_id) d
    WHERE t.id = d.team_id;
    RETURN NULL;
END $$;
DROP TRIGGER team_members_insert ON user_teams;
DROP TRIGGER team_members_delete ON user_teams;
CREATE TRIGGER team_members_insert AFTER INSERT ON user_teams REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION team_members_rows();
CREATE TRIGGER team_members_delete AFTER DELETE ON user_teams REFERENCING OLD TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION team_members_rows();

-- The pending rows of the users of the tokens or mail added whose kind is
-- one of the trigger's arguments, each once, computed as pending_refresh
-- does for one: a statement over all of them at once (user_id IN the new
-- rows) was planned as a scan of every user when a statement added one row.
CREATE FUNCTION pending_refresh_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    uid bigint;
BEGIN
    FOR uid IN SELECT DISTINCT user_id FROM changed_rows WHERE kind = ANY (TG_ARGV) AND user_id IS NOT NULL LOOP
        PERFORM pending_refresh(uid);
    END LOOP;
    RETURN NULL;
END $$;
DROP TRIGGER pending_token_insert ON tokens;
DROP TRIGGER pending_mail_insert ON outbox;
CREATE TRIGGER pending_token_insert AFTER INSERT ON tokens REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION pending_refresh_rows('invite');
CREATE TRIGGER pending_mail_insert AFTER INSERT ON outbox REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION pending_refresh_rows('invitation', 'invitation_resent');

-- The listed rows' invitation expiry, for each user given an invitation (009).
CREATE FUNCTION user_row_invites() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    uid bigint;
BEGIN
    FOR uid IN SELECT DISTINCT user_id FROM changed_rows WHERE kind = 'invite' AND user_id IS NOT NULL LOOP
        UPDATE users SET invite_expires_at = (SELECT s.invite_expires_at FROM user_row_source s WHERE s.user_id = uid)
        WHERE id = uid;
    END LOOP;
    RETURN NULL;
END $$;
DROP TRIGGER user_row_token_insert ON tokens;
CREATE TRIGGER user_row_token_insert AFTER INSERT ON tokens REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION user_row_invites();
