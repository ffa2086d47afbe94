-- Quote posts (FEP-044f, as Mastodon 4.5 has them).
-- Who may quote a post, as Mastodon stores it: flags of the automatic and the manual
-- approval policy (1 unsupported policy, 2 public, 4 followers, 8 following).
ALTER TABLE statuses ADD COLUMN quote_automatic BIGINT NOT NULL DEFAULT 0;
ALTER TABLE statuses ADD COLUMN quote_manual BIGINT NOT NULL DEFAULT 0;
ALTER TABLE statuses ADD COLUMN quotes_count BIGINT NOT NULL DEFAULT 0;
-- A member's default for new posts: public, followers or nobody.
ALTER TABLE users ADD COLUMN default_quote_policy TEXT NOT NULL DEFAULT 'public';

-- A post quoting another: one per quoting post. The quoted post may not be stored (yet):
-- `quoted_uri` names it. `state`: pending, accepted, rejected, revoked. `approval_uri` is
-- the QuoteAuthorization that proves an accepted quote (this instance's own for a local
-- quoted post); `activity_uri` the QuoteRequest that asked for it.
CREATE TABLE quotes (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    quoted_status_id BIGINT REFERENCES statuses(id) ON DELETE SET NULL,
    quoted_account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    quoted_uri TEXT NOT NULL,
    state TEXT NOT NULL,
    approval_uri TEXT,
    activity_uri TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, status_id)
);
CREATE INDEX quotes_quoted ON quotes (tenant_id, quoted_status_id, id);
CREATE INDEX quotes_approval ON quotes (tenant_id, approval_uri);
CREATE INDEX quotes_activity ON quotes (tenant_id, activity_uri);
