//! From export items to our readings and sessions (provider `apple_health`).
//!
//! - Point samples (heart rate, resting heart rate, HRV, SpO₂, weight, body fat, BMI,
//!   respiratory rate, temperature, blood glucose) keep their own time, converted to our units.
//! - Cumulative samples (steps, walking/running distance, active energy, flights, exercise
//!   minutes) are recorded by the iPhone *and* the Watch for the same walk; adding both would
//!   count it twice. They are summed per day (the person's local date) and per device, and
//!   the day keeps the device with the largest total, as one reading at local noon that day.
//! - Sleep-analysis samples are grouped into nights (in `sleep`): a gap of over two hours
//!   starts a new one; a night keeps the device that measured the most sleep and becomes a
//!   sleep session with its stages. A night with only "in bed" samples is not sleep. Nights
//!   are folded as the file is read (`nights`): memory holds a summary per open night and
//!   device, never the samples.
//! - Blood-pressure correlations become one reading; workouts become sessions (activity names
//!   in `activity`).
//!
//! Ids are derived from the samples' times, so importing the same file again writes the same
//! rows in place.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use serde_json::json;

use super::activity::{activity_type, title};
use super::nights::Nights;
use super::parse::{convert, Item, Quantity, SleepSample, Workout};
use super::sleep::{stage, Night, Slept};
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
    nights: Nights,
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
            nights: Nights::new(),
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
        // The parser only reads dates within 1900–2200; items made elsewhere are held to the
        // same years (local days near chrono's limits cannot be computed).
        let in_bounds =
            |at: &DateTime<FixedOffset>| crate::dates::instant_in_bounds(&at.with_timezone(&Utc));
        let times_ok = match &item {
            Item::Quantity(q) => in_bounds(&q.start) && in_bounds(&q.end),
            Item::Sleep(s) => in_bounds(&s.start) && in_bounds(&s.end),
            Item::BloodPressure { at, .. } => in_bounds(at),
            Item::Workout(w) => w.start.iter().chain(&w.end).all(in_bounds),
        };
        if !times_ok {
            return;
        }
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
            let done = self.nights.add(Slept {
                start,
                end,
                stage,
                source,
            });
            for night in done {
                self.push_night(night);
            }
        }
    }

    fn push_night(&mut self, night: Night) {
        self.events.push(night.event);
        self.push_point("sleep", None, Some(night.data), night.start);
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
        for night in self.nights.finish() {
            self.push_night(night);
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

/// Maps `items` in one go, as an import of a person in Paris would, into one batch (the tests
/// of the mapping and of the nights).
#[cfg(test)]
pub(crate) fn map_all(items: Vec<Item>) -> Batch {
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

    #[test]
    fn phone_and_watch_steps_are_not_added_together() {
        let b = map_all(vec![
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
    fn point_samples_convert_and_same_second_duplicates_merge() {
        let b = map_all(vec![
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
}
