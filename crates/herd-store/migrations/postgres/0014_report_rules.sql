-- Reports filed here (POST /api/v1/reports): the server rules they name, and whether a copy
-- went to the reported account's server.
ALTER TABLE reports ADD COLUMN rule_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE reports ADD COLUMN forwarded BIGINT NOT NULL DEFAULT 0;
