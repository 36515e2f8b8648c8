-- Webhooks (issue 13): subscriptions to events, and an outbox of deliveries
-- written in the transaction of the event, delivered by a worker with a
-- lease and retries as mail is. The secret signs the payloads (Standard
-- Webhooks), so it is kept as given to the receiver.
CREATE TABLE webhooks (
	id INTEGER PRIMARY KEY,
	url TEXT NOT NULL,
	events TEXT NOT NULL,          -- event types, comma-separated
	secret TEXT NOT NULL,          -- whsec_ and base64
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
	id INTEGER PRIMARY KEY,
	webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
	event_id TEXT NOT NULL,        -- webhook-id: the same for every retry
	event_type TEXT NOT NULL,
	payload TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'delivered', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	lease_until INTEGER NOT NULL DEFAULT 0,
	give_up_at INTEGER NOT NULL,
	last_status INTEGER NOT NULL DEFAULT 0,  -- the receiver's HTTP status; 0: no answer
	last_error TEXT NOT NULL DEFAULT '',
	response TEXT NOT NULL DEFAULT '',       -- the start of the receiver's answer
	created_at INTEGER NOT NULL,
	done_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at) WHERE state IN ('queued', 'sending');
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);

-- Receivers on loopback or private addresses are refused unless allowed.
ALTER TABLE account ADD COLUMN webhooks_private INTEGER NOT NULL DEFAULT 0;
