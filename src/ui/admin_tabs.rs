//! The administration section's own navigation: one tab per admin screen (members, people,
//! API keys, webhooks, sync jobs), shared by the features that own those screens.

use leptos::prelude::*;

const TABS: &[(&str, &str)] = &[
    ("/admin", "Members"),
    ("/admin/users", "Users"),
    ("/admin/api-keys", "API keys"),
    ("/admin/webhooks", "Webhooks"),
    ("/admin/jobs", "Sync jobs"),
];

#[component]
pub fn AdminTabs(current: &'static str) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Administration">
            {TABS.iter().map(|(href, label)| {
                let here = *href == current;
                view! {
                    <a href=*href class="tab" aria-current=here.then_some("page")>{*label}</a>
                }
            }).collect_view()}
        </nav>
    }
}
