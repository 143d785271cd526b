-- Connections started through the REST API (POST /v1/users/{id}/connections): the platform
-- sends its user to the returned URL, so the OAuth state is bound to no VitaSync session or
-- browser cookie, and names where to send the browser back to afterwards.
ALTER TABLE oauth_states ALTER COLUMN auth_session_id DROP NOT NULL;
ALTER TABLE oauth_states ALTER COLUMN browser_hash DROP NOT NULL;
-- The platform's page to return to (API-started connections only).
ALTER TABLE oauth_states ADD COLUMN return_url text;
