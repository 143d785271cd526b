-- Personal wellness: per-user settings, and goals that can "reach a target" (e.g. a weight).

-- Hydration and display preferences of one person (one row, created on first change).
CREATE TABLE wellness_settings (
    user_id        text PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    water_goal_ml  integer NOT NULL DEFAULT 2500 CHECK (water_goal_ml BETWEEN 500 AND 10000),
    -- Quick-add sizes in millilitres, e.g. [250, 500].
    water_sizes    jsonb NOT NULL DEFAULT '[250, 500]',
    volume_unit    text NOT NULL DEFAULT 'ml' CHECK (volume_unit IN ('ml', 'fl_oz')),
    updated_at     timestamptz NOT NULL
);

-- "Reach a target" goals (weight 80 → 72 kg) measure progress from their starting value,
-- which `config.startValue` keeps; they complete when reached.
ALTER TABLE goals DROP CONSTRAINT goals_direction_check;
ALTER TABLE goals ADD CONSTRAINT goals_direction_check CHECK (direction IN ('at_least', 'at_most', 'reach'));
ALTER TABLE goals ADD COLUMN completed_at timestamptz;

-- A journal entry belongs to a calendar day in the writer's zone, not an instant: any earlier
-- value becomes its day in the writer's own time zone.
ALTER TABLE journal_entries ADD COLUMN entry_day date;
UPDATE journal_entries j SET entry_day = (j.entry_date AT TIME ZONE u.timezone)::date
    FROM users u WHERE u.id = j.user_id;
ALTER TABLE journal_entries DROP COLUMN entry_date;
ALTER TABLE journal_entries RENAME COLUMN entry_day TO entry_date;
ALTER TABLE journal_entries ALTER COLUMN entry_date SET NOT NULL;
CREATE INDEX journal_entries_user_date_idx ON journal_entries (user_id, entry_date);

CREATE INDEX habit_logs_habit_date_idx ON habit_logs (habit_id, completed_date);
CREATE INDEX journal_entries_user_created_idx ON journal_entries (user_id, entry_date, created_at);
