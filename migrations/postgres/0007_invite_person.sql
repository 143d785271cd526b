-- An invitation may name an existing person of the workspace (one added through the API or by
-- an admin, with no password yet): accepting it gives that person a password and a role instead
-- of creating a new account, so their data and external id stay theirs.
ALTER TABLE invitations ADD COLUMN user_id text REFERENCES users(id) ON DELETE CASCADE;
