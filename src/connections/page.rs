//! The Connections screen: every provider with its status, Connect / Sync now / Disconnect,
//! and the progress of a running sync, kept current without a reload.

use leptos::prelude::*;
use leptos_meta::Title;

use super::server_fns::{list_connections, ConnectionsView, Disconnect, ProviderCard, SyncNow};
use crate::health::pages::query_param;
use crate::ui::{action_error, Access, ErrorPanel, FormError, Guarded};

#[component]
pub fn ConnectionsPage() -> impl IntoView {
    view! {
        <Title text="Connections"/>
        <Guarded access=Access::Member page=|_| view! { <Connections/> }/>
    }
}

/// The banner after returning from a provider.
fn outcome_message(
    connected: Option<String>,
    failed: Option<String>,
    provider: Option<String>,
) -> Option<(bool, String)> {
    let name = |id: &str| match id {
        "demo" => "VitaSync Demo".to_string(),
        other => crate::health::sources::source_name(other),
    };
    if let Some(id) = connected {
        return Some((
            true,
            format!(
                "{} is connected. The first sync has started; your data will appear as it arrives.",
                name(&id)
            ),
        ));
    }
    let code = failed?;
    let who = provider
        .map(|p| name(&p))
        .unwrap_or_else(|| "The provider".into());
    let text = match code.as_str() {
        "denied" => format!("You declined access at {who}. Nothing was stored."),
        "state" => "That authorization link was already used or did not start here. Nothing was stored; connect again.".to_string(),
        "expired" => "The authorization took longer than 10 minutes and expired. Nothing was stored; connect again.".to_string(),
        "session" => "The authorization was started in another session or browser. Nothing was stored; connect again from here.".to_string(),
        "exchange" => format!("{who} did not accept the authorization. Nothing was stored; try again."),
        "provider" => format!("{who} reported an error. Nothing was stored; try again."),
        "account" => format!("{who} did not say which account you connected, and its data could not reach you without it. Nothing was stored; try again."),
        "unavailable" => "That provider is not available on this server.".to_string(),
        _ => "Something went wrong on our side. Nothing was stored; please try again.".to_string(),
    };
    Some((false, text))
}

#[component]
fn Connections() -> impl IntoView {
    let sync = ServerAction::<SyncNow>::new();
    let disconnect = ServerAction::<Disconnect>::new();
    let data = Resource::new(
        move || (sync.version().get(), disconnect.version().get()),
        |_| list_connections(),
    );
    let banner = {
        let (c, f, p) = (
            query_param("connected"),
            query_param("failed"),
            query_param("provider"),
        );
        move || outcome_message(c.get(), f.get(), p.get())
    };
    let sync_error = action_error(sync);
    let disconnect_error = action_error(disconnect);
    view! {
        <header class="page-header">
            <h1>"Connections"</h1>
            <p class="muted">"Connect a device once; VitaSync keeps its data coming."</p>
        </header>
        {move || banner().map(|(ok, text)| view! {
            <div class=if ok { "alert alert-success" } else { "alert alert-error" } role=if ok { "status" } else { "alert" }>{text}</div>
        })}
        <FormError error=sync_error/>
        <FormError error=disconnect_error/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! {
                        // While a sync is queued or running, the page looks again every 2 s
                        // (a plain refresh: it needs no JavaScript; a refresh pragma works from
                        // the body too).
                        {v.busy.then(|| view! { <meta http-equiv="refresh" content="2; url=/connections"/> })}
                        <ProviderList v=v sync=sync disconnect=disconnect/>
                    }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Devices a person can connect (configured on this server, or connected before), then Apple
/// Health's import; what the server lacks is listed last, and only for administrators, who can
/// set it up.
#[component]
fn ProviderList(
    v: ConnectionsView,
    sync: ServerAction<SyncNow>,
    disconnect: ServerAction<Disconnect>,
) -> impl IntoView {
    let (usable, missing): (Vec<ProviderCard>, Vec<ProviderCard>) = v
        .providers
        .into_iter()
        .partition(|p| p.configured || p.status != "not_connected");
    let missing: Vec<ProviderCard> = missing
        .into_iter()
        .filter(|p| p.setup_hint.is_some())
        .collect();
    let none_usable = usable.is_empty();
    view! {
        {none_usable.then(|| view! {
            <p class="muted">"No device service is set up on this server yet; you can still import from Apple Health below."</p>
        })}
        <div class="connection-list">
            {usable.into_iter().map(|p| view! { <ProviderItem p=p sync=sync disconnect=disconnect/> }).collect_view()}
        </div>
        <crate::apple_health::AppleHealthImport/>
        {(!missing.is_empty()).then(|| {
            let count = missing.len();
            view! {
                <details class="card not-configured">
                    <summary class="card-title">{format!("Not set up on this server ({count})")}</summary>
                    <p class="muted small">"Members don’t see these. Each needs an OAuth client registered with the provider; the variables to set are below."</p>
                    <div class="connection-list">
                        {missing.into_iter().map(|p| view! { <ProviderItem p=p sync=sync disconnect=disconnect/> }).collect_view()}
                    </div>
                </details>
            }
        })}
    }
    .into_any()
}

/// 43724 → "43,724".
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

fn status_label(status: &str) -> (&'static str, &'static str) {
    match status {
        "active" => ("Connected", "status-good"),
        "syncing" => ("Syncing", "status-busy"),
        "error" => ("Needs attention", "status-bad"),
        "disconnected" => ("Disconnected", "status-muted"),
        _ => ("Not connected", "status-muted"),
    }
}

#[component]
fn ProviderItem(
    p: ProviderCard,
    sync: ServerAction<SyncNow>,
    disconnect: ServerAction<Disconnect>,
) -> impl IntoView {
    let (label, class) = status_label(&p.status);
    let title_id = format!("provider-{}", p.id);
    let labelled_by = title_id.clone();
    let connect_action = format!("/connections/{}/connect", p.id);
    let connected = matches!(p.status.as_str(), "active" | "syncing" | "error");
    let shown: Vec<String> = p.data_types.iter().take(8).cloned().collect();
    let more = p.data_types.len().saturating_sub(shown.len());
    let progress = p.job.clone().map(|j| {
        let text = match j.status.as_str() {
            "pending" if j.error.is_some() => {
                format!("Waiting to retry: {}", j.error.clone().unwrap_or_default())
            }
            "pending" => "Sync queued…".to_string(),
            "running" => format!("Syncing… {} items so far", thousands(j.items)),
            "completed" => format!(
                "Last sync brought {} items{}",
                thousands(j.items),
                j.when
                    .as_ref()
                    .map(|w| format!(" ({w})"))
                    .unwrap_or_default()
            ),
            _ => format!(
                "Last sync failed{}",
                j.when
                    .as_ref()
                    .map(|w| format!(" ({w})"))
                    .unwrap_or_default()
            ),
        };
        (j.status == "running" || j.status == "pending", text)
    });
    let id = p.id.clone();
    let id2 = p.id.clone();
    let name = p.name.clone();
    view! {
        <section class="card connection" aria-labelledby=labelled_by data-provider=p.id.clone()>
            <div class="connection-head">
                <h2 id=title_id class="card-title">{p.name.clone()}</h2>
                <span class=format!("status-pill {class}") data-status=p.status.clone()>{label}</span>
            </div>
            <p class="muted small">{p.blurb.clone()}</p>
            <p class="tags" aria-label="Data it supplies">
                {shown.into_iter().map(|t| view! { <span class="tag">{t}</span> }).collect_view()}
                {(more > 0).then(|| view! { <span class="tag">{format!("+{more} more")}</span> })}
            </p>
            <dl class="connection-facts small">
                {p.account.clone().map(|a| view! { <div><dt>"Account"</dt><dd>{a}</dd></div> })}
                {connected.then(|| view! { <div><dt>"Last synced"</dt><dd>{p.last_synced.clone().unwrap_or_else(|| "Not yet".into())}</dd></div> })}
            </dl>
            {progress.map(|(live, text)| view! {
                <p class=if live { "sync-progress live" } else { "sync-progress" } aria-live="polite">{text}</p>
            })}
            {p.last_error.clone().filter(|_| p.status == "error").map(|e| view! {
                <div class="alert alert-error" role="alert">{e}</div>
            })}
            {(!p.configured).then(|| view! {
                <p class="muted">"Not configured on this server."</p>
            })}
            {p.setup_hint.clone().map(|h| view! { <p class="hint">{h}</p> })}
            <div class="connection-actions">
                {(p.configured && p.status != "active" && p.status != "syncing").then(|| view! {
                    <form method="post" action=connect_action.clone()>
                        <button type="submit" class="btn btn-primary">
                            {if p.status == "error" { format!("Reconnect {}", p.name) } else { format!("Connect {}", p.name) }}
                        </button>
                    </form>
                })}
                {(p.status == "active" || p.status == "syncing").then(|| view! {
                    <ActionForm action=sync attr:class="inline-form">
                        <input type="hidden" name="provider" value=id.clone()/>
                        <button type="submit" class="btn btn-secondary" disabled=p.status == "syncing">
                            {if p.status == "syncing" { "Syncing…" } else { "Sync now" }}
                        </button>
                    </ActionForm>
                })}
            </div>
            {connected.then(|| view! {
                <details class="disconnect">
                    <summary>{format!("Disconnect {name}…")}</summary>
                    <ActionForm action=disconnect attr:class="stack">
                        <input type="hidden" name="provider" value=id2.clone()/>
                        <label class="check">
                            <input type="checkbox" name="delete_data" value="on"/>
                            <span>{format!("Also delete the data {name} synced")}</span>
                        </label>
                        <p class="hint">"Otherwise it stays in your history. VitaSync's access is revoked either way."</p>
                        <button type="submit" class="btn btn-danger">"Disconnect"</button>
                    </ActionForm>
                </details>
            })}
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(43_724), "43,724");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
