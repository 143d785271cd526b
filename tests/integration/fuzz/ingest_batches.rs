//! The REST ingest body (`IngestBody`, read with `serde_json::from_slice` as the API reads it)
//! and the ingest validation fed arbitrary input: bytes that are not JSON, random documents of
//! the batch's field names, and valid readings of every catalogue metric (and sessions of
//! every kind) mutated. Reading is a batch or an error; validating each reading and session
//! is a row or an item error; and what validation accepts is within its own bounds: in time
//! (not before 1970, not more than a day ahead), within the metric's range, with plausible
//! heart rates and sessions that do not end before they start.

use chrono::Duration;
use vitasync::api::health::IngestBody;
use vitasync::health::catalogue::{self, Kind, METRICS};
use vitasync::health::ingest::EventInput;

use super::*;

/// The field names of readings, sessions and their `data`.
const INGEST_KEYS: &str = "\
    providerId points metricType value unit data recordedAt startTime endTime stages deep \
    light rem awake efficiency score consistency systolic diastolic pulse status \
    durationSeconds providerEventId eventType activityType title startedAt endedAt \
    distanceMeters caloriesKcal avgHeartRate maxHeartRate";

/// A valid reading of every metric in the catalogue, and two in other units.
fn readings() -> Vec<Value> {
    let at = "2025-06-01T08:00:00Z";
    let mut out: Vec<Value> = METRICS
        .iter()
        .map(|m| match m.kind {
            Kind::Scalar => {
                json!({"metricType": m.id, "value": (m.min + m.max) / 2.0, "recordedAt": at})
            }
            Kind::Sleep => json!({"metricType": m.id, "recordedAt": at, "data": {
                "startTime": "2025-05-31T23:00:00Z", "endTime": "2025-06-01T07:00:00Z",
                "stages": {"deep": 80, "light": 240, "rem": 90, "awake": 20},
                "efficiency": 92, "score": 80}}),
            Kind::BloodPressure => json!({"metricType": m.id, "recordedAt": at,
                "data": {"systolic": 120, "diastolic": 80, "pulse": 60}}),
            Kind::HrvStatus => {
                json!({"metricType": m.id, "recordedAt": at, "data": {"status": "balanced"}})
            }
            Kind::Workout => {
                json!({"metricType": m.id, "recordedAt": at, "data": {"durationSeconds": 1800}})
            }
        })
        .collect();
    out.push(json!({"metricType": "weight", "value": 160, "unit": "lb", "recordedAt": at}));
    out.push(json!({"metricType": "blood_oxygen", "value": 97, "unit": "%", "recordedAt": at}));
    out
}

/// A valid session of each kind.
fn sessions() -> Vec<Value> {
    vec![
        json!({"providerEventId": "run-1", "eventType": "workout", "activityType": "Trail Run",
            "title": "Morning run", "startedAt": "2025-06-01T06:00:00Z",
            "endedAt": "2025-06-01T06:45:00Z", "durationSeconds": 2700, "distanceMeters": 8012.5,
            "caloriesKcal": 610.0, "avgHeartRate": 152, "maxHeartRate": 181,
            "data": {"laps": [{"lapNumber": 1}]}}),
        json!({"providerEventId": "night-1", "eventType": "sleep",
            "startedAt": "2025-05-31T23:00:00Z", "endedAt": "2025-06-01T07:00:00Z"}),
        json!({"providerEventId": "walk-1", "eventType": "activity",
            "startedAt": "2025-06-01T12:00:00Z", "durationSeconds": 600}),
    ]
}

#[test]
fn any_body_reads_as_a_batch_or_an_error_and_validates_to_values() {
    let keys = names(INGEST_KEYS);
    let seed = json!({"providerId": "acme_scale", "points": readings()});
    let bytes = prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..256),
        2 => json_with(keys).prop_map(|v| v.to_string().into_bytes()),
        5 => mutations_of(vec![seed], keys).prop_map(|v| v.to_string().into_bytes()),
    ];
    check("ingest_body", CASES, (bytes, zone()), |(bytes, tz)| {
        let Ok(body) = serde_json::from_slice::<IngestBody>(&bytes) else {
            return Ok(());
        };
        let _ = validate::provider_id(&body.provider_id);
        let now = Utc::now();
        for (i, p) in body.points.iter().enumerate() {
            let Ok(row) = validate::point(i, p, tz, now) else {
                continue;
            };
            prop_assert!(row.recorded_at.timestamp() >= 0, "{}", row.recorded_at);
            prop_assert!(row.recorded_at <= now + Duration::hours(26));
            if row.metric.kind == Kind::Scalar {
                let v = row.value.unwrap_or(f64::NAN);
                prop_assert!(
                    v.is_finite() && v >= row.metric.min && v <= row.metric.max,
                    "{} = {v}",
                    row.metric.id
                );
            }
        }
        Ok(())
    });
}

#[test]
fn any_sessions_validate_to_rows_within_bounds_or_errors() {
    let keys = names(INGEST_KEYS);
    let session = prop_oneof![
        3 => mutations_of(sessions(), keys),
        1 => json_with(keys),
    ];
    check(
        "ingest_sessions",
        CASES,
        prop::collection::vec(session, 1..4),
        |docs| {
            let bytes = Value::Array(docs).to_string().into_bytes();
            let Ok(events) = serde_json::from_slice::<Vec<EventInput>>(&bytes) else {
                return Ok(());
            };
            let now = Utc::now();
            for (i, e) in events.iter().enumerate() {
                let Ok(row) = validate::event(i, e, now) else {
                    continue;
                };
                prop_assert!((1..=255).contains(&row.provider_event_id.len()));
                prop_assert!(row.started_at.timestamp() >= 0, "{}", row.started_at);
                prop_assert!(row.ended_at.is_none_or(|end| end >= row.started_at));
                for hr in [row.avg_heart_rate, row.max_heart_rate]
                    .into_iter()
                    .flatten()
                {
                    prop_assert!((20..=250).contains(&hr), "{hr}");
                }
                prop_assert!(row.title.is_none_or(|t| t.chars().count() <= 255));
            }
            Ok(())
        },
    );
}

/// The units readings may come in.
const UNITS: &str = "m km mi miles kJ min s h minutes lbs lb % °C C °F F fahrenheit mmol/L \
    mg/dL brpm steps floors count kg";

#[test]
fn units_and_figures_convert_and_print_for_any_input() {
    let strategy = (
        prop::sample::select(METRICS.iter().map(|m| m.id).collect::<Vec<_>>()),
        prop_oneof![
            2 => prop::sample::select(names(UNITS)).prop_map(str::to_string),
            1 => text(),
        ],
        prop_oneof![
            1 => prop::sample::select(EXTREME_FLOATS),
            1 => any::<f64>(),
        ],
        any::<u8>(),
    );
    check(
        "ingest_units",
        CASES,
        strategy,
        |(id, unit, value, decimals)| {
            let metric = catalogue::metric(id).expect("a catalogue metric");
            let _ = catalogue::to_canonical(metric, &unit, value);
            let _ = catalogue::accepted_units(metric);
            prop_assert!(!catalogue::format_number(value, decimals.min(20)).is_empty());
            prop_assert!(!metric.format(value).is_empty());
            Ok(())
        },
    );
}
