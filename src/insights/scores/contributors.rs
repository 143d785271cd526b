//! The contributors of the daily scores. Each reads one input of a [`DayInputs`], compares it
//! with a target or with the person's baseline, and returns points on the [`points`] curve with
//! a sentence saying what it saw — or why it could not ([`Reading::NoData`],
//! [`Reading::NoBaseline`]).

use super::{
    points, Baseline, DayInputs, Reading, ACTIVE_MINUTES_TARGET, BASELINE_WINDOW_DAYS,
    DEFAULT_SLEEP_NEED_HOURS, SLEEP_EFFICIENCY_REFERENCE, SPO2_REFERENCE, STEPS_TARGET,
};
use crate::health::catalogue::format_number;
use crate::insights::load::MIN_CHRONIC_LOAD;

fn finite(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite())
}

/// "12% above your 30-day average", "3 bpm below …", or "level with …" when the difference
/// rounds to zero. `unit` carries its own leading space where one is wanted.
fn versus_usual(diff: f64, decimals: u8, unit: &str) -> String {
    let amount = format_number(diff.abs(), decimals);
    if amount == format_number(0.0, decimals) {
        return format!("level with your {BASELINE_WINDOW_DAYS}-day average");
    }
    let side = if diff > 0.0 { "above" } else { "below" };
    format!("{amount}{unit} {side} your {BASELINE_WINDOW_DAYS}-day average")
}

/// A value compared with its baseline on the z scale: x = 1.5·z, sign flipped when lower is
/// better, so one sd on the good side scores 94.7 and one on the bad side 47.2. The metrics
/// compared this way (HRV, heart and breathing rates) are positive, so a baseline mean that is
/// not counts as no baseline.
fn baseline_points(
    value: Option<f64>,
    baseline: Option<Baseline>,
    abs_floor: f64,
    lower_is_better: bool,
) -> Result<(f64, f64, Baseline), Reading> {
    let value = finite(value).ok_or(Reading::NoData)?;
    let base = baseline
        .filter(|b| b.mean > 0.0 && b.mean.is_finite() && b.sd.is_finite())
        .ok_or(Reading::NoBaseline)?;
    let z = base.z(value, abs_floor).ok_or(Reading::NoBaseline)?;
    let good = if lower_is_better { -z } else { z };
    Ok((points(1.5 * good), value, base))
}

/// Hours asleep against the need (set, or [`DEFAULT_SLEEP_NEED_HOURS`]): x = hours − need.
pub fn sleep_duration(d: &DayInputs) -> Reading {
    let Some(hours) = finite(d.sleep_hours).map(|h| h.max(0.0)) else {
        return Reading::NoData;
    };
    let set = finite(d.sleep_need_hours).filter(|n| *n > 0.0);
    let need = set.unwrap_or(DEFAULT_SLEEP_NEED_HOURS);
    // x = hours − need: each hour short moves one unit down the curve.
    let whose = if set.is_some() { "your" } else { "the default" };
    let detail = format!(
        "{} h asleep against {whose} need of {} h",
        format_number(hours, 1),
        format_number(need, 1)
    );
    Reading::Scored(points(hours - need), detail)
}

/// Sleep efficiency against 85 %: x = 0.2·(efficiency − 85).
pub fn sleep_efficiency(d: &DayInputs) -> Reading {
    let Some(eff) = finite(d.sleep_efficiency).map(|e| e.clamp(0.0, 100.0)) else {
        return Reading::NoData;
    };
    // x = 0.2·(eff − 85): 90 % → 91.6, 80 % → 59.5.
    let detail = format!(
        "Asleep {}% of the time in bed ({}% or more is good)",
        format_number(eff, 0),
        format_number(SLEEP_EFFICIENCY_REFERENCE, 0)
    );
    Reading::Scored(points(0.2 * (eff - SLEEP_EFFICIENCY_REFERENCE)), detail)
}

/// Steps against 10,000: x = 3·(steps/10,000 − 1).
pub fn steps(d: &DayInputs) -> Reading {
    let Some(steps) = finite(d.steps).map(|s| s.max(0.0)) else {
        return Reading::NoData;
    };
    // x = 3·(steps/10,000 − 1): 7,500 → 65.4, 15,000 → 94.7, none → 16.6.
    let detail = format!(
        "{} steps of a {} goal",
        format_number(steps, 0),
        format_number(STEPS_TARGET, 0)
    );
    Reading::Scored(points(3.0 * (steps / STEPS_TARGET - 1.0)), detail)
}

/// Active minutes against 30 a day: x = 3·(minutes/30 − 1).
pub fn active_minutes(d: &DayInputs) -> Reading {
    let Some(minutes) = finite(d.active_minutes).map(|m| m.max(0.0)) else {
        return Reading::NoData;
    };
    // x = 3·(minutes/30 − 1), as for steps.
    let detail = format!(
        "{} active minutes against {} a day (WHO: 150 a week)",
        format_number(minutes, 0),
        format_number(ACTIVE_MINUTES_TARGET, 0)
    );
    Reading::Scored(
        points(3.0 * (minutes / ACTIVE_MINUTES_TARGET - 1.0)),
        detail,
    )
}

/// HRV against its baseline, higher is better: x = 1.5·z (sd floor 2 ms).
pub fn hrv(d: &DayInputs) -> Reading {
    match baseline_points(d.hrv_ms, d.hrv_baseline, 2.0, false) {
        Ok((score, value, base)) => {
            let pct = 100.0 * (value - base.mean) / base.mean;
            let detail = format!(
                "HRV {} ms, {}",
                format_number(value, 0),
                versus_usual(pct, 0, "%")
            );
            Reading::Scored(score, detail)
        }
        Err(missing) => missing,
    }
}

/// Resting heart rate against its baseline, lower is better: x = −1.5·z (sd floor 1 bpm).
pub fn resting_hr(d: &DayInputs) -> Reading {
    match baseline_points(d.resting_hr, d.rhr_baseline, 1.0, true) {
        Ok((score, value, base)) => {
            let detail = format!(
                "Resting heart rate {} bpm, {}",
                format_number(value, 0),
                versus_usual(value - base.mean, 0, " bpm")
            );
            Reading::Scored(score, detail)
        }
        Err(missing) => missing,
    }
}

/// Respiratory rate against its baseline, lower is better: x = −1.5·z (sd floor
/// 0.3 brpm).
pub fn respiratory_rate(d: &DayInputs) -> Reading {
    match baseline_points(d.respiratory_rate, d.resp_baseline, 0.3, true) {
        Ok((score, value, base)) => {
            let detail = format!(
                "Respiratory rate {} brpm, {}",
                format_number(value, 1),
                versus_usual(value - base.mean, 1, " brpm")
            );
            Reading::Scored(score, detail)
        }
        Err(missing) => missing,
    }
}

/// Overnight SpO₂ against 95 %: x = 0.75·(SpO₂ − 95).
pub fn spo2(d: &DayInputs) -> Reading {
    let Some(spo2) = finite(d.spo2).map(|s| s.clamp(0.0, 100.0)) else {
        return Reading::NoData;
    };
    // x = 0.75·(SpO₂ − 95): 97 % → 94.7, 93 % → 47.2, 90 % → 8.6.
    let detail = format!("SpO₂ {}% overnight", format_number(spo2, 0));
    Reading::Scored(points(0.75 * (spo2 - SPO2_REFERENCE)), detail)
}

/// Yesterday's training load against the chronic load (CTL, at least
/// [`MIN_CHRONIC_LOAD`]): x = 1.5·(1.5 − load/CTL). A rest day needs no CTL.
pub fn yesterday_load(d: &DayInputs) -> Reading {
    let Some(load) = finite(d.yesterday_load).map(|l| l.max(0.0)) else {
        return Reading::NoData;
    };
    if load <= 0.0 {
        // A rest day scores as ratio 0 whatever the chronic load: x = 2.25 → 97.4.
        return Reading::Scored(points(2.25), "Rest day yesterday".to_string());
    }
    let Some(chronic) = finite(d.load_baseline) else {
        return Reading::NoBaseline;
    };
    // ratio = load / max(CTL, 10); x = 1.5·(1.5 − ratio): a usual day (1×) → 89.4,
    // 1.5× → 80, 2× → 65.4, 3× → 29.6.
    let ratio = load / chronic.max(MIN_CHRONIC_LOAD);
    let detail = format!(
        "Training load {} yesterday, {}× your usual daily load",
        format_number(load, 0),
        format_number(ratio, 1)
    );
    Reading::Scored(points(1.5 * (1.5 - ratio)), detail)
}

/// Skin temperature deviation: x = 5·(0.2 − max(Δ, 0)); only warmer than usual counts.
pub fn skin_temperature(d: &DayInputs) -> Reading {
    let Some(delta) = finite(d.skin_temp_delta) else {
        return Reading::NoData;
    };
    // x = 5·(0.2 − max(Δ, 0)): only warmer than usual counts against (a cold bedroom lowers
    // skin temperature harmlessly). Δ ≤ 0 → 91.6; +0.2 °C → 80; +0.5 °C → 47.2; +1 °C → 6.8.
    let sign = if delta >= 0.0 { "+" } else { "−" };
    let detail = format!(
        "Skin temperature {sign}{} °C from your usual",
        format_number(delta.abs(), 1)
    );
    Reading::Scored(points(5.0 * (0.2 - delta.max(0.0))), detail)
}

/// Weight steadiness against its 30-day mean: x = 0.75·(2 − |Δ%|).
pub fn weight(d: &DayInputs) -> Reading {
    let Some(w) = finite(d.weight_kg) else {
        return Reading::NoData;
    };
    let Some(base) = finite(d.weight_baseline_kg).filter(|b| *b > 0.0) else {
        return Reading::NoBaseline;
    };
    // Δ% = 100·(w − mean)/mean; x = 0.75·(2 − |Δ%|): steady → 94.7, 2 % off → 80, 4 % → 47.2.
    let pct = 100.0 * (w - base) / base;
    let detail = format!(
        "Weight {} kg, {}",
        format_number(w, 1),
        versus_usual(pct, 1, "%")
    );
    Reading::Scored(points(0.75 * (2.0 - pct.abs())), detail)
}

/// Body-fat steadiness against its 30-day mean: x = 1.5·(1 − |Δ points|).
pub fn body_fat(d: &DayInputs) -> Reading {
    let Some(fat) = finite(d.body_fat_pct) else {
        return Reading::NoData;
    };
    let Some(base) = finite(d.body_fat_baseline_pct) else {
        return Reading::NoBaseline;
    };
    // Δ in percentage points; x = 1.5·(1 − |Δ|): steady → 94.7, 1 point off → 80.
    let diff = fat - base;
    let detail = format!(
        "Body fat {}%, {}",
        format_number(fat, 1),
        versus_usual(diff, 1, " points")
    );
    Reading::Scored(points(1.5 * (1.0 - diff.abs())), detail)
}
