-- SQLite's 024_away_starts.sql says why.
CREATE INDEX away_starts ON away_periods (starts_at, id, ends_at);
