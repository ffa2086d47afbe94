-- Where a remote post's attachment came from; it is fetched into the instance's files.
ALTER TABLE media ADD COLUMN remote_url TEXT;
