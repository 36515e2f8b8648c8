-- Branches (issue 15, seed 003: "son ou ses agences"): a second grouping of
-- users beside teams, the sites or agencies they work from, each with an
-- optional address and IANA time zone. They mirror teams: a member count
-- kept by triggers (as 008's) and the branch names kept on the user's row
-- (as 009's teams), so that a page of users still reads one row per user.
CREATE TABLE branches (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE COLLATE NOCASE,
	address TEXT NOT NULL DEFAULT '',
	timezone TEXT NOT NULL DEFAULT '',
	members INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE user_branches (
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	branch_id INTEGER NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
	PRIMARY KEY (user_id, branch_id)
);
CREATE INDEX user_branches_branch ON user_branches (branch_id, user_id);

ALTER TABLE users ADD COLUMN branches TEXT NOT NULL DEFAULT ''; -- branch names, sorted, comma-separated

-- A stand-in may be a team in one branch ("Support, Lyon"): routing then
-- picks among the team's members of that branch alone.
ALTER TABLE away_periods ADD COLUMN standin_branch_id INTEGER REFERENCES branches (id) ON DELETE SET NULL;

CREATE TRIGGER branch_members_insert AFTER INSERT ON user_branches BEGIN
	UPDATE branches SET members = members + 1 WHERE id = NEW.branch_id;
END;
CREATE TRIGGER branch_members_delete AFTER DELETE ON user_branches BEGIN
	UPDATE branches SET members = members - 1 WHERE id = OLD.branch_id;
END;
CREATE TRIGGER branch_members_update AFTER UPDATE OF branch_id ON user_branches BEGIN
	UPDATE branches SET members = members - 1 WHERE id = OLD.branch_id;
	UPDATE branches SET members = members + 1 WHERE id = NEW.branch_id;
END;

-- 009's view, with the branches.
DROP VIEW user_row_source;
CREATE VIEW user_row_source AS
SELECT u.id AS user_id,
    coalesce((SELECT group_concat(name, ',') FROM (SELECT tm.name FROM user_teams ut JOIN teams tm ON tm.id = ut.team_id
        WHERE ut.user_id = u.id ORDER BY tm.name)), '') AS teams,
    coalesce((SELECT t.expires_at FROM tokens t WHERE t.user_id = u.id AND t.kind = 'invite'
        AND t.used_at = 0 AND t.voided_at = 0 ORDER BY t.id DESC LIMIT 1), 0) AS invite_expires_at,
    coalesce((SELECT group_concat(span, ',') FROM (SELECT a.starts_at || '-' || a.ends_at AS span FROM away_periods a
        WHERE a.user_id = u.id ORDER BY a.starts_at, a.id)), '') AS away_spans,
    coalesce((SELECT group_concat(name, ',') FROM (SELECT b.name FROM user_branches ub JOIN branches b ON b.id = ub.branch_id
        WHERE ub.user_id = u.id ORDER BY b.name)), '') AS branches
FROM users u;

CREATE TRIGGER user_row_branches_insert AFTER INSERT ON user_branches BEGIN
    UPDATE users SET branches = (SELECT branches FROM user_row_source WHERE user_id = NEW.user_id) WHERE id = NEW.user_id;
END;
CREATE TRIGGER user_row_branches_delete AFTER DELETE ON user_branches BEGIN
    UPDATE users SET branches = (SELECT branches FROM user_row_source WHERE user_id = OLD.user_id) WHERE id = OLD.user_id;
END;
CREATE TRIGGER user_row_branches_update AFTER UPDATE ON user_branches BEGIN
    UPDATE users SET branches = (SELECT s.branches FROM user_row_source s WHERE s.user_id = users.id)
    WHERE id IN (OLD.user_id, NEW.user_id);
END;
-- A branch renamed: every member's row. A branch removed cascades to user_branches.
CREATE TRIGGER user_row_branch_rename AFTER UPDATE OF name ON branches BEGIN
    UPDATE users SET branches = (SELECT s.branches FROM user_row_source s WHERE s.user_id = users.id)
    WHERE id IN (SELECT user_id FROM user_branches WHERE branch_id = NEW.id);
END;
