-- File imports (the Health app's export.zip): one row per upload, with its progress.
-- `status`: queued → checking (the whole file is read once to make sure it is complete) →
-- importing → completed, or failed with `error`. Progress is in bytes of the uploaded file.
CREATE TABLE health_imports (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider_id   TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'checking', 'importing', 'completed', 'failed')),
    bytes_total   INTEGER NOT NULL DEFAULT 0,
    bytes_done    INTEGER NOT NULL DEFAULT 0,
    records_seen  INTEGER NOT NULL DEFAULT 0,
    rows_written  INTEGER NOT NULL DEFAULT 0,
    error         TEXT,
    created_at    TEXT NOT NULL,
    started_at    TEXT,
    finished_at   TEXT
);
CREATE INDEX health_imports_user_idx ON health_imports (user_id, created_at);
