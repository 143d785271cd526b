//! Garmin (Connect Developer Program Health and Activity APIs). Facts in
//! `docs/providers/garmin.md`.
//!
//! OAuth 2.0 with PKCE (no scopes: people choose what to share on Garmin's consent screen);
//! refresh tokens rotate. Garmin does not let partners poll: data comes by **push**, whole
//! summaries POSTed to `/push/garmin?token=<push token>` and stored as they arrive
//! (`garmin_map`). What a sync does instead:
//!
//! 1. reads the person's permissions, which also shows whether the grant still stands (after
//!    a deregistration the token is refused, and the connection asks to be reconnected);
//! 2. for a window of a week or more (the first sync, a reconnection) and with the
//!    `HISTORICAL_DATA_EXPORT` permission, asks Garmin to backfill each summary type over the
//!    last 30 days of the window (Garmin's limit). Garmin answers 202 and pushes the data later;
//!    409 means that span was already asked for.
//!
//! Deregistration and permission-change notifications queue such a sync; nothing is
//! disconnected on an unsigned notice's word alone. Disconnecting deletes the registration.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::garmin_map::{map_summary, start, DATA_KEYS};
use crate::connections::provider::{
    collection_cursor, expect_success, join, next_cursor, retry_after, AuthKind, ClientAuth,
    DefaultUrls, Endpoints, FetchError, FetchedPage, Provider, ProviderInfo, Window,
};
use crate::connections::push::{check_token, Notice, PushError, PushReply, PushRequest};
use crate::connections::tokens::TokenSet;
use crate::health::ingest::{Batch, Source};
use crate::platform::config::ProviderClient;

pub const ID: &str = "garmin";

pub static INFO: ProviderInfo = ProviderInfo {
    id: ID,
    name: "Garmin",
    blurb: "Daily activity, sleep stages, HRV, stress, Body Battery, SpO₂, weight and \
            activities from Garmin Connect, pushed as your watch syncs.",
    auth: AuthKind::OAuth2,
    client_auth: ClientAuth::RequestBody,
    pkce: true,
    scopes: &[],
    // Data arrives by push; a scheduled sync only checks the grant.
    min_interval: Duration::from_secs(6 * 60 * 60),
    backfill_days: 30,
    metrics: &[
        "steps",
        "distance",
        "calories",
        "active_minutes",
        "floors",
        "heart_rate",
        "resting_heart_rate",
        "stress",
        "readiness_score",
        "sleep",
        "sleep_score",
        "heart_rate_variability",
        "spo2",
        "respiratory_rate",
        "weight",
        "body_fat",
        "bmi",
        "workout",
    ],
    events: &["sleep", "workout"],
    pushes: true,
    refresh_scopes: &[],
    auth_params: &[],
};

/// Summary types a backfill asks for (REST names, which differ from some push keys).
const BACKFILL: &[&str] = &[
    "dailies",
    "sleeps",
    "hrv",
    "pulseOx",
    "respiration",
    "bodyComps",
    "stressDetails",
    "activities",
];

/// Garmin backfills at most about 30 days per request and before the connection.
const BACKFILL_DAYS: i64 = 30;
/// Windows shorter than this ask for no backfill: scheduled syncs (hours) and the syncs a
/// deregistration or permission notice queues (four days).
const BACKFILL_FROM: chrono::Duration = chrono::Duration::days(7);

pub struct Garmin {
    endpoints: Option<Endpoints>,
}

impl Garmin {
    pub fn new(client: &ProviderClient) -> Self {
        Garmin {
            endpoints: Endpoints::from_client(
                client,
                DefaultUrls {
                    auth: "https://connect.garmin.com/oauth2Confirm",
                    token: "https://diauth.garmin.com/di-oauth2-service/oauth/token",
                    revoke: None,
                    api: "https://apis.garmin.com",
                },
            ),
        }
    }

    fn ep(&self) -> Result<&Endpoints, FetchError> {
        self.endpoints
            .as_ref()
            .ok_or_else(|| FetchError::Permanent("Garmin is not configured".into()))
    }
}

/// What a Garmin answer means for the engine. 403 is "unknown or revoked user token".
async fn send(
    req: reqwest::RequestBuilder,
    access_token: &str,
) -> Result<(u16, Value), FetchError> {
    let res = req
        .bearer_auth(access_token)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| FetchError::Transient(format!("could not reach Garmin ({e})")))?;
    let status = res.status().as_u16();
    let wait = retry_after(res.headers());
    // Garmin's errors are `{"errorMessage": "…"}`; a 202 has no body at all.
    let body: Value = res.json().await.unwrap_or(Value::Null);
    match status {
        401 => Err(FetchError::Unauthorized),
        429 => Err(FetchError::RateLimited { retry_after: wait }),
        500..=599 => Err(FetchError::Transient(format!("Garmin answered {status}"))),
        _ => Ok((status, body)),
    }
}

/// The permissions list: a bare array or `{"permissions": [...]}`.
fn permissions(body: &Value) -> Vec<String> {
    body.as_array()
        .or_else(|| body.get("permissions").and_then(Value::as_array))
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// The backfill span for `window`: at most [`BACKFILL_DAYS`] before its end.
fn backfill_span(window: Window) -> (DateTime<Utc>, DateTime<Utc>) {
    let earliest = window.end - chrono::Duration::days(BACKFILL_DAYS);
    (window.start.max(earliest), window.end)
}

#[async_trait]
impl Provider for Garmin {
    fn info(&self) -> &ProviderInfo {
        &INFO
    }

    fn endpoints(&self) -> Option<&Endpoints> {
        self.endpoints.as_ref()
    }

    /// Page 0 checks the grant and its permissions; pages 1… ask for one backfill each.
    async fn fetch_page(
        &self,
        http: &reqwest::Client,
        access_token: &str,
        window: Window,
        cursor: Option<&str>,
    ) -> Result<FetchedPage, FetchError> {
        let ep = self.ep()?;
        let (idx, _) = collection_cursor(cursor)?;
        let batch = Batch::new(ID, Source::User);
        if idx == 0 {
            let url = join(&ep.api_url, "wellness-api/rest/user/permissions");
            let (status, body) = send(http.get(url), access_token).await?;
            match status {
                200..=299 => {}
                403 => return Err(FetchError::Revoked),
                s => {
                    return Err(FetchError::Permanent(format!(
                        "Garmin refused to list the permissions ({s})"
                    )))
                }
            }
            let granted = permissions(&body);
            let wants_backfill = window.end - window.start >= BACKFILL_FROM;
            let may = granted.iter().any(|p| p == "HISTORICAL_DATA_EXPORT");
            if wants_backfill && !may {
                tracing::warn!(
                    ?granted,
                    "Garmin: historical data not shared; only new data will arrive"
                );
            }
            let next = (wants_backfill && may).then(|| next_cursor(0, None));
            return Ok(FetchedPage { batch, next });
        }
        let Some(kind) = BACKFILL.get(idx - 1).copied() else {
            return Ok(FetchedPage { batch, next: None });
        };
        let (from, to) = backfill_span(window);
        let mut url = join(&ep.api_url, &format!("wellness-api/rest/backfill/{kind}"));
        url.query_pairs_mut()
            .append_pair("summaryStartTimeInSeconds", &from.timestamp().to_string())
            .append_pair("summaryEndTimeInSeconds", &to.timestamp().to_string());
        // The grant was just proven by the permissions page, so a refusal here concerns this
        // type only: 412 (switched off), 400 (not enabled for the app, or before the earliest
        // day Garmin backfills), 401 (reported for too old a span), 403 (historical data not
        // shared). The other types still go ahead.
        match send(http.get(url), access_token).await {
            Ok((200..=299, _)) => tracing::info!(kind, "Garmin backfill requested"),
            Ok((409, _)) => {
                tracing::info!(kind, "Garmin backfill of this span was already requested")
            }
            Ok((s, body)) => {
                tracing::warn!(kind, status = s, answer = %body, "Garmin refused a backfill; skipped")
            }
            Err(FetchError::Unauthorized) => {
                tracing::warn!(kind, "Garmin refused a backfill (401); skipped")
            }
            Err(e) => return Err(e),
        }
        let next = next_cursor(idx, None);
        let done = collection_cursor(Some(&next))?.0 > BACKFILL.len();
        Ok(FetchedPage {
            batch,
            next: (!done).then_some(next),
        })
    }

    fn needs_account_id(&self) -> bool {
        true
    }

    async fn account_id(
        &self,
        http: &reqwest::Client,
        access_token: &str,
    ) -> Result<Option<String>, FetchError> {
        let ep = self.ep()?;
        let url = join(&ep.api_url, "wellness-api/rest/user/id");
        let (status, body) = send(http.get(url), access_token).await?;
        if !(200..300).contains(&status) {
            return Err(FetchError::Permanent(format!(
                "Garmin did not name the account ({status})"
            )));
        }
        Ok(body
            .get("userId")
            .and_then(crate::connections::push::id_text))
    }

    /// Deleting the registration withdraws our access (Garmin requires it on disconnect).
    async fn revoke(
        &self,
        http: &reqwest::Client,
        tokens: &TokenSet,
        _account_id: Option<&str>,
    ) -> Result<(), String> {
        let Ok(ep) = self.ep() else {
            return Ok(());
        };
        // Access tokens live a day and a disconnect can come any time: refresh a stale one
        // first, or Garmin would keep the registration (and keep pushing).
        let stale = tokens
            .expires_at
            .is_some_and(|t| t <= Utc::now() + chrono::Duration::minutes(1));
        let access = if stale {
            self.refresh(http, tokens)
                .await
                .map(|t| t.access_token)
                .unwrap_or_else(|_| tokens.access_token.clone())
        } else {
            tokens.access_token.clone()
        };
        let req = http
            .delete(join(&ep.api_url, "wellness-api/rest/user/registration"))
            .bearer_auth(access);
        expect_success(req, "Garmin").await
    }

    /// Unsigned: the push token in the URL (`?token=`) and, when sent, `garmin-client-id`
    /// authenticate the request.
    fn receive_push(&self, req: &PushRequest<'_>) -> Result<PushReply, PushError> {
        let ep = self.endpoints.as_ref().ok_or(PushError::NotOffered)?;
        if ep.push_token.is_none() || req.method != http::Method::POST {
            return Err(PushError::NotOffered);
        }
        check_token(
            ep.push_token.as_deref(),
            req.query.get("token").map(String::as_str),
        )?;
        if let Some(client) = req.header("garmin-client-id") {
            if client.trim() != ep.client_id {
                return Err(PushError::Unauthenticated(
                    "the notification is for another Garmin app".into(),
                ));
            }
        }
        let body: Value = crate::connections::push::json_body(req.body)?;
        notices(&body, req.now).map(PushReply::Notices)
    }
}

/// The notices of one push body: each summary with its data, and a sync for each
/// deregistration or permission change.
pub fn notices(body: &Value, now: DateTime<Utc>) -> Result<Vec<Notice>, PushError> {
    let Some(lists) = body.as_object() else {
        return Err(PushError::Malformed(
            "the notification is not a JSON object".into(),
        ));
    };
    let user_of = |item: &Value| {
        item.get("userId")
            .and_then(crate::connections::push::id_text)
    };
    let mut out = Vec::new();
    for (key, items) in lists {
        let Some(items) = items.as_array() else {
            continue;
        };
        for item in items {
            let Some(user) = user_of(item) else {
                tracing::warn!(
                    key = key.as_str(),
                    "Garmin notification item without userId ignored"
                );
                continue;
            };
            match key.as_str() {
                "deregistrations" | "userPermissionsChange" => {
                    let when = item
                        .get("changeTimeInSeconds")
                        .and_then(Value::as_i64)
                        .unwrap_or(now.timestamp() / 60);
                    out.push(Notice {
                        key: format!("{key}:{user}:{when}"),
                        account_id: user,
                        since: None,
                        data: None,
                    });
                }
                k if DATA_KEYS.contains(&k) => {
                    if item.get("callbackURL").is_some() {
                        tracing::warn!(
                            key = k,
                            "Garmin sent a ping; VitaSync takes summaries in push mode only"
                        );
                        continue;
                    }
                    let mut batch = Batch::new(ID, Source::User);
                    map_summary(k, item, &mut batch);
                    // A resend with more complete data is new; an identical replay is not.
                    let digest = Sha256::digest(item.to_string().as_bytes());
                    let summary = item
                        .get("summaryId")
                        .and_then(crate::connections::push::id_text)
                        .unwrap_or_default();
                    out.push(Notice {
                        account_id: user,
                        key: format!("{k}:{summary}:{}", hex::encode(&digest[..12])),
                        since: start(item),
                        data: Some(batch),
                    });
                }
                _ => {}
            }
        }
    }
    Ok(out)
}
