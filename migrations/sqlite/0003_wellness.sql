-- Personal wellness: per-user settings, and goals that can "reach a target" (e.g. a weight).

-- Hydration and display preferences of one person (one row, created on first change).
CREATE TABLE wellness_settings (
    user_id        TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    water_goal_ml  INTEGER NOT NULL DEFAULT 2500 CHECK (water_goal_ml BETWEEN 500 AND 10000),
    -- Quick-add sizes in millilitres, e.g. [250, 500].
    water_sizes    TEXT NOT NULL DEFAULT '[250, 500]',
    volume_unit    TEXT NOT NULL DEFAULT 'ml' CHECK (volume_unit IN ('ml', 'fl_oz')),
    updated_at     TEXT NOT NULL
);

-- "Reach a target" goals (weight 80 → 72 kg) measure progress from their starting value,
-- which `config.startValue` keeps; they complete when reached. SQLite cannot change a CHECK
-- constraint in place, so the table is rebuilt (nothing wrote goals before this migration).
CREATE TABLE goals_new (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    description     TEXT,
    category        TEXT NOT NULL CHECK (category IN ('activity', 'sleep', 'heart', 'body', 'nutrition', 'mental_health', 'hydration', 'custom')),
    metric_type     TEXT,
    target_value    REAL NOT NULL,
    unit            TEXT,
    cadence         TEXT NOT NULL CHECK (cadence IN ('daily', 'weekly', 'monthly')),
    direction       TEXT NOT NULL DEFAULT 'at_least' CHECK (direction IN ('at_least', 'at_most', 'reach')),
    current_value   REAL,
    best_value      REAL,
    current_streak  INTEGER NOT NULL DEFAULT 0,
    longest_streak  INTEGER NOT NULL DEFAULT 0,
    is_active       INTEGER NOT NULL DEFAULT 1,
    start_date      TEXT,
    end_date        TEXT,
    config          TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    completed_at    TEXT
);
INSERT INTO goals_new (id, user_id, name, description, category, metric_type, target_value, unit,
    cadence, direction, current_value, best_value, current_streak, longest_streak, is_active,
    start_date, end_date, config, created_at, updated_at)
SELECT id, user_id, name, description, category, metric_type, target_value, unit, cadence,
    direction, current_value, best_value, current_streak, longest_streak, is_active, start_date,
    end_date, config, created_at, updated_at FROM goals;
DROP TABLE goals;
ALTER TABLE goals_new RENAME TO goals;
CREATE INDEX goals_user_idx ON goals (user_id);
CREATE INDEX goals_user_category_idx ON goals (user_id, category);

CREATE INDEX habit_logs_habit_date_idx ON habit_logs (habit_id, completed_date);
CREATE INDEX journal_entries_user_created_idx ON journal_entries (user_id, entry_date, created_at);
