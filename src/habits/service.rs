//! Habit operations other features call: goals offer the active habits to count and count
//! their check-ins per day.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::repo;
use crate::error::AppError;
use crate::platform::db::Db;

pub use super::repo::HabitRow;

/// Every habit of the user (archived ones included), oldest first.
pub async fn list(db: &Db, user_id: &str) -> Result<Vec<HabitRow>, sqlx::Error> {
    repo::list(db, user_id).await
}

/// One of the user's own habits; another person's id is "not found".
pub async fn get(db: &Db, user_id: &str, id: &str) -> Result<HabitRow, AppError> {
    repo::get(db, user_id, id).await
}

/// Check-ins per local day over `from..=to`, of all the user's habits or of one.
pub async fn completions_per_day(
    db: &Db,
    user_id: &str,
    habit_id: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<NaiveDate, i64>, sqlx::Error> {
    repo::completions_per_day(db, user_id, habit_id, from, to).await
}
