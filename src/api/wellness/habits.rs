//! `/v1/users/{userId}/habits`: habits with their schedule (due weekdays, 0 = Sunday, or a
//! weekly target: `timesPerWeek`) and streaks, and day check-ins. Streaks are counted in the
//! person's zone and updated in the same transaction as the check-in; checking a day twice
//! changes nothing.

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
use super::super::extract::{ApiJson, ApiQuery};
use super::super::pagination::{Page, PageParams};
use super::super::users::owned_user;
use crate::api_keys::Scope;
use crate::dates::Day;
use crate::habits::repo::{self, HabitRow};
use crate::habits::server_fns::{card, create, habit_input};
use crate::health::local_time;
use crate::platform::state::AppState;
use crate::wellness::form;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_habits, create_habit))
        .routes(routes!(delete_habit))
        .routes(routes!(check_in))
        .routes(routes!(undo_check_in))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Habit {
    pub id: String,
    pub name: String,
    /// One emoji.
    pub icon: String,
    pub color: String,
    /// `daily`, `weekdays` or `custom` (a habit with a weekly target is `custom` on all seven
    /// days).
    pub frequency: String,
    /// The weekdays it is due, 0 = Sunday … 6 = Saturday.
    pub target_days: Vec<u8>,
    /// The weekly target: check-ins a week (Monday to Sunday in the person's zone), 1–6; null
    /// for a habit with due days.
    #[schema(minimum = 1, maximum = 6)]
    pub times_per_week: Option<u32>,
    /// False once archived.
    pub active: bool,
    /// Due today; with a weekly target: this week is still short of it.
    pub due_today: bool,
    pub done_today: bool,
    /// Due days in a row done, up to today in the person's zone; with a weekly target, weeks
    /// in a row that reached it (the week still running never breaks the streak).
    pub current_streak: u32,
    /// In days, or weeks with a weekly target.
    pub longest_streak: u32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewHabit {
    /// Up to 100 characters.
    pub name: String,
    /// One emoji; ✅ when absent.
    pub icon: Option<String>,
    /// `blue` when absent.
    pub color: Option<String>,
    /// `daily` (when absent), `weekdays` or `custom`. Ignored when `timesPerWeek` is given.
    pub frequency: Option<String>,
    /// For `custom`: the weekdays, 0 = Sunday … 6 = Saturday. Ignored when `timesPerWeek` is
    /// given.
    #[serde(default)]
    pub target_days: Vec<u8>,
    /// A weekly target instead of due days: check-ins a week (Monday to Sunday in the person's
    /// zone), 1–6. When given, `frequency` and `targetDays` are ignored: the habit is stored as
    /// `custom` on all seven days, and its streaks count weeks that reached the target.
    #[schema(minimum = 1, maximum = 6)]
    pub times_per_week: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCheckIn {
    /// Today in the person's zone when absent; never a future day.
    #[schema(value_type = Option<NaiveDate>)]
    pub date: Option<Day>,
    /// Up to 500 characters.
    pub note: Option<String>,
}

/// A habit's streaks after a check-in changed (in weeks for a habit with a weekly target).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckInResult {
    pub habit_id: String,
    pub date: NaiveDate,
    pub done: bool,
    pub current_streak: u32,
    pub longest_streak: u32,
}

/// The habits as the API shows them, given the person's check-ins.
async fn describe(
    state: &AppState,
    user_id: &str,
    tz: chrono_tz::Tz,
    habits: Vec<HabitRow>,
) -> Result<Vec<Habit>, ApiError> {
    let today = local_time::today(tz);
    let logs = repo::logs(&state.db, user_id).await?;
    let empty = Default::default();
    Ok(habits
        .into_iter()
        .map(|h| {
            let c = card(&h, logs.get(&h.id).unwrap_or(&empty), today, tz);
            Habit {
                target_days: h.schedule().days(),
                times_per_week: h.weekly_target(),
                id: h.id,
                name: h.name,
                icon: h.icon,
                color: h.color,
                frequency: h.frequency,
                active: h.active,
                due_today: c.due_today,
                done_today: c.done_today,
                current_streak: c.current_streak,
                longest_streak: c.longest_streak,
                created_at: h.created_at,
            }
        })
        .collect())
}

/// The person's habits, oldest first (archived ones included, with `active: false`).
#[utoipa::path(get, path = "/users/{userId}/habits", tag = "Wellness",
    params(("userId" = String, Path, description = "The user's id"), PageParams),
    responses(
        (status = 200, description = "A page of habits", body = Page<Habit>),
        (status = 400, description = "Bad limit or cursor", body = ErrorEnvelope),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
    ))]
pub async fn list_habits(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<Habit>>, ApiError> {
    caller.require(Scope::Read)?;
    let user = owned_user(&state, &caller, &user_id).await?;
    let limit = page.limit()?;
    let after: Option<String> = page.cursor()?;
    let rows = repo::page_after(&state.db, &user.id, &after.unwrap_or_default(), limit + 1).await?;
    let page = Page::from_rows(rows, limit, |h| h.id.clone(), |h| h);
    let data = describe(&state, &user.id, super::zone(&user), page.data).await?;
    Ok(Json(Page {
        data,
        pagination: page.pagination,
    }))
}

/// Start a habit: on due days (`frequency`, `targetDays`) or with a weekly target
/// (`timesPerWeek`, which takes precedence).
#[utoipa::path(post, path = "/users/{userId}/habits", tag = "Wellness",
    params(("userId" = String, Path, description = "The user's id")),
    request_body = NewHabit,
    responses(
        (status = 201, description = "The new habit", body = Habit),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
        (status = 422, description = "A field is not acceptable (or 50 habits are active)", body = ErrorEnvelope),
    ))]
pub async fn create_habit(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
    ApiJson(input): ApiJson<NewHabit>,
) -> Result<(StatusCode, Json<Habit>), ApiError> {
    caller.require(Scope::Write)?;
    let user = owned_user(&state, &caller, &user_id).await?;
    let checked = habit_input(
        &input.name,
        input.icon.as_deref().unwrap_or(""),
        input.color.as_deref().unwrap_or("blue"),
        input.frequency.as_deref().unwrap_or("daily"),
        &input.target_days,
        input.times_per_week,
    )?;
    let id = create(&state.db, &user.id, &checked).await?;
    let row = repo::get(&state.db, &user.id, &id).await?;
    let habit = describe(&state, &user.id, super::zone(&user), vec![row])
        .await?
        .remove(0);
    Ok((StatusCode::CREATED, Json(habit)))
}

/// Delete a habit and every check-in of it.
#[utoipa::path(delete, path = "/users/{userId}/habits/{habitId}", tag = "Wellness",
    params(
        ("userId" = String, Path, description = "The user's id"),
        ("habitId" = String, Path, description = "The habit's id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such habit of this user", body = ErrorEnvelope),
    ))]
pub async fn delete_habit(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((user_id, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(Scope::Write)?;
    owned_user(&state, &caller, &user_id).await?;
    let habit = repo::get(&state.db, &user_id, &id).await?;
    repo::delete(&state.db, &user_id, &habit.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Mark a day done (today when no date is sent). Repeating it changes nothing.
#[utoipa::path(post, path = "/users/{userId}/habits/{habitId}/check-ins", tag = "Wellness",
    params(
        ("userId" = String, Path, description = "The user's id"),
        ("habitId" = String, Path, description = "The habit's id"),
    ),
    request_body = NewCheckIn,
    responses(
        (status = 200, description = "The habit's streaks now", body = CheckInResult),
        (status = 404, description = "No such habit of this user", body = ErrorEnvelope),
        (status = 422, description = "A future day, or an archived habit", body = ErrorEnvelope),
    ))]
pub async fn check_in(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((user_id, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<NewCheckIn>,
) -> Result<Json<CheckInResult>, ApiError> {
    caller.require(Scope::Write)?;
    let user = owned_user(&state, &caller, &user_id).await?;
    let note = form::optional_text("note", input.note.as_deref().unwrap_or(""), 500)?;
    let day = input.date.map(|d| d.to_string()).unwrap_or_default();
    mark(&state, &user, &id, &day, true, note).await.map(Json)
}

/// Mark a day not done.
#[utoipa::path(delete, path = "/users/{userId}/habits/{habitId}/check-ins/{date}", tag = "Wellness",
    params(
        ("userId" = String, Path, description = "The user's id"),
        ("habitId" = String, Path, description = "The habit's id"),
        ("date" = String, Path, description = "The day, YYYY-MM-DD in the person's zone"),
    ),
    responses(
        (status = 200, description = "The habit's streaks now", body = CheckInResult),
        (status = 404, description = "No such habit of this user", body = ErrorEnvelope),
        (status = 422, description = "Not a day, or an archived habit", body = ErrorEnvelope),
    ))]
pub async fn undo_check_in(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((user_id, id, date)): Path<(String, String, String)>,
) -> Result<Json<CheckInResult>, ApiError> {
    caller.require(Scope::Write)?;
    let user = owned_user(&state, &caller, &user_id).await?;
    mark(&state, &user, &id, &date, false, None).await.map(Json)
}

async fn mark(
    state: &AppState,
    user: &crate::accounts::directory::UserRecord,
    habit_id: &str,
    day: &str,
    done: bool,
    note: Option<String>,
) -> Result<CheckInResult, ApiError> {
    let tz = super::zone(user);
    let habit = repo::get(&state.db, &user.id, habit_id).await?;
    if !habit.active {
        return Err(crate::error::AppError::invalid(
            "habitId",
            "This habit is archived; restore it before checking it.",
        )
        .into());
    }
    let date = form::local_date("date", day, tz)?;
    let today = local_time::today(tz);
    let s = repo::set_done(&state.db, &habit, &user.id, date, done, note, today).await?;
    Ok(CheckInResult {
        habit_id: habit.id,
        date,
        done,
        current_streak: s.current,
        longest_streak: s.longest,
    })
}
