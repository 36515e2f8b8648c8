-- SQLite's 027_cheaper_row_triggers.sql spares two of its row triggers work
-- whose result they had. PostgreSQL's are statement triggers since 019,
-- which compute each user's pending row and teams once a statement.
SELECT 1;
