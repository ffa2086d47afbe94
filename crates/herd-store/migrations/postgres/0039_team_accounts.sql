-- Team accounts: an organization's own account (say @press) that several of its staff post
-- as, each signing in as themselves. `teams` marks such accounts; `team_members` says who
-- may act as one. A token made for a member acting as a team names the member in
-- `delegate_account_id` (so does the authorization code it came from); what they do as the
-- team is recorded in the instance's audit log, never shown publicly.
CREATE TABLE teams (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, account_id)
);

CREATE TABLE team_members (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    team_account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    member_account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, team_account_id, member_account_id)
);
CREATE INDEX team_members_member ON team_members (tenant_id, member_account_id);

ALTER TABLE oauth_codes ADD COLUMN delegate_account_id BIGINT;
ALTER TABLE oauth_tokens ADD COLUMN delegate_account_id BIGINT;
