//! The derive pass: brings a person's stored baselines up to date from one local day on.
//!
//! A baseline for day `d` is [`baseline::before`] over the daily figures (the preferred source
//! per day, as the dashboards show them) of the [`WINDOW_DAYS`] days before `d`. Changed data
//! on day `x` therefore changes the baselines of `x + 1 ..= x + WINDOW_DAYS` only, so a pass
//! from the first changed day to the person's today, reading figures from [`WINDOW_DAYS`] days
//! before it, gives exactly what a from-scratch rebuild gives. A baseline is stored only for
//! days where it counts (at least [`MIN_DAYS`](baseline::MIN_DAYS) days with data in its
//! window, see [`Baseline::counts`]): before that a baseline would judge nothing, and a day
//! whose baseline no longer counts (data deleted) loses its row.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::baseline::{self, Baseline, WINDOW_DAYS};
use super::repo;
use crate::health::catalogue::{self, MetricInfo};
use crate::health::{local_time, series};
use crate::platform::db::Db;

/// The metrics with personal baselines: resting heart rate, HRV, sleep duration, SpO₂,
/// respiratory rate, temperature, weight and steps. The catalogue has no separate skin
/// temperature: wearables' temperature readings arrive as `temperature`, which is used here.
pub const BASELINE_METRICS: [&str; 8] = [
    "resting_heart_rate",
    "heart_rate_variability",
    "sleep",
    "spo2",
    "respiratory_rate",
    "temperature",
    "weight",
    "steps",
];

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeriveReport {
    /// Local days whose baselines were worked out.
    pub days: usize,
    /// Metrics with at least one daily figure in the days read.
    pub metrics: usize,
    /// Baselines written.
    pub stored: u64,
    /// Days whose stored baseline went away (it no longer counts).
    pub removed: u64,
}

/// The catalogue entries of [`BASELINE_METRICS`].
fn metrics() -> Vec<&'static MetricInfo> {
    BASELINE_METRICS
        .iter()
        .filter_map(|id| catalogue::metric(id))
        .collect()
}

/// The baselines that count on each day of `from..=to`, oldest first.
pub fn counting(
    series: &BTreeMap<NaiveDate, f64>,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(NaiveDate, Baseline)> {
    if series.is_empty() {
        return Vec::new();
    }
    from.iter_days()
        .take_while(|d| *d <= to)
        .filter_map(|d| {
            baseline::before(series, d)
                .filter(Baseline::counts)
                .map(|b| (d, b))
        })
        .collect()
}

/// Recomputes the person's baselines on local days `from..=today` (in `tz_name`) and stores
/// them: days whose baseline counts are written, every other stored day from `from` on is
/// removed. One transaction for the writes.
pub async fn run(
    db: &Db,
    user_id: &str,
    tz_name: &str,
    from: NaiveDate,
) -> Result<DeriveReport, sqlx::Error> {
    let today = local_time::today(local_time::zone(tz_name));
    let to = today.max(from);
    let infos = metrics();
    let figures =
        series::daily(db, user_id, &infos, from - Duration::days(WINDOW_DAYS), to).await?;
    let mut with_data = 0;
    let fresh: Vec<(&str, Vec<(NaiveDate, Baseline)>)> = infos
        .iter()
        .map(|m| {
            let days: BTreeMap<NaiveDate, f64> = figures
                .get(m.id)
                .map(|days| {
                    days.iter()
                        .filter(|f| f.value.is_finite())
                        .map(|f| (f.date, f.value))
                        .collect()
                })
                .unwrap_or_default();
            if !days.is_empty() {
                with_data += 1;
            }
            (m.id, counting(&days, from, to))
        })
        .collect();
    let replaced = repo::replace_from(db, user_id, from, &fresh).await?;
    Ok(DeriveReport {
        days: ((to - from).num_days() + 1) as usize,
        metrics: with_data,
        stored: replaced.stored,
        removed: replaced.removed,
    })
}

/// Recomputes all of the person's baselines: from `from` when given, else from the first day
/// with a figure of any baseline metric (baselines before that day cannot exist and are
/// removed). Without any data, every stored baseline goes.
pub async fn rebuild(
    db: &Db,
    user_id: &str,
    tz_name: &str,
    from: Option<NaiveDate>,
) -> Result<DeriveReport, sqlx::Error> {
    if let Some(from) = from {
        return run(db, user_id, tz_name, from).await;
    }
    match repo::first_day(db, user_id, &BASELINE_METRICS).await? {
        Some(first) => {
            let stale = repo::delete_baselines_before(db, user_id, first).await?;
            let mut report = run(db, user_id, tz_name, first).await?;
            report.removed += stale;
            Ok(report)
        }
        None => Ok(DeriveReport {
            removed: repo::delete_all_baselines(db, user_id).await?,
            ..DeriveReport::default()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::baseline::MIN_DAYS;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Duration::days(i64::from(d))
    }

    #[test]
    fn every_baseline_metric_is_in_the_catalogue() {
        assert_eq!(metrics().len(), BASELINE_METRICS.len());
    }

    #[test]
    fn a_baseline_counts_from_the_fourteenth_day_of_data_on() {
        // Forty days with data from day 0: day 14 is the first with 14 days before it, and a
        // window still holds 14 of them until day 39 + 30 − 13 = 56.
        let series: BTreeMap<NaiveDate, f64> =
            (0..40).map(|d| (day(d), 50.0 + f64::from(d))).collect();
        let got = counting(&series, day(0), day(80));
        assert_eq!(
            got.first().map(|(d, b)| (*d, b.n)),
            Some((day(14), MIN_DAYS))
        );
        assert_eq!(
            got.last().map(|(d, b)| (*d, b.n)),
            Some((day(56), MIN_DAYS))
        );
        assert_eq!(got.len(), 43);
        let (_, b) = got.iter().find(|(d, _)| *d == day(35)).unwrap();
        assert_eq!(b.n, WINDOW_DAYS as usize);
        assert_eq!(b.median, 50.0 + 19.5, "days 5..=34");
    }

    #[test]
    fn nothing_counts_without_data() {
        assert!(counting(&BTreeMap::new(), day(0), day(60)).is_empty());
    }
}
