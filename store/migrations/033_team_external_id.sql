-- A team's ID at the identity provider that made it a SCIM group
-- (externalId): Microsoft Entra ID sends the group's object ID, and patches
-- it again whenever the group read back lacks it, a refusal each cycle
-- before roster kept it. '' for teams made otherwise.
ALTER TABLE teams ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
