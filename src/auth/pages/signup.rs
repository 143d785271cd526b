use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::auth_card::AuthCard;
use crate::auth::{signup_details, Signup};
use crate::ui::{action_error, field_error, ErrorPanel, FormError, FormField, Submit};

/// `/signup/:slug`: open sign-up, when the workspace's admins allow it.
#[component]
pub fn SignupPage() -> impl IntoView {
    let slug = use_params_map()
        .with_untracked(|p| p.get("slug"))
        .unwrap_or_default();
    let details = Resource::new(
        {
            let slug = slug.clone();
            move || slug.clone()
        },
        signup_details,
    );
    view! {
        <Title text="Create an account"/>
        <Suspense>
            {move || {
                let slug = slug.clone();
                Suspend::new(async move {
                    match details.await {
                        Ok(workspace) => view! { <SignupForm slug=slug workspace=workspace/> }.into_any(),
                        Err(error) => view! { <main id="main" class="auth-page"><ErrorPanel error=error/></main> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn SignupForm(slug: String, workspace: String) -> impl IntoView {
    let signup = ServerAction::<Signup>::new();
    let error = action_error(signup);
    view! {
        <AuthCard title="Create your account" subtitle=format!("Join {workspace} on VitaSync.")>
            <ActionForm action=signup attr:class="stack" attr:novalidate=true>
                <FormError error=error/>
                <FormField label="Your name" name="display_name" autocomplete="name" error=field_error(error, "display_name")/>
                <FormField label="Email" name="email" kind="email" autocomplete="username" required=true error=field_error(error, "email")/>
                <FormField label="Password" name="password" kind="password" autocomplete="new-password" required=true
                    hint="At least 8 characters." error=field_error(error, "password")/>
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="timezone" data-detect-timezone value=""/>
                <Submit label="Create account" pending=signup.pending()/>
            </ActionForm>
            <p class="muted small"><a href="/login">"Already have an account? Sign in"</a></p>
        </AuthCard>
    }
}
