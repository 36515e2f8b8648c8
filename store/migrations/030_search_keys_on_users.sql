-- Two of the five keys each user had in search_keys are held by the users
-- table's own indexes already: the sort name (users_by_name) and, for an
-- address in ASCII, the folded address, which is then its email_key
-- (users_by_email_key). A search reads those two indexes beside
-- search_keys (store's searchArms), and the rows are no longer written
-- (store's searchKeys): inviting wrote each key as a row and an entry of
-- search_keys_user, two of the ten b-tree writes it made a person for
-- search alone.
DELETE FROM search_keys
WHERE key = (SELECT u.sort_name FROM users u WHERE u.id = search_keys.user_id)
    OR key = (SELECT u.email_key FROM users u WHERE u.id = search_keys.user_id
        AND length(u.email) = octet_length(u.email));

-- An invitation writes its user's row with their team and their link's
-- expiry already (store's InsertUser), which the triggers of the team's
-- membership and of the link then computed again and wrote over with the
-- same: they write the row only when it differs.
DROP TRIGGER user_row_teams_insert;
CREATE TRIGGER user_row_teams_insert AFTER INSERT ON user_teams BEGIN
    UPDATE users SET teams = CASE
        WHEN NOT EXISTS (SELECT 1 FROM user_teams WHERE user_id = NEW.user_id AND team_id != NEW.team_id)
        THEN (SELECT name FROM teams WHERE id = NEW.team_id)
        ELSE (SELECT teams FROM user_row_source WHERE user_id = NEW.user_id) END
    WHERE id = NEW.user_id AND teams IS NOT CASE
        WHEN NOT EXISTS (SELECT 1 FROM user_teams WHERE user_id = NEW.user_id AND team_id != NEW.team_id)
        THEN (SELECT name FROM teams WHERE id = NEW.team_id)
        ELSE (SELECT teams FROM user_row_source WHERE user_id = NEW.user_id) END;
END;
DROP TRIGGER user_row_token_insert;
CREATE TRIGGER user_row_token_insert AFTER INSERT ON tokens WHEN NEW.kind = 'invite' BEGIN
    UPDATE users SET invite_expires_at = (SELECT invite_expires_at FROM user_row_source WHERE user_id = NEW.user_id)
    WHERE id = NEW.user_id AND invite_expires_at IS NOT (SELECT invite_expires_at FROM user_row_source WHERE user_id = NEW.user_id);
END;
