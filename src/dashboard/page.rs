use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::accounts::SessionUser;
use crate::error::AppError;
use crate::health::pages::OverviewTiles;
use crate::ui::{Access, ErrorPanel, Guarded};

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
        <crate::dashboard::wellness::WellnessSection/>
        <h2 class="section-title">"Health"</h2>
        <OverviewTiles/>
    }
}
