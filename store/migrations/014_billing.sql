-- Seats and prorated billing (issue 12).
--
-- The plans the account has had and will have, each from an instant: the
-- plan in effect at t is the last one starting at or before t, and period ''
-- is no plan. A change to an existing plan is a row starting at the next
-- cycle, so the statements of past cycles keep the plan they were billed on.
CREATE TABLE billing_plans (
	id INTEGER PRIMARY KEY,
	starts_at INTEGER NOT NULL,
	period TEXT NOT NULL CHECK (period IN ('', 'monthly', 'yearly')),
	seat_price INTEGER NOT NULL,   -- in the currency's minor unit
	currency TEXT NOT NULL,        -- ISO 4217
	anchor TEXT NOT NULL,          -- 2026-12-01
	time_zone TEXT NOT NULL,       -- IANA name
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL
);
CREATE INDEX billing_plans_start ON billing_plans (starts_at, id);

-- The seat ledger, append-only: a seat started (charged prorated), resumed
-- within a cycle it was already paid for (no charge), ended (paid to the end
-- of its cycle, no credit), renewed at a cycle start (the full price), and
-- the plan changes. A deleted user's rows stay: no foreign key, the address
-- kept on the row.
CREATE TABLE seat_ledger (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('seat_started', 'seat_resumed', 'seat_ended', 'renewal', 'plan_changed')),
	user_id INTEGER NOT NULL,      -- 0 for a plan change
	email TEXT NOT NULL,
	at INTEGER NOT NULL,
	cycle_start INTEGER NOT NULL,
	cycle_end INTEGER NOT NULL,
	amount INTEGER NOT NULL,       -- in the currency's minor unit
	currency TEXT NOT NULL,
	rule TEXT NOT NULL             -- how the amount was computed
);
-- A seat is charged once a cycle: started in it, or renewed at its start.
-- Two processes renewing at once, or an acceptance racing a renewal, meet here.
CREATE UNIQUE INDEX seat_ledger_charge ON seat_ledger (user_id, cycle_start) WHERE kind IN ('seat_started', 'renewal');
CREATE INDEX seat_ledger_user ON seat_ledger (user_id, at, id);
CREATE INDEX seat_ledger_cycle ON seat_ledger (cycle_start, id);

-- The instant up to which renewals have been written; 0 before any plan.
ALTER TABLE account ADD COLUMN billing_renewed_through INTEGER NOT NULL DEFAULT 0;
