//! What happens after a successful sync. Rollups and personal records are already current
//! (ingest keeps them so); this is where outgoing webhooks (and later notifications) attach.

use super::jobs::JobRow;
use super::repo::ConnectionRow;
use crate::platform::db::Db;
use crate::webhooks::EventType;

pub async fn after_sync(db: &Db, conn: &ConnectionRow, job: &JobRow, items: i64) {
    tracing::info!(
        user = %conn.user_id,
        provider = %conn.provider_id,
        job = %job.id,
        kind = %job.kind,
        items,
        "sync completed"
    );
    emit(
        db,
        conn,
        EventType::SyncCompleted,
        serde_json::json!({
            "jobId": job.id,
            "connectionId": conn.id,
            "userId": conn.user_id,
            "providerId": conn.provider_id,
            "kind": job.kind,
            "itemsSynced": items,
        }),
    )
    .await;
}

/// A sync gave up: the job failed, and the connection needs attention.
pub async fn after_failure(db: &Db, conn: &ConnectionRow, job: &JobRow, message: &str) {
    emit(
        db,
        conn,
        EventType::SyncFailed,
        serde_json::json!({
            "jobId": job.id,
            "connectionId": conn.id,
            "userId": conn.user_id,
            "providerId": conn.provider_id,
            "kind": job.kind,
            "error": message,
        }),
    )
    .await;
    emit(
        db,
        conn,
        EventType::ConnectionError,
        connection_data(conn, "error", Some(message)),
    )
    .await;
}

/// The thin payload of a connection event.
pub fn connection_data(
    conn: &ConnectionRow,
    status: &str,
    error: Option<&str>,
) -> serde_json::Value {
    serde_json::json!({
        "id": conn.id,
        "userId": conn.user_id,
        "providerId": conn.provider_id,
        "status": status,
        "error": error,
    })
}

pub async fn emit(db: &Db, conn: &ConnectionRow, event: EventType, data: serde_json::Value) {
    crate::webhooks::events::emit(db, &conn.workspace_id, event, data).await;
}
