-- A remote account's profile page (its actor's `url`); local accounts' pages are derived.
ALTER TABLE accounts ADD COLUMN url TEXT;
