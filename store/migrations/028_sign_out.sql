-- A web session is signed over the person's sign-outs as well as their
-- password hash: signing out counts one more, and so ends every session
-- of theirs, a cookie copied before included (sessions are kept nowhere
-- on the server).
ALTER TABLE users ADD COLUMN sign_outs INTEGER NOT NULL DEFAULT 0;
