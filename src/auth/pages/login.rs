use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

use super::auth_card::AuthCard;
use crate::auth::{current_user, needs_setup, Login};
use crate::ui::{action_error, field_error, FormError, FormField, Submit};

/// Where a visitor of /login should be sent instead, if anywhere.
async fn login_redirect() -> Option<String> {
    if matches!(needs_setup().await, Ok(true)) {
        return Some("/setup".into());
    }
    if matches!(current_user().await, Ok(Some(_))) {
        return Some("/".into());
    }
    None
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let redirect = Resource::new(|| (), |_| login_redirect());
    view! {
        <Title text="Sign in"/>
        <Suspense>
            {move || Suspend::new(async move {
                match redirect.await {
                    Some(path) => view! { <Redirect path=path/> }.into_any(),
                    None => view! { <LoginForm/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LoginForm() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = action_error(login);
    let next = use_query_map()
        .with_untracked(|q| q.get("next"))
        .unwrap_or_default();
    view! {
        <AuthCard title="Sign in" subtitle="Welcome back.">
            <ActionForm action=login attr:class="stack" attr:novalidate=true>
                <FormError error=error/>
                <FormField label="Email" name="email" kind="email" autocomplete="username" required=true error=field_error(error, "email")/>
                <FormField label="Password" name="password" kind="password" autocomplete="current-password" required=true error=field_error(error, "password")/>
                <input type="hidden" name="next" value=next/>
                <Submit label="Sign in" pending=login.pending()/>
            </ActionForm>
            <p class="muted small">"No account? Ask your workspace admin for an invitation link."</p>
        </AuthCard>
    }
}
