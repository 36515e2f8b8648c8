-- SQLite's 032_seat_reused.sql says why.
DROP INDEX seat_ledger_charge;
CREATE UNIQUE INDEX seat_ledger_renewal ON seat_ledger (user_id, cycle_start) WHERE kind = 'renewal';
