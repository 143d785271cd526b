//! The top bar's "Sign out" form (a plain post without JavaScript).

use leptos::prelude::*;

use crate::auth::Logout;

#[component]
pub fn SignOutForm() -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    view! {
        <ActionForm action=logout attr:class="inline-form">
            <button type="submit" class="btn btn-ghost">"Sign out"</button>
        </ActionForm>
    }
}
