-- A remote post is stored once per instance even when two deliveries of it (personal and
-- shared inbox, or two servers relaying it) are applied at the same moment: inserts skip a
-- URI that is taken. Local posts have no stored URI (NULLs never collide).
DROP INDEX statuses_uri;
CREATE UNIQUE INDEX statuses_uri ON statuses (tenant_id, uri);
