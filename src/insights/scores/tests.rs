//! Golden tests for the daily scores. P(x) = 100/(1 + 0.25·e^(−x)) throughout; the values
//! used below are P(−3) = 16.6075, P(−2.25) = 29.6566, P(−1) = 59.5390, P(−0.75) = 65.3915,
//! P(0) = 80, P(0.75) = 89.4381, P(1) = 91.5776, P(1.5) = 94.7165, P(2.25) = 97.4327.

use super::*;

const TOL: f64 = 1e-3;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOL
}

fn score(s: &Option<SubScore>) -> f64 {
    s.as_ref().map_or(f64::NAN, |s| s.score)
}

/// A day with every input: used by several tests.
fn full_day() -> DayInputs {
    DayInputs {
        sleep_hours: Some(7.0),
        sleep_need_hours: None,
        sleep_efficiency: Some(90.0),
        hrv_ms: Some(55.0),
        hrv_baseline: Some(Baseline {
            mean: 50.0,
            sd: 5.0,
        }),
        resting_hr: Some(52.0),
        rhr_baseline: Some(Baseline {
            mean: 55.0,
            sd: 2.0,
        }),
        steps: Some(7_500.0),
        active_minutes: Some(45.0),
        yesterday_load: Some(80.0),
        load_baseline: Some(40.0),
        spo2: Some(96.0),
        respiratory_rate: Some(15.0),
        resp_baseline: Some(Baseline {
            mean: 14.0,
            sd: 0.5,
        }),
        skin_temp_delta: None,
        weight_kg: Some(76.5),
        weight_baseline_kg: Some(75.0),
        body_fat_pct: Some(22.5),
        body_fat_baseline_pct: Some(22.0),
    }
}

#[test]
fn points_curve() {
    // x = 0 → 100/1.25 = 80; x = −ln 4 → 100/(1 + 0.25·4) = 50.
    assert!(close(points(0.0), 80.0));
    assert!(close(points(-(4.0_f64.ln())), 50.0));
    assert!(close(points(-1.5), 47.1604));
    assert!(points(-50.0) >= 0.0 && points(50.0) <= 100.0);
    // Strictly increasing: no plateaus, no cliffs.
    let xs: Vec<f64> = (-40..=40).map(|i| f64::from(i) / 10.0).collect();
    assert!(xs.windows(2).all(|w| points(w[0]) < points(w[1])));
}

#[test]
fn sleep_golden() {
    // 7 h against the default 8 h need: x = 7 − 8 = −1 → 59.5390.
    // Efficiency 90 %: x = 0.2·(90 − 85) = 1 → 91.5776.
    // Sleep = 0.7·59.5390 + 0.3·91.5776 = 41.6773 + 27.4733 = 69.1506.
    let s = sleep_score(&full_day());
    assert!(close(score(&s), 69.1506), "{s:?}");
    let s = s.expect("sleep score");
    assert_eq!(s.note, None);
    assert_eq!(
        s.contributors[0].detail,
        "7.0 h asleep against the default need of 8.0 h"
    );
    assert!(close(s.contributors[0].weight, 0.7));
    // Meeting a set need of 7 h scores exactly 80 (efficiency missing, weight renormalised).
    let d = DayInputs {
        sleep_hours: Some(7.0),
        sleep_need_hours: Some(7.0),
        ..DayInputs::default()
    };
    let s = sleep_score(&d);
    assert!(close(score(&s), 80.0));
    let note = s.and_then(|s| s.note).unwrap_or_default();
    assert_eq!(note, "No sleep efficiency data: sleep from sleep duration.");
}

#[test]
fn activity_golden() {
    // Steps 7,500: x = 3·(0.75 − 1) = −0.75 → 65.3915.
    // Active minutes 45: x = 3·(45/30 − 1) = 1.5 → 94.7165.
    // Activity = 0.5·65.3915 + 0.5·94.7165 = 80.0540.
    let a = activity_score(&full_day());
    assert!(close(score(&a), 80.0540), "{a:?}");
    let detail = a
        .map(|a| a.contributors[0].detail.clone())
        .unwrap_or_default();
    assert_eq!(detail, "7,500 steps of a 10,000 goal");
}

#[test]
fn cardio_golden() {
    // Resting HR 58 vs 55 ± 2: sd = max(2, 0.03·55 = 1.65, 1) = 2; z = 1.5, lower is better,
    //   so x = 1.5·(−1.5) = −2.25 → 29.6566.
    // SpO₂ 96 %: x = 0.75·(96 − 95) = 0.75 → 89.4381.
    // Respiratory rate 15 vs 14 ± 0.5: sd = max(0.5, 0.42, 0.3) = 0.5; z = 2; x = −3 → 16.6075.
    // Cardio = 0.6·29.6566 + 0.2·89.4381 + 0.2·16.6075 = 17.7939 + 17.8876 + 3.3215 = 39.0031.
    let d = DayInputs {
        resting_hr: Some(58.0),
        ..full_day()
    };
    let c = cardio_score(&d);
    assert!(close(score(&c), 39.0031), "{c:?}");
    let detail = c
        .map(|c| c.contributors[0].detail.clone())
        .unwrap_or_default();
    assert_eq!(
        detail,
        "Resting heart rate 58 bpm, 3 bpm above your 30-day average"
    );
}

#[test]
fn recovery_golden_and_renormalised() {
    // HRV 55 vs 50 ± 5: z = 1 → x = 1.5 → 94.7165.
    // Resting HR 52 vs 55 ± 2: z = −1.5, lower is better → x = 2.25 → 97.4327.
    // Sleep 7 h of 8 → 59.5390.
    // Load 80 vs CTL 40: ratio 2; x = 1.5·(1.5 − 2) = −0.75 → 65.3915.
    // No skin temperature: weights .30 + .20 + .25 + .15 = .90.
    // Recovery = (.30·94.7165 + .20·97.4327 + .25·59.5390 + .15·65.3915)/.90
    //          = (28.4149 + 19.4865 + 14.8848 + 9.8087)/.90 = 72.5950/.90 = 80.6611.
    let r = recovery_score(&full_day());
    assert!(close(score(&r), 80.6611), "{r:?}");
    let r = r.expect("recovery score");
    assert!(close(r.contributors[0].weight, 0.30 / 0.90));
    let shares: f64 = r.contributors.iter().map(|c| c.weight).sum();
    assert!(close(shares, 1.0));
    assert_eq!(
        r.contributors[0].detail,
        "HRV 55 ms, 10% above your 30-day average"
    );
    assert_eq!(
        r.note.as_deref(),
        Some(
            "No skin temperature data: recovery from HRV, resting heart rate, sleep and \
             training load."
        )
    );

    // Without HRV and load: resting HR (.20) and sleep (.25) only.
    // (.20·97.4327 + .25·59.5390)/.45 = (19.4865 + 14.8848)/.45 = 76.3806.
    let d = DayInputs {
        hrv_ms: None,
        yesterday_load: None,
        ..full_day()
    };
    let r = recovery_score(&d);
    assert!(close(score(&r), 76.3806), "{r:?}");
    assert_eq!(
        r.and_then(|r| r.note).as_deref(),
        Some(
            "No HRV, training load or skin temperature data: recovery from resting heart \
             rate and sleep."
        )
    );

    // HRV present but no baseline yet: said as such, not as "no data".
    let d = DayInputs {
        hrv_baseline: None,
        yesterday_load: None,
        ..full_day()
    };
    let note = recovery_score(&d).and_then(|r| r.note).unwrap_or_default();
    assert_eq!(
        note,
        "No training load or skin temperature data; HRV has no baseline yet (it takes about \
         two weeks): recovery from resting heart rate and sleep."
    );
}

#[test]
fn load_and_temperature_contributors() {
    // A rest day scores P(2.25) = 97.4327 even without a chronic load.
    let d = DayInputs {
        yesterday_load: Some(0.0),
        load_baseline: None,
        ..DayInputs::default()
    };
    assert!(close(score(&recovery_score(&d)), 97.4327));
    // A workout without a chronic load cannot be judged.
    let d = DayInputs {
        yesterday_load: Some(50.0),
        load_baseline: None,
        ..DayInputs::default()
    };
    assert_eq!(recovery_score(&d), None);
    // Skin temperature +0.5 °C: x = 5·(0.2 − 0.5) = −1.5 → 47.1604; −0.4 °C: x = 1 → 91.5776.
    let warm = DayInputs {
        skin_temp_delta: Some(0.5),
        ..DayInputs::default()
    };
    assert!(close(score(&recovery_score(&warm)), 47.1604));
    let cool = DayInputs {
        skin_temp_delta: Some(-0.4),
        ..DayInputs::default()
    };
    assert!(close(score(&recovery_score(&cool)), 91.5776));
}

#[test]
fn body_golden() {
    // Weight 76.5 vs 75: +2 %; x = 0.75·(2 − 2) = 0 → 80.
    // Body fat 22.5 vs 22.0: 0.5 points; x = 1.5·(1 − 0.5) = 0.75 → 89.4381.
    // Body = 0.6·80 + 0.4·89.4381 = 48 + 35.7752 = 83.7752.
    let b = body_score(&full_day());
    assert!(close(score(&b), 83.7752), "{b:?}");
    let detail = b
        .map(|b| b.contributors[0].detail.clone())
        .unwrap_or_default();
    assert_eq!(detail, "Weight 76.5 kg, 2.0% above your 30-day average");
    // No body data → no body score.
    assert_eq!(body_score(&DayInputs::default()), None);
}

#[test]
fn overall_golden() {
    // Sleep 69.1506, activity 80.0540, cardio 39.0031 (resting HR 58 day), recovery 80.6611
    // (resting HR 52 day) — combined by hand here, weights .25/.20/.15/.25/.15 (sum 1):
    // .25·69.1506 + .20·80.0540 + .15·39.0031 + .25·80.6611 + .15·83.7752
    // = 17.2877 + 16.0108 + 5.8505 + 20.1653 + 12.5663 = 71.8805 → grade B.
    let parts = [
        (Area::Sleep, 69.1506),
        (Area::Activity, 80.0540),
        (Area::Cardio, 39.0031),
        (Area::Recovery, 80.6611),
        (Area::Body, 83.7752),
    ];
    let o = overall(&parts);
    assert!(close(o.map_or(0.0, |o| o.score), 71.8805), "{o:?}");
    assert_eq!(o.map(|o| o.grade), Some(Grade::B));

    // Renormalised over sleep and activity: (.25·69.1506 + .20·80.0540)/.45 = 73.9966.
    let o = overall(&parts[..2]);
    assert!(close(o.map_or(0.0, |o| o.score), 73.9966), "{o:?}");

    // Too little data → no score: one sub-score; or no sleep and no recovery.
    assert_eq!(overall(&parts[..1]), None);
    assert_eq!(
        overall(&[(Area::Activity, 80.0), (Area::Cardio, 70.0)]),
        None
    );
    assert_eq!(overall(&[]), None);
}

#[test]
fn score_day_end_to_end() {
    // The full day (resting HR 52 for both cardio and recovery): cardio is
    // .6·P(2.25) + .2·P(0.75) + .2·P(−3) = 58.4596 + 17.8876 + 3.3215 = 79.6687, and the
    // overall .25·69.1506 + .20·80.0540 + .15·79.6687 + .25·80.6611 + .15·83.7752 = 77.9803.
    let day = score_day(&full_day());
    assert!(close(score(&day.cardio), 79.6687), "{:?}", day.cardio);
    let o = day.overall.expect("overall");
    assert!(close(o.score, 77.9803), "{o:?}");
    assert_eq!(o.grade, Grade::B);
    // Only steps: one sub-score, no overall.
    let steps_only = DayInputs {
        steps: Some(12_000.0),
        ..DayInputs::default()
    };
    let day = score_day(&steps_only);
    assert!(day.activity.is_some());
    assert_eq!(day.overall, None);
    // Nothing at all: nothing.
    let empty = score_day(&DayInputs::default());
    assert_eq!(empty.overall, None);
    assert!(empty.sleep.is_none() && empty.recovery.is_none() && empty.body.is_none());
}

#[test]
fn grades() {
    assert_eq!(Grade::of(85.0), Grade::A);
    assert_eq!(Grade::of(84.99), Grade::B);
    assert_eq!(Grade::of(55.0), Grade::C);
    assert_eq!(Grade::of(40.0), Grade::D);
    assert_eq!(Grade::of(39.9), Grade::E);
}
