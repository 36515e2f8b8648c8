-- The triggers that keep pending_invitations when a token or an outbox row
-- changes read the user back with user_id IN (OLD.user_id, NEW.user_id),
-- which SQLite plans as a walk of every invited user (users_by_status)
-- rather than two look-ups by key: 2 ms per update at 100,000 users, paid by
-- every mail claimed and sent, and growing with the database. One statement
-- per user is a look-up by key; the second runs only when the row moved to
-- another user.
DROP TRIGGER pending_token_update;
CREATE TRIGGER pending_token_update AFTER UPDATE OF user_id, kind, expires_at, created_at ON tokens BEGIN
	DELETE FROM pending_invitations WHERE user_id IN (OLD.user_id, NEW.user_id);
	INSERT INTO pending_invitations SELECT * FROM pending_source WHERE user_id = NEW.user_id;
	INSERT INTO pending_invitations SELECT * FROM pending_source WHERE user_id = OLD.user_id AND OLD.user_id IS NOT NEW.user_id;
END;
DROP TRIGGER pending_mail_update;
CREATE TRIGGER pending_mail_update AFTER UPDATE OF user_id, kind, state, last_error ON outbox
WHEN OLD.kind IN ('invitation', 'invitation_resent') OR NEW.kind IN ('invitation', 'invitation_resent') BEGIN
	DELETE FROM pending_invitations WHERE user_id IN (OLD.user_id, NEW.user_id);
	INSERT INTO pending_invitations SELECT * FROM pending_source WHERE user_id = NEW.user_id;
	INSERT INTO pending_invitations SELECT * FROM pending_source WHERE user_id = OLD.user_id AND OLD.user_id IS NOT NEW.user_id;
END;
