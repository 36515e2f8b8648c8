-- A link made (an invitation's token) kept its pending invitation and its
-- user's row by computing them again from pending_source and
-- user_row_source: a DELETE, then the row read back through five look-ups,
-- and the newest usable link looked up again, for each link. Made, a link
-- is the newest (ids only grow), so what changes is known from the link
-- itself: its expiry and time, one link more. An older link written after
-- a newer one (a copy out of order) only counts one more. Three quarters
-- of writing a link was its triggers; inviting 10,000 people made 10,000.
DROP TRIGGER pending_token_insert;
CREATE TRIGGER pending_token_insert AFTER INSERT ON tokens WHEN NEW.kind = 'invite' BEGIN
    INSERT INTO pending_invitations (user_id, mail, expires_at, sent, sent_at, mail_state, mail_error)
    SELECT u.id, CASE o.state WHEN 'failed' THEN 0 WHEN 'deferred' THEN 1 ELSE 2 END, NEW.expires_at, 1, NEW.created_at,
        coalesce(o.state, ''), coalesce(o.last_error, '')
    FROM users u LEFT JOIN outbox o ON o.id = (SELECT max(id) FROM outbox WHERE user_id = NEW.user_id
        AND kind IN ('invitation', 'invitation_resent') AND state != 'cancelled')
    WHERE u.id = NEW.user_id AND u.status = 'invited'
        AND NOT EXISTS (SELECT 1 FROM tokens WHERE user_id = NEW.user_id AND kind = 'invite' AND id > NEW.id)
    ON CONFLICT (user_id) DO UPDATE SET expires_at = excluded.expires_at, sent = sent + 1, sent_at = excluded.sent_at;
    UPDATE pending_invitations SET sent = sent + 1 WHERE user_id = NEW.user_id
        AND EXISTS (SELECT 1 FROM tokens WHERE user_id = NEW.user_id AND kind = 'invite' AND id > NEW.id);
END;
DROP TRIGGER user_row_token_insert;
CREATE TRIGGER user_row_token_insert AFTER INSERT ON tokens
WHEN NEW.kind = 'invite' AND NEW.used_at = 0 AND NEW.voided_at = 0 BEGIN
    UPDATE users SET invite_expires_at = NEW.expires_at
    WHERE id = NEW.user_id AND invite_expires_at != NEW.expires_at
        AND NOT EXISTS (SELECT 1 FROM tokens WHERE user_id = NEW.user_id AND kind = 'invite'
            AND used_at = 0 AND voided_at = 0 AND id > NEW.id);
END;
