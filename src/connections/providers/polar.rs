//! Polar (AccessLink API v3). Facts in `docs/providers/polar.md`.
//!
//! Connecting is OAuth 2.0 with client credentials in HTTP Basic; the token answer carries the
//! person's Polar id (`x_user_id`) and no refresh token (a token lasts about a year, then the
//! person reconnects). Before any data can be read the person must be registered with our
//! client (`POST /v3/users`, 409 when already registered), so that is part of the exchange.
//! A sync walks five collections: exercises (the last 30 days), sleep and Nightly Recharge (the
//! last 28 nights), daily activity and continuous heart rate (by dates, 28 days at most per
//! request). Polar gives activity and heart-rate times in the device's local time without an
//! offset, so they are read in the person's zone. Webhooks are signed with the key Polar
//! returned when the webhook was created (`VITASYNC_POLAR_WEBHOOK_SECRET`).

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::fields::{num, point, time};
use crate::connections::provider::{
    collection_cursor, expect_success, join, next_cursor, retry_after, AuthKind, ClientAuth,
    DefaultUrls, Endpoints, FetchError, FetchedPage, Grant, Provider, ProviderInfo, Window,
};
use crate::connections::push::{
    hmac_sha256, id_text, json_body, same, Notice, PushError, PushReply, PushRequest,
};
use crate::connections::tokens::TokenSet;
use crate::health::ingest::{Batch, EventInput, PointInput, Source};
use crate::platform::config::ProviderClient;

pub const ID: &str = "polar";

pub static INFO: ProviderInfo = ProviderInfo {
    id: ID,
    name: "Polar",
    blurb: "Training sessions, sleep, Nightly Recharge, daily activity and heart rate from \
            your Polar watch.",
    auth: AuthKind::OAuth2,
    client_auth: ClientAuth::Basic,
    pkce: false,
    scopes: &["accesslink.read_all"],
    min_interval: Duration::from_secs(60 * 60),
    // AccessLink keeps 28 days of sleep and activity.
    backfill_days: 28,
    metrics: &[
        "steps",
        "distance",
        "calories",
        "active_minutes",
        "sleep",
        "sleep_score",
        "resting_heart_rate",
        "heart_rate_variability",
        "respiratory_rate",
        "heart_rate",
        "workout",
    ],
    events: &["sleep", "workout"],
    pushes: true,
    refresh_scopes: &[],
    auth_params: &[],
};

const COLLECTIONS: &[&str] = &[
    "exercises",
    "sleep",
    "nightly-recharge",
    "activities",
    "continuous-heart-rate",
];

/// The longest date range AccessLink answers.
const MAX_DAYS: i64 = 27;

pub struct Polar {
    endpoints: Option<Endpoints>,
}

impl Polar {
    pub fn new(client: &ProviderClient) -> Self {
        let endpoints = Endpoints::from_client(
            client,
            DefaultUrls {
                auth: "https://flow.polar.com/oauth2/authorization",
                token: "https://polarremote.com/v2/oauth2/token",
                revoke: None,
                api: "https://www.polaraccesslink.com",
            },
        );
        Polar { endpoints }
    }

    fn ep(&self) -> Result<&Endpoints, FetchError> {
        self.endpoints
            .as_ref()
            .ok_or_else(|| FetchError::Permanent("Polar is not configured".into()))
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<i64>,
    x_user_id: Value,
}

/// `PT2H44M`, `PT45M30S`, `PT1.5S` → seconds.
pub fn iso_duration(s: &str) -> Option<f64> {
    let rest = s.strip_prefix("PT")?;
    let (mut total, mut number) = (0.0, String::new());
    for c in rest.chars() {
        match c {
            '0'..='9' | '.' => number.push(c),
            'H' | 'M' | 'S' => {
                let n: f64 = number.parse().ok()?;
                total += n * match c {
                    'H' => 3600.0,
                    'M' => 60.0,
                    _ => 1.0,
                };
                number.clear();
            }
            _ => return None,
        }
    }
    number.is_empty().then_some(total)
}

/// A date (`YYYY-MM-DD`) at noon UTC: daily figures land on that calendar day in every zone
/// from UTC−12 to UTC+11.
fn noon(v: &Value, key: &str) -> Option<DateTime<Utc>> {
    let d: NaiveDate = v.get(key)?.as_str()?.parse().ok()?;
    Some(d.and_hms_opt(12, 0, 0)?.and_utc())
}

/// A device-local time without offset, read in the person's zone.
fn local(naive: NaiveDateTime, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Polar's sport names (`RUNNING`, `ROAD_BIKING`, …) as ours.
pub fn activity_type(sport: &str) -> String {
    let s = sport.to_ascii_lowercase();
    match s.as_str() {
        "running" | "treadmill_running" | "trail_running" => "running".into(),
        "cycling" | "road_biking" | "mountain_biking" | "indoor_cycling" => "cycling".into(),
        "walking" | "hiking" | "nordic_walking" => "walking".into(),
        "swimming" | "pool_swimming" | "open_water_swimming" => "swimming".into(),
        "strength_training" => "strength".into(),
        "yoga" | "pilates" => "yoga".into(),
        "rowing" | "indoor_rowing" => "rowing".into(),
        _ => s,
    }
}

fn map_exercise(e: &Value, batch: &mut Batch) {
    let (Some(id), Some(start)) = (
        e.get("id").and_then(id_text),
        e.get("start_time")
            .and_then(Value::as_str)
            .and_then(|s| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok()),
    ) else {
        return;
    };
    let offset = num(e, "start_time_utc_offset").unwrap_or(0.0) as i32;
    let Some(start) = FixedOffset::east_opt(offset * 60)
        .and_then(|o| o.from_local_datetime(&start).single())
        .map(|t| t.with_timezone(&Utc))
    else {
        return;
    };
    let seconds = e
        .get("duration")
        .and_then(Value::as_str)
        .and_then(iso_duration)
        .map(|s| s.round() as i64);
    let detailed = e.get("detailed_sport_info").and_then(Value::as_str);
    let sport = e.get("sport").and_then(Value::as_str).unwrap_or("OTHER");
    let kind = match (sport, detailed) {
        ("OTHER", Some(d)) => activity_type(d),
        _ => activity_type(sport),
    };
    let hr = e.get("heart_rate");
    let data = json!({
        "durationSeconds": seconds,
        "sport": kind,
        "polarSport": sport,
        "detailedSport": detailed,
        "trainingLoad": num(e, "training_load"),
        "device": e.get("device"),
    });
    batch.events.push(EventInput {
        provider_event_id: format!("exercise-{id}"),
        event_type: "workout".into(),
        activity_type: Some(kind.clone()),
        title: Some(crate::connections::provider::capitalize(
            &kind.replace('_', " "),
        )),
        started_at: start,
        ended_at: seconds.map(|s| start + chrono::Duration::seconds(s)),
        duration_seconds: seconds,
        distance_meters: num(e, "distance").map(f64::round),
        calories_kcal: num(e, "calories"),
        avg_heart_rate: hr.and_then(|h| num(h, "average")).map(|h| h.round() as i64),
        max_heart_rate: hr.and_then(|h| num(h, "maximum")).map(|h| h.round() as i64),
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

fn minutes(v: &Value, key: &str) -> Option<f64> {
    num(v, key).map(|s| (s / 60.0).round())
}

fn map_sleep(n: &Value, batch: &mut Batch) {
    let (Some(date), Some(start), Some(end)) = (
        n.get("date").and_then(Value::as_str),
        time(n, "sleep_start_time"),
        time(n, "sleep_end_time"),
    ) else {
        return;
    };
    if end <= start {
        return;
    }
    let score = num(n, "sleep_score");
    let data = json!({
        "stages": {
            "deep": minutes(n, "deep_sleep"),
            "light": minutes(n, "light_sleep"),
            "rem": minutes(n, "rem_sleep"),
            "awake": minutes(n, "total_interruption_duration"),
        },
        "startTime": start.to_rfc3339(),
        "endTime": end.to_rfc3339(),
        "score": score,
        "continuity": num(n, "continuity"),
        "sleepCharge": num(n, "sleep_charge"),
    });
    batch.events.push(EventInput {
        provider_event_id: format!("sleep-{date}"),
        event_type: "sleep".into(),
        activity_type: Some("sleep".into()),
        title: Some("Sleep".into()),
        started_at: start,
        ended_at: Some(end),
        duration_seconds: Some((end - start).num_seconds()),
        distance_meters: None,
        calories_kcal: None,
        avg_heart_rate: None,
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
}

fn map_recharge(r: &Value, batch: &mut Batch) {
    let at = noon(r, "date");
    point(batch, "resting_heart_rate", num(r, "heart_rate_avg"), at);
    point(
        batch,
        "heart_rate_variability",
        num(r, "heart_rate_variability_avg"),
        at,
    );
    point(
        batch,
        "respiratory_rate",
        num(r, "breathing_rate_avg").map(|b| (b * 10.0).round() / 10.0),
        at,
    );
}

fn map_activity(a: &Value, batch: &mut Batch) {
    // `start_time` is device-local; its date is the day.
    let Some(day) = a
        .get("start_time")
        .and_then(Value::as_str)
        .and_then(|s| s.get(..10))
        .and_then(|d| d.parse::<NaiveDate>().ok())
    else {
        return;
    };
    let at = day.and_hms_opt(12, 0, 0).map(|t| t.and_utc());
    point(batch, "steps", num(a, "steps"), at);
    point(
        batch,
        "distance",
        num(a, "distance_from_steps").map(f64::round),
        at,
    );
    point(batch, "calories", num(a, "active_calories"), at);
    let active = a
        .get("active_duration")
        .and_then(Value::as_str)
        .and_then(iso_duration)
        .map(|s| (s / 60.0).round());
    point(batch, "active_minutes", active, at);
}

fn map_heart_rate(day: &Value, tz: chrono_tz::Tz, batch: &mut Batch) {
    let Some(date) = day
        .get("date")
        .and_then(Value::as_str)
        .and_then(|d| d.parse::<NaiveDate>().ok())
    else {
        return;
    };
    for s in day
        .get("heart_rate_samples")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let at = s
            .get("sample_time")
            .and_then(Value::as_str)
            .and_then(|t| chrono::NaiveTime::parse_from_str(t, "%H:%M:%S").ok())
            .and_then(|t| local(date.and_time(t), tz));
        point(batch, "heart_rate", num(s, "heart_rate"), at);
    }
}

/// Maps one answer of `collection` into the batch.
pub fn map_answer(collection: &str, body: &Value, window: Window, batch: &mut Batch) {
    let list = |key: Option<&str>| -> Vec<Value> {
        let v = match key {
            Some(k) => body.get(k),
            None => Some(body),
        };
        match v {
            Some(Value::Array(a)) => a.clone(),
            Some(o @ Value::Object(_)) => vec![o.clone()],
            _ => Vec::new(),
        }
    };
    match collection {
        "exercises" => list(None).iter().for_each(|e| map_exercise(e, batch)),
        "sleep" => list(Some("nights"))
            .iter()
            .for_each(|n| map_sleep(n, batch)),
        "nightly-recharge" => list(Some("recharges"))
            .iter()
            .for_each(|r| map_recharge(r, batch)),
        "activities" => list(None).iter().for_each(|a| map_activity(a, batch)),
        _ => list(None)
            .iter()
            .for_each(|d| map_heart_rate(d, window.zone, batch)),
    }
}

#[async_trait]
impl Provider for Polar {
    fn info(&self) -> &ProviderInfo {
        &INFO
    }

    fn endpoints(&self) -> Option<&Endpoints> {
        self.endpoints.as_ref()
    }

    /// The token answer names the person (`x_user_id`); then they are registered with our
    /// client, which AccessLink requires before sharing any data (409: already registered).
    async fn exchange_code(
        &self,
        http: &reqwest::Client,
        redirect_uri: &str,
        code: &str,
        _pkce_verifier: Option<String>,
    ) -> Result<Grant, FetchError> {
        let ep = self.ep()?;
        let res = http
            .post(ep.token_url.clone())
            .basic_auth(&ep.client_id, ep.client_secret.as_deref())
            .header(reqwest::header::ACCEPT, "application/json;charset=UTF-8")
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
            ])
            .send()
            .await
            .map_err(|e| FetchError::Transient(format!("could not reach Polar ({e})")))?;
        if !res.status().is_success() {
            return Err(FetchError::Permanent(format!(
                "Polar refused the code ({})",
                res.status()
            )));
        }
        let t: TokenAnswer = res
            .json()
            .await
            .map_err(|e| FetchError::Permanent(format!("unreadable token answer ({e})")))?;
        let user = id_text(&t.x_user_id)
            .ok_or_else(|| FetchError::Permanent("Polar named no user".into()))?;
        let reg = http
            .post(join(&ep.api_url, "v3/users"))
            .bearer_auth(&t.access_token)
            .header(reqwest::header::ACCEPT, "application/json")
            .json(&json!({ "member-id": format!("vitasync-{user}") }))
            .send()
            .await
            .map_err(|e| FetchError::Transient(format!("could not reach Polar ({e})")))?;
        match reg.status().as_u16() {
            200 | 201 | 409 => {}
            403 => {
                return Err(FetchError::Forbidden(
                    "accept Polar's data-sharing consents in Polar Flow, then connect again".into(),
                ))
            }
            s => {
                return Err(FetchError::Permanent(format!(
                    "Polar refused the registration ({s})"
                )))
            }
        }
        Ok(Grant {
            tokens: TokenSet {
                access_token: t.access_token,
                refresh_token: None,
                expires_at: t
                    .expires_in
                    .map(|s| Utc::now() + chrono::Duration::seconds(s)),
            },
            account_id: Some(user),
        })
    }

    async fn fetch_page(
        &self,
        http: &reqwest::Client,
        access_token: &str,
        window: Window,
        cursor: Option<&str>,
    ) -> Result<FetchedPage, FetchError> {
        let ep = self.ep()?;
        let (idx, _) = collection_cursor(cursor)?;
        let mut batch = Batch::new(ID, Source::User);
        let Some(collection) = COLLECTIONS.get(idx).copied() else {
            return Ok(FetchedPage { batch, next: None });
        };
        let to = window.end.with_timezone(&window.zone).date_naive();
        let from = window
            .start
            .with_timezone(&window.zone)
            .date_naive()
            .max(to - chrono::Duration::days(MAX_DAYS));
        let mut url = match collection {
            "exercises" => join(&ep.api_url, "v3/exercises"),
            other => join(&ep.api_url, &format!("v3/users/{other}")),
        };
        if matches!(collection, "activities" | "continuous-heart-rate") {
            url.query_pairs_mut()
                .append_pair("from", &from.to_string())
                .append_pair("to", &to.to_string());
        }
        let body: Value = match get_json_polar(http, url, access_token).await {
            Ok(b) => b,
            // No data for the span, or a consent the person withheld: nothing to map.
            Err(FetchError::Forbidden(detail)) => {
                tracing::warn!(collection, %detail, "Polar refused a collection; skipped");
                Value::Null
            }
            Err(e) => return Err(e),
        };
        map_answer(collection, &body, window, &mut batch);
        let next = next_cursor(idx, None);
        let done = collection_cursor(Some(&next))?.0 >= COLLECTIONS.len();
        Ok(FetchedPage {
            batch,
            next: (!done).then_some(next),
        })
    }

    /// De-registering the person also revokes the token.
    async fn revoke(
        &self,
        http: &reqwest::Client,
        tokens: &TokenSet,
        account_id: Option<&str>,
    ) -> Result<(), String> {
        let (Ok(ep), Some(user)) = (self.ep(), account_id) else {
            return Ok(());
        };
        let req = http
            .delete(join(&ep.api_url, &format!("v3/users/{user}")))
            .bearer_auth(&tokens.access_token);
        expect_success(req, "Polar").await
    }

    /// `Polar-Webhook-Signature`: hex HMAC-SHA256 of the raw body under the webhook's key.
    /// The PING Polar sends while the webhook is being created is answered 200 unchecked (it
    /// comes before the key is known) and does nothing.
    fn receive_push(&self, req: &PushRequest<'_>) -> Result<PushReply, PushError> {
        let ep = self.endpoints.as_ref().ok_or(PushError::NotOffered)?;
        let secret = ep.webhook_secret.as_deref().ok_or(PushError::NotOffered)?;
        if req.method != http::Method::POST {
            return Err(PushError::NotOffered);
        }
        let given = req.header("polar-webhook-signature");
        let Some(given) = given else {
            // Unsigned: only the creation PING (sent before the key exists), which does nothing.
            #[derive(serde::Deserialize)]
            struct Ping {
                event: String,
            }
            return match serde_json::from_slice::<Ping>(req.body) {
                Ok(p) if p.event == "PING" => Ok(PushReply::Handshake(json!({}))),
                _ => Err(PushError::Unauthenticated(
                    "the signature is missing".into(),
                )),
            };
        };
        let given = hex::decode(given.trim()).unwrap_or_default();
        if !same(&hmac_sha256(secret.as_bytes(), &[req.body]), &given) {
            return Err(PushError::Unauthenticated(
                "the signature does not match".into(),
            ));
        }
        let event: Value = json_body(req.body)?;
        let kind = event.get("event").and_then(Value::as_str).unwrap_or("");
        if kind == "PING" {
            return Ok(PushReply::Handshake(json!({})));
        }
        let user = event
            .get("user_id")
            .and_then(id_text)
            .ok_or_else(|| PushError::Malformed("the notification names no user".into()))?;
        let text = |k: &str| event.get(k).and_then(id_text).unwrap_or_default();
        let key = format!(
            "{kind}:{user}:{}:{}:{}:{}",
            text("entity_id"),
            text("date"),
            text("from"),
            text("timestamp")
        );
        let since = event
            .get("date")
            .and_then(Value::as_str)
            .and_then(|d| d.parse::<NaiveDate>().ok())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc());
        Ok(PushReply::Notices(vec![Notice {
            account_id: user,
            key,
            since,
            data: None,
        }]))
    }
}

/// GET with AccessLink's conventions: 204 and 404 mean "no data" (an empty answer).
async fn get_json_polar(
    http: &reqwest::Client,
    url: url::Url,
    token: &str,
) -> Result<Value, FetchError> {
    let res = http
        .get(url)
        .bearer_auth(token)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| FetchError::Transient(format!("could not reach Polar ({e})")))?;
    let status = res.status();
    match status.as_u16() {
        204 | 404 => Ok(Value::Null),
        401 => Err(FetchError::Unauthorized),
        403 => Err(FetchError::Forbidden(
            "Polar does not share this data (consents)".into(),
        )),
        429 => Err(FetchError::RateLimited {
            retry_after: retry_after(res.headers()),
        }),
        s if s >= 500 => Err(FetchError::Transient(format!("Polar answered {status}"))),
        s if !(200..300).contains(&s) => Err(FetchError::Permanent(format!(
            "Polar refused the request ({status})"
        ))),
        _ => res
            .json()
            .await
            .map_err(|e| FetchError::Permanent(format!("unreadable answer from Polar ({e})"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_durations() {
        assert_eq!(iso_duration("PT2H44M"), Some(9840.0));
        assert_eq!(iso_duration("PT45M30S"), Some(2730.0));
        assert_eq!(iso_duration("PT1.5S"), Some(1.5));
        assert_eq!(iso_duration("PT"), Some(0.0));
        assert_eq!(iso_duration("P1D"), None);
        assert_eq!(iso_duration("PT5X"), None);
    }

    #[test]
    fn sports() {
        assert_eq!(activity_type("RUNNING"), "running");
        assert_eq!(activity_type("ROAD_BIKING"), "cycling");
        assert_eq!(
            activity_type("WATERSPORTS_WATERSKI"),
            "watersports_waterski"
        );
    }
}
