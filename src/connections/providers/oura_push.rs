//! Oura webhooks (facts in `docs/providers/oura.md` §5). Creating a subscription is verified
//! by `GET ?verification_token=…&challenge=…`, answered `{"challenge": …}`; each event carries
//! `x-oura-signature` = hex HMAC-SHA256(client secret, `x-oura-timestamp` + raw body) and names
//! the user, the data type and the document, so it becomes a sync of that person.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::connections::provider::Endpoints;
use crate::connections::push::{
    check_fresh, check_token, hmac_sha256, id_text, json_body, same, Notice, PushError, PushReply,
    PushRequest,
};

#[derive(Deserialize)]
struct Event {
    user_id: Value,
    event_type: String,
    data_type: String,
    #[serde(default)]
    object_id: Option<Value>,
    #[serde(default)]
    event_time: Option<String>,
}

/// The signature's timestamp: epoch seconds (or milliseconds), or an RFC 3339 instant.
fn signed_at(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    match raw.parse::<i64>() {
        Ok(n) if n > 100_000_000_000 => DateTime::from_timestamp_millis(n),
        Ok(n) => DateTime::from_timestamp(n, 0),
        Err(_) => DateTime::parse_from_rfc3339(raw)
            .ok()
            .map(|t| t.with_timezone(&Utc)),
    }
}

pub fn receive(ep: &Endpoints, req: &PushRequest<'_>) -> Result<PushReply, PushError> {
    if req.method == http::Method::GET {
        check_token(
            ep.push_token.as_deref(),
            req.query.get("verification_token").map(String::as_str),
        )?;
        let challenge = req
            .query
            .get("challenge")
            .filter(|c| !c.is_empty())
            .ok_or_else(|| PushError::Malformed("challenge is missing".into()))?;
        return Ok(PushReply::Handshake(json!({ "challenge": challenge })));
    }
    let secret = ep.client_secret.as_deref().ok_or(PushError::NotOffered)?;
    let (Some(sig), Some(ts)) = (
        req.header("x-oura-signature"),
        req.header("x-oura-timestamp"),
    ) else {
        return Err(PushError::Unauthenticated(
            "the signature is missing".into(),
        ));
    };
    let expected = hmac_sha256(secret.as_bytes(), &[ts.as_bytes(), req.body]);
    // Oura sends upper-case hex; any case decodes the same.
    let given = hex::decode(sig.trim()).unwrap_or_default();
    if !same(&expected, &given) {
        return Err(PushError::Unauthenticated(
            "the signature does not match".into(),
        ));
    }
    check_fresh(signed_at(ts), req.now)?;
    let event: Event = json_body(req.body)?;
    let account_id = id_text(&event.user_id)
        .ok_or_else(|| PushError::Malformed("the notification names no user".into()))?;
    let object = event
        .object_id
        .as_ref()
        .and_then(id_text)
        .unwrap_or_default();
    let key = format!(
        "{account_id}:{}:{object}:{}:{}",
        event.data_type,
        event.event_type,
        event.event_time.unwrap_or_default()
    );
    Ok(PushReply::Notices(vec![Notice {
        account_id,
        key,
        // Daily documents are re-read from two days back anyway (see `oura::DAYS_BEFORE`).
        since: None,
        data: None,
    }]))
}

/// The data types subscribed (the collections a sync reads that Oura can announce; heart rate
/// has no webhook), each for created and updated documents.
const PUSHED: &[&str] = &[
    "daily_activity",
    "daily_sleep",
    "daily_readiness",
    "sleep",
    "daily_spo2",
    "workout",
];
const EVENTS: &[&str] = &["create", "update"];

/// Subscriptions this close to expiring are renewed (Oura does not document their lifetime).
const RENEW_WITHIN_DAYS: i64 = 7;

#[derive(Deserialize)]
struct Subscription {
    id: String,
    callback_url: String,
    event_type: String,
    data_type: String,
    #[serde(default)]
    expiration_time: Option<String>,
}

/// Makes sure every (event, data type) pair has a subscription to `push_url`, renewing those
/// that expire within a week; a renewal Oura no longer knows (403/404) is created afresh.
/// Returns what it did.
pub async fn maintain(
    http: &reqwest::Client,
    ep: &Endpoints,
    token: &str,
    push_url: &str,
    now: DateTime<Utc>,
) -> Result<String, String> {
    let secret = ep.client_secret.as_deref().unwrap_or_default();
    let url = |path: &str| crate::connections::provider::join(&ep.api_url, path);
    let with_app = |req: reqwest::RequestBuilder| {
        req.header("x-client-id", &ep.client_id)
            .header("x-client-secret", secret)
    };
    let res = with_app(http.get(url("v2/webhook/subscription")))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !res.status().is_success() {
        return Err(format!(
            "listing subscriptions: Oura answered {}",
            res.status()
        ));
    }
    let existing: Vec<Subscription> = res.json().await.map_err(|e| e.to_string())?;
    let (mut created, mut renewed) = (0, 0);
    for data_type in PUSHED {
        for event_type in EVENTS {
            let found = existing.iter().find(|s| {
                s.callback_url == push_url
                    && s.data_type == *data_type
                    && s.event_type == *event_type
            });
            if let Some(s) = found {
                let expires = s
                    .expiration_time
                    .as_deref()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc));
                if expires.is_some_and(|t| t - now > chrono::Duration::days(RENEW_WITHIN_DAYS)) {
                    continue;
                }
                let res =
                    with_app(http.put(url(&format!("v2/webhook/subscription/renew/{}", s.id))))
                        .send()
                        .await
                        .map_err(|e| e.to_string())?;
                if res.status().is_success() {
                    renewed += 1;
                    continue;
                }
                if !matches!(res.status().as_u16(), 403 | 404) {
                    return Err(format!(
                        "renewing {data_type}: Oura answered {}",
                        res.status()
                    ));
                }
            }
            let body = json!({
                "callback_url": push_url,
                "verification_token": token,
                "event_type": event_type,
                "data_type": data_type,
            });
            let res = with_app(http.post(url("v2/webhook/subscription")))
                .json(&body)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if !res.status().is_success() {
                return Err(format!(
                    "subscribing {event_type} {data_type}: Oura answered {}",
                    res.status()
                ));
            }
            created += 1;
        }
    }
    Ok(format!("{created} created, {renewed} renewed"))
}
