//! Reading providers' JSON documents: numbers and RFC 3339 instants by key, and adding a
//! reading to a batch only when both its value and its time are there.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::health::ingest::{Batch, PointInput};

/// `v[key]` as an instant, when it is an RFC 3339 string.
pub fn time(v: &Value, key: &str) -> Option<DateTime<Utc>> {
    v.get(key)
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// `v[key]` as a number.
pub fn num(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64)
}

/// Adds a plain reading of `metric`, when both the value and its time are known.
pub fn point(batch: &mut Batch, metric: &str, value: Option<f64>, at: Option<DateTime<Utc>>) {
    if let (Some(value), Some(at)) = (value, at) {
        batch.points.push(PointInput {
            metric_type: metric.to_string(),
            value: Some(value),
            unit: None,
            data: None,
            recorded_at: at,
        });
    }
}
