//! Habits and their check-ins in the database, and the streak bookkeeping on every change.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::AppError;
use crate::platform::db::Db;
use crate::platform::ids::new_id;
use crate::wellness::schedule::Schedule;
use crate::wellness::streak::{Streaks, Tracker};
use crate::with_db;

use super::weekly;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct HabitRow {
    pub id: String,
    pub name: String,
    pub icon: String,
    pub color: String,
    pub frequency: String,
    pub target_days: sqlx::types::Json<Vec<u8>>,
    pub active: bool,
    /// Streak days, or weeks for a weekly target.
    pub current_streak: i32,
    pub longest_streak: i32,
    pub created_at: DateTime<Utc>,
    /// A weekly target (1–6 check-ins a week); `None` for a day schedule.
    pub times_per_week: Option<i32>,
}

impl HabitRow {
    /// The due days (all seven for a weekly target: any day may hold a check-in).
    pub fn schedule(&self) -> Schedule {
        Schedule::for_frequency(&self.frequency, &self.target_days.0).unwrap_or(Schedule::DAILY)
    }

    /// Check-ins a week it asks for, when it has a weekly target instead of due days.
    pub fn weekly_target(&self) -> Option<u32> {
        weekly::target_of(self.times_per_week)
    }

    pub fn is_weekly(&self) -> bool {
        self.weekly_target().is_some()
    }
}

pub const COLUMNS: &str = "id, name, icon, color, frequency, target_days, active, current_streak, \
                       longest_streak, created_at, times_per_week";

pub async fn list(db: &Db, user_id: &str) -> Result<Vec<HabitRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM habits WHERE user_id = $1 ORDER BY created_at, id");
    with_db!(db, pool => sqlx::query_as(&sql).bind(user_id).fetch_all(pool).await)
}

/// Up to `fetch` of the user's habits with an id after `after_id`, by id (keyset paging; ""
/// starts at the first).
pub async fn page_after(
    db: &Db,
    user_id: &str,
    after_id: &str,
    fetch: i64,
) -> Result<Vec<HabitRow>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM habits WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3");
    with_db!(db, pool => sqlx::query_as(&sql)
        .bind(user_id)
        .bind(after_id)
        .bind(fetch)
        .fetch_all(pool)
        .await)
}

/// One of the user's own habits; another person's id is "not found".
pub async fn get(db: &Db, user_id: &str, id: &str) -> Result<HabitRow, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM habits WHERE id = $1 AND user_id = $2");
    let row: Option<HabitRow> = with_db!(db, pool => sqlx::query_as(&sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
    row.ok_or_else(|| AppError::NotFound("That habit does not exist (any more).".into()))
}

/// The fields of the habit form, checked. A weekly target is stored as `custom` on all seven
/// days with `times_per_week` set.
pub struct HabitInput {
    pub name: String,
    pub icon: String,
    pub color: String,
    pub frequency: String,
    pub days: Vec<u8>,
    pub times_per_week: Option<i32>,
}

impl HabitInput {
    pub fn schedule(&self) -> Schedule {
        Schedule::for_frequency(&self.frequency, &self.days).unwrap_or(Schedule::DAILY)
    }

    pub fn weekly_target(&self) -> Option<u32> {
        weekly::target_of(self.times_per_week)
    }
}

/// How many active habits the user has (the cap leaves archived ones out).
pub async fn count_active(db: &Db, user_id: &str) -> Result<i64, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM habits WHERE user_id = $1 AND active = $2")
        .bind(user_id)
        .bind(true)
        .fetch_one(pool)
        .await)
}

/// Stores a new active habit and returns its id.
pub async fn insert(db: &Db, user_id: &str, input: &HabitInput) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = Utc::now();
    with_db!(db, pool => sqlx::query(
        "INSERT INTO habits (id, user_id, name, icon, color, frequency, target_days, active, created_at, updated_at, times_per_week) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)")
        .bind(&id)
        .bind(user_id)
        .bind(&input.name)
        .bind(&input.icon)
        .bind(&input.color)
        .bind(&input.frequency)
        .bind(sqlx::types::Json(&input.days))
        .bind(true)
        .bind(now)
        .bind(input.times_per_week)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(id)
}

/// Stores a habit's new fields together with the streaks its schedule gives (a new schedule
/// changes which days count, so both change in one statement).
pub async fn update(
    db: &Db,
    user_id: &str,
    id: &str,
    input: &HabitInput,
    s: Streaks,
) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "UPDATE habits SET name = $1, icon = $2, color = $3, frequency = $4, target_days = $5, updated_at = $6, \
         current_streak = $7, longest_streak = $8, times_per_week = $9 WHERE id = $10 AND user_id = $11")
        .bind(&input.name)
        .bind(&input.icon)
        .bind(&input.color)
        .bind(&input.frequency)
        .bind(sqlx::types::Json(&input.days))
        .bind(Utc::now())
        .bind(s.current as i32)
        .bind(s.longest as i32)
        .bind(input.times_per_week)
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Archives (`active` false) or restores a habit; its check-ins are kept either way.
pub async fn set_active(db: &Db, user_id: &str, id: &str, active: bool) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query("UPDATE habits SET active = $1, updated_at = $2 WHERE id = $3 AND user_id = $4")
        .bind(active)
        .bind(Utc::now())
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes a habit; its check-ins go with it (foreign key cascade).
pub async fn delete(db: &Db, user_id: &str, id: &str) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query("DELETE FROM habits WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Check-in dates (and notes) of the user's habits, by habit.
pub async fn logs(
    db: &Db,
    user_id: &str,
) -> Result<BTreeMap<String, BTreeMap<NaiveDate, Option<String>>>, sqlx::Error> {
    let rows: Vec<(String, NaiveDate, Option<String>)> = with_db!(db, pool => sqlx::query_as(
        "SELECT habit_id, completed_date, note FROM habit_logs WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(pool)
        .await)?;
    let mut out: BTreeMap<String, BTreeMap<NaiveDate, Option<String>>> = BTreeMap::new();
    for (h, d, n) in rows {
        out.entry(h).or_default().insert(d, n);
    }
    Ok(out)
}

/// Check-ins per local day over `from..=to` (all habits, or one).
pub async fn completions_per_day(
    db: &Db,
    user_id: &str,
    habit_id: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<NaiveDate, i64>, sqlx::Error> {
    let rows: Vec<(NaiveDate, String)> = with_db!(db, pool => sqlx::query_as(
        "SELECT completed_date, habit_id FROM habit_logs WHERE user_id = $1 \
         AND completed_date BETWEEN $2 AND $3")
        .bind(user_id)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?;
    let mut out = BTreeMap::new();
    for (d, h) in rows {
        if habit_id.is_none_or(|id| id == h) {
            *out.entry(d).or_insert(0) += 1;
        }
    }
    Ok(out)
}

/// Marks `date` done or not done, and updates the habit's streaks in the same transaction (in
/// weeks for a weekly target). Repeating a call changes nothing (one check-in per habit and day).
pub async fn set_done(
    db: &Db,
    habit: &HabitRow,
    user_id: &str,
    date: NaiveDate,
    done: bool,
    note: Option<String>,
    today: NaiveDate,
) -> Result<Streaks, AppError> {
    let schedule = habit.schedule();
    let target = habit.weekly_target();
    let now = Utc::now();
    let streaks = with_db!(db, pool => async {
        let mut tx = pool.begin().await?;
        // Lock the habit first, so two check-ins at once cannot both count from a stale read.
        sqlx::query("UPDATE habits SET updated_at = $1 WHERE id = $2 AND user_id = $3")
            .bind(now)
            .bind(&habit.id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let dates: Vec<NaiveDate> = sqlx::query_scalar(
            "SELECT completed_date FROM habit_logs WHERE habit_id = $1 AND user_id = $2")
            .bind(&habit.id)
            .bind(user_id)
            .fetch_all(&mut *tx)
            .await?;
        let mut tracker = Tracker::from_dates(schedule, &dates);
        let mut checked: BTreeSet<NaiveDate> = dates.iter().copied().collect();
        if done {
            sqlx::query(
                "INSERT INTO habit_logs (id, habit_id, user_id, completed_date, note, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (habit_id, completed_date) DO UPDATE SET note = COALESCE(excluded.note, habit_logs.note)")
                .bind(crate::platform::ids::new_id())
                .bind(&habit.id)
                .bind(user_id)
                .bind(date)
                .bind(note)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tracker.check(date);
            checked.insert(date);
        } else {
            sqlx::query("DELETE FROM habit_logs WHERE habit_id = $1 AND completed_date = $2 AND user_id = $3")
                .bind(&habit.id)
                .bind(date)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            tracker.uncheck(date);
            checked.remove(&date);
        }
        let s = match target {
            Some(n) => weekly::streaks(&checked, n, today),
            None => tracker.streaks(today),
        };
        sqlx::query("UPDATE habits SET current_streak = $1, longest_streak = $2, updated_at = $3 WHERE id = $4 AND user_id = $5")
            .bind(s.current as i32)
            .bind(s.longest as i32)
            .bind(now)
            .bind(&habit.id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(s)
    }.await)?;
    Ok(streaks)
}

/// Stores streaks computed at read time when they differ from the stored ones (a day passing
/// without a check-in ends a streak without any write).
pub async fn refresh_streaks(
    db: &Db,
    user_id: &str,
    habit: &HabitRow,
    s: Streaks,
) -> Result<(), sqlx::Error> {
    if (habit.current_streak as u32, habit.longest_streak as u32) == (s.current, s.longest) {
        return Ok(());
    }
    with_db!(db, pool => sqlx::query("UPDATE habits SET current_streak = $1, longest_streak = $2 WHERE id = $3 AND user_id = $4")
        .bind(s.current as i32)
        .bind(s.longest as i32)
        .bind(&habit.id)
        .bind(user_id)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Streaks of a habit from its check-ins, as of `today` (weeks for a weekly target).
pub fn streaks_of(habit: &HabitRow, dates: &BTreeSet<NaiveDate>, today: NaiveDate) -> Streaks {
    streaks_for(habit.schedule(), habit.weekly_target(), dates, today)
}

/// Streaks over due days of `schedule`, or over weeks when there is a weekly `target`.
pub fn streaks_for(
    schedule: Schedule,
    target: Option<u32>,
    dates: &BTreeSet<NaiveDate>,
    today: NaiveDate,
) -> Streaks {
    match target {
        Some(n) => weekly::streaks(dates, n, today),
        None => Tracker::from_dates(schedule, dates).streaks(today),
    }
}
