-- File imports (the Health app's export.zip): one row per upload, with its progress.
-- `status`: queued → checking (the whole file is read once to make sure it is complete) →
-- importing → completed, or failed with `error`. Progress is in bytes of the uploaded file.
CREATE TABLE health_imports (
    id            text PRIMARY KEY,
    user_id       text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider_id   text NOT NULL,
    file_name     text NOT NULL,
    status        text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'checking', 'importing', 'completed', 'failed')),
    bytes_total   bigint NOT NULL DEFAULT 0,
    bytes_done    bigint NOT NULL DEFAULT 0,
    records_seen  bigint NOT NULL DEFAULT 0,
    rows_written  bigint NOT NULL DEFAULT 0,
    error         text,
    created_at    timestamptz NOT NULL,
    started_at    timestamptz,
    finished_at   timestamptz
);
CREATE INDEX health_imports_user_idx ON health_imports (user_id, created_at);
