-- The start of every link in mail, an account setting so that every process
-- mailing for the account (roster serve, the dashboard, roster mail deliver)
-- builds the same links. Empty: not set yet.
ALTER TABLE account ADD COLUMN base_url TEXT NOT NULL DEFAULT '';
