-- Full-text search of posts: one row per post, the post's words as plain text, searched
-- through a GIN index of their 'simple' (unstemmed, lowercased) lexemes. Kept by the
-- statements that write posts (herd-store/src/search.rs).
CREATE TABLE status_search (
    tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED,
    PRIMARY KEY (tenant_id, status_id)
);
CREATE INDEX status_search_tsv ON status_search USING GIN (tsv);
