//! `/v1/users/{userId}/health`: daily summaries read from the rollups, and batches of readings
//! written by the platform itself through the one ingest path (all or nothing).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::ApiCaller;
use super::error::{ApiError, Detail, ErrorEnvelope};
use super::extract::{ApiJson, ApiQuery};
use super::pagination::{Page, PageParams};
use crate::api_keys::Scope;
use crate::dates::Day;
use crate::health::catalogue;
use crate::health::ingest::{self, Batch, IngestError, PointInput, Source};
use crate::health::repo::{self, RollupKey, RollupRow};
use crate::platform::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(daily_summaries, ingest_points))
}

/// One metric on one local day from one provider.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DailySummary {
    /// The day in the user's own time zone (YYYY-MM-DD).
    pub date: NaiveDate,
    pub metric_type: String,
    pub provider_id: String,
    /// The canonical unit the values are in.
    pub unit: Option<String>,
    pub count: i64,
    pub sum: Option<f64>,
    pub avg: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The day's latest reading.
    pub last: Option<f64>,
}

impl From<RollupRow> for DailySummary {
    fn from(r: RollupRow) -> Self {
        DailySummary {
            unit: catalogue::metric(&r.metric_type).map(|m| m.unit.to_string()),
            avg: r
                .value_sum
                .filter(|_| r.sample_count > 0)
                .map(|s| s / r.sample_count as f64),
            date: r.local_date,
            metric_type: r.metric_type,
            provider_id: r.provider_id,
            count: r.sample_count,
            sum: r.value_sum,
            min: r.value_min,
            max: r.value_max,
            last: r.value_last,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct HealthQuery {
    /// Only this metric (`steps`, `heart_rate`, …).
    pub metric_type: Option<String>,
    /// First day (YYYY-MM-DD, the user's local date); default 30 days before `to`.
    #[param(value_type = Option<NaiveDate>)]
    pub from: Option<Day>,
    /// Last day, inclusive; default the user's today.
    #[param(value_type = Option<NaiveDate>)]
    pub to: Option<Day>,
    /// Only this provider's data.
    pub provider_id: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Daily summaries per metric and provider, oldest day first.
#[utoipa::path(get, path = "/users/{userId}/health", tag = "Health data",
    params(("userId" = String, Path, description = "The user's id"), HealthQuery),
    responses(
        (status = 200, description = "A page of daily summaries", body = Page<DailySummary>),
        (status = 400, description = "Bad dates, metric, limit or cursor", body = ErrorEnvelope),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
    ))]
pub async fn daily_summaries(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
    ApiQuery(q): ApiQuery<HealthQuery>,
) -> Result<Json<Page<DailySummary>>, ApiError> {
    caller.require(Scope::Read)?;
    let user = super::users::owned_user(&state, &caller, &user_id).await?;
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = page.limit()?;
    // A cursor's day is bounded like any other day a client sends.
    let after: Option<(Day, String, String)> = page.cursor()?;
    let mut problems = Vec::new();
    let metric = match q.metric_type.as_deref() {
        Some(m) => match catalogue::metric(m) {
            Some(info) => Some(info.id.to_string()),
            None => {
                problems.push(Detail::field(
                    "metricType",
                    format!("{m:?} is not a metric type."),
                ));
                None
            }
        },
        None => None,
    };
    let tz: chrono_tz::Tz = user.timezone.parse().unwrap_or(chrono_tz::UTC);
    // Bounded days (1900–2200): the default span and the seek position below are real dates.
    let today = Day::clamped(crate::health::local_time::today(tz));
    let to = q.to.unwrap_or(today);
    let from = q.from.unwrap_or(to.saturating_add_days(-30));
    if from > to {
        problems.push(Detail::field("from", "Use a day on or before `to`."));
    } else if to.days_since(from) > 3660 {
        problems.push(Detail::field(
            "from",
            "Ask for at most ten years at a time.",
        ));
    }
    if !problems.is_empty() {
        return Err(ApiError::bad_query(problems));
    }
    // Without a cursor, seek from before the first day.
    let after: RollupKey = match after {
        Some((day, m, p)) => (day.date(), m, p),
        None => (from.previous(), String::new(), String::new()),
    };
    let rows = repo::rollups(
        &state.db,
        &user.id,
        (
            metric.as_deref().unwrap_or(""),
            q.provider_id.as_deref().unwrap_or(""),
        ),
        (from.date(), to.date()),
        after,
        limit + 1,
    )
    .await?;
    Ok(Json(Page::from_rows(
        rows,
        limit,
        |r| (r.local_date, r.metric_type.clone(), r.provider_id.clone()),
        DailySummary::from,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IngestBody {
    /// Your source's id (lower case, digits, `_`; 2–32 characters), e.g. `acme_scale`. The ids
    /// of built-in providers are reserved for their own syncs.
    pub provider_id: String,
    /// 1 to 5,000 readings.
    #[schema(value_type = Vec<Object>)]
    pub points: Vec<PointInput>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IngestResult {
    /// Readings written (a re-sent reading updates in place).
    pub points: usize,
    /// Local days whose summaries were recomputed.
    pub days_refreshed: usize,
    pub records_changed: usize,
}

const MAX_POINTS: usize = 5000;

/// Write a batch of readings: all of them, or (when any is invalid) none, with every bad item
/// listed by index.
#[utoipa::path(post, path = "/users/{userId}/health", tag = "Health data",
    params(("userId" = String, Path, description = "The user's id")),
    request_body = IngestBody,
    responses(
        (status = 201, description = "Written", body = IngestResult),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
        (status = 422, description = "Invalid items, each in details with its index; nothing stored", body = ErrorEnvelope),
    ))]
pub async fn ingest_points(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
    ApiJson(body): ApiJson<IngestBody>,
) -> Result<(StatusCode, Json<IngestResult>), ApiError> {
    caller.require(Scope::Write)?;
    let user = super::users::owned_user(&state, &caller, &user_id).await?;
    if body.points.is_empty() || body.points.len() > MAX_POINTS {
        return Err(ApiError::validation(vec![Detail::field(
            "points",
            format!("Send 1 to {MAX_POINTS} readings per request."),
        )]));
    }
    let mut batch = Batch::new(&body.provider_id, Source::User);
    batch.points = body.points;
    let providers: Vec<&str> = state
        .engine()
        .registry
        .all()
        .iter()
        .map(|p| p.info().id)
        .collect();
    match ingest::ingest_from_client(&state.db, &user.id, batch, &providers).await {
        Ok(report) => Ok((
            StatusCode::CREATED,
            Json(IngestResult {
                points: report.points,
                days_refreshed: report.days_refreshed,
                records_changed: report.records_changed,
            }),
        )),
        Err(IngestError::Invalid { points, .. }) => Err(ApiError::validation(
            points
                .into_iter()
                .map(|e| Detail {
                    field: Some(format!("points[{}].{}", e.index, e.field)),
                    index: Some(e.index),
                    message: e.message,
                })
                .collect(),
        )),
        Err(IngestError::Provider) => Err(ApiError::validation(vec![Detail::field(
            "providerId",
            "Use 2 to 32 lower-case letters, digits or _, starting with a letter.",
        )])),
        Err(IngestError::ReservedProvider) => Err(ApiError::validation(vec![Detail::field(
            "providerId",
            ingest::RESERVED_PROVIDER,
        )])),
        Err(IngestError::UnknownUser) => Err(ApiError::not_found("user")),
        Err(IngestError::Db(e)) => Err(e.into()),
    }
}
