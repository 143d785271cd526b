-- Connections started through the REST API no longer hand out the provider's consent URL
-- itself: the platform gets a VitaSync page (/connect/{token}) that names the workspace and
-- the person before anything goes to the provider, so a link opened by the wrong person is
-- recognised as not theirs. A handoff is used once (continue or cancel) and lasts ten minutes;
-- its token is stored only as a SHA-256 hash.
CREATE TABLE connect_handoffs (
    token_hash   text PRIMARY KEY,
    user_id      text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider_id  text NOT NULL,
    -- The platform's page to return to afterwards (checked when the handoff was made).
    return_url   text NOT NULL,
    -- This server's address as the platform reached it: the callback is built from it.
    base_url     text NOT NULL,
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL
);
CREATE INDEX connect_handoffs_expires_idx ON connect_handoffs (expires_at);
