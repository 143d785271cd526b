-- The insights "derive" queue: after data arrives (sync, push, API, Apple import, hand entry)
-- the person's baselines are brought up to date by a background worker, not inside the write.
-- Requests coalesce: there is at most one row per person. A new request keeps the earliest
-- `from_date` (the first local day whose data changed) and bumps `generation`, so a burst of
-- batches from one sync becomes one pass. A worker claims a due row (`claimed_at`,
-- `claimed_by`), derives from `from_date` to the person's today, and then deletes the row only
-- if `generation` is still the one it claimed; otherwise a request came in while it worked and
-- the row stays, unclaimed, for another pass. A claim older than ten minutes (the worker died)
-- may be taken over.
CREATE TABLE derive_requests (
    user_id       TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    from_date     TEXT NOT NULL,
    generation    INTEGER NOT NULL DEFAULT 1,
    -- The latest request: a row is due once this is a couple of seconds old (debounce).
    requested_at  TEXT NOT NULL,
    claimed_at    TEXT,
    claimed_by    TEXT
);
CREATE INDEX derive_requests_due_idx ON derive_requests (requested_at);

-- Anomalies are judged by a robust z-score (median and MAD of the baseline window), so the
-- baseline keeps its median absolute deviation (raw, not scaled to a standard deviation).
ALTER TABLE biometric_baselines ADD COLUMN mad REAL;
