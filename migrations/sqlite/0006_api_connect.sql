-- Connections started through the REST API (POST /v1/users/{id}/connections): the platform
-- sends its user to the returned URL, so the OAuth state is bound to no VitaSync session or
-- browser cookie, and names where to send the browser back to afterwards.
-- SQLite cannot relax NOT NULL in place; the table holds only authorizations in flight (at
-- most ten minutes old), so it is rebuilt. Anyone mid-consent during the upgrade starts again.
DROP TABLE oauth_states;
CREATE TABLE oauth_states (
    state_hash       TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- NULL when started through the API.
    auth_session_id  TEXT REFERENCES auth_sessions(id) ON DELETE CASCADE,
    browser_hash     TEXT,
    provider_id      TEXT NOT NULL,
    -- The PKCE verifier, sealed under the key ring.
    pkce_verifier    TEXT,
    redirect_uri     TEXT NOT NULL,
    -- The platform's page to return to (API-started connections only).
    return_url       TEXT,
    expires_at       TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX oauth_states_expires_idx ON oauth_states (expires_at);
