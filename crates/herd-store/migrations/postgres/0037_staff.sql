-- The provider's staff: not instance accounts. They sign in on the operator's admin domain
-- with a password and TOTP (RFC 6238); the TOTP secret is sealed with the server's key
-- (AES-256-GCM), recovery codes are kept as SHA-256 digests, as are session and API tokens.
CREATE TABLE staff (
    id BIGINT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    -- operator, moderator, support
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_sealed TEXT,
    totp_enabled_at BIGINT,
    -- JSON array of digests of unused recovery codes.
    recovery_codes TEXT NOT NULL DEFAULT '[]',
    -- The last TOTP step used, so a code is accepted once.
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    disabled_at BIGINT,
    last_sign_in_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Browser sessions. `stage` is `password` between the password and the second factor,
-- `full` once both are given.
CREATE TABLE staff_sessions (
    id BIGINT PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    stage TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);

-- Tokens for the provider API (/api/herd/v1), for a billing system or scripts.
CREATE TABLE staff_tokens (
    id BIGINT PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX staff_tokens_staff ON staff_tokens (staff_id);
