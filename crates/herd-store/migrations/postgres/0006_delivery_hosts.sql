-- Other servers' health as seen by delivery, shared by every instance and node: a server
-- that keeps failing is left alone until `down_until`, then tried again. This describes
-- servers outside Herd, not any instance's data, so it has no tenant (like the job queue's
-- leasing, it is the nodes' own bookkeeping).
CREATE TABLE delivery_hosts (
    host TEXT PRIMARY KEY,
    failures BIGINT NOT NULL DEFAULT 0,
    down_until BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);
