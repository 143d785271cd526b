//! The demo provider's data API: `GET /demo-provider/api/v1/me` and
//! `GET /demo-provider/api/v1/data?start=…&end=…[&cursor=YYYY-MM-DD]`, a week of local days per
//! page, bearer token required.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::grants;
use crate::dates::Day;
use crate::health::{demo, local_time};
use crate::platform::state::AppState;
use crate::with_db;

/// Local days per page.
pub const DAYS_PER_PAGE: i64 = 7;

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "error": code, "message": message }))).into_response()
}

/// The user the bearer token speaks for, or the 401 to answer with.
async fn bearer_user(state: &AppState, headers: &HeaderMap) -> Result<String, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let unauthorized = || {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
            Json(json!({ "error": "invalid_token", "message": "The access token is missing, expired or revoked." })),
        )
            .into_response()
    };
    let Some(token) = token else {
        return Err(unauthorized());
    };
    match grants::user_of_access(&state.db, token, Utc::now()).await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(unauthorized()),
        Err(e) => {
            tracing::error!(error = %e, "demo provider database error");
            Err(error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "Try again later.",
            ))
        }
    }
}

/// The demo person behind a VitaSync user: stable, and different for every user.
pub fn seed_of(user_id: &str) -> u64 {
    let d = Sha256::digest(user_id.as_bytes());
    u64::from_le_bytes(d[..8].try_into().expect("8 bytes"))
}

pub async fn me(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match bearer_user(&state, &headers).await {
        Ok(user) => Json(json!({ "id": format!("demo-{:016x}", seed_of(&user)) })).into_response(),
        Err(res) => res,
    }
}

pub async fn data(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let user = match bearer_user(&state, &headers).await {
        Ok(u) => u,
        Err(res) => return res,
    };
    let parse = |k: &str| {
        q.get(k)
            .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
            .map(|d| d.with_timezone(&Utc))
    };
    let (Some(start), Some(end)) = (parse("start"), parse("end")) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "start and end must be RFC 3339 times.",
        );
    };
    if end < start || end - start > Duration::days(3660) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "end must follow start, at most ten years later.",
        );
    }
    let tz_name: Option<String> = match with_db!(&state.db, pool => sqlx::query_scalar(
        "SELECT timezone FROM users WHERE id = $1")
        .bind(&user)
        .fetch_optional(pool)
        .await)
    {
        Ok(tz) => tz,
        Err(e) => {
            tracing::error!(error = %e, "demo provider database error");
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "Try again later.",
            );
        }
    };
    let tz = local_time::zone(tz_name.as_deref().unwrap_or("UTC"));
    let now = Utc::now();
    let last_day = local_time::local_date(end.min(now), tz);
    let first_day = match q.get("cursor") {
        // A bounded day, so a page's last day and the next cursor are real dates.
        Some(c) => match Day::parse(c) {
            Ok(d) => d.date(),
            Err(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Unknown cursor.",
                )
            }
        },
        None => local_time::local_date(start, tz),
    };
    let page_end = (first_day + Duration::days(DAYS_PER_PAGE - 1)).min(last_day);
    let seed = seed_of(&user);
    let mut points = Vec::new();
    let mut events = Vec::new();
    let mut day = first_day;
    while day <= page_end {
        // As of the window's end: a running total made later would fall outside the window.
        let batch = demo::day_batch(tz, end.min(now), day, seed, true);
        points.extend(
            batch
                .points
                .into_iter()
                .filter(|p| p.recorded_at >= start && p.recorded_at <= end),
        );
        events.extend(
            batch
                .events
                .into_iter()
                .filter(|e| e.started_at >= start && e.started_at <= end),
        );
        day += Duration::days(1);
    }
    let next = (page_end < last_day).then(|| (page_end + Duration::days(1)).to_string());
    Json(json!({ "points": points, "events": events, "nextCursor": next })).into_response()
}
