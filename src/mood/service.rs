//! Mood operations other features call: goals on average mood read the daily means.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::repo;
use crate::platform::db::Db;

pub use super::repo::DayMood;

/// Mean mood (and energy and stress) per local day in `tz` over `from..=to`; days without a
/// check-in are absent.
pub async fn daily(
    db: &Db,
    user_id: &str,
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<NaiveDate, DayMood>, sqlx::Error> {
    repo::daily(db, user_id, tz, from, to).await
}
