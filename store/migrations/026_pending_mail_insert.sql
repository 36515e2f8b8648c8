-- A new invitation mail changes only its user's pending row's mail
-- columns, when it is their newest not cancelled: the row is updated in
-- place, not deleted and computed again from pending_source, which the
-- invitation's link had just done (a tenth of inviting).
DROP TRIGGER pending_mail_insert;
CREATE TRIGGER pending_mail_insert AFTER INSERT ON outbox
WHEN NEW.kind IN ('invitation', 'invitation_resent') AND NEW.state != 'cancelled' BEGIN
	UPDATE pending_invitations SET mail = CASE NEW.state WHEN 'failed' THEN 0 WHEN 'deferred' THEN 1 ELSE 2 END,
		mail_state = NEW.state, mail_error = NEW.last_error
	WHERE user_id = NEW.user_id AND NEW.id = (SELECT max(id) FROM outbox WHERE user_id = NEW.user_id
		AND kind IN ('invitation', 'invitation_resent') AND state != 'cancelled');
END;
