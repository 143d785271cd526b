//! `/admin/api-keys`: create, list and revoke the workspace's API keys.

use leptos::prelude::*;
use leptos_meta::Title;

use super::server_fns::{
    list_api_keys, ApiKeyInfo, ApiKeysOverview, CreateApiKey, CreatedKey, RevokeApiKey,
};
use crate::ui::AdminTabs;
use crate::ui::{
    action_error, field_error, reset_on_success, Access, EmptyState, ErrorPanel, FormError,
    FormField, Guarded, Submit,
};

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    view! {
        <Title text="API keys"/>
        <Guarded access=Access::Admin page=|_| view! { <ApiKeys/> }/>
    }
}

#[component]
fn ApiKeys() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let overview = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_api_keys(),
    );
    view! {
        <header class="page-header">
            <h1>"Admin"</h1>
            <p class="muted">"Keys let other apps use the VitaSync API for this workspace. "<a href="/docs/api" rel="external">"API reference"</a></p>
        </header>
        <AdminTabs current="/admin/api-keys"/>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <Sections overview=o create=create revoke=revoke/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Sections(
    overview: ApiKeysOverview,
    create: ServerAction<CreateApiKey>,
    revoke: ServerAction<RevokeApiKey>,
) -> impl IntoView {
    let api_base = overview.api_base.clone();
    view! {
        {overview.just_created.map(|k| view! { <NewKey key=k api_base=api_base.clone()/> })}
        <div class="admin-grid">
            <CreateSection create=create/>
            <KeyList keys=overview.keys revoke=revoke/>
        </div>
    }
}

/// The raw key, shown once, with a copy button and an example request.
#[component]
fn NewKey(key: CreatedKey, api_base: String) -> impl IntoView {
    let example = format!(
        "curl -H \"Authorization: Bearer {}\" {api_base}/users",
        key.raw
    );
    view! {
        <section class="alert alert-success new-key" role="status" aria-labelledby="new-key-title">
            <h2 id="new-key-title" class="card-title">{format!("Key \u{201c}{}\u{201d} created", key.name)}</h2>
            <p>"Copy it now and keep it somewhere safe: it is shown only this once. VitaSync stores only a fingerprint of it."</p>
            <label class="sr-only" for="new-key-value">"New API key"</label>
            <div class="copy-row">
                <input id="new-key-value" class="copy-field" type="text" readonly value=key.raw.clone()/>
                <crate::ui::CopyButton text=key.raw.clone()/>
            </div>
            <p class="small muted">"Try it:"</p>
            <pre class="code small">{example}</pre>
        </section>
    }
}

#[component]
fn CreateSection(create: ServerAction<CreateApiKey>) -> impl IntoView {
    let error = action_error(create);
    let form = NodeRef::new();
    reset_on_success(create, form);
    let choices = [
        (
            "read",
            "Read",
            "See users, connections, health data and sync jobs.",
        ),
        (
            "write",
            "Read and write",
            "Also create and change users and their data, connect devices and start syncs.",
        ),
        ("admin", "Admin", "Also manage API keys and webhooks."),
    ];
    view! {
        <section class="card" aria-labelledby="create-key-title">
            <h2 id="create-key-title" class="card-title">"Create a key"</h2>
            <ActionForm action=create node_ref=form attr:class="stack" attr:novalidate=true>
                <FormError error=error/>
                <FormField label="Name" name="name" required=true maxlength=100 placeholder="Billing sync" error=field_error(error, "name")/>
                <fieldset class="field">
                    <legend>"Access"</legend>
                    {choices.into_iter().map(|(value, label, hint)| view! {
                        <label class="check choice">
                            <input type="radio" name="access" value=value checked=value == "read"/>
                            <span><strong>{label}</strong><span class="cell-sub muted small">{hint}</span></span>
                        </label>
                    }).collect_view()}
                    <p class="field-error" aria-live="polite">{move || field_error(error, "access").get()}</p>
                </fieldset>
                <FormField label="Expires on (optional)" name="expires_on" kind="date" hint="Leave empty for a key that never expires." error=field_error(error, "expires_on")/>
                <Submit label="Create key" pending=create.pending()/>
            </ActionForm>
        </section>
    }
}

#[component]
fn KeyList(keys: Vec<ApiKeyInfo>, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    let error = action_error(revoke);
    let live = keys.iter().filter(|k| k.live).count();
    view! {
        <section class="card wide" aria-labelledby="keys-title">
            <h2 id="keys-title" class="card-title">{format!("Keys · {live} active")}</h2>
            <FormError error=error/>
            {if keys.is_empty() {
                view! { <EmptyState title="No API keys yet" message="Create a key for each app that uses the API, so each can be revoked on its own."/> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {keys.into_iter().map(|k| view! { <KeyRow key=k revoke=revoke/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn KeyRow(key: ApiKeyInfo, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    let badge = match key.status.as_str() {
        "Active" => "badge badge-good",
        _ => "badge",
    };
    let id = key.id.clone();
    let name = key.name.clone();
    view! {
        <li class="list-row key-row" data-key=key.id>
            <div class="key-main">
                <p><span class="cell-main">{key.name}</span><span class=badge>{key.status.clone()}</span></p>
                <p class="mono small">{key.shown_as}</p>
                <p class="muted small">{format!("{} · created {} · last used {} · expires {}", key.scopes.join(", "), key.created, key.last_used, key.expires)}</p>
            </div>
            {key.live.then(|| view! {
                <details class="revoke">
                    <summary class="btn btn-ghost">"Revoke"</summary>
                    <ActionForm action=revoke attr:class="inline-form">
                        <input type="hidden" name="id" value=id/>
                        <p class="small">"Apps using this key stop working at once."</p>
                        <button type="submit" class="btn btn-danger">{format!("Revoke \u{201c}{name}\u{201d}")}</button>
                    </ActionForm>
                </details>
            })}
        </li>
    }
}
