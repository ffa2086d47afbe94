-- Tokens that are browser sessions of the instance's own pages (the organization console,
-- a member's settings) are marked, so that only they open those pages and they are never
-- accepted as an app's bearer token.
ALTER TABLE oauth_tokens ADD COLUMN web_session BIGINT NOT NULL DEFAULT 0;
