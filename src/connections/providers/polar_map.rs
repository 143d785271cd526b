//! Polar AccessLink answers → our readings and events. Facts in `docs/providers/polar.md`.
//!
//! Five collections: exercises (workouts, times with their own UTC offset), sleep (sessions with
//! stages and the sleep score), Nightly Recharge (resting heart rate, HRV, breathing rate),
//! daily activity, and continuous heart rate. Activity and heart-rate times are device-local
//! without an offset, so they are read in the person's zone; daily figures land at noon UTC.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde_json::{json, Value};

use super::fields::{num, point, time};
use crate::connections::provider::Window;
use crate::connections::push::id_text;
use crate::health::ingest::{Batch, EventInput, PointInput};

/// `PT2H44M`, `PT45M30S`, `PT1.5S` → seconds.
pub fn iso_duration(s: &str) -> Option<f64> {
    let rest = s.strip_prefix("PT")?;
    let (mut total, mut number) = (0.0, String::new());
    for c in rest.chars() {
        match c {
            '0'..='9' | '.' => number.push(c),
            'H' | 'M' | 'S' => {
                let n: f64 = number.parse().ok()?;
                total += n * match c {
                    'H' => 3600.0,
                    'M' => 60.0,
                    _ => 1.0,
                };
                number.clear();
            }
            _ => return None,
        }
    }
    number.is_empty().then_some(total)
}

/// A date (`YYYY-MM-DD`) at noon UTC: daily figures land on that calendar day in every zone
/// from UTC−12 to UTC+11.
fn noon(v: &Value, key: &str) -> Option<DateTime<Utc>> {
    let d: NaiveDate = v.get(key)?.as_str()?.parse().ok()?;
    Some(d.and_hms_opt(12, 0, 0)?.and_utc())
}

/// A device-local time without offset, read in the person's zone.
fn local(naive: NaiveDateTime, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Polar's sport names (`RUNNING`, `ROAD_BIKING`, …) as ours.
pub fn activity_type(sport: &str) -> String {
    let s = sport.to_ascii_lowercase();
    match s.as_str() {
        "running" | "treadmill_running" | "trail_running" => "running".into(),
        "cycling" | "road_biking" | "mountain_biking" | "indoor_cycling" => "cycling".into(),
        "walking" | "hiking" | "nordic_walking" => "walking".into(),
        "swimming" | "pool_swimming" | "open_water_swimming" => "swimming".into(),
        "strength_training" => "strength".into(),
        "yoga" | "pilates" => "yoga".into(),
        "rowing" | "indoor_rowing" => "rowing".into(),
        _ => s,
    }
}

fn map_exercise(e: &Value, batch: &mut Batch) {
    let (Some(id), Some(start)) = (
        e.get("id").and_then(id_text),
        e.get("start_time")
            .and_then(Value::as_str)
            .and_then(|s| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok()),
    ) else {
        return;
    };
    let offset = num(e, "start_time_utc_offset").unwrap_or(0.0) as i32;
    let Some(start) = offset
        .checked_mul(60)
        .and_then(FixedOffset::east_opt)
        .and_then(|o| o.from_local_datetime(&start).single())
        .map(|t| t.with_timezone(&Utc))
    else {
        return;
    };
    let seconds = e
        .get("duration")
        .and_then(Value::as_str)
        .and_then(iso_duration)
        .map(|s| s.round() as i64);
    let detailed = e.get("detailed_sport_info").and_then(Value::as_str);
    let sport = e.get("sport").and_then(Value::as_str).unwrap_or("OTHER");
    let kind = match (sport, detailed) {
        ("OTHER", Some(d)) => activity_type(d),
        _ => activity_type(sport),
    };
    let hr = e.get("heart_rate");
    let data = json!({
        "durationSeconds": seconds,
        "sport": kind,
        "polarSport": sport,
        "detailedSport": detailed,
        "trainingLoad": num(e, "training_load"),
        "device": e.get("device"),
    });
    batch.events.push(EventInput {
        provider_event_id: format!("exercise-{id}"),
        event_type: "workout".into(),
        activity_type: Some(kind.clone()),
        title: Some(crate::connections::provider::capitalize(
            &kind.replace('_', " "),
        )),
        started_at: start,
        ended_at: seconds
            .and_then(chrono::Duration::try_seconds)
            .and_then(|d| start.checked_add_signed(d)),
        duration_seconds: seconds,
        distance_meters: num(e, "distance").map(f64::round),
        calories_kcal: num(e, "calories"),
        avg_heart_rate: hr.and_then(|h| num(h, "average")).map(|h| h.round() as i64),
        max_heart_rate: hr.and_then(|h| num(h, "maximum")).map(|h| h.round() as i64),
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

fn minutes(v: &Value, key: &str) -> Option<f64> {
    num(v, key).map(|s| (s / 60.0).round())
}

fn map_sleep(n: &Value, batch: &mut Batch) {
    let (Some(date), Some(start), Some(end)) = (
        n.get("date").and_then(Value::as_str),
        time(n, "sleep_start_time"),
        time(n, "sleep_end_time"),
    ) else {
        return;
    };
    if end <= start {
        return;
    }
    let score = num(n, "sleep_score");
    let data = json!({
        "stages": {
            "deep": minutes(n, "deep_sleep"),
            "light": minutes(n, "light_sleep"),
            "rem": minutes(n, "rem_sleep"),
            "awake": minutes(n, "total_interruption_duration"),
        },
        "startTime": start.to_rfc3339(),
        "endTime": end.to_rfc3339(),
        "score": score,
        "continuity": num(n, "continuity"),
        "sleepCharge": num(n, "sleep_charge"),
    });
    batch.events.push(EventInput {
        provider_event_id: format!("sleep-{date}"),
        event_type: "sleep".into(),
        activity_type: Some("sleep".into()),
        title: Some("Sleep".into()),
        started_at: start,
        ended_at: Some(end),
        duration_seconds: Some((end - start).num_seconds()),
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
        recorded_at: start,
    });
    point(batch, "sleep_score", score, Some(end));
}

fn map_recharge(r: &Value, batch: &mut Batch) {
    let at = noon(r, "date");
    point(batch, "resting_heart_rate", num(r, "heart_rate_avg"), at);
    point(
        batch,
        "heart_rate_variability",
        num(r, "heart_rate_variability_avg"),
        at,
    );
    point(
        batch,
        "respiratory_rate",
        num(r, "breathing_rate_avg").map(|b| (b * 10.0).round() / 10.0),
        at,
    );
}

fn map_activity(a: &Value, batch: &mut Batch) {
    // `start_time` is device-local; its date is the day.
    let Some(day) = a
        .get("start_time")
        .and_then(Value::as_str)
        .and_then(|s| s.get(..10))
        .and_then(|d| d.parse::<NaiveDate>().ok())
    else {
        return;
    };
    let at = day.and_hms_opt(12, 0, 0).map(|t| t.and_utc());
    point(batch, "steps", num(a, "steps"), at);
    point(
        batch,
        "distance",
        num(a, "distance_from_steps").map(f64::round),
        at,
    );
    point(batch, "calories", num(a, "active_calories"), at);
    let active = a
        .get("active_duration")
        .and_then(Value::as_str)
        .and_then(iso_duration)
        .map(|s| (s / 60.0).round());
    point(batch, "active_minutes", active, at);
}

fn map_heart_rate(day: &Value, tz: chrono_tz::Tz, batch: &mut Batch) {
    let Some(date) = day
        .get("date")
        .and_then(Value::as_str)
        .and_then(|d| d.parse::<NaiveDate>().ok())
    else {
        return;
    };
    for s in day
        .get("heart_rate_samples")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let at = s
            .get("sample_time")
            .and_then(Value::as_str)
            .and_then(|t| chrono::NaiveTime::parse_from_str(t, "%H:%M:%S").ok())
            .and_then(|t| local(date.and_time(t), tz));
        point(batch, "heart_rate", num(s, "heart_rate"), at);
    }
}

/// Maps one answer of `collection` into the batch.
pub fn map_answer(collection: &str, body: &Value, window: Window, batch: &mut Batch) {
    let list = |key: Option<&str>| -> Vec<Value> {
        let v = match key {
            Some(k) => body.get(k),
            None => Some(body),
        };
        match v {
            Some(Value::Array(a)) => a.clone(),
            Some(o @ Value::Object(_)) => vec![o.clone()],
            _ => Vec::new(),
        }
    };
    match collection {
        "exercises" => list(None).iter().for_each(|e| map_exercise(e, batch)),
        "sleep" => list(Some("nights"))
            .iter()
            .for_each(|n| map_sleep(n, batch)),
        "nightly-recharge" => list(Some("recharges"))
            .iter()
            .for_each(|r| map_recharge(r, batch)),
        "activities" => list(None).iter().for_each(|a| map_activity(a, batch)),
        _ => list(None)
            .iter()
            .for_each(|d| map_heart_rate(d, window.zone, batch)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_durations() {
        assert_eq!(iso_duration("PT2H44M"), Some(9840.0));
        assert_eq!(iso_duration("PT45M30S"), Some(2730.0));
        assert_eq!(iso_duration("PT1.5S"), Some(1.5));
        assert_eq!(iso_duration("PT"), Some(0.0));
        assert_eq!(iso_duration("P1D"), None);
        assert_eq!(iso_duration("PT5X"), None);
    }

    #[test]
    fn sports() {
        assert_eq!(activity_type("RUNNING"), "running");
        assert_eq!(activity_type("ROAD_BIKING"), "cycling");
        assert_eq!(
            activity_type("WATERSPORTS_WATERSKI"),
            "watersports_waterski"
        );
    }
}
