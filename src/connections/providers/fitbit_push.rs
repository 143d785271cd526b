//! Google Health API notifications (facts in `docs/providers/google-health.md` §5).
//!
//! The admin creates a subscriber pointing at `<public URL>/push/fitbit` with the endpoint
//! authorization `Bearer <VITASYNC_FITBIT_PUSH_TOKEN>`; Google sends that value verbatim in
//! `Authorization` with every request. Its verification request (`{"type":"verification"}`)
//! comes once with the header, to be accepted, and once without, to be refused.
//!
//! A notification is a batch (a JSON array; a single object is accepted too) naming the
//! person's `healthUserId`, a data type and the changed intervals. It carries no delivery id,
//! so a notice's key is its content within a quarter of an hour: a retry of the same batch in
//! that time queues nothing, while a later change to the same day (steps keep coming) syncs
//! again.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::connections::provider::Endpoints;
use crate::connections::push::{json_body, same, Notice, PushError, PushReply, PushRequest};

/// How long a repeated notification counts as a retry of the first.
const RETRY_BUCKET_SECONDS: i64 = 15 * 60;

fn authorized(expected: &str, given: Option<&str>) -> bool {
    let Some(given) = given.map(str::trim) else {
        return false;
    };
    let bare = given
        .strip_prefix("Bearer ")
        .or_else(|| given.strip_prefix("bearer "))
        .unwrap_or(given);
    same(bare.as_bytes(), expected.as_bytes()) || same(given.as_bytes(), expected.as_bytes())
}

fn instant(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

pub fn receive(ep: &Endpoints, req: &PushRequest<'_>) -> Result<PushReply, PushError> {
    let token = ep.push_token.as_deref().ok_or(PushError::NotOffered)?;
    if req.method != http::Method::POST {
        return Err(PushError::NotOffered);
    }
    if !authorized(token, req.header("authorization")) {
        return Err(PushError::Unauthenticated(
            "the Authorization header does not match the subscriber's secret".into(),
        ));
    }
    let body: Value = json_body(req.body)?;
    if body["type"].as_str() == Some("verification") {
        return Ok(PushReply::Handshake(serde_json::json!({})));
    }
    let items = match body {
        Value::Array(items) => items,
        one @ Value::Object(_) => vec![one],
        _ => {
            return Err(PushError::Malformed(
                "the notification is neither an object nor a list".into(),
            ))
        }
    };
    let bucket = req.now.timestamp().div_euclid(RETRY_BUCKET_SECONDS);
    let mut notices = Vec::with_capacity(items.len());
    for item in &items {
        let d = item.get("data").unwrap_or(item);
        // One unreadable item must not hold back the rest (Google would retry the batch).
        let Some(user) = d["healthUserId"].as_str().filter(|u| !u.is_empty()) else {
            tracing::warn!("Google Health notification without healthUserId ignored");
            continue;
        };
        let kind = d["dataType"].as_str().unwrap_or("unknown");
        let operation = d["operation"].as_str().unwrap_or("");
        let intervals: Vec<&Value> = d["intervals"].as_array().into_iter().flatten().collect();
        let since = intervals
            .iter()
            .filter_map(|i| instant(&i["physicalTimeInterval"]["startTime"]))
            .min();
        let spans: Vec<String> = intervals
            .iter()
            .map(|i| {
                i["civilIso8601TimeInterval"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| i["physicalTimeInterval"].to_string())
            })
            .collect();
        notices.push(Notice {
            account_id: user.to_string(),
            key: format!("{user}:{kind}:{operation}:{}@{bucket}", spans.join(",")),
            since,
            data: None,
        });
    }
    Ok(PushReply::Notices(notices))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_taken_with_or_without_its_scheme() {
        assert!(authorized("s3cret", Some("Bearer s3cret")));
        assert!(authorized("s3cret", Some("s3cret")));
        assert!(authorized("Bearer s3cret", Some("Bearer s3cret")));
        assert!(!authorized("s3cret", Some("Bearer s3cre")));
        assert!(!authorized("s3cret", None));
    }
}
