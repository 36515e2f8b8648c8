-- SQLite's 035_link_triggers.sql makes its row triggers on a link made
-- cheaper; PostgreSQL's are statement triggers (019), which read each
-- statement's links at once. Nothing changes here.
SELECT 1;
