use leptos::prelude::*;

/// The centred card that holds the sign-in, setup and sign-up forms.
#[component]
pub fn AuthCard(
    title: &'static str,
    #[prop(optional, into)] subtitle: Option<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <main id="main" class="auth-page">
            <div class="auth-card">
                <div class="auth-brand">
                    <span class="brand-mark" aria-hidden="true"></span>
                    <span class="brand-name">"VitaSync"</span>
                    <button type="button" class="icon-btn theme-corner" data-theme-toggle aria-label="Switch theme">"◐"</button>
                </div>
                <h1>{title}</h1>
                {subtitle.map(|s| view! { <p class="muted">{s}</p> })}
                {children()}
            </div>
        </main>
    }
}
