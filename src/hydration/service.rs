//! Water's operations and input rules, shared by the app's server functions and the REST API
//! so a drink one of them refuses is refused by the other too. The numeric limits live in the
//! module root (`MAX_DRINK_ML`, `NOTE_MAX`): the browser's form shows them as well.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::repo::{self, DayTotal};
use super::BEVERAGES;
use crate::error::AppError;
use crate::platform::db::Db;

/// Totals per local day over `from..=to` (days without a drink are absent), each with the goal
/// that applied that day. Other features (goals) read water through this rather than through
/// the repository, so how a day's total is counted stays decided here.
pub async fn daily_totals(
    db: &Db,
    user_id: &str,
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<NaiveDate, DayTotal>, sqlx::Error> {
    repo::daily_totals(db, user_id, tz, from, to).await
}

/// The water settings with the volume unit the person reads (their unit preference, set in
/// Settings → Units or on the Water page).
pub async fn settings(db: &Db, user_id: &str) -> Result<repo::Settings, sqlx::Error> {
    let mut s = repo::settings(db, user_id).await?;
    s.unit = crate::units::service::load(db, user_id)
        .await?
        .volume()
        .as_str()
        .to_string();
    Ok(s)
}

/// A beverage id from the list (water when empty).
pub fn check_beverage(field: &str, raw: Option<&str>) -> Result<String, AppError> {
    let beverage = raw
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .unwrap_or("water");
    if !BEVERAGES.iter().any(|(b, _)| *b == beverage) {
        return Err(AppError::invalid(
            field,
            "Choose water, tea, coffee, juice or other.",
        ));
    }
    Ok(beverage.to_string())
}
