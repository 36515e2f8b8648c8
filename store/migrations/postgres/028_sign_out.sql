-- SQLite's 028_sign_out.sql says why.
ALTER TABLE users ADD COLUMN sign_outs bigint NOT NULL DEFAULT 0;
