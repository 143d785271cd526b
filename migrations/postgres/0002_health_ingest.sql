-- Health-data ingest: user-local days, daily rollups and per-metric source priority.

-- health_metrics is recreated rather than altered: no earlier release wrote to it (ingest arrives
-- with this migration), and the new NOT NULL column needs no placeholder default.
DROP TABLE health_metrics;
CREATE TABLE health_metrics (
    id             text PRIMARY KEY,
    user_id        text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    connection_id  text REFERENCES provider_connections(id) ON DELETE SET NULL,
    provider_id    text NOT NULL,
    metric_type    text NOT NULL,
    -- Null for structured metrics (never 0 standing in for "no value").
    value          double precision,
    unit           text,
    data           jsonb,
    -- The figures a structured point contributes to its daily rollup (sleep: hours asleep;
    -- blood pressure: systolic and diastolic), derived at ingest so rollups never parse JSON.
    derived        double precision,
    derived2       double precision,
    source         text NOT NULL DEFAULT 'user' CHECK (source IN ('user', 'manual', 'computed')),
    recorded_at    timestamptz NOT NULL,
    -- The day this point belongs to in the user's time zone at ingest (sleep: the wake-up day).
    local_date     date NOT NULL,
    created_at     timestamptz NOT NULL,
    UNIQUE (user_id, provider_id, metric_type, recorded_at)
);
CREATE INDEX health_metrics_user_type_day_idx ON health_metrics (user_id, metric_type, local_date);

-- One row per (user, metric, local day, provider): what every chart reads.
CREATE TABLE daily_rollups (
    user_id       text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    metric_type   text NOT NULL,
    local_date    date NOT NULL,
    provider_id   text NOT NULL,
    sample_count  integer NOT NULL,
    value_sum     double precision,
    value_min     double precision,
    value_max     double precision,
    value_last    double precision,
    last_at       timestamptz NOT NULL,
    aux_sum       double precision,
    aux_min       double precision,
    aux_max       double precision,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (user_id, metric_type, local_date, provider_id)
);

-- The user's preferred order of sources for one metric (JSON array of provider ids).
CREATE TABLE source_priorities (
    user_id      text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    metric_type  text NOT NULL,
    providers    jsonb NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (user_id, metric_type)
);

CREATE INDEX events_user_started_idx ON events (user_id, started_at);
