//! `/v1/users/{userId}/water`: drinks logged against the person's daily water goal.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::super::auth::ApiCaller;
use super::super::error::{ApiError, Detail, ErrorEnvelope};
use super::super::extract::{ApiJson, ApiQuery};
use super::super::pagination::{bounded_moment, far_future, Page, PageParams};
use super::super::users::owned_user;
use crate::api_keys::Scope;
use crate::hydration::repo::{self, IntakeRow};
use crate::hydration::service::check_beverage;
use crate::hydration::{MAX_DRINK_ML, NOTE_MAX};
use crate::platform::db::seek::TimeSeek;
use crate::platform::state::AppState;
use crate::wellness::form;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_water, log_water))
        .routes(routes!(delete_water))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaterIntake {
    pub id: String,
    pub amount_ml: i64,
    /// `water`, `tea`, `coffee`, `juice` or `other`.
    pub beverage_type: String,
    pub note: Option<String>,
    /// The person's daily goal when the drink was logged.
    pub daily_goal_ml: i64,
    pub logged_at: DateTime<Utc>,
}

impl From<IntakeRow> for WaterIntake {
    fn from(r: IntakeRow) -> Self {
        WaterIntake {
            id: r.id,
            amount_ml: r.amount_ml,
            beverage_type: r.beverage_type,
            note: r.note,
            daily_goal_ml: r.daily_goal_ml,
            logged_at: r.logged_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewWaterIntake {
    /// 1 to 5000 ml.
    pub amount_ml: i64,
    /// `water` when absent.
    pub beverage_type: Option<String>,
    /// Up to 200 characters.
    pub note: Option<String>,
    /// Now when absent; never in the future.
    pub logged_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct WaterQuery {
    /// Drinks logged at or after this moment (ISO 8601).
    pub from: Option<DateTime<Utc>>,
    /// Drinks logged before this moment.
    pub to: Option<DateTime<Utc>>,
    /// 1 to 500, default 50.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The person's drinks, newest first.
#[utoipa::path(get, path = "/users/{userId}/water", tag = "Wellness",
    params(("userId" = String, Path, description = "The user's id"), WaterQuery),
    responses(
        (status = 200, description = "A page of drinks", body = Page<WaterIntake>),
        (status = 400, description = "Bad filter, limit or cursor", body = ErrorEnvelope),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
    ))]
pub async fn list_water(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
    ApiQuery(q): ApiQuery<WaterQuery>,
) -> Result<Json<Page<WaterIntake>>, ApiError> {
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
        |w| (w.logged_at, w.id.clone()),
        WaterIntake::from,
    )))
}

/// Log a drink.
#[utoipa::path(post, path = "/users/{userId}/water", tag = "Wellness",
    params(("userId" = String, Path, description = "The user's id")),
    request_body = NewWaterIntake,
    responses(
        (status = 201, description = "The logged drink", body = WaterIntake),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
        (status = 422, description = "A field is not acceptable", body = ErrorEnvelope),
    ))]
pub async fn log_water(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
    ApiJson(input): ApiJson<NewWaterIntake>,
) -> Result<(StatusCode, Json<WaterIntake>), ApiError> {
    caller.require(Scope::Write)?;
    let user = owned_user(&state, &caller, &user_id).await?;
    if !(1..=MAX_DRINK_ML).contains(&input.amount_ml) {
        return Err(ApiError::validation(vec![Detail::field(
            "amountMl",
            format!("Send between 1 and {MAX_DRINK_ML} ml."),
        )]));
    }
    let beverage = check_beverage("beverageType", input.beverage_type.as_deref())?;
    let note = form::optional_text("note", input.note.as_deref().unwrap_or(""), NOTE_MAX)?;
    let at = super::past_moment("loggedAt", input.logged_at)?;
    let id = repo::insert(&state.db, &user.id, input.amount_ml, &beverage, note, at).await?;
    // Read back as stored, so the answer carries the goal snapshot the row was given.
    let row = repo::intake(&state.db, &user.id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("drink"))?;
    Ok((StatusCode::CREATED, Json(WaterIntake::from(row))))
}

/// Delete a drink.
#[utoipa::path(delete, path = "/users/{userId}/water/{intakeId}", tag = "Wellness",
    params(
        ("userId" = String, Path, description = "The user's id"),
        ("intakeId" = String, Path, description = "The drink's id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such drink of this user", body = ErrorEnvelope),
    ))]
pub async fn delete_water(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((user_id, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(Scope::Write)?;
    owned_user(&state, &caller, &user_id).await?;
    repo::delete(&state.db, &user_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
