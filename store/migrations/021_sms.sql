-- The SMS channel (issue 14): an outbox row is a mail or an SMS, delivered
-- by the same worker, with the same leases, retries and states. An SMS's
-- recipient is a phone number (E.164) and its data the text in Body. Each
-- channel is claimed on its own (an SMS provider that is down defers no
-- mail), so the index that finds the due rows starts with it.
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms'));
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (channel, state, next_attempt_at);
