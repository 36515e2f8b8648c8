-- A seat paid for a cycle stays paid to its end and is taken by the next
-- seat started in that cycle (admin's seatStarts): someone deleted and
-- another invited in the same cycle pay one seat. So a person may be charged
-- twice in a cycle, once their paid seat was taken by another while they
-- were away (deactivated, then reactivated with no paid seat free). Only a
-- renewal stays unique per seat and cycle: two processes renewing at once
-- meet here. Acceptances and reactivations are writes, one at a time.
DROP INDEX seat_ledger_charge;
CREATE UNIQUE INDEX seat_ledger_renewal ON seat_ledger (user_id, cycle_start) WHERE kind = 'renewal';
