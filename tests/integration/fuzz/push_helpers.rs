//! The push helpers every provider's intake is built from, fed arbitrary input: HMAC-SHA256
//! over parts (checked against the harness's own HMAC, and the same however the message is
//! cut), the constant-time comparison (equal exactly when the bytes are), the verification
//! token check (`NotOffered` without a token here, accepted only on an exact match), the
//! freshness check (within five minutes either way, whatever the instant), JSON bodies (read
//! exactly when `serde_json` reads them) and ids taken from notifications (never empty, and
//! never a long string).

use chrono::{DateTime, TimeDelta};
use vitasync::connections::push::{
    check_fresh, check_token, hmac_sha256, id_text, json_body, same, PushError, MAX_ID_LEN,
    MAX_SKEW_SECONDS,
};

use super::*;
use crate::harness::push::hmac;

/// Where ids sit in notifications.
const ID_KEYS: &str = "user_id owner_id object_id id userId summaryId healthUserId";

/// The receiving server's clock, fixed so runs repeat.
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_000_000, 0).expect("a valid instant")
}

/// A body: any bytes, JSON text, or JSON cut off anywhere.
fn bytes() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        2 => prop::collection::vec(any::<u8>(), 0..256),
        2 => json_with(names(ID_KEYS)).prop_map(|v| v.to_string().into_bytes()),
        1 => (json_with(names(ID_KEYS)), any::<Index>()).prop_map(|(v, cut)| {
            let text = v.to_string().into_bytes();
            text[..cut.index(text.len() + 1)].to_vec()
        }),
    ]
    .boxed()
}

#[test]
fn the_hmac_and_comparison_helpers_agree_with_an_independent_hmac() {
    let strategy = (
        text(),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 0..4),
        prop::collection::vec(any::<u8>(), 0..64),
    );
    check(
        "push_hmac_helpers",
        CASES,
        strategy,
        |(key, parts, other)| {
            let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
            let mac = hmac_sha256(key.as_bytes(), &refs);
            prop_assert_eq!(&mac, &hmac(&key, &refs));
            // Parts are one message: how it is cut makes no difference.
            let joined = parts.concat();
            prop_assert_eq!(&mac, &hmac_sha256(key.as_bytes(), &[joined.as_slice()]));
            // Any bytes are a key.
            let _ = hmac_sha256(&other, &refs);
            prop_assert!(same(&mac, &mac.clone()));
            prop_assert_eq!(same(&mac, &other), mac == other);
            prop_assert!(same(&other, &other));
            prop_assert_eq!(same(&joined, &other), joined == other);
            Ok(())
        },
    );
}

#[test]
fn token_freshness_body_and_id_checks_answer_every_input() {
    let offset = prop_oneof![
        3 => -1_000i64..1_000,
        1 => any::<i64>(),
        1 => prop::sample::select(EXTREME_INTS),
    ];
    let strategy = (
        prop::option::of(text()),
        prop::option::of(text()),
        any::<bool>(),
        offset,
        bytes(),
        json_with(names(ID_KEYS)),
    );
    check(
        "push_token_fresh_helpers",
        CASES,
        strategy,
        |(expected, given, echo, offset, body, id)| {
            let given = if echo { expected.clone() } else { given };
            let answer = check_token(expected.as_deref(), given.as_deref());
            match &expected {
                None => prop_assert_eq!(answer, Err(PushError::NotOffered)),
                Some(e) if given.as_deref() == Some(e.as_str()) => {
                    prop_assert_eq!(answer, Ok(()))
                }
                Some(_) => prop_assert!(
                    matches!(answer, Err(PushError::Unauthenticated(_))),
                    "{answer:?}"
                ),
            }

            let at = TimeDelta::try_seconds(offset)
                .and_then(|d| now().checked_add_signed(d))
                .unwrap_or(if offset < 0 {
                    DateTime::<Utc>::MIN_UTC
                } else {
                    DateTime::<Utc>::MAX_UTC
                });
            let fresh = (at - now()).num_seconds().abs() <= MAX_SKEW_SECONDS;
            prop_assert_eq!(check_fresh(Some(at), now()).is_ok(), fresh);
            prop_assert!(check_fresh(None, now()).is_err());

            prop_assert_eq!(
                json_body::<Value>(&body).is_ok(),
                serde_json::from_slice::<Value>(&body).is_ok()
            );

            if let Some(text) = id_text(&id) {
                prop_assert!(!text.is_empty());
                prop_assert!(id.is_number() || text.len() <= MAX_ID_LEN, "{text:?}");
            }
            Ok(())
        },
    );
}
