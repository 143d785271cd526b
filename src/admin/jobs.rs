//! Server functions of the admin's sync-job monitor: every job of the workspace, newest first,
//! filtered by status, provider, person and time, with errors and a retry for failed jobs.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::connections::status::JobStatus;
#[cfg(feature = "ssr")]
use crate::platform::request::RequestCtx;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobInfo {
    pub id: String,
    pub person: String,
    pub provider: String,
    pub kind: String,
    pub status: String,
    pub queued: String,
    /// "12 s", or empty while not finished.
    pub took: String,
    pub items: i64,
    pub attempts: i64,
    pub error: Option<String>,
    /// Set for a pending job waiting for its next try.
    pub next_try: Option<String>,
    pub can_retry: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobsOverview {
    pub jobs: Vec<JobInfo>,
    /// The `before` value of the next (older) page.
    pub older: Option<String>,
    /// `(id, label)` of the workspace's people, for the filter.
    pub people: Vec<(String, String)>,
    /// `(id, name)` of the providers, for the filter.
    pub providers: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
const PAGE: i64 = 25;

/// `since` is `day`, `week`, `month` or empty (any time); `before` is a page position.
#[server(endpoint = "admin/jobs")]
pub async fn list_jobs(
    status: Option<String>,
    provider: Option<String>,
    person: Option<String>,
    since: Option<String>,
    before: Option<String>,
) -> Result<JobsOverview, AppError> {
    use crate::connections::monitor::{self, JobFilter};
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    let ws = &auth.user.workspace_id;
    let tz = auth.user.timezone.clone();
    let now = chrono::Utc::now();
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let status = nonempty(status).and_then(|s| JobStatus::parse(&s));
    let since = match nonempty(since).as_deref() {
        Some("day") => Some(now - chrono::Duration::days(1)),
        Some("week") => Some(now - chrono::Duration::days(7)),
        Some("month") => Some(now - chrono::Duration::days(30)),
        _ => None,
    };
    let before = nonempty(before).and_then(|b| {
        let (at, id) = b.split_once('|')?;
        let at = chrono::DateTime::parse_from_rfc3339(at)
            .ok()?
            .with_timezone(&chrono::Utc);
        Some((at, id.to_string()))
    });
    let filter = JobFilter {
        user_id: nonempty(person),
        provider_id: nonempty(provider),
        status,
        since,
        before,
    };
    let mut rows = monitor::list(ctx.db(), ws, &filter, PAGE + 1).await?;
    let older = (rows.len() as i64 > PAGE).then(|| {
        rows.truncate(PAGE as usize);
        let last = rows.last().expect("a full page");
        format!("{}|{}", last.created_at.to_rfc3339(), last.id)
    });
    let mut people = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = crate::accounts::directory::list(ctx.db(), ws, after.as_deref(), 500).await?;
        let full = page.len() == 500;
        after = page.last().map(|u| u.id.to_string());
        people.extend(page.into_iter().map(|u| {
            let label = u
                .display_name
                .clone()
                .filter(|n| !n.is_empty())
                .or(u.email.clone())
                .or(u.external_id.clone().map(|e| format!("external id {e}")))
                .unwrap_or_else(|| u.id.to_string());
            (u.id.into(), label)
        }));
        if !full {
            break;
        }
    }
    let name_of = |id: &str| {
        people
            .iter()
            .find(|(p, _)| p == id)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let registry = &ctx.state.engine().registry;
    let providers: Vec<(String, String)> = registry
        .all()
        .iter()
        .map(|p| (p.info().id.to_string(), p.info().name.to_string()))
        .collect();
    let provider_name = |id: &str| {
        providers
            .iter()
            .find(|(p, _)| p == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| crate::connections::provider::capitalize(id))
    };
    let local = |t| crate::ui::time::local_datetime(t, &tz);
    let jobs = rows
        .into_iter()
        .map(|j| JobInfo {
            person: name_of(&j.user_id),
            provider: provider_name(&j.provider_id),
            kind: crate::connections::provider::capitalize(&j.kind),
            status: j.status.label().to_string(),
            queued: local(j.created_at),
            took: match (j.started_at, j.completed_at) {
                (Some(s), Some(c)) => format!("{} s", (c - s).num_seconds().max(0)),
                _ => String::new(),
            },
            items: j.metrics_synced,
            attempts: j.attempts,
            next_try: (j.status == JobStatus::Pending)
                .then_some(j.run_after)
                .flatten()
                .filter(|at| *at > now)
                .map(local),
            can_retry: j.status == JobStatus::Failed,
            error: j.error,
            id: j.id,
        })
        .collect();
    Ok(JobsOverview {
        jobs,
        older,
        people,
        providers,
    })
}

/// Queues a new sync for the connection of a failed job.
#[server(endpoint = "admin/jobs/retry")]
pub async fn retry_job(id: String) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_admin()?;
    crate::connections::service::retry_job(
        &ctx.state,
        &auth.user.workspace_id,
        &id,
        chrono::Utc::now(),
    )
    .await
}
