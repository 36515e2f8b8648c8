-- The highest id each table whose ids people and other systems hold has
-- given, so that none is given again: SQLite gives a new row the largest
-- id there plus one, so deleting the newest user gave their id to the
-- next one invited, and a SCIM client's or a script's stale id, or a
-- screen's row, then named someone else. New rows of these tables take
-- their ids from here (store's newIDs).
CREATE TABLE id_floors (
    name TEXT    PRIMARY KEY,
    n    INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO id_floors SELECT 'users', coalesce(max(id), 0) FROM users;
INSERT INTO id_floors SELECT 'teams', coalesce(max(id), 0) FROM teams;
INSERT INTO id_floors SELECT 'branches', coalesce(max(id), 0) FROM branches;
INSERT INTO id_floors SELECT 'away_periods', coalesce(max(id), 0) FROM away_periods;
INSERT INTO id_floors SELECT 'ssh_keys', coalesce(max(id), 0) FROM ssh_keys;
INSERT INTO id_floors SELECT 'api_keys', coalesce(max(id), 0) FROM api_keys;
INSERT INTO id_floors SELECT 'webhooks', coalesce(max(id), 0) FROM webhooks;
