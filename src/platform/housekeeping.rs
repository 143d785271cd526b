//! Periodic clean-up of rows that only matter for a while: ended sessions and old throttle
//! counters, expired OAuth states, spent demo-provider grants and old push receipts. Safe to run on several instances at once (plain deletes).

use chrono::{Duration, Utc};

use super::current_user::{ABSOLUTE_TIMEOUT_DAYS, IDLE_TIMEOUT_HOURS};
use super::db::Db;
use crate::with_db;

pub async fn sweep(db: &Db) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    let idle_cutoff = now - Duration::hours(IDLE_TIMEOUT_HOURS);
    let absolute_cutoff = now - Duration::days(ABSOLUTE_TIMEOUT_DAYS);
    with_db!(db, pool => sqlx::query("DELETE FROM auth_sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(idle_cutoff)
        .bind(absolute_cutoff)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    let stale = now - Duration::days(1);
    with_db!(db, pool => sqlx::query(
        "DELETE FROM auth_throttle WHERE window_started < $1 AND (locked_until IS NULL OR locked_until < $2)")
        .bind(stale)
        .bind(now)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    with_db!(db, pool => sqlx::query("DELETE FROM invitations WHERE expires_at < $1 AND accepted_at IS NULL")
        .bind(now - Duration::days(30))
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    crate::connections::oauth_state::sweep(db, now).await?;
    crate::demo_provider::grants::sweep(db, now).await?;
    // Providers stop retrying a notification within days; a month of receipts is plenty.
    crate::connections::push_routes::receipts::purge(db, now - Duration::days(30)).await?;
    Ok(())
}

/// Runs [`sweep`] every hour for as long as the server runs.
pub fn spawn(db: Db) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(err) = sweep(&db).await {
                tracing::warn!(error = %err, "housekeeping failed");
            }
        }
    });
}
