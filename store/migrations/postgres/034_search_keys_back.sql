-- SQLite's 034_search_keys_back.sql says why: the search keys 030 took out
-- of search_keys are rows again.
INSERT INTO search_keys (key, user_id)
SELECT sort_name, id FROM users WHERE sort_name != '' ON CONFLICT DO NOTHING;
INSERT INTO search_keys (key, user_id)
SELECT email_key, id FROM users WHERE email_key != '' AND length(email) = octet_length(email) ON CONFLICT DO NOTHING;
