-- Per instance: the largest remote video or audio file copied here (Mastodon's 99 MB).
ALTER TABLE tenants ADD COLUMN max_video_bytes BIGINT NOT NULL DEFAULT 103809024;
