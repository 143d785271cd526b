use leptos::prelude::*;

/// What to show where there is nothing yet: what it is, and what to do next.
#[component]
pub fn EmptyState(
    title: &'static str,
    #[prop(into)] message: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="empty-state">
            <p class="empty-title">{title}</p>
            <p class="muted">{message}</p>
            {children.map(|c| c())}
        </div>
    }
}
