-- Notifications (issue 14): each user's choice of channels per event, where
-- it differs from the catalogue's default (admin/notify.go), so that a
-- change of default reaches everyone who never chose. channels is a
-- comma-separated set ("email,sms"); '' is off.
CREATE TABLE notify_prefs (
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	event TEXT NOT NULL,
	channels TEXT NOT NULL,
	PRIMARY KEY (user_id, event)
);

-- An invitee is reminded remind_before_secs before their link expires (0:
-- never). notices_through is the instant up to which the notices that time
-- alone sets off (reminders, expiries, away periods ending) are written, as
-- billing_renewed_through is for renewals: each is written once, by
-- whichever process passes its instant first.
ALTER TABLE account ADD COLUMN remind_before_secs INTEGER NOT NULL DEFAULT 86400;
ALTER TABLE account ADD COLUMN notices_through INTEGER NOT NULL DEFAULT 0;

-- The daily digest of stuck invitations goes to the operators on call at
-- digest_hour in the account's time zone; digest_through is the instant of
-- the last one due, so that each day's is written once.
ALTER TABLE account ADD COLUMN digest_hour INTEGER NOT NULL DEFAULT 9;
ALTER TABLE account ADD COLUMN digest_through INTEGER NOT NULL DEFAULT 0;
