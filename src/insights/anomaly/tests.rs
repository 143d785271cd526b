//! Golden tests for anomaly findings and episodes. Robust z = 0.6745·(x − median)/MAD.

use super::*;
use crate::insights::stats;

fn date(d: u32) -> NaiveDate {
    // Days counted from 1 Feb 2025: date(31) = 3 Mar.
    NaiveDate::from_ymd_opt(2025, 2, 1)
        .and_then(|start| start.checked_add_days(chrono::Days::new(u64::from(d) - 1)))
        .expect("valid test date")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-3
}

#[test]
fn check_resting_heart_rate() {
    // Baseline median 55, MAD 1.5 (floor max(0.6745·0.02·55 = 0.742, 1.0) = 1.0 < 1.5).
    // 58: z = 0.6745·3/1.5 = 1.349 → nothing. 60: 2.248 → info. 63: 3.597 → warning.
    // 67: 0.6745·12/1.5 = 5.396 → critical. 45 is low, not the side of concern → nothing.
    let sev = |v: f64| check("resting_heart_rate", v, 55.0, 1.5, 30).map(|f| f.severity);
    assert_eq!(sev(58.0), None);
    assert_eq!(sev(60.0), Some(Severity::Info));
    assert_eq!(sev(63.0), Some(Severity::Warning));
    assert_eq!(sev(67.0), Some(Severity::Critical));
    assert_eq!(sev(45.0), None);
    let f = check("resting_heart_rate", 67.0, 55.0, 1.5, 30).expect("finding");
    assert!(close(f.z.unwrap_or(0.0), 5.396));
    assert_eq!(
        (f.usual, f.direction, f.beyond_limit),
        (Some(55.0), Direction::High, false)
    );
    // Under 14 days of baseline: no z-based finding at all.
    assert_eq!(check("resting_heart_rate", 67.0, 55.0, 1.5, 13), None);
    // Not a watched metric.
    assert_eq!(check("steps", 1.0, 9_000.0, 1_000.0, 30), None);
}

#[test]
fn physiological_limits_without_baseline() {
    // SpO₂ night mean: < 90 → warning, < 88 → critical; exactly 90 is not below 90.
    let spo2 = |v: f64| check("spo2", v, 0.0, 0.0, 0);
    assert_eq!(spo2(90.0), None);
    assert_eq!(spo2(88.0).map(|f| f.severity), Some(Severity::Warning));
    let f = spo2(87.0).expect("finding");
    assert_eq!(
        (f.severity, f.usual, f.z, f.beyond_limit),
        (Severity::Critical, None, None, true)
    );
    // The alias resolves to the same metric.
    assert_eq!(
        check("blood_oxygen", 87.0, 0.0, 0.0, 0).map(|f| f.metric),
        Some("spo2")
    );
    // Resting HR > 100 and respiratory rate > 25: warnings.
    let rhr = check("resting_heart_rate", 105.0, 0.0, 0.0, 3).map(|f| f.severity);
    assert_eq!(rhr, Some(Severity::Warning));
    let rr = check("respiratory_rate", 26.0, 0.0, 0.0, 0).map(|f| f.severity);
    assert_eq!(rr, Some(Severity::Warning));
    // With a baseline both apply and the more severe wins: SpO₂ 89 vs median 96, MAD 1
    // (floor 0.5): z = 0.6745·(−7)/1 = −4.72 → warning by z and by limit.
    let f = check("spo2", 89.0, 96.0, 1.0, 30).expect("finding");
    assert_eq!((f.severity, f.beyond_limit), (Severity::Warning, true));
    // Temperature has no relative floor: 38.0 vs 36.6 ± MAD 0.1 → z = 0.6745·1.4/0.1 = 9.44.
    let t = check("temperature", 38.0, 36.6, 0.1, 30).expect("finding");
    assert!(close(t.z.unwrap_or(0.0), 9.443));
    assert_eq!(t.severity, Severity::Critical);
}

/// A stable resting heart rate around 55 (within ±2), checked against median 55, MAD 1.5.
fn stable_rhr_days(values: &[(u32, f64)]) -> Vec<(NaiveDate, Option<Finding>)> {
    let pattern = [55.0, 56.0, 54.0, 57.0, 53.0, 55.0, 56.0, 54.0];
    (1..=45)
        .map(|d| {
            let v = values
                .iter()
                .find(|(day, _)| *day == d)
                .map_or(pattern[d as usize % pattern.len()], |(_, v)| *v);
            (date(d), check("resting_heart_rate", v, 55.0, 1.5, 30))
        })
        .collect()
}

#[test]
fn injected_episode_found_once() {
    // Days 31–33 (3–5 Mar) at +12, +13, +12 bpm: z = 5.396, 5.846, 5.396 → critical each;
    // the stable days reach at most z = 0.6745·2/1.5 = 0.899 → nothing.
    let days = stable_rhr_days(&[(31, 67.0), (32, 68.0), (33, 67.0)]);
    let eps = episodes(&days);
    assert_eq!(eps.len(), 1, "{eps:?}");
    let ep = eps[0];
    assert_eq!((ep.start, ep.end, ep.days), (date(31), date(33), 3));
    assert_eq!(
        (ep.severity, ep.sustained, ep.peak_date),
        (Severity::Critical, true, date(32))
    );
    assert!(ep.is_alert());
    assert!(close(ep.peak.z.unwrap_or(0.0), 5.846));
    assert_eq!(episode_title(&ep), "Resting heart rate higher than usual");
    assert_eq!(
        description(&ep, Some((53.0, 57.0))),
        "Resting heart rate was higher than usual for 3 days (3 Mar to 5 Mar), at its highest \
         68 bpm on 4 Mar vs your usual 55 bpm (middle half 53–57). This is not a diagnosis; if \
         you feel unwell, talk to a clinician."
    );
    // Re-running gives the same episode; the same days seen one day earlier give the same
    // start with an earlier end (the alert is updated, not duplicated).
    assert_eq!(episodes(&days), eps);
    let partial = episodes(&days[..32]);
    assert_eq!(partial.len(), 1);
    assert_eq!((partial[0].start, partial[0].end), (date(31), date(32)));
    assert!(ep.overlaps(partial[0].start, partial[0].end));
}

#[test]
fn sustained_moderate_drop_is_an_alert() {
    // HRV 30 ms for 4 days vs median 50, MAD 5 (floor max(0.6745·0.05·50 = 1.686, 2) = 2):
    // z = 0.6745·(−20)/5 = −2.698 each → info on each day, but 4 ≥ 3 days → warning.
    let days: Vec<(NaiveDate, Option<Finding>)> = (1..=20)
        .map(|d| {
            let v = if (10..=13).contains(&d) { 30.0 } else { 50.0 };
            (date(d), check("heart_rate_variability", v, 50.0, 5.0, 30))
        })
        .collect();
    assert_eq!(days[9].1.map(|f| f.severity), Some(Severity::Info));
    let eps = episodes(&days);
    assert_eq!(eps.len(), 1);
    assert_eq!((eps[0].days, eps[0].severity), (4, Severity::Warning));
    assert_eq!(episode_title(&eps[0]), "HRV lower than usual");
}

#[test]
fn gaps_split_episodes() {
    // Findings on days 1, 2 and 4 (day 3 normal): two episodes, both info and short → no alert.
    let days = stable_rhr_days(&[(1, 60.0), (2, 60.0), (4, 60.0)]);
    let eps = episodes(&days);
    assert_eq!(eps.len(), 2);
    assert_eq!((eps[0].days, eps[1].days), (2, 1));
    assert!(eps.iter().all(|e| !e.is_alert() && !e.sustained));
}

#[test]
fn single_night_threshold_description() {
    let f = check("spo2", 87.0, 0.0, 0.0, 5);
    let eps = episodes(&[(date(31), f)]);
    assert_eq!(eps.len(), 1);
    assert_eq!(
        description(&eps[0], None),
        "SpO₂ was 87% on 3 Mar. That is below 90%, under the range usual for healthy adults. \
         This is not a diagnosis; if you feel unwell, talk to a clinician."
    );
    assert_eq!(title("SpO₂", Direction::Low), "SpO₂ lower than usual");
    let sleep = check("sleep", 4.0, 7.5, 0.4, 30).expect("finding");
    let ep = episodes(&[(date(1), Some(sleep))]);
    assert_eq!(episode_title(&ep[0]), "Sleep shorter than usual");
}

/// xorshift64 → standard normal (Box–Muller), so the "stationary year" is reproducible.
fn normals(mut state: u64, n: usize) -> Vec<f64> {
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        ((state >> 11) + 1) as f64 / (1_u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let (u1, u2) = (next(), next());
            (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
        })
        .collect()
}

/// Runs detection over a year, each day against the 30 days before it.
fn detect_year(values: &[f64]) -> Vec<Episode> {
    let days: Vec<(NaiveDate, Option<Finding>)> = (30..values.len())
        .map(|i| {
            let window = &values[i - 30..i];
            let med = stats::median(window).unwrap_or(0.0);
            let mad = stats::mad(window).unwrap_or(0.0);
            let d = date(1) + chrono::Days::new(i as u64);
            (
                d,
                check("resting_heart_rate", values[i], med, mad, window.len()),
            )
        })
        .collect();
    episodes(&days)
}

#[test]
fn stationary_series_raise_nothing() {
    // A bounded wave, 55 + 2·sin(1.3 i) + 0.5·cos(0.7 i): the largest z against the trailing
    // 30 days is 1.37 → no finding at all.
    let wave: Vec<f64> = (0..365)
        .map(|i| {
            let i = f64::from(i);
            55.0 + 2.0 * (1.3 * i).sin() + 0.5 * (0.7 * i).cos()
        })
        .collect();
    assert!(detect_year(&wave).is_empty());
    // Normal noise, sd 2 bpm, for a year: some info days (z ≥ 2 happens on ~2 % of days), but
    // no alert (the largest z is 3.28 and no three info days are consecutive).
    let noisy: Vec<f64> = normals(12_345, 365)
        .iter()
        .map(|z| 55.0 + 2.0 * z)
        .collect();
    let eps = detect_year(&noisy);
    assert!(!eps.is_empty());
    assert!(eps.iter().all(|e| !e.is_alert()), "{eps:?}");
}
