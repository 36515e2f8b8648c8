-- What a listed user's row shows besides the user's own columns, kept on the
-- row, so that a page of users (and an export) reads one row per user instead
-- of running three subqueries for each: the teams, the live invitation's
-- expiry and the away periods. Triggers keep them in the transaction of every
-- change whatever wrote it (the rules, a cascade); rebuildDerived computes
-- them whole (this migration's Go step, the seed).
--
-- Being away depends on the clock, so the row keeps every away period as
-- "start-end" pairs (end 0: until further notice), in the order they start,
-- and the reading decides with its own now (store's scanUser).
ALTER TABLE users ADD COLUMN teams TEXT NOT NULL DEFAULT '';           -- team names, sorted, comma-separated
ALTER TABLE users ADD COLUMN invite_expires_at INTEGER NOT NULL DEFAULT 0; -- of the newest live invitation; 0 if none
ALTER TABLE users ADD COLUMN away_spans TEXT NOT NULL DEFAULT '';      -- "start-end,start-end"

-- What the three columns hold, computed from the tables they summarise; a
-- trigger selecting one column computes that one alone.
CREATE VIEW user_row_source AS
SELECT u.id AS user_id,
    coalesce((SELECT group_concat(name, ',') FROM (SELECT tm.name FROM user_teams ut JOIN teams tm ON tm.id = ut.team_id
        WHERE ut.user_id = u.id ORDER BY tm.name)), '') AS teams,
    coalesce((SELECT t.expires_at FROM tokens t WHERE t.user_id = u.id AND t.kind = 'invite'
        AND t.used_at = 0 AND t.voided_at = 0 ORDER BY t.id DESC LIMIT 1), 0) AS invite_expires_at,
    coalesce((SELECT group_concat(span, ',') FROM (SELECT a.starts_at || '-' || a.ends_at AS span FROM away_periods a
        WHERE a.user_id = u.id ORDER BY a.starts_at, a.id)), '') AS away_spans
FROM users u;

CREATE TRIGGER user_row_teams_insert AFTER INSERT ON user_teams BEGIN
    UPDATE users SET teams = (SELECT teams FROM user_row_source WHERE user_id = NEW.user_id) WHERE id = NEW.user_id;
END;
CREATE TRIGGER user_row_teams_delete AFTER DELETE ON user_teams BEGIN
    UPDATE users SET teams = (SELECT teams FROM user_row_source WHERE user_id = OLD.user_id) WHERE id = OLD.user_id;
END;
CREATE TRIGGER user_row_teams_update AFTER UPDATE ON user_teams BEGIN
    UPDATE users SET teams = (SELECT s.teams FROM user_row_source s WHERE s.user_id = users.id)
    WHERE id IN (OLD.user_id, NEW.user_id);
END;
-- A team renamed: every member's row. A team removed cascades to user_teams.
CREATE TRIGGER user_row_team_rename AFTER UPDATE OF name ON teams BEGIN
    UPDATE users SET teams = (SELECT s.teams FROM user_row_source s WHERE s.user_id = users.id)
    WHERE id IN (SELECT user_id FROM user_teams WHERE team_id = NEW.id);
END;

CREATE TRIGGER user_row_token_insert AFTER INSERT ON tokens WHEN NEW.kind = 'invite' BEGIN
    UPDATE users SET invite_expires_at = (SELECT invite_expires_at FROM user_row_source WHERE user_id = NEW.user_id)
    WHERE id = NEW.user_id;
END;
CREATE TRIGGER user_row_token_update AFTER UPDATE OF user_id, kind, expires_at, used_at, voided_at ON tokens
WHEN OLD.kind = 'invite' OR NEW.kind = 'invite' BEGIN
    UPDATE users SET invite_expires_at = (SELECT s.invite_expires_at FROM user_row_source s WHERE s.user_id = users.id)
    WHERE id IN (OLD.user_id, NEW.user_id);
END;
CREATE TRIGGER user_row_token_delete AFTER DELETE ON tokens WHEN OLD.kind = 'invite' BEGIN
    UPDATE users SET invite_expires_at = (SELECT invite_expires_at FROM user_row_source WHERE user_id = OLD.user_id)
    WHERE id = OLD.user_id;
END;

CREATE TRIGGER user_row_away_insert AFTER INSERT ON away_periods BEGIN
    UPDATE users SET away_spans = (SELECT away_spans FROM user_row_source WHERE user_id = NEW.user_id) WHERE id = NEW.user_id;
END;
CREATE TRIGGER user_row_away_update AFTER UPDATE OF user_id, starts_at, ends_at ON away_periods BEGIN
    UPDATE users SET away_spans = (SELECT s.away_spans FROM user_row_source s WHERE s.user_id = users.id)
    WHERE id IN (OLD.user_id, NEW.user_id);
END;
CREATE TRIGGER user_row_away_delete AFTER DELETE ON away_periods BEGIN
    UPDATE users SET away_spans = (SELECT away_spans FROM user_row_source WHERE user_id = OLD.user_id) WHERE id = OLD.user_id;
END;
