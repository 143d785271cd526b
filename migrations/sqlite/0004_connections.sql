-- Connected devices: OAuth state, the sync queue's lease and resume columns, and the records of
-- the built-in demo authorization server.

-- Where the last successful sync reached; the next one starts a little before it.
ALTER TABLE provider_connections ADD COLUMN sync_cursor TEXT;

-- A job covers one time window; `cursor` is the provider's page token of the next page to fetch
-- (committed after every page, so a restarted job resumes there). `locked_until` is the lease
-- of the worker running it: a job still `running` after its lease is claimable again.
ALTER TABLE sync_jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'incremental' CHECK (kind IN ('backfill', 'incremental'));
ALTER TABLE sync_jobs ADD COLUMN window_start TEXT;
ALTER TABLE sync_jobs ADD COLUMN window_end TEXT;
ALTER TABLE sync_jobs ADD COLUMN cursor TEXT;
ALTER TABLE sync_jobs ADD COLUMN locked_until TEXT;
-- At most one open job per connection: "Sync now" and the scheduler cannot pile up work, and
-- two workers never sync the same connection at once.
CREATE UNIQUE INDEX sync_jobs_one_open_idx ON sync_jobs (connection_id) WHERE status IN ('pending', 'running');

-- One authorization in flight: single use (deleted when used), expiring, bound to the signed-in
-- session and to a random value in a short-lived cookie of the browser that started it.
CREATE TABLE oauth_states (
    state_hash       TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    auth_session_id  TEXT NOT NULL REFERENCES auth_sessions(id) ON DELETE CASCADE,
    browser_hash     TEXT NOT NULL,
    provider_id      TEXT NOT NULL,
    -- The PKCE verifier, sealed under the key ring.
    pkce_verifier    TEXT,
    redirect_uri     TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX oauth_states_expires_idx ON oauth_states (expires_at);

-- The built-in demo provider's authorization server: one row per grant. Codes and tokens are
-- stored as SHA-256 hashes only.
CREATE TABLE demo_grants (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id          TEXT NOT NULL,
    redirect_uri       TEXT NOT NULL,
    scope              TEXT NOT NULL,
    code_hash          TEXT UNIQUE,
    code_challenge     TEXT NOT NULL,
    code_expires_at    TEXT,
    access_hash        TEXT UNIQUE,
    access_expires_at  TEXT,
    refresh_hash       TEXT UNIQUE,
    revoked_at         TEXT,
    created_at         TEXT NOT NULL
);
CREATE INDEX demo_grants_user_idx ON demo_grants (user_id);
