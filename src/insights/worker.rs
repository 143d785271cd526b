//! The insights worker: a background task that works through the derive queue
//! (`derive_requests`). Every [`TICK_SECS`] it claims the requests last touched at least
//! [`DEBOUNCE_SECS`] ago (so the batches of one sync coalesce into one pass), runs the derive
//! and finishes each; a request that came in meanwhile keeps its row for another pass.
//!
//! Shutdown needs nothing special: a pass writes in one transaction, so a pass cut short
//! leaves the old baselines and its claimed row, which any worker takes over once the claim is
//! [`STALE_CLAIM_MINUTES`] old. Several instances may run workers on one database: a claim is
//! atomic (see [`repo::claim_due`]).

use chrono::{DateTime, Duration, Utc};

use super::{derive, repo};
use crate::platform::db::Db;
use crate::platform::ids::new_id;

/// How often the worker looks for due requests.
pub const TICK_SECS: u64 = 2;
/// How long a request rests before it is due, so a burst of requests becomes one pass.
pub const DEBOUNCE_SECS: i64 = 2;
/// A claim this old belongs to a worker that died; another may take it over.
pub const STALE_CLAIM_MINUTES: i64 = 10;
/// How long a request whose pass failed waits before it is tried again.
const RETRY_AFTER_SECS: i64 = 60;

/// Starts the worker for as long as the server runs.
pub fn spawn(db: Db) {
    let worker = format!("worker-{}", new_id());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(TICK_SECS));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = Utc::now();
            if let Err(e) = run_due(&db, &worker, now - Duration::seconds(DEBOUNCE_SECS)).await {
                tracing::warn!(error = %e, "insights worker could not read its queue");
            }
        }
    });
}

/// Runs every request due by `older_than`; a failed pass is logged and retried later.
async fn run_due(db: &Db, worker: &str, older_than: DateTime<Utc>) -> Result<usize, sqlx::Error> {
    let mut passes = 0;
    while let Some(claim) = claim_next(db, worker, older_than).await? {
        passes += 1;
        if let Err(e) = pass(db, worker, &claim).await {
            tracing::warn!(user_id = %claim.user_id, error = %e, "insights derive failed; will retry");
        }
    }
    Ok(passes)
}

async fn claim_next(
    db: &Db,
    worker: &str,
    older_than: DateTime<Utc>,
) -> Result<Option<repo::Pending>, sqlx::Error> {
    let stale = Utc::now() - Duration::minutes(STALE_CLAIM_MINUTES);
    repo::claim_due(db, worker, older_than, stale).await
}

/// One pass over a claimed request: derive, then finish (or give it back on failure).
async fn pass(db: &Db, worker: &str, claim: &repo::Pending) -> Result<(), sqlx::Error> {
    let started = std::time::Instant::now();
    let outcome = match repo::timezone(db, &claim.user_id).await {
        // The person is gone (their request went with them).
        Ok(None) => Ok(None),
        Ok(Some(tz)) => derive::run(db, &claim.user_id, &tz, claim.from_date)
            .await
            .map(Some),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(report) => {
            let done = repo::finish(db, &claim.user_id, claim.generation, worker).await?;
            tracing::debug!(user_id = %claim.user_id, from = %claim.from_date, ?report, done, took = ?started.elapsed(), "insights derived");
            Ok(())
        }
        Err(e) => {
            let retry_at = Utc::now() + Duration::seconds(RETRY_AFTER_SECS);
            repo::release(db, &claim.user_id, worker, retry_at).await?;
            Err(e)
        }
    }
}

/// Runs every pending request now, whatever its age (tests, and commands that must see their
/// derived figures at once); returns the number of passes. Stops at the first failed pass.
pub async fn drain(db: &Db) -> Result<usize, sqlx::Error> {
    let worker = format!("drain-{}", new_id());
    let mut passes = 0;
    // "Due by tomorrow" takes every request, even one put back for a later retry.
    while let Some(claim) = claim_next(db, &worker, Utc::now() + Duration::days(1)).await? {
        pass(db, &worker, &claim).await?;
        passes += 1;
    }
    Ok(passes)
}
