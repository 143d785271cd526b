//! Oura (API v2, `usercollection`). Facts in `docs/providers/oura.md`.
//!
//! A sync walks seven collections in turn, each paged with `next_token` (the cursor is
//! `<collection index>:<next_token>`): daily activity, daily sleep, daily readiness, sleep
//! periods, daily SpO₂ and workouts by `start_date`/`end_date`, heart rate by
//! `start_datetime`/`end_datetime`. Mapping: daily activity → steps, distance (the equivalent
//! walking distance, m), active calories and active minutes (medium + high activity time); daily
//! sleep and readiness → their scores; a sleep period → a sleep event with stages in minutes,
//! and for the main night (`long_sleep`) the day's sleep, resting heart rate (lowest), HRV
//! (average RMSSD) and breathing rate; daily SpO₂ → its average; a workout → an event; heart
//! rate rows → readings. Refresh tokens are single-use, so each refresh's new one is kept (the
//! engine stores every rotated pair).

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::fields::{num, point, time};
use crate::connections::provider::{
    capitalize, collection_cursor, expect_success, get_json, join, next_cursor, AuthKind,
    ClientAuth, DefaultUrls, Endpoints, FetchError, FetchedPage, Provider, ProviderInfo, Window,
};
use crate::connections::tokens::TokenSet;
use crate::health::ingest::{Batch, EventInput, PointInput, Source};
use crate::platform::config::ProviderClient;

pub const ID: &str = "oura";

pub static INFO: ProviderInfo = ProviderInfo {
    id: ID,
    name: "Oura",
    blurb: "Sleep stages, readiness, activity, heart rate and workouts from your Oura Ring.",
    auth: AuthKind::OAuth2,
    client_auth: ClientAuth::RequestBody,
    // Not documented by Oura (a confidential client with a secret).
    pkce: false,
    scopes: &["personal", "daily", "heartrate", "workout", "spo2Daily"],
    min_interval: Duration::from_secs(60 * 60),
    backfill_days: 30,
    metrics: &[
        "steps",
        "distance",
        "calories",
        "active_minutes",
        "sleep",
        "sleep_score",
        "readiness_score",
        "resting_heart_rate",
        "heart_rate_variability",
        "respiratory_rate",
        "spo2",
        "heart_rate",
        "workout",
    ],
    events: &["sleep", "workout"],
    pushes: true,
    refresh_scopes: &[],
    auth_params: &[],
};

/// The collections a sync walks, in order.
const COLLECTIONS: &[&str] = &[
    "daily_activity",
    "daily_sleep",
    "daily_readiness",
    "sleep",
    "daily_spo2",
    "workout",
    "heartrate",
];

pub struct Oura {
    endpoints: Option<Endpoints>,
}

impl Oura {
    pub fn new(client: &ProviderClient) -> Self {
        let endpoints = Endpoints::from_client(
            client,
            DefaultUrls {
                auth: "https://cloud.ouraring.com/oauth/authorize",
                token: "https://api.ouraring.com/oauth/token",
                revoke: Some("https://api.ouraring.com/oauth/revoke"),
                api: "https://api.ouraring.com",
            },
        );
        Oura { endpoints }
    }
}

#[derive(Debug, Deserialize)]
struct Collection {
    #[serde(default)]
    data: Vec<Value>,
    #[serde(default)]
    next_token: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PersonalInfo {
    id: String,
}

/// When a daily document counts: noon UTC of its `day` (the person's local date at Oura),
/// which falls on that same calendar day in every zone from UTC−12 to UTC+11, whatever zone the
/// person has in VitaSync; its `timestamp` only when it has no `day`.
fn day_time(v: &Value) -> Option<DateTime<Utc>> {
    let day = v
        .get("day")
        .and_then(Value::as_str)
        .and_then(|d| d.parse::<NaiveDate>().ok());
    match day {
        Some(day) => Some(day.and_hms_opt(12, 0, 0)?.and_utc()),
        None => time(v, "timestamp"),
    }
}

/// Seconds → whole minutes.
fn minutes(v: &Value, key: &str) -> Option<f64> {
    num(v, key).map(|s| (s / 60.0).round())
}

/// Maps one document of `collection` into the batch.
pub fn map_document(collection: &str, d: &Value, batch: &mut Batch) {
    match collection {
        "daily_activity" => {
            let at = day_time(d);
            point(batch, "steps", num(d, "steps"), at);
            point(batch, "distance", num(d, "equivalent_walking_distance"), at);
            point(batch, "calories", num(d, "active_calories"), at);
            let active = match (num(d, "medium_activity_time"), num(d, "high_activity_time")) {
                (None, None) => None,
                (m, h) => Some(((m.unwrap_or(0.0) + h.unwrap_or(0.0)) / 60.0).round()),
            };
            point(batch, "active_minutes", active, at);
        }
        "daily_sleep" => point(batch, "sleep_score", num(d, "score"), day_time(d)),
        "daily_readiness" => point(batch, "readiness_score", num(d, "score"), day_time(d)),
        "sleep" => map_sleep(d, batch),
        "daily_spo2" => {
            let avg = d.get("spo2_percentage").and_then(|p| num(p, "average"));
            point(batch, "spo2", avg, day_time(d));
        }
        "workout" => map_workout(d, batch),
        "heartrate" => point(batch, "heart_rate", num(d, "bpm"), time(d, "timestamp")),
        _ => {}
    }
}

fn map_sleep(d: &Value, batch: &mut Batch) {
    let kind = d.get("type").and_then(Value::as_str).unwrap_or("sleep");
    // `rest` is a period the person rejected; `deleted` is gone.
    if matches!(kind, "rest" | "deleted") {
        return;
    }
    let (Some(id), Some(start), Some(end)) = (
        d.get("id").and_then(Value::as_str),
        time(d, "bedtime_start"),
        time(d, "bedtime_end"),
    ) else {
        return;
    };
    let night = kind == "long_sleep";
    let data = json!({
        "stages": {
            "deep": minutes(d, "deep_sleep_duration"),
            "light": minutes(d, "light_sleep_duration"),
            "rem": minutes(d, "rem_sleep_duration"),
            "awake": minutes(d, "awake_time"),
        },
        "startTime": start.to_rfc3339(),
        "endTime": end.to_rfc3339(),
        "efficiency": num(d, "efficiency"),
        "latencyMinutes": minutes(d, "latency"),
        "nap": !night,
        "ouraType": kind,
    });
    batch.events.push(EventInput {
        provider_event_id: format!("sleep-{id}"),
        event_type: "sleep".into(),
        activity_type: Some(if night { "sleep" } else { "nap" }.into()),
        title: Some(if night { "Sleep" } else { "Nap" }.into()),
        started_at: start,
        ended_at: Some(end),
        duration_seconds: Some((end - start).num_seconds()),
        distance_meters: None,
        calories_kcal: None,
        avg_heart_rate: num(d, "average_heart_rate").map(|h| h.round() as i64),
        max_heart_rate: None,
        data: Some(data.clone()),
    });
    if night {
        batch.points.push(PointInput {
            metric_type: "sleep".into(),
            value: None,
            unit: None,
            data: Some(data),
            recorded_at: start,
        });
        // 255 is Oura's placeholder when it measured no heart rate.
        let lowest = num(d, "lowest_heart_rate").filter(|h| *h < 255.0);
        point(batch, "resting_heart_rate", lowest, Some(end));
        point(
            batch,
            "heart_rate_variability",
            num(d, "average_hrv"),
            Some(end),
        );
        point(
            batch,
            "respiratory_rate",
            num(d, "average_breath"),
            Some(end),
        );
    }
}

/// Oura's free-text activity names ("walking", "cycling", "strength_training", …) as ours.
pub fn activity_type(activity: &str) -> String {
    let s = activity
        .trim()
        .to_ascii_lowercase()
        .replace([' ', '-'], "_");
    match s.as_str() {
        "running" | "treadmill_running" => "running".into(),
        "cycling" | "indoor_cycling" | "mountain_biking" => "cycling".into(),
        "walking" | "hiking" => "walking".into(),
        "swimming" => "swimming".into(),
        "strength_training" | "weight_training" | "weightlifting" => "strength".into(),
        "yoga" | "pilates" => "yoga".into(),
        "rowing" => "rowing".into(),
        _ => s,
    }
}

fn map_workout(d: &Value, batch: &mut Batch) {
    let (Some(id), Some(start), Some(end)) = (
        d.get("id").and_then(Value::as_str),
        time(d, "start_datetime"),
        time(d, "end_datetime"),
    ) else {
        return;
    };
    let activity = d
        .get("activity")
        .and_then(Value::as_str)
        .unwrap_or("activity");
    let seconds = (end - start).num_seconds();
    let label = d.get("label").and_then(Value::as_str);
    let data = json!({
        "durationSeconds": seconds,
        "sport": activity,
        "intensity": d.get("intensity"),
        "source": d.get("source"),
        "label": label,
    });
    batch.events.push(EventInput {
        provider_event_id: format!("workout-{id}"),
        event_type: "workout".into(),
        activity_type: Some(activity_type(activity)),
        title: Some(
            label
                .map(str::to_string)
                .unwrap_or_else(|| capitalize(&activity.replace('_', " "))),
        ),
        started_at: start,
        ended_at: Some(end),
        duration_seconds: Some(seconds),
        distance_meters: num(d, "distance").map(|m| (m * 10.0).round() / 10.0),
        calories_kcal: num(d, "calories").map(|k| (k * 10.0).round() / 10.0),
        avg_heart_rate: None,
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

/// How many days before the window's (UTC) start a daily query begins: Oura files days by the
/// person's local date, and sleep and readiness arrive only when they open the app, so an
/// incremental window starting a few hours back could miss the day before in zones west of UTC.
const DAYS_BEFORE: i64 = 2;

/// The query of one collection page over `window`. Daily collections take dates, from
/// [`DAYS_BEFORE`] days earlier to one day further (Oura treats `end_date` as exclusive for
/// daily activity and inclusive elsewhere; writing a day twice changes nothing); heart rate
/// takes instants.
fn query(collection: &str, window: Window) -> Vec<(&'static str, String)> {
    if collection == "heartrate" {
        let at = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        vec![
            ("start_datetime", at(window.start)),
            ("end_datetime", at(window.end)),
        ]
    } else {
        let start = window.start.date_naive() - chrono::Duration::days(DAYS_BEFORE);
        let end = window.end.date_naive() + chrono::Duration::days(1);
        vec![
            ("start_date", start.to_string()),
            ("end_date", end.to_string()),
        ]
    }
}

#[async_trait]
impl Provider for Oura {
    fn receive_push(
        &self,
        req: &crate::connections::push::PushRequest<'_>,
    ) -> Result<crate::connections::push::PushReply, crate::connections::push::PushError> {
        let ep = self
            .endpoints
            .as_ref()
            .ok_or(crate::connections::push::PushError::NotOffered)?;
        super::oura_push::receive(ep, req)
    }

    async fn maintain_push(
        &self,
        http: &reqwest::Client,
        push_url: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, String> {
        let Some(ep) = &self.endpoints else {
            return Ok(None);
        };
        let Some(token) = ep.push_token.as_deref() else {
            return Ok(None);
        };
        super::oura_push::maintain(http, ep, token, push_url, now)
            .await
            .map(Some)
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
            .ok_or_else(|| FetchError::Permanent("Oura is not configured".into()))?;
        let (idx, token) = collection_cursor(cursor)?;
        let Some(collection) = COLLECTIONS.get(idx).copied() else {
            return Ok(FetchedPage {
                batch: Batch::new(ID, Source::User),
                next: None,
            });
        };
        let mut url = join(&ep.api_url, &format!("v2/usercollection/{collection}"));
        url.query_pairs_mut()
            .extend_pairs(query(collection, window));
        if let Some(t) = &token {
            url.query_pairs_mut().append_pair("next_token", t);
        }
        let page: Collection = match get_json(http, url, access_token).await {
            Ok(page) => page,
            // The person may switch each scope off at consent: a refused collection is
            // skipped, and the rest still sync.
            Err(FetchError::Forbidden(detail)) => {
                tracing::warn!(collection, %detail, "Oura refused a collection; skipped");
                Collection {
                    data: Vec::new(),
                    next_token: None,
                }
            }
            Err(e) => return Err(e),
        };
        let mut batch = Batch::new(ID, Source::User);
        for d in &page.data {
            map_document(collection, d, &mut batch);
        }
        let next = next_cursor(idx, page.next_token);
        let done = collection_cursor(Some(&next))?.0 >= COLLECTIONS.len();
        Ok(FetchedPage {
            batch,
            next: (!done).then_some(next),
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
        let p: PersonalInfo = get_json(
            http,
            join(&ep.api_url, "v2/usercollection/personal_info"),
            access_token,
        )
        .await?;
        Ok(Some(p.id))
    }

    /// Oura's revocation takes the access token as a query parameter.
    async fn revoke(
        &self,
        http: &reqwest::Client,
        tokens: &TokenSet,
        _account_id: Option<&str>,
    ) -> Result<(), String> {
        let Some(url) = self.endpoints.as_ref().and_then(|ep| ep.revoke_url.clone()) else {
            return Ok(());
        };
        let req = http
            .post(url)
            .query(&[("access_token", tokens.access_token.as_str())]);
        expect_success(req, "Oura").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/tests/fixtures/oura/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn mapped(collection: &str, file: &str) -> Batch {
        let mut b = Batch::new(ID, Source::User);
        for d in fixture(file)["data"].as_array().unwrap() {
            map_document(collection, d, &mut b);
        }
        b
    }

    fn values(b: &Batch, metric: &str) -> Vec<f64> {
        b.points
            .iter()
            .filter(|p| p.metric_type == metric)
            .filter_map(|p| p.value)
            .collect()
    }

    #[test]
    fn daily_activity_gives_steps_distance_calories_and_active_minutes() {
        let b = mapped("daily_activity", "daily_activity.json");
        assert_eq!(values(&b, "steps"), vec![9876.0, 4210.0]);
        assert_eq!(values(&b, "distance"), vec![11240.0, 3380.0]);
        assert_eq!(values(&b, "calories"), vec![612.0, 240.0]);
        // (3300 + 780) s and (1260 + 0) s.
        assert_eq!(values(&b, "active_minutes"), vec![68.0, 21.0]);
        // Counted at noon UTC of its day, so on that day whatever the person's zone.
        assert_eq!(
            b.points[0].recorded_at.to_rfc3339(),
            "2024-03-10T12:00:00+00:00"
        );
    }

    #[test]
    fn a_night_has_stages_and_vitals_and_naps_and_rest_do_not() {
        let b = mapped("sleep", "sleep.json");
        // The night and a nap become events; the rejected `rest` period does not.
        assert_eq!(b.events.len(), 2);
        let night = b.points.iter().find(|p| p.metric_type == "sleep").unwrap();
        let stages = &night.data.as_ref().unwrap()["stages"];
        assert_eq!(stages["deep"], json!(75.0)); // 4500 s
        assert_eq!(stages["light"], json!(240.0));
        assert_eq!(stages["rem"], json!(105.0));
        assert_eq!(stages["awake"], json!(52.0)); // 3090 s
        assert_eq!(values(&b, "resting_heart_rate"), vec![51.0]);
        assert_eq!(values(&b, "heart_rate_variability"), vec![48.0]);
        assert_eq!(values(&b, "respiratory_rate"), vec![14.5]);
        let nap = b
            .events
            .iter()
            .find(|e| e.title.as_deref() == Some("Nap"))
            .unwrap();
        assert_eq!(nap.avg_heart_rate, None, "the nap measured no heart rate");
    }

    #[test]
    fn workouts_spo2_scores_and_heart_rate() {
        let b = mapped("workout", "workout.json");
        let w = &b.events[0];
        assert_eq!(w.activity_type.as_deref(), Some("walking"));
        assert_eq!(
            (w.calories_kcal, w.distance_meters),
            (Some(87.9), Some(269.9))
        );
        assert_eq!(w.duration_seconds, Some(44 * 60));
        assert_eq!(b.events[1].title.as_deref(), Some("Lunch ride"));
        assert_eq!(b.events[1].activity_type.as_deref(), Some("cycling"));
        assert_eq!(
            values(&mapped("daily_spo2", "daily_spo2.json"), "spo2"),
            vec![98.072]
        );
        assert_eq!(
            values(&mapped("daily_sleep", "daily_sleep.json"), "sleep_score"),
            vec![77.0, 81.0]
        );
        assert_eq!(
            values(
                &mapped("daily_readiness", "daily_readiness.json"),
                "readiness_score"
            ),
            vec![86.0]
        );
        assert_eq!(
            values(&mapped("heartrate", "heartrate.json"), "heart_rate"),
            vec![91.0, 88.0, 62.0]
        );
    }

    #[test]
    fn a_day_without_a_timestamp_counts_at_noon_utc() {
        let b = mapped("daily_spo2", "daily_spo2.json");
        assert_eq!(
            b.points[0].recorded_at.to_rfc3339(),
            "2024-11-11T12:00:00+00:00"
        );
    }

    #[test]
    fn daily_queries_reach_one_day_further_and_heart_rate_takes_instants() {
        let w = Window {
            start: "2024-11-01T06:30:00Z".parse().unwrap(),
            end: "2024-11-11T18:00:00Z".parse().unwrap(),
            zone: chrono_tz::UTC,
        };
        assert_eq!(
            query("daily_activity", w),
            vec![
                ("start_date", "2024-10-30".to_string()),
                ("end_date", "2024-11-12".to_string())
            ]
        );
        assert_eq!(
            query("heartrate", w),
            vec![
                ("start_datetime", "2024-11-01T06:30:00Z".to_string()),
                ("end_datetime", "2024-11-11T18:00:00Z".to_string())
            ]
        );
    }
}
