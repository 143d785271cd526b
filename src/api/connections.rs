//! `/v1/users/{userId}/connections` and `/v1/sync-jobs`: what each person has connected, syncs
//! on demand, disconnection, and the sync queue.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::ApiCaller;
use super::error::{ApiError, Detail, ErrorEnvelope};
use super::extract::{ApiJson, ApiQuery};
use super::pagination::{bounded_moment, Page, PageParams};
use crate::api_keys::Scope;
use crate::connections::flow::{self, FlowError, Problem, Starter};
use crate::connections::monitor::{self, JobFilter, JobView};
use crate::connections::service::{self, ConnectionRow, SyncError};
use crate::connections::status::JobStatus;
use crate::platform::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_connections, start_connection))
        .routes(routes!(disconnect))
        .routes(routes!(sync_now))
        .routes(routes!(list_jobs))
        .routes(routes!(get_job))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub id: String,
    pub user_id: String,
    pub provider_id: String,
    /// `active`, `error` or `disconnected`.
    pub status: String,
    /// The person's account id at the provider.
    pub provider_user_id: Option<String>,
    pub last_error: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub connected_at: Option<DateTime<Utc>>,
}

impl From<ConnectionRow> for Connection {
    fn from(c: ConnectionRow) -> Self {
        Connection {
            id: c.id,
            user_id: c.user_id,
            provider_id: c.provider_id,
            status: c.status.as_str().to_string(),
            provider_user_id: c.provider_user_id,
            last_error: c.last_error,
            last_synced_at: c.last_synced_at,
            connected_at: c.connected_at,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncJob {
    pub id: String,
    pub connection_id: String,
    pub user_id: String,
    pub provider_id: String,
    /// `backfill` (the first sync) or `incremental`.
    pub kind: String,
    /// `pending`, `running`, `completed` or `failed`.
    pub status: String,
    pub metrics_synced: i64,
    pub attempts: i64,
    pub error: Option<String>,
    pub window_start: Option<DateTime<Utc>>,
    pub window_end: Option<DateTime<Utc>>,
    /// When a pending job (or its next retry) may run.
    pub run_after: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<JobView> for SyncJob {
    fn from(j: JobView) -> Self {
        SyncJob {
            id: j.id,
            connection_id: j.connection_id,
            user_id: j.user_id,
            provider_id: j.provider_id,
            kind: j.kind,
            status: j.status.as_str().to_string(),
            metrics_synced: j.metrics_synced,
            attempts: j.attempts,
            error: j.error,
            window_start: j.window_start,
            window_end: j.window_end,
            run_after: j.run_after,
            started_at: j.started_at,
            completed_at: j.completed_at,
            created_at: j.created_at,
        }
    }
}

/// The user's connection with this id, in the caller's workspace.
async fn owned_connection(
    state: &AppState,
    caller: &ApiCaller,
    user_id: &str,
    id: &str,
) -> Result<ConnectionRow, ApiError> {
    service::of_person(&state.db, &caller.workspace_id, user_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("connection"))
}

/// The user's connections, every provider on one page.
#[utoipa::path(get, path = "/users/{userId}/connections", tag = "Connections",
    params(("userId" = String, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The user's connections (never their tokens)", body = Page<Connection>),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
    ))]
pub async fn list_connections(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
) -> Result<Json<Page<Connection>>, ApiError> {
    caller.require(Scope::Read)?;
    super::users::owned_user(&state, &caller, &user_id).await?;
    let rows = service::for_user(&state.db, &user_id).await?;
    Ok(Json(Page::complete(
        rows.into_iter().map(Connection::from).collect(),
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewConnection {
    /// A configured provider's id (see `GET /providers`).
    pub provider_id: String,
    /// Your page to send the person back to afterwards (http or https). The outcome is added
    /// to its query: `status=connected&provider=…&connectionId=…`, or
    /// `status=error&error=denied|provider|exchange|unavailable|internal&provider=…` (`denied`
    /// also when the person cancels on VitaSync's own page).
    pub redirect_url: String,
}

/// Where to send the person to connect a provider.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionStart {
    /// A VitaSync page that names your workspace and the person, then sends them on to the
    /// provider's consent page (or back to you if they cancel); usable once.
    pub url: String,
    /// The link stops working after this moment (ten minutes).
    pub expires_at: DateTime<Utc>,
}

/// Start connecting a provider for this person: send them to the returned `url`, a VitaSync
/// page naming your workspace and the person, from which they continue to the provider's
/// consent page. Afterwards they come back to your `redirectUrl`, and the connection's first
/// sync is queued (a `connection.created` webhook follows).
#[utoipa::path(post, path = "/users/{userId}/connections", tag = "Connections",
    params(("userId" = String, Path, description = "The user's id")),
    request_body = NewConnection,
    responses(
        (status = 201, description = "The consent URL", body = ConnectionStart),
        (status = 404, description = "No such user in this workspace", body = ErrorEnvelope),
        (status = 422, description = "Unknown or unconfigured provider, or an unusable redirectUrl", body = ErrorEnvelope),
    ))]
pub async fn start_connection(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(user_id): Path<String>,
    headers: axum::http::HeaderMap,
    ApiJson(input): ApiJson<NewConnection>,
) -> Result<(StatusCode, Json<ConnectionStart>), ApiError> {
    caller.require(Scope::Write)?;
    let user = super::users::owned_user(&state, &caller, &user_id).await?;
    let started = flow::start(
        &state,
        &user.id,
        &input.provider_id,
        &flow::base_url(&state, &headers),
        Starter::Api {
            return_url: &input.redirect_url,
        },
    )
    .await
    .map_err(|e| match e {
        FlowError::Refused(problems) => {
            ApiError::validation(problems.into_iter().map(problem_detail).collect())
        }
        FlowError::Store(e) => ApiError::from(e),
    })?;
    tracing::info!(user = %user.id, provider = %input.provider_id, key = %caller.key_id, "connection started through the API");
    Ok((
        StatusCode::CREATED,
        Json(ConnectionStart {
            url: started.url(),
            expires_at: started.expires_at,
        }),
    ))
}

fn problem_detail(problem: Problem) -> Detail {
    match problem {
        Problem::NotConfigured => Detail::field(
            "providerId",
            "This provider is not configured on this server; see GET /v1/providers.",
        ),
        Problem::UnknownProvider => {
            Detail::field("providerId", "No such provider; see GET /v1/providers.")
        }
        Problem::ReturnUrl => Detail::field(
            "redirectUrl",
            "Send an absolute http or https URL of at most 2000 characters.",
        ),
    }
}

/// Disconnect: access is revoked at the provider and the tokens deleted; the data stays.
#[utoipa::path(delete, path = "/users/{userId}/connections/{connectionId}", tag = "Connections",
    params(
        ("userId" = String, Path, description = "The user's id"),
        ("connectionId" = String, Path, description = "The connection's id"),
    ),
    responses(
        (status = 204, description = "Disconnected"),
        (status = 404, description = "No such connection of this user", body = ErrorEnvelope),
    ))]
pub async fn disconnect(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((user_id, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(Scope::Write)?;
    let conn = owned_connection(&state, &caller, &user_id, &id).await?;
    service::disconnect(&state, &conn, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Queue a sync now. Answers with the queued job, or the one already open.
#[utoipa::path(post, path = "/users/{userId}/connections/{connectionId}/sync", tag = "Connections",
    params(
        ("userId" = String, Path, description = "The user's id"),
        ("connectionId" = String, Path, description = "The connection's id"),
    ),
    responses(
        (status = 202, description = "Queued (or already queued)", body = SyncJob),
        (status = 404, description = "No such connection of this user", body = ErrorEnvelope),
        (status = 409, description = "Disconnected, or its provider is not configured here", body = ErrorEnvelope),
    ))]
pub async fn sync_now(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((user_id, id)): Path<(String, String)>,
) -> Result<(StatusCode, Json<SyncJob>), ApiError> {
    caller.require(Scope::Write)?;
    let conn = owned_connection(&state, &caller, &user_id, &id).await?;
    let job = service::sync_now(&state, &caller.workspace_id, &conn, Utc::now())
        .await
        .map_err(|e| match e {
            SyncError::Disconnected => ApiError::conflict(
                "This connection is disconnected; the person must connect again.",
            ),
            SyncError::NotConfigured => {
                ApiError::conflict("This provider is not configured on this server.")
            }
            SyncError::Db(e) => ApiError::from(e),
        })?
        .ok_or_else(ApiError::internal)?;
    Ok((StatusCode::ACCEPTED, Json(job.into())))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct JobQuery {
    /// Only this user's jobs.
    pub user_id: Option<String>,
    /// Only this provider's jobs.
    pub provider_id: Option<String>,
    /// `pending`, `running`, `completed` or `failed`.
    pub status: Option<String>,
    /// Only jobs queued at or after this moment (ISO 8601).
    pub since: Option<DateTime<Utc>>,
    /// 1 to 500, default 50.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The workspace's sync jobs, newest first.
#[utoipa::path(get, path = "/sync-jobs", tag = "Sync jobs",
    params(JobQuery),
    responses(
        (status = 200, description = "A page of jobs", body = Page<SyncJob>),
        (status = 400, description = "Bad filter, limit or cursor", body = ErrorEnvelope),
    ))]
pub async fn list_jobs(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<JobQuery>,
) -> Result<Json<Page<SyncJob>>, ApiError> {
    caller.require(Scope::Read)?;
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = page.limit()?;
    let before = page.time_cursor()?;
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(JobStatus::parse(s).ok_or_else(|| {
            ApiError::bad_query(vec![Detail::field(
                "status",
                format!("{s:?} is not a status; use pending, running, completed or failed."),
            )])
        })?),
    };
    let filter = JobFilter {
        user_id: q.user_id,
        provider_id: q.provider_id,
        status,
        since: bounded_moment("since", q.since)?,
        before,
    };
    let rows = monitor::list(&state.db, &caller.workspace_id, &filter, limit + 1).await?;
    Ok(Json(Page::from_rows(
        rows,
        limit,
        |j| (j.created_at, j.id.clone()),
        SyncJob::from,
    )))
}

/// One sync job.
#[utoipa::path(get, path = "/sync-jobs/{jobId}", tag = "Sync jobs",
    params(("jobId" = String, Path, description = "The job's id")),
    responses(
        (status = 200, description = "The job", body = SyncJob),
        (status = 404, description = "No such job in this workspace", body = ErrorEnvelope),
    ))]
pub async fn get_job(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<SyncJob>, ApiError> {
    caller.require(Scope::Read)?;
    monitor::get(&state.db, &caller.workspace_id, &id)
        .await?
        .map(|j| Json(j.into()))
        .ok_or_else(|| ApiError::not_found("sync job"))
}
