//! The wellness data a person keeps themselves (the journal, water, mood, habits and goals) on
//! `/v1/users/{userId}/…`. Every write goes through the same checks and storage as the app's
//! own forms, so a value the app would refuse is refused here too (422 naming the field).

pub mod goals;
pub mod habits;
pub mod journal;
pub mod mood;
pub mod water;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use utoipa_axum::router::OpenApiRouter;

use super::error::{ApiError, Detail};
use crate::accounts::directory::UserRecord;
use crate::error::AppError;
use crate::health::local_time;
use crate::platform::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(journal::routes())
        .merge(water::routes())
        .merge(mood::routes())
        .merge(habits::routes())
        .merge(goals::routes())
}

/// Bounds of an open date range that both databases store (PostgreSQL's `date` stops far
/// short of chrono's extremes).
const FIRST_DAY: NaiveDate = NaiveDate::from_ymd_opt(1, 1, 1).expect("a date");
const LAST_DAY: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");

/// The open start of a time range.
fn far_past() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH
}

/// The person's own time zone (days and streaks are counted in it).
fn zone(user: &UserRecord) -> chrono_tz::Tz {
    local_time::zone(&user.timezone)
}

/// A moment a client says something happened: now when absent, never in the future (a few
/// minutes of clock skew aside), nor before 1900 (the first year a date may fall in).
fn past_moment(field: &str, at: Option<DateTime<Utc>>) -> Result<DateTime<Utc>, ApiError> {
    let now = Utc::now();
    match at {
        None => Ok(now),
        Some(at) if at > now + Duration::minutes(5) => {
            Err(ApiError::validation(vec![Detail::field(
                field,
                "That moment is still to come.",
            )]))
        }
        Some(at) if !crate::dates::instant_in_bounds(&at) => {
            Err(ApiError::validation(vec![Detail::field(
                field,
                "That moment is too far in the past.",
            )]))
        }
        Some(at) => Ok(at),
    }
}

/// A form rule's error under the API's name for the field (`metric` → `metricType`).
fn renamed(err: AppError, names: &[(&str, &str)]) -> AppError {
    match err {
        AppError::Invalid {
            field: Some(field),
            message,
        } => {
            let field = names
                .iter()
                .find(|(form, _)| *form == field)
                .map_or(field.clone(), |(_, api)| api.to_string());
            AppError::Invalid {
                field: Some(field),
                message,
            }
        }
        other => other,
    }
}
