-- VitaSync schema, PostgreSQL dialect. migrations/sqlite/0001_initial.sql is the same schema in
-- SQLite's dialect; tests/schema_parity.rs proves the two agree table by table, column by column.
-- Conventions: ids are ULIDs as 26-char text; timestamps are timestamptz written by the
-- application (never by triggers); structured values and string arrays are jsonb.
-- Every child table cascades on delete of its owner so deleting a user or workspace removes all
-- of its data (no orphans), and every query is scoped through workspace_id / user_id.

-- ── Tenancy and accounts ─────────────────────────────────────────────────────────────────────
CREATE TABLE workspaces (
    id            text PRIMARY KEY,
    name          text NOT NULL,
    slug          text NOT NULL UNIQUE,
    -- Extension: admins decide whether anyone with the sign-up link may create a member account.
    allow_signup  boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE TABLE users (
    id                 text PRIMARY KEY,
    workspace_id       text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    external_id        text,
    -- Stored lower-cased; the login address for users who can sign in.
    email              text,
    display_name       text,
    metadata           jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- Extensions for human sign-in (the upstream had API keys only): argon2id PHC string, null
    -- for users that only exist through the API; role inside the workspace; IANA time zone used
    -- for every "today", streak and daily total.
    password_hash      text,
    role               text NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member')),
    is_instance_owner  boolean NOT NULL DEFAULT false,
    timezone           text NOT NULL DEFAULT 'UTC',
    gender             text CHECK (gender IN ('male', 'female', 'other')),
    disabled_at        timestamptz,
    last_login_at      timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    UNIQUE (workspace_id, external_id)
);
CREATE INDEX users_workspace_idx ON users (workspace_id);
-- One account per sign-in address across the instance (an email identifies whom to sign in).
CREATE UNIQUE INDEX users_login_email_uq ON users (email) WHERE password_hash IS NOT NULL;

CREATE TABLE invitations (
    id            text PRIMARY KEY,
    workspace_id  text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    email         text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin', 'member')),
    -- SHA-256 of the one-time token; the token itself is only ever shown in the link.
    token_hash    text NOT NULL UNIQUE,
    invited_by    text REFERENCES users(id) ON DELETE SET NULL,
    expires_at    timestamptz NOT NULL,
    accepted_at   timestamptz,
    revoked_at    timestamptz,
    created_at    timestamptz NOT NULL
);
CREATE INDEX invitations_workspace_idx ON invitations (workspace_id);

-- One row per signed-in browser. The tower-sessions record holds only this row's id, so a user
-- can see and end their sessions ("sign out everywhere else") and a password change can end all.
CREATE TABLE auth_sessions (
    id            text PRIMARY KEY,
    user_id       text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    user_agent    text,
    ip            text,
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL
);
CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id);

-- Failed sign-in counters, keyed by "account:<email>" and "ip:<address>".
CREATE TABLE auth_throttle (
    key             text PRIMARY KEY,
    failures        integer NOT NULL,
    window_started  timestamptz NOT NULL,
    locked_until    timestamptz
);

CREATE TABLE api_keys (
    id            text PRIMARY KEY,
    workspace_id  text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name          text NOT NULL,
    key_hash      text NOT NULL UNIQUE,
    key_prefix    text NOT NULL,
    scopes        jsonb NOT NULL DEFAULT '["read"]'::jsonb,
    expires_at    timestamptz,
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    created_at    timestamptz NOT NULL
);
CREATE INDEX api_keys_workspace_idx ON api_keys (workspace_id);

-- ── Connections and sync ─────────────────────────────────────────────────────────────────────
CREATE TABLE provider_connections (
    id                text PRIMARY KEY,
    user_id           text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider_id       text NOT NULL,
    -- AES-256-GCM under the key ring, bound to this row's identity as associated data.
    encrypted_tokens  text,
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'error', 'disconnected')),
    provider_user_id  text,
    scopes            jsonb NOT NULL DEFAULT '[]'::jsonb,
    last_error        text,
    last_synced_at    timestamptz,
    connected_at      timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    UNIQUE (user_id, provider_id)
);
CREATE INDEX provider_connections_status_idx ON provider_connections (status);

CREATE TABLE sync_jobs (
    id              text PRIMARY KEY,
    connection_id   text NOT NULL REFERENCES provider_connections(id) ON DELETE CASCADE,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'failed')),
    metrics_synced  integer NOT NULL DEFAULT 0,
    error           text,
    attempts        integer NOT NULL DEFAULT 0,
    run_after       timestamptz,
    started_at      timestamptz,
    completed_at    timestamptz,
    created_at      timestamptz NOT NULL
);
CREATE INDEX sync_jobs_connection_idx ON sync_jobs (connection_id);
CREATE INDEX sync_jobs_status_idx ON sync_jobs (status, run_after);

-- ── Health data ──────────────────────────────────────────────────────────────────────────────
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
    source         text NOT NULL DEFAULT 'user' CHECK (source IN ('user', 'manual', 'computed')),
    recorded_at    timestamptz NOT NULL,
    created_at     timestamptz NOT NULL,
    UNIQUE (user_id, provider_id, metric_type, recorded_at)
);
CREATE INDEX health_metrics_user_type_time_idx ON health_metrics (user_id, metric_type, recorded_at);

CREATE TABLE events (
    id                 text PRIMARY KEY,
    user_id            text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    connection_id      text REFERENCES provider_connections(id) ON DELETE SET NULL,
    provider_id        text NOT NULL,
    provider_event_id  text NOT NULL,
    event_type         text NOT NULL CHECK (event_type IN ('workout', 'sleep', 'activity')),
    activity_type      text,
    title              text,
    started_at         timestamptz NOT NULL,
    ended_at           timestamptz,
    duration_seconds   integer,
    distance_meters    double precision,
    calories_kcal      double precision,
    avg_heart_rate     integer,
    max_heart_rate     integer,
    data               jsonb,
    created_at         timestamptz NOT NULL,
    UNIQUE (user_id, provider_id, provider_event_id)
);
CREATE INDEX events_user_type_time_idx ON events (user_id, event_type, started_at);

CREATE TABLE personal_records (
    id           text PRIMARY KEY,
    user_id      text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    metric_type  text NOT NULL,
    -- NOT NULL: the upstream's nullable category let the upsert duplicate rows.
    category     text NOT NULL,
    value        double precision NOT NULL,
    unit         text,
    recorded_at  timestamptz NOT NULL,
    provider_id  text NOT NULL,
    updated_at   timestamptz NOT NULL,
    UNIQUE (user_id, metric_type, category)
);

-- ── Webhooks ─────────────────────────────────────────────────────────────────────────────────
CREATE TABLE webhooks (
    id                text PRIMARY KEY,
    workspace_id      text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    url               text NOT NULL,
    -- Deviation from the seed's secretHash: a signing secret must be readable to sign with, so
    -- it is encrypted (AES-256-GCM, key ring), never hashed and never returned by the API.
    encrypted_secret  text NOT NULL,
    events            jsonb NOT NULL DEFAULT '[]'::jsonb,
    is_active         boolean NOT NULL DEFAULT true,
    description       text,
    created_at        timestamptz NOT NULL
);
CREATE INDEX webhooks_workspace_idx ON webhooks (workspace_id);

CREATE TABLE webhook_deliveries (
    id               text PRIMARY KEY,
    webhook_id       text NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event            text NOT NULL,
    payload          jsonb NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    status_code      integer,
    attempt_count    integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz,
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id);
CREATE INDEX webhook_deliveries_status_idx ON webhook_deliveries (status, next_attempt_at);

-- ── Notifications ────────────────────────────────────────────────────────────────────────────
CREATE TABLE notification_channels (
    id                 text PRIMARY KEY,
    user_id            text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    channel_type       text NOT NULL CHECK (channel_type IN ('discord', 'slack', 'teams', 'email', 'push', 'ntfy', 'webhook')),
    label              text NOT NULL,
    -- Non-secret settings only; credentials (webhook URLs with tokens, SMTP passwords) go to
    -- encrypted_secrets (the upstream kept them in clear text).
    config             jsonb NOT NULL DEFAULT '{}'::jsonb,
    encrypted_secrets  text,
    enabled            boolean NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);
CREATE INDEX notification_channels_user_idx ON notification_channels (user_id);
CREATE INDEX notification_channels_user_type_idx ON notification_channels (user_id, channel_type);

CREATE TABLE notification_rules (
    id            text PRIMARY KEY,
    user_id       text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          text NOT NULL,
    categories    jsonb NOT NULL DEFAULT '[]'::jsonb,
    min_severity  text NOT NULL DEFAULT 'info' CHECK (min_severity IN ('info', 'warning', 'critical')),
    channel_ids   jsonb NOT NULL DEFAULT '[]'::jsonb,
    enabled       boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX notification_rules_user_idx ON notification_rules (user_id);

CREATE TABLE notification_logs (
    id            text PRIMARY KEY,
    user_id       text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- SET NULL rather than the upstream's cascade: deleting a channel keeps its delivery history.
    channel_id    text REFERENCES notification_channels(id) ON DELETE SET NULL,
    channel_type  text NOT NULL,
    title         text NOT NULL,
    payload       jsonb NOT NULL,
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    error         text,
    delivered_at  timestamptz,
    created_at    timestamptz NOT NULL
);
CREATE INDEX notification_logs_user_idx ON notification_logs (user_id);
CREATE INDEX notification_logs_channel_idx ON notification_logs (channel_id);
CREATE INDEX notification_logs_status_idx ON notification_logs (status);

-- ── Wellness logs ────────────────────────────────────────────────────────────────────────────
CREATE TABLE mood_logs (
    id            text PRIMARY KEY,
    user_id       text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    score         double precision NOT NULL CHECK (score BETWEEN 1 AND 10),
    -- Persisted (the upstream dropped energy/stress through a key mismatch).
    energy_level  double precision CHECK (energy_level BETWEEN 1 AND 10),
    stress_level  double precision CHECK (stress_level BETWEEN 1 AND 10),
    mood          text NOT NULL,
    tags          jsonb NOT NULL DEFAULT '[]'::jsonb,
    factors       jsonb NOT NULL DEFAULT '[]'::jsonb,
    notes         text,
    recorded_at   timestamptz NOT NULL,
    created_at    timestamptz NOT NULL
);
CREATE INDEX mood_logs_user_time_idx ON mood_logs (user_id, recorded_at);

CREATE TABLE journal_entries (
    id          text PRIMARY KEY,
    user_id     text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title       text,
    body        text NOT NULL,
    mood_score  double precision CHECK (mood_score BETWEEN 1 AND 5),
    mood_label  text,
    gratitude   jsonb NOT NULL DEFAULT '[]'::jsonb,
    tags        jsonb NOT NULL DEFAULT '[]'::jsonb,
    entry_date  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX journal_entries_user_date_idx ON journal_entries (user_id, entry_date);

CREATE TABLE water_intake (
    id             text PRIMARY KEY,
    user_id        text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    amount_ml      integer NOT NULL CHECK (amount_ml BETWEEN 1 AND 5000),
    beverage_type  text NOT NULL DEFAULT 'water' CHECK (beverage_type IN ('water', 'tea', 'coffee', 'juice', 'other')),
    note           text,
    daily_goal_ml  integer NOT NULL DEFAULT 2500 CHECK (daily_goal_ml BETWEEN 500 AND 10000),
    logged_at      timestamptz NOT NULL,
    created_at     timestamptz NOT NULL
);
CREATE INDEX water_intake_user_time_idx ON water_intake (user_id, logged_at);

CREATE TABLE habits (
    id              text PRIMARY KEY,
    user_id         text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name            text NOT NULL,
    icon            text NOT NULL DEFAULT '✅',
    color           text NOT NULL DEFAULT 'blue',
    frequency       text NOT NULL DEFAULT 'daily' CHECK (frequency IN ('daily', 'weekdays', 'custom')),
    target_days     jsonb NOT NULL DEFAULT '[0,1,2,3,4,5,6]'::jsonb,
    active          boolean NOT NULL DEFAULT true,
    current_streak  integer NOT NULL DEFAULT 0,
    longest_streak  integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX habits_user_idx ON habits (user_id);

CREATE TABLE habit_logs (
    id              text PRIMARY KEY,
    habit_id        text NOT NULL REFERENCES habits(id) ON DELETE CASCADE,
    user_id         text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The user's local calendar date.
    completed_date  date NOT NULL,
    note            text,
    created_at      timestamptz NOT NULL,
    -- One completion per habit per day (the upstream allowed duplicates that inflated streaks).
    UNIQUE (habit_id, completed_date)
);
CREATE INDEX habit_logs_user_date_idx ON habit_logs (user_id, completed_date);

CREATE TABLE nutrition_logs (
    id             text PRIMARY KEY,
    user_id        text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    meal_type      text NOT NULL CHECK (meal_type IN ('breakfast', 'lunch', 'dinner', 'snack', 'supplement')),
    description    text,
    calories       double precision,
    protein_grams  double precision,
    carbs_grams    double precision,
    fat_grams      double precision,
    fiber_grams    double precision,
    sugar_grams    double precision,
    sodium_mg      double precision,
    water_ml       double precision,
    details        jsonb,
    consumed_at    timestamptz NOT NULL,
    created_at     timestamptz NOT NULL
);
CREATE INDEX nutrition_logs_user_time_idx ON nutrition_logs (user_id, consumed_at);
CREATE INDEX nutrition_logs_user_meal_idx ON nutrition_logs (user_id, meal_type);

CREATE TABLE medications (
    id           text PRIMARY KEY,
    user_id      text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         text NOT NULL,
    dosage       text,
    frequency    text NOT NULL,
    time_of_day  jsonb NOT NULL DEFAULT '[]'::jsonb,
    category     text,
    purpose      text,
    is_active    boolean NOT NULL DEFAULT true,
    start_date   date,
    end_date     date,
    notes        text,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX medications_user_idx ON medications (user_id);

CREATE TABLE medication_logs (
    id             text PRIMARY KEY,
    medication_id  text NOT NULL REFERENCES medications(id) ON DELETE CASCADE,
    user_id        text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status         text NOT NULL CHECK (status IN ('taken', 'missed', 'skipped', 'delayed')),
    scheduled_at   timestamptz NOT NULL,
    taken_at       timestamptz,
    side_effects   jsonb NOT NULL DEFAULT '[]'::jsonb,
    notes          text,
    created_at     timestamptz NOT NULL,
    UNIQUE (medication_id, scheduled_at)
);
CREATE INDEX medication_logs_user_time_idx ON medication_logs (user_id, scheduled_at);

CREATE TABLE symptom_logs (
    id                text PRIMARY KEY,
    user_id           text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    symptom           text NOT NULL,
    severity          double precision NOT NULL CHECK (severity BETWEEN 1 AND 10),
    duration_minutes  double precision,
    body_location     text,
    triggers          jsonb NOT NULL DEFAULT '[]'::jsonb,
    relief_measures   jsonb NOT NULL DEFAULT '[]'::jsonb,
    notes             text,
    started_at        timestamptz NOT NULL,
    resolved_at       timestamptz,
    created_at        timestamptz NOT NULL
);
CREATE INDEX symptom_logs_user_time_idx ON symptom_logs (user_id, started_at);
CREATE INDEX symptom_logs_user_symptom_idx ON symptom_logs (user_id, symptom);

-- ── Goals and gamification ───────────────────────────────────────────────────────────────────
CREATE TABLE goals (
    id              text PRIMARY KEY,
    user_id         text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name            text NOT NULL,
    description     text,
    category        text NOT NULL CHECK (category IN ('activity', 'sleep', 'heart', 'body', 'nutrition', 'mental_health', 'hydration', 'custom')),
    metric_type     text,
    target_value    double precision NOT NULL,
    unit            text,
    cadence         text NOT NULL CHECK (cadence IN ('daily', 'weekly', 'monthly')),
    -- Lower-is-better goals (resting heart rate, weight loss) need a direction.
    direction       text NOT NULL DEFAULT 'at_least' CHECK (direction IN ('at_least', 'at_most')),
    current_value   double precision,
    best_value      double precision,
    current_streak  integer NOT NULL DEFAULT 0,
    longest_streak  integer NOT NULL DEFAULT 0,
    is_active       boolean NOT NULL DEFAULT true,
    start_date      date,
    end_date        date,
    config          jsonb,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX goals_user_idx ON goals (user_id);
CREATE INDEX goals_user_category_idx ON goals (user_id, category);

CREATE TABLE goal_progress (
    id                text PRIMARY KEY,
    goal_id           text NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    user_id           text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- First local date of the goal's period (day, ISO week or month): one row per period.
    period_start      date NOT NULL,
    value             double precision NOT NULL,
    percent_complete  double precision NOT NULL,
    met               boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    UNIQUE (goal_id, period_start)
);
CREATE INDEX goal_progress_user_date_idx ON goal_progress (user_id, period_start);

CREATE TABLE achievements (
    id              text PRIMARY KEY,
    user_id         text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    achievement_id  text NOT NULL,
    category        text NOT NULL,
    name            text NOT NULL,
    description     text,
    icon            text,
    tier            text CHECK (tier IN ('bronze', 'silver', 'gold', 'platinum', 'diamond')),
    unlocked_at     timestamptz NOT NULL,
    metadata        jsonb,
    created_at      timestamptz NOT NULL,
    -- A badge is unlocked once.
    UNIQUE (user_id, achievement_id)
);

CREATE TABLE training_plans (
    id                 text PRIMARY KEY,
    user_id            text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name               text NOT NULL,
    goal               text NOT NULL,
    difficulty         text NOT NULL CHECK (difficulty IN ('beginner', 'intermediate', 'advanced')),
    duration_weeks     integer NOT NULL CHECK (duration_weeks > 0),
    current_week       integer NOT NULL DEFAULT 1,
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'completed', 'abandoned')),
    schedule           jsonb NOT NULL DEFAULT '[]'::jsonb,
    weekly_targets     jsonb,
    adherence_rate     double precision NOT NULL DEFAULT 0,
    progression_notes  jsonb NOT NULL DEFAULT '[]'::jsonb,
    adaptive           boolean NOT NULL DEFAULT true,
    starts_at          timestamptz NOT NULL,
    ends_at            timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);
CREATE INDEX training_plans_user_idx ON training_plans (user_id, status);

-- ── Scores and analytics ─────────────────────────────────────────────────────────────────────
CREATE TABLE health_scores (
    id                   text PRIMARY KEY,
    user_id              text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The user's local date (the upstream used server-local midnight timestamps).
    date                 date NOT NULL,
    overall_score        double precision NOT NULL,
    sleep_score          double precision,
    activity_score       double precision,
    cardio_score         double precision,
    recovery_score       double precision,
    body_score           double precision,
    delta_from_previous  double precision,
    weekly_average       double precision,
    grade                text,
    breakdown            jsonb,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    UNIQUE (user_id, date)
);

CREATE TABLE health_reports (
    id               text PRIMARY KEY,
    user_id          text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    report_type      text NOT NULL CHECK (report_type IN ('weekly', 'monthly', 'quarterly', 'annual', 'custom')),
    title            text NOT NULL,
    period_start     date NOT NULL,
    period_end       date NOT NULL,
    status           text NOT NULL DEFAULT 'generating' CHECK (status IN ('generating', 'ready', 'failed')),
    content          jsonb,
    highlights       jsonb NOT NULL DEFAULT '[]'::jsonb,
    recommendations  jsonb NOT NULL DEFAULT '[]'::jsonb,
    format           text NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'markdown')),
    created_at       timestamptz NOT NULL
);
CREATE INDEX health_reports_user_idx ON health_reports (user_id, report_type);

CREATE TABLE health_snapshots (
    id                     text PRIMARY KEY,
    user_id                text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    period_type            text NOT NULL CHECK (period_type IN ('weekly', 'monthly')),
    period_start           date NOT NULL,
    period_end             date NOT NULL,
    overall_score          double precision,
    avg_steps              double precision,
    avg_sleep_minutes      double precision,
    avg_resting_hr         double precision,
    avg_hrv                double precision,
    avg_calories           double precision,
    avg_active_minutes     double precision,
    avg_weight             double precision,
    avg_stress             double precision,
    avg_recovery           double precision,
    workout_count          integer,
    total_distance_meters  double precision,
    goal_completion_rate   double precision,
    avg_mood_score         double precision,
    period_comparison      jsonb,
    achievements           jsonb NOT NULL DEFAULT '[]'::jsonb,
    observations           jsonb NOT NULL DEFAULT '[]'::jsonb,
    created_at             timestamptz NOT NULL,
    -- Regenerating a period replaces its row (upsert) instead of failing.
    UNIQUE (user_id, period_type, period_start)
);

CREATE TABLE biometric_baselines (
    id           text PRIMARY KEY,
    user_id      text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    metric_type  text NOT NULL,
    -- One baseline per metric per local day, so history is kept.
    date         date NOT NULL,
    mean         double precision NOT NULL,
    stddev       double precision,
    min          double precision,
    max          double precision,
    median       double precision,
    p25          double precision,
    p75          double precision,
    sample_size  integer NOT NULL,
    trend        text CHECK (trend IN ('rising', 'falling', 'stable')),
    trend_slope  double precision,
    created_at   timestamptz NOT NULL,
    UNIQUE (user_id, metric_type, date)
);

CREATE TABLE anomaly_alerts (
    id                text PRIMARY KEY,
    user_id           text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    metric_type       text NOT NULL,
    severity          text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    detection_method  text NOT NULL CHECK (detection_method IN ('zscore', 'iqr', 'trend_break', 'threshold')),
    observed_value    double precision NOT NULL,
    expected_value    double precision NOT NULL,
    z_score           double precision,
    title             text NOT NULL,
    description       text NOT NULL,
    status            text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged', 'dismissed', 'resolved')),
    -- When the anomalous reading was recorded: re-running detection never duplicates an alert.
    observed_at       timestamptz NOT NULL,
    detected_at       timestamptz NOT NULL,
    metadata          jsonb,
    created_at        timestamptz NOT NULL,
    UNIQUE (user_id, metric_type, detection_method, observed_at)
);
CREATE INDEX anomaly_alerts_user_status_idx ON anomaly_alerts (user_id, status);
CREATE INDEX anomaly_alerts_user_severity_idx ON anomaly_alerts (user_id, severity);

CREATE TABLE correlations (
    id            text PRIMARY KEY,
    user_id       text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    metric_a      text NOT NULL,
    metric_b      text NOT NULL,
    pearson_r     double precision NOT NULL,
    spearman_rho  double precision,
    p_value       double precision,
    sample_size   integer NOT NULL,
    strength      text NOT NULL CHECK (strength IN ('weak', 'moderate', 'strong', 'very_strong')),
    direction     text NOT NULL CHECK (direction IN ('positive', 'negative')),
    description   text,
    lag_days      integer NOT NULL DEFAULT 0,
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    metadata      jsonb,
    created_at    timestamptz NOT NULL,
    UNIQUE (user_id, metric_a, metric_b, lag_days, period_end)
);

CREATE TABLE training_load (
    id                 text PRIMARY KEY,
    user_id            text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    date               date NOT NULL,
    daily_strain       double precision NOT NULL DEFAULT 0,
    atl                double precision NOT NULL DEFAULT 0,
    ctl                double precision NOT NULL DEFAULT 0,
    tsb                double precision NOT NULL DEFAULT 0,
    status             text NOT NULL DEFAULT 'neutral' CHECK (status IN ('peaked', 'fresh', 'neutral', 'fatigued', 'overreached')),
    workout_count      integer NOT NULL DEFAULT 0,
    total_duration_min integer NOT NULL DEFAULT 0,
    total_calories     integer NOT NULL DEFAULT 0,
    breakdown          jsonb,
    created_at         timestamptz NOT NULL,
    UNIQUE (user_id, date)
);
