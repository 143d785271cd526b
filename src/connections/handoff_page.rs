//! `/connect/{token}`: the page a platform sends its user to when it connects a provider for
//! them through the REST API. It names the workspace and the person before anything goes to
//! the provider, so a link opened by the wrong person is recognised; its form (a plain POST,
//! no JavaScript needed) continues to the provider or cancels.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

use super::server_fns::{get_connect_handoff, HandoffDetails};
use crate::auth::pages::AuthCard;
use crate::ui::ErrorPanel;

#[component]
pub fn ConnectHandoffPage() -> impl IntoView {
    let token = use_params_map()
        .with_untracked(|p| p.get("token"))
        .unwrap_or_default();
    let details = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        get_connect_handoff,
    );
    view! {
        <Title text="Connect a device"/>
        <Meta name="robots" content="noindex"/>
        <Suspense>
            {move || {
                let token = token.clone();
                Suspend::new(async move {
                    match details.await {
                        Ok(d) => view! { <HandoffCard token=token details=d/> }.into_any(),
                        Err(error) => view! {
                            <main id="main" class="auth-page"><ErrorPanel error=error/></main>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn HandoffCard(token: String, details: HandoffDetails) -> impl IntoView {
    let HandoffDetails {
        provider_name,
        workspace_name,
        person,
        return_host,
        data_types,
        minutes_left,
    } = details;
    let subtitle = format!("{workspace_name} asks to connect {provider_name} for {person}.");
    let continue_label = format!("Continue to {provider_name}");
    view! {
        <AuthCard title="Connect a device" subtitle=subtitle>
            <dl class="handoff-facts">
                <dt>"Workspace"</dt><dd id="handoff-workspace">{workspace_name}</dd>
                <dt>"For"</dt><dd id="handoff-person">{person}</dd>
                <dt>"Provider"</dt><dd id="handoff-provider">{provider_name.clone()}</dd>
                {(!data_types.is_empty()).then(|| view! {
                    <dt>"Reads"</dt><dd class="handoff-reads">{data_types.join(", ")}</dd>
                })}
                {(!return_host.is_empty()).then(|| view! {
                    <dt>"Afterwards"</dt><dd>{format!("back to {return_host}")}</dd>
                })}
            </dl>
            <p class="muted">
                {format!("If this is not you, cancel: nothing is shared. The link works once, for {minutes_left} more minute{}.",
                    if minutes_left == 1 { "" } else { "s" })}
            </p>
            <form method="post" action=format!("/connect/{token}") class="stack">
                <button type="submit" name="choice" value="continue" class="btn btn-primary">{continue_label}</button>
                <button type="submit" name="choice" value="cancel" class="btn btn-secondary">"Cancel"</button>
            </form>
        </AuthCard>
    }
}
