//! Strava (API v3). Facts in `docs/providers/strava.md`.
//!
//! A sync pages `GET /athlete/activities` (`after`/`before` in epoch seconds, `per_page=30`,
//! `page=N`) until an empty page (a short page is not the end), and reads each activity's
//! detail for what the list leaves out: calories and laps. Activities become workout events
//! with distance, moving time, pace, elevation, heart rate, calories and laps. Strava sends no
//! `Retry-After`: a 429 waits for the next quarter-hour window, or for midnight UTC when the
//! daily read budget is spent.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Timelike, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::fields::num;
use crate::connections::provider::{
    expect_success, get_json_with, join, AuthKind, ClientAuth, DefaultUrls, Endpoints, FetchError,
    FetchedPage, Provider, ProviderInfo, Window,
};
use crate::connections::tokens::TokenSet;
use crate::health::ingest::{Batch, EventInput, PointInput, Source};
use crate::platform::config::ProviderClient;

pub const ID: &str = "strava";
const PER_PAGE: &str = "30";

pub static INFO: ProviderInfo = ProviderInfo {
    id: ID,
    name: "Strava",
    blurb: "Runs, rides, swims and every other activity you record on Strava.",
    auth: AuthKind::OAuth2,
    client_auth: ClientAuth::RequestBody,
    pkce: false,
    // Strava separates scopes with commas.
    scopes: &["read,activity:read_all,profile:read_all"],
    min_interval: Duration::from_secs(60 * 60),
    backfill_days: 30,
    metrics: &["workout"],
    events: &["workout"],
    pushes: true,
    refresh_scopes: &[],
    auth_params: &[],
};

pub struct Strava {
    endpoints: Option<Endpoints>,
}

impl Strava {
    pub fn new(client: &ProviderClient) -> Self {
        let endpoints = Endpoints::from_client(
            client,
            DefaultUrls {
                auth: "https://www.strava.com/oauth/authorize",
                token: "https://www.strava.com/oauth/token",
                revoke: Some("https://www.strava.com/oauth/deauthorize"),
                api: "https://www.strava.com/api/v3",
            },
        );
        Strava { endpoints }
    }
}

/// "15-minute,daily" pairs from a rate-limit header.
fn pair(headers: &reqwest::header::HeaderMap, name: &str) -> Option<(u64, u64)> {
    let raw = headers.get(name)?.to_str().ok()?;
    let (a, b) = raw.split_once(',')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// How long a 429 from Strava asks us to wait, as of `now`.
pub fn rate_limit_wait(headers: &reqwest::header::HeaderMap, now: DateTime<Utc>) -> Duration {
    let daily_spent = [("x-readratelimit-usage", "x-readratelimit-limit"), ("x-ratelimit-usage", "x-ratelimit-limit")]
        .iter()
        .any(|(usage, limit)| {
            matches!((pair(headers, usage), pair(headers, limit)), (Some((_, used)), Some((_, max))) if max > 0 && used >= max)
        });
    let secs_into_hour = (now.minute() * 60 + now.second()) as u64;
    let wait = if daily_spent {
        let secs_into_day = (now.num_seconds_from_midnight()) as u64;
        86_400 - secs_into_day
    } else {
        900 - secs_into_hour % 900
    };
    // A few seconds past the boundary, so the new window has surely opened.
    Duration::from_secs(wait + 5)
}

fn strava_wait(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    Some(rate_limit_wait(headers, Utc::now()))
}

/// Strava's `sport_type` as our activity types.
pub fn activity_type(sport: &str) -> String {
    match sport {
        "Run" | "TrailRun" | "VirtualRun" => "running".into(),
        "Ride" | "MountainBikeRide" | "GravelRide" | "VirtualRide" | "EBikeRide"
        | "EMountainBikeRide" | "Velomobile" | "Handcycle" => "cycling".into(),
        "Walk" | "Hike" => "walking".into(),
        "Swim" => "swimming".into(),
        "WeightTraining" | "Crossfit" => "strength".into(),
        "Yoga" | "Pilates" => "yoga".into(),
        "Rowing" | "VirtualRow" => "rowing".into(),
        other => {
            // CamelCase → snake_case ("AlpineSki" → "alpine_ski").
            let mut out = String::new();
            for (i, ch) in other.chars().enumerate() {
                if ch.is_uppercase() && i > 0 {
                    out.push('_');
                }
                out.extend(ch.to_lowercase());
            }
            out
        }
    }
}

/// "m:ss" per kilometre from metres per second.
fn pace(speed: f64) -> Option<String> {
    (speed > 0.0).then(|| {
        let secs = (1000.0 / speed).round() as u64;
        format!("{}:{:02}", secs / 60, secs % 60)
    })
}

/// Maps one activity (summary fields, plus the detail's calories and laps when given).
pub fn map_activity(summary: &Value, detail: Option<&Value>, batch: &mut Batch) {
    let Some(id) = summary.get("id").map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }) else {
        return;
    };
    let Some(start) = summary
        .get("start_date")
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
    else {
        return;
    };
    let sport = summary
        .get("sport_type")
        .or_else(|| summary.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("Workout");
    let moving = num(summary, "moving_time").unwrap_or(0.0);
    let elapsed = num(summary, "elapsed_time").unwrap_or(moving);
    let has_hr = summary
        .get("has_heartrate")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let d = detail.unwrap_or(summary);
    let laps: Vec<Value> = d
        .get("laps")
        .and_then(Value::as_array)
        .map(|laps| {
            laps.iter()
                .map(|l| {
                    json!({
                        "lapNumber": l.get("lap_index"),
                        "distance": num(l, "distance").map(f64::round),
                        "time": l.get("moving_time"),
                        "elapsed": l.get("elapsed_time"),
                        "avgSpeed": num(l, "average_speed"),
                        "maxSpeed": num(l, "max_speed"),
                        "elevationGain": num(l, "total_elevation_gain"),
                        "avgHR": num(l, "average_heartrate").map(f64::round),
                        "maxHR": num(l, "max_heartrate").map(f64::round),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let speed = num(summary, "average_speed").unwrap_or(0.0);
    let kind = activity_type(sport);
    let mut data = json!({
        "durationSeconds": moving,
        "elapsedSeconds": elapsed,
        "sport": sport,
        "distance": num(summary, "distance"),
        "avgSpeed": speed,
        "maxSpeed": num(summary, "max_speed"),
        "elevationGain": num(summary, "total_elevation_gain"),
        "elevHigh": num(summary, "elev_high"),
        "elevLow": num(summary, "elev_low"),
        "avgCadence": num(summary, "average_cadence"),
        "avgWatts": num(summary, "average_watts"),
        "kilojoules": num(summary, "kilojoules"),
        "relativeEffort": summary.get("suffer_score"),
        "device": d.get("device_name"),
        "timezone": summary.get("timezone"),
        "manual": summary.get("manual"),
        "laps": laps,
    });
    if matches!(kind.as_str(), "running" | "walking") {
        data["avgPace"] = json!(pace(speed));
    }
    batch.events.push(EventInput {
        provider_event_id: id,
        event_type: "workout".into(),
        activity_type: Some(kind),
        title: summary
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string),
        started_at: start,
        // Checked: `elapsed_time` is whatever the answer says.
        ended_at: chrono::Duration::try_seconds(elapsed as i64)
            .and_then(|d| start.checked_add_signed(d)),
        duration_seconds: Some(moving as i64),
        distance_meters: num(summary, "distance").filter(|m| *m > 0.0),
        // Only the detail carries Strava's energy estimate (kilojoules are rides' mechanical work).
        calories_kcal: detail.and_then(|d| num(d, "calories")).filter(|c| *c > 0.0),
        avg_heart_rate: has_hr
            .then(|| num(summary, "average_heartrate"))
            .flatten()
            .map(|h| h.round() as i64),
        max_heart_rate: has_hr
            .then(|| num(summary, "max_heartrate"))
            .flatten()
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

#[derive(Debug, Deserialize)]
struct Athlete {
    id: i64,
}

#[async_trait]
impl Provider for Strava {
    fn receive_push(
        &self,
        req: &crate::connections::push::PushRequest<'_>,
    ) -> Result<crate::connections::push::PushReply, crate::connections::push::PushError> {
        let ep = self
            .endpoints
            .as_ref()
            .ok_or(crate::connections::push::PushError::NotOffered)?;
        super::strava_push::receive(ep, req)
    }

    fn push_body_limit(&self) -> usize {
        super::strava_push::MAX_EVENT_BYTES
    }

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
        let ep = self
            .endpoints
            .as_ref()
            .ok_or_else(|| FetchError::Permanent("Strava is not configured".into()))?;
        let page: u32 = match cursor {
            None => 1,
            Some(c) => c
                .parse()
                .map_err(|_| FetchError::Permanent("unreadable sync cursor".into()))?,
        };
        let mut url = join(&ep.api_url, "athlete/activities");
        url.query_pairs_mut()
            .append_pair("after", &window.start.timestamp().to_string())
            .append_pair("before", &window.end.timestamp().to_string())
            .append_pair("page", &page.to_string())
            .append_pair("per_page", PER_PAGE);
        let list: Vec<Value> = get_json_with(http, url, access_token, strava_wait).await?;
        let mut batch = Batch::new(ID, Source::User);
        if list.is_empty() {
            return Ok(FetchedPage { batch, next: None });
        }
        for summary in &list {
            let detail = match summary.get("id") {
                Some(id) => {
                    let id = match id {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    let url = join(&ep.api_url, &format!("activities/{id}"));
                    Some(get_json_with::<Value>(http, url, access_token, strava_wait).await?)
                }
                None => None,
            };
            map_activity(summary, detail.as_ref(), &mut batch);
        }
        Ok(FetchedPage {
            batch,
            next: Some((page + 1).to_string()),
        })
    }

    async fn account_id(
        &self,
        http: &reqwest::Client,
        access_token: &str,
    ) -> Result<Option<String>, FetchError> {
        let Some(ep) = &self.endpoints else {
            return Ok(None);
        };
        let a: Athlete = get_json_with(
            http,
            join(&ep.api_url, "athlete"),
            access_token,
            strava_wait,
        )
        .await?;
        Ok(Some(a.id.to_string()))
    }

    /// `POST /oauth/deauthorize` with the access token: every token of the pair stops working.
    async fn revoke(
        &self,
        http: &reqwest::Client,
        tokens: &TokenSet,
        _account_id: Option<&str>,
    ) -> Result<(), String> {
        let Some(url) = self.endpoints.as_ref().and_then(|e| e.revoke_url.clone()) else {
            return Ok(());
        };
        let req = http
            .post(url)
            .form(&[("access_token", tokens.access_token.as_str())]);
        expect_success(req, "Strava").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/strava/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn a_run_maps_with_pace_heart_rate_calories_and_laps() {
        let list = fixture("activities_page1.json");
        let run = &list[0];
        let mut b = Batch::new(ID, Source::User);
        map_activity(run, Some(&fixture("activity_154504250376.json")), &mut b);
        let e = &b.events[0];
        assert_eq!(e.provider_event_id, "154504250376");
        assert_eq!(e.activity_type.as_deref(), Some("running"));
        assert_eq!(e.duration_seconds, Some(2580));
        assert_eq!(e.distance_meters, Some(10_021.3));
        assert_eq!((e.avg_heart_rate, e.max_heart_rate), (Some(152), Some(183)));
        assert_eq!(e.calories_kcal, Some(712.0));
        let data = e.data.as_ref().unwrap();
        assert_eq!(data["avgPace"], json!("4:17"));
        assert_eq!(data["laps"].as_array().unwrap().len(), 2);
        assert_eq!(
            e.started_at,
            Utc.with_ymd_and_hms(2026, 11, 20, 6, 30, 0).unwrap()
        );
    }

    #[test]
    fn a_ride_without_heart_rate_has_none_and_no_pace() {
        let list = fixture("activities_page1.json");
        let mut b = Batch::new(ID, Source::User);
        map_activity(&list[1], None, &mut b);
        let e = &b.events[0];
        assert_eq!(e.activity_type.as_deref(), Some("cycling"));
        assert_eq!((e.avg_heart_rate, e.calories_kcal), (None, None));
        assert!(e.data.as_ref().unwrap().get("avgPace").is_none());
        assert_eq!(activity_type("AlpineSki"), "alpine_ski");
    }

    #[test]
    fn rate_limits_wait_for_the_next_window() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("x-readratelimit-limit", "100,1000".parse().unwrap());
        h.insert("x-readratelimit-usage", "101,230".parse().unwrap());
        let at = Utc.with_ymd_and_hms(2026, 11, 28, 10, 7, 30).unwrap();
        assert_eq!(rate_limit_wait(&h, at), Duration::from_secs(450 + 5));
        h.insert("x-readratelimit-usage", "40,1000".parse().unwrap());
        assert_eq!(
            rate_limit_wait(&h, at),
            Duration::from_secs(13 * 3600 + 52 * 60 + 30 + 5)
        );
    }
}
