//! Google Health API data points (as Fitbit data arrives) → our readings and events. Facts in
//! `docs/providers/google-health.md` §3.
//!
//! int64 values come as JSON strings and zero values are left out; a local day's figure counts
//! at noon of that day in the person's zone.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::{json, Value};

use super::fields::point;
use crate::connections::provider::capitalize;
use crate::health::ingest::{Batch, EventInput, PointInput};

/// "daily-resting-heart-rate" → "dailyRestingHeartRate" (the JSON value key).
pub fn value_key(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut upper = false;
    for c in path.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A number, or an int64 sent as a string.
pub fn n(v: &Value) -> Option<f64> {
    match v {
        Value::Number(x) => x.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `"3471s"` → seconds.
fn seconds(v: &Value) -> Option<f64> {
    v.as_str()?.trim().strip_suffix('s')?.parse().ok()
}

fn instant(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn round_to(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// `{year, month, day}` → a date.
fn civil_date(v: &Value) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        v.get("year")?.as_i64()? as i32,
        v.get("month")?.as_u64()? as u32,
        v.get("day")?.as_u64()? as u32,
    )
}

/// A local day's figure counts at noon of that day in the person's zone.
fn local_noon(d: NaiveDate, zone: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    zone.from_local_datetime(&d.and_hms_opt(12, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Maps one `dailyRollUp` row of `path`.
pub fn map_daily_total(path: &str, r: &Value, zone: chrono_tz::Tz, batch: &mut Batch) {
    let at = r
        .get("civilStartTime")
        .and_then(|c| c.get("date"))
        .and_then(civil_date)
        .and_then(|d| local_noon(d, zone));
    let v = &r[value_key(path)];
    let (metric, value) = match path {
        "steps" => ("steps", n(&v["countSum"])),
        "distance" => (
            "distance",
            n(&v["millimetersSum"]).map(|mm| round_to(mm / 1000.0, 1)),
        ),
        "floors" => ("floors", n(&v["countSum"])),
        "active-energy-burned" => ("calories", n(&v["kcalSum"]).map(|k| round_to(k, 1))),
        "active-minutes" => {
            let levels = v["activeMinutesRollupByActivityLevel"].as_array();
            let active = levels.map(|levels| {
                levels
                    .iter()
                    .filter(|l| {
                        matches!(l["activityLevel"].as_str(), Some("MODERATE" | "VIGOROUS"))
                    })
                    .filter_map(|l| n(&l["activeMinutesSum"]))
                    .sum::<f64>()
            });
            ("active_minutes", active)
        }
        _ => return,
    };
    point(batch, metric, value, at);
}

/// Maps one heart-rate `rollUp` row (a minute's average).
pub fn map_heart_rate(r: &Value, batch: &mut Batch) {
    let avg = n(&r["heartRate"]["beatsPerMinuteAvg"]).map(f64::round);
    point(batch, "heart_rate", avg, instant(&r["startTime"]));
}

/// Maps one listed data point of `path`.
pub fn map_point(path: &str, dp: &Value, zone: chrono_tz::Tz, batch: &mut Batch) {
    let v = &dp[value_key(path)];
    let day = || civil_date(&v["date"]).and_then(|d| local_noon(d, zone));
    let sampled = || instant(&v["sampleTime"]["physicalTime"]);
    match path {
        "daily-resting-heart-rate" => {
            point(batch, "resting_heart_rate", n(&v["beatsPerMinute"]), day())
        }
        "daily-heart-rate-variability" => point(
            batch,
            "heart_rate_variability",
            n(&v["averageHeartRateVariabilityMilliseconds"]).map(|x| round_to(x, 1)),
            day(),
        ),
        "daily-oxygen-saturation" => point(batch, "spo2", n(&v["averagePercentage"]), day()),
        "daily-respiratory-rate" => {
            point(batch, "respiratory_rate", n(&v["breathsPerMinute"]), day())
        }
        "daily-sleep-temperature-derivations" => {
            if let (Some(t), Some(at)) = (n(&v["nightlyTemperatureCelsius"]), day()) {
                batch.points.push(PointInput {
                    metric_type: "temperature".into(),
                    value: Some(round_to(t, 2)),
                    unit: None,
                    data: Some(json!({
                        "site": "skin",
                        "baselineCelsius": n(&v["baselineTemperatureCelsius"]),
                    })),
                    recorded_at: at,
                });
            }
        }
        "weight" => point(
            batch,
            "weight",
            n(&v["weightGrams"]).map(|g| round_to(g / 1000.0, 2)),
            sampled(),
        ),
        "body-fat" => point(batch, "body_fat", n(&v["percentage"]), sampled()),
        "sleep" => map_sleep(dp, batch),
        "exercise" => map_exercise(dp, batch),
        _ => {}
    }
}

/// The data point's id: the last segment of its `name`.
fn point_id(dp: &Value) -> Option<&str> {
    dp["name"].as_str().and_then(|n| n.rsplit('/').next())
}

fn map_sleep(dp: &Value, batch: &mut Batch) {
    let s = &dp["sleep"];
    let (Some(start), Some(end)) = (
        instant(&s["interval"]["startTime"]),
        instant(&s["interval"]["endTime"]),
    ) else {
        return;
    };
    let id = point_id(dp)
        .map(str::to_string)
        .unwrap_or_else(|| start.timestamp().to_string());
    let summary = &s["summary"];
    // Reconciled answers can repeat a stage; each type counts once.
    let mut by_stage = std::collections::BTreeMap::<String, f64>::new();
    for st in summary["stagesSummary"].as_array().into_iter().flatten() {
        if let (Some(t), Some(m)) = (st["type"].as_str(), n(&st["minutes"])) {
            by_stage.entry(t.to_string()).or_insert(m);
        }
    }
    let stage = |k: &str| by_stage.get(k).copied();
    let classic = s["type"].as_str() == Some("CLASSIC");
    let stages = if classic {
        // Asleep / restless / awake only: the awake time, and sleep is the rest.
        let awake = n(&summary["minutesAwake"])
            .or_else(|| Some(stage("AWAKE").unwrap_or(0.0) + stage("RESTLESS").unwrap_or(0.0)));
        json!({"awake": awake})
    } else {
        json!({
            "deep": stage("DEEP"),
            "light": stage("LIGHT"),
            "rem": stage("REM"),
            "awake": stage("AWAKE"),
        })
    };
    let meta = &s["metadata"];
    let nap = meta["nap"].as_bool() == Some(true) || meta["mainSleep"].as_bool() == Some(false);
    let efficiency = match (
        n(&summary["minutesAsleep"]),
        n(&summary["minutesInSleepPeriod"]),
    ) {
        (Some(a), Some(p)) if p > 0.0 => Some((a / p * 100.0).round()),
        _ => None,
    };
    let data = json!({
        "stages": stages,
        "startTime": start.to_rfc3339(),
        "endTime": end.to_rfc3339(),
        "efficiency": efficiency,
        "latencyMinutes": n(&summary["minutesToFallAsleep"]),
        "nap": nap,
        "sleepType": s["type"],
    });
    batch.events.push(EventInput {
        provider_event_id: format!("sleep-{id}"),
        event_type: "sleep".into(),
        activity_type: Some(if nap { "nap" } else { "sleep" }.into()),
        title: Some(if nap { "Nap" } else { "Sleep" }.into()),
        started_at: start,
        ended_at: Some(end),
        duration_seconds: Some((end - start).num_seconds()),
        distance_meters: None,
        calories_kcal: None,
        avg_heart_rate: None,
        max_heart_rate: None,
        data: Some(data.clone()),
    });
    if !nap {
        batch.points.push(PointInput {
            metric_type: "sleep".into(),
            value: None,
            unit: None,
            data: Some(data),
            recorded_at: start,
        });
    }
}

/// Google's exercise types (`RUNNING`, `BIKING`, `STRENGTH_TRAINING`, … an open list) as ours.
pub fn activity_type(kind: &str) -> String {
    let s = kind.to_ascii_lowercase();
    match s.as_str() {
        "running" | "treadmill_running" | "trail_running" => "running".into(),
        "biking" | "cycling" | "indoor_biking" | "mountain_biking" => "cycling".into(),
        "walking" | "hiking" => "walking".into(),
        "swimming" | "pool_swimming" | "open_water_swimming" => "swimming".into(),
        "weightlifting" | "strength_training" => "strength".into(),
        "yoga" | "pilates" => "yoga".into(),
        "rowing" | "rowing_machine" => "rowing".into(),
        _ => s,
    }
}

fn map_exercise(dp: &Value, batch: &mut Batch) {
    let e = &dp["exercise"];
    let (Some(start), Some(end)) = (
        instant(&e["interval"]["startTime"]),
        instant(&e["interval"]["endTime"]),
    ) else {
        return;
    };
    let id = point_id(dp)
        .map(str::to_string)
        .unwrap_or_else(|| start.timestamp().to_string());
    let kind = e["exerciseType"].as_str().unwrap_or("OTHER");
    let m = &e["metricsSummary"];
    let duration = seconds(&e["activeDuration"])
        .map(|s| s as i64)
        .unwrap_or_else(|| (end - start).num_seconds());
    let title = e["displayName"]
        .as_str()
        .filter(|t| !t.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| capitalize(&kind.to_ascii_lowercase().replace('_', " ")));
    let data = json!({
        "durationSeconds": duration,
        "sport": kind,
        "activeZoneMinutes": n(&m["activeZoneMinutes"]),
        "steps": n(&m["steps"]),
        "elevationGainMeters": n(&m["elevationGainMillimeters"]).map(|mm| round_to(mm / 1000.0, 1)),
    });
    batch.events.push(EventInput {
        provider_event_id: format!("exercise-{id}"),
        event_type: "workout".into(),
        activity_type: Some(activity_type(kind)),
        title: Some(title),
        started_at: start,
        ended_at: Some(end),
        duration_seconds: Some(duration),
        distance_meters: n(&m["distanceMillimeters"])
            .filter(|mm| *mm > 0.0)
            .map(|mm| round_to(mm / 1000.0, 1)),
        calories_kcal: n(&m["caloriesKcal"]).map(|k| round_to(k, 1)),
        avg_heart_rate: n(&m["averageHeartRateBeatsPerMinute"]).map(|h| h.round() as i64),
        max_heart_rate: None,
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

#[cfg(test)]
mod tests {
    use super::super::fitbit::ID;
    use super::*;
    use crate::health::ingest::Source;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/fitbit/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn values(b: &Batch, metric: &str) -> Vec<f64> {
        b.points
            .iter()
            .filter(|p| p.metric_type == metric)
            .filter_map(|p| p.value)
            .collect()
    }

    fn listed(path: &str) -> Batch {
        let mut b = Batch::new(ID, Source::User);
        for dp in fixture(&format!("{path}.json"))["dataPoints"]
            .as_array()
            .unwrap()
        {
            map_point(path, dp, chrono_tz::Asia::Tokyo, &mut b);
        }
        b
    }

    fn rolled(path: &str) -> Batch {
        let mut b = Batch::new(ID, Source::User);
        for r in fixture(&format!("{path}.json"))["rollupDataPoints"]
            .as_array()
            .unwrap()
        {
            map_daily_total(path, r, chrono_tz::Asia::Tokyo, &mut b);
        }
        b
    }

    #[test]
    fn daily_totals_read_int64_strings_and_units() {
        assert_eq!(values(&rolled("steps"), "steps"), vec![9525.0, 7012.0]);
        // Millimetres → metres.
        assert_eq!(
            values(&rolled("distance"), "distance"),
            vec![7034.2, 5120.0]
        );
        assert_eq!(values(&rolled("floors"), "floors"), vec![12.0]);
        assert_eq!(
            values(&rolled("active-energy-burned"), "calories"),
            vec![612.8, 402.1]
        );
        // Moderate + vigorous; light minutes are not "active".
        assert_eq!(
            values(&rolled("active-minutes"), "active_minutes"),
            vec![42.0, 9.0]
        );
        // 2026-11-20 at noon in Tokyo.
        assert_eq!(
            rolled("steps").points[0].recorded_at.to_rfc3339(),
            "2026-11-20T03:00:00+00:00"
        );
    }

    #[test]
    fn daily_documents_and_samples() {
        assert_eq!(
            values(&listed("daily-resting-heart-rate"), "resting_heart_rate"),
            vec![47.0, 49.0]
        );
        assert_eq!(
            values(
                &listed("daily-heart-rate-variability"),
                "heart_rate_variability"
            ),
            vec![78.8]
        );
        assert_eq!(
            values(&listed("daily-oxygen-saturation"), "spo2"),
            vec![96.4]
        );
        assert_eq!(
            values(&listed("daily-respiratory-rate"), "respiratory_rate"),
            vec![14.2]
        );
        assert_eq!(
            values(
                &listed("daily-sleep-temperature-derivations"),
                "temperature"
            ),
            vec![34.12]
        );
        // Grams → kilograms.
        assert_eq!(values(&listed("weight"), "weight"), vec![90.2]);
        assert_eq!(values(&listed("body-fat"), "body_fat"), vec![25.8]);
    }

    #[test]
    fn a_night_has_stages_once_each_and_a_nap_is_an_event_only() {
        let b = listed("sleep");
        assert_eq!(b.events.len(), 2);
        let night = b.points.iter().find(|p| p.metric_type == "sleep").unwrap();
        let d = night.data.as_ref().unwrap();
        // The repeated LIGHT entry counts once.
        assert_eq!(
            d["stages"],
            json!({"deep": 48.0, "light": 146.0, "rem": 54.0, "awake": 6.0})
        );
        assert_eq!(d["efficiency"], json!(98.0));
        assert_eq!(b.events[0].provider_event_id, "sleep-8808518358174752984");
        let nap = &b.events[1];
        assert_eq!(nap.title.as_deref(), Some("Nap"));
        // A classic record has only its awake time.
        assert_eq!(nap.data.as_ref().unwrap()["stages"], json!({"awake": 4.0}));
    }

    #[test]
    fn exercises_become_workouts() {
        let b = listed("exercise");
        let lift = &b.events[0];
        assert_eq!(lift.activity_type.as_deref(), Some("strength"));
        assert_eq!(lift.duration_seconds, Some(3471));
        assert_eq!(lift.calories_kcal, Some(440.0));
        assert_eq!(lift.avg_heart_rate, Some(107));
        assert_eq!(lift.distance_meters, None);
        let ride = &b.events[1];
        assert_eq!(ride.activity_type.as_deref(), Some("cycling"));
        assert_eq!(ride.title.as_deref(), Some("Biking"));
        assert_eq!(ride.distance_meters, Some(15230.5));
    }
}
