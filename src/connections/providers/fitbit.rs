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
//! int64 values come as JSON strings and zero values are left out. A type Google refuses with
//! 403 (a scope the person did not grant) is skipped and the others still sync.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde_json::{json, Value};
use url::Url;

use super::fields::point;
use crate::connections::provider::{
    capitalize, collection_cursor, join, next_cursor, retry_after, AuthKind, ClientAuth,
    DefaultUrls, Endpoints, FetchError, FetchedPage, Provider, ProviderInfo, Window,
};
use crate::connections::push::{PushError, PushReply, PushRequest};
use crate::health::ingest::{Batch, EventInput, PointInput, Source};
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

/// "daily-resting-heart-rate" → "dailyRestingHeartRate" (the JSON value key).
fn value_key(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut upper = false;
    for c in path.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A number, or an int64 sent as a string.
fn n(v: &Value) -> Option<f64> {
    match v {
        Value::Number(x) => x.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `"3471s"` → seconds.
fn seconds(v: &Value) -> Option<f64> {
    v.as_str()?.trim().strip_suffix('s')?.parse().ok()
}

fn instant(v: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn round_to(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// `{year, month, day}` → a date.
fn civil_date(v: &Value) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        v.get("year")?.as_i64()? as i32,
        v.get("month")?.as_u64()? as u32,
        v.get("day")?.as_u64()? as u32,
    )
}

fn civil(d: NaiveDate) -> Value {
    json!({"date": {"year": d.year(), "month": d.month(), "day": d.day()}})
}

/// A local day's figure counts at noon of that day in the person's zone.
fn local_noon(d: NaiveDate, zone: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    zone.from_local_datetime(&d.and_hms_opt(12, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
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

/// Maps one `dailyRollUp` row of `path`.
pub fn map_daily_total(path: &str, r: &Value, zone: chrono_tz::Tz, batch: &mut Batch) {
    let at = r
        .get("civilStartTime")
        .and_then(|c| c.get("date"))
        .and_then(civil_date)
        .and_then(|d| local_noon(d, zone));
    let v = &r[value_key(path)];
    let (metric, value) = match path {
        "steps" => ("steps", n(&v["countSum"])),
        "distance" => (
            "distance",
            n(&v["millimetersSum"]).map(|mm| round_to(mm / 1000.0, 1)),
        ),
        "floors" => ("floors", n(&v["countSum"])),
        "active-energy-burned" => ("calories", n(&v["kcalSum"]).map(|k| round_to(k, 1))),
        "active-minutes" => {
            let levels = v["activeMinutesRollupByActivityLevel"].as_array();
            let active = levels.map(|levels| {
                levels
                    .iter()
                    .filter(|l| {
                        matches!(l["activityLevel"].as_str(), Some("MODERATE" | "VIGOROUS"))
                    })
                    .filter_map(|l| n(&l["activeMinutesSum"]))
                    .sum::<f64>()
            });
            ("active_minutes", active)
        }
        _ => return,
    };
    point(batch, metric, value, at);
}

/// Maps one heart-rate `rollUp` row (a minute's average).
pub fn map_heart_rate(r: &Value, batch: &mut Batch) {
    let avg = n(&r["heartRate"]["beatsPerMinuteAvg"]).map(f64::round);
    point(batch, "heart_rate", avg, instant(&r["startTime"]));
}

/// Maps one listed data point of `path`.
pub fn map_point(path: &str, dp: &Value, zone: chrono_tz::Tz, batch: &mut Batch) {
    let v = &dp[value_key(path)];
    let day = || civil_date(&v["date"]).and_then(|d| local_noon(d, zone));
    let sampled = || instant(&v["sampleTime"]["physicalTime"]);
    match path {
        "daily-resting-heart-rate" => {
            point(batch, "resting_heart_rate", n(&v["beatsPerMinute"]), day())
        }
        "daily-heart-rate-variability" => point(
            batch,
            "heart_rate_variability",
            n(&v["averageHeartRateVariabilityMilliseconds"]).map(|x| round_to(x, 1)),
            day(),
        ),
        "daily-oxygen-saturation" => point(batch, "spo2", n(&v["averagePercentage"]), day()),
        "daily-respiratory-rate" => {
            point(batch, "respiratory_rate", n(&v["breathsPerMinute"]), day())
        }
        "daily-sleep-temperature-derivations" => {
            if let (Some(t), Some(at)) = (n(&v["nightlyTemperatureCelsius"]), day()) {
                batch.points.push(PointInput {
                    metric_type: "temperature".into(),
                    value: Some(round_to(t, 2)),
                    unit: None,
                    data: Some(json!({
                        "site": "skin",
                        "baselineCelsius": n(&v["baselineTemperatureCelsius"]),
                    })),
                    recorded_at: at,
                });
            }
        }
        "weight" => point(
            batch,
            "weight",
            n(&v["weightGrams"]).map(|g| round_to(g / 1000.0, 2)),
            sampled(),
        ),
        "body-fat" => point(batch, "body_fat", n(&v["percentage"]), sampled()),
        "sleep" => map_sleep(dp, batch),
        "exercise" => map_exercise(dp, batch),
        _ => {}
    }
}

/// The data point's id: the last segment of its `name`.
fn point_id(dp: &Value) -> Option<&str> {
    dp["name"].as_str().and_then(|n| n.rsplit('/').next())
}

fn map_sleep(dp: &Value, batch: &mut Batch) {
    let s = &dp["sleep"];
    let (Some(start), Some(end)) = (
        instant(&s["interval"]["startTime"]),
        instant(&s["interval"]["endTime"]),
    ) else {
        return;
    };
    let id = point_id(dp)
        .map(str::to_string)
        .unwrap_or_else(|| start.timestamp().to_string());
    let summary = &s["summary"];
    // Reconciled answers can repeat a stage; each type counts once.
    let mut by_stage = std::collections::BTreeMap::<String, f64>::new();
    for st in summary["stagesSummary"].as_array().into_iter().flatten() {
        if let (Some(t), Some(m)) = (st["type"].as_str(), n(&st["minutes"])) {
            by_stage.entry(t.to_string()).or_insert(m);
        }
    }
    let stage = |k: &str| by_stage.get(k).copied();
    let classic = s["type"].as_str() == Some("CLASSIC");
    let stages = if classic {
        // Asleep / restless / awake only: the awake time, and sleep is the rest.
        let awake = n(&summary["minutesAwake"])
            .or_else(|| Some(stage("AWAKE").unwrap_or(0.0) + stage("RESTLESS").unwrap_or(0.0)));
        json!({"awake": awake})
    } else {
        json!({
            "deep": stage("DEEP"),
            "light": stage("LIGHT"),
            "rem": stage("REM"),
            "awake": stage("AWAKE"),
        })
    };
    let meta = &s["metadata"];
    let nap = meta["nap"].as_bool() == Some(true) || meta["mainSleep"].as_bool() == Some(false);
    let efficiency = match (
        n(&summary["minutesAsleep"]),
        n(&summary["minutesInSleepPeriod"]),
    ) {
        (Some(a), Some(p)) if p > 0.0 => Some((a / p * 100.0).round()),
        _ => None,
    };
    let data = json!({
        "stages": stages,
        "startTime": start.to_rfc3339(),
        "endTime": end.to_rfc3339(),
        "efficiency": efficiency,
        "latencyMinutes": n(&summary["minutesToFallAsleep"]),
        "nap": nap,
        "sleepType": s["type"],
    });
    batch.events.push(EventInput {
        provider_event_id: format!("sleep-{id}"),
        event_type: "sleep".into(),
        activity_type: Some(if nap { "nap" } else { "sleep" }.into()),
        title: Some(if nap { "Nap" } else { "Sleep" }.into()),
        started_at: start,
        ended_at: Some(end),
        duration_seconds: Some((end - start).num_seconds()),
        distance_meters: None,
        calories_kcal: None,
        avg_heart_rate: None,
        max_heart_rate: None,
        data: Some(data.clone()),
    });
    if !nap {
        batch.points.push(PointInput {
            metric_type: "sleep".into(),
            value: None,
            unit: None,
            data: Some(data),
            recorded_at: start,
        });
    }
}

/// Google's exercise types (`RUNNING`, `BIKING`, `STRENGTH_TRAINING`, … an open list) as ours.
pub fn activity_type(kind: &str) -> String {
    let s = kind.to_ascii_lowercase();
    match s.as_str() {
        "running" | "treadmill_running" | "trail_running" => "running".into(),
        "biking" | "cycling" | "indoor_biking" | "mountain_biking" => "cycling".into(),
        "walking" | "hiking" => "walking".into(),
        "swimming" | "pool_swimming" | "open_water_swimming" => "swimming".into(),
        "weightlifting" | "strength_training" => "strength".into(),
        "yoga" | "pilates" => "yoga".into(),
        "rowing" | "rowing_machine" => "rowing".into(),
        _ => s,
    }
}

fn map_exercise(dp: &Value, batch: &mut Batch) {
    let e = &dp["exercise"];
    let (Some(start), Some(end)) = (
        instant(&e["interval"]["startTime"]),
        instant(&e["interval"]["endTime"]),
    ) else {
        return;
    };
    let id = point_id(dp)
        .map(str::to_string)
        .unwrap_or_else(|| start.timestamp().to_string());
    let kind = e["exerciseType"].as_str().unwrap_or("OTHER");
    let m = &e["metricsSummary"];
    let duration = seconds(&e["activeDuration"])
        .map(|s| s as i64)
        .unwrap_or_else(|| (end - start).num_seconds());
    let title = e["displayName"]
        .as_str()
        .filter(|t| !t.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| capitalize(&kind.to_ascii_lowercase().replace('_', " ")));
    let data = json!({
        "durationSeconds": duration,
        "sport": kind,
        "activeZoneMinutes": n(&m["activeZoneMinutes"]),
        "steps": n(&m["steps"]),
        "elevationGainMeters": n(&m["elevationGainMillimeters"]).map(|mm| round_to(mm / 1000.0, 1)),
    });
    batch.events.push(EventInput {
        provider_event_id: format!("exercise-{id}"),
        event_type: "workout".into(),
        activity_type: Some(activity_type(kind)),
        title: Some(title),
        started_at: start,
        ended_at: Some(end),
        duration_seconds: Some(duration),
        distance_meters: n(&m["distanceMillimeters"])
            .filter(|mm| *mm > 0.0)
            .map(|mm| round_to(mm / 1000.0, 1)),
        calories_kcal: n(&m["caloriesKcal"]).map(|k| round_to(k, 1)),
        avg_heart_rate: n(&m["averageHeartRateBeatsPerMinute"]).map(|h| h.round() as i64),
        max_heart_rate: None,
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
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/fitbit/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn values(b: &Batch, metric: &str) -> Vec<f64> {
        b.points
            .iter()
            .filter(|p| p.metric_type == metric)
            .filter_map(|p| p.value)
            .collect()
    }

    fn listed(path: &str) -> Batch {
        let mut b = Batch::new(ID, Source::User);
        for dp in fixture(&format!("{path}.json"))["dataPoints"]
            .as_array()
            .unwrap()
        {
            map_point(path, dp, chrono_tz::Asia::Tokyo, &mut b);
        }
        b
    }

    fn rolled(path: &str) -> Batch {
        let mut b = Batch::new(ID, Source::User);
        for r in fixture(&format!("{path}.json"))["rollupDataPoints"]
            .as_array()
            .unwrap()
        {
            map_daily_total(path, r, chrono_tz::Asia::Tokyo, &mut b);
        }
        b
    }

    #[test]
    fn daily_totals_read_int64_strings_and_units() {
        assert_eq!(values(&rolled("steps"), "steps"), vec![9525.0, 7012.0]);
        // Millimetres → metres.
        assert_eq!(
            values(&rolled("distance"), "distance"),
            vec![7034.2, 5120.0]
        );
        assert_eq!(values(&rolled("floors"), "floors"), vec![12.0]);
        assert_eq!(
            values(&rolled("active-energy-burned"), "calories"),
            vec![612.8, 402.1]
        );
        // Moderate + vigorous; light minutes are not "active".
        assert_eq!(
            values(&rolled("active-minutes"), "active_minutes"),
            vec![42.0, 9.0]
        );
        // 2026-11-20 at noon in Tokyo.
        assert_eq!(
            rolled("steps").points[0].recorded_at.to_rfc3339(),
            "2026-11-20T03:00:00+00:00"
        );
    }

    #[test]
    fn daily_documents_and_samples() {
        assert_eq!(
            values(&listed("daily-resting-heart-rate"), "resting_heart_rate"),
            vec![47.0, 49.0]
        );
        assert_eq!(
            values(
                &listed("daily-heart-rate-variability"),
                "heart_rate_variability"
            ),
            vec![78.8]
        );
        assert_eq!(
            values(&listed("daily-oxygen-saturation"), "spo2"),
            vec![96.4]
        );
        assert_eq!(
            values(&listed("daily-respiratory-rate"), "respiratory_rate"),
            vec![14.2]
        );
        assert_eq!(
            values(
                &listed("daily-sleep-temperature-derivations"),
                "temperature"
            ),
            vec![34.12]
        );
        // Grams → kilograms.
        assert_eq!(values(&listed("weight"), "weight"), vec![90.2]);
        assert_eq!(values(&listed("body-fat"), "body_fat"), vec![25.8]);
    }

    #[test]
    fn a_night_has_stages_once_each_and_a_nap_is_an_event_only() {
        let b = listed("sleep");
        assert_eq!(b.events.len(), 2);
        let night = b.points.iter().find(|p| p.metric_type == "sleep").unwrap();
        let d = night.data.as_ref().unwrap();
        // The repeated LIGHT entry counts once.
        assert_eq!(
            d["stages"],
            json!({"deep": 48.0, "light": 146.0, "rem": 54.0, "awake": 6.0})
        );
        assert_eq!(d["efficiency"], json!(98.0));
        assert_eq!(b.events[0].provider_event_id, "sleep-8808518358174752984");
        let nap = &b.events[1];
        assert_eq!(nap.title.as_deref(), Some("Nap"));
        // A classic record has only its awake time.
        assert_eq!(nap.data.as_ref().unwrap()["stages"], json!({"awake": 4.0}));
    }

    #[test]
    fn exercises_become_workouts() {
        let b = listed("exercise");
        let lift = &b.events[0];
        assert_eq!(lift.activity_type.as_deref(), Some("strength"));
        assert_eq!(lift.duration_seconds, Some(3471));
        assert_eq!(lift.calories_kcal, Some(440.0));
        assert_eq!(lift.avg_heart_rate, Some(107));
        assert_eq!(lift.distance_meters, None);
        let ride = &b.events[1];
        assert_eq!(ride.activity_type.as_deref(), Some("cycling"));
        assert_eq!(ride.title.as_deref(), Some("Biking"));
        assert_eq!(ride.distance_meters, Some(15230.5));
    }

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
