//! `GET|POST /push/{provider}`: where providers deliver their notifications.
//!
//! The provider checks the signature on the raw bytes before anything is parsed. Each notice
//! is recorded once under its provider's unique key (a replay stops there), routed by the
//! provider's user id to the connections holding that account, and turned into one targeted
//! sync. Unknown accounts are answered 200 (every provider here retries anything else, for up
//! to days) and logged; bad signatures get 401, unreadable bodies 400, and nothing is queued.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::push::{Notice, PushError, PushReply, PushRequest};
use super::repo;
use super::status::ConnectionStatus;
use crate::platform::db::Db;
use crate::platform::ids::new_id;
use crate::platform::state::AppState;
use crate::with_db;

/// The largest notification taken: Garmin sends whole summaries and asks receivers to accept
/// at least 10 MB.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

pub async fn receive(
    State(state): State<AppState>,
    Path(provider_id): Path<String>,
    method: Method,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(provider) = state.engine().registry.get(&provider_id) else {
        return error(StatusCode::NOT_FOUND, "not_found", "No such provider here.");
    };
    // Read no further than this provider's notifications ever reach.
    let Ok(body) = axum::body::to_bytes(body, provider.push_body_limit()).await else {
        tracing::warn!(provider = %provider_id, "push refused: body too large");
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "This notification is larger than this provider sends.",
        );
    };
    let now = Utc::now();
    let req = PushRequest {
        method: &method,
        headers: &headers,
        query: &query,
        body: &body,
        now,
    };
    let notices = match provider.receive_push(&req) {
        Ok(PushReply::Handshake(answer)) => {
            tracing::info!(provider = %provider_id, "push subscription check answered");
            return Json(answer).into_response();
        }
        Ok(PushReply::Notices(n)) => n,
        Err(PushError::NotOffered) => {
            return error(
                StatusCode::NOT_FOUND,
                "not_found",
                "This provider does not push to this server.",
            )
        }
        Err(PushError::Unauthenticated(why)) => {
            tracing::warn!(provider = %provider_id, %why, "push refused: not authenticated");
            return error(StatusCode::UNAUTHORIZED, "unauthenticated", &why);
        }
        Err(PushError::Malformed(why)) => {
            tracing::warn!(provider = %provider_id, %why, "push refused: malformed");
            return error(StatusCode::BAD_REQUEST, "malformed", &why);
        }
    };
    let received = notices.len();
    // Routed on a task of its own, so a provider hanging up (Garmin waits 30 s) cannot stop it
    // between recording a notice and acting on it.
    let who = provider_id.clone();
    let routed = tokio::spawn(async move {
        let mut outcomes = Vec::with_capacity(notices.len());
        for notice in &notices {
            outcomes.push(route(&state, &who, notice, now).await?);
        }
        Ok::<_, sqlx::Error>(outcomes)
    })
    .await;
    match routed {
        Ok(Ok(outcomes)) => {
            Json(json!({ "received": received, "outcomes": outcomes })).into_response()
        }
        Ok(Err(e)) => {
            // The provider retries a 5xx; the receipt was not kept, so the retry is handled.
            tracing::error!(provider = %provider_id, error = %e, "could not route a push");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Try again later.",
            )
        }
        Err(e) => {
            tracing::error!(provider = %provider_id, error = %e, "push routing stopped");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Try again later.",
            )
        }
    }
}

/// Records and routes one notice; returns its outcome (`queued`, `open`, `stored`,
/// `duplicate`, `unknown`, `inactive`).
async fn route(
    state: &AppState,
    provider_id: &str,
    notice: &Notice,
    now: DateTime<Utc>,
) -> Result<&'static str, sqlx::Error> {
    let db = &state.db;
    let receipt = new_id();
    if !receipts::claim(db, &receipt, provider_id, notice, now).await? {
        tracing::info!(provider = provider_id, key = %notice.key, "push replay ignored");
        return Ok("duplicate");
    }
    match dispatch(state, provider_id, notice, now).await {
        Ok((outcome, job_id)) => {
            receipts::settle(db, &receipt, outcome, job_id.as_deref()).await?;
            Ok(outcome)
        }
        Err(e) => {
            receipts::forget(db, &receipt).await.ok();
            Err(e)
        }
    }
}

/// Queues a sync on (or, for inline data, stores the data for) every active connection
/// holding the notice's account.
async fn dispatch(
    state: &AppState,
    provider_id: &str,
    notice: &Notice,
    now: DateTime<Utc>,
) -> Result<(&'static str, Option<String>), sqlx::Error> {
    let conns = repo::by_account(&state.db, provider_id, &notice.account_id).await?;
    let mut outcome = "unknown";
    let mut job_id = None;
    for conn in conns
        .iter()
        .filter(|c| c.encrypted_tokens.is_some() && c.status != ConnectionStatus::Disconnected)
    {
        if let Some(data) = &notice.data {
            // Inline data is stored as it comes (upserts: a resend replaces what it names).
            let mut batch = data.clone();
            batch.connection_id = Some(conn.id.clone());
            crate::health::ingest::ingest_lenient(&state.db, &conn.user_id, batch).await?;
            outcome = "stored";
            continue;
        }
        match state
            .engine()
            .request_push_sync(conn, notice.since, now)
            .await?
        {
            Some(id) => {
                outcome = "queued";
                job_id.get_or_insert(id);
            }
            None if outcome == "unknown" => outcome = "open",
            None => {}
        }
    }
    if outcome == "unknown" && !conns.is_empty() {
        outcome = "inactive";
    }
    if matches!(outcome, "unknown" | "inactive") {
        tracing::warn!(
            provider = provider_id,
            account = %notice.account_id,
            outcome,
            "push for an account with no active connection ignored"
        );
    } else {
        tracing::info!(provider = provider_id, outcome, "push routed");
    }
    Ok((outcome, job_id))
}

/// `provider_push_receipts`: one row per notification ever received.
pub mod receipts {
    use super::*;

    /// How long a receipt may stay `received` (claimed, never settled) before a retry of its
    /// notification is handled again: only a crash between the two leaves one behind.
    const STALE_CLAIM_MINUTES: i64 = 10;

    /// Inserts the receipt under the SHA-256 of the notice's key (keys are built from what a
    /// provider sends, so their length is not ours to choose); `false` when this notification
    /// was received before.
    pub async fn claim(
        db: &Db,
        id: &str,
        provider_id: &str,
        notice: &Notice,
        now: DateTime<Utc>,
    ) -> Result<bool, sqlx::Error> {
        let stale = now - chrono::Duration::minutes(STALE_CLAIM_MINUTES);
        let key = crate::platform::ids::sha256_hex(&notice.key);
        let n = with_db!(db, pool => sqlx::query(
            "INSERT INTO provider_push_receipts (id, provider_id, notice_key, account_id, outcome, received_at) \
             VALUES ($1, $2, $3, $4, 'received', $5) ON CONFLICT (provider_id, notice_key) DO UPDATE \
             SET id = excluded.id, received_at = excluded.received_at \
             WHERE provider_push_receipts.outcome = 'received' AND provider_push_receipts.received_at < $6")
            .bind(id)
            .bind(provider_id)
            .bind(&key)
            .bind(&notice.account_id)
            .bind(now)
            .bind(stale)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn settle(
        db: &Db,
        id: &str,
        outcome: &str,
        job_id: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        with_db!(db, pool => sqlx::query(
            "UPDATE provider_push_receipts SET outcome = $1, sync_job_id = $2 WHERE id = $3")
            .bind(outcome)
            .bind(job_id)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Drops a receipt whose notice could not be handled, so the provider's retry is.
    pub async fn forget(db: &Db, id: &str) -> Result<(), sqlx::Error> {
        with_db!(db, pool => sqlx::query("DELETE FROM provider_push_receipts WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Receipts older than `before` (housekeeping): providers stop retrying within days.
    pub async fn purge(db: &Db, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        with_db!(db, pool => sqlx::query("DELETE FROM provider_push_receipts WHERE received_at < $1")
            .bind(before)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
    }
}
