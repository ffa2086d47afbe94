-- Each actor's RSA key pair (PEM), made when the actor is first needed by federation.
-- account_id 0 is the instance's own actor. Private keys never leave the server.
CREATE TABLE actor_keys (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL,
    public_pem TEXT NOT NULL,
    private_pem TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, account_id)
);
