//! The Records page: lifetime bests, with the day and the source that set them.

use chrono::{DateTime, Utc};

use crate::error::AppError;
use crate::health::catalogue;
use crate::health::local_time;
use crate::health::server_fns::RecordRow;
use crate::health::sources::source_name;
use crate::platform::db::Db;
use crate::units::Units;
use crate::with_db;

/// "Most steps in a day" and friends.
fn title(metric: &str, category: &str) -> String {
    let label = catalogue::metric(metric)
        .map(|m| m.label.to_lowercase())
        .unwrap_or_else(|| metric.replace('_', " "));
    match (metric, category) {
        ("workout", "longest_run") => "Longest run".into(),
        ("workout", "longest_ride") => "Longest ride".into(),
        ("workout", "longest_workout") => "Longest workout".into(),
        ("steps", "daily_max") => "Most steps in a day".into(),
        ("distance", "daily_max") => "Longest distance in a day".into(),
        ("sleep", "daily_max") => "Longest night's sleep".into(),
        ("heart_rate", "all_time_max") => "Highest heart rate".into(),
        (_, "daily_min") => format!("Lowest {label}"),
        (_, "all_time_max") => format!("Highest {label}"),
        (_, _) => format!("Highest daily {label}"),
    }
}

pub async fn build(
    db: &Db,
    user_id: &str,
    timezone: &str,
    units: &Units,
) -> Result<Vec<RecordRow>, AppError> {
    let tz = local_time::zone(timezone);
    let rows: Vec<(String, String, f64, DateTime<Utc>, String)> = with_db!(db, pool => sqlx::query_as(
        "SELECT metric_type, category, value, recorded_at, provider_id FROM personal_records \
         WHERE user_id = $1 ORDER BY metric_type, category")
        .bind(user_id)
        .fetch_all(pool)
        .await)?;
    let mut out: Vec<(usize, RecordRow)> = rows
        .into_iter()
        .map(|(metric, category, value, at, provider)| {
            let info = catalogue::metric(&metric);
            let value_text = match (metric.as_str(), category.as_str()) {
                ("workout", "longest_workout") => super::hours_minutes(value / 3600.0),
                ("workout", _) => units.distance_text(value),
                ("sleep", _) => super::hours_minutes(value),
                _ => info
                    .map(|m| units.format(m, value))
                    .unwrap_or_else(|| value.to_string()),
            };
            let order = catalogue::METRICS
                .iter()
                .position(|m| m.id == metric)
                .unwrap_or(usize::MAX);
            (
                order,
                RecordRow {
                    title: title(&metric, &category),
                    value: value_text,
                    date: local_time::local_date(at, tz)
                        .format("%-d %B %Y")
                        .to_string(),
                    source: source_name(&provider),
                    family: info
                        .map(|m| m.category.family())
                        .unwrap_or("activity")
                        .to_string(),
                    href: info
                        .filter(|m| m.id != "workout")
                        .map(|m| format!("/trends/{}", m.id))
                        .or(Some("/workouts".into())),
                },
            )
        })
        .collect();
    out.sort_by_key(|(o, _)| *o);
    Ok(out.into_iter().map(|(_, r)| r).collect())
}
