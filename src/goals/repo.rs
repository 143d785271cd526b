//! Goals in the database: their rows, the figures each evaluation keeps current, and the one
//! read of other stored data that goals make themselves (workout start times).

use chrono::{DateTime, NaiveDate, Utc};

use super::progress::Direction;
use super::{goal_metric, GoalMetric, GOAL_METRICS};
use crate::error::AppError;
use crate::platform::db::Db;
use crate::platform::ids::new_id;
use crate::wellness::period::Cadence;
use crate::with_db;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct GoalRow {
    pub id: String,
    pub name: String,
    pub metric_type: Option<String>,
    pub target_value: f64,
    pub cadence: String,
    pub direction: String,
    pub current_value: Option<f64>,
    pub best_value: Option<f64>,
    pub current_streak: i32,
    pub longest_streak: i32,
    pub is_active: bool,
    pub start_date: Option<NaiveDate>,
    pub config: Option<sqlx::types::Json<serde_json::Value>>,
    pub completed_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str =
    "id, name, metric_type, target_value, cadence, direction, current_value, best_value, \
     current_streak, longest_streak, is_active, start_date, config, completed_at";

impl GoalRow {
    /// The goal's metric; a row with an unknown or missing one reads as steps.
    pub fn metric(&self) -> &'static GoalMetric {
        self.metric_type
            .as_deref()
            .and_then(goal_metric)
            .unwrap_or(&GOAL_METRICS[0])
    }
    pub fn cadence(&self) -> Cadence {
        Cadence::parse(&self.cadence).unwrap_or(Cadence::Daily)
    }
    pub fn direction(&self) -> Direction {
        Direction::parse(&self.direction).unwrap_or(Direction::AtLeast)
    }
    fn config(&self, key: &str) -> Option<serde_json::Value> {
        self.config.as_ref().and_then(|c| c.0.get(key).cloned())
    }
    /// The figure a `reach` goal started from (stored when it was set).
    pub(super) fn start_value(&self) -> Option<f64> {
        self.config("startValue").and_then(|v| v.as_f64())
    }
    /// The habit a `habit_completions` goal counts (all habits when absent).
    pub(super) fn habit_id(&self) -> Option<String> {
        self.config("habitId")
            .and_then(|v| v.as_str().map(str::to_string))
    }
}

/// Every goal of the person, oldest first.
pub async fn list(db: &Db, user_id: &str) -> Result<Vec<GoalRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM goals WHERE user_id = $1 ORDER BY created_at, id");
    with_db!(db, pool => sqlx::query_as(&sql).bind(user_id).fetch_all(pool).await)
}

/// One of the person's own goals; another person's id is "not found".
pub async fn get(db: &Db, user_id: &str, id: &str) -> Result<GoalRow, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM goals WHERE id = $1 AND user_id = $2");
    let row: Option<GoalRow> = with_db!(db, pool => sqlx::query_as(&sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
    row.ok_or_else(|| AppError::NotFound("That goal does not exist (any more).".into()))
}

/// How many goals the person has (the cap counts archived and completed ones too).
pub async fn count(db: &Db, user_id: &str) -> Result<i64, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM goals WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(pool)
        .await)
}

/// A new goal, checked.
pub struct NewGoal<'a> {
    pub name: &'a str,
    pub metric: &'static GoalMetric,
    pub target: f64,
    pub cadence: Cadence,
    pub direction: Direction,
    pub start_date: NaiveDate,
    /// `habitId` and `startValue`, where they apply.
    pub config: serde_json::Map<String, serde_json::Value>,
}

/// Stores a new active goal and returns its id.
pub async fn insert(db: &Db, user_id: &str, g: NewGoal<'_>) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = Utc::now();
    with_db!(db, pool => sqlx::query(
        "INSERT INTO goals (id, user_id, name, category, metric_type, target_value, unit, cadence, direction, \
         is_active, start_date, config, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)")
        .bind(&id)
        .bind(user_id)
        .bind(g.name)
        .bind(g.metric.category)
        .bind(g.metric.id)
        .bind(g.target)
        .bind(g.metric.unit)
        .bind(g.cadence.as_str())
        .bind(g.direction.as_str())
        .bind(true)
        .bind(g.start_date)
        .bind(sqlx::types::Json(serde_json::Value::Object(g.config)))
        .bind(now)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(id)
}

/// The figures an evaluation stores, so API readers of the row see them current.
pub struct Figures {
    pub current_value: Option<f64>,
    pub best_value: Option<f64>,
    pub current_streak: u32,
    pub longest_streak: u32,
    /// Marks the goal completed now (a completion already stored is kept).
    pub complete: bool,
}

/// Stores a goal's evaluated figures.
pub async fn update_figures(
    db: &Db,
    user_id: &str,
    id: &str,
    f: &Figures,
) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "UPDATE goals SET current_value = $1, best_value = $2, current_streak = $3, longest_streak = $4, \
         completed_at = COALESCE(completed_at, $5), updated_at = $6 WHERE id = $7 AND user_id = $8")
        .bind(f.current_value)
        .bind(f.best_value)
        .bind(f.current_streak as i32)
        .bind(f.longest_streak as i32)
        .bind(f.complete.then(Utc::now))
        .bind(Utc::now())
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Archives (`active` false) or restores a goal.
pub async fn set_active(db: &Db, user_id: &str, id: &str, active: bool) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query("UPDATE goals SET is_active = $1, updated_at = $2 WHERE id = $3 AND user_id = $4")
        .bind(active)
        .bind(Utc::now())
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes one of the person's goals.
pub async fn delete(db: &Db, user_id: &str, id: &str) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query("DELETE FROM goals WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Start times of the person's workouts (duplicates left out) in `start..end`, which a
/// workouts goal counts per local day.
pub async fn workout_starts(
    db: &Db,
    user_id: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar(
        "SELECT started_at FROM events WHERE user_id = $1 AND event_type = 'workout' \
         AND duplicate_of IS NULL AND started_at >= $2 AND started_at < $3")
        .bind(user_id)
        .bind(start)
        .bind(end)
        .fetch_all(pool)
        .await)
}
