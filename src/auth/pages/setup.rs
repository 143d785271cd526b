use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use super::auth_card::AuthCard;
use crate::auth::{needs_setup, Setup};
use crate::ui::{action_error, field_error, ErrorPanel, FormError, FormField, Submit};

/// First run: creates the first workspace and its admin, who also owns this instance.
#[component]
pub fn SetupPage() -> impl IntoView {
    let status = Resource::new(|| (), |_| needs_setup());
    view! {
        <Title text="Set up VitaSync"/>
        <Suspense>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(true) => view! { <SetupForm/> }.into_any(),
                    Ok(false) => view! { <Redirect path="/login"/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error=error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SetupForm() -> impl IntoView {
    let setup = ServerAction::<Setup>::new();
    let error = action_error(setup);
    view! {
        <AuthCard title="Welcome to VitaSync" subtitle="Create your workspace and the admin account that runs it.">
            <ActionForm action=setup attr:class="stack" attr:novalidate=true>
                <FormError error=error/>
                <FormField label="Workspace name" name="workspace_name" required=true
                    hint="Your family, team or product. You can add more workspaces later."
                    error=field_error(error, "workspace_name")/>
                <FormField label="Your name" name="display_name" autocomplete="name" error=field_error(error, "display_name")/>
                <FormField label="Email" name="email" kind="email" autocomplete="username" required=true error=field_error(error, "email")/>
                <FormField label="Password" name="password" kind="password" autocomplete="new-password" required=true
                    hint="At least 8 characters. A few random words make a strong password."
                    error=field_error(error, "password")/>
                <input type="hidden" name="timezone" data-detect-timezone value=""/>
                <Submit label="Create workspace" pending=setup.pending()/>
            </ActionForm>
        </AuthCard>
    }
}
