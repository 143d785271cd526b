use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, TimeZone, Utc};

use super::*;
use crate::health::demo::{self, DemoOptions};
use crate::insights::anomaly::Severity;

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).expect("a date") + Duration::days(n)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn baseline_golden() {
    // 50, 52, 54, 56, 58: mean = median = 54; p25 = 52 and p75 = 56 (type 7: positions 1 and 3
    // of 0..4); deviations from the median 4, 2, 0, 2, 4 → MAD = 2; sd = √((16+4+0+4+16)/4)
    // = √10 = 3.162278; slope 2 a day, so the line rises 8 across the 5 days > sd: rising.
    let b = Baseline::of(&[50.0, 52.0, 54.0, 56.0, 58.0]).expect("a baseline");
    assert_eq!(
        (b.n, b.mean, b.median, b.p25, b.p75, b.mad),
        (5, 54.0, 54.0, 52.0, 56.0, 2.0)
    );
    assert!(close(b.sd.unwrap_or(0.0), 10f64.sqrt(), 1e-9));
    assert_eq!((b.min, b.max), (50.0, 58.0));
    assert!(close(b.slope.unwrap_or(0.0), 2.0, 1e-9));
    assert_eq!(b.trend(), Trend::Rising);
    assert!(!b.counts(), "five days do not make a baseline");
    // Flat with noise: 55, 56, 55, 54, 55, 56, 54 — slope −3/28 = −0.107 a day, −0.64 across
    // the 7 days, inside sd = √(4/6) = 0.816: stable.
    let flat = Baseline::of(&[55.0, 56.0, 55.0, 54.0, 55.0, 56.0, 54.0]).expect("a baseline");
    assert_eq!(flat.trend(), Trend::Stable);
    assert!(Baseline::of(&[]).is_none());
}

#[test]
fn the_day_judged_is_not_in_its_own_baseline() {
    // 40 days at 55 bpm, then 80 bpm: its baseline is the 30 days before, all 55.
    let mut series: BTreeMap<NaiveDate, f64> = (0..40).map(|i| (day(i), 55.0)).collect();
    series.insert(day(40), 80.0);
    let b = before(&series, day(40)).expect("a baseline");
    assert_eq!((b.n, b.max, b.median), (30, 55.0, 55.0));
    // Only the window counts: day 45's baseline starts at day 15.
    series.insert(day(45), 60.0);
    assert_eq!(before(&series, day(45)).map(|b| b.n), Some(26));
}

/// One metric's daily figure from a year of demo data (the latest reading of each UTC day).
fn demo_year(seed: u64) -> BTreeMap<&'static str, BTreeMap<NaiveDate, f64>> {
    let now = Utc
        .with_ymd_and_hms(2026, 6, 30, 23, 0, 0)
        .single()
        .expect("an instant");
    let mut out: BTreeMap<&'static str, BTreeMap<NaiveDate, f64>> = BTreeMap::new();
    let opts = DemoOptions {
        days: 365,
        intraday: false,
        seed,
    };
    for batch in demo::generate(chrono_tz::UTC, now, opts) {
        for p in batch.points {
            let metric = match p.metric_type.as_str() {
                "resting_heart_rate" => "resting_heart_rate",
                "heart_rate_variability" => "heart_rate_variability",
                "spo2" => "spo2",
                "respiratory_rate" => "respiratory_rate",
                _ => continue,
            };
            if let Some(v) = p.value {
                out.entry(metric)
                    .or_default()
                    .insert(p.recorded_at.date_naive(), v);
            }
        }
    }
    out
}

fn alerts(metric: &str, series: &BTreeMap<NaiveDate, f64>) -> Vec<Episode> {
    detect(metric, series)
        .into_iter()
        .filter(Episode::is_alert)
        .collect()
}

#[test]
fn a_stationary_year_raises_at_most_two_alerts_per_metric() {
    for seed in [3, 11, 42] {
        for (metric, series) in demo_year(seed) {
            assert!(series.len() > 350, "{metric}: a year of days");
            let found = alerts(metric, &series);
            assert!(
                found.len() <= 2,
                "seed {seed}, {metric}: {} alerts: {found:#?}",
                found.len()
            );
        }
    }
}

#[test]
fn injected_episodes_are_all_found() {
    // Documented injections into an otherwise ordinary demo year:
    // - resting heart rate +12 bpm for 3 days (days 200–202 of the year),
    // - HRV −40 % for 4 days (days 250–253),
    // - SpO₂ at 88 % for one night (day 300).
    let mut year = demo_year(11);
    let first = *year["resting_heart_rate"].keys().next().expect("days");
    let at = |n: i64| first + Duration::days(n);
    let injected: [(&str, NaiveDate, NaiveDate); 3] = [
        ("resting_heart_rate", at(200), at(202)),
        ("heart_rate_variability", at(250), at(253)),
        ("spo2", at(300), at(300)),
    ];
    for (metric, from, to) in injected {
        let series = year.get_mut(metric).expect("metric present");
        let mut d = from;
        while d <= to {
            let v = series.get_mut(&d).expect("a figure that day");
            *v = match metric {
                "resting_heart_rate" => *v + 12.0,
                "heart_rate_variability" => (*v * 0.6).round(),
                _ => 88.0,
            };
            d += Duration::days(1);
        }
    }
    for (metric, from, to) in injected {
        let found = alerts(metric, &year[metric]);
        let hit = found.iter().find(|e| e.overlaps(from, to));
        let hit = hit.unwrap_or_else(|| panic!("{metric} {from}–{to} not found: {found:#?}"));
        if metric == "spo2" {
            // 88 % against a usual 97 % with a MAD of 1: robust z = 0.6745 × −9 ≈ −6.1, critical.
            assert_eq!(hit.severity, Severity::Critical);
        }
        // Nothing else raised beyond what the stationary year allows.
        assert!(found.len() <= 3, "{metric}: {found:#?}");
    }
}
