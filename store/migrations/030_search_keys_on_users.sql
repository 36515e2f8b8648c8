-- Two of the five keys each user had in search_keys are held by the users
-- table's own indexes already: the sort name (users_by_name) and, for an
-- address in ASCII, the folded address, which is then its email_key
-- (users_by_email_key). A search reads those two indexes beside
-- search_keys (store's searchArms), and the rows are no longer written
-- (store's searchKeys): inviting wrote each key as a row and an entry of
-- search_keys_user, two of the ten b-tree writes it made a person for
-- search alone.
DELETE FROM search_keys
WHERE key = (SELECT u.sort_name FROM users u WHERE u.id = search_keys.user_id)
    OR key = (SELECT u.email_key FROM users u WHERE u.id = search_keys.user_id
        AND length(u.email) = octet_length(u.email));
