//! `/v1/users/{userId}/goals`: goals with their progress evaluated as of today in the person's
//! zone (the same evaluation as the Goals screen, which also keeps the stored figures current).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::super::auth::ApiCaller;
use super::super::error::{ApiError, ErrorEnvelope};
use super::super::extract::ApiJson;
use super::super::pagination::Page;
use super::super::users::owned_user;
use crate::api_keys::Scope;
use crate::goals::form::GoalDraft;
use crate::goals::model::GoalCard;
use crate::goals::repo::GoalRow;
use crate::goals::service as goals;
use crate::platform::state::AppState;
use crate::units::Units;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_goals, create_goal))
        .routes(routes!(delete_goal))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Goal {
    pub id: String,
    pub name: String,
    /// `steps`, `active_minutes`, `sleep_hours`, `workouts`, `water_ml`, `weight`, `mood_avg`
    /// or `habit_completions`.
    pub metric_type: String,
    pub unit: String,
    /// `daily`, `weekly` or `monthly`.
    pub cadence: String,
    /// `at_least`, `at_most` or `reach`.
    pub direction: String,
    pub target_value: f64,
    /// This period's figure (for `reach`: the latest one).
    pub current_value: Option<f64>,
    pub best_value: Option<f64>,
    /// Progress towards the target, 0–100.
    pub percent: f64,
    pub met: bool,
    /// Periods in a row the goal was met.
    pub current_streak: u32,
    pub longest_streak: u32,
    /// False once archived.
    pub active: bool,
    pub start_date: Option<NaiveDate>,
    /// When a `reach` goal was reached.
    pub completed_at: Option<DateTime<Utc>>,
}

fn goal(row: GoalRow, card: GoalCard) -> Goal {
    Goal {
        metric_type: row.metric().id.to_string(),
        unit: row.metric().unit.to_string(),
        cadence: row.cadence().as_str().to_string(),
        direction: row.direction().as_str().to_string(),
        id: row.id,
        name: row.name,
        target_value: row.target_value,
        current_value: row.current_value,
        best_value: row.best_value,
        percent: card.percent,
        met: card.met,
        current_streak: card.current_streak,
        longest_streak: card.longest_streak,
        active: row.is_active,
        start_date: row.start_date,
        completed_at: row.completed_at,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewGoal {
    /// What the goal measures; see `Goal.metricType`.
    pub metric_type: String,
    /// `daily` when absent.
    pub cadence: Option<String>,
    /// `at_least` when absent.
    pub direction: Option<String>,
    pub target_value: f64,
    /// A name made from the rule when absent.
    pub name: Option<String>,
    /// For `habit_completions`: the habit's id.
    pub habit_id: Option<String>,
}

/// The person's goals with their progress (at most 100, on one page).
#[utoipa::path(get, path = "/users/{userId}/goals", tag = "Wellness",
    params(("userId" = String, Path, description = "The user's id")),
    responses(
        (status = 200, description = "Every goal", body = Page<Goal>),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
    ))]
pub async fn list_goals(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
) -> Result<Json<Page<Goal>>, ApiError> {
    caller.require(Scope::Read)?;
    let user = owned_user(&state, &caller, &user_id).await?;
    let all = goals::evaluated(&state.db, &user.id, super::zone(&user), &Units::default()).await?;
    Ok(Json(Page::complete(
        all.into_iter().map(|(r, c)| goal(r, c)).collect(),
    )))
}

/// Set a goal.
#[utoipa::path(post, path = "/users/{userId}/goals", tag = "Wellness",
    params(("userId" = String, Path, description = "The user's id")),
    request_body = NewGoal,
    responses(
        (status = 201, description = "The new goal with its progress", body = Goal),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
        (status = 422, description = "A field is not acceptable", body = ErrorEnvelope),
    ))]
pub async fn create_goal(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
    ApiJson(input): ApiJson<NewGoal>,
) -> Result<(StatusCode, Json<Goal>), ApiError> {
    caller.require(Scope::Write)?;
    let user = owned_user(&state, &caller, &user_id).await?;
    let tz = super::zone(&user);
    let target = input.target_value.to_string();
    let draft = GoalDraft {
        metric: &input.metric_type,
        cadence: input.cadence.as_deref(),
        direction: input.direction.as_deref(),
        target: &target,
        name: input.name.as_deref(),
        habit: input.habit_id.as_deref(),
        // The API speaks metric units.
        units: Units::default(),
    };
    let id = goals::create(&state.db, &user.id, tz, draft)
        .await
        .map_err(|e| {
            super::renamed(
                e,
                &[
                    ("metric", "metricType"),
                    ("target", "targetValue"),
                    ("habit", "habitId"),
                ],
            )
        })?;
    let created = goals::evaluated(&state.db, &user.id, tz, &Units::default())
        .await?
        .into_iter()
        .find(|(r, _)| r.id == id)
        .map(|(r, c)| goal(r, c))
        .ok_or_else(|| ApiError::not_found("goal"))?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Delete a goal.
#[utoipa::path(delete, path = "/users/{userId}/goals/{goalId}", tag = "Wellness",
    params(
        ("userId" = String, Path, description = "The user's id"),
        ("goalId" = String, Path, description = "The goal's id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such goal of this user", body = ErrorEnvelope),
    ))]
pub async fn delete_goal(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((user_id, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(Scope::Write)?;
    owned_user(&state, &caller, &user_id).await?;
    goals::delete(&state.db, &user_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
