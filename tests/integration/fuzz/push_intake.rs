//! Push intake of every provider, built as the app builds them (`Registry::from_config` with
//! every pushing provider configured), fed arbitrary requests: any method; headers among which
//! the ones each provider checks (`x-whoop-signature…`, `x-oura-…`, `polar-webhook-signature`,
//! `authorization`, `garmin-client-id`) with valid-looking and garbage values; query maps with
//! the verification tokens right and wrong; and bodies of random bytes, random JSON, form
//! fields, and the providers' documented notifications mutated or cut off.
//!
//! Every provider answers with a value, and a notice always names an account; nothing
//! unsigned or forged gets a notice past WHOOP's, Oura's or Polar's signature check; a
//! correctly signed body of any content is read (a notice, a handshake or a malformed body),
//! never refused as unsigned, and one flipped byte in it or in its signature gets it refused.

use std::collections::HashMap;
use std::path::PathBuf;

use base64::Engine as _;
use chrono::DateTime;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use url::Url;
use vitasync::connections::push::{PushError, PushReply, PushRequest};
use vitasync::connections::registry::Registry;
use vitasync::platform::config::{
    Config, ProviderClient, ProviderSettings, DEFAULT_API_RATE_LIMIT,
};
use vitasync::platform::crypto::KeyRing;

use super::*;
use crate::harness::push::{configure, hmac, OURA_SECRET, WHOOP_SECRET};

/// The providers that push, by id.
const PUSHING: &[&str] = &[
    "whoop", "strava", "oura", "withings", "polar", "fitbit", "garmin",
];
/// Those whose notifications are signed over the raw body.
const SIGNED: &[&str] = &["whoop", "oura", "polar"];

/// The push tokens `harness::push::configure` sets, and the secrets set here for the rest.
const STRAVA_TOKEN: &str = "strava-verify";
const OURA_TOKEN: &str = "oura-verify";
const WITHINGS_TOKEN: &str = "withings-token";
const POLAR_KEY: &str = "abe1f3ae-fd33-11e8-8eb2-f2801f1b9fd1";
const FITBIT_TOKEN: &str = "fitbit-push-secret";
const GARMIN_TOKEN: &str = "garmin-push-token";
const GARMIN_CLIENT: &str = "garmin-client";

/// The providers as the app builds them, every pushing one configured to receive pushes.
fn registry() -> Registry {
    let mut config = Config {
        data_dir: PathBuf::from("unused"),
        database_url: "sqlite::memory:".into(),
        public_url: None,
        secure_cookies: false,
        keys: KeyRing::parse("test:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
            .expect("test key"),
        providers: ProviderSettings {
            demo_enabled: true,
            ..Default::default()
        },
        api_rate_limit: DEFAULT_API_RATE_LIMIT,
        allow_private_webhooks: false,
        imports: Default::default(),
    };
    configure(&mut config);
    let client = |id: &str, secret: &str| ProviderClient {
        client_id: Some(id.into()),
        client_secret: Some(secret.into()),
        ..Default::default()
    };
    let p = &mut config.providers.clients;
    p.insert(
        "polar".into(),
        ProviderClient {
            webhook_secret: Some(POLAR_KEY.into()),
            ..client("polar-client", "polar-secret")
        },
    );
    p.insert(
        "fitbit".into(),
        ProviderClient {
            push_token: Some(FITBIT_TOKEN.into()),
            ..client("client", "secret")
        },
    );
    p.insert(
        "garmin".into(),
        ProviderClient {
            push_token: Some(GARMIN_TOKEN.into()),
            ..client(GARMIN_CLIENT, "garmin-secret")
        },
    );
    Registry::from_config(&config, &Url::parse("http://127.0.0.1:3000/").expect("url"))
}

/// The receiving server's clock, fixed so runs repeat.
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_000_000, 0).expect("a valid instant")
}

fn request<'a>(
    method: &'a Method,
    headers: &'a HeaderMap,
    query: &'a HashMap<String, String>,
    body: &'a [u8],
) -> PushRequest<'a> {
    PushRequest {
        method,
        headers,
        query,
        body,
        now: now(),
    }
}

/// The field names the providers read from notifications (and Garmin's list names).
const PUSH_KEYS: &str = "\
    user_id id type trace_id aspect_type event_time object_id object_type owner_id \
    subscription_id updates authorized event_type data_type event timestamp date \
    entity_id from url data healthUserId dataType operation intervals \
    physicalTimeInterval startTime endTime civilIso8601TimeInterval userId summaryId \
    callbackURL changeTimeInSeconds startTimeInSeconds durationInSeconds dailies sleeps \
    hrv pulseox bodyComps stressDetails activities deregistrations userPermissionsChange";

/// The providers' documented notifications (from the push stories and Garmin's fixtures),
/// mutated.
fn notifications() -> BoxedStrategy<Value> {
    let mut seeds = vec![
        json!({"user_id": 10129, "id": "ecfc6a15-4661-442f-a9a4-f160dd7afae8",
            "type": "workout.updated", "trace_id": "e369c784-5100-49e8-8098-75d35c47b31b"}),
        json!({"aspect_type": "create", "event_time": 1764400000, "object_id": 1360128428,
            "object_type": "activity", "owner_id": 134815, "subscription_id": 120475, "updates": {}}),
        json!({"aspect_type": "update", "event_time": 1764400100, "object_id": 134815,
            "object_type": "athlete", "owner_id": 134815, "subscription_id": 120475,
            "updates": {"authorized": "false"}}),
        json!({"event_type": "update", "data_type": "sleep", "object_id": "12345abc",
            "event_time": "2026-12-06T08:00:00+00:00", "user_id": "user123"}),
        json!({"event": "PING", "timestamp": "2026-12-01T14:22:24Z"}),
        json!({"event": "SLEEP", "user_id": 475, "date": "2026-12-01",
            "timestamp": "2026-12-01T07:22:24Z",
            "url": "https://www.polaraccesslink.com/v3/users/sleep/2026-12-01"}),
        json!({"type": "verification"}),
        json!([{"data": {"version": "v4", "clientProvidedSubscriptionName": "vitasync",
            "healthUserId": "hu-1", "operation": "UPSERT", "dataType": "steps",
            "intervals": [{"physicalTimeInterval": {"startTime": "2026-11-20T00:00:00Z",
                "endTime": "2026-11-20T23:59:59Z"},
                "civilIso8601TimeInterval": "2026-11-20/2026-11-20"}]}}]),
    ];
    for f in [
        "push_dailies",
        "push_sleeps",
        "push_health",
        "push_activities",
        "push_lifecycle",
    ] {
        seeds.push(fixture(&format!("garmin/{f}.json")));
    }
    mutations_of(seeds, names(PUSH_KEYS))
}

fn method() -> BoxedStrategy<Method> {
    prop_oneof![
        4 => Just(Method::POST),
        2 => Just(Method::GET),
        1 => Just(Method::HEAD),
        1 => Just(Method::PUT),
    ]
    .boxed()
}

/// The headers the providers read.
const HEADERS: &[&str] = &[
    "x-whoop-signature",
    "x-whoop-signature-timestamp",
    "x-oura-signature",
    "x-oura-timestamp",
    "polar-webhook-signature",
    "authorization",
    "garmin-client-id",
    "content-type",
];
const HEADER_WORDS: &[&str] = &[
    "Bearer fitbit-push-secret",
    "bearer fitbit-push-secret",
    "fitbit-push-secret",
    "Bearer ",
    "Bearer fitbit-push-secre",
    "garmin-client",
    " garmin-client ",
    "another-app",
    "application/json",
    "Tue, 01 Dec 2026 12:00:00 GMT",
];

/// A header value: a valid-looking signature (base64 or hex of 32 bytes), a timestamp near
/// now in seconds or milliseconds, a known word, tricky text, or any bytes.
fn header_value() -> BoxedStrategy<Vec<u8>> {
    let at = now();
    prop_oneof![
        2 => prop::collection::vec(any::<u8>(), 32)
            .prop_map(|b| base64::engine::general_purpose::STANDARD.encode(b).into_bytes()),
        2 => prop::collection::vec(any::<u8>(), 32)
            .prop_map(|b| hex::encode_upper(b).into_bytes()),
        2 => (-600i64..600).prop_map(move |s| (at.timestamp() + s).to_string().into_bytes()),
        2 => (-600_000i64..600_000)
            .prop_map(move |ms| (at.timestamp_millis() + ms).to_string().into_bytes()),
        2 => prop::sample::select(HEADER_WORDS).prop_map(|w| w.as_bytes().to_vec()),
        2 => tricky().prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..48),
    ]
    .boxed()
}

fn headers() -> BoxedStrategy<HeaderMap> {
    let name = prop_oneof![
        6 => prop::sample::select(HEADERS).prop_map(str::to_string),
        1 => "[a-z][a-z0-9-]{0,12}",
    ];
    prop::collection::vec((name, header_value()), 0..7)
        .prop_map(|pairs| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                // What no HTTP header can carry never reaches a provider.
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_bytes(&value),
                ) {
                    map.append(n, v);
                }
            }
            map
        })
        .boxed()
}

const QUERY_KEYS: &[&str] = &[
    "token",
    "hub.verify_token",
    "hub.challenge",
    "hub.mode",
    "verification_token",
    "challenge",
];
const TOKENS: &[&str] = &[
    STRAVA_TOKEN,
    OURA_TOKEN,
    WITHINGS_TOKEN,
    GARMIN_TOKEN,
    FITBIT_TOKEN,
    "",
    "guess",
    "strava-verify ",
    "OURA-VERIFY",
    "withings-token\u{0}",
    "subscribe",
];

fn queries() -> BoxedStrategy<HashMap<String, String>> {
    let key = prop_oneof![
        5 => prop::sample::select(QUERY_KEYS).prop_map(str::to_string),
        1 => "[a-z._]{0,10}",
    ];
    let value = prop_oneof![
        3 => prop::sample::select(TOKENS).prop_map(str::to_string),
        2 => tricky(),
    ];
    prop::collection::vec((key, value), 0..5)
        .prop_map(|pairs: Vec<(String, String)>| pairs.into_iter().collect::<HashMap<_, _>>())
        .boxed()
}

/// Withings' notification fields, form-encoded.
const FORM_KEYS: &[&str] = &["userid", "appli", "startdate", "enddate", "date", "action"];

fn form_body() -> BoxedStrategy<Vec<u8>> {
    let key = prop_oneof![
        5 => prop::sample::select(FORM_KEYS).prop_map(str::to_string),
        1 => tricky(),
    ];
    let value = prop_oneof![
        2 => (1_500_000_000i64..1_900_000_000).prop_map(|t| t.to_string()),
        3 => tricky(),
    ];
    prop::collection::vec((key, value), 0..7)
        .prop_map(|pairs| {
            let mut out = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in &pairs {
                out.append_pair(k, v);
            }
            out.finish().into_bytes()
        })
        .boxed()
}

/// A body: random bytes, random JSON, a documented notification mutated, form fields, or a
/// notification cut off anywhere.
fn body() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        2 => prop::collection::vec(any::<u8>(), 0..256),
        2 => json_with(names(PUSH_KEYS)).prop_map(|v| v.to_string().into_bytes()),
        4 => notifications().prop_map(|v| v.to_string().into_bytes()),
        2 => form_body(),
        1 => (notifications(), any::<Index>()).prop_map(|(v, cut)| {
            let text = v.to_string().into_bytes();
            text[..cut.index(text.len() + 1)].to_vec()
        }),
    ]
    .boxed()
}

/// The headers and query a provider sends with `body` at `now()`: signed under its secret,
/// or carrying its push token.
fn signed(id: &str, body: &[u8]) -> (HeaderMap, HashMap<String, String>) {
    let mut headers = HeaderMap::new();
    let mut query = HashMap::new();
    let mut set = |name: &'static str, value: String| {
        headers.insert(name, HeaderValue::from_str(&value).expect("a header value"));
    };
    match id {
        "whoop" => {
            let ts = now().timestamp_millis().to_string();
            let sig = hmac(WHOOP_SECRET, &[ts.as_bytes(), body]);
            set(
                "x-whoop-signature",
                base64::engine::general_purpose::STANDARD.encode(sig),
            );
            set("x-whoop-signature-timestamp", ts);
        }
        "oura" => {
            let ts = now().timestamp().to_string();
            let sig = hmac(OURA_SECRET, &[ts.as_bytes(), body]);
            set("x-oura-signature", hex::encode_upper(sig));
            set("x-oura-timestamp", ts);
        }
        "polar" => set(
            "polar-webhook-signature",
            hex::encode(hmac(POLAR_KEY, &[body])),
        ),
        "fitbit" => set("authorization", format!("Bearer {FITBIT_TOKEN}")),
        "garmin" => {
            set("garmin-client-id", GARMIN_CLIENT.to_string());
            query.insert("token".to_string(), GARMIN_TOKEN.to_string());
        }
        "strava" => {
            query.insert("token".to_string(), STRAVA_TOKEN.to_string());
        }
        "withings" => {
            query.insert("token".to_string(), WITHINGS_TOKEN.to_string());
        }
        _ => {}
    }
    (headers, query)
}

/// `headers` with one byte of the signature they carry flipped, re-encoded as it was sent.
fn flip_signature(id: &str, headers: &HeaderMap, at: Index, mask: u8) -> HeaderMap {
    let engine = base64::engine::general_purpose::STANDARD;
    let name = match id {
        "whoop" => "x-whoop-signature",
        "oura" => "x-oura-signature",
        _ => "polar-webhook-signature",
    };
    let sent = headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mut raw = if id == "whoop" {
        engine.decode(sent).unwrap_or_default()
    } else {
        hex::decode(sent).unwrap_or_default()
    };
    if raw.is_empty() {
        raw.push(0);
    }
    let i = at.index(raw.len());
    raw[i] ^= mask;
    let encoded = if id == "whoop" {
        engine.encode(&raw)
    } else {
        hex::encode(&raw)
    };
    let mut out = headers.clone();
    out.insert(
        name,
        HeaderValue::from_str(&encoded).expect("a header value"),
    );
    out
}

#[test]
fn every_provider_answers_any_request_with_a_value() {
    let registry = registry();
    for id in PUSHING {
        assert!(
            registry.get(id).is_some_and(|p| p.info().pushes),
            "{id} is set up to receive pushes"
        );
    }
    let strategy = (method(), headers(), queries(), body());
    check(
        "push_any_request",
        CASES,
        strategy,
        |(method, headers, query, body)| {
            let req = request(&method, &headers, &query, &body);
            for provider in registry.all() {
                let id = provider.info().id;
                if let Ok(PushReply::Notices(notices)) = provider.receive_push(&req) {
                    prop_assert!(
                        !SIGNED.contains(&id),
                        "{id} took an unsigned or forged notification"
                    );
                    for n in &notices {
                        prop_assert!(!n.account_id.is_empty(), "{id}: a notice for nobody");
                    }
                }
            }
            Ok(())
        },
    );
}

#[test]
fn a_correctly_signed_body_of_any_content_is_read_not_refused() {
    let registry = registry();
    let strategy = (
        prop::sample::select(PUSHING),
        prop_oneof![json_with(names(PUSH_KEYS)), notifications()],
    );
    check("push_signed_any_json", CASES, strategy, |(id, doc)| {
        let body = doc.to_string().into_bytes();
        let (headers, query) = signed(id, &body);
        let provider = registry.get(id).expect("configured");
        let post = Method::POST;
        let answer = provider.receive_push(&request(&post, &headers, &query, &body));
        prop_assert!(
            !matches!(
                answer,
                Err(PushError::Unauthenticated(_) | PushError::NotOffered)
            ),
            "{id}: {answer:?}"
        );
        if let Ok(PushReply::Notices(notices)) = &answer {
            for n in notices {
                prop_assert!(!n.account_id.is_empty(), "{id}: a notice for nobody");
            }
        }
        Ok(())
    });
}

#[test]
fn a_signature_over_any_bytes_verifies_and_one_flipped_byte_does_not() {
    let registry = registry();
    let strategy = (
        prop::sample::select(SIGNED),
        prop::collection::vec(any::<u8>(), 0..512),
        any::<Index>(),
        1u8..=255,
    );
    check(
        "push_signature_flips",
        CASES,
        strategy,
        |(id, body, at, mask)| {
            let provider = registry.get(id).expect("configured");
            let (headers, query) = signed(id, &body);
            let post = Method::POST;
            let answer = provider.receive_push(&request(&post, &headers, &query, &body));
            prop_assert!(
                !matches!(
                    answer,
                    Err(PushError::Unauthenticated(_) | PushError::NotOffered)
                ),
                "{id}: {answer:?}"
            );
            if !body.is_empty() {
                let mut forged = body.clone();
                forged[at.index(body.len())] ^= mask;
                let answer = provider.receive_push(&request(&post, &headers, &query, &forged));
                prop_assert!(
                    matches!(answer, Err(PushError::Unauthenticated(_))),
                    "{id}, a byte of the body flipped: {answer:?}"
                );
            }
            let tampered = flip_signature(id, &headers, at, mask);
            let answer = provider.receive_push(&request(&post, &tampered, &query, &body));
            prop_assert!(
                matches!(answer, Err(PushError::Unauthenticated(_))),
                "{id}, a byte of the signature flipped: {answer:?}"
            );
            Ok(())
        },
    );
}
