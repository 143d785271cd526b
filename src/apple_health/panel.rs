//! The Apple Health card of the Connections page: upload an export, then follow its progress
//! (the page refreshes itself every 2 s while an import runs; the form is a plain multipart
//! post: neither needs JavaScript).

use leptos::prelude::*;

use super::server_fns::{list_imports, ImportView};
use crate::health::pages::query_param;
use crate::ui::ErrorPanel;

/// Why an upload was refused (`?import_error=` after the redirect).
fn upload_error(code: &str) -> &'static str {
    match code {
        "missing" => "Choose the export.zip (or export.xml) file first.",
        "type" => "That is not a Health export: upload export.zip or export.xml.",
        "too_large" => {
            "That file is larger than this server accepts: upload export.zip rather than export.xml."
        }
        "quota" => {
            "That file would take your uploads over the space this server allows you; ask its administrator."
        }
        "busy" => "An import is already running; wait for it to finish.",
        _ => "The upload did not complete; try again.",
    }
}

#[component]
pub fn AppleHealthImport() -> impl IntoView {
    let data = Resource::new(|| (), |_| list_imports());
    let error = query_param("import_error");
    view! {
        <section class="card connection" id="apple-health" aria-labelledby="apple-health-title" data-provider="apple_health">
            <div class="connection-head">
                <h2 id="apple-health-title" class="card-title">"Apple Health"</h2>
                <span class="status-pill">"File import"</span>
            </div>
            <p class="muted small">
                "On your iPhone, open Health, tap your picture, then "
                <strong>"Export All Health Data"</strong>
                ". Upload the export.zip it makes: steps, heart rate, sleep, workouts, weight, blood pressure and more. Importing the same file again adds nothing."
            </p>
            {move || error.get().map(|c| view! { <div class="alert alert-error" role="alert">{upload_error(&c)}</div> })}
            <form class="stack" method="post" action="/imports/apple-health" enctype="multipart/form-data">
                <div class="field">
                    <label for="apple-health-file">"Export file"</label>
                    <input id="apple-health-file" type="file" name="file" required accept=".zip,.xml,application/zip,text/xml"/>
                </div>
                <div class="connection-actions">
                    <button type="submit" class="btn btn-primary">"Import"</button>
                </div>
            </form>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) if v.imports.is_empty() => ().into_any(),
                        Ok(v) => view! {
                            // To the page without its #apple-health fragment: a refresh to the
                            // same URL with a fragment only scrolls, it does not reload.
                            {v.busy.then(|| view! { <meta http-equiv="refresh" content="2; url=/connections"/> })}
                            <ul class="import-list" aria-live="polite">
                                {v.imports.into_iter().map(|i| view! { <ImportItem i=i/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ImportItem(i: ImportView) -> impl IntoView {
    let (label, live) = match i.status.as_str() {
        "queued" => ("Waiting to start".to_string(), true),
        "checking" => (format!("Checking the file… {}%", i.percent), true),
        "importing" => (
            format!("Importing… {}% ({} readings so far)", i.percent, i.rows),
            true,
        ),
        "completed" => (
            format!("Imported {} readings from {} records", i.rows, i.records),
            false,
        ),
        _ => ("Failed".to_string(), false),
    };
    let value = if i.status == "completed" {
        100
    } else {
        i.percent
    };
    view! {
        <li class="import-item" data-status=i.status.clone()>
            <div class="import-head small">
                <strong>{i.file_name.clone()}</strong>
                <span class="muted">{format!("{} · {}", i.megabytes, i.when)}</span>
            </div>
            {live.then(|| view! { <progress max="100" value=value.to_string()>{format!("{value}%")}</progress> })}
            <p class=if live { "sync-progress live small" } else { "small" }>{label}</p>
            {i.error.clone().map(|e| view! { <div class="alert alert-error" role="alert">{e}</div> })}
        </li>
    }
}
