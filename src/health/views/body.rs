//! The Body page: weight, body fat, BMI, blood pressure, glucose and temperature, each with its
//! latest reading and trend.

use super::when_label;
use crate::error::AppError;
use crate::health::catalogue::{self, MetricInfo};
use crate::health::series;
use crate::health::server_fns::BodyCard;
use crate::health::sources::source_name;
use crate::platform::db::Db;
use crate::units::Units;

pub const BODY_METRICS: [&str; 6] = [
    "weight",
    "body_fat",
    "bmi",
    "blood_pressure",
    "blood_glucose",
    "temperature",
];

pub async fn build(
    db: &Db,
    user_id: &str,
    timezone: &str,
    units: &Units,
    range: Option<&str>,
) -> Result<Vec<BodyCard>, AppError> {
    let super::Span {
        today, from, to, ..
    } = super::span(timezone, range, 90)?;
    let metrics: Vec<&'static MetricInfo> = BODY_METRICS
        .iter()
        .filter_map(|m| catalogue::metric(m))
        .collect();
    let data = series::daily(db, user_id, &metrics, from, to).await?;
    Ok(metrics
        .iter()
        .map(|stored| {
            let (shown, conv) = units.shown(stored);
            let m = &shown;
            let days: Vec<_> = data
                .get(m.id)
                .map(|days| days.iter().map(|d| conv.day(d)).collect())
                .unwrap_or_default();
            let last = days.last();
            BodyCard {
                metric: m.id.to_string(),
                label: m.label.to_string(),
                latest: last.map(|d| super::trends::display(m, d)),
                when: last.map(|d| when_label(d.date, today)),
                source: last.map(|d| source_name(&d.provider)),
                svg: if days.is_empty() {
                    String::new()
                } else {
                    super::trends::chart_for(m, &days, from, to, "line")
                },
            }
        })
        .collect())
}
