-- What an instance's public pages show beside its description: its privacy policy and its
-- legal notice (imprint), as plain text with blank lines between paragraphs.
ALTER TABLE tenants ADD COLUMN privacy_policy TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN imprint TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN policies_updated_at INTEGER;

-- Profile links verified by a page linking back with rel="me": a JSON object from each
-- field's URL to when it was verified.
ALTER TABLE accounts ADD COLUMN verified_links TEXT NOT NULL DEFAULT '{}';
