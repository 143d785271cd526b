use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::accounts::SessionUser;
use crate::error::AppError;
use crate::ui::{Access, EmptyState, ErrorPanel, Guarded};

/// The header of the Today screen, computed in the person's own time zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TodayOverview {
    pub date_label: String,
    pub timezone: String,
}

#[server(endpoint = "dashboard/today")]
pub async fn get_today_overview() -> Result<TodayOverview, AppError> {
    let auth = crate::platform::request::RequestCtx::capture()?.require_user()?;
    Ok(TodayOverview {
        date_label: crate::ui::time::local_today_label(chrono::Utc::now(), &auth.user.timezone),
        timezone: auth.user.timezone,
    })
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Title text="Today"/>
        <Guarded access=Access::Member page=|user| view! { <Today user=user/> }/>
    }
}

/// The metric families every dashboard card is organised by.
const FAMILIES: [(&str, &str); 4] = [
    ("activity", "Activity"),
    ("sleep", "Sleep"),
    ("heart", "Heart"),
    ("hydration", "Hydration"),
];

#[component]
fn Today(user: SessionUser) -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_today_overview());
    let first_name = user.first_name().to_string();
    view! {
        <header class="page-header">
            <h1>{format!("Hello, {first_name}")}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) => view! {
                            <p class="muted">{o.date_label}<span class="dot" aria-hidden="true">" · "</span>{o.timezone}</p>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error=error/> }.into_any(),
                    }
                })}
            </Suspense>
        </header>
        <section class="card-grid" aria-label="Today at a glance">
            {FAMILIES.into_iter().map(|(family, title)| view! {
                <article class=format!("card metric-card family-{family}")>
                    <h2 class="card-title">{title}</h2>
                    <EmptyState title="No readings yet" message="Readings from your devices and your own logs will appear here."/>
                </article>
            }).collect_view()}
        </section>
    }
}
