-- Full-text search of posts: one row per post (its rowid is the post's id), the post's
-- words as plain text. Kept by the statements that write posts (herd-store/src/search.rs).
CREATE VIRTUAL TABLE status_search USING fts5(
    body,
    tenant_id UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
