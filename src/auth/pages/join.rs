use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::auth_card::AuthCard;
use crate::auth::{get_invitation_details, AcceptInvitation, InvitationDetails};
use crate::ui::{action_error, field_error, ErrorPanel, FormError, FormField, Submit};

/// `/join/:token`: an invited person chooses a password and is signed in.
#[component]
pub fn JoinPage() -> impl IntoView {
    let token = use_params_map()
        .with_untracked(|p| p.get("token"))
        .unwrap_or_default();
    let details = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        get_invitation_details,
    );
    view! {
        <Title text="Join a workspace"/>
        <Suspense>
            {move || {
                let token = token.clone();
                Suspend::new(async move {
                    match details.await {
                        Ok(invite) => view! { <JoinForm token=token invite=invite/> }.into_any(),
                        Err(error) => view! { <main id="main" class="auth-page"><ErrorPanel error=error/></main> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn JoinForm(token: String, invite: InvitationDetails) -> impl IntoView {
    let accept = ServerAction::<AcceptInvitation>::new();
    let error = action_error(accept);
    let subtitle = format!(
        "You're invited to {} as {}.",
        invite.workspace_name,
        invite.role_label.to_lowercase()
    );
    view! {
        <AuthCard title="Join VitaSync" subtitle=subtitle>
            <ActionForm action=accept attr:class="stack" attr:novalidate=true>
                <FormError error=error/>
                <FormField label="Email" name="email_shown" kind="email" value=invite.email readonly=true
                    hint="The invitation is for this address."/>
                <FormField label="Your name" name="display_name" autocomplete="name" error=field_error(error, "display_name")/>
                <FormField label="Choose a password" name="password" kind="password" autocomplete="new-password" required=true
                    hint="At least 8 characters." error=field_error(error, "password")/>
                <input type="hidden" name="token" value=token/>
                <input type="hidden" name="timezone" data-detect-timezone value=""/>
                <Submit label="Create account" pending=accept.pending()/>
            </ActionForm>
        </AuthCard>
    }
}
