-- Nothing for SQLite: PostgreSQL's 019 turns some of its row triggers into
-- statement triggers, which SQLite has not (its row triggers cost it no
-- more than the updates they make). The file keeps the engines' versions in
-- step (TestMigrationsInStep).
SELECT 1;
