//! The overview tiles: the latest figure of each headline metric (today's where there is one),
//! its 7-day sparkline and the change against the user's 30-day average.

use chrono::Duration;

use super::{hours_minutes, when_label};
use crate::error::AppError;
use crate::health::catalogue::{self, Aggregation, MetricInfo};
use crate::health::series::{self, DayFigure};
use crate::health::server_fns::{Overview, Tile};
use crate::health::sources::source_name;
use crate::health::trend::Trend;
use crate::health::{charts, local_time};
use crate::platform::db::Db;
use crate::units::Units;

/// Headline metrics, in the order tiles appear.
pub const TILES: [&str; 10] = [
    "steps",
    "active_minutes",
    "calories",
    "sleep",
    "resting_heart_rate",
    "heart_rate_variability",
    "weight",
    "spo2",
    "readiness_score",
    "recovery_score",
];

pub async fn build(
    db: &Db,
    user_id: &str,
    timezone: &str,
    units: &Units,
) -> Result<Overview, AppError> {
    let tz = local_time::zone(timezone);
    let today = local_time::today(tz);
    let from = today - Duration::days(37);
    let mut metrics: Vec<&'static MetricInfo> =
        TILES.iter().filter_map(|m| catalogue::metric(m)).collect();
    let sleep_score = catalogue::metric("sleep_score").expect("catalogue");
    metrics.push(sleep_score);
    let data = series::daily(db, user_id, &metrics, from, today).await?;
    let mut tiles = Vec::new();
    for stored in metrics.iter().filter(|m| m.id != "sleep_score") {
        // Figures in the person's unit: "3.11 mi" rather than "5,000 m".
        let (shown, conv) = units.shown(stored);
        let metric = &shown;
        let days: Vec<DayFigure> = data
            .get(metric.id)
            .map(|days| days.iter().map(|d| conv.day(d)).collect())
            .unwrap_or_default();
        let days = days.as_slice();
        // The latest figure within the last week.
        let Some(latest) = days
            .iter()
            .rev()
            .find(|d| d.date > today - Duration::days(7))
        else {
            continue;
        };
        let window: Vec<&DayFigure> = days
            .iter()
            .filter(|d| d.date < latest.date && d.date >= latest.date - Duration::days(30))
            .collect();
        // Today's total is still growing: comparing it with whole days would mislead.
        let partial =
            metric.aggregation == Aggregation::Sum && latest.date == today && metric.id != "sleep";
        let (delta, trend) = if window.len() >= 3 && !partial {
            let avg = window.iter().map(|d| d.value).sum::<f64>() / window.len() as f64;
            let pct = if avg.abs() > f64::EPSILON {
                (latest.value - avg) / avg * 100.0
            } else {
                0.0
            };
            let trend = Trend::of_change(pct);
            let text = if pct.round() == 0.0 {
                "Same as 30-day avg".to_string()
            } else {
                format!("{:+.0}% vs 30-day avg", pct)
            };
            (Some(text), trend)
        } else {
            (None, Trend::Flat)
        };
        let spark: Vec<Option<f64>> = series::by_day(days, today - Duration::days(6), today)
            .into_iter()
            .map(|(_, d)| d.map(|d| d.value))
            .collect();
        let (value, unit) = if metric.id == "sleep" {
            (hours_minutes(latest.value), String::new())
        } else {
            (
                metric.format_number(latest.value),
                metric.symbol.to_string(),
            )
        };
        let extra = if metric.id == "sleep" {
            data.get("sleep_score")
                .and_then(|s| s.iter().find(|d| d.date == latest.date))
                .map(|s| format!("Score {}", s.value.round()))
        } else {
            None
        };
        let when = match (metric.id, when_label(latest.date, today).as_str()) {
            ("sleep", "Today") => "Last night".to_string(),
            (_, "Today") if partial => "Today so far".to_string(),
            (_, w) => w.to_string(),
        };
        tiles.push(Tile {
            metric: metric.id.to_string(),
            label: metric.label.to_string(),
            family: metric.category.family().to_string(),
            sparkline: charts::sparkline(
                &spark,
                metric.category.family(),
                &format!("{}, last 7 days", metric.label),
            ),
            value,
            unit,
            when,
            delta,
            trend,
            source: source_name(&latest.provider),
            extra,
        });
    }
    Ok(Overview { tiles })
}
