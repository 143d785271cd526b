//! The metric catalogue: every metric type of the data model with its canonical unit, category,
//! kind (a plain number, or one of the structured JSON shapes) and how readings of one day
//! combine into that day's figure. Ingest rejects anything not listed here.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Category {
    Activity,
    Cardiovascular,
    Sleep,
    Body,
    Recovery,
    Breathing,
    Workouts,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Activity,
        Category::Cardiovascular,
        Category::Sleep,
        Category::Body,
        Category::Recovery,
        Category::Breathing,
        Category::Workouts,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Category::Activity => "Activity",
            Category::Cardiovascular => "Heart",
            Category::Sleep => "Sleep",
            Category::Body => "Body",
            Category::Recovery => "Recovery",
            Category::Breathing => "Breathing",
            Category::Workouts => "Workouts",
        }
    }

    /// The colour family (CSS) shared by every tile and chart of this category.
    pub fn family(self) -> &'static str {
        match self {
            Category::Activity | Category::Workouts => "activity",
            Category::Cardiovascular => "heart",
            Category::Sleep => "sleep",
            Category::Body => "body",
            Category::Recovery | Category::Breathing => "recovery",
        }
    }
}

/// What a point carries: a number in `value`, or a JSON object of a known shape in `data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Scalar,
    /// `{stages:{deep,light,rem,awake} (minutes), efficiency, startTime, endTime, score}`
    Sleep,
    /// `{systolic, diastolic, pulse}`
    BloodPressure,
    /// `{status: poor|balanced|good|optimal}`
    HrvStatus,
    /// The workout event shape (`sport`, `durationSeconds`, laps, zones …).
    Workout,
}

/// How the readings of one day become the day's figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Aggregation {
    /// Totals: steps, distance, calories, minutes, floors, hours slept.
    Sum,
    /// Averages: heart rate, SpO2, stress, breathing rate, glucose, temperature.
    Mean,
    /// The latest reading: weight, resting heart rate, scores.
    Last,
}

/// Which lifetime bests a metric keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordRule {
    /// Highest daily figure ("most steps in a day").
    DailyMax,
    /// Lowest daily figure ("lowest resting heart rate").
    DailyMin,
    /// Highest single reading ("highest heart rate").
    AllTimeMax,
}

impl RecordRule {
    pub fn category(self) -> &'static str {
        match self {
            RecordRule::DailyMax => "daily_max",
            RecordRule::DailyMin => "daily_min",
            RecordRule::AllTimeMax => "all_time_max",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MetricInfo {
    pub id: &'static str,
    pub label: &'static str,
    /// Canonical unit as stored.
    pub unit: &'static str,
    /// How the unit is written next to a number.
    pub symbol: &'static str,
    pub category: Category,
    pub kind: Kind,
    pub aggregation: Aggregation,
    /// Plausible range of one reading in the canonical unit (scalars) or of the main figure.
    pub min: f64,
    pub max: f64,
    pub decimals: u8,
    pub records: &'static [RecordRule],
    /// Whether a person enters it by hand on the Measurements page.
    pub manual: bool,
}

impl MetricInfo {
    /// A figure with this metric's precision and unit: "8,412 steps", "72.4 kg".
    pub fn format(&self, value: f64) -> String {
        let number = format_number(value, self.decimals);
        if self.symbol.is_empty() {
            number
        } else if self.symbol == "%" {
            format!("{number}%")
        } else {
            format!("{number} {}", self.symbol)
        }
    }

    pub fn format_number(&self, value: f64) -> String {
        format_number(value, self.decimals)
    }
}

/// Groups thousands with commas and rounds to `decimals` places.
pub fn format_number(value: f64, decimals: u8) -> String {
    let text = format!("{:.*}", decimals as usize, value.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (text.clone(), None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

use Aggregation::*;
use Category::*;
use RecordRule::*;

// One catalogue row per line reads best as positional arguments.
#[allow(clippy::too_many_arguments)]
const fn m(
    id: &'static str,
    label: &'static str,
    unit: &'static str,
    symbol: &'static str,
    category: Category,
    kind: Kind,
    aggregation: Aggregation,
    range: (f64, f64),
    decimals: u8,
    records: &'static [RecordRule],
    manual: bool,
) -> MetricInfo {
    MetricInfo {
        id,
        label,
        unit,
        symbol,
        category,
        kind,
        aggregation,
        min: range.0,
        max: range.1,
        decimals,
        records,
        manual,
    }
}

/// Every metric type (the data model's "Metric Types" tables). `blood_oxygen` is not listed: it
/// is accepted as another name for `spo2`, so one series never splits in two (an upstream bug).
// One metric per line: the table reads as a table.
#[rustfmt::skip]
pub const METRICS: &[MetricInfo] = &[
    // Activity: one day's figure is the total of its readings.
    m("steps", "Steps", "count", "steps", Activity, Kind::Scalar, Sum, (0.0, 200_000.0), 0, &[DailyMax], true),
    m("distance", "Distance", "meters", "m", Activity, Kind::Scalar, Sum, (0.0, 1_000_000.0), 0, &[DailyMax], false),
    m("calories", "Active calories", "kcal", "kcal", Activity, Kind::Scalar, Sum, (0.0, 20_000.0), 0, &[DailyMax], false),
    m("active_minutes", "Active minutes", "minutes", "min", Activity, Kind::Scalar, Sum, (0.0, 1_440.0), 0, &[DailyMax], false),
    m("floors", "Floors", "count", "floors", Activity, Kind::Scalar, Sum, (0.0, 2_000.0), 0, &[DailyMax], false),
    // Cardiovascular.
    m("heart_rate", "Heart rate", "bpm", "bpm", Cardiovascular, Kind::Scalar, Mean, (20.0, 250.0), 0, &[AllTimeMax], true),
    m("resting_heart_rate", "Resting heart rate", "bpm", "bpm", Cardiovascular, Kind::Scalar, Last, (20.0, 150.0), 0, &[DailyMin], true),
    m("heart_rate_variability", "Heart rate variability", "ms", "ms", Cardiovascular, Kind::Scalar, Last, (1.0, 400.0), 0, &[DailyMax], false),
    // Sleep: the night belongs to the day you wake up.
    m("sleep", "Sleep", "hours", "h", Category::Sleep, Kind::Sleep, Sum, (0.0, 24.0), 1, &[DailyMax], false),
    m("sleep_score", "Sleep score", "score", "", Category::Sleep, Kind::Scalar, Last, (0.0, 100.0), 0, &[DailyMax], false),
    // Body.
    m("weight", "Weight", "kg", "kg", Body, Kind::Scalar, Last, (1.0, 500.0), 1, &[], true),
    m("body_fat", "Body fat", "percent", "%", Body, Kind::Scalar, Last, (1.0, 80.0), 1, &[], true),
    m("bmi", "BMI", "index", "", Body, Kind::Scalar, Last, (5.0, 100.0), 1, &[], true),
    m("blood_pressure", "Blood pressure", "mmHg", "mmHg", Body, Kind::BloodPressure, Mean, (40.0, 300.0), 0, &[], true),
    m("temperature", "Temperature", "celsius", "°C", Body, Kind::Scalar, Mean, (25.0, 45.0), 1, &[], true),
    m("blood_glucose", "Blood glucose", "mmol_l", "mmol/L", Body, Kind::Scalar, Mean, (0.5, 40.0), 1, &[], true),
    // Recovery.
    m("stress", "Stress", "score", "", Recovery, Kind::Scalar, Mean, (0.0, 100.0), 0, &[], false),
    m("hrv_status", "HRV status", "status", "", Recovery, Kind::HrvStatus, Last, (1.0, 4.0), 0, &[], false),
    m("recovery_score", "Recovery", "percent", "%", Recovery, Kind::Scalar, Last, (0.0, 100.0), 0, &[DailyMax], false),
    m("readiness_score", "Readiness", "score", "", Recovery, Kind::Scalar, Last, (0.0, 100.0), 0, &[DailyMax], false),
    m("strain_score", "Strain", "score", "", Recovery, Kind::Scalar, Last, (0.0, 21.0), 1, &[DailyMax], false),
    // Breathing.
    m("respiratory_rate", "Respiratory rate", "breaths_per_min", "brpm", Breathing, Kind::Scalar, Mean, (2.0, 80.0), 1, &[], true),
    m("spo2", "SpO₂", "percent", "%", Breathing, Kind::Scalar, Mean, (50.0, 100.0), 0, &[DailyMin], true),
    // Workouts: a marker point per session; the session itself is an event.
    m("workout", "Workouts", "minutes", "min", Workouts, Kind::Workout, Sum, (0.0, 2_880.0), 0, &[], false),
];

/// The metric with this id (or alias).
pub fn metric(id: &str) -> Option<&'static MetricInfo> {
    let id = canonical_id(id);
    METRICS.iter().find(|m| m.id == id)
}

/// Another accepted name for a metric type.
pub fn canonical_id(id: &str) -> &str {
    match id {
        "blood_oxygen" => "spo2",
        other => other,
    }
}

/// HRV status bands in order, stored as 1–4 in rollups so they can be charted.
pub const HRV_STATUSES: [&str; 4] = ["poor", "balanced", "good", "optimal"];

/// Converts `value` given in `unit` to the metric's canonical unit. `None` means the unit does
/// not fit the metric.
pub fn to_canonical(metric: &MetricInfo, unit: &str, value: f64) -> Option<f64> {
    let u = unit.trim();
    if u.eq_ignore_ascii_case(metric.unit) || u == metric.symbol && !u.is_empty() {
        return Some(value);
    }
    let converted = match (metric.unit, u) {
        ("count", "steps" | "floors") => value,
        ("meters", "m") => value,
        ("meters", "km") => value * 1000.0,
        ("meters", "mi" | "miles") => value * 1609.344,
        ("kcal", "kJ") => value / 4.184,
        ("minutes", "min") => value,
        ("minutes", "s") => value / 60.0,
        ("minutes", "h") => value * 60.0,
        ("hours", "h") => value,
        ("hours", "min" | "minutes") => value / 60.0,
        ("kg", "lbs" | "lb") => value * 0.453_592_37,
        ("percent", "%") => value,
        ("celsius", "°C" | "C") => value,
        ("celsius", "°F" | "F" | "fahrenheit") => (value - 32.0) * 5.0 / 9.0,
        ("mmol_l", "mmol/L") => value,
        ("mmol_l", "mg/dL") => value / 18.0182,
        ("breaths_per_min", "brpm") => value,
        _ => return None,
    };
    Some(converted)
}

/// Units accepted for a metric, for error messages.
pub fn accepted_units(metric: &MetricInfo) -> Vec<&'static str> {
    let extra: &[&str] = match metric.unit {
        "count" => &[],
        "meters" => &["m", "km", "mi"],
        "kcal" => &["kJ"],
        "minutes" => &["min", "s", "h"],
        "hours" => &["h", "min"],
        "kg" => &["lbs"],
        "percent" => &["%"],
        "celsius" => &["°C", "°F"],
        "mmol_l" => &["mmol/L", "mg/dL"],
        "breaths_per_min" => &["brpm"],
        _ => &[],
    };
    std::iter::once(metric.unit)
        .chain(extra.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_metric_type_is_known() {
        for id in [
            "steps",
            "distance",
            "calories",
            "active_minutes",
            "floors",
            "heart_rate",
            "resting_heart_rate",
            "heart_rate_variability",
            "sleep",
            "sleep_score",
            "weight",
            "body_fat",
            "bmi",
            "blood_oxygen",
            "blood_pressure",
            "temperature",
            "blood_glucose",
            "stress",
            "hrv_status",
            "recovery_score",
            "readiness_score",
            "strain_score",
            "respiratory_rate",
            "spo2",
            "workout",
        ] {
            assert!(metric(id).is_some(), "{id} missing");
        }
        assert_eq!(metric("blood_oxygen").unwrap().id, "spo2");
        assert!(metric("mana").is_none());
    }

    #[test]
    fn units_convert_or_are_refused() {
        let weight = metric("weight").unwrap();
        assert_eq!(to_canonical(weight, "kg", 70.0), Some(70.0));
        assert!((to_canonical(weight, "lbs", 154.0).unwrap() - 69.853).abs() < 0.01);
        assert_eq!(to_canonical(weight, "bpm", 70.0), None);
        let temp = metric("temperature").unwrap();
        assert!((to_canonical(temp, "°F", 98.6).unwrap() - 37.0).abs() < 0.001);
        let steps = metric("steps").unwrap();
        assert_eq!(to_canonical(steps, "steps", 5.0), Some(5.0));
        assert_eq!(to_canonical(steps, "kg", 5.0), None);
    }

    #[test]
    fn numbers_are_grouped_and_rounded() {
        assert_eq!(format_number(8412.0, 0), "8,412");
        assert_eq!(format_number(1234567.891, 1), "1,234,567.9");
        assert_eq!(format_number(-1520.0, 0), "-1,520");
        assert_eq!(format_number(-0.01, 0), "0");
        assert_eq!(metric("weight").unwrap().format(72.44), "72.4 kg");
        assert_eq!(metric("spo2").unwrap().format(97.0), "97%");
    }
}
