-- One sync of a subscription at a time, across nodes: a sync holds the lease until it has
-- written what it read (or until the lease runs out, if its node died).
ALTER TABLE blocklist_subscriptions ADD COLUMN sync_lease_until BIGINT;
