//! Withings payloads → our readings and events. Facts in `docs/providers/withings.md`.
//!
//! Measures: real value = value × 10^unit; repeated (attrib 0/8 duplicates) and ambiguous
//! (attrib 1) groups skipped. Daily activity, where a Withings device wins over a phone
//! tracker on the same day; sleep summaries with stages; workouts.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};

use super::fields::{num, point};
use crate::connections::provider::capitalize;
use crate::health::ingest::{Batch, EventInput, PointInput};

fn id_of(v: &Value) -> Option<String> {
    crate::connections::push::id_text(v)
}

fn unix(v: &Value, key: &str) -> Option<DateTime<Utc>> {
    v.get(key)
        .and_then(Value::as_i64)
        .and_then(|s| DateTime::from_timestamp(s, 0))
}

/// A local day (`YYYY-MM-DD`) counted at noon UTC: the same calendar day in every zone from
/// UTC−12 to UTC+11, whatever zone the person has here.
fn day_noon(v: &Value) -> Option<DateTime<Utc>> {
    let day: NaiveDate = v.get("date")?.as_str()?.parse().ok()?;
    Some(day.and_hms_opt(12, 0, 0)?.and_utc())
}

/// value × 10^unit, rounded to the digits the unit gives (no 72.34500000000001).
fn real(m: &Value) -> Option<f64> {
    let value = m.get("value")?.as_i64()? as f64;
    let unit = m.get("unit")?.as_i64()?.clamp(-12, 12) as i32;
    let x = value * 10f64.powi(unit);
    Some(if unit < 0 {
        let f = 10f64.powi(-unit);
        (x * f).round() / f
    } else {
        x
    })
}

/// Maps a `getmeas` body: one group is one weighing or one blood-pressure reading.
pub fn map_measures(body: &Value, batch: &mut Batch) {
    let mut seen = HashSet::new();
    for g in body
        .get("measuregrps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        // The same group can come twice (attrib 0 and 8).
        let Some(grpid) = g.get("grpid").and_then(id_of) else {
            continue;
        };
        if !seen.insert(grpid) {
            continue;
        }
        // attrib 1: the device could not tell whose measurement it was.
        let attrib = g.get("attrib").and_then(Value::as_i64).unwrap_or(0);
        let category = g.get("category").and_then(Value::as_i64).unwrap_or(1);
        if attrib == 1 || category != 1 {
            continue;
        }
        let Some(at) = unix(g, "date") else { continue };
        let mut v: HashMap<i64, f64> = HashMap::new();
        for m in g
            .get("measures")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(t), Some(x)) = (m.get("type").and_then(Value::as_i64), real(m)) {
                v.entry(t).or_insert(x);
            }
        }
        if let Some(&kg) = v.get(&1) {
            let mut data = serde_json::Map::new();
            for (t, key) in [
                (8, "fatMassKg"),
                (5, "fatFreeMassKg"),
                (76, "muscleMassKg"),
                (77, "hydrationKg"),
                (88, "boneMassKg"),
            ] {
                if let Some(x) = v.get(&t) {
                    data.insert(key.into(), json!(x));
                }
            }
            batch.points.push(PointInput {
                metric_type: "weight".into(),
                value: Some(kg),
                unit: None,
                data: (!data.is_empty()).then_some(Value::Object(data)),
                recorded_at: at,
            });
        }
        point(batch, "body_fat", v.get(&6).copied(), Some(at));
        if let (Some(sys), Some(dia)) = (v.get(&10), v.get(&9)) {
            batch.points.push(PointInput {
                metric_type: "blood_pressure".into(),
                value: None,
                unit: None,
                data: Some(json!({ "systolic": sys, "diastolic": dia, "pulse": v.get(&11) })),
                recorded_at: at,
            });
        }
        point(batch, "heart_rate", v.get(&11).copied(), Some(at));
        point(batch, "spo2", v.get(&54).copied(), Some(at));
        point(
            batch,
            "temperature",
            v.get(&71).or_else(|| v.get(&12)).copied(),
            Some(at),
        );
    }
}

/// Maps a `getactivity` body: one day each. A day can come from several sources (a Withings
/// watch and a phone's step counter); a Withings device wins, else the busiest.
pub fn map_activity(body: &Value, batch: &mut Batch) {
    let mut days: BTreeMap<String, &Value> = BTreeMap::new();
    for a in body
        .get("activities")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(date) = a.get("date").and_then(Value::as_str) else {
            continue;
        };
        let rank = |x: &Value| {
            (
                x.get("brand").and_then(Value::as_i64) == Some(1),
                num(x, "steps").unwrap_or(0.0) as i64,
            )
        };
        match days.get(date) {
            Some(kept) if rank(kept) >= rank(a) => {}
            _ => {
                days.insert(date.to_string(), a);
            }
        }
    }
    for a in days.values() {
        let at = day_noon(a);
        point(batch, "steps", num(a, "steps"), at);
        point(batch, "distance", num(a, "distance").map(f64::round), at);
        point(batch, "floors", num(a, "elevation").map(f64::round), at);
        point(batch, "calories", num(a, "calories").map(f64::round), at);
        let active = num(a, "active").map(|s| (s / 60.0).round());
        point(batch, "active_minutes", active, at);
    }
}

fn minutes(v: &Value, key: &str) -> Option<f64> {
    num(v, key).map(|s| (s / 60.0).round())
}

/// Maps a sleep `getsummary` body: each night is a sleep event, the night's sleep with its
/// stages, and the lowest heart rate and average breathing rate at waking.
pub fn map_sleep(body: &Value, batch: &mut Batch) {
    for s in body
        .get("series")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(id), Some(start), Some(end)) = (
            s.get("id").and_then(id_of),
            unix(s, "startdate"),
            unix(s, "enddate"),
        ) else {
            continue;
        };
        if end <= start {
            continue;
        }
        let empty = json!({});
        let d = s.get("data").unwrap_or(&empty);
        let score = num(d, "sleep_score").filter(|x| (0.0..=100.0).contains(x));
        let data = json!({
            "stages": {
                "deep": minutes(d, "deepsleepduration"),
                "light": minutes(d, "lightsleepduration"),
                "rem": minutes(d, "remsleepduration"),
                "awake": minutes(d, "wakeupduration"),
            },
            "startTime": start.to_rfc3339(),
            "endTime": end.to_rfc3339(),
            // A ratio at Withings, a percentage here.
            "efficiency": num(d, "sleep_efficiency").map(|r| (r * 100.0).round().clamp(0.0, 100.0)),
            "latencyMinutes": minutes(d, "sleep_latency"),
            "score": score,
            "withingsModel": s.get("model"),
        });
        batch.events.push(EventInput {
            provider_event_id: format!("sleep-{id}"),
            event_type: "sleep".into(),
            activity_type: Some("sleep".into()),
            title: Some("Sleep".into()),
            started_at: start,
            ended_at: Some(end),
            duration_seconds: Some((end - start).num_seconds()),
            distance_meters: None,
            calories_kcal: None,
            avg_heart_rate: num(d, "hr_average").map(|h| h.round() as i64),
            max_heart_rate: None,
            data: Some(data.clone()),
        });
        batch.points.push(PointInput {
            metric_type: "sleep".into(),
            value: None,
            unit: None,
            data: Some(data),
            recorded_at: start,
        });
        point(batch, "sleep_score", score, Some(end));
        point(batch, "resting_heart_rate", num(d, "hr_min"), Some(end));
        point(batch, "respiratory_rate", num(d, "rr_average"), Some(end));
    }
}

/// Withings' workout categories as our activity types (the common ones; the rest "other").
pub fn activity_type(category: i64) -> &'static str {
    match category {
        1 | 3 | 306 => "walking",
        2 | 307 => "running",
        6 | 308 => "cycling",
        7 => "swimming",
        16 => "strength",
        28 => "yoga",
        187 => "rowing",
        17 => "fitness",
        _ => "other",
    }
}

/// Maps a `getworkouts` body: each session is a workout event and a marker reading.
pub fn map_workouts(body: &Value, batch: &mut Batch) {
    for w in body
        .get("series")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(id), Some(start), Some(end)) = (
            w.get("id").and_then(id_of),
            unix(w, "startdate"),
            unix(w, "enddate"),
        ) else {
            continue;
        };
        if end <= start {
            continue;
        }
        let empty = json!({});
        let d = w.get("data").unwrap_or(&empty);
        let category = w.get("category").and_then(Value::as_i64).unwrap_or(36);
        let kind = activity_type(category);
        let seconds = (end - start).num_seconds();
        let data = json!({
            "durationSeconds": seconds,
            "sport": kind,
            "withingsCategory": category,
            "steps": num(d, "steps"),
        });
        batch.events.push(EventInput {
            provider_event_id: format!("workout-{id}"),
            event_type: "workout".into(),
            activity_type: Some(kind.into()),
            title: Some(capitalize(kind)),
            started_at: start,
            ended_at: Some(end),
            duration_seconds: Some(seconds),
            distance_meters: num(d, "distance").filter(|m| *m > 0.0).map(f64::round),
            calories_kcal: num(d, "calories").map(|k| (k * 10.0).round() / 10.0),
            avg_heart_rate: num(d, "hr_average")
                .filter(|h| *h > 0.0)
                .map(|h| h.round() as i64),
            max_heart_rate: num(d, "hr_max")
                .filter(|h| *h > 0.0)
                .map(|h| h.round() as i64),
            data: Some(data.clone()),
        });
        batch.points.push(PointInput {
            metric_type: "workout".into(),
            value: None,
            unit: None,
            data: Some(data),
            recorded_at: start,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::withings::ID;
    use super::*;
    use crate::health::ingest::Source;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/withings/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let env: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        env["body"].clone()
    }

    fn values(b: &Batch, metric: &str) -> Vec<f64> {
        b.points
            .iter()
            .filter(|p| p.metric_type == metric)
            .filter_map(|p| p.value)
            .collect()
    }

    #[test]
    fn real_values_apply_the_unit() {
        assert_eq!(real(&json!({"value": 72345, "unit": -3})), Some(72.345));
        assert_eq!(real(&json!({"value": 10600, "unit": -2})), Some(106.0));
        assert_eq!(real(&json!({"value": 109, "unit": 0})), Some(109.0));
        assert_eq!(real(&json!({"value": 20, "unit": -1})), Some(2.0));
        assert_eq!(real(&json!({"value": 7, "unit": 2})), Some(700.0));
        assert_eq!(real(&json!({"unit": 2})), None);
    }

    #[test]
    fn measures_map_with_units_and_skip_ambiguous_and_repeated_groups() {
        let mut b = Batch::new(ID, Source::User);
        map_measures(&fixture("getmeas-page1.json"), &mut b);
        map_measures(&fixture("getmeas-page2.json"), &mut b);
        // Weights in three different units; the attrib-1 group (another person) is skipped and
        // the group repeated with attrib 8 counted once.
        let mut w = values(&b, "weight");
        w.sort_by(f64::total_cmp);
        assert_eq!(w, vec![72.3, 72.345, 72.51]);
        let weighing = b
            .points
            .iter()
            .find(|p| p.metric_type == "weight" && p.value == Some(72.345))
            .unwrap();
        let data = weighing.data.as_ref().unwrap();
        assert_eq!(data["fatMassKg"], json!(14.52));
        assert_eq!(data["muscleMassKg"], json!(54.8));
        assert_eq!(values(&b, "body_fat"), vec![20.07]);
        let bp: Vec<_> = b
            .points
            .iter()
            .filter(|p| p.metric_type == "blood_pressure")
            .map(|p| p.data.clone().unwrap())
            .collect();
        assert_eq!(bp.len(), 2);
        assert_eq!(bp[0]["systolic"], json!(121.0));
        assert_eq!(bp[0]["diastolic"], json!(79.0));
        assert_eq!(bp[0]["pulse"], json!(64.0));
        assert_eq!(bp[1]["systolic"], json!(118.0));
        let mut hr = values(&b, "heart_rate");
        hr.sort_by(f64::total_cmp);
        assert_eq!(hr, vec![62.0, 64.0]);
        assert_eq!(values(&b, "spo2"), vec![97.0]);
        assert_eq!(values(&b, "temperature"), vec![36.72]);
    }

    #[test]
    fn activity_prefers_the_withings_device_per_day() {
        let mut b = Batch::new(ID, Source::User);
        map_activity(&fixture("getactivity.json"), &mut b);
        assert_eq!(values(&b, "steps"), vec![9312.0, 4210.0]);
        assert_eq!(values(&b, "distance"), vec![7125.0, 3120.0]);
        assert_eq!(values(&b, "floors"), vec![12.0, 3.0]);
        assert_eq!(values(&b, "active_minutes"), vec![48.0, 12.0]);
        assert_eq!(values(&b, "calories"), vec![412.0, 150.0]);
        let first = b.points.iter().find(|p| p.metric_type == "steps").unwrap();
        assert_eq!(first.recorded_at.to_rfc3339(), "2026-11-20T12:00:00+00:00");
    }

    #[test]
    fn sleep_maps_stages_in_minutes_and_efficiency_in_percent() {
        let mut b = Batch::new(ID, Source::User);
        map_sleep(&fixture("sleep-getsummary.json"), &mut b);
        assert_eq!(b.events.len(), 1);
        let e = &b.events[0];
        assert_eq!(e.provider_event_id, "sleep-2081804182");
        assert_eq!(e.duration_seconds, Some(27_000));
        let d = e.data.as_ref().unwrap();
        assert_eq!(d["stages"]["deep"], json!(84.0));
        assert_eq!(d["stages"]["rem"], json!(96.0));
        assert_eq!(d["efficiency"], json!(91.0));
        assert_eq!(values(&b, "sleep_score"), vec![82.0]);
        assert_eq!(values(&b, "resting_heart_rate"), vec![51.0]);
        assert_eq!(values(&b, "respiratory_rate"), vec![14.0]);
    }

    #[test]
    fn workouts_become_events() {
        let mut b = Batch::new(ID, Source::User);
        map_workouts(&fixture("getworkouts.json"), &mut b);
        assert_eq!(b.events.len(), 1);
        let e = &b.events[0];
        assert_eq!(e.activity_type.as_deref(), Some("running"));
        assert_eq!(e.duration_seconds, Some(2_700));
        assert_eq!(e.distance_meters, Some(7_012.0));
        assert_eq!(e.avg_heart_rate, Some(151));
    }
}
