//! Provider push intake: what a provider's notification means, independent of who sent it.
//!
//! Each provider turns the raw request into [`Notice`]s (after checking its signature on the
//! raw bytes) or a handshake answer; `push_routes` routes notices to connections by the
//! provider's user id and queues one targeted sync per new notice.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// One request to `/push/{provider}` as a provider sees it: nothing parsed yet.
pub struct PushRequest<'a> {
    /// `GET` (subscription handshakes and reachability checks) or `POST` (notifications).
    pub method: &'a http::Method,
    pub headers: &'a http::HeaderMap,
    pub query: &'a HashMap<String, String>,
    pub body: &'a [u8],
    pub now: DateTime<Utc>,
}

impl PushRequest<'_> {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What a provider told us about one of its users.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// The person's id at the provider (stored on the connection when they connected).
    pub account_id: String,
    /// What makes this notification unique at the provider: a replay carries the same key.
    pub key: String,
    /// The earliest time the changed data concerns, when the notification says.
    pub since: Option<DateTime<Utc>>,
    /// The data itself, when the provider sends it inline (Garmin): stored for every
    /// connection holding the account instead of queuing a sync.
    pub data: Option<crate::health::ingest::Batch>,
}

#[derive(Debug)]
pub enum PushReply {
    /// A subscription handshake or reachability check, answered 200 with this JSON.
    Handshake(serde_json::Value),
    /// Notifications to route (a provider may batch several).
    Notices(Vec<Notice>),
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PushError {
    /// This provider sends no pushes, or none are set up on this server.
    #[error("this provider does not push to this server")]
    NotOffered,
    /// A missing or wrong signature or verification token: nothing is done.
    #[error("{0}")]
    Unauthenticated(String),
    /// A body that is not what the provider documents.
    #[error("{0}")]
    Malformed(String),
}

/// How far a signed timestamp may be from our clock (replays of old captures are refused).
pub const MAX_SKEW_SECONDS: i64 = 5 * 60;

/// HMAC-SHA256 over the concatenation of `parts`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().to_vec()
}

/// Compares secrets without leaking where they differ.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Checks a verification token a provider echoes back (handshakes, Withings' callback URL).
pub fn check_token(expected: Option<&str>, given: Option<&str>) -> Result<(), PushError> {
    match (expected, given) {
        (None, _) => Err(PushError::NotOffered),
        (Some(e), Some(g)) if same(e.as_bytes(), g.as_bytes()) => Ok(()),
        _ => Err(PushError::Unauthenticated(
            "the verification token does not match".into(),
        )),
    }
}

/// Checks that a signed timestamp is recent.
pub fn check_fresh(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<(), PushError> {
    match at {
        Some(at) if (now - at).num_seconds().abs() <= MAX_SKEW_SECONDS => Ok(()),
        Some(_) => Err(PushError::Unauthenticated(
            "the signature's timestamp is too far from now".into(),
        )),
        None => Err(PushError::Unauthenticated(
            "the signature's timestamp is missing".into(),
        )),
    }
}

/// Parses a JSON body, reporting a malformed one.
pub fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, PushError> {
    serde_json::from_slice(body)
        .map_err(|e| PushError::Malformed(format!("the notification is not readable ({e})")))
}

/// A JSON scalar (number or string) as text: provider user ids come as either.
/// The longest account or object id taken from a notification.
pub const MAX_ID_LEN: usize = 128;

pub fn id_text(v: &serde_json::Value) -> Option<String> {
    match v {
        // Providers' ids are short; a long one is not an id (and is not stored).
        serde_json::Value::String(s) if !s.is_empty() && s.len() <= MAX_ID_LEN => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_exactly() {
        assert_eq!(check_token(None, Some("x")), Err(PushError::NotOffered));
        assert!(check_token(Some("abc"), Some("abc")).is_ok());
        assert!(check_token(Some("abc"), Some("abd")).is_err());
        assert!(check_token(Some("abc"), Some("ab")).is_err());
        assert!(check_token(Some("abc"), None).is_err());
    }

    #[test]
    fn freshness_allows_five_minutes_either_way() {
        let now = Utc::now();
        assert!(check_fresh(Some(now - chrono::Duration::seconds(299)), now).is_ok());
        assert!(check_fresh(Some(now + chrono::Duration::seconds(299)), now).is_ok());
        assert!(check_fresh(Some(now - chrono::Duration::seconds(301)), now).is_err());
        assert!(check_fresh(None, now).is_err());
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn ids_read_as_text() {
        assert_eq!(id_text(&serde_json::json!(134815)), Some("134815".into()));
        assert_eq!(id_text(&serde_json::json!("u-1")), Some("u-1".into()));
        assert_eq!(id_text(&serde_json::json!("")), None);
        assert_eq!(id_text(&serde_json::json!(null)), None);
    }
}
