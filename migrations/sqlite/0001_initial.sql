-- VitaSync schema, SQLite dialect. migrations/postgres/0001_initial.sql is the same schema in
-- PostgreSQL's dialect; tests/schema_parity.rs proves the two agree table by table, column by column.
-- Conventions: ids are ULIDs as 26-char TEXT; timestamps are ISO-8601 TEXT (UTC) written by the
-- application (never by triggers); structured values and string arrays are JSON TEXT; dates are YYYY-MM-DD TEXT.
-- Every child table cascades on delete of its owner so deleting a user or workspace removes all
-- of its data (no orphans), and every query is scoped through workspace_id / user_id.

-- ── Tenancy and accounts ─────────────────────────────────────────────────────────────────────
CREATE TABLE workspaces (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    slug          TEXT NOT NULL UNIQUE,
    -- Extension: admins decide whether anyone with the sign-up link may create a member account.
    allow_signup  INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE users (
    id                 TEXT PRIMARY KEY,
    workspace_id       TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    external_id        TEXT,
    -- Stored lower-cased; the login address for users who can sign in.
    email              TEXT,
    display_name       TEXT,
    metadata           TEXT NOT NULL DEFAULT '{}',
    -- Extensions for human sign-in (the upstream had API keys only): argon2id PHC string, null
    -- for users that only exist through the API; role inside the workspace; IANA time zone used
    -- for every "today", streak and daily total.
    password_hash      TEXT,
    role               TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member')),
    is_instance_owner  INTEGER NOT NULL DEFAULT 0,
    timezone           TEXT NOT NULL DEFAULT 'UTC',
    gender             TEXT CHECK (gender IN ('male', 'female', 'other')),
    disabled_at        TEXT,
    last_login_at      TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    UNIQUE (workspace_id, external_id)
);
CREATE INDEX users_workspace_idx ON users (workspace_id);
-- One account per sign-in address across the instance (an email identifies whom to sign in).
CREATE UNIQUE INDEX users_login_email_uq ON users (email) WHERE password_hash IS NOT NULL;

CREATE TABLE invitations (
    id            TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    email         TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    -- SHA-256 of the one-time token; the token itself is only ever shown in the link.
    token_hash    TEXT NOT NULL UNIQUE,
    invited_by    TEXT REFERENCES users(id) ON DELETE SET NULL,
    expires_at    TEXT NOT NULL,
    accepted_at   TEXT,
    revoked_at    TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX invitations_workspace_idx ON invitations (workspace_id);

-- One row per signed-in browser. The tower-sessions record holds only this row's id, so a user
-- can see and end their sessions ("sign out everywhere else") and a password change can end all.
CREATE TABLE auth_sessions (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    user_agent    TEXT,
    ip            TEXT,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL
);
CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id);

-- Failed sign-in counters, keyed by "account:<email>" and "ip:<address>".
CREATE TABLE auth_throttle (
    key             TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    window_started  TEXT NOT NULL,
    locked_until    TEXT
);

CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    key_hash      TEXT NOT NULL UNIQUE,
    key_prefix    TEXT NOT NULL,
    scopes        TEXT NOT NULL DEFAULT '["read"]',
    expires_at    TEXT,
    last_used_at  TEXT,
    revoked_at    TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX api_keys_workspace_idx ON api_keys (workspace_id);

-- ── Connections and sync ─────────────────────────────────────────────────────────────────────
CREATE TABLE provider_connections (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider_id       TEXT NOT NULL,
    -- AES-256-GCM under the key ring, bound to this row's identity as associated data.
    encrypted_tokens  TEXT,
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'error', 'disconnected')),
    provider_user_id  TEXT,
    scopes            TEXT NOT NULL DEFAULT '[]',
    last_error        TEXT,
    last_synced_at    TEXT,
    connected_at      TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (user_id, provider_id)
);
CREATE INDEX provider_connections_status_idx ON provider_connections (status);

CREATE TABLE sync_jobs (
    id              TEXT PRIMARY KEY,
    connection_id   TEXT NOT NULL REFERENCES provider_connections(id) ON DELETE CASCADE,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'failed')),
    metrics_synced  INTEGER NOT NULL DEFAULT 0,
    error           TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    run_after       TEXT,
    started_at      TEXT,
    completed_at    TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX sync_jobs_connection_idx ON sync_jobs (connection_id);
CREATE INDEX sync_jobs_status_idx ON sync_jobs (status, run_after);

-- ── Health data ──────────────────────────────────────────────────────────────────────────────
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
    source         TEXT NOT NULL DEFAULT 'user' CHECK (source IN ('user', 'manual', 'computed')),
    recorded_at    TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (user_id, provider_id, metric_type, recorded_at)
);
CREATE INDEX health_metrics_user_type_time_idx ON health_metrics (user_id, metric_type, recorded_at);

CREATE TABLE events (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    connection_id      TEXT REFERENCES provider_connections(id) ON DELETE SET NULL,
    provider_id        TEXT NOT NULL,
    provider_event_id  TEXT NOT NULL,
    event_type         TEXT NOT NULL CHECK (event_type IN ('workout', 'sleep', 'activity')),
    activity_type      TEXT,
    title              TEXT,
    started_at         TEXT NOT NULL,
    ended_at           TEXT,
    duration_seconds   INTEGER,
    distance_meters    REAL,
    calories_kcal      REAL,
    avg_heart_rate     INTEGER,
    max_heart_rate     INTEGER,
    data               TEXT,
    created_at         TEXT NOT NULL,
    UNIQUE (user_id, provider_id, provider_event_id)
);
CREATE INDEX events_user_type_time_idx ON events (user_id, event_type, started_at);

CREATE TABLE personal_records (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    metric_type  TEXT NOT NULL,
    -- NOT NULL: the upstream's nullable category let the upsert duplicate rows.
    category     TEXT NOT NULL,
    value        REAL NOT NULL,
    unit         TEXT,
    recorded_at  TEXT NOT NULL,
    provider_id  TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (user_id, metric_type, category)
);

-- ── Webhooks ─────────────────────────────────────────────────────────────────────────────────
CREATE TABLE webhooks (
    id                TEXT PRIMARY KEY,
    workspace_id      TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    url               TEXT NOT NULL,
    -- Deviation from the seed's secretHash: a signing secret must be readable to sign with, so
    -- it is encrypted (AES-256-GCM, key ring), never hashed and never returned by the API.
    encrypted_secret  TEXT NOT NULL,
    events            TEXT NOT NULL DEFAULT '[]',
    is_active         INTEGER NOT NULL DEFAULT 1,
    description       TEXT,
    created_at        TEXT NOT NULL
);
CREATE INDEX webhooks_workspace_idx ON webhooks (workspace_id);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    webhook_id       TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event            TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    status_code      INTEGER,
    attempt_count    INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    delivered_at     TEXT,
    created_at       TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id);
CREATE INDEX webhook_deliveries_status_idx ON webhook_deliveries (status, next_attempt_at);

-- ── Notifications ────────────────────────────────────────────────────────────────────────────
CREATE TABLE notification_channels (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    channel_type       TEXT NOT NULL CHECK (channel_type IN ('discord', 'slack', 'teams', 'email', 'push', 'ntfy', 'webhook')),
    label              TEXT NOT NULL,
    -- Non-secret settings only; credentials (webhook URLs with tokens, SMTP passwords) go to
    -- encrypted_secrets (the upstream kept them in clear TEXT).
    config             TEXT NOT NULL DEFAULT '{}',
    encrypted_secrets  TEXT,
    enabled            INTEGER NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX notification_channels_user_idx ON notification_channels (user_id);
CREATE INDEX notification_channels_user_type_idx ON notification_channels (user_id, channel_type);

CREATE TABLE notification_rules (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    categories    TEXT NOT NULL DEFAULT '[]',
    min_severity  TEXT NOT NULL DEFAULT 'info' CHECK (min_severity IN ('info', 'warning', 'critical')),
    channel_ids   TEXT NOT NULL DEFAULT '[]',
    enabled       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX notification_rules_user_idx ON notification_rules (user_id);

CREATE TABLE notification_logs (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- SET NULL rather than the upstream's cascade: deleting a channel keeps its delivery history.
    channel_id    TEXT REFERENCES notification_channels(id) ON DELETE SET NULL,
    channel_type  TEXT NOT NULL,
    title         TEXT NOT NULL,
    payload       TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    error         TEXT,
    delivered_at  TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX notification_logs_user_idx ON notification_logs (user_id);
CREATE INDEX notification_logs_channel_idx ON notification_logs (channel_id);
CREATE INDEX notification_logs_status_idx ON notification_logs (status);

-- ── Wellness logs ────────────────────────────────────────────────────────────────────────────
CREATE TABLE mood_logs (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    score         REAL NOT NULL CHECK (score BETWEEN 1 AND 10),
    -- Persisted (the upstream dropped energy/stress through a key mismatch).
    energy_level  REAL CHECK (energy_level BETWEEN 1 AND 10),
    stress_level  REAL CHECK (stress_level BETWEEN 1 AND 10),
    mood          TEXT NOT NULL,
    tags          TEXT NOT NULL DEFAULT '[]',
    factors       TEXT NOT NULL DEFAULT '[]',
    notes         TEXT,
    recorded_at   TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX mood_logs_user_time_idx ON mood_logs (user_id, recorded_at);

CREATE TABLE journal_entries (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title       TEXT,
    body        TEXT NOT NULL,
    mood_score  REAL CHECK (mood_score BETWEEN 1 AND 5),
    mood_label  TEXT,
    gratitude   TEXT NOT NULL DEFAULT '[]',
    tags        TEXT NOT NULL DEFAULT '[]',
    entry_date  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX journal_entries_user_date_idx ON journal_entries (user_id, entry_date);

CREATE TABLE water_intake (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    amount_ml      INTEGER NOT NULL CHECK (amount_ml BETWEEN 1 AND 5000),
    beverage_type  TEXT NOT NULL DEFAULT 'water' CHECK (beverage_type IN ('water', 'tea', 'coffee', 'juice', 'other')),
    note           TEXT,
    daily_goal_ml  INTEGER NOT NULL DEFAULT 2500 CHECK (daily_goal_ml BETWEEN 500 AND 10000),
    logged_at      TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX water_intake_user_time_idx ON water_intake (user_id, logged_at);

CREATE TABLE habits (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    icon            TEXT NOT NULL DEFAULT '✅',
    color           TEXT NOT NULL DEFAULT 'blue',
    frequency       TEXT NOT NULL DEFAULT 'daily' CHECK (frequency IN ('daily', 'weekdays', 'custom')),
    target_days     TEXT NOT NULL DEFAULT '[0,1,2,3,4,5,6]',
    active          INTEGER NOT NULL DEFAULT 1,
    current_streak  INTEGER NOT NULL DEFAULT 0,
    longest_streak  INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX habits_user_idx ON habits (user_id);

CREATE TABLE habit_logs (
    id              TEXT PRIMARY KEY,
    habit_id        TEXT NOT NULL REFERENCES habits(id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The user's local calendar date.
    completed_date  TEXT NOT NULL,
    note            TEXT,
    created_at      TEXT NOT NULL,
    -- One completion per habit per day (the upstream allowed duplicates that inflated streaks).
    UNIQUE (habit_id, completed_date)
);
CREATE INDEX habit_logs_user_date_idx ON habit_logs (user_id, completed_date);

CREATE TABLE nutrition_logs (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    meal_type      TEXT NOT NULL CHECK (meal_type IN ('breakfast', 'lunch', 'dinner', 'snack', 'supplement')),
    description    TEXT,
    calories       REAL,
    protein_grams  REAL,
    carbs_grams    REAL,
    fat_grams      REAL,
    fiber_grams    REAL,
    sugar_grams    REAL,
    sodium_mg      REAL,
    water_ml       REAL,
    details        TEXT,
    consumed_at    TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX nutrition_logs_user_time_idx ON nutrition_logs (user_id, consumed_at);
CREATE INDEX nutrition_logs_user_meal_idx ON nutrition_logs (user_id, meal_type);

CREATE TABLE medications (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    dosage       TEXT,
    frequency    TEXT NOT NULL,
    time_of_day  TEXT NOT NULL DEFAULT '[]',
    category     TEXT,
    purpose      TEXT,
    is_active    INTEGER NOT NULL DEFAULT 1,
    start_date   TEXT,
    end_date     TEXT,
    notes        TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX medications_user_idx ON medications (user_id);

CREATE TABLE medication_logs (
    id             TEXT PRIMARY KEY,
    medication_id  TEXT NOT NULL REFERENCES medications(id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status         TEXT NOT NULL CHECK (status IN ('taken', 'missed', 'skipped', 'delayed')),
    scheduled_at   TEXT NOT NULL,
    taken_at       TEXT,
    side_effects   TEXT NOT NULL DEFAULT '[]',
    notes          TEXT,
    created_at     TEXT NOT NULL,
    UNIQUE (medication_id, scheduled_at)
);
CREATE INDEX medication_logs_user_time_idx ON medication_logs (user_id, scheduled_at);

CREATE TABLE symptom_logs (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    symptom           TEXT NOT NULL,
    severity          REAL NOT NULL CHECK (severity BETWEEN 1 AND 10),
    duration_minutes  REAL,
    body_location     TEXT,
    triggers          TEXT NOT NULL DEFAULT '[]',
    relief_measures   TEXT NOT NULL DEFAULT '[]',
    notes             TEXT,
    started_at        TEXT NOT NULL,
    resolved_at       TEXT,
    created_at        TEXT NOT NULL
);
CREATE INDEX symptom_logs_user_time_idx ON symptom_logs (user_id, started_at);
CREATE INDEX symptom_logs_user_symptom_idx ON symptom_logs (user_id, symptom);

-- ── Goals and gamification ───────────────────────────────────────────────────────────────────
CREATE TABLE goals (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    description     TEXT,
    category        TEXT NOT NULL CHECK (category IN ('activity', 'sleep', 'heart', 'body', 'nutrition', 'mental_health', 'hydration', 'custom')),
    metric_type     TEXT,
    target_value    REAL NOT NULL,
    unit            TEXT,
    cadence         TEXT NOT NULL CHECK (cadence IN ('daily', 'weekly', 'monthly')),
    -- Lower-is-better goals (resting heart rate, weight loss) need a direction.
    direction       TEXT NOT NULL DEFAULT 'at_least' CHECK (direction IN ('at_least', 'at_most')),
    current_value   REAL,
    best_value      REAL,
    current_streak  INTEGER NOT NULL DEFAULT 0,
    longest_streak  INTEGER NOT NULL DEFAULT 0,
    is_active       INTEGER NOT NULL DEFAULT 1,
    start_date      TEXT,
    end_date        TEXT,
    config          TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX goals_user_idx ON goals (user_id);
CREATE INDEX goals_user_category_idx ON goals (user_id, category);

CREATE TABLE goal_progress (
    id                TEXT PRIMARY KEY,
    goal_id           TEXT NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    user_id           TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- First local date of the goal's period (day, ISO week or month): one row per period.
    period_start      TEXT NOT NULL,
    value             REAL NOT NULL,
    percent_complete  REAL NOT NULL,
    met               INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (goal_id, period_start)
);
CREATE INDEX goal_progress_user_date_idx ON goal_progress (user_id, period_start);

CREATE TABLE achievements (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    achievement_id  TEXT NOT NULL,
    category        TEXT NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT,
    icon            TEXT,
    tier            TEXT CHECK (tier IN ('bronze', 'silver', 'gold', 'platinum', 'diamond')),
    unlocked_at     TEXT NOT NULL,
    metadata        TEXT,
    created_at      TEXT NOT NULL,
    -- A badge is unlocked once.
    UNIQUE (user_id, achievement_id)
);

CREATE TABLE training_plans (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name               TEXT NOT NULL,
    goal               TEXT NOT NULL,
    difficulty         TEXT NOT NULL CHECK (difficulty IN ('beginner', 'intermediate', 'advanced')),
    duration_weeks     INTEGER NOT NULL CHECK (duration_weeks > 0),
    current_week       INTEGER NOT NULL DEFAULT 1,
    status             TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'completed', 'abandoned')),
    schedule           TEXT NOT NULL DEFAULT '[]',
    weekly_targets     TEXT,
    adherence_rate     REAL NOT NULL DEFAULT 0,
    progression_notes  TEXT NOT NULL DEFAULT '[]',
    adaptive           INTEGER NOT NULL DEFAULT 1,
    starts_at          TEXT NOT NULL,
    ends_at            TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX training_plans_user_idx ON training_plans (user_id, status);

-- ── Scores and analytics ─────────────────────────────────────────────────────────────────────
CREATE TABLE health_scores (
    id                   TEXT PRIMARY KEY,
    user_id              TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The user's local date (the upstream used server-local midnight timestamps).
    date                 TEXT NOT NULL,
    overall_score        REAL NOT NULL,
    sleep_score          REAL,
    activity_score       REAL,
    cardio_score         REAL,
    recovery_score       REAL,
    body_score           REAL,
    delta_from_previous  REAL,
    weekly_average       REAL,
    grade                TEXT,
    breakdown            TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    UNIQUE (user_id, date)
);

CREATE TABLE health_reports (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    report_type      TEXT NOT NULL CHECK (report_type IN ('weekly', 'monthly', 'quarterly', 'annual', 'custom')),
    title            TEXT NOT NULL,
    period_start     TEXT NOT NULL,
    period_end       TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'generating' CHECK (status IN ('generating', 'ready', 'failed')),
    content          TEXT,
    highlights       TEXT NOT NULL DEFAULT '[]',
    recommendations  TEXT NOT NULL DEFAULT '[]',
    format           TEXT NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'markdown')),
    created_at       TEXT NOT NULL
);
CREATE INDEX health_reports_user_idx ON health_reports (user_id, report_type);

CREATE TABLE health_snapshots (
    id                     TEXT PRIMARY KEY,
    user_id                TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    period_type            TEXT NOT NULL CHECK (period_type IN ('weekly', 'monthly')),
    period_start           TEXT NOT NULL,
    period_end             TEXT NOT NULL,
    overall_score          REAL,
    avg_steps              REAL,
    avg_sleep_minutes      REAL,
    avg_resting_hr         REAL,
    avg_hrv                REAL,
    avg_calories           REAL,
    avg_active_minutes     REAL,
    avg_weight             REAL,
    avg_stress             REAL,
    avg_recovery           REAL,
    workout_count          INTEGER,
    total_distance_meters  REAL,
    goal_completion_rate   REAL,
    avg_mood_score         REAL,
    period_comparison      TEXT,
    achievements           TEXT NOT NULL DEFAULT '[]',
    observations           TEXT NOT NULL DEFAULT '[]',
    created_at             TEXT NOT NULL,
    -- Regenerating a period replaces its row (upsert) instead of failing.
    UNIQUE (user_id, period_type, period_start)
);

CREATE TABLE biometric_baselines (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    metric_type  TEXT NOT NULL,
    -- One baseline per metric per local day, so history is kept.
    date         TEXT NOT NULL,
    mean         REAL NOT NULL,
    stddev       REAL,
    min          REAL,
    max          REAL,
    median       REAL,
    p25          REAL,
    p75          REAL,
    sample_size  INTEGER NOT NULL,
    trend        TEXT CHECK (trend IN ('rising', 'falling', 'stable')),
    trend_slope  REAL,
    created_at   TEXT NOT NULL,
    UNIQUE (user_id, metric_type, date)
);

CREATE TABLE anomaly_alerts (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    metric_type       TEXT NOT NULL,
    severity          TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    detection_method  TEXT NOT NULL CHECK (detection_method IN ('zscore', 'iqr', 'trend_break', 'threshold')),
    observed_value    REAL NOT NULL,
    expected_value    REAL NOT NULL,
    z_score           REAL,
    title             TEXT NOT NULL,
    description       TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged', 'dismissed', 'resolved')),
    -- When the anomalous reading was recorded: re-running detection never duplicates an alert.
    observed_at       TEXT NOT NULL,
    detected_at       TEXT NOT NULL,
    metadata          TEXT,
    created_at        TEXT NOT NULL,
    UNIQUE (user_id, metric_type, detection_method, observed_at)
);
CREATE INDEX anomaly_alerts_user_status_idx ON anomaly_alerts (user_id, status);
CREATE INDEX anomaly_alerts_user_severity_idx ON anomaly_alerts (user_id, severity);

CREATE TABLE correlations (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    metric_a      TEXT NOT NULL,
    metric_b      TEXT NOT NULL,
    pearson_r     REAL NOT NULL,
    spearman_rho  REAL,
    p_value       REAL,
    sample_size   INTEGER NOT NULL,
    strength      TEXT NOT NULL CHECK (strength IN ('weak', 'moderate', 'strong', 'very_strong')),
    direction     TEXT NOT NULL CHECK (direction IN ('positive', 'negative')),
    description   TEXT,
    lag_days      INTEGER NOT NULL DEFAULT 0,
    period_start  TEXT NOT NULL,
    period_end    TEXT NOT NULL,
    metadata      TEXT,
    created_at    TEXT NOT NULL,
    UNIQUE (user_id, metric_a, metric_b, lag_days, period_end)
);

CREATE TABLE training_load (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    date               TEXT NOT NULL,
    daily_strain       REAL NOT NULL DEFAULT 0,
    atl                REAL NOT NULL DEFAULT 0,
    ctl                REAL NOT NULL DEFAULT 0,
    tsb                REAL NOT NULL DEFAULT 0,
    status             TEXT NOT NULL DEFAULT 'neutral' CHECK (status IN ('peaked', 'fresh', 'neutral', 'fatigued', 'overreached')),
    workout_count      INTEGER NOT NULL DEFAULT 0,
    total_duration_min INTEGER NOT NULL DEFAULT 0,
    total_calories     INTEGER NOT NULL DEFAULT 0,
    breakdown          TEXT,
    created_at         TEXT NOT NULL,
    UNIQUE (user_id, date)
);
