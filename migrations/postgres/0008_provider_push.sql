-- Provider push intake: notifications providers POST to us (WHOOP, Strava, Oura, Withings, …).

-- A notification names the person by their id at the provider, stored at connect time.
CREATE INDEX provider_connections_account_idx ON provider_connections (provider_id, provider_user_id);

-- Every notification received, keyed by what makes it unique at its provider (WHOOP's
-- trace_id, Strava's owner/object/aspect/time, …): a replay hits the unique key and does
-- nothing. `outcome` records what became of it: queued (a sync job), open (a job was already
-- queued or running), unknown (no connection has that provider account) or inactive.
CREATE TABLE provider_push_receipts (
    id            text PRIMARY KEY,
    provider_id   text NOT NULL,
    notice_key    text NOT NULL,
    account_id    text NOT NULL,
    outcome       text NOT NULL,
    sync_job_id   text REFERENCES sync_jobs(id) ON DELETE SET NULL,
    received_at   timestamptz NOT NULL,
    UNIQUE (provider_id, notice_key)
);
CREATE INDEX provider_push_receipts_received_idx ON provider_push_receipts (received_at);
