-- The address under which a user is found and kept unique: store.EmailKey of
-- the email (Unicode case folding, NFC, IDNA), which SQL cannot compute, so the
-- migration's Go step fills it. A user whose key an older user holds already
-- keeps NULL, and is reported by roster until one of the two is deleted.
ALTER TABLE users ADD COLUMN email_key TEXT;
CREATE UNIQUE INDEX users_by_email_key ON users (email_key);
