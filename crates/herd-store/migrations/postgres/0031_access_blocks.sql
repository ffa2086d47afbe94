-- Who may sign up or reach an instance at all (Mastodon's e-mail domain blocks, canonical
-- e-mail blocks and IP blocks).
CREATE TABLE email_domain_blocks (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    domain TEXT NOT NULL,
    allow_with_approval BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, domain)
);

-- Sign-ups an e-mail domain block turned away (or sent to approval), per day and address:
-- the block's `history`.
CREATE TABLE email_domain_block_attempts (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    block_id BIGINT NOT NULL REFERENCES email_domain_blocks(id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    ip TEXT NOT NULL,
    uses BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, block_id, day, ip)
);

-- SHA-256 of an e-mail address in Mastodon's canonical form (lower case, dots and +tags of
-- the local part removed).
CREATE TABLE canonical_email_blocks (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    canonical_email_hash TEXT NOT NULL,
    reference_account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, canonical_email_hash)
);

-- An address or network (CIDR, normalized): `sign_up_requires_approval`, `sign_up_block` or
-- `no_access`, until `expires_at` when set.
CREATE TABLE ip_blocks (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    ip TEXT NOT NULL,
    severity TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    expires_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, ip)
);
