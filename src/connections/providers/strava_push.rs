//! Strava's Webhook Events API (facts in `docs/providers/strava.md` §5). The subscription is
//! validated by a `GET ?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…` handshake that
//! must echo the challenge; events are unsigned pointers (`owner_id`, `object_type`,
//! `object_id`, `aspect_type`), so each becomes a sync with the athlete's own token and a
//! forged one costs a read at most. A deauthorization (`authorized: "false"`) also becomes a
//! sync, which finds the grant gone and marks the connection for reconnecting: an unsigned
//! message alone never disconnects anyone. Because Strava does not sign events, the callback
//! URL registered with it carries our push token (`<public URL>/push/strava?token=<token>`),
//! and an event POST without it is refused; events are small, so bodies over
//! [`MAX_EVENT_BYTES`] are refused unread.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::connections::provider::Endpoints;
use crate::connections::push::{
    check_token, id_text, json_body, Notice, PushError, PushReply, PushRequest,
};

/// Strava's events are a few hundred bytes (ids, a time, and at most a title in `updates`).
pub const MAX_EVENT_BYTES: usize = 4 * 1024;

#[derive(Deserialize)]
struct Event {
    owner_id: Value,
    object_type: String,
    object_id: Value,
    aspect_type: String,
    #[serde(default)]
    event_time: Option<i64>,
    #[serde(default)]
    updates: Option<Value>,
}

pub fn receive(ep: &Endpoints, req: &PushRequest<'_>) -> Result<PushReply, PushError> {
    let token = ep.push_token.as_deref().ok_or(PushError::NotOffered)?;
    if req.method == http::Method::GET {
        check_token(
            Some(token),
            req.query.get("hub.verify_token").map(String::as_str),
        )?;
        let challenge = req
            .query
            .get("hub.challenge")
            .filter(|c| !c.is_empty())
            .ok_or_else(|| PushError::Malformed("hub.challenge is missing".into()))?;
        return Ok(PushReply::Handshake(json!({ "hub.challenge": challenge })));
    }
    check_token(Some(token), req.query.get("token").map(String::as_str))?;
    let event: Event = json_body(req.body)?;
    let (Some(owner), Some(object)) = (id_text(&event.owner_id), id_text(&event.object_id)) else {
        return Err(PushError::Malformed(
            "the event names no athlete or object".into(),
        ));
    };
    let updates = event
        .updates
        .as_ref()
        .map(Value::to_string)
        .unwrap_or_default();
    let key = format!(
        "{}:{object}:{}:{}:{updates}",
        event.object_type,
        event.aspect_type,
        event.event_time.unwrap_or(0)
    );
    Ok(PushReply::Notices(vec![Notice {
        account_id: owner,
        key,
        // An activity can be uploaded long after it happened; the event time says nothing.
        since: None,
        data: None,
    }]))
}
