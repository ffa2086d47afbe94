-- Link previews: what a page a post links to says of itself (OpenGraph), fetched by a job,
-- one per address and instance, and which post shows which.
CREATE TABLE preview_cards (
    id BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    image_url TEXT,
    provider_name TEXT NOT NULL DEFAULT '',
    language TEXT,
    fetched_at BIGINT NOT NULL,
    UNIQUE (tenant_id, url)
);

CREATE TABLE status_cards (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    card_id BIGINT NOT NULL REFERENCES preview_cards(id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, status_id)
);
CREATE INDEX status_cards_card ON status_cards (tenant_id, card_id);
