-- Favourites, boosts and follows within a few hours of each other share a group
-- (Mastodon's grouped notifications, `/api/v2/notifications`); other notifications have none.
ALTER TABLE notifications ADD COLUMN group_key TEXT;
CREATE INDEX notifications_group ON notifications (tenant_id, account_id, group_key, id);
