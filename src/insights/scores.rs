//! Daily scores (0–100): sleep, activity, cardio, recovery and body sub-scores and an overall
//! score with a grade. Each is computed only from the data the person has and lists the
//! contributors it used, in the manner of Oura's readiness contributors; what is missing is
//! said in a note rather than filled in. A day with too little data gets no overall score.
//!
//! Every contributor maps a comparison to points with one smooth, monotone curve,
//! [`points`]: on target (or at the personal baseline) scores 80, better approaches 100,
//! worse falls towards 0 — no bands, so no cliffs between neighbouring values.

use serde::Serialize;

pub mod contributors;

use contributors::{
    active_minutes, body_fat, hrv, respiratory_rate, resting_hr, skin_temperature, sleep_duration,
    sleep_efficiency, spo2, steps, weight, yesterday_load,
};

/// Sleep need when the person has not set one: the middle of the 7–9 h the American Academy
/// of Sleep Medicine recommends for adults.
pub const DEFAULT_SLEEP_NEED_HOURS: f64 = 8.0;
/// Daily step goal (the common 10,000 goal; the contributor is a smooth curve, not a pass mark).
pub const STEPS_TARGET: f64 = 10_000.0;
/// Daily active minutes: the WHO's 150 minutes of moderate activity a week as 30 minutes on
/// five days (WHO Guidelines on physical activity, 2020).
pub const ACTIVE_MINUTES_TARGET: f64 = 30.0;
/// Sleep efficiency (time asleep / time in bed, percent) commonly taken as good sleep.
pub const SLEEP_EFFICIENCY_REFERENCE: f64 = 85.0;
/// SpO₂ (percent) at the lower end of the normal range at sea level.
pub const SPO2_REFERENCE: f64 = 95.0;
/// The window, in days, of the baselines the caller passes in (used in the wording).
pub const BASELINE_WINDOW_DAYS: u32 = 30;
/// A baseline's sd is never taken below this fraction of its mean, so a very steady history
/// does not turn a small change into a large z-score.
pub const RELATIVE_SD_FLOOR: f64 = 0.03;

/// The points curve: 100 / (1 + 0.25·e^(−x)), where x measures how much better than the
/// reference the value is, in the contributor's own scale. x = 0 → 80; x = 1 → 91.6;
/// x = 1.5 → 94.7; x = −1 → 59.5; x = −1.5 → 47.2; x = −3 → 16.6. Logistic, so smooth and
/// strictly increasing.
pub fn points(x: f64) -> f64 {
    100.0 / (1.0 + 0.25 * (-x).exp())
}

/// A personal baseline: the mean and sample sd of the last [`BASELINE_WINDOW_DAYS`] days.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Baseline {
    pub mean: f64,
    pub sd: f64,
}

impl Baseline {
    /// (value − mean)/sd with the sd floored at max(sd, 3 % of |mean|, `abs_floor`).
    /// `None` when an input is not finite or the floored sd is not positive.
    pub fn z(&self, value: f64, abs_floor: f64) -> Option<f64> {
        let sd = self
            .sd
            .max(RELATIVE_SD_FLOOR * self.mean.abs())
            .max(abs_floor);
        let z = (value - self.mean) / sd;
        (sd > 0.0 && z.is_finite()).then_some(z)
    }
}

/// One day's inputs. Every field is optional; a missing or non-finite field is simply absent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DayInputs {
    /// Hours asleep in the night that ended this day.
    pub sleep_hours: Option<f64>,
    /// The person's sleep need; [`DEFAULT_SLEEP_NEED_HOURS`] when unset.
    pub sleep_need_hours: Option<f64>,
    /// Sleep efficiency, percent (0–100).
    pub sleep_efficiency: Option<f64>,
    /// Overnight HRV (ms) and its baseline.
    pub hrv_ms: Option<f64>,
    pub hrv_baseline: Option<Baseline>,
    /// Resting heart rate (bpm) and its baseline.
    pub resting_hr: Option<f64>,
    pub rhr_baseline: Option<Baseline>,
    pub steps: Option<f64>,
    pub active_minutes: Option<f64>,
    /// Yesterday's training load and the chronic load (CTL) before it, from `load`. Pass the
    /// CTL only once the load history covers about four weeks.
    pub yesterday_load: Option<f64>,
    pub load_baseline: Option<f64>,
    /// SpO₂, percent (the night's mean).
    pub spo2: Option<f64>,
    /// Respiratory rate (breaths per minute) and its baseline.
    pub respiratory_rate: Option<f64>,
    pub resp_baseline: Option<Baseline>,
    /// Skin temperature deviation from the person's own baseline, °C (as wearables report it).
    pub skin_temp_delta: Option<f64>,
    /// Weight (kg) and its 30-day mean.
    pub weight_kg: Option<f64>,
    pub weight_baseline_kg: Option<f64>,
    /// Body fat (percent) and its 30-day mean.
    pub body_fat_pct: Option<f64>,
    pub body_fat_baseline_pct: Option<f64>,
}

/// One contributor to a sub-score, as shown in a contributor bar.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contributor {
    pub key: &'static str,
    pub label: String,
    /// 0–100.
    pub score: f64,
    /// Its share of the sub-score after renormalising over the contributors present (the
    /// shares of one sub-score sum to 1).
    pub weight: f64,
    /// A plain sentence with the numbers, e.g. "HRV 48 ms, 12% above your 30-day average".
    pub detail: String,
}

/// A sub-score with the contributors it used and, when some were missing, a note saying so.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SubScore {
    pub score: f64,
    pub contributors: Vec<Contributor>,
    pub note: Option<String>,
}

/// Letter grade of the overall score: A ≥ 85, B ≥ 70, C ≥ 55, D ≥ 40, else E. Five even
/// 15-point bands from Oura's "optimal" line at 85; E rather than F because a health score is
/// not an exam to fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Grade {
    A,
    B,
    C,
    D,
    E,
}

impl Grade {
    pub fn of(score: f64) -> Grade {
        match score {
            s if s >= 85.0 => Grade::A,
            s if s >= 70.0 => Grade::B,
            s if s >= 55.0 => Grade::C,
            s if s >= 40.0 => Grade::D,
            _ => Grade::E,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::E => "E",
        }
    }
}

/// The overall score and its grade.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Overall {
    pub score: f64,
    pub grade: Grade,
}

/// The five sub-scores of the overall score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    Sleep,
    Activity,
    Cardio,
    Recovery,
    Body,
}

impl Area {
    /// Weight in the overall score before renormalising: sleep .25, activity .20, cardio .15,
    /// recovery .25, body .15.
    pub fn weight(self) -> f64 {
        match self {
            Area::Sleep => 0.25,
            Area::Activity => 0.20,
            Area::Cardio => 0.15,
            Area::Recovery => 0.25,
            Area::Body => 0.15,
        }
    }

    /// The word used in notes ("recovery from resting heart rate and sleep").
    pub fn noun(self) -> &'static str {
        match self {
            Area::Sleep => "sleep",
            Area::Activity => "activity",
            Area::Cardio => "cardio",
            Area::Recovery => "recovery",
            Area::Body => "body",
        }
    }
}

/// The weighted mean of the sub-scores present, weights renormalised over them. `None` — no
/// score — when fewer than two sub-scores exist or neither sleep nor recovery does: a day with
/// too little data has no score rather than a made-up one.
pub fn overall(parts: &[(Area, f64)]) -> Option<Overall> {
    let parts: Vec<(Area, f64)> = parts.iter().copied().filter(|p| p.1.is_finite()).collect();
    let anchored = parts
        .iter()
        .any(|(a, _)| matches!(a, Area::Sleep | Area::Recovery));
    if parts.len() < 2 || !anchored {
        return None;
    }
    let total: f64 = parts.iter().map(|(a, _)| a.weight()).sum();
    let score = parts.iter().map(|(a, s)| a.weight() * s).sum::<f64>() / total;
    Some(Overall {
        score,
        grade: Grade::of(score),
    })
}

/// Every score of one day.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DayScores {
    pub overall: Option<Overall>,
    pub sleep: Option<SubScore>,
    pub activity: Option<SubScore>,
    pub cardio: Option<SubScore>,
    pub recovery: Option<SubScore>,
    pub body: Option<SubScore>,
}

/// All scores for a day.
pub fn score_day(d: &DayInputs) -> DayScores {
    let sleep = sleep_score(d);
    let activity = activity_score(d);
    let cardio = cardio_score(d);
    let recovery = recovery_score(d);
    let body = body_score(d);
    let parts: Vec<(Area, f64)> = [
        (Area::Sleep, &sleep),
        (Area::Activity, &activity),
        (Area::Cardio, &cardio),
        (Area::Recovery, &recovery),
        (Area::Body, &body),
    ]
    .into_iter()
    .filter_map(|(area, s)| s.as_ref().map(|s| (area, s.score)))
    .collect();
    DayScores {
        overall: overall(&parts),
        sleep,
        activity,
        cardio,
        recovery,
        body,
    }
}

/// Sleep: duration against need (weight .7) and efficiency (.3).
pub fn sleep_score(d: &DayInputs) -> Option<SubScore> {
    assemble(
        Area::Sleep,
        vec![
            (SLEEP_DURATION, sleep_duration(d)),
            (SLEEP_EFFICIENCY, sleep_efficiency(d)),
        ],
    )
}

/// Activity: steps against 10,000 (.5) and active minutes against 30 a day (.5).
pub fn activity_score(d: &DayInputs) -> Option<SubScore> {
    assemble(
        Area::Activity,
        vec![(STEPS, steps(d)), (ACTIVE_MINUTES, active_minutes(d))],
    )
}

/// Cardio: resting heart rate against baseline (.6), SpO₂ (.2), respiratory rate against
/// baseline (.2).
pub fn cardio_score(d: &DayInputs) -> Option<SubScore> {
    assemble(
        Area::Cardio,
        vec![
            (RESTING_HR, resting_hr(d)),
            (SPO2, spo2(d)),
            (RESPIRATORY_RATE, respiratory_rate(d)),
        ],
    )
}

/// Recovery (readiness), Oura-style: HRV against baseline (.30), resting heart rate against
/// baseline (.20), sleep against need (.25), yesterday's load against chronic load (.15) and
/// skin temperature (.10).
pub fn recovery_score(d: &DayInputs) -> Option<SubScore> {
    assemble(
        Area::Recovery,
        vec![
            (HRV, hrv(d)),
            (RESTING_HR_RECOVERY, resting_hr(d)),
            (SLEEP_RECOVERY, sleep_duration(d)),
            (LOAD, yesterday_load(d)),
            (SKIN_TEMPERATURE, skin_temperature(d)),
        ],
    )
}

/// Body: steadiness of weight (.6) and body fat (.4) against their 30-day means. VitaSync does
/// not know whether the person wants to gain, lose or hold, so it scores steadiness, not
/// direction. `None` without body data.
pub fn body_score(d: &DayInputs) -> Option<SubScore> {
    assemble(
        Area::Body,
        vec![(WEIGHT, weight(d)), (BODY_FAT, body_fat(d))],
    )
}

/// What a contributor found for the day.
#[derive(Clone, Debug, PartialEq)]
pub enum Reading {
    /// Points 0–100 and the detail sentence.
    Scored(f64, String),
    /// No data for the day.
    NoData,
    /// Data, but no baseline to compare it with yet.
    NoBaseline,
}

/// A contributor's identity and weight within its sub-score.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slot {
    pub key: &'static str,
    pub label: &'static str,
    /// Lower-case name used in notes.
    pub noun: &'static str,
    pub weight: f64,
}

const fn slot(key: &'static str, label: &'static str, noun: &'static str, weight: f64) -> Slot {
    Slot {
        key,
        label,
        noun,
        weight,
    }
}

pub const SLEEP_DURATION: Slot = slot("sleep_duration", "Sleep duration", "sleep duration", 0.7);
pub const SLEEP_EFFICIENCY: Slot = slot(
    "sleep_efficiency",
    "Sleep efficiency",
    "sleep efficiency",
    0.3,
);
pub const STEPS: Slot = slot("steps", "Steps", "steps", 0.5);
pub const ACTIVE_MINUTES: Slot = slot("active_minutes", "Active minutes", "active minutes", 0.5);
pub const RESTING_HR: Slot = slot(
    "resting_hr",
    "Resting heart rate",
    "resting heart rate",
    0.6,
);
pub const SPO2: Slot = slot("spo2", "SpO₂", "SpO₂", 0.2);
pub const RESPIRATORY_RATE: Slot = slot(
    "respiratory_rate",
    "Respiratory rate",
    "respiratory rate",
    0.2,
);
pub const HRV: Slot = slot("hrv", "HRV", "HRV", 0.30);
pub const RESTING_HR_RECOVERY: Slot = slot(
    "resting_hr",
    "Resting heart rate",
    "resting heart rate",
    0.20,
);
pub const SLEEP_RECOVERY: Slot = slot("sleep", "Sleep", "sleep", 0.25);
pub const LOAD: Slot = slot(
    "previous_day_load",
    "Previous day's load",
    "training load",
    0.15,
);
pub const SKIN_TEMPERATURE: Slot = slot(
    "skin_temperature",
    "Skin temperature",
    "skin temperature",
    0.10,
);
pub const WEIGHT: Slot = slot("weight", "Weight", "weight", 0.6);
pub const BODY_FAT: Slot = slot("body_fat", "Body fat", "body fat", 0.4);

/// Builds a sub-score from its contributors: weights renormalised over those present, and a
/// note naming what was missing. `None` when nothing could be scored.
pub fn assemble(area: Area, readings: Vec<(Slot, Reading)>) -> Option<SubScore> {
    let mut present: Vec<(Slot, f64, String)> = Vec::new();
    let mut no_data: Vec<&'static str> = Vec::new();
    let mut no_baseline: Vec<&'static str> = Vec::new();
    for (slot, reading) in readings {
        match reading {
            Reading::Scored(score, detail) if score.is_finite() => {
                present.push((slot, score, detail))
            }
            Reading::NoBaseline => no_baseline.push(slot.noun),
            _ => no_data.push(slot.noun),
        }
    }
    let total: f64 = present.iter().map(|(s, _, _)| s.weight).sum();
    if present.is_empty() || total <= 0.0 {
        return None;
    }
    let score = present.iter().map(|(s, p, _)| s.weight * p).sum::<f64>() / total;
    let used: Vec<&str> = present.iter().map(|(s, _, _)| s.noun).collect();
    let contributors = present
        .into_iter()
        .map(|(slot, score, detail)| Contributor {
            key: slot.key,
            label: slot.label.to_string(),
            score,
            weight: slot.weight / total,
            detail,
        })
        .collect();
    Some(SubScore {
        score,
        contributors,
        note: missing_note(area, &no_data, &no_baseline, &used),
    })
}

/// "No HRV or skin temperature data: recovery from resting heart rate and sleep."
fn missing_note(
    area: Area,
    no_data: &[&str],
    no_baseline: &[&str],
    used: &[&str],
) -> Option<String> {
    let mut reasons = Vec::new();
    if !no_data.is_empty() {
        reasons.push(format!("No {} data", join(no_data, "or")));
    }
    if !no_baseline.is_empty() {
        let verb = if no_baseline.len() == 1 {
            "has"
        } else {
            "have"
        };
        let names = super::capitalise(&join(no_baseline, "and"));
        reasons.push(format!(
            "{names} {verb} no baseline yet (it takes about two weeks)"
        ));
    }
    if reasons.is_empty() {
        return None;
    }
    Some(format!(
        "{}: {} from {}.",
        reasons.join("; "),
        area.noun(),
        join(used, "and")
    ))
}

/// "a", "a and b", "a, b and c".
fn join(items: &[&str], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., tail] => format!("{} {last} {tail}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests;
