//! WHOOP (Developer API v2). Facts in `docs/providers/whoop.md`.
//!
//! A sync walks four paginated collections in turn (cycles, recoveries, sleeps, workouts;
//! `limit=25`, `nextToken` in, `next_token` out) and then reads the body measurement. The cursor
//! is `<collection index>:<nextToken>`. Only scored records carry figures; the rest are skipped.
//! Mapping: cycle → strain and average heart rate (its kilojoules are the whole day's energy
//! including the resting part, so they are not "active calories"); recovery → recovery score,
//! resting heart rate, HRV (RMSSD, ms), SpO₂ and skin temperature; sleep → the night with its
//! stages, the sleep performance as sleep score, and respiratory rate; workout → an event with
//! distance, heart rate, kJ → kcal (÷ 4.184), strain and the six heart-rate zones.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{json, Value};

use super::fields::{num, point, time};
use crate::connections::provider::{capitalize, collection_cursor, expect_success, next_cursor};
use crate::connections::provider::{
    get_json_with, join, retry_after, AuthKind, ClientAuth, DefaultUrls, Endpoints, FetchError,
    FetchedPage, Provider, ProviderInfo, Window,
};
use crate::connections::tokens::TokenSet;
use crate::health::ingest::{Batch, EventInput, PointInput, Source};
use crate::platform::config::ProviderClient;

pub const ID: &str = "whoop";
const PAGE_LIMIT: &str = "25";
const KJ_PER_KCAL: f64 = 4.184;

pub static INFO: ProviderInfo = ProviderInfo {
    id: ID,
    name: "WHOOP",
    blurb: "Recovery, strain, sleep stages and workouts from your WHOOP strap.",
    auth: AuthKind::OAuth2,
    client_auth: ClientAuth::RequestBody,
    // Not documented by WHOOP (a confidential client with a secret).
    pkce: false,
    scopes: &[
        "offline",
        "read:recovery",
        "read:cycles",
        "read:workout",
        "read:sleep",
        "read:profile",
        "read:body_measurement",
    ],
    min_interval: Duration::from_secs(60 * 60),
    backfill_days: 30,
    metrics: &[
        "recovery_score",
        "heart_rate_variability",
        "resting_heart_rate",
        "spo2",
        "temperature",
        "strain_score",
        "heart_rate",
        "sleep",
        "sleep_score",
        "respiratory_rate",
        "weight",
    ],
    events: &["workout", "sleep"],
    pushes: true,
    refresh_scopes: &["offline"],
    auth_params: &[],
};

/// The collections a sync walks, in order; the body measurement comes last.
const COLLECTIONS: &[&str] = &[
    "v2/cycle",
    "v2/recovery",
    "v2/activity/sleep",
    "v2/activity/workout",
];

pub struct Whoop {
    endpoints: Option<Endpoints>,
}

impl Whoop {
    pub fn new(client: &ProviderClient) -> Self {
        let endpoints = Endpoints::from_client(
            client,
            DefaultUrls {
                auth: "https://api.prod.whoop.com/oauth/oauth2/auth",
                token: "https://api.prod.whoop.com/oauth/oauth2/token",
                revoke: None,
                api: "https://api.prod.whoop.com/developer",
            },
        );
        Whoop { endpoints }
    }
}

#[derive(Debug, Deserialize)]
struct Collection {
    #[serde(default)]
    records: Vec<Value>,
    #[serde(default)]
    next_token: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Profile {
    user_id: i64,
}

#[derive(Debug, Deserialize)]
struct Body {
    weight_kilogram: Option<f64>,
}

fn scored(v: &Value) -> Option<&Value> {
    (v.get("score_state").and_then(Value::as_str) == Some("SCORED"))
        .then(|| v.get("score"))
        .flatten()
}

const MS_PER_MIN: f64 = 60_000.0;

/// Maps one record of `collection` into the batch.
pub fn map_record(collection: &str, r: &Value, batch: &mut Batch) {
    let Some(score) = scored(r) else { return };
    match collection {
        "v2/cycle" => {
            let start = time(r, "start");
            point(batch, "strain_score", num(score, "strain"), start);
            point(batch, "heart_rate", num(score, "average_heart_rate"), start);
        }
        "v2/recovery" => {
            // A recovery is computed on waking; it has no time of its own besides that.
            let at = time(r, "created_at");
            point(batch, "recovery_score", num(score, "recovery_score"), at);
            point(
                batch,
                "resting_heart_rate",
                num(score, "resting_heart_rate"),
                at,
            );
            point(
                batch,
                "heart_rate_variability",
                num(score, "hrv_rmssd_milli"),
                at,
            );
            point(batch, "spo2", num(score, "spo2_percentage"), at);
            point(batch, "temperature", num(score, "skin_temp_celsius"), at);
        }
        "v2/activity/sleep" => map_sleep(r, score, batch),
        "v2/activity/workout" => map_workout(r, score, batch),
        _ => {}
    }
}

fn map_sleep(r: &Value, score: &Value, batch: &mut Batch) {
    let (Some(id), Some(start), Some(end)) = (
        r.get("id").and_then(Value::as_str),
        time(r, "start"),
        time(r, "end"),
    ) else {
        return;
    };
    let nap = r.get("nap").and_then(Value::as_bool).unwrap_or(false);
    let stages = score.get("stage_summary").cloned().unwrap_or(Value::Null);
    let minutes = |k: &str| num(&stages, k).map(|ms| (ms / MS_PER_MIN).round());
    let (deep, light, rem, awake) = (
        minutes("total_slow_wave_sleep_time_milli"),
        minutes("total_light_sleep_time_milli"),
        minutes("total_rem_sleep_time_milli"),
        minutes("total_awake_time_milli"),
    );
    let performance = num(score, "sleep_performance_percentage");
    let data = json!({
        "stages": {"deep": deep, "light": light, "rem": rem, "awake": awake},
        "startTime": start.to_rfc3339(),
        "endTime": end.to_rfc3339(),
        "efficiency": num(score, "sleep_efficiency_percentage"),
        "consistency": num(score, "sleep_consistency_percentage"),
        "score": performance,
        "cycles": stages.get("sleep_cycle_count"),
        "disturbances": stages.get("disturbance_count"),
        "nap": nap,
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
    // The night (not naps) is the day's sleep.
    if !nap {
        batch.points.push(PointInput {
            metric_type: "sleep".into(),
            value: None,
            unit: None,
            data: Some(data),
            recorded_at: start,
        });
        point(batch, "sleep_score", performance, Some(end));
        point(
            batch,
            "respiratory_rate",
            num(score, "respiratory_rate"),
            Some(end),
        );
    }
}

/// WHOOP's sport names ("running", "functional fitness", …) as our activity types.
pub fn activity_type(sport: &str) -> String {
    let s = sport.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    match s.as_str() {
        "running" | "track_&_field" => "running".into(),
        "cycling" | "mountain_biking" | "spin" | "assault_bike" => "cycling".into(),
        "swimming" => "swimming".into(),
        "walking" | "hiking/rucking" | "hiking" => "walking".into(),
        "weightlifting" | "powerlifting" | "functional_fitness" | "strength_trainer" => {
            "strength".into()
        }
        "yoga" | "pilates" => "yoga".into(),
        "rowing" => "rowing".into(),
        _ => s,
    }
}

fn map_workout(r: &Value, score: &Value, batch: &mut Batch) {
    let (Some(id), Some(start), Some(end)) = (
        r.get("id").and_then(Value::as_str),
        time(r, "start"),
        time(r, "end"),
    ) else {
        return;
    };
    let sport = r
        .get("sport_name")
        .and_then(Value::as_str)
        .unwrap_or("activity");
    let zones = score.get("zone_durations").cloned().unwrap_or(Value::Null);
    let zone = |k: &str| num(&zones, k).map(|ms| (ms / 1000.0).round());
    let seconds = (end - start).num_seconds();
    let data = json!({
        "durationSeconds": seconds,
        "sport": sport,
        "strain": num(score, "strain"),
        "kilojoules": num(score, "kilojoule"),
        "percentRecorded": num(score, "percent_recorded"),
        "elevationGain": num(score, "altitude_gain_meter"),
        "altitudeChange": num(score, "altitude_change_meter"),
        "hrZones": {
            "zone0": zone("zone_zero_milli"), "zone1": zone("zone_one_milli"),
            "zone2": zone("zone_two_milli"), "zone3": zone("zone_three_milli"),
            "zone4": zone("zone_four_milli"), "zone5": zone("zone_five_milli"),
        },
    });
    batch.events.push(EventInput {
        provider_event_id: format!("workout-{id}"),
        event_type: "workout".into(),
        activity_type: Some(activity_type(sport)),
        title: Some(capitalize(sport)),
        started_at: start,
        ended_at: Some(end),
        duration_seconds: Some(seconds),
        distance_meters: num(score, "distance_meter"),
        calories_kcal: num(score, "kilojoule").map(|kj| (kj / KJ_PER_KCAL * 10.0).round() / 10.0),
        avg_heart_rate: num(score, "average_heart_rate").map(|h| h.round() as i64),
        max_heart_rate: num(score, "max_heart_rate").map(|h| h.round() as i64),
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

/// WHOOP documents no `Retry-After` on 429; `X-RateLimit-Reset` gives the seconds until the
/// window that ran out resets.
pub fn rate_limit_wait(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    retry_after(headers).or_else(|| {
        let secs: u64 = headers
            .get("x-ratelimit-reset")?
            .to_str()
            .ok()?
            .trim()
            .parse()
            .ok()?;
        Some(Duration::from_secs(secs.saturating_add(1)))
    })
}

#[async_trait]
impl Provider for Whoop {
    fn receive_push(
        &self,
        req: &crate::connections::push::PushRequest<'_>,
    ) -> Result<crate::connections::push::PushReply, crate::connections::push::PushError> {
        let ep = self
            .endpoints
            .as_ref()
            .ok_or(crate::connections::push::PushError::NotOffered)?;
        super::whoop_push::receive(ep, req)
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
            .ok_or_else(|| FetchError::Permanent("WHOOP is not configured".into()))?;
        let (idx, token) = collection_cursor(cursor)?;
        let mut batch = Batch::new(ID, Source::User);
        if idx >= COLLECTIONS.len() {
            // Last step: the body measurement (one document; one weight reading per UTC day).
            let body: Body = get_json_with(
                http,
                join(&ep.api_url, "v2/user/measurement/body"),
                access_token,
                rate_limit_wait,
            )
            .await?;
            let today = window
                .end
                .date_naive()
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc());
            point(&mut batch, "weight", body.weight_kilogram, today);
            return Ok(FetchedPage { batch, next: None });
        }
        let collection = COLLECTIONS[idx];
        let mut url = join(&ep.api_url, collection);
        url.query_pairs_mut()
            .append_pair("limit", PAGE_LIMIT)
            .append_pair(
                "start",
                &window
                    .start
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            )
            .append_pair(
                "end",
                &window
                    .end
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            );
        if let Some(t) = &token {
            url.query_pairs_mut().append_pair("nextToken", t);
        }
        let page: Collection = get_json_with(http, url, access_token, rate_limit_wait).await?;
        for r in &page.records {
            map_record(collection, r, &mut batch);
        }
        Ok(FetchedPage {
            batch,
            next: Some(next_cursor(idx, page.next_token)),
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
        let p: Profile = get_json_with(
            http,
            join(&ep.api_url, "v2/user/profile/basic"),
            access_token,
            rate_limit_wait,
        )
        .await?;
        Ok(Some(p.user_id.to_string()))
    }

    /// WHOOP has no RFC 7009 endpoint: `DELETE /v2/user/access` with the user's token (204).
    async fn revoke(
        &self,
        http: &reqwest::Client,
        tokens: &TokenSet,
        _account_id: Option<&str>,
    ) -> Result<(), String> {
        let Some(ep) = &self.endpoints else {
            return Ok(());
        };
        let req = http
            .delete(join(&ep.api_url, "v2/user/access"))
            .bearer_auth(&tokens.access_token);
        expect_success(req, "WHOOP").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/tests/fixtures/whoop/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn mapped(collection: &str, file: &str) -> Batch {
        let mut b = Batch::new(ID, Source::User);
        for r in fixture(file)["records"].as_array().unwrap() {
            map_record(collection, r, &mut b);
        }
        b
    }

    fn value(b: &Batch, metric: &str) -> Vec<f64> {
        b.points
            .iter()
            .filter(|p| p.metric_type == metric)
            .filter_map(|p| p.value)
            .collect()
    }

    #[test]
    fn recovery_maps_every_figure_and_skips_unscored() {
        let b = mapped("v2/recovery", "recovery.json");
        assert_eq!(value(&b, "recovery_score"), vec![44.0]);
        assert_eq!(value(&b, "heart_rate_variability"), vec![31.813562]);
        assert_eq!(value(&b, "resting_heart_rate"), vec![64.0]);
        assert_eq!(value(&b, "spo2"), vec![95.6875]);
        assert_eq!(value(&b, "temperature"), vec![33.7]);
    }

    #[test]
    fn sleep_has_stages_in_minutes_and_naps_are_only_events() {
        let b = mapped("v2/activity/sleep", "sleep.json");
        assert_eq!(b.events.len(), 2);
        let night: Vec<_> = b
            .points
            .iter()
            .filter(|p| p.metric_type == "sleep")
            .collect();
        assert_eq!(night.len(), 1);
        let stages = &night[0].data.as_ref().unwrap()["stages"];
        assert_eq!(stages["deep"], json!(111.0)); // 6,630,370 ms
        assert_eq!(stages["rem"], json!(92.0));
        assert_eq!(value(&b, "sleep_score"), vec![98.0]);
        assert_eq!(value(&b, "respiratory_rate"), vec![16.11328125]);
    }

    #[test]
    fn workout_converts_kilojoules_and_keeps_zones() {
        let b = mapped("v2/activity/workout", "workout.json");
        let w = &b.events[0];
        assert_eq!(w.activity_type.as_deref(), Some("running"));
        assert_eq!(w.calories_kcal, Some(355.4)); // 1487.12 kJ ÷ 4.184
        assert_eq!(w.distance_meters, Some(5120.5));
        assert_eq!((w.avg_heart_rate, w.max_heart_rate), (Some(142), Some(171)));
        assert_eq!(w.data.as_ref().unwrap()["hrZones"]["zone3"], json!(720.0));
    }

    #[test]
    fn cycles_give_strain() {
        let b = mapped("v2/cycle", "cycle_page1.json");
        assert_eq!(value(&b, "strain_score"), vec![12.3, 8.75]);
    }
}
