-- SQLite's 029_id_floors.sql says why. The identities' sequences never
-- give an id twice either, but the ids are taken from here on both
-- engines, one way, and roster migrate copies the table with the rest.
CREATE TABLE id_floors (
    name text   PRIMARY KEY,
    n    bigint NOT NULL
);
INSERT INTO id_floors SELECT 'users', greatest(coalesce(max(id), 0),
    coalesce(pg_sequence_last_value(pg_get_serial_sequence('users', 'id')), 0)) FROM users;
INSERT INTO id_floors SELECT 'teams', greatest(coalesce(max(id), 0),
    coalesce(pg_sequence_last_value(pg_get_serial_sequence('teams', 'id')), 0)) FROM teams;
INSERT INTO id_floors SELECT 'branches', greatest(coalesce(max(id), 0),
    coalesce(pg_sequence_last_value(pg_get_serial_sequence('branches', 'id')), 0)) FROM branches;
INSERT INTO id_floors SELECT 'away_periods', greatest(coalesce(max(id), 0),
    coalesce(pg_sequence_last_value(pg_get_serial_sequence('away_periods', 'id')), 0)) FROM away_periods;
INSERT INTO id_floors SELECT 'ssh_keys', greatest(coalesce(max(id), 0),
    coalesce(pg_sequence_last_value(pg_get_serial_sequence('ssh_keys', 'id')), 0)) FROM ssh_keys;
INSERT INTO id_floors SELECT 'api_keys', greatest(coalesce(max(id), 0),
    coalesce(pg_sequence_last_value(pg_get_serial_sequence('api_keys', 'id')), 0)) FROM api_keys;
INSERT INTO id_floors SELECT 'webhooks', greatest(coalesce(max(id), 0),
    coalesce(pg_sequence_last_value(pg_get_serial_sequence('webhooks', 'id')), 0)) FROM webhooks;
