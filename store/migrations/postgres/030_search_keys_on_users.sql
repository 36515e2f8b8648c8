-- SQLite's 030_search_keys_on_users.sql says why: the search keys the
-- users table's own indexes hold (the sort name, an ASCII address's
-- email_key) are no longer rows of search_keys.
DELETE FROM search_keys k USING users u
WHERE u.id = k.user_id AND (k.key = u.sort_name
    OR k.key = u.email_key AND length(u.email) = octet_length(u.email));
