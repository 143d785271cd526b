//! Personal baselines: what is usual for this person for one metric on a given day — median,
//! middle half (p25–p75), MAD, mean, standard deviation, range, number of days and trend — from
//! the [`WINDOW_DAYS`] days before it. The day being judged is never part of its own baseline,
//! and a baseline only counts once it has [`MIN_DAYS`] days of data in its window.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::anomaly::{self, Episode, Finding};
use super::stats;

/// The window a baseline looks back over, in days (the day itself excluded).
pub const WINDOW_DAYS: i64 = 30;
/// Days with data a baseline needs within its window before anything is judged against it
/// (about half the window: two weeks, as Oura's baselines take).
pub const MIN_DAYS: usize = anomaly::MIN_BASELINE_DAYS;

/// Which way a metric has been moving over the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    Rising,
    Falling,
    Stable,
}

impl Trend {
    pub fn as_str(self) -> &'static str {
        match self {
            Trend::Rising => "rising",
            Trend::Falling => "falling",
            Trend::Stable => "stable",
        }
    }
}

/// One metric's baseline as of one day.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Baseline {
    pub n: usize,
    pub mean: f64,
    pub sd: Option<f64>,
    pub median: f64,
    pub p25: f64,
    pub p75: f64,
    /// Median absolute deviation (raw, not scaled to a standard deviation).
    pub mad: f64,
    pub min: f64,
    pub max: f64,
    /// Least-squares slope per day over the window's days with data.
    pub slope: Option<f64>,
}

impl Baseline {
    /// The baseline of these daily figures (oldest first); `None` without any.
    pub fn of(values: &[f64]) -> Option<Baseline> {
        let values: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let median = stats::median(&values)?;
        Some(Baseline {
            n: values.len(),
            mean: stats::mean(&values)?,
            sd: stats::sample_sd(&values),
            median,
            p25: stats::quantile(&values, 0.25)?,
            p75: stats::quantile(&values, 0.75)?,
            mad: stats::mad(&values)?,
            min: values.iter().copied().fold(f64::INFINITY, f64::min),
            max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            slope: stats::linear_slope(&values),
        })
    }

    /// Whether there is enough data for the baseline to judge a day.
    pub fn counts(&self) -> bool {
        self.n >= MIN_DAYS
    }

    /// Rising or falling when the fitted line moves the figure by more than one standard
    /// deviation across the days with data; stable otherwise (or without a spread to compare
    /// with). Day-to-day noise alone stays well inside that.
    pub fn trend(&self) -> Trend {
        match (self.slope, self.sd) {
            (Some(slope), Some(sd)) if sd > 0.0 && self.n > 1 => {
                let change = slope * (self.n - 1) as f64;
                if change > sd {
                    Trend::Rising
                } else if change < -sd {
                    Trend::Falling
                } else {
                    Trend::Stable
                }
            }
            _ => Trend::Stable,
        }
    }
}

/// The baseline for `day`: the figures of the [`WINDOW_DAYS`] days before it.
pub fn before(series: &BTreeMap<NaiveDate, f64>, day: NaiveDate) -> Option<Baseline> {
    let from = day - Duration::days(WINDOW_DAYS);
    let values: Vec<f64> = series.range(from..day).map(|(_, v)| *v).collect();
    Baseline::of(&values)
}

/// Judges each day of one metric's daily series against its own baseline and groups the
/// unusual days into episodes.
pub fn detect(metric: &str, series: &BTreeMap<NaiveDate, f64>) -> Vec<Episode> {
    let days: Vec<(NaiveDate, Option<Finding>)> = series
        .iter()
        .map(|(day, value)| {
            let finding = match before(series, *day) {
                Some(b) => anomaly::check(metric, *value, b.median, b.mad, b.n),
                // Without any history only the physiological limits apply.
                None => anomaly::check(metric, *value, *value, 0.0, 0),
            };
            (*day, finding)
        })
        .collect();
    anomaly::episodes(&days)
}

#[cfg(test)]
mod tests;
