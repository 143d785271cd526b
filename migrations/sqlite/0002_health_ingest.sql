-- Health-data ingest: user-local days, daily rollups and per-metric source priority.

-- health_metrics is recreated rather than altered: no earlier release wrote to it (ingest arrives
-- with this migration), and the new NOT NULL column needs no placeholder default.
DROP TABLE health_metrics;
CREATE TABLE health_metrics (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    connection_id  TEXT REFERENCES provider_connections(id) ON DELETE SET NULL,
    provider_id    TEXT NOT NULL,
    metric_type    TEXT NOT NULL,
    -- Null for structured metrics (never 0 standing in for "no value").
    value          REAL,
    unit           TEXT,
    data           TEXT,
    -- The figures a structured point contributes to its daily rollup (sleep: hours asleep;
    -- blood pressure: systolic and diastolic), derived at ingest so rollups never parse JSON.
    derived        REAL,
    derived2       REAL,
    source         TEXT NOT NULL DEFAULT 'user' CHECK (source IN ('user', 'manual', 'computed')),
    recorded_at    TEXT NOT NULL,
    -- The day this point belongs to in the user's time zone at ingest (sleep: the wake-up day).
    local_date     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (user_id, provider_id, metric_type, recorded_at)
);
CREATE INDEX health_metrics_user_type_day_idx ON health_metrics (user_id, metric_type, local_date);

-- One row per (user, metric, local day, provider): what every chart reads.
CREATE TABLE daily_rollups (
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    metric_type   TEXT NOT NULL,
    local_date    TEXT NOT NULL,
    provider_id   TEXT NOT NULL,
    sample_count  integer NOT NULL,
    value_sum     REAL,
    value_min     REAL,
    value_max     REAL,
    value_last    REAL,
    last_at       TEXT NOT NULL,
    aux_sum       REAL,
    aux_min       REAL,
    aux_max       REAL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (user_id, metric_type, local_date, provider_id)
);

-- The user's preferred order of sources for one metric (JSON array of provider ids).
CREATE TABLE source_priorities (
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    metric_type  TEXT NOT NULL,
    providers    TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, metric_type)
);

CREATE INDEX events_user_started_idx ON events (user_id, started_at);
