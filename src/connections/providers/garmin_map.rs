//! Garmin Health and Activity API summaries (as pushed) → our readings and events. Facts in
//! `docs/providers/garmin.md` §4.
//!
//! Times are UTC epoch seconds; `startTimeOffsetInSeconds` is the device clock's offset, so a
//! daily summary's local noon is its start (local midnight) plus twelve hours. Every field is
//! optional. A resent summary (same `summaryId`) maps to the same rows, so it replaces them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::fields::{num, point};
use crate::connections::provider::capitalize;
use crate::health::ingest::{Batch, EventInput, PointInput};

/// The push list keys whose items are mapped (others are ignored).
pub const DATA_KEYS: &[&str] = &[
    "dailies",
    "sleeps",
    "hrv",
    "pulseox",
    "allDayRespiration",
    "bodyComps",
    "stressDetails",
    "activities",
    "manuallyUpdatedActivities",
];

fn at(secs: f64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(secs as i64, 0)
}

/// The summary's start.
pub fn start(s: &Value) -> Option<DateTime<Utc>> {
    num(s, "startTimeInSeconds")
        .or_else(|| num(s, "measurementTimeInSeconds"))
        .and_then(at)
}

/// Noon of the summary's local day (its start is local midnight).
fn local_noon(s: &Value) -> Option<DateTime<Utc>> {
    num(s, "startTimeInSeconds").and_then(|t| at(t + 12.0 * 3600.0))
}

/// The summary's end: start + duration.
fn end(s: &Value) -> Option<DateTime<Utc>> {
    let t = num(s, "startTimeInSeconds")?;
    at(t + num(s, "durationInSeconds").unwrap_or(0.0))
}

/// `{"<offset s>": value}` series, in time order (offsets are string keys).
fn series(s: &Value, key: &str) -> Vec<(i64, f64)> {
    let mut out: Vec<(i64, f64)> = s
        .get(key)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.trim().parse::<i64>().ok()?, v.as_f64()?)))
        .collect();
    out.sort_by_key(|(k, _)| *k);
    out
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

fn round_to(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// Maps one summary of push list `key` into `batch`.
pub fn map_summary(key: &str, s: &Value, batch: &mut Batch) {
    match key {
        "dailies" => map_daily(s, batch),
        "sleeps" => map_sleep(s, batch),
        "hrv" => point(
            batch,
            "heart_rate_variability",
            num(s, "lastNightAvg"),
            end(s),
        ),
        "pulseox" => {
            let avg = mean(
                series(s, "timeOffsetSpo2Values")
                    .into_iter()
                    .map(|(_, v)| v),
            );
            point(batch, "spo2", avg.map(|v| round_to(v, 1)), end(s));
        }
        "allDayRespiration" => {
            let avg = mean(
                series(s, "timeOffsetEpochToBreaths")
                    .into_iter()
                    .map(|(_, v)| v),
            );
            point(
                batch,
                "respiratory_rate",
                avg.map(|v| round_to(v, 1)),
                start(s),
            );
        }
        "bodyComps" => {
            let when = start(s);
            point(
                batch,
                "weight",
                num(s, "weightInGrams").map(|g| round_to(g / 1000.0, 2)),
                when,
            );
            point(batch, "body_fat", num(s, "bodyFatInPercent"), when);
            point(
                batch,
                "bmi",
                num(s, "bodyMassIndex").map(|b| round_to(b, 1)),
                when,
            );
        }
        "stressDetails" => map_stress(s, batch),
        "activities" | "manuallyUpdatedActivities" => map_activity(s, batch),
        _ => {}
    }
}

fn map_daily(s: &Value, batch: &mut Batch) {
    let noon = local_noon(s);
    point(batch, "steps", num(s, "steps"), noon);
    point(
        batch,
        "distance",
        num(s, "distanceInMeters").map(|m| round_to(m, 1)),
        noon,
    );
    point(
        batch,
        "calories",
        num(s, "activeKilocalories").map(|k| round_to(k, 1)),
        noon,
    );
    let active = match (
        num(s, "moderateIntensityDurationInSeconds"),
        num(s, "vigorousIntensityDurationInSeconds"),
    ) {
        (None, None) => None,
        (m, v) => Some(((m.unwrap_or(0.0) + v.unwrap_or(0.0)) / 60.0).round()),
    };
    point(batch, "active_minutes", active, noon);
    point(batch, "floors", num(s, "floorsClimbed"), noon);
    point(
        batch,
        "resting_heart_rate",
        num(s, "restingHeartRateInBeatsPerMinute"),
        noon,
    );
    // Stress comes from stressDetails' three-minute levels; the day's average would sit among
    // them as one more sample.
    // 15-second heart-rate samples, kept as one-minute averages.
    let Some(t0) = num(s, "startTimeInSeconds") else {
        return;
    };
    let mut minutes: BTreeMap<i64, (f64, usize)> = BTreeMap::new();
    for (offset, bpm) in series(s, "timeOffsetHeartRateSamples") {
        let e = minutes.entry(offset.div_euclid(60)).or_insert((0.0, 0));
        e.0 += bpm;
        e.1 += 1;
    }
    for (minute, (sum, n)) in minutes {
        point(
            batch,
            "heart_rate",
            Some((sum / n as f64).round()),
            at(t0 + minute as f64 * 60.0),
        );
    }
}

fn map_stress(s: &Value, batch: &mut Batch) {
    let Some(t0) = num(s, "startTimeInSeconds") else {
        return;
    };
    // Three-minute stress levels; negative values are codes (off wrist, moving, …).
    for (offset, level) in series(s, "timeOffsetStressLevelValues") {
        if level >= 0.0 {
            point(batch, "stress", Some(level), at(t0 + offset as f64));
        }
    }
    // Body Battery, Garmin's 0–100 energy reserve, is readiness: each level as it was
    // measured, so a day shows its latest level, and its highest (reached after sleep).
    for (offset, level) in series(s, "timeOffsetBodyBatteryValues") {
        if let (true, Some(when)) = ((0.0..=100.0).contains(&level), at(t0 + offset as f64)) {
            batch.points.push(PointInput {
                metric_type: "readiness_score".into(),
                value: Some(level),
                unit: None,
                data: Some(json!({"measure": "body_battery"})),
                recorded_at: when,
            });
        }
    }
}

fn summary_id(s: &Value) -> Option<String> {
    s.get("summaryId")
        .and_then(crate::connections::push::id_text)
}

fn map_sleep(s: &Value, batch: &mut Batch) {
    let validation = s.get("validation").and_then(Value::as_str).unwrap_or("");
    if validation == "OFF_WRIST" {
        return;
    }
    let (Some(id), Some(begin)) = (summary_id(s), start(s)) else {
        return;
    };
    let mins = |k: &str| num(s, k).map(|v| (v / 60.0).round());
    let awake = mins("awakeDurationInSeconds");
    let unmeasurable = num(s, "unmeasurableSleepInSeconds")
        .or_else(|| num(s, "unmeasurableSleepDurationInSeconds"))
        .unwrap_or(0.0);
    // The night ends where its last level ends; else after sleep, awake and unmeasured time.
    let last_level = s
        .get("sleepLevelsMap")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|l| num(l, "endTimeInSeconds"))
        .fold(None, |best: Option<f64>, v| {
            Some(best.map_or(v, |b| b.max(v)))
        });
    let finish = match last_level {
        Some(t) => at(t),
        None => at(begin.timestamp() as f64
            + num(s, "durationInSeconds").unwrap_or(0.0)
            + num(s, "awakeDurationInSeconds").unwrap_or(0.0)
            + unmeasurable),
    };
    let Some(finish) = finish.filter(|f| *f > begin) else {
        return;
    };
    let score = s.get("overallSleepScore").and_then(|o| num(o, "value"));
    let data = json!({
        "stages": {
            "deep": mins("deepSleepDurationInSeconds"),
            "light": mins("lightSleepDurationInSeconds"),
            "rem": mins("remSleepInSeconds"),
            "awake": awake,
        },
        "startTime": begin.to_rfc3339(),
        "endTime": finish.to_rfc3339(),
        "score": score,
        "validation": validation,
    });
    batch.events.push(EventInput {
        provider_event_id: format!("sleep-{id}"),
        event_type: "sleep".into(),
        activity_type: Some("sleep".into()),
        title: Some("Sleep".into()),
        started_at: begin,
        ended_at: Some(finish),
        duration_seconds: Some((finish - begin).num_seconds()),
        distance_meters: None,
        calories_kcal: None,
        avg_heart_rate: None,
        max_heart_rate: None,
        data: Some(data.clone()),
    });
    batch.points.push(PointInput {
        metric_type: "sleep".into(),
        value: None,
        unit: None,
        data: Some(data),
        recorded_at: begin,
    });
    point(batch, "sleep_score", score, Some(finish));
}

/// Garmin's activity types (`RUNNING`, `ROAD_BIKING`, `STRENGTH_TRAINING`, …) as ours.
pub fn activity_type(kind: &str) -> String {
    let s = kind.to_ascii_lowercase();
    match s.as_str() {
        "running" | "trail_running" | "treadmill_running" | "track_running" | "street_running" => {
            "running".into()
        }
        "cycling" | "road_biking" | "mountain_biking" | "indoor_cycling" | "gravel_cycling"
        | "virtual_ride" => "cycling".into(),
        "walking" | "hiking" | "casual_walking" | "speed_walking" => "walking".into(),
        "swimming" | "lap_swimming" | "open_water_swimming" => "swimming".into(),
        "strength_training" => "strength".into(),
        "yoga" | "pilates" => "yoga".into(),
        "rowing" | "indoor_rowing" => "rowing".into(),
        _ => s,
    }
}

fn map_activity(s: &Value, batch: &mut Batch) {
    // A multi-sport parent only sums its legs, which come as activities of their own.
    if s.get("isParent").and_then(Value::as_bool) == Some(true) {
        return;
    }
    let (Some(id), Some(begin), Some(finish)) = (summary_id(s), start(s), end(s)) else {
        return;
    };
    let kind = s
        .get("activityType")
        .and_then(Value::as_str)
        .unwrap_or("OTHER");
    let seconds = (finish - begin).num_seconds();
    let title = s
        .get("activityName")
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| capitalize(&kind.to_ascii_lowercase().replace('_', " ")));
    let data = json!({
        "durationSeconds": seconds,
        "sport": kind,
        "device": s.get("deviceName"),
        "manual": s.get("manual"),
        "steps": num(s, "steps"),
        "elevationGainMeters": num(s, "totalElevationGainInMeters"),
    });
    batch.events.push(EventInput {
        provider_event_id: format!("activity-{id}"),
        event_type: "workout".into(),
        activity_type: Some(activity_type(kind)),
        title: Some(title),
        started_at: begin,
        ended_at: Some(finish),
        duration_seconds: Some(seconds),
        distance_meters: num(s, "distanceInMeters")
            .filter(|m| *m > 0.0)
            .map(|m| round_to(m, 1)),
        calories_kcal: num(s, "activeKilocalories").map(|k| round_to(k, 1)),
        avg_heart_rate: num(s, "averageHeartRateInBeatsPerMinute").map(|h| h.round() as i64),
        max_heart_rate: num(s, "maxHeartRateInBeatsPerMinute").map(|h| h.round() as i64),
        data: Some(data.clone()),
    });
    batch.points.push(PointInput {
        metric_type: "workout".into(),
        value: None,
        unit: None,
        data: Some(data),
        recorded_at: begin,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::ingest::Source;

    fn fixture(name: &str) -> Value {
        let p = format!(
            "{}/tests/fixtures/garmin/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    /// Maps every summary of a push fixture.
    fn mapped(file: &str) -> Batch {
        let body = fixture(file);
        let mut b = Batch::new("garmin", Source::User);
        for (key, items) in body.as_object().unwrap() {
            for s in items.as_array().unwrap() {
                map_summary(key, s, &mut b);
            }
        }
        b
    }

    fn values(b: &Batch, metric: &str) -> Vec<f64> {
        b.points
            .iter()
            .filter(|p| p.metric_type == metric)
            .filter_map(|p| p.value)
            .collect()
    }

    #[test]
    fn dailies_give_totals_at_local_noon_and_minute_heart_rate() {
        let b = mapped("push_dailies.json");
        assert_eq!(values(&b, "steps"), vec![10412.0]);
        assert_eq!(values(&b, "distance"), vec![8123.5]);
        assert_eq!(values(&b, "calories"), vec![612.0]);
        // (1860 + 720) s.
        assert_eq!(values(&b, "active_minutes"), vec![43.0]);
        assert_eq!(values(&b, "floors"), vec![9.0]);
        assert_eq!(values(&b, "resting_heart_rate"), vec![52.0]);
        assert!(
            values(&b, "stress").is_empty(),
            "stress comes from stressDetails"
        );
        // Four 15 s samples in the first minute, two in the next.
        assert_eq!(values(&b, "heart_rate"), vec![62.0, 75.0]);
        let steps = b.points.iter().find(|p| p.metric_type == "steps").unwrap();
        // Local midnight 2026-11-20 at UTC+1 is 23:00 UTC; its noon is 11:00 UTC.
        assert_eq!(steps.recorded_at.to_rfc3339(), "2026-11-20T11:00:00+00:00");
    }

    #[test]
    fn a_night_has_stages_and_a_score_and_off_wrist_is_skipped() {
        let b = mapped("push_sleeps.json");
        assert_eq!(b.events.len(), 1);
        let night = b.points.iter().find(|p| p.metric_type == "sleep").unwrap();
        let d = night.data.as_ref().unwrap();
        assert_eq!(
            d["stages"],
            json!({"deep": 82.0, "light": 241.0, "rem": 96.0, "awake": 14.0})
        );
        // Ends where its last level ends.
        assert_eq!(d["endTime"], json!("2026-11-20T06:12:00+00:00"));
        assert_eq!(values(&b, "sleep_score"), vec![84.0]);
    }

    #[test]
    fn health_summaries_and_body_composition() {
        let b = mapped("push_health.json");
        assert_eq!(values(&b, "heart_rate_variability"), vec![48.0]);
        assert_eq!(values(&b, "spo2"), vec![95.5]);
        assert_eq!(values(&b, "respiratory_rate"), vec![14.3]);
        // Integer grams → kilograms.
        assert_eq!(values(&b, "weight"), vec![74.35]);
        assert_eq!(values(&b, "body_fat"), vec![18.2]);
        assert_eq!(values(&b, "bmi"), vec![23.1]);
        // Stress levels skip the −1/−2 codes; Body Battery levels are readiness readings.
        assert_eq!(values(&b, "stress"), vec![22.0, 41.0]);
        assert_eq!(values(&b, "readiness_score"), vec![55.0, 87.0, 80.0]);
    }

    #[test]
    fn activities_become_workouts() {
        let b = mapped("push_activities.json");
        let run = &b.events[0];
        assert_eq!(run.activity_type.as_deref(), Some("running"));
        assert_eq!(run.title.as_deref(), Some("Morning Run"));
        assert_eq!(run.duration_seconds, Some(2724));
        assert_eq!(run.distance_meters, Some(8012.4));
        assert_eq!(
            (run.avg_heart_rate, run.max_heart_rate),
            (Some(148), Some(171))
        );
        assert_eq!(run.provider_event_id, "activity-x2a41-5fdb1c60-aa4");
        let ride = &b.events[1];
        assert_eq!(ride.activity_type.as_deref(), Some("cycling"));
        assert_eq!(ride.title.as_deref(), Some("Road biking"));
        assert_eq!(ride.distance_meters, None, "no distance given");
        // The multi-sport parent is left out; its legs are the sessions.
        assert_eq!(b.events.len(), 2);
    }
}
