//! `/admin/users` (search, pages, create) and `/admin/users/:id` (one person: connections, last
//! syncs, data counts, sign-in and role, switch off/on, delete). Search and pages are plain GET links and forms
//! post as server functions, so everything works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::access::{InvitePerson, SetPersonRole};
use super::access_section::AccessSection;
use super::users::{
    get_person, list_people, CreatePerson, DeletePerson, PersonDetail, PersonInfo,
    SetPersonDisabled,
};
use crate::ui::AdminTabs;
use crate::ui::{
    action_error, field_error, Access, EmptyState, ErrorPanel, FormError, FormField, Guarded,
    Submit,
};

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <Title text="Users"/>
        <Guarded access=Access::Admin page=|_| view! { <Users/> }/>
    }
}

#[component]
fn Users() -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.with(|q| q.get(k)).filter(|v| !v.is_empty());
    let people = Resource::new(
        move || (param("q"), param("after")),
        |(q, after)| list_people(q, after),
    );
    view! {
        <header class="page-header">
            <h1>"Admin"</h1>
            <p class="muted">"Everyone in this workspace: people who sign in, and people your apps manage through the API."</p>
        </header>
        <AdminTabs current="/admin/users"/>
        <div class="admin-grid">
            <section class="card wide" aria-labelledby="people-title">
                <h2 id="people-title" class="card-title">"People"</h2>
                <form method="get" action="/admin/users" class="search-row" role="search">
                    <label class="sr-only" for="people-q">"Search people"</label>
                    <input id="people-q" type="search" name="q" maxlength="200" placeholder="Name, email or external id" value=move || param("q").unwrap_or_default()/>
                    <button type="submit" class="btn btn-secondary">"Search"</button>
                </form>
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match people.await {
                            Ok(o) if o.people.is_empty() => view! {
                                <EmptyState title="Nobody matches" message="Try part of a name, an email or an external id."/>
                            }.into_any(),
                            Ok(o) => {
                                let next = o.next.clone().map(|after| {
                                    let q = param("q").map(|q| format!("q={}&", super::jobs_page::urlencode(&q))).unwrap_or_default();
                                    format!("/admin/users?{q}after={after}")
                                });
                                view! {
                                    <ul class="plain-list people-list">
                                        {o.people.into_iter().map(|p| view! { <PersonRow person=p/> }).collect_view()}
                                    </ul>
                                    {next.map(|href| view! { <p><a class="btn btn-secondary" href=href>"More people"</a></p> })}
                                }.into_any()
                            }
                            Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
            <CreateSection/>
        </div>
    }
}

#[component]
fn PersonRow(person: PersonInfo) -> impl IntoView {
    let badge = match person.status.as_str() {
        "Disabled" => "badge badge-bad",
        "Active" => "badge badge-good",
        _ => "badge",
    };
    let mut facts = vec![person.role.as_str().to_string()];
    if let Some(e) = &person.email {
        facts.push(e.clone());
    }
    if let Some(x) = &person.external_id {
        facts.push(format!("external id {x}"));
    }
    facts.push(format!("added {}", person.created));
    view! {
        <li class="list-row" data-person=person.id.clone()>
            <div>
                <p><a class="cell-main" href=format!("/admin/users/{}", person.id)>{person.name.clone()}</a>" "<span class=badge>{person.status.clone()}</span></p>
                <p class="muted small">{facts.join(" · ")}</p>
            </div>
        </li>
    }
}

#[component]
fn CreateSection() -> impl IntoView {
    let create = ServerAction::<CreatePerson>::new();
    let error = action_error(create);
    view! {
        <section class="card" aria-labelledby="create-title">
            <h2 id="create-title" class="card-title">"Add a person"</h2>
            <p class="muted small">"For someone your app manages: they exist for the API and webhooks, without a password to sign in."</p>
            <ActionForm action=create attr:class="stack" attr:novalidate=true>
                <FormError error=error/>
                <FormField label="External id" name="external_id" maxlength=255 hint="Your app's id for this person" error=field_error(error, "external_id")/>
                <FormField label="Email" name="email" kind="email" error=field_error(error, "email")/>
                <FormField label="Display name" name="display_name" maxlength=100 error=field_error(error, "display_name")/>
                <FormField label="Time zone" name="timezone" placeholder="Europe/Paris" hint="IANA name; days and streaks are counted in it (UTC when empty)" error=field_error(error, "timezone")/>
                <div class="field">
                    <label for="person-metadata">"Metadata (JSON object)"</label>
                    <textarea id="person-metadata" name="metadata" rows="3" placeholder="{\"plan\": \"pro\"}"></textarea>
                    <p class="field-error">{move || field_error(error, "metadata").get()}</p>
                </div>
                <Submit label="Add person" pending=create.pending()/>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn PersonPage() -> impl IntoView {
    view! {
        <Title text="Person"/>
        <Guarded access=Access::Admin page=|_| view! { <Person/> }/>
    }
}

#[component]
fn Person() -> impl IntoView {
    let params = use_params_map();
    let switch = ServerAction::<SetPersonDisabled>::new();
    let delete = ServerAction::<DeletePerson>::new();
    let invite = ServerAction::<InvitePerson>::new();
    let role = ServerAction::<SetPersonRole>::new();
    let invited = crate::health::pages::query_param(super::fresh_invite::INVITED);
    let detail = Resource::new(
        move || {
            (
                params.with(|p| p.get("id").unwrap_or_default()),
                invited.get(),
                switch.version().get(),
                invite.version().get(),
                role.version().get(),
            )
        },
        |(id, invited, ..)| get_person(id, invited),
    );
    view! {
        <header class="page-header">
            <h1>"Admin"</h1>
            <p><a href="/admin/users">"← All people"</a></p>
        </header>
        <AdminTabs current="/admin/users"/>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <PersonSections detail=d switch=switch delete=delete invite=invite role=role/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PersonSections(
    detail: PersonDetail,
    switch: ServerAction<SetPersonDisabled>,
    delete: ServerAction<DeletePerson>,
    invite: ServerAction<InvitePerson>,
    role: ServerAction<SetPersonRole>,
) -> impl IntoView {
    let switch_error = action_error(switch);
    let delete_error = action_error(delete);
    let p = detail.person.clone();
    let id = p.id.clone();
    let id2 = p.id.clone();
    view! {
        <div class="admin-grid">
            <section class="card" aria-labelledby="person-title">
                <h2 id="person-title" class="card-title">{p.name.clone()}" "<span class="badge">{p.status.clone()}</span></h2>
                <dl class="facts">
                    <dt>"Email"</dt><dd>{p.email.clone().unwrap_or_else(|| "—".into())}</dd>
                    <dt>"External id"</dt><dd>{p.external_id.clone().unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Role"</dt><dd>{p.role.label()}</dd>
                    <dt>"Time zone"</dt><dd>{detail.timezone.clone()}</dd>
                    <dt>"Added"</dt><dd>{p.created.clone()}</dd>
                    <dt>"Id"</dt><dd><code class="small">{p.id.clone()}</code></dd>
                </dl>
                <details>
                    <summary class="small">"Metadata"</summary>
                    <pre class="code small">{detail.metadata.clone()}</pre>
                </details>
            </section>
            <section class="card" aria-labelledby="data-title">
                <h2 id="data-title" class="card-title">"Data"</h2>
                <dl class="facts">
                    {detail.counts.iter().map(|(label, n)| view! {
                        <dt>{label.clone()}</dt><dd class="num">{crate::health::catalogue::format_number(*n as f64, 0)}</dd>
                    }).collect_view()}
                </dl>
            </section>
            <section class="card" aria-labelledby="conn-title">
                <h2 id="conn-title" class="card-title">"Connections"</h2>
                {if detail.connections.is_empty() {
                    view! { <p class="muted">"No devices or apps connected."</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain-list">
                            {detail.connections.iter().map(|(provider, status, last)| view! {
                                <li class="list-row"><div><p>{provider.clone()}" · "{status.clone()}</p><p class="muted small">{format!("last sync {last}")}</p></div></li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                <h3 class="small">"Latest syncs"</h3>
                {if detail.syncs.is_empty() {
                    view! { <p class="muted small">"None yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain-list">
                            {detail.syncs.iter().map(|(provider, status, queued)| view! {
                                <li class="small">{format!("{provider} · {status} · {queued}")}</li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                <p class="small"><a href=format!("/admin/jobs?person={}", p.id)>"All their sync jobs"</a></p>
            </section>
            <AccessSection detail=detail.clone() base_url=detail.base_url.clone() invite=invite role=role/>
            {detail.can_change.then(|| view! {
                <section class="card" aria-labelledby="manage-title">
                    <h2 id="manage-title" class="card-title">"Manage"</h2>
                    <FormError error=switch_error/>
                    <ActionForm action=switch attr:class="stack">
                        <input type="hidden" name="id" value=id.clone()/>
                        <input type="hidden" name="disabled" value=if detail.disabled { "false" } else { "true" }/>
                        <p class="muted small">{if detail.disabled {
                            "Switched off: they cannot sign in and their data is kept."
                        } else {
                            "Switching off signs them out at once and stops sign-in; their data is kept."
                        }}</p>
                        <button type="submit" class="btn btn-secondary">{if detail.disabled { "Switch on" } else { "Switch off" }}</button>
                    </ActionForm>
                    <ActionForm action=delete attr:class="stack danger-zone">
                        <input type="hidden" name="id" value=id2.clone()/>
                        <label class="check"><input type="checkbox" name="confirm" value="delete"/>" I understand this deletes the person and all their data."</label>
                        <p class="field-error">{move || field_error(delete_error, "confirm").get()}</p>
                        <button type="submit" class="btn btn-danger">"Delete person"</button>
                    </ActionForm>
                </section>
            })}
        </div>
    }
}
