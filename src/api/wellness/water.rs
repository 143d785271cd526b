//! `/v1/users/{userId}/water`: drinks logged against the person's daily water goal.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::super::auth::ApiCaller;
use super::super::error::{ApiError, Detail, ErrorEnvelope};
use super::super::extract::{ApiJson, ApiQuery};
use super::super::pagination::{far_future, Page, PageParams};
use super::super::users::owned_user;
use crate::api_keys::Scope;
use crate::hydration::{api::check_beverage, repo};
use crate::platform::state::AppState;
use crate::wellness::form;
use crate::with_db;

/// The largest single drink, as in the app.
const MAX_ML: i64 = 5000;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_water, log_water))
        .routes(routes!(delete_water))
}

#[derive(Debug, Serialize, Deserialize, ToSchema, FromRow)]
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

const COLUMNS: &str = "id, CAST(amount_ml AS BIGINT) AS amount_ml, beverage_type, note, \
                       CAST(daily_goal_ml AS BIGINT) AS daily_goal_ml, logged_at";

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
    let sql = format!(
        "SELECT {COLUMNS} FROM water_intake WHERE user_id = $1 AND logged_at >= $2 AND logged_at < $3 \
           AND (logged_at < $4 OR (logged_at = $4 AND id < $5)) \
         ORDER BY logged_at DESC, id DESC LIMIT $6"
    );
    let rows: Vec<WaterIntake> = with_db!(&state.db, pool => sqlx::query_as(&sql)
        .bind(&user_id)
        .bind(q.from.unwrap_or_else(super::far_past))
        .bind(q.to.unwrap_or_else(far_future))
        .bind(before_at)
        .bind(before_id)
        .bind(limit + 1)
        .fetch_all(pool)
        .await)?;
    Ok(Json(Page::from_rows(
        rows,
        limit,
        |w| (w.logged_at, w.id.clone()),
        |w| w,
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
    if !(1..=MAX_ML).contains(&input.amount_ml) {
        return Err(ApiError::validation(vec![Detail::field(
            "amountMl",
            format!("Send between 1 and {MAX_ML} ml."),
        )]));
    }
    let beverage = check_beverage("beverageType", input.beverage_type.as_deref())?;
    let note = form::optional_text("note", input.note.as_deref().unwrap_or(""), 200)?;
    let at = super::past_moment("loggedAt", input.logged_at)?;
    let id = repo::insert(&state.db, &user.id, input.amount_ml, &beverage, note, at).await?;
    let sql = format!("SELECT {COLUMNS} FROM water_intake WHERE id = $1");
    let row: WaterIntake =
        with_db!(&state.db, pool => sqlx::query_as(&sql).bind(&id).fetch_one(pool).await)?;
    Ok((StatusCode::CREATED, Json(row)))
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
