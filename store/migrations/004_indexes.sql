-- Finding the owners (the default operator, the last-owner rule) without
-- reading every user, and a user's audit trail by what they did as well as
-- by what was done to them.
CREATE INDEX users_by_role ON users (role, status);
CREATE INDEX audit_actor_email ON audit (actor_email COLLATE NOCASE, id);
