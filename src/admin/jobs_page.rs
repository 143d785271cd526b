//! `/admin/jobs`: the workspace's sync jobs with filters (a plain GET form, so it works
//! without JavaScript), error details and a retry for failed jobs.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::jobs::{list_jobs, JobInfo, RetryJob};
use crate::ui::AdminTabs;
use crate::ui::{action_error, Access, EmptyState, ErrorPanel, FormError, Guarded};

#[component]
pub fn JobsPage() -> impl IntoView {
    view! {
        <Title text="Sync jobs"/>
        <Guarded access=Access::Admin page=|_| view! { <Jobs/> }/>
    }
}

#[component]
fn Jobs() -> impl IntoView {
    let query = use_query_map();
    let retry = ServerAction::<RetryJob>::new();
    let retry_error = action_error(retry);
    let param = move |k: &str| query.with(|q| q.get(k)).filter(|v| !v.is_empty());
    let jobs = Resource::new(
        move || {
            (
                param("status"),
                param("provider"),
                param("person"),
                param("since"),
                param("before"),
                retry.version().get(),
            )
        },
        |(status, provider, person, since, before, _)| {
            list_jobs(status, provider, person, since, before)
        },
    );
    view! {
        <header class="page-header">
            <h1>"Admin"</h1>
            <p class="muted">"Every sync of this workspace, newest first."</p>
        </header>
        <AdminTabs current="/admin/jobs"/>
        <FormError error=retry_error/>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match jobs.await {
                    Ok(o) => {
                        let selected = move |k: &str| param(k).unwrap_or_default();
                        let older = o.older.clone().map(|b| {
                            let mut q: Vec<(String, String)> = ["status", "provider", "person", "since"]
                                .iter()
                                .filter_map(|k| param(k).map(|v| (k.to_string(), v)))
                                .collect();
                            q.push(("before".into(), b));
                            let qs = q.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&");
                            format!("/admin/jobs?{qs}")
                        });
                        view! {
                            <form method="get" action="/admin/jobs" class="card filters" aria-label="Filter jobs">
                                <div class="field">
                                    <label for="f-status">"Status"</label>
                                    <select id="f-status" name="status">
                                        <option value="">"Any"</option>
                                        {[("pending", "Pending"), ("running", "Running"), ("completed", "Completed"), ("failed", "Failed")].into_iter().map(|(s, l)| view! {
                                            <option value=s selected=selected("status") == s>{l}</option>
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="f-provider">"Provider"</label>
                                    <select id="f-provider" name="provider">
                                        <option value="">"Any"</option>
                                        {o.providers.iter().map(|(id, name)| view! {
                                            <option value=id.clone() selected=selected("provider") == *id>{name.clone()}</option>
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="f-person">"Person"</label>
                                    <select id="f-person" name="person">
                                        <option value="">"Anyone"</option>
                                        {o.people.iter().map(|(id, label)| view! {
                                            <option value=id.clone() selected=selected("person") == *id>{label.clone()}</option>
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="f-since">"Queued"</label>
                                    <select id="f-since" name="since">
                                        {[("", "Any time"), ("day", "Last 24 hours"), ("week", "Last 7 days"), ("month", "Last 30 days")].into_iter().map(|(v, l)| view! {
                                            <option value=v selected=selected("since") == v>{l}</option>
                                        }).collect_view()}
                                    </select>
                                </div>
                                <div class="filter-actions">
                                    <button type="submit" class="btn btn-primary">"Show"</button>
                                    <a class="btn btn-ghost" href="/admin/jobs">"Clear"</a>
                                </div>
                            </form>
                            {if o.jobs.is_empty() {
                                view! { <EmptyState title="No sync jobs match" message="Jobs appear here when people connect devices and data is synced."/> }.into_any()
                            } else {
                                view! {
                                    <section class="card" aria-label="Sync jobs">
                                        <ul class="plain-list job-list">
                                            {o.jobs.into_iter().map(|j| view! { <JobRow job=j retry=retry/> }).collect_view()}
                                        </ul>
                                    </section>
                                }.into_any()
                            }}
                            {older.map(|href| view! { <p><a class="btn btn-secondary" href=href>"Older jobs"</a></p> })}
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

pub(super) fn urlencode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
fn JobRow(job: JobInfo, retry: ServerAction<RetryJob>) -> impl IntoView {
    let badge = match job.status.as_str() {
        "Completed" => "badge badge-good",
        "Failed" => "badge badge-bad",
        _ => "badge",
    };
    let mut facts = vec![
        job.kind.clone(),
        format!("queued {}", job.queued),
        format!(
            "{} item(s)",
            crate::health::catalogue::format_number(job.items as f64, 0)
        ),
        format!("{} attempt(s)", job.attempts),
    ];
    if !job.took.is_empty() {
        facts.push(format!("took {}", job.took));
    }
    if let Some(n) = &job.next_try {
        facts.push(format!("next try {n}"));
    }
    let id = job.id.clone();
    view! {
        <li class="job" data-job=job.id.clone() data-status=job.status.to_lowercase()>
            <p><span class="cell-main">{format!("{} · {}", job.person, job.provider)}</span><span class=badge>{job.status.clone()}</span></p>
            <p class="muted small">{facts.join(" · ")}</p>
            {job.error.clone().map(|e| view! {
                <details class="job-error">
                    <summary class="small field-error">"Error"</summary>
                    <pre class="code small">{e}</pre>
                </details>
            })}
            {job.can_retry.then(|| view! {
                <ActionForm action=retry attr:class="inline-form">
                    <input type="hidden" name="id" value=id/>
                    <button type="submit" class="btn btn-secondary">"Retry"</button>
                </ActionForm>
            })}
        </li>
    }
}
