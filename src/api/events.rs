//! `/v1/users/{userId}/events` (workouts, sleep, activities) and `/personal-records`.

use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::ApiCaller;
use super::error::{ApiError, Detail, ErrorEnvelope};
use super::extract::ApiQuery;
use super::pagination::{bounded_moment, far_future, Page, PageParams};
use crate::api_keys::Scope;
use crate::health::repo::{self, EventFilter, EventRow, RecordRow};
use crate::platform::db::seek::TimeSeek;
use crate::platform::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_events))
        .routes(routes!(get_event))
        .routes(routes!(list_records))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: String,
    pub provider_id: String,
    /// The provider's own id of this session.
    pub provider_event_id: String,
    /// `workout`, `sleep` or `activity`.
    pub event_type: String,
    pub activity_type: Option<String>,
    pub title: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i64>,
    pub distance_meters: Option<f64>,
    pub calories_kcal: Option<f64>,
    pub avg_heart_rate: Option<i64>,
    pub max_heart_rate: Option<i64>,
    /// Provider details (sleep stages, zones, …).
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}

impl From<EventRow> for Event {
    fn from(r: EventRow) -> Self {
        Event {
            id: r.id,
            provider_id: r.provider_id,
            provider_event_id: r.provider_event_id,
            event_type: r.event_type,
            activity_type: r.activity_type,
            title: r.title,
            started_at: r.started_at,
            ended_at: r.ended_at,
            duration_seconds: r.duration_seconds,
            distance_meters: r.distance_meters,
            calories_kcal: r.calories_kcal,
            avg_heart_rate: r.avg_heart_rate,
            max_heart_rate: r.max_heart_rate,
            data: r.data.map(|d| d.0),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonalRecord {
    pub metric_type: String,
    /// What kind of best: `daily_max`, `daily_min`, `longest`, …
    pub category: String,
    pub value: f64,
    pub unit: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub provider_id: String,
}

impl From<RecordRow> for PersonalRecord {
    fn from(r: RecordRow) -> Self {
        PersonalRecord {
            metric_type: r.metric_type,
            category: r.category,
            value: r.value,
            unit: r.unit,
            recorded_at: r.recorded_at,
            provider_id: r.provider_id,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// `workout`, `sleep` or `activity`.
    pub event_type: Option<String>,
    /// Such as `running`.
    pub activity_type: Option<String>,
    pub provider_id: Option<String>,
    /// Sessions starting at or after this moment (ISO 8601).
    pub from: Option<DateTime<Utc>>,
    /// Sessions starting before this moment.
    pub to: Option<DateTime<Utc>>,
    /// 1 to 500, default 50.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The user's sessions, newest first.
#[utoipa::path(get, path = "/users/{userId}/events", tag = "Health data",
    params(("userId" = String, Path, description = "The user's id"), EventQuery),
    responses(
        (status = 200, description = "A page of sessions", body = Page<Event>),
        (status = 400, description = "Bad filter, limit or cursor", body = ErrorEnvelope),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
    ))]
pub async fn list_events(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
    ApiQuery(q): ApiQuery<EventQuery>,
) -> Result<Json<Page<Event>>, ApiError> {
    caller.require(Scope::Read)?;
    super::users::owned_user(&state, &caller, &user_id).await?;
    let (limit, before_at, before_id) = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    }
    .time_seek()?;
    if let Some(t) = q
        .event_type
        .as_deref()
        .filter(|t| !["workout", "sleep", "activity"].contains(t))
    {
        return Err(ApiError::bad_query(vec![Detail::field(
            "eventType",
            format!("{t:?} is not an event type; use workout, sleep or activity."),
        )]));
    }
    let filter = EventFilter {
        event_type: q.event_type.as_deref().unwrap_or(""),
        activity_type: q.activity_type.as_deref().unwrap_or(""),
        provider_id: q.provider_id.as_deref().unwrap_or(""),
    };
    let seek = TimeSeek {
        from: bounded_moment("from", q.from)?.unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
        to: bounded_moment("to", q.to)?.unwrap_or_else(far_future),
        before_at,
        before_id,
        fetch: limit + 1,
    };
    let rows = repo::events(&state.db, &user_id, filter, &seek).await?;
    Ok(Json(Page::from_rows(
        rows,
        limit,
        |e| (e.started_at, e.id.clone()),
        Event::from,
    )))
}

/// One session.
#[utoipa::path(get, path = "/users/{userId}/events/{eventId}", tag = "Health data",
    params(
        ("userId" = String, Path, description = "The user's id"),
        ("eventId" = String, Path, description = "The session's id"),
    ),
    responses(
        (status = 200, description = "The session", body = Event),
        (status = 404, description = "No such session of this user", body = ErrorEnvelope),
    ))]
pub async fn get_event(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((user_id, id)): Path<(String, String)>,
) -> Result<Json<Event>, ApiError> {
    caller.require(Scope::Read)?;
    super::users::owned_user(&state, &caller, &user_id).await?;
    let row = repo::event(&state.db, &user_id, &id).await?;
    row.map(|r| Json(Event::from(r)))
        .ok_or_else(|| ApiError::not_found("event"))
}

/// The user's personal records, one per metric and kind of best.
#[utoipa::path(get, path = "/users/{userId}/personal-records", tag = "Health data",
    params(("userId" = String, Path, description = "The user's id")),
    responses(
        (status = 200, description = "Every record, on one page", body = Page<PersonalRecord>),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
    ))]
pub async fn list_records(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
) -> Result<Json<Page<PersonalRecord>>, ApiError> {
    caller.require(Scope::Read)?;
    super::users::owned_user(&state, &caller, &user_id).await?;
    let rows = repo::records(&state.db, &user_id).await?;
    Ok(Json(Page::complete(
        rows.into_iter().map(PersonalRecord::from).collect(),
    )))
}
