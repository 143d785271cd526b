//! Connection operations other features and the REST API call: a person's connections,
//! queueing a sync now, retrying a failed sync, disconnecting. (Starting a connection is
//! `flow::start`.)

use chrono::{DateTime, Utc};

use super::status::{ConnectionStatus, JobStatus};
use super::{hooks, monitor, repo};
use crate::error::AppError;
use crate::platform::db::Db;
use crate::platform::state::AppState;
use crate::webhooks::EventType;

pub use super::monitor::JobView;
pub use super::repo::ConnectionRow;

/// The person's connections (one per provider they ever connected), by provider.
pub async fn for_user(db: &Db, user_id: &str) -> Result<Vec<ConnectionRow>, sqlx::Error> {
    repo::for_user(db, user_id).await
}

/// The person's connection with this id, in this workspace; `None` for anybody else's.
pub async fn of_person(
    db: &Db,
    workspace_id: &str,
    user_id: &str,
    id: &str,
) -> Result<Option<ConnectionRow>, sqlx::Error> {
    Ok(repo::get(db, id)
        .await?
        .filter(|c| c.user_id == user_id && c.workspace_id == workspace_id))
}

/// Why a sync cannot be queued.
#[derive(Debug)]
pub enum SyncError {
    /// The connection was disconnected (or holds no tokens): the person must connect again.
    Disconnected,
    /// Its provider is not configured on this server.
    NotConfigured,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for SyncError {
    fn from(e: sqlx::Error) -> Self {
        SyncError::Db(e)
    }
}

/// Queues a sync of the connection now: `Some(job id)`, or `None` when one is already queued
/// or running. Refused for a disconnected connection first, then for an unconfigured provider.
pub async fn request_sync(
    state: &AppState,
    conn: &ConnectionRow,
    now: DateTime<Utc>,
) -> Result<Option<String>, SyncError> {
    if conn.status == ConnectionStatus::Disconnected || conn.encrypted_tokens.is_none() {
        return Err(SyncError::Disconnected);
    }
    let engine = state.engine();
    if engine.registry.get(&conn.provider_id).is_none() {
        return Err(SyncError::NotConfigured);
    }
    engine.request_sync(conn, now).await.map_err(SyncError::Db)
}

/// [`request_sync`], answering with the job: the one just queued, or the one already open
/// (`None` if neither is found).
pub async fn sync_now(
    state: &AppState,
    workspace_id: &str,
    conn: &ConnectionRow,
    now: DateTime<Utc>,
) -> Result<Option<JobView>, SyncError> {
    let job = match request_sync(state, conn, now).await? {
        Some(job_id) => monitor::get(&state.db, workspace_id, &job_id).await?,
        None => monitor::open_for_connection(&state.db, workspace_id, &conn.id).await?,
    };
    Ok(job)
}

/// Queues a new sync for the connection of a failed job of the workspace (the admin's job
/// monitor).
pub async fn retry_job(
    state: &AppState,
    workspace_id: &str,
    job_id: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let job = monitor::get(&state.db, workspace_id, job_id)
        .await?
        .ok_or_else(|| AppError::NotFound("No such sync job in this workspace.".into()))?;
    if job.status != JobStatus::Failed {
        return Err(AppError::Conflict(
            "Only a failed job can be retried.".into(),
        ));
    }
    let conn = repo::get(&state.db, &job.connection_id)
        .await?
        .ok_or_else(|| AppError::NotFound("The connection no longer exists.".into()))?;
    match request_sync(state, &conn, now).await {
        Ok(Some(_)) => Ok(()),
        Err(SyncError::Disconnected) => Err(AppError::Conflict(
            "This connection was disconnected; the person must connect again.".into(),
        )),
        Ok(None) | Err(SyncError::NotConfigured) => Err(AppError::Conflict(
            "A sync for this connection is already queued, or its provider is not configured."
                .into(),
        )),
        Err(SyncError::Db(e)) => Err(e.into()),
    }
}

/// Disconnects: access is revoked at the provider (best effort: the tokens are deleted
/// whatever it says), the tokens forgotten and any open job closed; the data stays. Emits
/// `connection.disconnected`.
pub async fn disconnect(
    state: &AppState,
    conn: &ConnectionRow,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let engine = state.engine();
    if let (Some(Ok(tokens)), Some(p)) = (
        conn.tokens(&state.config.keys),
        engine.registry.get(&conn.provider_id),
    ) {
        if let Err(e) = p
            .revoke(&engine.http, &tokens, conn.provider_user_id.as_deref())
            .await
        {
            tracing::warn!(provider = %conn.provider_id, error = %e, "revocation at the provider failed");
        }
    }
    repo::disconnect(&state.db, conn, now).await?;
    hooks::emit(
        &state.db,
        conn,
        EventType::ConnectionDisconnected,
        hooks::connection_data(conn, "disconnected", None),
    )
    .await;
    Ok(())
}
