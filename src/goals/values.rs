//! A goal metric's figures from the stored data (health rollups, water, workouts, mood, habit
//! check-ins), per local day and per goal period.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::{Combine, GoalMetric};
use crate::error::AppError;
use crate::health::{catalogue, local_time, series};
use crate::platform::db::Db;
use crate::wellness::period::Cadence;

/// One figure per local day with data over `from..=to`.
pub async fn daily(
    db: &Db,
    user_id: &str,
    tz: Tz,
    metric: &GoalMetric,
    habit_id: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<NaiveDate, f64>, AppError> {
    let health = |id: &str| catalogue::metric(id).expect("catalogued metric");
    Ok(match metric.id {
        "steps" | "active_minutes" | "weight" | "sleep_hours" => {
            let m = health(match metric.id {
                "sleep_hours" => "sleep",
                other => other,
            });
            let days = series::daily(db, user_id, &[m], from, to).await?;
            days.get(m.id)
                .map(|v| v.iter().map(|f| (f.date, f.value)).collect())
                .unwrap_or_default()
        }
        "water_ml" => crate::hydration::service::daily_totals(db, user_id, tz, from, to)
            .await?
            .into_iter()
            .map(|(d, t)| (d, t.total_ml as f64))
            .collect(),
        "mood_avg" => crate::mood::service::daily(db, user_id, tz, from, to)
            .await?
            .into_iter()
            .map(|(d, m)| (d, m.mood))
            .collect(),
        "habit_completions" => {
            crate::habits::service::completions_per_day(db, user_id, habit_id, from, to)
                .await?
                .into_iter()
                .map(|(d, n)| (d, n as f64))
                .collect()
        }
        "workouts" => {
            let (start, end) = local_time::day_range(from, to, tz);
            let starts = super::repo::workout_starts(db, user_id, start, end).await?;
            let mut out = BTreeMap::new();
            for s in starts {
                *out.entry(local_time::local_date(s, tz)).or_insert(0.0) += 1.0;
            }
            out
        }
        other => {
            return Err(AppError::invalid(
                "metric",
                format!("Unknown goal metric {other}."),
            ))
        }
    })
}

/// The figure of each period starting at `starts` (`None` where a period has no data; a sum
/// over a period with no data is 0 for counts such as workouts and check-ins).
pub fn per_period(
    metric: &GoalMetric,
    cadence: Cadence,
    days: &BTreeMap<NaiveDate, f64>,
    starts: &[NaiveDate],
) -> Vec<Option<f64>> {
    starts
        .iter()
        .map(|s| {
            let values: Vec<f64> = days.range(*s..=cadence.end(*s)).map(|(_, v)| *v).collect();
            match metric.combine {
                Combine::Sum => {
                    if values.is_empty() && !matches!(metric.id, "workouts" | "habit_completions") {
                        None
                    } else {
                        Some(values.iter().sum())
                    }
                }
                Combine::Mean => {
                    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
                }
                Combine::Last => values.last().copied(),
            }
        })
        .collect()
}
