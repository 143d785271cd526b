//! The sync engine: claims jobs from `sync_jobs`, refreshes tokens before they expire, pages
//! through the provider's data, ingests every page (idempotent upserts), commits its cursor
//! after each page, and sorts failures into retry-with-backoff or a connection the user must
//! reconnect. Scheduled syncs are queued here too.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use rand::Rng;

use super::jobs::{self, JobRow};
use super::provider::{FetchError, Provider, Window};
use super::registry::Registry;
use super::repo::{self, ConnectionRow};
use super::{hooks, oauth};
use crate::health::ingest;
use crate::platform::crypto::KeyRing;
use crate::platform::db::Db;

/// How long a claim holds a job without a checkpoint before another worker may take it.
pub const LEASE_SECONDS: i64 = 300;
/// Transient failures are retried this many times before the job fails.
pub const MAX_ATTEMPTS: i64 = 6;
/// Later syncs start this far before where the last one ended (late-arriving data).
pub const OVERLAP_HOURS: i64 = 6;

#[derive(Clone)]
pub struct Engine {
    pub db: Db,
    pub keys: KeyRing,
    pub registry: Arc<Registry>,
    pub http: reqwest::Client,
    /// Tests: stop after this many pages without releasing the job, as a killed process would.
    pub stop_after_pages: Option<usize>,
}

impl crate::platform::state::AppState {
    /// The sync engine, which the composition root adds to the state.
    pub fn engine(&self) -> &Arc<Engine> {
        self.part::<Arc<Engine>>()
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("registry", &self.registry)
            .finish_non_exhaustive()
    }
}

/// What became of one claimed job.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Completed {
        items: i64,
    },
    RetryAt {
        at: DateTime<Utc>,
        reason: String,
    },
    Failed {
        reason: String,
    },
    /// The job was left as it was (simulated crash, or the lease went to another worker).
    Abandoned,
}

/// Exponential backoff with full jitter: 30 s, 1 min, 2 min … capped at an hour.
pub fn backoff(attempts: i64) -> Duration {
    let exp = 30i64 << attempts.clamp(1, 8).saturating_sub(1);
    let cap = exp.min(3600);
    let secs = rand::thread_rng().gen_range(cap / 2..=cap);
    Duration::seconds(secs)
}

impl Engine {
    pub fn new(db: Db, keys: KeyRing, registry: Arc<Registry>) -> Self {
        Engine {
            db,
            keys,
            registry,
            http: oauth::http_client(),
            stop_after_pages: None,
        }
    }

    /// Queues a job for `conn`: the backfill window on its first sync, else from the last
    /// cursor less a small overlap. `None` when one is already queued or running.
    pub async fn request_sync(
        &self,
        conn: &ConnectionRow,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, sqlx::Error> {
        let Some(provider) = self.registry.get(&conn.provider_id) else {
            return Ok(None);
        };
        let (kind, start) = match conn.sync_cursor {
            Some(c) => ("incremental", c - Duration::hours(OVERLAP_HOURS)),
            None => (
                "backfill",
                now - Duration::days(self.registry.backfill_days(provider.info().id)),
            ),
        };
        jobs::enqueue(
            &self.db,
            &conn.id,
            kind,
            Window {
                start,
                end: now,
                zone: chrono_tz::UTC,
            },
            now,
        )
        .await
    }

    /// Queues the sync a push notification asks for: the usual incremental window, reaching
    /// back far enough to cover the data the notification names (`since`, less a day; three
    /// days when it names no time), but never before the backfill horizon. A connection that
    /// never synced gets its backfill. `None` when a job is already open.
    pub async fn request_push_sync(
        &self,
        conn: &ConnectionRow,
        since: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, sqlx::Error> {
        let Some(cursor) = conn.sync_cursor else {
            return self.request_sync(conn, now).await;
        };
        let horizon = now - Duration::days(self.registry.backfill_days(&conn.provider_id));
        // `since` comes from a provider's notification: a moment near chrono's limits stops at
        // the horizon instead of overflowing.
        let named = since
            .unwrap_or(now - Duration::days(3))
            .checked_sub_signed(Duration::days(1))
            .unwrap_or(horizon);
        let start = (cursor - Duration::hours(OVERLAP_HOURS))
            .min(named)
            .max(horizon);
        let window = Window {
            start,
            end: now,
            zone: chrono_tz::UTC,
        };
        let queued = jobs::enqueue(&self.db, &conn.id, "incremental", window, now).await?;
        if queued.is_none() {
            // A job already waits: it covers what this notice names too. (One already running
            // is left as it is; the next scheduled sync's overlap is the backstop.)
            jobs::widen_pending(&self.db, &conn.id, start).await?;
        }
        Ok(queued)
    }

    /// Queues a sync for every active connection whose provider interval has passed.
    /// A connection is due when its interval has passed both since its last successful sync
    /// and since its last job was queued (so a provider that keeps failing is tried once per
    /// interval, not again as soon as a round of retries ends).
    pub async fn schedule_due(&self, now: DateTime<Utc>) -> Result<usize, sqlx::Error> {
        let mut queued = 0;
        let last_jobs = jobs::last_queued(&self.db).await?;
        for conn in repo::active(&self.db).await? {
            let Some(provider) = self.registry.get(&conn.provider_id) else {
                continue;
            };
            let interval =
                Duration::from_std(provider.info().min_interval).unwrap_or(Duration::hours(1));
            let due = conn.last_synced_at.is_none_or(|at| at + interval <= now)
                && last_jobs
                    .get(&conn.id)
                    .is_none_or(|at| *at + interval <= now);
            if due && self.request_sync(&conn, now).await?.is_some() {
                queued += 1;
            }
        }
        Ok(queued)
    }

    /// Claims and runs one job. `None` when nothing is runnable.
    pub async fn run_one(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Option<(JobRow, Outcome)>, sqlx::Error> {
        let Some(job) = jobs::claim(&self.db, now, Duration::seconds(LEASE_SECONDS)).await? else {
            return Ok(None);
        };
        let outcome = self.run(&job).await?;
        Ok(Some((job, outcome)))
    }

    /// Runs jobs until none is runnable (tests, the CLI); returns how many ran.
    pub async fn run_until_idle(&self) -> Result<usize, sqlx::Error> {
        let mut n = 0;
        while self.run_one(Utc::now()).await?.is_some() {
            n += 1;
        }
        Ok(n)
    }

    async fn run(&self, job: &JobRow) -> Result<Outcome, sqlx::Error> {
        let Some(conn) = repo::get(&self.db, &job.connection_id).await? else {
            return self
                .give_up(job, None, "The connection no longer exists.", false)
                .await;
        };
        let Some(provider) = self.registry.get(&conn.provider_id) else {
            let msg = "This provider is no longer available on this server.";
            return self.give_up(job, Some(&conn), msg, true).await;
        };
        let result = self.sync(job, &conn, provider.as_ref()).await;
        let now = Utc::now();
        match result {
            Ok(Some(items)) => {
                let end = job.window_end.unwrap_or(now);
                if jobs::complete(&self.db, job, items, now).await? {
                    repo::mark_synced(&self.db, &conn.id, end, now).await?;
                    hooks::after_sync(&self.db, &conn, job, items).await;
                    Ok(Outcome::Completed { items })
                } else {
                    Ok(Outcome::Abandoned)
                }
            }
            Ok(None) => Ok(Outcome::Abandoned),
            Err(SyncError::Db(e)) => Err(e),
            Err(SyncError::Fetch(e)) => self.handle_failure(job, &conn, provider.as_ref(), e).await,
        }
    }

    async fn handle_failure(
        &self,
        job: &JobRow,
        conn: &ConnectionRow,
        provider: &dyn Provider,
        e: FetchError,
    ) -> Result<Outcome, sqlx::Error> {
        let name = provider.info().name;
        let now = Utc::now();
        match e {
            FetchError::Revoked | FetchError::Unauthorized => {
                let msg = format!(
                    "{name} no longer accepts VitaSync's access. Reconnect to resume syncing."
                );
                self.give_up(job, Some(conn), &msg, true).await
            }
            FetchError::Permanent(detail) | FetchError::Forbidden(detail) => {
                tracing::warn!(job = %job.id, provider = name, %detail, "sync failed");
                let msg = format!("{name} refused the sync: {detail}");
                self.give_up(job, Some(conn), &msg, true).await
            }
            FetchError::RateLimited { .. } | FetchError::Transient(_)
                if job.attempts >= MAX_ATTEMPTS =>
            {
                let msg = format!("{name} could not be reached after {MAX_ATTEMPTS} tries; the next scheduled sync will try again.");
                self.give_up(job, Some(conn), &msg, false).await
            }
            FetchError::RateLimited { retry_after } => {
                let wait = retry_after
                    .and_then(|d| Duration::from_std(d).ok())
                    .unwrap_or_else(|| backoff(job.attempts));
                let at = now + wait;
                let reason = format!(
                    "{name} asked us to slow down; continuing at {}.",
                    at.format("%H:%M UTC")
                );
                jobs::retry_later(&self.db, job, at, &reason).await?;
                Ok(Outcome::RetryAt { at, reason })
            }
            FetchError::Transient(detail) => {
                let at = now + backoff(job.attempts);
                tracing::info!(job = %job.id, provider = name, %detail, retry_at = %at, "sync will be retried");
                let reason = format!("Temporary problem at {name}; retrying.");
                jobs::retry_later(&self.db, job, at, &reason).await?;
                Ok(Outcome::RetryAt { at, reason })
            }
        }
    }

    async fn give_up(
        &self,
        job: &JobRow,
        conn: Option<&ConnectionRow>,
        message: &str,
        broken: bool,
    ) -> Result<Outcome, sqlx::Error> {
        let now = Utc::now();
        jobs::fail(&self.db, job, message, now).await?;
        if let Some(conn) = conn {
            repo::mark_error(&self.db, &conn.id, message, broken, now).await?;
            hooks::after_failure(&self.db, conn, job, message).await;
        }
        Ok(Outcome::Failed {
            reason: message.to_string(),
        })
    }

    /// The page loop. `Ok(None)` when the job was abandoned (lease lost, simulated crash).
    async fn sync(
        &self,
        job: &JobRow,
        conn: &ConnectionRow,
        provider: &dyn Provider,
    ) -> Result<Option<i64>, SyncError> {
        if provider.endpoints().is_none() {
            return Err(FetchError::Permanent(
                "the provider is not configured on this server".into(),
            )
            .into());
        }
        let mut tokens = match conn.tokens(&self.keys) {
            Some(Ok(t)) => t,
            // Disconnected meanwhile, or sealed under a key that is gone.
            None | Some(Err(_)) => return Err(FetchError::Revoked.into()),
        };
        if tokens.expires_soon(Utc::now()) {
            tokens = provider.refresh(&self.http, &tokens).await?;
            repo::store_tokens(&self.db, &self.keys, conn, &tokens, Utc::now()).await?;
        }
        let now = Utc::now();
        let window = Window {
            start: job.window_start.unwrap_or(now - Duration::days(1)),
            end: job.window_end.unwrap_or(now),
            zone: crate::health::local_time::zone(&conn.timezone),
        };
        let mut cursor = job.cursor.clone();
        let mut items = job.metrics_synced;
        let mut pages = 0usize;
        let mut refreshed = false;
        loop {
            let page = match provider
                .fetch_page(&self.http, &tokens.access_token, window, cursor.as_deref())
                .await
            {
                Ok(page) => page,
                Err(FetchError::Unauthorized) if !refreshed => {
                    tokens = provider.refresh(&self.http, &tokens).await?;
                    repo::store_tokens(&self.db, &self.keys, conn, &tokens, Utc::now()).await?;
                    refreshed = true;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let mut batch = page.batch;
            batch.connection_id = Some(conn.id.clone());
            items += ingest::ingest_lenient(&self.db, &conn.user_id, batch).await?;
            cursor = page.next;
            pages += 1;
            let lease = Utc::now() + Duration::seconds(LEASE_SECONDS);
            if !jobs::checkpoint(&self.db, job, cursor.as_deref(), items, lease).await? {
                return Ok(None);
            }
            if cursor.is_none() {
                return Ok(Some(items));
            }
            if self.stop_after_pages.is_some_and(|n| pages >= n) {
                return Ok(None);
            }
        }
    }
}

#[derive(Debug)]
enum SyncError {
    Fetch(FetchError),
    Db(sqlx::Error),
}

impl From<FetchError> for SyncError {
    fn from(e: FetchError) -> Self {
        SyncError::Fetch(e)
    }
}

impl From<sqlx::Error> for SyncError {
    fn from(e: sqlx::Error) -> Self {
        SyncError::Db(e)
    }
}

/// The in-process worker: runs due jobs, and queues scheduled syncs once a minute.
pub fn spawn(engine: Engine) {
    tokio::spawn(async move {
        let mut last_schedule: Option<DateTime<Utc>> = None;
        loop {
            let now = Utc::now();
            if last_schedule.is_none_or(|t| now - t >= Duration::seconds(60)) {
                last_schedule = Some(now);
                if let Err(e) = engine.schedule_due(now).await {
                    tracing::error!(error = %e, "could not queue scheduled syncs");
                }
            }
            match engine.run_one(now).await {
                Ok(Some((job, outcome))) => {
                    tracing::info!(job = %job.id, connection = %job.connection_id, ?outcome, "sync job ran");
                    continue;
                }
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "sync worker database error"),
            }
            tokio::time::sleep(std::time::Duration::from_millis(750)).await;
        }
    });
}
