-- SQLite's 026_pending_mail_insert.sql makes its row trigger update the
-- mail columns in place. PostgreSQL's pending_mail_insert is a statement
-- trigger since 019, which computes each user's row once a statement.
SELECT 1;
