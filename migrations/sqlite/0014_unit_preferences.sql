-- How a person reads measurements: a system (metric or imperial) and per-quantity overrides
-- (NULL follows the system). Stored values stay SI; only pages, charts and CSV convert.
CREATE TABLE unit_preferences (
    user_id      TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    system       TEXT NOT NULL DEFAULT 'metric' CHECK (system IN ('metric', 'imperial')),
    distance     TEXT CHECK (distance IN ('km', 'mi')),
    weight       TEXT CHECK (weight IN ('kg', 'lb')),
    temperature  TEXT CHECK (temperature IN ('c', 'f')),
    volume       TEXT CHECK (volume IN ('ml', 'fl_oz')),
    updated_at   TEXT NOT NULL
);

-- The water page's unit becomes the volume override.
INSERT INTO unit_preferences (user_id, system, volume, updated_at)
SELECT user_id, 'metric', 'fl_oz', updated_at FROM wellness_settings WHERE volume_unit = 'fl_oz';
ALTER TABLE wellness_settings DROP COLUMN volume_unit;
