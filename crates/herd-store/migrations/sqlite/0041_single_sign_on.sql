-- Single sign-on per instance through the organization's own OpenID Connect provider.
-- `tenant_sso` holds the provider (its issuer, found by discovery), the client Herd is
-- registered as (the secret sealed with the server's key), which claim finds an existing
-- account, and whether a first sign-in may create one. `sso_identities` links a person at a
-- provider (issuer and `sub`) to an account, so later sign-ins find them even after their
-- e-mail address or username changes at the provider.
CREATE TABLE tenant_sso (
    tenant_id BIGINT NOT NULL PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret_sealed TEXT NOT NULL,
    match_claim TEXT NOT NULL,
    create_accounts BIGINT NOT NULL,
    label TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE sso_identities (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_sign_in_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, issuer, subject)
);
CREATE INDEX sso_identities_account ON sso_identities (tenant_id, account_id);
