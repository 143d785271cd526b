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
//! returned when the webhook was created (`VITASYNC_POLAR_WEBHOOK_SECRET`). The answers are
//! mapped in `polar_map`.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::polar_map::map_answer;
use crate::connections::provider::{
    collection_cursor, expect_success, join, next_cursor, retry_after, AuthKind, ClientAuth,
    DefaultUrls, Endpoints, FetchError, FetchedPage, Grant, Provider, ProviderInfo, Window,
};
use crate::connections::push::{
    hmac_sha256, id_text, json_body, same, Notice, PushError, PushReply, PushRequest,
};
use crate::connections::tokens::TokenSet;
use crate::health::ingest::{Batch, Source};
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
