//! Withings (Public Health Data API). Facts in `docs/providers/withings.md`.
//!
//! Withings answers every call with HTTP 200 and puts the outcome in the body's `status`
//! (0 OK, 401 and kin: the token, 601: slow down, …), so its calls go through [`call`]. Its
//! OAuth token endpoint is not RFC 6749's: `action=requesttoken` on `/v2/oauth2`, with the
//! tokens and the person's `userid` inside that envelope. A sync walks four collections, each
//! paged by `offset` while `more` says so: measures (`getmeas`; real value = value × 10^unit),
//! daily activity, sleep summaries and workouts. Notifications (`/notify`) are subscribed per
//! person after connecting; Withings does not sign them, so our own `push_token` travels in the
//! callback URL, and each notification only queues a sync with the person's own token.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::fields::{num, point};
use crate::connections::provider::{
    capitalize, collection_cursor, join, next_cursor, retry_after, AuthKind, ClientAuth,
    DefaultUrls, Endpoints, FetchError, FetchedPage, Grant, Provider, ProviderInfo, Window,
};
use crate::connections::push::{
    check_token, hmac_sha256, Notice, PushError, PushReply, PushRequest,
};
use crate::connections::tokens::TokenSet;
use crate::health::ingest::{Batch, EventInput, PointInput, Source};
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

fn unix(v: &Value, key: &str) -> Option<DateTime<Utc>> {
    v.get(key)
        .and_then(Value::as_i64)
        .and_then(|s| DateTime::from_timestamp(s, 0))
}

/// A local day (`YYYY-MM-DD`) counted at noon UTC: the same calendar day in every zone from
/// UTC−12 to UTC+11, whatever zone the person has here.
fn day_noon(v: &Value) -> Option<DateTime<Utc>> {
    let day: NaiveDate = v.get("date")?.as_str()?.parse().ok()?;
    Some(day.and_hms_opt(12, 0, 0)?.and_utc())
}

/// value × 10^unit, rounded to the digits the unit gives (no 72.34500000000001).
fn real(m: &Value) -> Option<f64> {
    let value = m.get("value")?.as_i64()? as f64;
    let unit = m.get("unit")?.as_i64()?.clamp(-12, 12) as i32;
    let x = value * 10f64.powi(unit);
    Some(if unit < 0 {
        let f = 10f64.powi(-unit);
        (x * f).round() / f
    } else {
        x
    })
}

/// Maps a `getmeas` body: one group is one weighing or one blood-pressure reading.
pub fn map_measures(body: &Value, batch: &mut Batch) {
    let mut seen = HashSet::new();
    for g in body
        .get("measuregrps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        // The same group can come twice (attrib 0 and 8).
        let Some(grpid) = g.get("grpid").and_then(id_of) else {
            continue;
        };
        if !seen.insert(grpid) {
            continue;
        }
        // attrib 1: the device could not tell whose measurement it was.
        let attrib = g.get("attrib").and_then(Value::as_i64).unwrap_or(0);
        let category = g.get("category").and_then(Value::as_i64).unwrap_or(1);
        if attrib == 1 || category != 1 {
            continue;
        }
        let Some(at) = unix(g, "date") else { continue };
        let mut v: HashMap<i64, f64> = HashMap::new();
        for m in g
            .get("measures")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(t), Some(x)) = (m.get("type").and_then(Value::as_i64), real(m)) {
                v.entry(t).or_insert(x);
            }
        }
        if let Some(&kg) = v.get(&1) {
            let mut data = serde_json::Map::new();
            for (t, key) in [
                (8, "fatMassKg"),
                (5, "fatFreeMassKg"),
                (76, "muscleMassKg"),
                (77, "hydrationKg"),
                (88, "boneMassKg"),
            ] {
                if let Some(x) = v.get(&t) {
                    data.insert(key.into(), json!(x));
                }
            }
            batch.points.push(PointInput {
                metric_type: "weight".into(),
                value: Some(kg),
                unit: None,
                data: (!data.is_empty()).then_some(Value::Object(data)),
                recorded_at: at,
            });
        }
        point(batch, "body_fat", v.get(&6).copied(), Some(at));
        if let (Some(sys), Some(dia)) = (v.get(&10), v.get(&9)) {
            batch.points.push(PointInput {
                metric_type: "blood_pressure".into(),
                value: None,
                unit: None,
                data: Some(json!({ "systolic": sys, "diastolic": dia, "pulse": v.get(&11) })),
                recorded_at: at,
            });
        }
        point(batch, "heart_rate", v.get(&11).copied(), Some(at));
        point(batch, "spo2", v.get(&54).copied(), Some(at));
        point(
            batch,
            "temperature",
            v.get(&71).or_else(|| v.get(&12)).copied(),
            Some(at),
        );
    }
}

/// Maps a `getactivity` body: one day each. A day can come from several sources (a Withings
/// watch and a phone's step counter); a Withings device wins, else the busiest.
pub fn map_activity(body: &Value, batch: &mut Batch) {
    let mut days: BTreeMap<String, &Value> = BTreeMap::new();
    for a in body
        .get("activities")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(date) = a.get("date").and_then(Value::as_str) else {
            continue;
        };
        let rank = |x: &Value| {
            (
                x.get("brand").and_then(Value::as_i64) == Some(1),
                num(x, "steps").unwrap_or(0.0) as i64,
            )
        };
        match days.get(date) {
            Some(kept) if rank(kept) >= rank(a) => {}
            _ => {
                days.insert(date.to_string(), a);
            }
        }
    }
    for a in days.values() {
        let at = day_noon(a);
        point(batch, "steps", num(a, "steps"), at);
        point(batch, "distance", num(a, "distance").map(f64::round), at);
        point(batch, "floors", num(a, "elevation").map(f64::round), at);
        point(batch, "calories", num(a, "calories").map(f64::round), at);
        let active = num(a, "active").map(|s| (s / 60.0).round());
        point(batch, "active_minutes", active, at);
    }
}

fn minutes(v: &Value, key: &str) -> Option<f64> {
    num(v, key).map(|s| (s / 60.0).round())
}

/// Maps a sleep `getsummary` body: each night is a sleep event, the night's sleep with its
/// stages, and the lowest heart rate and average breathing rate at waking.
pub fn map_sleep(body: &Value, batch: &mut Batch) {
    for s in body
        .get("series")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(id), Some(start), Some(end)) = (
            s.get("id").and_then(id_of),
            unix(s, "startdate"),
            unix(s, "enddate"),
        ) else {
            continue;
        };
        if end <= start {
            continue;
        }
        let empty = json!({});
        let d = s.get("data").unwrap_or(&empty);
        let score = num(d, "sleep_score").filter(|x| (0.0..=100.0).contains(x));
        let data = json!({
            "stages": {
                "deep": minutes(d, "deepsleepduration"),
                "light": minutes(d, "lightsleepduration"),
                "rem": minutes(d, "remsleepduration"),
                "awake": minutes(d, "wakeupduration"),
            },
            "startTime": start.to_rfc3339(),
            "endTime": end.to_rfc3339(),
            // A ratio at Withings, a percentage here.
            "efficiency": num(d, "sleep_efficiency").map(|r| (r * 100.0).round().clamp(0.0, 100.0)),
            "latencyMinutes": minutes(d, "sleep_latency"),
            "score": score,
            "withingsModel": s.get("model"),
        });
        batch.events.push(EventInput {
            provider_event_id: format!("sleep-{id}"),
            event_type: "sleep".into(),
            activity_type: Some("sleep".into()),
            title: Some("Sleep".into()),
            started_at: start,
            ended_at: Some(end),
            duration_seconds: Some((end - start).num_seconds()),
            distance_meters: None,
            calories_kcal: None,
            avg_heart_rate: num(d, "hr_average").map(|h| h.round() as i64),
            max_heart_rate: None,
            data: Some(data.clone()),
        });
        batch.points.push(PointInput {
            metric_type: "sleep".into(),
            value: None,
            unit: None,
            data: Some(data),
            recorded_at: start,
        });
        point(batch, "sleep_score", score, Some(end));
        point(batch, "resting_heart_rate", num(d, "hr_min"), Some(end));
        point(batch, "respiratory_rate", num(d, "rr_average"), Some(end));
    }
}

/// Withings' workout categories as our activity types (the common ones; the rest "other").
pub fn activity_type(category: i64) -> &'static str {
    match category {
        1 | 3 | 306 => "walking",
        2 | 307 => "running",
        6 | 308 => "cycling",
        7 => "swimming",
        16 => "strength",
        28 => "yoga",
        187 => "rowing",
        17 => "fitness",
        _ => "other",
    }
}

/// Maps a `getworkouts` body: each session is a workout event and a marker reading.
pub fn map_workouts(body: &Value, batch: &mut Batch) {
    for w in body
        .get("series")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(id), Some(start), Some(end)) = (
            w.get("id").and_then(id_of),
            unix(w, "startdate"),
            unix(w, "enddate"),
        ) else {
            continue;
        };
        if end <= start {
            continue;
        }
        let empty = json!({});
        let d = w.get("data").unwrap_or(&empty);
        let category = w.get("category").and_then(Value::as_i64).unwrap_or(36);
        let kind = activity_type(category);
        let seconds = (end - start).num_seconds();
        let data = json!({
            "durationSeconds": seconds,
            "sport": kind,
            "withingsCategory": category,
            "steps": num(d, "steps"),
        });
        batch.events.push(EventInput {
            provider_event_id: format!("workout-{id}"),
            event_type: "workout".into(),
            activity_type: Some(kind.into()),
            title: Some(capitalize(kind)),
            started_at: start,
            ended_at: Some(end),
            duration_seconds: Some(seconds),
            distance_meters: num(d, "distance").filter(|m| *m > 0.0).map(f64::round),
            calories_kcal: num(d, "calories").map(|k| (k * 10.0).round() / 10.0),
            avg_heart_rate: num(d, "hr_average")
                .filter(|h| *h > 0.0)
                .map(|h| h.round() as i64),
            max_heart_rate: num(d, "hr_max")
                .filter(|h| *h > 0.0)
                .map(|h| h.round() as i64),
            data: Some(data.clone()),
        });
        batch.points.push(PointInput {
            metric_type: "workout".into(),
            value: None,
            unit: None,
            data: Some(data),
            recorded_at: start,
        });
    }
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

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/withings/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let env: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        env["body"].clone()
    }

    fn values(b: &Batch, metric: &str) -> Vec<f64> {
        b.points
            .iter()
            .filter(|p| p.metric_type == metric)
            .filter_map(|p| p.value)
            .collect()
    }

    #[test]
    fn real_values_apply_the_unit() {
        assert_eq!(real(&json!({"value": 72345, "unit": -3})), Some(72.345));
        assert_eq!(real(&json!({"value": 10600, "unit": -2})), Some(106.0));
        assert_eq!(real(&json!({"value": 109, "unit": 0})), Some(109.0));
        assert_eq!(real(&json!({"value": 20, "unit": -1})), Some(2.0));
        assert_eq!(real(&json!({"value": 7, "unit": 2})), Some(700.0));
        assert_eq!(real(&json!({"unit": 2})), None);
    }

    #[test]
    fn measures_map_with_units_and_skip_ambiguous_and_repeated_groups() {
        let mut b = Batch::new(ID, Source::User);
        map_measures(&fixture("getmeas-page1.json"), &mut b);
        map_measures(&fixture("getmeas-page2.json"), &mut b);
        // Weights in three different units; the attrib-1 group (another person) is skipped and
        // the group repeated with attrib 8 counted once.
        let mut w = values(&b, "weight");
        w.sort_by(f64::total_cmp);
        assert_eq!(w, vec![72.3, 72.345, 72.51]);
        let weighing = b
            .points
            .iter()
            .find(|p| p.metric_type == "weight" && p.value == Some(72.345))
            .unwrap();
        let data = weighing.data.as_ref().unwrap();
        assert_eq!(data["fatMassKg"], json!(14.52));
        assert_eq!(data["muscleMassKg"], json!(54.8));
        assert_eq!(values(&b, "body_fat"), vec![20.07]);
        let bp: Vec<_> = b
            .points
            .iter()
            .filter(|p| p.metric_type == "blood_pressure")
            .map(|p| p.data.clone().unwrap())
            .collect();
        assert_eq!(bp.len(), 2);
        assert_eq!(bp[0]["systolic"], json!(121.0));
        assert_eq!(bp[0]["diastolic"], json!(79.0));
        assert_eq!(bp[0]["pulse"], json!(64.0));
        assert_eq!(bp[1]["systolic"], json!(118.0));
        let mut hr = values(&b, "heart_rate");
        hr.sort_by(f64::total_cmp);
        assert_eq!(hr, vec![62.0, 64.0]);
        assert_eq!(values(&b, "spo2"), vec![97.0]);
        assert_eq!(values(&b, "temperature"), vec![36.72]);
    }

    #[test]
    fn activity_prefers_the_withings_device_per_day() {
        let mut b = Batch::new(ID, Source::User);
        map_activity(&fixture("getactivity.json"), &mut b);
        assert_eq!(values(&b, "steps"), vec![9312.0, 4210.0]);
        assert_eq!(values(&b, "distance"), vec![7125.0, 3120.0]);
        assert_eq!(values(&b, "floors"), vec![12.0, 3.0]);
        assert_eq!(values(&b, "active_minutes"), vec![48.0, 12.0]);
        assert_eq!(values(&b, "calories"), vec![412.0, 150.0]);
        let first = b.points.iter().find(|p| p.metric_type == "steps").unwrap();
        assert_eq!(first.recorded_at.to_rfc3339(), "2026-11-20T12:00:00+00:00");
    }

    #[test]
    fn sleep_maps_stages_in_minutes_and_efficiency_in_percent() {
        let mut b = Batch::new(ID, Source::User);
        map_sleep(&fixture("sleep-getsummary.json"), &mut b);
        assert_eq!(b.events.len(), 1);
        let e = &b.events[0];
        assert_eq!(e.provider_event_id, "sleep-2081804182");
        assert_eq!(e.duration_seconds, Some(27_000));
        let d = e.data.as_ref().unwrap();
        assert_eq!(d["stages"]["deep"], json!(84.0));
        assert_eq!(d["stages"]["rem"], json!(96.0));
        assert_eq!(d["efficiency"], json!(91.0));
        assert_eq!(values(&b, "sleep_score"), vec![82.0]);
        assert_eq!(values(&b, "resting_heart_rate"), vec![51.0]);
        assert_eq!(values(&b, "respiratory_rate"), vec![14.0]);
    }

    #[test]
    fn workouts_become_events() {
        let mut b = Batch::new(ID, Source::User);
        map_workouts(&fixture("getworkouts.json"), &mut b);
        assert_eq!(b.events.len(), 1);
        let e = &b.events[0];
        assert_eq!(e.activity_type.as_deref(), Some("running"));
        assert_eq!(e.duration_seconds, Some(2_700));
        assert_eq!(e.distance_meters, Some(7_012.0));
        assert_eq!(e.avg_heart_rate, Some(151));
    }

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
