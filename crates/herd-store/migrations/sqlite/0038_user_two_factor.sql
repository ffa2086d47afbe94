-- Two-factor authentication for instance accounts (Mastodon's TOTP): the secret sealed with
-- the server's key, on once a code from it confirmed it; unused recovery codes as a JSON
-- array of SHA-256 digests; the last step used, so each code works once.
ALTER TABLE users ADD COLUMN otp_sealed TEXT;
ALTER TABLE users ADD COLUMN otp_enabled_at BIGINT;
ALTER TABLE users ADD COLUMN otp_recovery TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN otp_last_step BIGINT NOT NULL DEFAULT 0;
