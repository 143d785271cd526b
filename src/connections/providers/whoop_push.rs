//! WHOOP webhooks (v2 model, facts in `docs/providers/whoop.md` §4): every event is signed with
//! `X-WHOOP-Signature` = base64(HMAC-SHA256(client secret, `X-WHOOP-Signature-Timestamp` + raw
//! body)); the body names the user and a record (`workout.updated`, `sleep.deleted`, …) and is
//! a pointer only, so it becomes a sync. Duplicates share a `trace_id`.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::connections::provider::Endpoints;
use crate::connections::push::{
    check_fresh, hmac_sha256, id_text, json_body, same, Notice, PushError, PushReply, PushRequest,
};

#[derive(Deserialize)]
struct Event {
    user_id: Value,
    #[serde(default)]
    id: Option<Value>,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    trace_id: Option<String>,
}

/// The signature's timestamp: milliseconds since the epoch.
fn signed_at(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(raw.trim().parse().ok()?)
}

pub fn receive(ep: &Endpoints, req: &PushRequest<'_>) -> Result<PushReply, PushError> {
    if req.method != http::Method::POST {
        return Err(PushError::NotOffered);
    }
    let secret = ep.client_secret.as_deref().ok_or(PushError::NotOffered)?;
    let (Some(sig), Some(ts)) = (
        req.header("x-whoop-signature"),
        req.header("x-whoop-signature-timestamp"),
    ) else {
        return Err(PushError::Unauthenticated(
            "the signature is missing".into(),
        ));
    };
    let expected = hmac_sha256(secret.as_bytes(), &[ts.as_bytes(), req.body]);
    let given = base64::engine::general_purpose::STANDARD
        .decode(sig.trim())
        .unwrap_or_default();
    if !same(&expected, &given) {
        return Err(PushError::Unauthenticated(
            "the signature does not match".into(),
        ));
    }
    check_fresh(signed_at(ts), req.now)?;
    let event: Event = json_body(req.body)?;
    let account_id = id_text(&event.user_id)
        .ok_or_else(|| PushError::Malformed("the notification names no user".into()))?;
    let record = event.id.as_ref().and_then(id_text).unwrap_or_default();
    let key = match event.trace_id.filter(|t| !t.is_empty()) {
        Some(t) => t,
        None => format!("{}:{record}:{ts}", event.kind),
    };
    Ok(PushReply::Notices(vec![Notice {
        account_id,
        key,
        // The body carries no time; the record may be days old (a workout logged late).
        since: None,
        data: None,
    }]))
}
