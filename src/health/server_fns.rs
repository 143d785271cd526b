//! What the health pages ask the server for. The view models are built by `health::views`
//! (server-only); here are the wire types and the server functions.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::trend::Trend;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::{health::views, platform::request::RequestCtx};

/// One overview tile: today's (or the latest) figure with its 7-day sparkline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tile {
    pub metric: String,
    pub label: String,
    pub family: String,
    pub value: String,
    pub unit: String,
    pub when: String,
    pub delta: Option<String>,
    pub trend: Trend,
    pub source: String,
    pub extra: Option<String>,
    pub sparkline: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub tiles: Vec<Tile>,
}

#[server(endpoint = "health/overview")]
pub async fn get_overview() -> Result<Overview, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    views::overview::build(
        ctx.db(),
        &auth.user.id,
        &auth.user.timezone,
        &auth.user.units,
    )
    .await
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendItem {
    pub metric: String,
    pub label: String,
    pub latest: Option<String>,
    pub when: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendSection {
    pub title: String,
    pub family: String,
    pub items: Vec<TrendItem>,
}

#[server(endpoint = "health/trends")]
pub async fn get_trends() -> Result<Vec<TrendSection>, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    views::trends::index(
        ctx.db(),
        &auth.user.id,
        &auth.user.timezone,
        &auth.user.units,
    )
    .await
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DayRow {
    pub date: String,
    pub label: String,
    pub value: String,
    pub min: Option<String>,
    pub max: Option<String>,
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub min: String,
    pub avg: String,
    pub max: String,
    pub days: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricDetail {
    pub metric: String,
    pub label: String,
    pub family: String,
    pub aggregation: String,
    pub range: String,
    pub from: String,
    pub to: String,
    pub chart: String,
    pub svg: String,
    /// One page of the day-by-day table, newest first.
    pub rows: Vec<DayRow>,
    /// Whether this is a later page of the table (a "Newest days" link leads back).
    pub paged: bool,
    /// The `before` date of the next (older) page of the table.
    pub older: Option<String>,
    pub stats: Option<Stats>,
    pub sources: Vec<String>,
}

#[server(endpoint = "health/metric")]
pub async fn get_metric_detail(
    metric: String,
    range: Option<String>,
    from: Option<String>,
    to: Option<String>,
    chart: Option<String>,
    before: Option<String>,
) -> Result<MetricDetail, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let q = views::RangeQuery { range, from, to };
    views::trends::detail(
        ctx.db(),
        &auth.user,
        &metric,
        &q,
        chart.as_deref(),
        before.as_deref(),
    )
    .await
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Night {
    pub date: String,
    pub label: String,
    pub asleep: String,
    pub stages: Option<[String; 4]>,
    pub efficiency: Option<String>,
    pub bed: Option<String>,
    pub wake: Option<String>,
    pub score: Option<String>,
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SleepView {
    pub range: String,
    /// One page of nights, newest first (`NIGHTS_PER_PAGE`), and where the next page starts.
    pub nights: Vec<Night>,
    /// The `before` of the next (older) page, when there is one.
    pub older: Option<String>,
    /// Whether this is a later page (so "Newest nights" leads back to the first).
    pub paged: bool,
    pub stages_svg: String,
    pub score_svg: String,
    pub avg_asleep: Option<String>,
    pub avg_efficiency: Option<String>,
    pub avg_bed: Option<String>,
    pub avg_wake: Option<String>,
    pub avg_score: Option<String>,
}

#[server(endpoint = "health/sleep")]
pub async fn get_sleep(
    range: Option<String>,
    before: Option<String>,
) -> Result<SleepView, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let before = match before.as_deref().filter(|b| !b.is_empty()) {
        Some(b) => Some(
            crate::dates::Day::parse(b)
                .map_err(|e| AppError::invalid("before", e.form_message()))?
                .date(),
        ),
        None => None,
    };
    views::sleep::build(
        ctx.db(),
        &auth.user.id,
        &auth.user.timezone,
        range.as_deref(),
        before,
    )
    .await
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZoneRow {
    pub name: String,
    pub bounds: String,
    pub minutes: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeartView {
    pub range: String,
    pub rhr_svg: String,
    pub hrv_svg: String,
    pub rhr_latest: Option<String>,
    pub hrv_latest: Option<String>,
    pub day: String,
    pub day_label: String,
    pub prev_day: String,
    pub next_day: Option<String>,
    pub intraday_svg: String,
    pub intraday_stats: Option<Stats>,
    pub zones: Vec<ZoneRow>,
    pub max_hr: u32,
    pub source: Option<String>,
}

#[server(endpoint = "health/heart")]
pub async fn get_heart(range: Option<String>, day: Option<String>) -> Result<HeartView, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    views::heart::build(
        ctx.db(),
        &auth.user.id,
        &auth.user.timezone,
        range.as_deref(),
        day.as_deref(),
    )
    .await
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BodyCard {
    pub metric: String,
    pub label: String,
    pub latest: Option<String>,
    pub when: Option<String>,
    pub svg: String,
    pub source: Option<String>,
}

#[server(endpoint = "health/body")]
pub async fn get_body(range: Option<String>) -> Result<Vec<BodyCard>, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    views::body::build(
        ctx.db(),
        &auth.user.id,
        &auth.user.timezone,
        &auth.user.units,
        range.as_deref(),
    )
    .await
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordRow {
    pub title: String,
    pub value: String,
    pub date: String,
    pub source: String,
    pub family: String,
    pub href: Option<String>,
}

#[server(endpoint = "health/records")]
pub async fn get_records() -> Result<Vec<RecordRow>, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    views::records::build(
        ctx.db(),
        &auth.user.id,
        &auth.user.timezone,
        &auth.user.units,
    )
    .await
}

/// A metric that several of the user's sources report, with those sources in the order used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourcePriority {
    pub metric: String,
    pub label: String,
    /// (provider id, display name), preferred first.
    pub providers: Vec<(String, String)>,
}

#[server(endpoint = "health/source-priorities")]
pub async fn get_source_priorities() -> Result<Vec<SourcePriority>, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    views::priorities::list(ctx.db(), &auth.user.id).await
}

/// Moves one source up or down in a metric's order.
#[server(endpoint = "health/move-source")]
pub async fn move_source(
    metric: String,
    provider: String,
    direction: String,
) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    views::priorities::move_source(ctx.db(), &auth.user.id, &metric, &provider, &direction).await
}
