-- SCIM provisioning (issue 13). The identity provider's own ID for a user
-- (externalId), which it looks users up by; and the account's settings for
-- what SCIM does: stage instead of invite, and who inherits what a user
-- deleted by the identity provider owned.
CREATE TABLE scim_ids (
	user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	external_id TEXT NOT NULL UNIQUE
);
ALTER TABLE account ADD COLUMN scim_heir TEXT NOT NULL DEFAULT '';
ALTER TABLE account ADD COLUMN scim_staged INTEGER NOT NULL DEFAULT 0;
