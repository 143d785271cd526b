-- Habits with a weekly target ("3× a week") besides the day schedules. The seed's `frequency`
-- (daily / weekdays / custom) and its CHECK stay as they are: a weekly-target habit is stored as
-- 'custom' on all seven days (target_days [0,1,2,3,4,5,6], 0 = Sunday), so any day may hold one
-- of its check-ins, and `times_per_week` says how many a week (Monday to Sunday in the person's
-- own dates) it asks for. NULL keeps the day schedule. Seven a week is a daily habit, so 1–6.
-- For such a habit current_streak and longest_streak count weeks that reached the target.
ALTER TABLE habits ADD COLUMN times_per_week integer CHECK (times_per_week BETWEEN 1 AND 6);
