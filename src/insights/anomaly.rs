//! Anomalies: a day's figure that is unusual for this person (a robust z-score against their
//! own baseline median and MAD) or outside a simple physiological limit, grouped into episodes
//! of consecutive days so that one stretch of unusual days is one alert. The wording is
//! informational and never diagnostic.

use chrono::NaiveDate;
use serde::Serialize;

use super::stats::{mad_floor, robust_z, MAD_Z_FACTOR};
use crate::health::catalogue::{canonical_id, format_number};

/// Days of history a baseline needs before any z-score based finding (Oura and WHOOP also take
/// about two weeks to calibrate). Physiological limits apply from the first day.
pub const MIN_BASELINE_DAYS: usize = 14;
/// Robust z (towards the side of concern) from which a day is noted as [`Severity::Info`]:
/// further out than about 97.7 % of usual days on that side. Info alone never raises an alert;
/// three in a row do.
pub const INFO_Z: f64 = 2.0;
/// Robust z from which a day is a [`Severity::Warning`]: Iglewicz & Hoaglin's (1993) cut-off
/// for outliers on the modified z-score. Under a normal distribution one day in about 4,300 on
/// one side goes this far.
pub const WARNING_Z: f64 = 3.5;
/// Robust z from which a day is [`Severity::Critical`] (about one day in 3.5 million under a
/// normal distribution: a change this size is rarely noise).
pub const CRITICAL_Z: f64 = 5.0;
/// Consecutive days with a finding after which an episode is at least a warning even when each
/// day was only Info. Three days beyond z = 2 in a row happen by chance about once in
/// 85,000 days if days were independent; a sustained shift (HRV down 40 % for four days) is
/// caught even when no single day is extreme.
pub const SUSTAINED_DAYS: usize = 3;
/// Said once at the end of every description.
pub const DISCLAIMER: &str = "This is not a diagnosis; if you feel unwell, talk to a clinician.";

/// Which way a figure moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    High,
    Low,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::High => "high",
            Direction::Low => "low",
        }
    }

    /// +1 for high, −1 for low: multiplies a z-score so the side of concern is positive.
    pub fn sign(self) -> f64 {
        match self {
            Direction::High => 1.0,
            Direction::Low => -1.0,
        }
    }
}

/// How unusual a finding is, in increasing order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    /// The severity of a robust z measured towards the side of concern.
    pub fn from_z(z: f64) -> Option<Severity> {
        if z >= CRITICAL_Z {
            Some(Severity::Critical)
        } else if z >= WARNING_Z {
            Some(Severity::Warning)
        } else if z >= INFO_Z {
            Some(Severity::Info)
        } else {
            None
        }
    }
}

/// A physiological limit, independent of the person's baseline, on the side of concern.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limit {
    /// Beyond this value (strictly) the day is at least a warning.
    pub warning: f64,
    /// Beyond this value (strictly) it is critical.
    pub critical: Option<f64>,
    /// Completes "That is …" in the description.
    pub explanation: &'static str,
}

impl Limit {
    fn severity(&self, value: f64, concern: Direction) -> Option<Severity> {
        let beyond = |limit: f64| (value - limit) * concern.sign() > 0.0;
        if self.critical.is_some_and(beyond) {
            Some(Severity::Critical)
        } else if beyond(self.warning) {
            Some(Severity::Warning)
        } else {
            None
        }
    }
}

/// How one metric is watched.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MetricRule {
    /// The metric id (as in the health catalogue).
    pub key: &'static str,
    pub label: &'static str,
    /// Lower-case form for mid-sentence use, where the label is not an abbreviation.
    pub noun: &'static str,
    /// Appended to numbers, with its leading space where one is wanted.
    pub unit: &'static str,
    pub decimals: u8,
    /// The side on which a change is worth mentioning.
    pub concern: Direction,
    /// MAD floor: fraction of the median (as sd) and absolute amount, see `stats::mad_floor`.
    pub floor_fraction: f64,
    pub floor_absolute: f64,
    pub limit: Option<Limit>,
    /// "higher"/"lower", or e.g. "longer"/"shorter" for sleep.
    pub higher: &'static str,
    pub lower: &'static str,
}

/// Builds a rule: `names` is (label, noun), `format` is (unit, decimals), `floor` is (fraction,
/// absolute).
const fn rule(
    key: &'static str,
    names: (&'static str, &'static str),
    format: (&'static str, u8),
    concern: Direction,
    floor: (f64, f64),
    limit: Option<Limit>,
) -> MetricRule {
    MetricRule {
        key,
        label: names.0,
        noun: names.1,
        unit: format.0,
        decimals: format.1,
        concern,
        floor_fraction: floor.0,
        floor_absolute: floor.1,
        limit,
        higher: "higher",
        lower: "lower",
    }
}

/// The watched metrics. Limits: resting heart rate above 100 bpm (the usual definition of
/// tachycardia at rest); SpO₂ below 90 %, critical below 88 %, judged on the night's mean so a
/// single dip does not count; respiratory rate above 25 breaths a minute. SpO₂'s MAD floor is one
/// percentage point, the resolution devices report it in: with whole-percent readings a median
/// between two values gives a MAD of 0.5, which would make an ordinary 94 % night look rare.
#[rustfmt::skip]
pub const RULES: &[MetricRule] = &[
    rule("resting_heart_rate", ("Resting heart rate", "resting heart rate"), (" bpm", 0),
        Direction::High, (0.02, 1.0), Some(Limit { warning: 100.0, critical: None,
        explanation: "above 100 bpm, the usual upper limit of a resting heart rate in adults" })),
    rule("heart_rate_variability", ("HRV", "HRV"), (" ms", 0), Direction::Low, (0.05, 2.0),
        None),
    rule("spo2", ("SpO₂", "SpO₂"), ("%", 0), Direction::Low, (0.0, 1.0), Some(Limit {
        warning: 90.0, critical: Some(88.0),
        explanation: "below 90%, under the range usual for healthy adults" })),
    rule("respiratory_rate", ("Respiratory rate", "respiratory rate"), (" brpm", 1),
        Direction::High, (0.02, 0.3), Some(Limit { warning: 25.0, critical: None,
        explanation: "above 25 breaths a minute, well over the usual resting range of 12–20" })),
    rule("temperature", ("Temperature", "temperature"), (" °C", 1), Direction::High,
        (0.0, 0.1), None),
    rule("skin_temperature", ("Skin temperature", "skin temperature"), (" °C", 1),
        Direction::High, (0.0, 0.1), None),
    MetricRule { higher: "longer", lower: "shorter",
        ..rule("sleep", ("Sleep", "sleep"), (" h", 1), Direction::Low, (0.05, 0.25), None) },
];

/// The rule for a metric id (aliases such as `blood_oxygen` included), if it is watched.
pub fn rule_for(metric: &str) -> Option<&'static MetricRule> {
    let id = canonical_id(metric);
    RULES.iter().find(|r| r.key == id)
}

/// One unusual day.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub metric: &'static str,
    pub direction: Direction,
    pub severity: Severity,
    /// The day's figure.
    pub value: f64,
    /// The baseline median compared with, when the baseline was long enough.
    pub usual: Option<f64>,
    /// The robust z (signed: positive above the median), when the baseline was long enough.
    pub z: Option<f64>,
    /// Whether the figure was beyond the metric's physiological limit.
    pub beyond_limit: bool,
}

impl Finding {
    /// Ordering key for the peak of an episode: severity, then z towards the side of concern,
    /// then the value towards the side of concern.
    fn rank(&self) -> (Severity, f64, f64) {
        let sign = self.direction.sign();
        let z = self.z.map_or(f64::NEG_INFINITY, |z| z * sign);
        (self.severity, z, self.value * sign)
    }

    fn outranks(&self, other: &Finding) -> bool {
        self.rank() > other.rank()
    }
}

/// Checks one day's figure of `metric` (for SpO₂ the night's mean, so the limit means a
/// sustained low, not a single reading) against the person's baseline — `median` and raw `mad`
/// of the last `n` days — and against the metric's physiological limit. The z-score is only
/// used from [`MIN_BASELINE_DAYS`] days of baseline on, and only on the side of concern (a
/// low resting heart rate is not flagged). `None` when nothing is unusual or the metric is not
/// watched.
pub fn check(metric: &str, value: f64, median: f64, mad: f64, n: usize) -> Option<Finding> {
    let watch = rule_for(metric)?;
    if !value.is_finite() {
        return None;
    }
    let z = if n >= MIN_BASELINE_DAYS && mad.is_finite() {
        let floor = mad_floor(median, watch.floor_fraction, watch.floor_absolute);
        robust_z(value, median, mad, floor)
    } else {
        None
    };
    let by_z = z.and_then(|z| Severity::from_z(z * watch.concern.sign()));
    let by_limit = watch.limit.and_then(|l| l.severity(value, watch.concern));
    let severity = by_z.max(by_limit)?;
    Some(Finding {
        metric: watch.key,
        direction: watch.concern,
        severity,
        value,
        usual: z.map(|_| median),
        z,
        beyond_limit: by_limit.is_some(),
    })
}

/// A run of consecutive days with findings on the same metric and side.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Episode {
    pub metric: &'static str,
    pub direction: Direction,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Days with a finding (= end − start + 1, since only consecutive days join).
    pub days: usize,
    /// The peak day's severity, raised to at least Warning when sustained.
    pub severity: Severity,
    /// At least [`SUSTAINED_DAYS`] days long.
    pub sustained: bool,
    pub peak_date: NaiveDate,
    pub peak: Finding,
}

impl Episode {
    /// Whether the episode deserves an alert: Warning or Critical. Info-only episodes are kept
    /// as context, not raised.
    pub fn is_alert(&self) -> bool {
        self.severity >= Severity::Warning
    }

    /// Whether this episode and a stored alert covering `start..=end` are the same stretch.
    /// Storage matches alerts by metric, direction and overlap rather than by exact dates, so
    /// an episode that continues (or gains an earlier day from late data) updates its alert
    /// instead of raising a second one.
    pub fn overlaps(&self, start: NaiveDate, end: NaiveDate) -> bool {
        self.start <= end && start <= self.end
    }

    fn extend(&mut self, date: NaiveDate, finding: Finding) {
        if date > self.end {
            self.end = date;
            self.days += 1;
        }
        if finding.outranks(&self.peak) {
            self.peak = finding;
            self.peak_date = date;
        }
    }

    fn finish(mut self) -> Episode {
        self.sustained = self.days >= SUSTAINED_DAYS;
        self.severity = if self.sustained {
            self.peak.severity.max(Severity::Warning)
        } else {
            self.peak.severity
        };
        self
    }
}

/// Groups one metric's days into episodes: a finding joins the current episode when it is on
/// the same metric and side and falls on the day after the episode's last day; a day without
/// a finding, or a day without data, ends it (consecutive days only, no tolerated gaps). The
/// result depends only on the input, so re-running detection over the same days gives the
/// same episodes, and a continuing episode keeps its start and grows its end.
pub fn episodes(days: &[(NaiveDate, Option<Finding>)]) -> Vec<Episode> {
    let mut found: Vec<(NaiveDate, Finding)> = days
        .iter()
        .filter_map(|(d, f)| f.map(|f| (*d, f)))
        .collect();
    found.sort_by_key(|(d, _)| *d);
    let mut out = Vec::new();
    let mut current: Option<Episode> = None;
    for (date, finding) in found {
        if let Some(ep) = current.as_mut() {
            let same = ep.metric == finding.metric && ep.direction == finding.direction;
            let next = ep.end.succ_opt() == Some(date) || ep.end == date;
            if same && next {
                ep.extend(date, finding);
                continue;
            }
        }
        if let Some(ep) = current.take() {
            out.push(ep.finish());
        }
        current = Some(Episode {
            metric: finding.metric,
            direction: finding.direction,
            start: date,
            end: date,
            days: 1,
            severity: finding.severity,
            sustained: false,
            peak_date: date,
            peak: finding,
        });
    }
    out.extend(current.map(Episode::finish));
    out
}

/// "Resting heart rate higher than usual".
pub fn title(metric_label: &str, direction: Direction) -> String {
    let word = match direction {
        Direction::High => "higher",
        Direction::Low => "lower",
    };
    format!("{metric_label} {word} than usual")
}

/// The title with the metric's own words ("Sleep shorter than usual").
pub fn episode_title(ep: &Episode) -> String {
    match rule_for(ep.metric) {
        Some(r) => {
            let word = match ep.direction {
                Direction::High => r.higher,
                Direction::Low => r.lower,
            };
            format!("{} {word} than usual", r.label)
        }
        None => title(ep.metric, ep.direction),
    }
}

/// A plain description with the numbers, e.g. "Resting heart rate was higher than usual for
/// 3 days (3 Mar to 5 Mar), at its highest 67 bpm on 4 Mar vs your usual 55 bpm (middle half
/// 53–57)." followed by the limit sentence when one was crossed and the [`DISCLAIMER`].
/// `middle_half` is the baseline's 25th and 75th percentiles, when known.
pub fn description(ep: &Episode, middle_half: Option<(f64, f64)>) -> String {
    let (noun, unit, decimals, higher, lower) = match rule_for(ep.metric) {
        Some(r) => (r.noun, r.unit, r.decimals, r.higher, r.lower),
        None => (ep.metric, "", 1, "higher", "lower"),
    };
    let num = |v: f64| format_number(v, decimals);
    let day = |d: NaiveDate| d.format("%-d %b").to_string();
    let value = format!("{}{unit}", num(ep.peak.value));
    let mut text = if ep.days > 1 {
        let (word, extreme) = match ep.direction {
            Direction::High => (higher, "highest"),
            Direction::Low => (lower, "lowest"),
        };
        format!(
            "{} was {word} than usual for {} days ({} to {}), at its {extreme} {value} on {}",
            super::capitalise(noun),
            ep.days,
            day(ep.start),
            day(ep.end),
            day(ep.peak_date)
        )
    } else {
        format!(
            "{} was {value} on {}",
            super::capitalise(noun),
            day(ep.peak_date)
        )
    };
    if let Some(usual) = ep.peak.usual {
        text.push_str(&format!(" vs your usual {}{unit}", num(usual)));
        if let Some((p25, p75)) = middle_half {
            text.push_str(&format!(" (middle half {}–{})", num(p25), num(p75)));
        }
    }
    text.push('.');
    let limit = rule_for(ep.metric).and_then(|r| r.limit);
    if let Some(limit) = limit.filter(|_| ep.peak.beyond_limit) {
        text.push_str(&format!(" That is {}.", limit.explanation));
    }
    text.push(' ');
    text.push_str(DISCLAIMER);
    text
}

/// The typical spread implied by a raw MAD, as a normal-equivalent sd (MAD/0.6745): useful for
/// showing "usually within ±x".
pub fn mad_as_sd(mad: f64) -> f64 {
    mad / MAD_Z_FACTOR
}

#[cfg(test)]
mod tests;
