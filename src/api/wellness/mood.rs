//! `/v1/users/{userId}/mood`: mood check-ins (1–5 with optional energy, stress, tags and a
//! note), newest first.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::super::auth::ApiCaller;
use super::super::error::{ApiError, ErrorEnvelope};
use super::super::extract::{ApiJson, ApiQuery};
use super::super::pagination::{bounded_moment, far_future, Page, PageParams};
use super::super::users::owned_user;
use crate::api_keys::Scope;
use crate::mood::repo::{self, MoodFields, MoodRow};
use crate::mood::{mood_word, NOTE_MAX};
use crate::platform::db::seek::TimeSeek;
use crate::platform::state::AppState;
use crate::wellness::form;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_moods, log_mood))
        .routes(routes!(delete_mood))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MoodLog {
    pub id: String,
    /// 1 (awful) to 5 (great).
    pub score: u8,
    /// `awful`, `bad`, `okay`, `good` or `great`.
    pub mood: String,
    /// 1 to 5.
    pub energy_level: Option<u8>,
    /// 1 to 5.
    pub stress_level: Option<u8>,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

impl From<MoodRow> for MoodLog {
    fn from(r: MoodRow) -> Self {
        let score = r.score.round().clamp(1.0, 5.0) as u8;
        MoodLog {
            id: r.id,
            score,
            mood: mood_word(score).to_string(),
            energy_level: r.energy_level.map(|v| v.round() as u8),
            stress_level: r.stress_level.map(|v| v.round() as u8),
            tags: r.tags.0,
            notes: r.notes,
            recorded_at: r.recorded_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewMoodLog {
    /// 1 (awful) to 5 (great).
    pub score: i64,
    pub energy_level: Option<i64>,
    pub stress_level: Option<i64>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Up to 1000 characters.
    pub notes: Option<String>,
    /// Now when absent; never in the future.
    pub recorded_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct MoodQuery {
    /// Check-ins at or after this moment (ISO 8601).
    pub from: Option<DateTime<Utc>>,
    /// Check-ins before this moment.
    pub to: Option<DateTime<Utc>>,
    /// 1 to 500, default 50.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The person's mood check-ins, newest first.
#[utoipa::path(get, path = "/users/{userId}/mood", tag = "Wellness",
    params(("userId" = String, Path, description = "The user's id"), MoodQuery),
    responses(
        (status = 200, description = "A page of check-ins", body = Page<MoodLog>),
        (status = 400, description = "Bad filter, limit or cursor", body = ErrorEnvelope),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
    ))]
pub async fn list_moods(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
    ApiQuery(q): ApiQuery<MoodQuery>,
) -> Result<Json<Page<MoodLog>>, ApiError> {
    caller.require(Scope::Read)?;
    owned_user(&state, &caller, &user_id).await?;
    let (limit, before_at, before_id) = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    }
    .time_seek()?;
    let seek = TimeSeek {
        from: bounded_moment("from", q.from)?.unwrap_or_else(super::far_past),
        to: bounded_moment("to", q.to)?.unwrap_or_else(far_future),
        before_at,
        before_id,
        fetch: limit + 1,
    };
    let rows = repo::page(&state.db, &user_id, &seek).await?;
    Ok(Json(Page::from_rows(
        rows,
        limit,
        |m| (m.recorded_at, m.id.clone()),
        MoodLog::from,
    )))
}

/// Log a mood check-in.
#[utoipa::path(post, path = "/users/{userId}/mood", tag = "Wellness",
    params(("userId" = String, Path, description = "The user's id")),
    request_body = NewMoodLog,
    responses(
        (status = 201, description = "The stored check-in", body = MoodLog),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
        (status = 422, description = "A field is not acceptable", body = ErrorEnvelope),
    ))]
pub async fn log_mood(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
    ApiJson(input): ApiJson<NewMoodLog>,
) -> Result<(StatusCode, Json<MoodLog>), ApiError> {
    caller.require(Scope::Write)?;
    let user = owned_user(&state, &caller, &user_id).await?;
    let fields = MoodFields {
        score: form::level("score", Some(input.score), "a score", true)?.expect("required"),
        energy: form::level("energyLevel", input.energy_level, "an energy level", false)?,
        stress: form::level("stressLevel", input.stress_level, "a stress level", false)?,
        tags: form::tag_list("tags", &input.tags)?,
        note: form::optional_text("notes", input.notes.as_deref().unwrap_or(""), NOTE_MAX)?,
        at: super::past_moment("recordedAt", input.recorded_at)?,
    };
    let id = repo::insert(&state.db, &user.id, &fields).await?;
    let row = repo::get(&state.db, &user.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("mood check-in"))?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Delete a mood check-in.
#[utoipa::path(delete, path = "/users/{userId}/mood/{moodId}", tag = "Wellness",
    params(
        ("userId" = String, Path, description = "The user's id"),
        ("moodId" = String, Path, description = "The check-in's id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such check-in of this user", body = ErrorEnvelope),
    ))]
pub async fn delete_mood(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((user_id, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(Scope::Write)?;
    owned_user(&state, &caller, &user_id).await?;
    repo::delete(&state.db, &user_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
