//! Who is calling: the workspace API key in `Authorization: Bearer vs_live_…`, checked on
//! every request (a revoked key stops at once), rate-limited per key, with `lastUsedAt`
//! written at most once a minute per key rather than on every request.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use chrono::Utc;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::error::ApiError;
use crate::api_keys::{repo, token, Scope};
use crate::identity::WorkspaceId;
use crate::platform::state::AppState;

/// How often `last_used_at` is written for a busy key.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// Per-process state of the API: the rate limiter and the last-used bookkeeping.
pub struct ApiRuntime {
    limiter: DefaultKeyedRateLimiter<String>,
    touched: Mutex<HashMap<String, Instant>>,
}

impl AppState {
    /// The API's rate limiter and bookkeeping, which the composition root adds to the state.
    pub fn api(&self) -> &std::sync::Arc<ApiRuntime> {
        self.part::<std::sync::Arc<ApiRuntime>>()
    }
}

impl std::fmt::Debug for ApiRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiRuntime").finish_non_exhaustive()
    }
}

impl ApiRuntime {
    /// `per_minute` requests per key and minute, with bursts up to the same number.
    pub fn new(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).expect("at least 1");
        ApiRuntime {
            limiter: RateLimiter::keyed(Quota::per_minute(n)),
            touched: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds to wait)` when the key is over its rate.
    fn check_rate(&self, key_id: &str) -> Result<(), u64> {
        self.limiter
            .check_key(&key_id.to_string())
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
            })
    }

    /// True when `last_used_at` of this key is due to be written.
    fn due_for_touch(&self, key_id: &str) -> bool {
        let mut map = self.touched.lock().expect("touch map");
        let now = Instant::now();
        match map.get(key_id) {
            Some(at) if now.duration_since(*at) < TOUCH_EVERY => false,
            _ => {
                if map.len() > 10_000 {
                    map.retain(|_, at| now.duration_since(*at) < TOUCH_EVERY);
                }
                map.insert(key_id.to_string(), now);
                true
            }
        }
    }
}

/// The authenticated caller of an API request.
#[derive(Clone, Debug)]
pub struct ApiCaller {
    pub key_id: String,
    pub workspace_id: WorkspaceId,
    pub scopes: Vec<Scope>,
    /// When the calling key stops working (what it creates may not outlive it).
    pub expires_at: Option<chrono::DateTime<Utc>>,
}

impl ApiCaller {
    /// 403 unless the key holds `scope` (or one that includes it).
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if scope.granted_by(&self.scopes) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "This key lacks the {} scope that this request needs.",
                scope.as_str()
            )))
        }
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "Send your API key in the Authorization header: Bearer vs_live_…",
                )
            })?;
        let raw = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::unauthorized("Use the Bearer scheme: Authorization: Bearer vs_live_…")
            })?;
        if !token::well_formed(raw) {
            return Err(ApiError::unauthorized("This is not a valid API key."));
        }
        let key = repo::by_hash(&state.db, &token::hash(raw))
            .await?
            .ok_or_else(|| ApiError::unauthorized("This is not a valid API key."))?;
        let now = Utc::now();
        if key.revoked_at.is_some() {
            return Err(ApiError::unauthorized("This API key was revoked."));
        }
        if let Some(exp) = key.expires_at.filter(|e| *e <= now) {
            return Err(ApiError::unauthorized(format!(
                "This API key expired at {}.",
                exp.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            )));
        }
        state
            .api()
            .check_rate(&key.id)
            .map_err(ApiError::rate_limited)?;
        if state.api().due_for_touch(&key.id) {
            // Best effort: a failed bookkeeping write must not fail the request.
            if let Err(e) = repo::touch(&state.db, &key.id, now).await {
                tracing::warn!(error = %e, key = %key.id, "could not record API key use");
            }
        }
        Ok(ApiCaller {
            key_id: key.id,
            workspace_id: WorkspaceId::new(key.workspace_id),
            scopes: key.scopes.0,
            expires_at: key.expires_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_over_its_rate_is_told_how_long_to_wait() {
        let rt = ApiRuntime::new(2);
        assert!(rt.check_rate("k").is_ok());
        assert!(rt.check_rate("k").is_ok());
        let wait = rt.check_rate("k").unwrap_err();
        assert!((1..=30).contains(&wait), "{wait}");
        // Other keys have their own budget.
        assert!(rt.check_rate("other").is_ok());
    }

    #[test]
    fn last_used_is_written_once_a_minute_per_key() {
        let rt = ApiRuntime::new(10);
        assert!(rt.due_for_touch("k"));
        assert!(!rt.due_for_touch("k"));
        assert!(rt.due_for_touch("j"));
    }
}
