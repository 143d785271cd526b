//! `/admin/webhooks` (endpoints: create, switch on/off, test) and `/admin/webhooks/{id}` (the
//! delivery log with payloads and redelivery).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::server_fns::{
    list_webhooks, webhook_detail, CreateWebhook, CreatedWebhook, DeleteWebhook, DeliveryInfo,
    Redeliver, SendTestEvent, SetWebhookActive, WebhookInfo, WebhooksOverview,
};
use crate::ui::AdminTabs;
use crate::ui::{
    action_error, field_error, reset_on_success, Access, EmptyState, ErrorPanel, FormError,
    FormField, Guarded, Submit,
};

#[component]
pub fn WebhooksPage() -> impl IntoView {
    view! {
        <Title text="Webhooks"/>
        <Guarded access=Access::Admin page=|_| view! { <Webhooks/> }/>
    }
}

#[component]
fn Webhooks() -> impl IntoView {
    let create = ServerAction::<CreateWebhook>::new();
    let toggle = ServerAction::<SetWebhookActive>::new();
    let test = ServerAction::<SendTestEvent>::new();
    let overview = Resource::new(
        move || {
            (
                create.version().get(),
                toggle.version().get(),
                test.version().get(),
            )
        },
        |_| list_webhooks(),
    );
    view! {
        <header class="page-header">
            <h1>"Admin"</h1>
            <p class="muted">"Webhooks tell your other systems when something happens here."</p>
        </header>
        <AdminTabs current="/admin/webhooks"/>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <Sections overview=o create=create toggle=toggle test=test/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Sections(
    overview: WebhooksOverview,
    create: ServerAction<CreateWebhook>,
    toggle: ServerAction<SetWebhookActive>,
    test: ServerAction<SendTestEvent>,
) -> impl IntoView {
    let switched_off = overview
        .webhooks
        .iter()
        .filter(|w| !w.active && w.disabled_reason.as_deref() != Some("Switched off by an admin."))
        .count();
    view! {
        {overview.just_created.map(|w| view! { <NewSecret hook=w/> })}
        {(switched_off > 0).then(|| view! {
            <div class="alert alert-error" role="alert">
                {format!("{switched_off} endpoint(s) were switched off because deliveries kept failing. See the reason below, fix the receiver, then switch it on again.")}
            </div>
        })}
        <div class="admin-grid">
            <CreateSection create=create choices=overview.event_choices allow_private=overview.allow_private/>
            <EndpointList hooks=overview.webhooks toggle=toggle test=test/>
        </div>
    }
}

#[component]
fn NewSecret(hook: CreatedWebhook) -> impl IntoView {
    view! {
        <section class="alert alert-success new-key" role="status" aria-labelledby="new-secret-title">
            <h2 id="new-secret-title" class="card-title">"Endpoint added"</h2>
            <p>{format!("Events for {} are signed with this secret. Copy it into your receiver now: it is shown only this once.", hook.url)}</p>
            <label class="sr-only" for="new-webhook-secret">"Signing secret"</label>
            <input id="new-webhook-secret" class="copy-field" type="text" readonly value=hook.secret/>
            <p class="small muted">"Verify the webhook-signature header with any Standard Webhooks library."</p>
        </section>
    }
}

#[component]
fn CreateSection(
    create: ServerAction<CreateWebhook>,
    choices: Vec<(String, String)>,
    allow_private: bool,
) -> impl IntoView {
    let error = action_error(create);
    let form = NodeRef::new();
    reset_on_success(create, form);
    let hint = if allow_private {
        "https:// (http:// and private addresses are allowed on this development server)."
    } else {
        "A public https:// address."
    };
    view! {
        <section class="card" aria-labelledby="create-webhook-title">
            <h2 id="create-webhook-title" class="card-title">"Add an endpoint"</h2>
            <ActionForm action=create node_ref=form attr:class="stack" attr:novalidate=true>
                <FormError error=error/>
                <FormField label="Endpoint URL" name="url" kind="url" required=true inputmode="url" placeholder="https://example.com/hooks/vitasync" hint=hint error=field_error(error, "url")/>
                <fieldset class="field">
                    <legend>"Events to send"</legend>
                    {choices.into_iter().enumerate().map(|(i, (name, about))| view! {
                        <label class="check choice">
                            <input type="checkbox" name=format!("e{i}") value="on" checked=true/>
                            <span><strong class="mono">{name}</strong><span class="cell-sub muted small">{about}</span></span>
                        </label>
                    }).collect_view()}
                    <p class="field-error" aria-live="polite">{move || field_error(error, "events").get()}</p>
                </fieldset>
                <FormField label="Description (optional)" name="description" maxlength=255 error=field_error(error, "description")/>
                <Submit label="Add endpoint" pending=create.pending()/>
            </ActionForm>
        </section>
    }
}

#[component]
fn EndpointList(
    hooks: Vec<WebhookInfo>,
    toggle: ServerAction<SetWebhookActive>,
    test: ServerAction<SendTestEvent>,
) -> impl IntoView {
    let toggle_error = action_error(toggle);
    let test_error = action_error(test);
    let tested = crate::ui::action_done(test);
    view! {
        <section class="card wide" aria-labelledby="endpoints-title">
            <h2 id="endpoints-title" class="card-title">"Endpoints"</h2>
            <FormError error=toggle_error/>
            <FormError error=test_error/>
            <Show when=move || tested.get()>
                <div class="alert alert-success" role="status">"Test event queued. Open the endpoint to see its delivery."</div>
            </Show>
            {if hooks.is_empty() {
                view! { <EmptyState title="No endpoints yet" message="Add the address of a receiver and choose the events it should get."/> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {hooks.into_iter().map(|h| view! { <EndpointRow hook=h toggle=toggle test=test/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn EndpointRow(
    hook: WebhookInfo,
    toggle: ServerAction<SetWebhookActive>,
    test: ServerAction<SendTestEvent>,
) -> impl IntoView {
    let (badge, label) = if hook.active {
        ("badge badge-good", "Active")
    } else {
        ("badge", "Off")
    };
    let href = format!("/admin/webhooks/{}", hook.id);
    let id = hook.id.clone();
    view! {
        <li class="list-row key-row" data-webhook=hook.id.clone()>
            <div class="key-main">
                <p><a class="cell-main mono" href=href.clone()>{hook.url.clone()}</a><span class=badge>{label}</span></p>
                {hook.description.clone().map(|d| view! { <p class="small">{d}</p> })}
                <p class="muted small">{hook.events.join(", ")}</p>
                {hook.disabled_reason.clone().map(|r| view! { <p class="small field-error">{r}</p> })}
                {hook.failing_since.clone().map(|s| view! { <p class="small field-error">{format!("Deliveries failing since {s}")}</p> })}
            </div>
            <div class="hook-actions">
                <a class="btn btn-secondary" href=href>"Deliveries"</a>
                {hook.active.then(|| {
                    let id = id.clone();
                    view! {
                        <ActionForm action=test attr:class="inline-form">
                            <input type="hidden" name="id" value=id/>
                            <button type="submit" class="btn btn-secondary">"Send test event"</button>
                        </ActionForm>
                    }
                })}
                <ActionForm action=toggle attr:class="inline-form">
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="active" value=if hook.active { "false" } else { "true" }/>
                    <button type="submit" class="btn btn-ghost">{if hook.active { "Switch off" } else { "Switch on" }}</button>
                </ActionForm>
            </div>
        </li>
    }
}

#[component]
pub fn WebhookPage() -> impl IntoView {
    view! {
        <Title text="Webhook deliveries"/>
        <Guarded access=Access::Admin page=|_| view! { <Detail/> }/>
    }
}

#[component]
fn Detail() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let redeliver = ServerAction::<Redeliver>::new();
    let test = ServerAction::<SendTestEvent>::new();
    let delete = ServerAction::<DeleteWebhook>::new();
    let detail = Resource::new(
        move || {
            (
                params.with(|p| p.get("id").unwrap_or_default()),
                query.with(|q| q.get("before")),
                redeliver.version().get(),
                test.version().get(),
            )
        },
        |(id, before, _, _)| webhook_detail(id, before),
    );
    let redeliver_error = action_error(redeliver);
    let delete_error = action_error(delete);
    view! {
        <header class="page-header">
            <h1>"Deliveries"</h1>
            <p><a href="/admin/webhooks">"← All endpoints"</a></p>
        </header>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => {
                        let id = d.webhook.id.clone();
                        let older = d.older.clone().map(|b| format!("/admin/webhooks/{id}?before={b}"));
                        view! {
                            <section class="card" aria-label="Endpoint">
                                <p class="mono cell-main">{d.webhook.url.clone()}</p>
                                <p class="muted small">{d.webhook.events.join(", ")}</p>
                                {d.webhook.disabled_reason.clone().map(|r| view! { <p class="small field-error">{r}</p> })}
                                <div class="hook-actions">
                                    <a class="btn btn-secondary" href=format!("/admin/webhooks/{id}")>"Refresh"</a>
                                    {d.webhook.active.then(|| {
                                        let id = id.clone();
                                        view! {
                                            <ActionForm action=test attr:class="inline-form">
                                                <input type="hidden" name="id" value=id/>
                                                <button type="submit" class="btn btn-secondary">"Send test event"</button>
                                            </ActionForm>
                                        }
                                    })}
                                </div>
                            </section>
                            <FormError error=redeliver_error/>
                            {if d.deliveries.is_empty() {
                                view! { <EmptyState title="No deliveries yet" message="Events for this endpoint appear here as they are sent. Send a test event to try it."/> }.into_any()
                            } else {
                                view! {
                                    <ul class="plain-list delivery-log">
                                        {d.deliveries.into_iter().map(|x| view! { <DeliveryRow d=x webhook_id=id.clone() redeliver=redeliver/> }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            {older.map(|href| view! { <p><a class="btn btn-secondary" href=href>"Older deliveries"</a></p> })}
                            <details class="card danger-zone" open=move || delete_error.get().is_some()>
                                <summary class="card-title">"Delete this endpoint"</summary>
                                <ActionForm action=delete attr:class="stack">
                                    <input type="hidden" name="id" value=d.webhook.id.clone()/>
                                    <label class="check"><input type="checkbox" name="confirm" value="delete"/>" Delete the endpoint and its delivery log."</label>
                                    <p class="field-error">{move || field_error(delete_error, "confirm").get()}</p>
                                    <button type="submit" class="btn btn-danger">"Delete endpoint"</button>
                                </ActionForm>
                            </details>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DeliveryRow(
    d: DeliveryInfo,
    webhook_id: String,
    redeliver: ServerAction<Redeliver>,
) -> impl IntoView {
    let badge = match d.status.as_str() {
        "Delivered" => "badge badge-good",
        "Failed" => "badge badge-bad",
        _ => "badge",
    };
    let code = d
        .status_code
        .map(|c| format!("HTTP {c}"))
        .unwrap_or_else(|| "No answer".into());
    let timing = d
        .response_ms
        .map(|ms| format!(" · {ms} ms"))
        .unwrap_or_default();
    let retry = d
        .next_retry
        .clone()
        .map(|t| format!(" · next try {t}"))
        .unwrap_or_default();
    let can_redeliver = d.status != "Pending";
    let delivery_id = d.id.clone();
    view! {
        <li class="delivery" data-delivery=d.id.clone() data-status=d.status.to_lowercase()>
            <p><span class="cell-main mono">{d.event.clone()}</span><span class=badge>{d.status.clone()}</span></p>
            <p class="muted small">{format!("{} · {} attempt(s) · {code}{timing}{retry}", d.created, d.attempts)}</p>
            {d.error.clone().map(|e| view! { <p class="small field-error">{e}</p> })}
            <details>
                <summary class="small">"Payload and answer"</summary>
                <p class="small muted mono">{format!("webhook-id: {}", d.message_id)}</p>
                <pre class="code small">{d.payload.clone()}</pre>
                {d.response_body.clone().map(|b| view! { <p class="small muted">"Answer:"</p><pre class="code small">{b}</pre> })}
            </details>
            {can_redeliver.then(|| view! {
                <ActionForm action=redeliver attr:class="inline-form">
                    <input type="hidden" name="webhook_id" value=webhook_id/>
                    <input type="hidden" name="delivery_id" value=delivery_id/>
                    <button type="submit" class="btn btn-ghost">"Redeliver"</button>
                </ActionForm>
            })}
        </li>
    }
}
