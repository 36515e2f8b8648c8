-- The userName an identity provider gave a user (SCIM), kept as it sent
-- it: Entra ID sends the person's UPN (jdupont@acme.onmicrosoft.com),
-- which is not their address (emails' primary, jean.dupont@acme.fr), and
-- then looks them up by it (filter userName eq). Answered the address as
-- userName, it found nobody, created them again, was refused, and was stuck
-- for good. user_name_key (store.EmailKey of user_name) keeps it unique
-- whatever its case, as RFC 7643 has userName (caseExact false). A row may
-- now hold a userName without an externalId: SQLite drops external_id's NOT
-- NULL by building the table again.
CREATE TABLE scim_ids_031 (
	user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	external_id TEXT UNIQUE,
	user_name TEXT,
	user_name_key TEXT UNIQUE
);
INSERT INTO scim_ids_031 (user_id, external_id) SELECT user_id, external_id FROM scim_ids;
DROP TABLE scim_ids;
ALTER TABLE scim_ids_031 RENAME TO scim_ids;
