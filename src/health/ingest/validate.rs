//! Turning submitted points and events into rows, or into a list of what is wrong with each.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use super::{EventInput, ItemError, PointInput};
use crate::health::catalogue::{self, Kind, MetricInfo, HRV_STATUSES};
use crate::health::local_time::local_date;

/// Largest JSON object one point or event may carry.
const MAX_DATA_BYTES: usize = 64 * 1024;

/// A validated point in canonical units, ready to write.
#[derive(Clone, Debug, PartialEq)]
pub struct PointRow {
    pub metric: &'static MetricInfo,
    pub value: Option<f64>,
    pub data: Option<String>,
    pub derived: Option<f64>,
    pub derived2: Option<f64>,
    pub recorded_at: DateTime<Utc>,
    pub local_date: NaiveDate,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    pub provider_event_id: String,
    pub event_type: String,
    pub activity_type: Option<String>,
    pub title: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i32>,
    pub distance_meters: Option<f64>,
    pub calories_kcal: Option<f64>,
    pub avg_heart_rate: Option<i32>,
    pub max_heart_rate: Option<i32>,
    pub data: Option<String>,
}

/// Points may not claim to come from further ahead than a clock could plausibly drift.
fn too_far_ahead(at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    at > now + Duration::hours(26)
}

fn too_old(at: DateTime<Utc>) -> bool {
    at.timestamp() < 0
}

pub fn point(
    index: usize,
    p: &PointInput,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<PointRow, ItemError> {
    let err = |field: &str, message: String| ItemError {
        index,
        field: field.to_string(),
        message,
    };
    let metric = catalogue::metric(&p.metric_type).ok_or_else(|| {
        err(
            "metricType",
            format!("Unknown metric type \"{}\".", truncate(&p.metric_type)),
        )
    })?;
    if too_far_ahead(p.recorded_at, now) {
        return Err(err(
            "recordedAt",
            "recordedAt is in the future.".to_string(),
        ));
    }
    if too_old(p.recorded_at) {
        return Err(err("recordedAt", "recordedAt is before 1970.".to_string()));
    }
    // Units: canonical, or a known alternative converted on the way in.
    let unit = p.unit.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let convert = |v: f64| -> Result<f64, ItemError> {
        match unit {
            None => Ok(v),
            Some(u) => catalogue::to_canonical(metric, u, v).ok_or_else(|| {
                err(
                    "unit",
                    format!(
                        "\"{}\" is not a unit for {}; use {}.",
                        truncate(u),
                        metric.id,
                        catalogue::accepted_units(metric).join(" or ")
                    ),
                )
            }),
        }
    };
    let data_text = match &p.data {
        None | Some(Value::Null) => None,
        Some(Value::Object(_)) => {
            let text = p.data.as_ref().map(Value::to_string).unwrap_or_default();
            if text.len() > MAX_DATA_BYTES {
                return Err(err("data", "data is larger than 64 KB.".to_string()));
            }
            Some(text)
        }
        Some(_) => return Err(err("data", "data must be a JSON object.".to_string())),
    };
    let in_range = |field: &str, what: &str, v: f64, lo: f64, hi: f64| {
        if v.is_finite() && v >= lo && v <= hi {
            Ok(v)
        } else {
            Err(err(
                field,
                format!(
                    "{what} must be between {} and {} {}.",
                    catalogue::format_number(lo, metric.decimals),
                    catalogue::format_number(hi, metric.decimals),
                    metric.unit
                ),
            ))
        }
    };

    let mut row = PointRow {
        metric,
        value: None,
        data: data_text,
        derived: None,
        derived2: None,
        recorded_at: p.recorded_at,
        local_date: local_date(p.recorded_at, tz),
    };
    if metric.kind == Kind::Scalar {
        let Some(v) = p.value else {
            return Err(err(
                "value",
                format!("{} needs a numeric value.", metric.id),
            ));
        };
        let v = convert(v)?;
        row.value = Some(in_range("value", metric.id, v, metric.min, metric.max)?);
        return Ok(row);
    }

    // Structured metrics: the figures live in `data`; `value` stays NULL.
    if p.value.is_some() {
        return Err(err(
            "value",
            format!(
                "{} is structured: send its figures in data and leave value empty.",
                metric.id
            ),
        ));
    }
    let Some(Value::Object(obj)) = &p.data else {
        return Err(err("data", format!("{} needs a data object.", metric.id)));
    };
    let num = |key: &str| obj.get(key).and_then(Value::as_f64);
    match metric.kind {
        Kind::Sleep => {
            let start = time_field(obj.get("startTime")).map_err(|m| err("data.startTime", m))?;
            let end = time_field(obj.get("endTime")).map_err(|m| err("data.endTime", m))?;
            if end.is_some_and(|e| too_far_ahead(e, now)) {
                return Err(err("data.endTime", "endTime is in the future.".into()));
            }
            // The night's end names its local day: never before the readings' own first year.
            if end.is_some_and(too_old) {
                return Err(err("data.endTime", "endTime is before 1970.".into()));
            }
            if let (Some(s), Some(e)) = (start, end) {
                if e <= s || e - s > Duration::hours(24) {
                    return Err(err(
                        "data.endTime",
                        "endTime must be after startTime and within 24 hours of it.".into(),
                    ));
                }
            }
            let stage = |k: &str| -> Result<Option<f64>, ItemError> {
                match obj.get("stages").and_then(|s| s.get(k)) {
                    None | Some(Value::Null) => Ok(None),
                    Some(v) => match v.as_f64() {
                        Some(x) if (0.0..=1440.0).contains(&x) => Ok(Some(x)),
                        _ => Err(err(
                            &format!("data.stages.{k}"),
                            format!("stages.{k} must be minutes between 0 and 1,440."),
                        )),
                    },
                }
            };
            let (deep, light, rem, awake) = (
                stage("deep")?,
                stage("light")?,
                stage("rem")?,
                stage("awake")?,
            );
            let asleep_minutes = match (deep, light, rem) {
                (None, None, None) => match (start, end) {
                    (Some(s), Some(e)) => {
                        Some((e - s).num_seconds() as f64 / 60.0 - awake.unwrap_or(0.0))
                    }
                    _ => None,
                },
                _ => Some(deep.unwrap_or(0.0) + light.unwrap_or(0.0) + rem.unwrap_or(0.0)),
            };
            let Some(asleep_minutes) = asleep_minutes.filter(|m| *m >= 0.0) else {
                return Err(err(
                    "data",
                    "sleep needs stages (minutes) or startTime and endTime.".into(),
                ));
            };
            let hours = in_range("data", "sleep", asleep_minutes / 60.0, 0.0, 24.0)?;
            for key in ["efficiency", "score", "consistency"] {
                if let Some(v) = obj.get(key).filter(|v| !v.is_null()) {
                    match v.as_f64() {
                        Some(x) if (0.0..=100.0).contains(&x) => {}
                        _ => {
                            return Err(err(
                                &format!("data.{key}"),
                                format!("{key} must be between 0 and 100."),
                            ))
                        }
                    }
                }
            }
            row.derived = Some(hours);
            // The night belongs to the day you wake up.
            if let Some(e) = end {
                row.local_date = local_date(e, tz);
            }
        }
        Kind::BloodPressure => {
            let (Some(sys), Some(dia)) = (num("systolic"), num("diastolic")) else {
                return Err(err(
                    "data",
                    "blood_pressure needs data.systolic and data.diastolic (mmHg).".into(),
                ));
            };
            if !(40.0..=300.0).contains(&sys) {
                return Err(err(
                    "data.systolic",
                    "Systolic must be between 40 and 300 mmHg.".into(),
                ));
            }
            if !(20.0..=200.0).contains(&dia) {
                return Err(err(
                    "data.diastolic",
                    "Diastolic must be between 20 and 200 mmHg.".into(),
                ));
            }
            if dia >= sys {
                return Err(err(
                    "data.diastolic",
                    "Diastolic must be lower than systolic.".into(),
                ));
            }
            if let Some(p) = obj.get("pulse").filter(|v| !v.is_null()) {
                if !p.as_f64().is_some_and(|x| (20.0..=250.0).contains(&x)) {
                    return Err(err(
                        "data.pulse",
                        "Pulse must be between 20 and 250 bpm.".into(),
                    ));
                }
            }
            row.derived = Some(sys);
            row.derived2 = Some(dia);
        }
        Kind::HrvStatus => {
            let status = obj.get("status").and_then(Value::as_str).unwrap_or("");
            let Some(pos) = HRV_STATUSES.iter().position(|s| *s == status) else {
                return Err(err(
                    "data.status",
                    format!(
                        "hrv_status needs data.status: one of {}.",
                        HRV_STATUSES.join(", ")
                    ),
                ));
            };
            row.derived = Some(pos as f64 + 1.0);
        }
        Kind::Workout => {
            if let Some(d) = obj.get("durationSeconds").filter(|v| !v.is_null()) {
                match d.as_f64() {
                    Some(s) if (0.0..=172_800.0).contains(&s) => row.derived = Some(s / 60.0),
                    _ => {
                        return Err(err(
                            "data.durationSeconds",
                            "durationSeconds must be between 0 and 172,800.".into(),
                        ))
                    }
                }
            }
        }
        Kind::Scalar => unreachable!("handled above"),
    }
    Ok(row)
}

fn time_field(v: Option<&Value>) -> Result<Option<DateTime<Utc>>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| "must be an ISO 8601 date-time such as 2025-06-05T23:15:00Z.".into()),
        Some(_) => Err("must be an ISO 8601 date-time string.".into()),
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

pub fn event(index: usize, e: &EventInput, now: DateTime<Utc>) -> Result<EventRow, ItemError> {
    let err = |field: &str, message: &str| ItemError {
        index,
        field: field.to_string(),
        message: message.to_string(),
    };
    let id = e.provider_event_id.trim();
    if id.is_empty() || id.len() > 255 {
        return Err(err(
            "providerEventId",
            "providerEventId must be 1–255 characters.",
        ));
    }
    if !["workout", "sleep", "activity"].contains(&e.event_type.as_str()) {
        return Err(err(
            "eventType",
            "eventType must be workout, sleep or activity.",
        ));
    }
    let activity_type = match e.activity_type.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(a) if a.len() <= 100 => Some(a.to_lowercase().replace([' ', '-'], "_")),
        Some(_) => {
            return Err(err(
                "activityType",
                "activityType is longer than 100 characters.",
            ))
        }
    };
    let title = match e.title.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) if t.chars().count() <= 255 => Some(t.to_string()),
        Some(_) => return Err(err("title", "title is longer than 255 characters.")),
    };
    if too_far_ahead(e.started_at, now) || too_old(e.started_at) {
        return Err(err("startedAt", "startedAt is not a plausible time."));
    }
    if let Some(end) = e.ended_at {
        if end < e.started_at {
            return Err(err("endedAt", "endedAt is before startedAt."));
        }
    }
    let duration_seconds = match e.duration_seconds {
        None => e
            .ended_at
            .map(|end| (end - e.started_at).num_seconds() as i32),
        Some(d) if (0..=7 * 86_400).contains(&d) => Some(d as i32),
        Some(_) => {
            return Err(err(
                "durationSeconds",
                "durationSeconds must be between 0 and 604,800.",
            ))
        }
    };
    let check = |field: &str, v: Option<f64>, hi: f64, msg: &str| match v {
        Some(x) if !(x.is_finite() && (0.0..=hi).contains(&x)) => Err(err(field, msg)),
        other => Ok(other),
    };
    let distance_meters = check(
        "distanceMeters",
        e.distance_meters,
        1_000_000.0,
        "distanceMeters must be between 0 and 1,000,000.",
    )?;
    let calories_kcal = check(
        "caloriesKcal",
        e.calories_kcal,
        50_000.0,
        "caloriesKcal must be between 0 and 50,000.",
    )?;
    let hr = |field: &str, v: Option<i64>| match v {
        Some(x) if !(20..=250).contains(&x) => {
            Err(err(field, "Heart rate must be between 20 and 250 bpm."))
        }
        other => Ok(other.map(|x| x as i32)),
    };
    let avg_heart_rate = hr("avgHeartRate", e.avg_heart_rate)?;
    let max_heart_rate = hr("maxHeartRate", e.max_heart_rate)?;
    let data = match &e.data {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => {
            let text = v.to_string();
            if text.len() > MAX_DATA_BYTES {
                return Err(err("data", "data is larger than 64 KB."));
            }
            Some(text)
        }
        Some(_) => return Err(err("data", "data must be a JSON object.")),
    };
    Ok(EventRow {
        provider_event_id: id.to_string(),
        event_type: e.event_type.clone(),
        activity_type,
        title,
        started_at: e.started_at,
        ended_at: e
            .ended_at
            .or_else(|| duration_seconds.map(|d| e.started_at + Duration::seconds(d as i64))),
        duration_seconds,
        distance_meters,
        calories_kcal,
        avg_heart_rate,
        max_heart_rate,
        data,
    })
}

/// A provider id: lower-case letters, digits and underscores.
pub fn provider_id(id: &str) -> bool {
    (2..=32).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
