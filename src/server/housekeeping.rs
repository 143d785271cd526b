//! Periodic clean-up of rows that only matter for a while: ended and expired sessions, old throttle
//! counters, expired invitations and OAuth states, spent demo-provider grants and old push
//! receipts. Each feature deletes its own rows; safe on several instances at once (plain deletes).

use chrono::{Duration, Utc};

use crate::platform::db::Db;

pub async fn sweep(db: &Db) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    crate::auth::session::sweep(db, now).await?;
    // The cookie sessions' own rows (tower-sessions deletes an expired one only when it is
    // presented again).
    use tower_sessions::session_store::ExpiredDeletion;
    if let Err(e) = crate::platform::session_store::DbSessionStore::new(db)
        .delete_expired()
        .await
    {
        tracing::warn!(error = %e, "could not delete expired sessions");
    }
    crate::accounts::repo::sweep_invitations(db, now - Duration::days(30)).await?;
    crate::connections::oauth_state::sweep(db, now).await?;
    crate::connections::handoff::sweep(db, now).await?;
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
