//! `/v1/users/{userId}/journal`: journal entries (Markdown), newest day first.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::super::auth::ApiCaller;
use super::super::error::{ApiError, ErrorEnvelope};
use super::super::extract::{ApiJson, ApiQuery};
use super::super::pagination::{Page, PageParams};
use super::super::users::owned_user;
use crate::api_keys::Scope;
use crate::dates::Day;
use crate::journal::repo::{self, EntryRow};
use crate::journal::service::NewEntry;
use crate::platform::db::seek::DaySeek;
use crate::platform::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_entries, create_entry))
        .routes(routes!(get_entry, delete_entry))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    pub id: String,
    pub title: Option<String>,
    /// Markdown.
    pub body: String,
    /// 1 (awful) to 5 (great).
    pub mood_score: Option<u8>,
    /// `happy`, `calm`, `anxious`, `sad`, `energized`, `tired`, `grateful` or `reflective`.
    pub mood_label: Option<String>,
    pub gratitude: Vec<String>,
    pub tags: Vec<String>,
    /// The day the entry is about, in the person's zone.
    pub entry_date: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<EntryRow> for JournalEntry {
    fn from(e: EntryRow) -> Self {
        JournalEntry {
            id: e.id,
            title: e.title,
            body: e.body,
            mood_score: e.mood_score.map(|s| s.round() as u8),
            mood_label: e.mood_label,
            gratitude: e.gratitude.0,
            tags: e.tags.0,
            entry_date: e.entry_date,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewJournalEntry {
    /// Up to 200 characters.
    pub title: Option<String>,
    /// Markdown, up to 50,000 characters.
    pub body: String,
    pub mood_score: Option<u8>,
    pub mood_label: Option<String>,
    /// Up to 10 lines of up to 200 characters.
    #[serde(default)]
    pub gratitude: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Today in the person's zone when absent; never a future day.
    #[schema(value_type = Option<NaiveDate>)]
    pub entry_date: Option<Day>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct JournalQuery {
    /// Entries on or after this day.
    #[param(value_type = Option<NaiveDate>)]
    pub from: Option<Day>,
    /// Entries on or before this day.
    #[param(value_type = Option<NaiveDate>)]
    pub to: Option<Day>,
    /// Only entries with this tag.
    pub tag: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The person's journal, newest day first.
#[utoipa::path(get, path = "/users/{userId}/journal", tag = "Wellness",
    params(("userId" = String, Path, description = "The user's id"), JournalQuery),
    responses(
        (status = 200, description = "A page of entries", body = Page<JournalEntry>),
        (status = 400, description = "Bad filter, limit or cursor", body = ErrorEnvelope),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
    ))]
pub async fn list_entries(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
    ApiQuery(q): ApiQuery<JournalQuery>,
) -> Result<Json<Page<JournalEntry>>, ApiError> {
    caller.require(Scope::Read)?;
    owned_user(&state, &caller, &user_id).await?;
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = page.limit()?;
    // A cursor's day is bounded like any other day a client sends.
    let before: Option<(Day, String)> = page.cursor()?;
    let (before_day, before_id) = before
        .map(|(d, id)| (d.date(), id))
        .unwrap_or((super::LAST_DAY, String::new()));
    let seek = DaySeek {
        from: q.from.map_or(super::FIRST_DAY, Day::date),
        to: q.to.map_or(super::LAST_DAY, Day::date),
        before_day,
        before_id,
        fetch: limit + 1,
    };
    let tag = q.tag.as_deref().map(str::trim).unwrap_or("").to_lowercase();
    let rows = repo::page(&state.db, &user_id, &tag, &seek).await?;
    Ok(Json(Page::from_rows(
        rows,
        limit,
        |e| (e.entry_date, e.id.clone()),
        JournalEntry::from,
    )))
}

/// Write an entry.
#[utoipa::path(post, path = "/users/{userId}/journal", tag = "Wellness",
    params(("userId" = String, Path, description = "The user's id")),
    request_body = NewJournalEntry,
    responses(
        (status = 201, description = "The stored entry", body = JournalEntry),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
        (status = 422, description = "A field is not acceptable", body = ErrorEnvelope),
    ))]
pub async fn create_entry(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
    ApiJson(input): ApiJson<NewJournalEntry>,
) -> Result<(StatusCode, Json<JournalEntry>), ApiError> {
    caller.require(Scope::Write)?;
    let user = owned_user(&state, &caller, &user_id).await?;
    let fields = NewEntry {
        title: input.title.as_deref(),
        body: &input.body,
        mood_score: input.mood_score,
        mood_label: input.mood_label.as_deref(),
        gratitude: &input.gratitude,
        tags: &input.tags,
        entry_date: input.entry_date.map(Day::date),
    }
    .check(super::zone(&user))?;
    let id = repo::insert(&state.db, &user.id, &fields).await?;
    let row = repo::own_entry(&state.db, &user.id, &id).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// One entry.
#[utoipa::path(get, path = "/users/{userId}/journal/{entryId}", tag = "Wellness",
    params(
        ("userId" = String, Path, description = "The user's id"),
        ("entryId" = String, Path, description = "The entry's id"),
    ),
    responses(
        (status = 200, description = "The entry", body = JournalEntry),
        (status = 404, description = "No such entry of this user", body = ErrorEnvelope),
    ))]
pub async fn get_entry(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((user_id, id)): Path<(String, String)>,
) -> Result<Json<JournalEntry>, ApiError> {
    caller.require(Scope::Read)?;
    owned_user(&state, &caller, &user_id).await?;
    let row = repo::own_entry(&state.db, &user_id, &id).await?;
    Ok(Json(row.into()))
}

/// Delete an entry.
#[utoipa::path(delete, path = "/users/{userId}/journal/{entryId}", tag = "Wellness",
    params(
        ("userId" = String, Path, description = "The user's id"),
        ("entryId" = String, Path, description = "The entry's id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such entry of this user", body = ErrorEnvelope),
    ))]
pub async fn delete_entry(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((user_id, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(Scope::Write)?;
    owned_user(&state, &caller, &user_id).await?;
    if !repo::delete(&state.db, &user_id, &id).await? {
        return Err(ApiError::not_found("journal entry"));
    }
    Ok(StatusCode::NO_CONTENT)
}
