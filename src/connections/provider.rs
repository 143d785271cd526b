//! What every provider implements, and the facts it declares about itself.
//!
//! The engine owns everything generic (OAuth, token refresh, paging loop, retries, ingest); a
//! provider only knows its endpoints and how its payloads map onto our metrics and events.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use url::Url;

use crate::health::ingest::Batch;

/// How a provider authorizes us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthKind {
    OAuth2,
}

/// Where the client sends its credentials on the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// HTTP Basic (RFC 6749 §2.3.1's preferred way).
    Basic,
    /// `client_id` / `client_secret` form fields (WHOOP, Strava; public clients).
    RequestBody,
}

/// The fixed facts a provider declares.
#[derive(Clone, Debug)]
pub struct ProviderInfo {
    pub id: &'static str,
    pub name: &'static str,
    /// One line for the Connections page.
    pub blurb: &'static str,
    pub auth: AuthKind,
    pub client_auth: ClientAuth,
    /// PKCE (S256) is sent whenever the provider supports it.
    pub pkce: bool,
    pub scopes: &'static [&'static str],
    /// Scheduled syncs run at most this often.
    pub min_interval: Duration,
    /// How far back the first sync reaches unless configured otherwise.
    pub backfill_days: i64,
    /// Metric types and event types it supplies (names from the catalogue).
    pub metrics: &'static [&'static str],
    pub events: &'static [&'static str],
    /// Whether it pushes notifications (webhooks) besides being polled.
    pub pushes: bool,
    /// Scopes a refresh request must repeat (WHOOP asks for `offline` to issue a new refresh
    /// token).
    pub refresh_scopes: &'static [&'static str],
    /// Extra authorization-request parameters (Google's `access_type=offline`).
    pub auth_params: &'static [(&'static str, &'static str)],
}

/// Endpoints and client credentials of a configured provider.
#[derive(Clone)]
pub struct Endpoints {
    pub client_id: String,
    pub client_secret: Option<String>,
    pub auth_url: Url,
    pub token_url: Url,
    pub revoke_url: Option<Url>,
    pub api_url: Url,
    /// Our secret for push subscriptions (see `ProviderClient::push_token`).
    pub push_token: Option<String>,
    /// The provider's push-signing key when it is not the client secret.
    pub webhook_secret: Option<String>,
}

/// A provider's documented addresses, used unless configured otherwise.
pub struct DefaultUrls {
    pub auth: &'static str,
    pub token: &'static str,
    pub revoke: Option<&'static str>,
    pub api: &'static str,
}

impl Endpoints {
    /// The endpoints of a provider configured with both a client id and a secret (`None`
    /// otherwise: "not configured"); overrides from the configuration win over `urls`.
    pub fn from_client(
        client: &crate::platform::config::ProviderClient,
        urls: DefaultUrls,
    ) -> Option<Self> {
        let (Some(id), Some(secret)) = (&client.client_id, &client.client_secret) else {
            return None;
        };
        Some(Endpoints {
            client_id: id.clone(),
            client_secret: Some(secret.clone()),
            auth_url: url_or(&client.auth_url, urls.auth),
            token_url: url_or(&client.token_url, urls.token),
            revoke_url: urls.revoke.map(|r| url_or(&client.revoke_url, r)),
            api_url: url_or(&client.api_url, urls.api),
            push_token: client.push_token.clone(),
            webhook_secret: client.webhook_secret.clone(),
        })
    }
}

impl std::fmt::Debug for Endpoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoints")
            .field("client_id", &self.client_id)
            .field("auth_url", &self.auth_url.as_str())
            .field("token_url", &self.token_url.as_str())
            .field("api_url", &self.api_url.as_str())
            .finish_non_exhaustive()
    }
}

/// The time span one job covers, and the person's zone (for providers that give local times
/// without an offset).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub zone: chrono_tz::Tz,
}

/// One page of normalized data and where the next page starts (`None` when done).
#[derive(Debug)]
pub struct FetchedPage {
    pub batch: Batch,
    pub next: Option<String>,
}

/// Why a provider call failed, as the engine needs to know it.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FetchError {
    /// 401: the access token is no longer accepted (refresh, then retry once).
    #[error("the provider no longer accepts the access token")]
    Unauthorized,
    /// The grant itself is gone (revoked refresh token, removed app): the user must reconnect.
    #[error("access was revoked at the provider")]
    Revoked,
    /// 429: try again after the given wait (the provider's `Retry-After` when it sent one).
    #[error("rate limited by the provider")]
    RateLimited { retry_after: Option<Duration> },
    /// Network trouble or a 5xx: retry with backoff.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// 403: this data is not shared with us (a scope the person turned off at consent, or the
    /// provider's own subscription lapsed). Retrying will not fix it; a provider whose
    /// collections are separately consented may skip just that collection.
    #[error("{0}")]
    Forbidden(String),
    /// Anything retrying will not fix (4xx, a payload we cannot read).
    #[error("{0}")]
    Permanent(String),
}

/// What a code exchange yields: the tokens, and the account id when the token response names
/// it (Withings' `userid`).
#[derive(Debug)]
pub struct Grant {
    pub tokens: super::tokens::TokenSet,
    pub account_id: Option<String>,
}

#[async_trait]
pub trait Provider: Send + Sync {
    fn info(&self) -> &ProviderInfo;

    /// `None` when the provider has no client credentials here ("not configured").
    fn endpoints(&self) -> Option<&Endpoints>;

    /// Fetches the page at `cursor` (`None` = the first) of the data in `window`.
    async fn fetch_page(
        &self,
        http: &reqwest::Client,
        access_token: &str,
        window: Window,
        cursor: Option<&str>,
    ) -> Result<FetchedPage, FetchError>;

    /// Exchanges an authorization code for tokens (RFC 6749 §4.1.3 by default).
    async fn exchange_code(
        &self,
        http: &reqwest::Client,
        redirect_uri: &str,
        code: &str,
        pkce_verifier: Option<String>,
    ) -> Result<Grant, FetchError> {
        let ep = self.endpoints().ok_or(FetchError::Revoked)?;
        let tokens =
            super::oauth::exchange_code(self.info(), ep, http, redirect_uri, code, pkce_verifier)
                .await?;
        Ok(Grant {
            tokens,
            account_id: None,
        })
    }

    /// Trades the refresh token for new tokens (RFC 6749 §6 by default).
    async fn refresh(
        &self,
        http: &reqwest::Client,
        tokens: &super::tokens::TokenSet,
    ) -> Result<super::tokens::TokenSet, FetchError> {
        let ep = self.endpoints().ok_or(FetchError::Revoked)?;
        super::oauth::refresh(self.info(), ep, http, tokens).await
    }

    /// Withdraws VitaSync's access at the provider (disconnect). `account_id` is the person's
    /// id there, as stored at connect time. The default is an RFC 7009 revocation request when
    /// the provider has a revocation endpoint.
    async fn revoke(
        &self,
        http: &reqwest::Client,
        tokens: &super::tokens::TokenSet,
        _account_id: Option<&str>,
    ) -> Result<(), String> {
        match self.endpoints() {
            Some(ep) => super::oauth::revoke(self.info(), ep, http, tokens).await,
            None => Ok(()),
        }
    }

    /// Runs once after a person connects (a provider's per-person push subscription), best
    /// effort: a failure is logged and the connection stands. `push_url` is this server's
    /// `/push/{provider}` address.
    async fn after_connect(
        &self,
        _http: &reqwest::Client,
        _tokens: &super::tokens::TokenSet,
        _push_url: &str,
    ) -> Result<(), String> {
        Ok(())
    }

    /// Creates and renews the provider's app-level push subscriptions so they point at
    /// `push_url` (run at start-up and twice a day when a public URL is configured). `Ok(None)`
    /// when the provider has none to keep; else a summary for the log.
    async fn maintain_push(
        &self,
        _http: &reqwest::Client,
        _push_url: &str,
        _now: DateTime<Utc>,
    ) -> Result<Option<String>, String> {
        Ok(None)
    }

    /// Reads a request to `/push/{provider}`: checks its signature on the raw body, then
    /// answers a subscription handshake or returns the notices it carries. The default: this
    /// provider does not push.
    fn receive_push(
        &self,
        _req: &super::push::PushRequest<'_>,
    ) -> Result<super::push::PushReply, super::push::PushError> {
        Err(super::push::PushError::NotOffered)
    }

    /// The largest notification body this provider sends; anything longer is refused unread
    /// (413). Garmin sends whole summaries (at least 10 MB accepted); Strava's are pointers.
    fn push_body_limit(&self) -> usize {
        super::push_routes::MAX_BODY_BYTES
    }

    /// Whether a connection is useless without the account id (data that only arrives by
    /// push, routed by it): connecting then fails instead of saving a connection that never
    /// receives anything.
    fn needs_account_id(&self) -> bool {
        false
    }

    /// The account id at the provider, asked once after connecting (shown on the page).
    async fn account_id(
        &self,
        _http: &reqwest::Client,
        _access_token: &str,
    ) -> Result<Option<String>, FetchError> {
        Ok(None)
    }
}

/// GETs a JSON document with a bearer token, mapping HTTP failures onto [`FetchError`].
pub async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: Url,
    access_token: &str,
) -> Result<T, FetchError> {
    get_json_with(http, url, access_token, retry_after).await
}

/// Like [`get_json`], with the provider's own reading of how long a 429 asks us to wait.
pub async fn get_json_with<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: Url,
    access_token: &str,
    wait_of: fn(&reqwest::header::HeaderMap) -> Option<Duration>,
) -> Result<T, FetchError> {
    let res = http
        .get(url)
        .bearer_auth(access_token)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| FetchError::Transient(format!("could not reach the provider ({e})")))?;
    let status = res.status();
    if status == reqwest::StatusCode::UNAUTHORIZED {
        return Err(FetchError::Unauthorized);
    }
    if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return Err(FetchError::RateLimited {
            retry_after: wait_of(res.headers()),
        });
    }
    if status.is_server_error() {
        return Err(FetchError::Transient(format!(
            "the provider answered {status}"
        )));
    }
    if status == reqwest::StatusCode::FORBIDDEN {
        return Err(FetchError::Forbidden(format!(
            "the provider does not share this data ({status})"
        )));
    }
    if !status.is_success() {
        return Err(FetchError::Permanent(format!(
            "the provider refused the request ({status})"
        )));
    }
    res.json::<T>()
        .await
        .map_err(|e| FetchError::Permanent(format!("unreadable answer from the provider ({e})")))
}

/// `Retry-After` as seconds (the form providers send); an HTTP date is read as well.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let raw = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = raw.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = DateTime::parse_from_rfc2822(raw).ok()?;
    let wait = when.with_timezone(&Utc) - Utc::now();
    Some(Duration::from_secs(wait.num_seconds().max(0) as u64))
}

/// "running" → "Running".
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Sends a request whose only answer that matters is success (revocations).
pub async fn expect_success(req: reqwest::RequestBuilder, who: &str) -> Result<(), String> {
    let res = req.send().await.map_err(|e| e.to_string())?;
    if res.status().is_success() {
        Ok(())
    } else {
        Err(format!("{who} answered {}", res.status()))
    }
}

/// Reads the cursor of a provider that walks several paged collections in turn:
/// `<collection index>:<the provider's page token>` (empty token: the collection's first page).
pub fn collection_cursor(cursor: Option<&str>) -> Result<(usize, Option<String>), FetchError> {
    let Some(c) = cursor else {
        return Ok((0, None));
    };
    let unreadable = || FetchError::Permanent("unreadable sync cursor".into());
    let (idx, token) = c.split_once(':').ok_or_else(unreadable)?;
    let idx: usize = idx.parse().map_err(|_| unreadable())?;
    Ok((idx, (!token.is_empty()).then(|| token.to_string())))
}

/// The cursor after a page of collection `idx`: its next page, else the next collection.
pub fn next_cursor(idx: usize, page_token: Option<String>) -> String {
    match page_token.filter(|t| !t.is_empty()) {
        Some(t) => format!("{idx}:{t}"),
        None => format!("{}:", idx + 1),
    }
}

/// A configured override, else the provider's documented default.
pub fn url_or(over: &Option<Url>, default: &str) -> Url {
    over.clone()
        .unwrap_or_else(|| Url::parse(default).expect("default URL"))
}

/// `base` + `path`, keeping any path prefix `base` has (`https://x/developer` + `v2/cycle`).
pub fn join(base: &Url, path: &str) -> Url {
    let mut s = base.as_str().trim_end_matches('/').to_string();
    s.push('/');
    s.push_str(path.trim_start_matches('/'));
    Url::parse(&s).unwrap_or_else(|_| base.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_cursors_walk_pages_then_collections() {
        assert_eq!(collection_cursor(None).unwrap(), (0, None));
        assert_eq!(
            collection_cursor(Some("2:abc")).unwrap(),
            (2, Some("abc".into()))
        );
        assert_eq!(collection_cursor(Some("3:")).unwrap(), (3, None));
        assert!(collection_cursor(Some("nonsense")).is_err());
        assert_eq!(next_cursor(1, Some("t:1".into())), "1:t:1");
        assert_eq!(next_cursor(1, Some(String::new())), "2:");
        assert_eq!(next_cursor(1, None), "2:");
        // A token containing ':' survives the round trip.
        assert_eq!(
            collection_cursor(Some(&next_cursor(4, Some("a:b".into())))).unwrap(),
            (4, Some("a:b".into()))
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "42".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(42)));
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn join_keeps_the_base_path() {
        let base = Url::parse("https://api.example.com/developer/").unwrap();
        assert_eq!(
            join(&base, "/v2/cycle").as_str(),
            "https://api.example.com/developer/v2/cycle"
        );
    }
}
