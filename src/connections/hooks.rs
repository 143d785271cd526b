//! What happens after a successful sync. Rollups and personal records are already current
//! (ingest keeps them so); this is where outgoing webhooks and notifications attach.

use super::jobs::JobRow;
use super::repo::ConnectionRow;
use crate::platform::db::Db;

pub async fn after_sync(_db: &Db, conn: &ConnectionRow, job: &JobRow, items: i64) {
    tracing::info!(
        user = %conn.user_id,
        provider = %conn.provider_id,
        job = %job.id,
        kind = %job.kind,
        items,
        "sync completed"
    );
}
