-- The provider's side: organizations (customers) and what they book. These rows sit above
-- tenants, as the tenants table does: an organization owns instances, hosted here
-- (tenants.organization_id) or external (a Mastodon server elsewhere, known by URL).
CREATE TABLE organizations (
    id BIGINT PRIMARY KEY,
    -- A short stable name for the CLI and URLs ("land-sh").
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE organization_contacts (
    id BIGINT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    -- billing, technical, abuse, admin
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX organization_contacts_org ON organization_contacts (organization_id);

ALTER TABLE tenants ADD COLUMN organization_id BIGINT REFERENCES organizations(id);
CREATE INDEX tenants_organization ON tenants (organization_id);

CREATE TABLE external_instances (
    id BIGINT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    domain TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX external_instances_org ON external_instances (organization_id);

-- The operator's catalog: a plan names a service and its terms (JSON, see
-- herd_core::service::Terms); a booking references a plan and may override its terms.
CREATE TABLE service_plans (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    service TEXT NOT NULL,
    terms TEXT NOT NULL DEFAULT '{}',
    retired_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A service booked for one hosted instance (tenant_id), one external instance
-- (external_id), or the whole organization (neither).
CREATE TABLE bookings (
    id BIGINT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    tenant_id BIGINT REFERENCES tenants(id) ON DELETE CASCADE,
    external_id BIGINT REFERENCES external_instances(id) ON DELETE CASCADE,
    service TEXT NOT NULL,
    plan_id BIGINT REFERENCES service_plans(id),
    terms TEXT NOT NULL DEFAULT '{}',
    starts_at BIGINT NOT NULL,
    ends_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX bookings_org ON bookings (organization_id, service);
CREATE INDEX bookings_tenant ON bookings (tenant_id, service);

-- What was done at the provider level (organizations, plans, bookings), readable by the
-- organization it concerns; actions inside an instance stay in that tenant's audit_log.
CREATE TABLE provider_audit (
    id BIGINT PRIMARY KEY,
    organization_id BIGINT REFERENCES organizations(id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL
);
CREATE INDEX provider_audit_org ON provider_audit (organization_id, id);

-- Metering. A local user is active on a day they used the instance (a sign-in or an
-- authenticated request), as Mastodon's activity tracker counts logins.
CREATE TABLE user_activity_days (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    account_id BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, day, account_id)
);
-- Counts that leave no rows of their own: deliveries tried and failed, inbox activities.
CREATE TABLE usage_counters (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    deliveries BIGINT NOT NULL DEFAULT 0,
    delivery_failures BIGINT NOT NULL DEFAULT 0,
    inbox_activities BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day)
);
-- One row per instance and day (epoch day), written by the roll-up.
CREATE TABLE usage_daily (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    active_users BIGINT NOT NULL,
    accounts BIGINT NOT NULL,
    posts BIGINT NOT NULL,
    media_bytes BIGINT NOT NULL,
    remote_media_bytes BIGINT NOT NULL,
    deliveries BIGINT NOT NULL,
    delivery_failures BIGINT NOT NULL,
    inbox_activities BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, day)
);
-- The days rolled up (one node rolls each day up).
CREATE TABLE usage_rollups (
    day BIGINT PRIMARY KEY,
    started_at BIGINT NOT NULL,
    finished_at BIGINT
);

-- The bytes a media row keeps in the file store (original, processed version, thumbnail);
-- rows from before this migration count 0 until the roll-up measures them (-1: unknown).
ALTER TABLE media ADD COLUMN bytes BIGINT NOT NULL DEFAULT -1;

-- Every instance made before organizations existed gets one of its own, with an open
-- hosting booking, so it keeps being served as before.
INSERT INTO organizations (id, slug, name, notes, created_at, updated_at)
    SELECT id, domain, title, 'made for an instance that predates organizations', created_at, updated_at FROM tenants;
UPDATE tenants SET organization_id = id;
INSERT INTO bookings (id, organization_id, tenant_id, external_id, service, plan_id, terms, starts_at, ends_at, created_at, updated_at)
    SELECT id, id, id, NULL, 'hosting', NULL, '{}', created_at, NULL, created_at, created_at FROM tenants;
