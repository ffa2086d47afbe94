-- Per instance: whether ActivityPub documents are served only to signed requests
-- (Mastodon's "secure mode" / AUTHORIZED_FETCH).
ALTER TABLE tenants ADD COLUMN authorized_fetch BIGINT NOT NULL DEFAULT 0;
