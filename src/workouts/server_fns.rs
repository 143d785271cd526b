use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::platform::request::RequestCtx;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkoutRow {
    pub id: String,
    pub title: String,
    pub activity: String,
    pub when: String,
    pub duration: String,
    pub distance: Option<String>,
    pub pace: Option<String>,
    pub calories: Option<String>,
    pub avg_hr: Option<String>,
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkoutList {
    pub items: Vec<WorkoutRow>,
    pub activities: Vec<(String, String)>,
    pub activity: String,
    pub from: String,
    pub to: String,
    /// Whether this is a later page (a "Newest" link leads back).
    pub paged: bool,
    /// The `before` cursor of the next (older) page.
    pub next: Option<String>,
    pub total: i64,
    pub volume_svg: String,
    pub volume_weeks: Vec<(String, String)>,
}

#[server(endpoint = "workouts/list")]
pub async fn list_workouts(
    activity: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<String>,
) -> Result<WorkoutList, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    super::views::list(ctx.db(), &auth.user, activity, from, to, before).await
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lap {
    pub number: String,
    pub distance: String,
    pub time: String,
    pub pace: String,
    pub avg_hr: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkoutDetail {
    pub title: String,
    pub activity: String,
    pub when: String,
    pub source: String,
    /// (label, value) pairs in display order.
    pub stats: Vec<(String, String)>,
    pub laps: Vec<Lap>,
    pub zones_svg: String,
    pub zones: Vec<(String, String)>,
}

#[server(endpoint = "workouts/get")]
pub async fn get_workout(id: String) -> Result<WorkoutDetail, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    super::views::detail(
        ctx.db(),
        &auth.user.id,
        &auth.user.timezone,
        &auth.user.units,
        &id,
    )
    .await
}
