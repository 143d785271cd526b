//! Withings (Public Health Data API). Facts in `docs/providers/withings.md`.
//!
//! Withings answers every call with HTTP 200 and puts the outcome in the body's `status`
//! (0 OK, 401 and kin: the token, 601: slow down, …), so its calls go through [`call`]. Its
//! OAuth token endpoint is not RFC 6749's: `action=requesttoken` on `/v2/oauth2`, with the
//! tokens and the person's `userid` inside that envelope. A sync walks four collections, each
//! paged by `offset` while `more` says so: measures (`getmeas`; real value = value × 10^unit),
//! daily activity, sleep summaries and workouts (mapped in `withings_map`). Notifications (`/notify`) are subscribed per
//! person after connecting; Withings does not sign them, so our own `push_token` travels in the
//! callback URL, and each notification only queues a sync with the person's own token.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::withings_map::{map_activity, map_measures, map_sleep, map_workouts};
use crate::connections::provider::{
    collection_cursor, join, next_cursor, retry_after, AuthKind, ClientAuth, DefaultUrls,
    Endpoints, FetchError, FetchedPage, Grant, Provider, ProviderInfo, Window,
};
use crate::connections::push::{
    check_token, hmac_sha256, Notice, PushError, PushReply, PushRequest,
};
use crate::connections::tokens::TokenSet;
use crate::health::ingest::{Batch, Source};
use crate::platform::config::ProviderClient;

pub const ID: &str = "withings";

pub static INFO: ProviderInfo = ProviderInfo {
    id: ID,
    name: "Withings",
    blurb: "Weight and body composition, blood pressure, temperature, activity and sleep from \
            Withings scales, monitors and watches.",
    auth: AuthKind::OAuth2,
    client_auth: ClientAuth::RequestBody,
    pkce: false,
    // Withings separates scopes with commas.
    scopes: &["user.metrics,user.activity"],
    min_interval: Duration::from_secs(60 * 60),
    backfill_days: 30,
    metrics: &[
        "weight",
        "body_fat",
        "blood_pressure",
        "heart_rate",
        "spo2",
        "temperature",
        "steps",
        "distance",
        "floors",
        "calories",
        "active_minutes",
        "sleep",
        "sleep_score",
        "resting_heart_rate",
        "respiratory_rate",
        "workout",
    ],
    events: &["sleep", "workout"],
    pushes: true,
    refresh_scopes: &[],
    auth_params: &[],
};

/// The collections a sync walks, in order.
const COLLECTIONS: &[&str] = &["measures", "activity", "sleep", "workouts"];

/// Measure types asked for: weight, fat-free mass, fat ratio, fat mass, diastolic and
/// systolic pressure, heart pulse, temperature, SpO₂, body temperature, muscle, hydration and
/// bone mass.
const MEASTYPES: &str = "1,5,6,8,9,10,11,12,54,71,76,77,88";

const ACTIVITY_FIELDS: &str = "steps,distance,elevation,active,calories,hr_average";
const SLEEP_FIELDS: &str = "total_sleep_time,lightsleepduration,deepsleepduration,\
    remsleepduration,wakeupduration,sleep_efficiency,sleep_latency,sleep_score,hr_average,\
    hr_min,rr_average";
const WORKOUT_FIELDS: &str = "calories,distance,hr_average,hr_max,steps";

/// Notification categories subscribed after connecting: weight and body composition,
/// temperature, blood pressure, activity, sleep.
const APPLIS: &[u32] = &[1, 2, 4, 16, 44];

pub struct Withings {
    endpoints: Option<Endpoints>,
}

impl Withings {
    pub fn new(client: &ProviderClient) -> Self {
        let endpoints = Endpoints::from_client(
            client,
            DefaultUrls {
                auth: "https://account.withings.com/oauth2_user/authorize2",
                token: "https://wbsapi.withings.net/v2/oauth2",
                revoke: Some("https://wbsapi.withings.net/v2/oauth2"),
                api: "https://wbsapi.withings.net",
            },
        );
        Withings { endpoints }
    }

    fn ep(&self) -> Result<&Endpoints, FetchError> {
        self.endpoints
            .as_ref()
            .ok_or_else(|| FetchError::Permanent("Withings is not configured".into()))
    }

    /// `action=requesttoken` with a code or a refresh token; the new tokens and the userid.
    async fn request_token(
        &self,
        http: &reqwest::Client,
        grant: &[(&str, &str)],
        previous_refresh: Option<&str>,
    ) -> Result<(TokenSet, Option<String>), FetchError> {
        let ep = self.ep()?;
        let secret = ep.client_secret.as_deref().unwrap_or_default();
        let mut form = vec![
            ("action", "requesttoken"),
            ("client_id", ep.client_id.as_str()),
            ("client_secret", secret),
        ];
        form.extend_from_slice(grant);
        let body = match call(http, ep.token_url.clone(), None, &form).await {
            Ok(b) => b,
            // 503 "invalid code" / an unknown refresh token, or refused client credentials.
            Err(FetchError::Permanent(_) | FetchError::Unauthorized | FetchError::Forbidden(_)) => {
                return Err(FetchError::Revoked)
            }
            Err(e) => return Err(e),
        };
        let t: TokenBody = serde_json::from_value(body).map_err(|e| {
            FetchError::Permanent(format!("unreadable token answer from Withings ({e})"))
        })?;
        let tokens = TokenSet {
            access_token: t.access_token,
            refresh_token: t
                .refresh_token
                .or_else(|| previous_refresh.map(str::to_string)),
            expires_at: t
                .expires_in
                .map(|s| Utc::now() + chrono::Duration::seconds(s)),
        };
        Ok((tokens, t.userid.as_ref().and_then(id_of)))
    }
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    userid: Option<Value>,
}

/// Withings' envelope: the outcome is `status`, whatever the HTTP status said.
#[derive(Deserialize)]
struct Envelope {
    status: i64,
    #[serde(default)]
    body: Value,
    #[serde(default)]
    error: Option<String>,
}

fn id_of(v: &Value) -> Option<String> {
    crate::connections::push::id_text(v)
}

/// Sorts an envelope's `status` into what the engine needs (the families Withings publishes).
fn outcome(env: Envelope) -> Result<Value, FetchError> {
    let detail = || {
        format!(
            "Withings answered status {}{}",
            env.status,
            env.error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        )
    };
    match env.status {
        0 => Ok(env.body),
        100..=102 | 200 | 401 => Err(FetchError::Unauthorized),
        601 => Err(FetchError::RateLimited {
            retry_after: env
                .body
                .get("wait_seconds")
                .and_then(Value::as_u64)
                .map(Duration::from_secs),
        }),
        214 | 277 | 2553 | 2555 => Err(FetchError::Forbidden(detail())),
        // Timeout and bad state: worth another try.
        522 | 524 => Err(FetchError::Transient(detail())),
        _ => Err(FetchError::Permanent(detail())),
    }
}

/// POSTs a form to a Withings service and opens its envelope.
async fn call(
    http: &reqwest::Client,
    url: url::Url,
    bearer: Option<&str>,
    form: &[(&str, &str)],
) -> Result<Value, FetchError> {
    let mut req = http
        .post(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .form(form);
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    let res = req
        .send()
        .await
        .map_err(|e| FetchError::Transient(format!("could not reach Withings ({e})")))?;
    let status = res.status();
    if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return Err(FetchError::RateLimited {
            retry_after: retry_after(res.headers()),
        });
    }
    if status.is_server_error() {
        return Err(FetchError::Transient(format!("Withings answered {status}")));
    }
    if status == reqwest::StatusCode::UNAUTHORIZED {
        return Err(FetchError::Unauthorized);
    }
    if !status.is_success() {
        return Err(FetchError::Permanent(format!("Withings answered {status}")));
    }
    let env: Envelope = res
        .json()
        .await
        .map_err(|e| FetchError::Permanent(format!("unreadable answer from Withings ({e})")))?;
    outcome(env)
}

/// The next page's offset, when `more` (an integer for measures, a boolean elsewhere) says so.
fn more(body: &Value) -> Option<String> {
    let more = match body.get("more") {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_i64().is_some_and(|n| n != 0),
        _ => false,
    };
    more.then(|| body.get("offset").and_then(Value::as_i64))
        .flatten()
        .map(|o| o.to_string())
}

/// The service path and form of one collection page over `window`. Measures take instants;
/// days (activity, sleep, workouts) take local dates, from a day before the window to a day
/// after it.
fn request(
    collection: &str,
    window: Window,
    offset: Option<&str>,
) -> (&'static str, Vec<(&'static str, String)>) {
    let first = (window.start.date_naive() - chrono::Duration::days(1)).to_string();
    let last = (window.end.date_naive() + chrono::Duration::days(1)).to_string();
    let days = |action: &str, fields: &str| {
        vec![
            ("action", action.to_string()),
            ("startdateymd", first.clone()),
            ("enddateymd", last.clone()),
            ("data_fields", fields.to_string()),
        ]
    };
    let (path, mut form) = match collection {
        "measures" => (
            "measure",
            vec![
                ("action", "getmeas".to_string()),
                ("meastypes", MEASTYPES.to_string()),
                ("category", "1".to_string()),
                ("startdate", window.start.timestamp().to_string()),
                ("enddate", window.end.timestamp().to_string()),
            ],
        ),
        "activity" => ("v2/measure", days("getactivity", ACTIVITY_FIELDS)),
        "sleep" => ("v2/sleep", days("getsummary", SLEEP_FIELDS)),
        _ => ("v2/measure", days("getworkouts", WORKOUT_FIELDS)),
    };
    if let Some(o) = offset {
        form.push(("offset", o.to_string()));
    }
    (path, form)
}

/// Withings' signature: hex HMAC-SHA256 under the client secret over the values, sorted by
/// their parameter names, joined with commas.
fn signature(secret: &str, params: &[(&str, &str)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort_by_key(|(k, _)| *k);
    let joined = sorted.iter().map(|(_, v)| *v).collect::<Vec<_>>().join(",");
    hex::encode(hmac_sha256(secret.as_bytes(), &[joined.as_bytes()]))
}

/// The address Withings is given for notifications: our push URL with the push token.
pub fn callback_url(push_url: &str, token: &str) -> String {
    let mut url = url::Url::parse(push_url).expect("push URL");
    url.query_pairs_mut().append_pair("token", token);
    url.to_string()
}

#[async_trait]
impl Provider for Withings {
    fn info(&self) -> &ProviderInfo {
        &INFO
    }

    fn endpoints(&self) -> Option<&Endpoints> {
        self.endpoints.as_ref()
    }

    async fn exchange_code(
        &self,
        http: &reqwest::Client,
        redirect_uri: &str,
        code: &str,
        _pkce_verifier: Option<String>,
    ) -> Result<Grant, FetchError> {
        let grant = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
        ];
        let (tokens, account_id) = self.request_token(http, &grant, None).await?;
        Ok(Grant { tokens, account_id })
    }

    /// Every refresh returns a new refresh token; the old one dies soon after.
    async fn refresh(
        &self,
        http: &reqwest::Client,
        tokens: &TokenSet,
    ) -> Result<TokenSet, FetchError> {
        let refresh = tokens.refresh_token.as_deref().ok_or(FetchError::Revoked)?;
        let grant = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
        Ok(self.request_token(http, &grant, Some(refresh)).await?.0)
    }

    async fn fetch_page(
        &self,
        http: &reqwest::Client,
        access_token: &str,
        window: Window,
        cursor: Option<&str>,
    ) -> Result<FetchedPage, FetchError> {
        let ep = self.ep()?;
        let (idx, offset) = collection_cursor(cursor)?;
        let mut batch = Batch::new(ID, Source::User);
        let Some(collection) = COLLECTIONS.get(idx).copied() else {
            return Ok(FetchedPage { batch, next: None });
        };
        let (path, form) = request(collection, window, offset.as_deref());
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let body = match call(http, join(&ep.api_url, path), Some(access_token), &form).await {
            Ok(b) => b,
            // A scope the person did not grant: skip that collection, sync the rest.
            Err(FetchError::Forbidden(detail)) => {
                tracing::warn!(collection, %detail, "Withings refused a collection; skipped");
                Value::Null
            }
            Err(e) => return Err(e),
        };
        match collection {
            "measures" => map_measures(&body, &mut batch),
            "activity" => map_activity(&body, &mut batch),
            "sleep" => map_sleep(&body, &mut batch),
            _ => map_workouts(&body, &mut batch),
        }
        let next = next_cursor(idx, more(&body));
        let done = collection_cursor(Some(&next))?.0 >= COLLECTIONS.len();
        Ok(FetchedPage {
            batch,
            next: (!done).then_some(next),
        })
    }

    /// Withings' revocation is signed (a nonce from `/v2/signature`, then `action=revoke`
    /// with the person's userid); it also ends their notification subscriptions.
    async fn revoke(
        &self,
        http: &reqwest::Client,
        _tokens: &TokenSet,
        account_id: Option<&str>,
    ) -> Result<(), String> {
        let (Ok(ep), Some(userid)) = (self.ep(), account_id) else {
            return Ok(());
        };
        let secret = ep.client_secret.as_deref().unwrap_or_default();
        let client_id = ep.client_id.as_str();
        let timestamp = Utc::now().timestamp().to_string();
        let nonce_sig = signature(
            secret,
            &[
                ("action", "getnonce"),
                ("client_id", client_id),
                ("timestamp", &timestamp),
            ],
        );
        let body = call(
            http,
            join(&ep.api_url, "v2/signature"),
            None,
            &[
                ("action", "getnonce"),
                ("client_id", client_id),
                ("timestamp", &timestamp),
                ("signature", &nonce_sig),
            ],
        )
        .await
        .map_err(|e| e.to_string())?;
        let nonce = body
            .get("nonce")
            .and_then(Value::as_str)
            .ok_or("Withings sent no nonce")?
            .to_string();
        let sig = signature(
            secret,
            &[
                ("action", "revoke"),
                ("client_id", client_id),
                ("nonce", &nonce),
            ],
        );
        let url = ep
            .revoke_url
            .clone()
            .unwrap_or_else(|| ep.token_url.clone());
        call(
            http,
            url,
            None,
            &[
                ("action", "revoke"),
                ("client_id", client_id),
                ("nonce", &nonce),
                ("signature", &sig),
                ("userid", userid),
            ],
        )
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
    }

    /// Subscribes the person's notifications (weight, temperature, pressure, activity, sleep)
    /// when a push token is configured. Withings first checks the callback with a HEAD
    /// request, so this succeeds only on a public HTTPS address.
    async fn after_connect(
        &self,
        http: &reqwest::Client,
        tokens: &TokenSet,
        push_url: &str,
    ) -> Result<(), String> {
        let Ok(ep) = self.ep() else { return Ok(()) };
        let Some(token) = ep.push_token.as_deref() else {
            return Ok(());
        };
        let callback = callback_url(push_url, token);
        for appli in APPLIS {
            let appli = appli.to_string();
            let form = [
                ("action", "subscribe"),
                ("callbackurl", callback.as_str()),
                ("appli", appli.as_str()),
                ("comment", "VitaSync"),
            ];
            call(
                http,
                join(&ep.api_url, "notify"),
                Some(&tokens.access_token),
                &form,
            )
            .await
            .map_err(|e| format!("notify subscribe (appli {appli}): {e}"))?;
        }
        Ok(())
    }

    /// Withings checks the callback with HEAD/GET and then POSTs form-encoded notifications:
    /// `userid`, `appli`, `startdate`/`enddate` (or `date`). Unsigned, so the push token in the
    /// URL is what admits them.
    fn receive_push(&self, req: &PushRequest<'_>) -> Result<PushReply, PushError> {
        let ep = self.endpoints.as_ref().ok_or(PushError::NotOffered)?;
        check_token(
            ep.push_token.as_deref(),
            req.query.get("token").map(String::as_str),
        )?;
        if req.method != http::Method::POST {
            return Ok(PushReply::Handshake(json!({})));
        }
        let form: HashMap<String, String> =
            url::form_urlencoded::parse(req.body).into_owned().collect();
        let Some(userid) = form.get("userid").filter(|u| !u.is_empty()) else {
            return Err(PushError::Malformed(
                "the notification names no userid".into(),
            ));
        };
        let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
        let since = field("startdate")
            .parse::<i64>()
            .ok()
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .or_else(|| {
                let d: NaiveDate = field("date").parse().ok()?;
                Some(d.and_hms_opt(0, 0, 0)?.and_utc())
            });
        let key = format!(
            "{userid}:{}:{}:{}:{}:{}",
            field("appli"),
            field("startdate"),
            field("enddate"),
            field("date"),
            field("action")
        );
        Ok(PushReply::Notices(vec![Notice {
            account_id: userid.clone(),
            key,
            since,
            data: None,
        }]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_reads_integer_and_boolean_more() {
        assert_eq!(more(&json!({"more": 1, "offset": 200})), Some("200".into()));
        assert_eq!(more(&json!({"more": true, "offset": 3})), Some("3".into()));
        assert_eq!(more(&json!({"more": 0, "offset": 200})), None);
        assert_eq!(more(&json!({"more": false})), None);
        assert_eq!(more(&json!({})), None);
    }

    #[test]
    fn statuses_sort_into_engine_errors() {
        let env = |status: i64, body: Value| Envelope {
            status,
            body,
            error: Some("x".into()),
        };
        assert_eq!(outcome(env(401, json!({}))), Err(FetchError::Unauthorized));
        assert_eq!(
            outcome(env(601, json!({"wait_seconds": 188}))),
            Err(FetchError::RateLimited {
                retry_after: Some(Duration::from_secs(188))
            })
        );
        assert!(matches!(
            outcome(env(503, json!({}))),
            Err(FetchError::Permanent(_))
        ));
        assert!(matches!(
            outcome(env(522, json!({}))),
            Err(FetchError::Transient(_))
        ));
        assert_eq!(outcome(env(0, json!({"a": 1}))), Ok(json!({"a": 1})));
    }

    #[test]
    fn signatures_sort_by_parameter_name() {
        // Values in key order: action, client_id, nonce.
        let s = signature(
            "secret",
            &[("nonce", "n"), ("action", "revoke"), ("client_id", "c")],
        );
        assert_eq!(s, hex::encode(hmac_sha256(b"secret", &[b"revoke,c,n"])));
    }
}
