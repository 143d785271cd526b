//! Fitbit, read through the Google Health API (v4): the Fitbit Web API was switched off on
//! 2026-10-30. Facts in `docs/providers/google-health.md`.
//!
//! Google OAuth 2.0 with PKCE, `access_type=offline` and `prompt=consent` (else Google issues a
//! refresh token only on the first consent); refreshes return no new refresh token, so the old
//! one is kept. A sync walks one data type after another (the cursor is `<type index>:<token>`):
//!
//! - daily totals (steps, distance, floors, active energy, active minutes) through
//!   `dataPoints:dailyRollUp` over the person's local days, in chunks of at most 14 days (the
//!   API's limit for some types), each day counted at local noon;
//! - heart rate through `dataPoints:rollUp` in one-minute windows (the raw samples come every
//!   second or two), a day per request;
//! - daily documents (resting heart rate, HRV, SpO₂, breathing rate, nightly temperature) and
//!   samples (weight, body fat) through `dataPoints` lists paged with `pageToken`;
//! - sleep sessions (filtered on their end) and exercise sessions (filtered on their local
//!   start date), at most 25 per page.
//!
//! The data points are mapped in `fitbit_map`. A type Google refuses with
//! 403 (a scope the person did not grant) is skipped and the others still sync.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde_json::{json, Value};
use url::Url;

use super::fitbit_map::{map_daily_total, map_heart_rate, map_point};
use crate::connections::provider::{
    collection_cursor, join, next_cursor, retry_after, AuthKind, ClientAuth, DefaultUrls,
    Endpoints, FetchError, FetchedPage, Provider, ProviderInfo, Window,
};
use crate::connections::push::{PushError, PushReply, PushRequest};
use crate::health::ingest::{Batch, Source};
use crate::platform::config::ProviderClient;

pub const ID: &str = "fitbit";

pub static INFO: ProviderInfo = ProviderInfo {
    id: ID,
    name: "Fitbit",
    blurb: "Steps, heart rate, sleep stages, SpO₂, weight and exercise from Fitbit and Pixel \
            Watch, through the Google Health API.",
    auth: AuthKind::OAuth2,
    client_auth: ClientAuth::RequestBody,
    pkce: true,
    scopes: &[
        "https://www.googleapis.com/auth/googlehealth.activity_and_fitness.readonly",
        "https://www.googleapis.com/auth/googlehealth.health_metrics_and_measurements.readonly",
        "https://www.googleapis.com/auth/googlehealth.sleep.readonly",
    ],
    min_interval: Duration::from_secs(30 * 60),
    backfill_days: 30,
    metrics: &[
        "steps",
        "distance",
        "floors",
        "calories",
        "active_minutes",
        "heart_rate",
        "resting_heart_rate",
        "heart_rate_variability",
        "spo2",
        "respiratory_rate",
        "temperature",
        "weight",
        "body_fat",
        "sleep",
        "workout",
    ],
    events: &["sleep", "workout"],
    pushes: true,
    refresh_scopes: &[],
    auth_params: &[("access_type", "offline"), ("prompt", "consent")],
};

/// How a data type is read.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    /// Per local day through `dailyRollUp`.
    DailyTotal,
    /// One-minute averages through `rollUp`.
    HeartRate,
    /// A list of daily documents (`date`).
    Day,
    /// A list of samples (`sampleTime`).
    Sample,
    Sleep,
    Exercise,
}

/// The data types a sync walks, in order (path ids are kebab-case).
const TYPES: &[(&str, Shape)] = &[
    ("steps", Shape::DailyTotal),
    ("distance", Shape::DailyTotal),
    ("floors", Shape::DailyTotal),
    ("active-energy-burned", Shape::DailyTotal),
    ("active-minutes", Shape::DailyTotal),
    ("heart-rate", Shape::HeartRate),
    ("daily-resting-heart-rate", Shape::Day),
    ("daily-heart-rate-variability", Shape::Day),
    ("daily-oxygen-saturation", Shape::Day),
    ("daily-respiratory-rate", Shape::Day),
    ("daily-sleep-temperature-derivations", Shape::Day),
    ("weight", Shape::Sample),
    ("body-fat", Shape::Sample),
    ("sleep", Shape::Sleep),
    ("exercise", Shape::Exercise),
];

/// Days per `dailyRollUp` request (the limit for active minutes and calories).
const ROLLUP_DAYS: i64 = 14;
/// Sleep and exercise lists take at most 25 per page; the others up to 10,000.
const SESSION_PAGE: &str = "25";
const LIST_PAGE: &str = "1000";

pub struct Fitbit {
    endpoints: Option<Endpoints>,
}

impl Fitbit {
    pub fn new(client: &ProviderClient) -> Self {
        Fitbit {
            endpoints: Endpoints::from_client(
                client,
                DefaultUrls {
                    auth: "https://accounts.google.com/o/oauth2/v2/auth",
                    token: "https://oauth2.googleapis.com/token",
                    revoke: Some("https://oauth2.googleapis.com/revoke"),
                    api: "https://health.googleapis.com",
                },
            ),
        }
    }

    fn ep(&self) -> Result<&Endpoints, FetchError> {
        self.endpoints
            .as_ref()
            .ok_or_else(|| FetchError::Permanent("Fitbit is not configured".into()))
    }
}

fn civil(d: NaiveDate) -> Value {
    json!({"date": {"year": d.year(), "month": d.month(), "day": d.day()}})
}

/// The person's local days a window touches, with a day of margin on each side (the end is
/// exclusive).
fn local_days(window: Window) -> (NaiveDate, NaiveDate) {
    let day = chrono::Duration::days(1);
    (
        window.start.with_timezone(&window.zone).date_naive() - day,
        window.end.with_timezone(&window.zone).date_naive() + day,
    )
}

/// Sorts a failed answer into what the engine needs, reading Google's error envelope.
fn classify(status: reqwest::StatusCode, wait: Option<Duration>, body: &Value) -> FetchError {
    let err = &body["error"];
    let message = err["message"].as_str().unwrap_or("").trim().to_string();
    let not_linked = err["details"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|d| d["reason"].as_str() == Some("ACCOUNT_NOT_LINKED"));
    match status.as_u16() {
        401 => FetchError::Unauthorized,
        429 => FetchError::RateLimited { retry_after: wait },
        500..=599 => FetchError::Transient(format!("Google Health answered {status}")),
        403 => FetchError::Forbidden(format!(
            "Google Health does not share this data ({message})"
        )),
        _ if not_linked => FetchError::Permanent(
            "This Google account has no Fitbit data in Google Health yet: open the Fitbit app, \
             sign in with this Google account, then sync again."
                .into(),
        ),
        _ => FetchError::Permanent(format!(
            "Google Health refused the request ({status}{}{message})",
            if message.is_empty() { "" } else { ": " }
        )),
    }
}

/// Sends a request with the person's token and reads the JSON answer (an empty body is `{}`).
async fn call(req: reqwest::RequestBuilder, access_token: &str) -> Result<Value, FetchError> {
    let res = req
        .bearer_auth(access_token)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| FetchError::Transient(format!("could not reach Google Health ({e})")))?;
    let status = res.status();
    let wait = retry_after(res.headers());
    let bytes = res
        .bytes()
        .await
        .map_err(|e| FetchError::Transient(format!("the answer was cut off ({e})")))?;
    if !status.is_success() {
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        return Err(classify(status, wait, &body));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| FetchError::Permanent(format!("unreadable answer from Google Health ({e})")))
}

/// The answer's next page token, when there is one.
fn page_token(answer: &Value) -> Option<String> {
    answer["nextPageToken"]
        .as_str()
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// A chunked walk's token: `<chunk>` or `<chunk>~<page token>`.
fn split_token(token: Option<&str>) -> (Option<&str>, Option<&str>) {
    match token {
        None => (None, None),
        Some(t) => match t.split_once('~') {
            Some((c, p)) => (Some(c), Some(p)),
            None => (Some(t), None),
        },
    }
}

/// Where a chunked walk goes next: the chunk's next page, else the next chunk, else done.
fn after_chunk(chunk: &str, page: Option<String>, next_chunk: Option<String>) -> Option<String> {
    match page {
        Some(p) => Some(format!("{chunk}~{p}")),
        None => next_chunk,
    }
}

/// The list filter of a data type over `window` (fields in snake_case; only `>=`, `<`).
fn list_filter(path: &str, shape: Shape, window: Window) -> String {
    let field = path.replace('-', "_");
    let at = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (from, to) = local_days(window);
    let (member, lo, hi) = match shape {
        Shape::Day => (format!("{field}.date"), from.to_string(), to.to_string()),
        Shape::Sample => (
            format!("{field}.sample_time.physical_time"),
            at(window.start),
            at(window.end),
        ),
        // Sleep can only be filtered on its end.
        Shape::Sleep => (
            format!("{field}.interval.end_time"),
            at(window.start),
            at(window.end),
        ),
        // Exercise only on its local start date.
        _ => (
            format!("{field}.interval.civil_start_time"),
            from.to_string(),
            to.to_string(),
        ),
    };
    format!("{member} >= \"{lo}\" AND {member} < \"{hi}\"")
}

/// Reads one page of one data type into `batch`; returns the type's next token.
async fn fetch_type(
    http: &reqwest::Client,
    ep: &Endpoints,
    access_token: &str,
    (path, shape): (&str, Shape),
    window: Window,
    token: Option<&str>,
    batch: &mut Batch,
) -> Result<Option<String>, FetchError> {
    let base = format!("v4/users/me/dataTypes/{path}/dataPoints");
    let rows = |answer: &Value| -> Vec<Value> {
        answer["rollupDataPoints"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let (chunk, page) = split_token(token);
    match shape {
        Shape::DailyTotal => {
            let (from, to) = local_days(window);
            let start = chunk.and_then(|c| c.parse().ok()).unwrap_or(from);
            let end = (start + chrono::Duration::days(ROLLUP_DAYS)).min(to);
            let mut body = json!({
                "range": {"start": civil(start), "end": civil(end)},
                "windowSizeDays": 1,
            });
            if let Some(p) = page {
                body["pageToken"] = json!(p);
            }
            let url = join(&ep.api_url, &format!("{base}:dailyRollUp"));
            let answer = call(http.post(url).json(&body), access_token).await?;
            for r in rows(&answer) {
                map_daily_total(path, &r, window.zone, batch);
            }
            Ok(after_chunk(
                &start.to_string(),
                page_token(&answer),
                (end < to).then(|| end.to_string()),
            ))
        }
        Shape::HeartRate => {
            let start = chunk
                .and_then(|c| c.parse::<i64>().ok())
                .and_then(|s| DateTime::from_timestamp(s, 0))
                .unwrap_or(window.start);
            let end = (start + chrono::Duration::days(1)).min(window.end);
            let at = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let mut body = json!({
                "range": {"startTime": at(start), "endTime": at(end)},
                "windowSize": "60s",
                "pageSize": 1440,
            });
            if let Some(p) = page {
                body["pageToken"] = json!(p);
            }
            let url = join(&ep.api_url, &format!("{base}:rollUp"));
            let answer = call(http.post(url).json(&body), access_token).await?;
            for r in rows(&answer) {
                map_heart_rate(&r, batch);
            }
            Ok(after_chunk(
                &start.timestamp().to_string(),
                page_token(&answer),
                (end < window.end).then(|| end.timestamp().to_string()),
            ))
        }
        _ => {
            let mut url: Url = join(&ep.api_url, &base);
            let size = if matches!(shape, Shape::Sleep | Shape::Exercise) {
                SESSION_PAGE
            } else {
                LIST_PAGE
            };
            url.query_pairs_mut()
                .append_pair("filter", &list_filter(path, shape, window))
                .append_pair("pageSize", size);
            if let Some(t) = token {
                url.query_pairs_mut().append_pair("pageToken", t);
            }
            let answer = call(http.get(url), access_token).await?;
            for dp in answer["dataPoints"].as_array().into_iter().flatten() {
                map_point(path, dp, window.zone, batch);
            }
            Ok(page_token(&answer))
        }
    }
}

#[async_trait]
impl Provider for Fitbit {
    fn info(&self) -> &ProviderInfo {
        &INFO
    }

    fn endpoints(&self) -> Option<&Endpoints> {
        self.endpoints.as_ref()
    }

    async fn fetch_page(
        &self,
        http: &reqwest::Client,
        access_token: &str,
        window: Window,
        cursor: Option<&str>,
    ) -> Result<FetchedPage, FetchError> {
        let ep = self.ep()?;
        let (idx, token) = collection_cursor(cursor)?;
        let mut batch = Batch::new(ID, Source::User);
        let Some(data_type) = TYPES.get(idx).copied() else {
            return Ok(FetchedPage { batch, next: None });
        };
        let token = fetch_type(
            http,
            ep,
            access_token,
            data_type,
            window,
            token.as_deref(),
            &mut batch,
        )
        .await;
        let token = match token {
            Ok(t) => t,
            // The person may grant only some scopes: a refused type is skipped.
            Err(FetchError::Forbidden(detail)) => {
                tracing::warn!(data_type = data_type.0, %detail, "Google Health refused a data type; skipped");
                None
            }
            Err(e) => return Err(e),
        };
        let next = next_cursor(idx, token);
        let done = collection_cursor(Some(&next))?.0 >= TYPES.len();
        Ok(FetchedPage {
            batch,
            next: (!done).then_some(next),
        })
    }

    /// The `healthUserId`, which Google's notifications name.
    async fn account_id(
        &self,
        http: &reqwest::Client,
        access_token: &str,
    ) -> Result<Option<String>, FetchError> {
        let ep = self.ep()?;
        let answer = call(
            http.get(join(&ep.api_url, "v4/users/me/identity")),
            access_token,
        )
        .await?;
        Ok(answer["healthUserId"].as_str().map(str::to_string))
    }

    fn receive_push(&self, req: &PushRequest<'_>) -> Result<PushReply, PushError> {
        let ep = self.endpoints.as_ref().ok_or(PushError::NotOffered)?;
        super::fitbit_push::receive(ep, req)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fitbit_map::value_key;
    use super::*;

    #[test]
    fn filters_use_snake_case_members_and_local_dates() {
        let w = Window {
            start: "2026-11-20T15:30:00Z".parse().unwrap(),
            end: "2026-11-22T15:30:00Z".parse().unwrap(),
            zone: chrono_tz::Asia::Tokyo,
        };
        assert_eq!(
            list_filter("daily-resting-heart-rate", Shape::Day, w),
            "daily_resting_heart_rate.date >= \"2026-11-20\" AND \
             daily_resting_heart_rate.date < \"2026-11-24\""
        );
        assert_eq!(
            list_filter("sleep", Shape::Sleep, w),
            "sleep.interval.end_time >= \"2026-11-20T15:30:00Z\" AND \
             sleep.interval.end_time < \"2026-11-22T15:30:00Z\""
        );
        assert_eq!(
            list_filter("body-fat", Shape::Sample, w),
            "body_fat.sample_time.physical_time >= \"2026-11-20T15:30:00Z\" AND \
             body_fat.sample_time.physical_time < \"2026-11-22T15:30:00Z\""
        );
        assert!(list_filter("exercise", Shape::Exercise, w)
            .starts_with("exercise.interval.civil_start_time >= \"2026-11-20\""));
        assert_eq!(
            value_key("daily-sleep-temperature-derivations"),
            "dailySleepTemperatureDerivations"
        );
    }

    #[test]
    fn errors_read_googles_envelope() {
        let not_linked = json!({"error": {"code": 400, "status": "FAILED_PRECONDITION",
            "message": "Account not linked", "details": [{"@type":
            "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCOUNT_NOT_LINKED"}]}});
        match classify(reqwest::StatusCode::BAD_REQUEST, None, &not_linked) {
            FetchError::Permanent(m) => assert!(m.contains("Fitbit app"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            classify(reqwest::StatusCode::TOO_MANY_REQUESTS, None, &Value::Null),
            FetchError::RateLimited { retry_after: None }
        );
        assert!(matches!(
            classify(reqwest::StatusCode::FORBIDDEN, None, &Value::Null),
            FetchError::Forbidden(_)
        ));
        match classify(
            reqwest::StatusCode::BAD_REQUEST,
            None,
            &json!({"error": {"message": "Invalid data point filter"}}),
        ) {
            FetchError::Permanent(m) => assert!(m.ends_with("Invalid data point filter)"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn chunk_tokens_round_trip() {
        assert_eq!(split_token(None), (None, None));
        assert_eq!(split_token(Some("2026-11-01")), (Some("2026-11-01"), None));
        assert_eq!(
            split_token(Some("2026-11-01~abc~d")),
            (Some("2026-11-01"), Some("abc~d"))
        );
        assert_eq!(
            after_chunk("c", Some("p".into()), Some("n".into())).as_deref(),
            Some("c~p")
        );
        assert_eq!(
            after_chunk("c", None, Some("n".into())).as_deref(),
            Some("n")
        );
        assert_eq!(after_chunk("c", None, None), None);
    }
}
