//! From export items to our readings and sessions (provider `apple_health`).
//!
//! - Point samples (heart rate, resting heart rate, HRV, SpO₂, weight, body fat, BMI,
//!   respiratory rate, temperature, blood glucose) keep their own time, converted to our units.
//! - Cumulative samples (steps, walking/running distance, active energy, flights, exercise
//!   minutes) are recorded by the iPhone *and* the Watch for the same walk; adding both would
//!   count it twice. They are summed per day (the person's local date) and per device, and
//!   the day keeps the device with the largest total, as one reading at local noon that day.
//! - Sleep-analysis samples are grouped into nights (a gap of over two hours starts a new one);
//!   a night keeps the device that measured the most sleep and becomes a sleep session with
//!   its stages. A night with only "in bed" samples (a phone's bedtime schedule) is not sleep.
//! - Blood-pressure correlations become one reading; workouts become sessions.
//!
//! Ids are derived from the samples' times, so importing the same file again writes the same
//! rows in place.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::json;

use super::parse::{convert, Item, Quantity, SleepSample, Workout};
use crate::health::ingest::{Batch, EventInput, PointInput, Source};

pub const PROVIDER: &str = "apple_health";

/// Distinct devices told apart (see [`Mapper::source`]).
const MAX_SOURCES: usize = 1_000;

/// Items per batch handed to the ingest path.
pub const BATCH_ITEMS: usize = 2_000;

/// Quantity identifiers read one by one, and the metric each becomes.
fn point_metric(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "HeartRate" => "heart_rate",
        "RestingHeartRate" => "resting_heart_rate",
        "HeartRateVariabilitySDNN" => "heart_rate_variability",
        "OxygenSaturation" => "spo2",
        "BodyMass" => "weight",
        "BodyFatPercentage" => "body_fat",
        "BodyMassIndex" => "bmi",
        "RespiratoryRate" => "respiratory_rate",
        "BodyTemperature" => "temperature",
        "BloodGlucose" => "blood_glucose",
        _ => return None,
    })
}

/// Quantity identifiers summed per day.
fn daily_metric(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "StepCount" => "steps",
        "DistanceWalkingRunning" => "distance",
        "ActiveEnergyBurned" => "calories",
        "FlightsClimbed" => "floors",
        "AppleExerciseTime" => "active_minutes",
        _ => return None,
    })
}

/// A sleep sample, compactly (years of nights are kept until the end of the read).
struct Slept {
    start: i64,
    end: i64,
    stage: Stage,
    source: u16,
}

#[derive(Clone, Copy, PartialEq)]
enum Stage {
    InBed,
    Asleep,
    Core,
    Deep,
    Rem,
    Awake,
}

fn stage(value: &str) -> Option<Stage> {
    Some(match value {
        "InBed" => Stage::InBed,
        "Asleep" | "AsleepUnspecified" => Stage::Asleep,
        "AsleepCore" => Stage::Core,
        "AsleepDeep" => Stage::Deep,
        "AsleepREM" => Stage::Rem,
        "Awake" => Stage::Awake,
        _ => return None,
    })
}

pub struct Mapper {
    /// The person's zone: which day a sample belongs to (an export's offsets are the phone's at
    /// export time, not when the sample was taken).
    tz: chrono_tz::Tz,
    batch: Vec<PointInput>,
    events: Vec<EventInput>,
    /// (metric, time) already in the current batch: two devices' samples at the same second
    /// are one reading.
    keys: HashSet<(&'static str, i64)>,
    /// (metric, local date, device) → total.
    daily: HashMap<(&'static str, NaiveDate, u16), f64>,
    sleep: Vec<Slept>,
    sources: HashMap<String, u16>,
}

impl Mapper {
    pub fn new(tz: chrono_tz::Tz) -> Self {
        Mapper {
            tz,
            batch: Vec::new(),
            events: Vec::new(),
            keys: HashSet::new(),
            daily: HashMap::new(),
            sleep: Vec::new(),
            sources: HashMap::new(),
        }
    }

    /// A device's number. Past [`MAX_SOURCES`] devices (no real export has that many) the
    /// rest share the last number, so the table stays small whatever the file holds.
    fn source(&mut self, name: &str) -> u16 {
        if let Some(&i) = self.sources.get(name) {
            return i;
        }
        let i = self.sources.len().min(MAX_SOURCES) as u16;
        if self.sources.len() < MAX_SOURCES {
            self.sources.insert(name.to_string(), i);
        }
        i
    }

    fn push_point(
        &mut self,
        metric: &'static str,
        value: Option<f64>,
        data: Option<serde_json::Value>,
        at: DateTime<Utc>,
    ) {
        if self.keys.insert((metric, at.timestamp())) {
            self.batch.push(PointInput {
                metric_type: metric.to_string(),
                value,
                unit: None,
                data,
                recorded_at: at,
            });
        }
    }

    pub fn add(&mut self, item: Item) {
        match item {
            Item::Quantity(q) => self.quantity(q),
            Item::Sleep(s) => self.sleep_sample(s),
            Item::BloodPressure {
                at,
                systolic,
                diastolic,
                ..
            } => self.push_point(
                "blood_pressure",
                None,
                Some(json!({ "systolic": systolic, "diastolic": diastolic })),
                at.with_timezone(&Utc),
            ),
            Item::Workout(w) => self.workout(w),
        }
    }

    fn quantity(&mut self, q: Quantity) {
        let Some(value) = convert(&q.kind, &q.unit, q.value) else {
            return;
        };
        if let Some(metric) = point_metric(&q.kind) {
            let value = (value * 100.0).round() / 100.0;
            self.push_point(metric, Some(value), None, q.start.with_timezone(&Utc));
        } else if let Some(metric) = daily_metric(&q.kind) {
            let day = q.start.with_timezone(&self.tz).date_naive();
            let source = self.source(&q.source);
            *self.daily.entry((metric, day, source)).or_default() += value;
        }
    }

    fn sleep_sample(&mut self, s: SleepSample) {
        let Some(stage) = stage(&s.value) else { return };
        let source = self.source(&s.source);
        let (start, end) = (s.start.timestamp(), s.end.timestamp());
        if end > start {
            self.sleep.push(Slept {
                start,
                end,
                stage,
                source,
            });
        }
    }

    fn workout(&mut self, w: Workout) {
        let (Some(start), Some(end)) = (w.start, w.end) else {
            return;
        };
        let (start, end) = (start.with_timezone(&Utc), end.with_timezone(&Utc));
        if end <= start {
            return;
        }
        let seconds = w
            .duration_minutes
            .map(|m| (m * 60.0).round() as i64)
            .unwrap_or((end - start).num_seconds());
        let kind = activity_type(&w.activity);
        let data = json!({
            "durationSeconds": seconds,
            "sport": kind,
            "appleActivityType": w.activity,
            "device": w.source,
        });
        self.events.push(EventInput {
            provider_event_id: format!("workout-{}-{}", start.timestamp(), w.activity),
            event_type: "workout".into(),
            activity_type: Some(kind.clone()),
            title: Some(title(&w.activity)),
            started_at: start,
            ended_at: Some(end),
            duration_seconds: Some(seconds),
            distance_meters: w.distance_m.map(|m| m.round()),
            calories_kcal: w.energy_kcal.map(|k| (k * 10.0).round() / 10.0),
            avg_heart_rate: w.avg_hr.map(|h| h.round() as i64),
            max_heart_rate: w.max_hr.map(|h| h.round() as i64),
            data: Some(data.clone()),
        });
        self.push_point("workout", None, Some(data), start);
    }

    /// A full batch of readings and sessions, when one has gathered.
    pub fn take_full(&mut self) -> Option<Batch> {
        (self.batch.len() + self.events.len() >= BATCH_ITEMS).then(|| self.take())
    }

    fn take(&mut self) -> Batch {
        self.keys.clear();
        let mut b = Batch::new(PROVIDER, Source::User);
        b.points = std::mem::take(&mut self.batch);
        b.events = std::mem::take(&mut self.events);
        b
    }

    /// What is left once the whole file is read: the last readings, the daily totals and
    /// the nights, in batches.
    pub fn finish(mut self) -> Vec<Batch> {
        let mut out = Vec::new();
        if !self.batch.is_empty() || !self.events.is_empty() {
            out.push(self.take());
        }
        // The busiest device of each (metric, day).
        let mut best: HashMap<(&'static str, NaiveDate), f64> = HashMap::new();
        for ((metric, day, _), total) in &self.daily {
            let e = best.entry((*metric, *day)).or_default();
            *e = e.max(*total);
        }
        let mut days: Vec<_> = best.into_iter().collect();
        days.sort_by(|a, b| (a.0 .1, a.0 .0).cmp(&(b.0 .1, b.0 .0)));
        for ((metric, day), total) in days {
            // Local noon: the day in the person's zone, whatever their offset.
            let Some(noon) = day
                .and_hms_opt(12, 0, 0)
                .and_then(|t| self.tz.from_local_datetime(&t).earliest())
            else {
                continue;
            };
            let value = if metric == "distance" {
                total.round()
            } else {
                (total * 10.0).round() / 10.0
            };
            self.push_point(metric, Some(value), None, noon.with_timezone(&Utc));
            if let Some(b) = self.take_full() {
                out.push(b);
            }
        }
        for night in nights(std::mem::take(&mut self.sleep)) {
            self.events.push(night.event);
            self.push_point("sleep", None, Some(night.data), night.start);
            if let Some(b) = self.take_full() {
                out.push(b);
            }
        }
        if !self.batch.is_empty() || !self.events.is_empty() {
            out.push(self.take());
        }
        out
    }
}

struct Night {
    start: DateTime<Utc>,
    event: EventInput,
    data: serde_json::Value,
}

/// Nights longer than this are not one sleep (bad data); the ingest path allows 24 h.
const LONGEST_NIGHT_HOURS: i64 = 20;
/// A gap longer than this between samples starts a new night.
const NIGHT_GAP_SECONDS: i64 = 2 * 3600;

fn nights(mut samples: Vec<Slept>) -> Vec<Night> {
    samples.sort_by_key(|s| (s.start, s.end));
    let mut out = Vec::new();
    let mut i = 0;
    while i < samples.len() {
        let mut end = samples[i].end;
        let mut j = i + 1;
        while j < samples.len() && samples[j].start <= end + NIGHT_GAP_SECONDS {
            end = end.max(samples[j].end);
            j += 1;
        }
        if let Some(n) = night(&samples[i..j]) {
            out.push(n);
        }
        i = j;
    }
    out
}

fn night(session: &[Slept]) -> Option<Night> {
    let asleep = |s: &Slept| {
        matches!(
            s.stage,
            Stage::Asleep | Stage::Core | Stage::Deep | Stage::Rem
        )
    };
    // The device that measured the most sleep.
    let mut per_source: HashMap<u16, i64> = HashMap::new();
    for s in session.iter().filter(|s| asleep(s)) {
        *per_source.entry(s.source).or_default() += s.end - s.start;
    }
    let (&source, _) = per_source
        .iter()
        .max_by_key(|(src, secs)| (**secs, std::cmp::Reverse(**src)))?;
    let mine: Vec<&Slept> = session
        .iter()
        .filter(|s| s.source == source && s.stage != Stage::InBed)
        .collect();
    let start = mine.iter().map(|s| s.start).min()?;
    let end = mine.iter().map(|s| s.end).max()?;
    if end - start > LONGEST_NIGHT_HOURS * 3600 {
        return None;
    }
    let minutes = |stage: Stage| -> f64 {
        let secs: i64 = mine
            .iter()
            .filter(|s| s.stage == stage)
            .map(|s| s.end - s.start)
            .sum();
        (secs as f64 / 60.0).round()
    };
    let (core, deep, rem, plain, awake) = (
        minutes(Stage::Core),
        minutes(Stage::Deep),
        minutes(Stage::Rem),
        minutes(Stage::Asleep),
        minutes(Stage::Awake),
    );
    let staged = core + deep + rem > 0.0;
    let start_t = DateTime::from_timestamp(start, 0)?;
    let end_t = DateTime::from_timestamp(end, 0)?;
    let total = ((end - start) as f64 / 60.0).round();
    // Without stages the night is its span less the time awake; "asleep" samples that were
    // not staged count as light sleep next to staged ones.
    let stages = if staged {
        json!({ "deep": deep, "light": core + plain, "rem": rem, "awake": awake })
    } else {
        json!({ "deep": null, "light": null, "rem": null, "awake": awake.min(total) })
    };
    let data = json!({
        "stages": stages,
        "startTime": start_t.to_rfc3339(),
        "endTime": end_t.to_rfc3339(),
        "nap": false,
    });
    let event = EventInput {
        provider_event_id: format!("sleep-{start}"),
        event_type: "sleep".into(),
        activity_type: Some("sleep".into()),
        title: Some("Sleep".into()),
        started_at: start_t,
        ended_at: Some(end_t),
        duration_seconds: Some(end - start),
        distance_meters: None,
        calories_kcal: None,
        avg_heart_rate: None,
        max_heart_rate: None,
        data: Some(data.clone()),
    };
    Some(Night {
        start: start_t,
        event,
        data,
    })
}

/// `TraditionalStrengthTraining` → `strength`; common activities by our names, the rest in
/// snake case.
pub fn activity_type(apple: &str) -> String {
    match apple {
        "Running" => "running".into(),
        "Walking" | "Hiking" => "walking".into(),
        "Cycling" => "cycling".into(),
        "Swimming" => "swimming".into(),
        "TraditionalStrengthTraining" | "FunctionalStrengthTraining" => "strength".into(),
        "Yoga" | "Pilates" => "yoga".into(),
        "Rowing" => "rowing".into(),
        "HighIntensityIntervalTraining" => "hiit".into(),
        other => {
            let mut s = String::new();
            for (i, c) in other.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    s.push('_');
                }
                s.push(c.to_ascii_lowercase());
            }
            s
        }
    }
}

/// `TraditionalStrengthTraining` → "Traditional strength training".
pub fn title(apple: &str) -> String {
    let mut s = String::new();
    for (i, c) in apple.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            s.push(' ');
            s.push(c.to_ascii_lowercase());
        } else {
            s.push(c);
        }
    }
    if s.is_empty() {
        "Workout".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn q(kind: &str, source: &str, unit: &str, value: f64, start: &str) -> Item {
        let t = DateTime::parse_from_rfc3339(start).unwrap();
        Item::Quantity(Quantity {
            kind: kind.into(),
            source: source.into(),
            unit: unit.into(),
            value,
            start: t,
            end: t,
        })
    }

    fn sleep(value: &str, source: &str, start: &str, end: &str) -> Item {
        Item::Sleep(SleepSample {
            value: value.into(),
            source: source.into(),
            start: DateTime::parse_from_rfc3339(start).unwrap(),
            end: DateTime::parse_from_rfc3339(end).unwrap(),
        })
    }

    fn all(items: Vec<Item>) -> Batch {
        let mut m = Mapper::new(chrono_tz::Europe::Paris);
        for i in items {
            m.add(i);
        }
        let mut out = Batch::new(PROVIDER, Source::User);
        for b in m.finish() {
            out.points.extend(b.points);
            out.events.extend(b.events);
        }
        out
    }

    #[test]
    fn phone_and_watch_steps_are_not_added_together() {
        let b = all(vec![
            q(
                "StepCount",
                "iPhone",
                "count",
                3000.0,
                "2026-11-20T09:00:00+01:00",
            ),
            q(
                "StepCount",
                "iPhone",
                "count",
                1000.0,
                "2026-11-20T18:00:00+01:00",
            ),
            q(
                "StepCount",
                "Watch",
                "count",
                4200.0,
                "2026-11-20T09:00:00+01:00",
            ),
            // Just after midnight local time is the next day, though still the 20th in UTC.
            q(
                "StepCount",
                "Watch",
                "count",
                50.0,
                "2026-11-21T00:30:00+01:00",
            ),
        ]);
        let steps: Vec<(String, f64)> = b
            .points
            .iter()
            .map(|p| (p.recorded_at.to_rfc3339(), p.value.unwrap()))
            .collect();
        assert_eq!(
            steps,
            vec![
                ("2026-11-20T11:00:00+00:00".to_string(), 4200.0),
                ("2026-11-21T11:00:00+00:00".to_string(), 50.0)
            ]
        );
    }

    #[test]
    fn a_night_keeps_the_device_with_stages() {
        let b = all(vec![
            // The phone's bedtime schedule and its coarse "asleep".
            sleep(
                "InBed",
                "iPhone",
                "2026-11-19T22:30:00+01:00",
                "2026-11-20T07:00:00+01:00",
            ),
            sleep(
                "AsleepUnspecified",
                "iPhone",
                "2026-11-19T23:30:00+01:00",
                "2026-11-20T05:00:00+01:00",
            ),
            // The watch's stages.
            sleep(
                "AsleepCore",
                "Watch",
                "2026-11-19T23:00:00+01:00",
                "2026-11-20T02:00:00+01:00",
            ),
            sleep(
                "AsleepDeep",
                "Watch",
                "2026-11-20T02:00:00+01:00",
                "2026-11-20T03:00:00+01:00",
            ),
            sleep(
                "Awake",
                "Watch",
                "2026-11-20T03:00:00+01:00",
                "2026-11-20T03:10:00+01:00",
            ),
            sleep(
                "AsleepREM",
                "Watch",
                "2026-11-20T03:10:00+01:00",
                "2026-11-20T04:40:00+01:00",
            ),
            sleep(
                "AsleepCore",
                "Watch",
                "2026-11-20T04:40:00+01:00",
                "2026-11-20T06:40:00+01:00",
            ),
            // A phone-only "in bed" evening two days later is not sleep.
            sleep(
                "InBed",
                "iPhone",
                "2026-11-21T22:30:00+01:00",
                "2026-11-22T07:00:00+01:00",
            ),
        ]);
        assert_eq!(b.events.len(), 1);
        let d = b.events[0].data.as_ref().unwrap();
        assert_eq!(d["stages"]["light"], json!(300.0));
        assert_eq!(d["stages"]["deep"], json!(60.0));
        assert_eq!(d["stages"]["rem"], json!(90.0));
        assert_eq!(d["stages"]["awake"], json!(10.0));
        assert_eq!(d["startTime"], json!("2026-11-19T22:00:00+00:00"));
        assert_eq!(d["endTime"], json!("2026-11-20T05:40:00+00:00"));
        assert_eq!(
            b.points.iter().filter(|p| p.metric_type == "sleep").count(),
            1
        );
    }

    #[test]
    fn point_samples_convert_and_same_second_duplicates_merge() {
        let b = all(vec![
            q(
                "OxygenSaturation",
                "Watch",
                "%",
                0.97,
                "2026-11-20T03:00:00+01:00",
            ),
            q(
                "BodyMass",
                "Scale",
                "lb",
                160.0,
                "2026-11-20T07:00:00+01:00",
            ),
            q(
                "BloodGlucose",
                "Meter",
                "mg/dL",
                99.0,
                "2026-11-20T08:00:00+01:00",
            ),
            q(
                "HeartRate",
                "Watch",
                "count/min",
                61.0,
                "2026-11-20T08:00:00+01:00",
            ),
            q(
                "HeartRate",
                "Polar",
                "count/min",
                62.0,
                "2026-11-20T08:00:00+01:00",
            ),
            q(
                "WalkingSpeed",
                "iPhone",
                "km/hr",
                4.2,
                "2026-11-20T08:00:00+01:00",
            ),
        ]);
        let got: Vec<(&str, f64)> = b
            .points
            .iter()
            .map(|p| (p.metric_type.as_str(), p.value.unwrap()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("spo2", 97.0),
                ("weight", 72.57),
                ("blood_glucose", 5.5),
                ("heart_rate", 61.0)
            ]
        );
    }

    #[test]
    fn activity_names() {
        assert_eq!(activity_type("TraditionalStrengthTraining"), "strength");
        assert_eq!(activity_type("CrossCountrySkiing"), "cross_country_skiing");
        assert_eq!(title("CrossCountrySkiing"), "Cross country skiing");
    }
}
