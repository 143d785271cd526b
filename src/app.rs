//! The document shell, the router and the route table.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::MetaTags;
use leptos_meta::{provide_meta_context, Link, Meta, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::admin::{AdminPage, JobsPage, PersonPage, UsersPage};
use crate::api_keys::ApiKeysPage;
use crate::auth::pages::{JoinPage, LoginPage, SetupPage, SignOutForm, SignupPage};
use crate::connections::{ConnectHandoffPage, ConnectionsPage};
use crate::dashboard::DashboardPage;
use crate::goals::{GoalPage, GoalsPage};
use crate::habits::{HabitPage, HabitsPage};
use crate::health::pages::{BodyPage, HeartPage, MetricPage, RecordsPage, SleepPage, TrendsPage};
use crate::hydration::HydrationPage;
use crate::instance::InstancePage;
use crate::journal::{EditEntryPage, EntryPage, JournalPage, NewEntryPage};
use crate::measurements::MeasurementsPage;
use crate::mood::MoodPage;
use crate::settings::SettingsPage;
use crate::ui::more::MorePage;
#[cfg(feature = "ssr")]
use crate::ui::theme::HEAD_SCRIPT;
use crate::ui::{NotFound, SessionSource, SignOut};
use crate::webhooks::{WebhookPage, WebhooksPage};
use crate::workouts::{WorkoutPage, WorkoutsPage};

/// The HTML document around every page.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let assets = crate::ui::assets::Assets::of(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <meta name="color-scheme" content="light dark"/>
                <script nonce=leptos::nonce::use_nonce() inner_html=HEAD_SCRIPT></script>
                <link rel="stylesheet" href=assets.css.clone()/>
                <script type="module" nonce=leptos::nonce::use_nonce() inner_html=assets.island_loader()></script>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // The shared page frame asks these of the app, so `ui` imports no feature.
    provide_context(SessionSource(|| Box::pin(crate::auth::current_user())));
    provide_context(SignOut(ViewFn::from(|| view! { <SignOutForm/> })));
    view! {
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Meta name="description" content="VitaSync: your health data, in one place you control."/>
        <Title formatter=|text: String| if text.is_empty() { "VitaSync".to_string() } else { format!("{text} · VitaSync") }/>
        <Router>
            // Async SSR everywhere: pages arrive complete, so forms and data work without JavaScript.
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/") view=DashboardPage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async/>
                <Route path=path!("/join/:token") view=JoinPage ssr=SsrMode::Async/>
                <Route path=path!("/connect/:token") view=ConnectHandoffPage ssr=SsrMode::Async/>
                <Route path=path!("/signup/:slug") view=SignupPage ssr=SsrMode::Async/>
                <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async/>
                <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/api-keys") view=ApiKeysPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/webhooks") view=WebhooksPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/jobs") view=JobsPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/users") view=UsersPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/users/:id") view=PersonPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/webhooks/:id") view=WebhookPage ssr=SsrMode::Async/>
                <Route path=path!("/instance") view=InstancePage ssr=SsrMode::Async/>
                <Route path=path!("/trends") view=TrendsPage ssr=SsrMode::Async/>
                <Route path=path!("/trends/:metric") view=MetricPage ssr=SsrMode::Async/>
                <Route path=path!("/sleep") view=SleepPage ssr=SsrMode::Async/>
                <Route path=path!("/heart") view=HeartPage ssr=SsrMode::Async/>
                <Route path=path!("/body") view=BodyPage ssr=SsrMode::Async/>
                <Route path=path!("/records") view=RecordsPage ssr=SsrMode::Async/>
                <Route path=path!("/workouts") view=WorkoutsPage ssr=SsrMode::Async/>
                <Route path=path!("/workouts/:id") view=WorkoutPage ssr=SsrMode::Async/>
                <Route path=path!("/measurements") view=MeasurementsPage ssr=SsrMode::Async/>
                <Route path=path!("/water") view=HydrationPage ssr=SsrMode::Async/>
                <Route path=path!("/habits") view=HabitsPage ssr=SsrMode::Async/>
                <Route path=path!("/habits/:id") view=HabitPage ssr=SsrMode::Async/>
                <Route path=path!("/mood") view=MoodPage ssr=SsrMode::Async/>
                <Route path=path!("/more") view=MorePage ssr=SsrMode::Async/>
                <Route path=path!("/connections") view=ConnectionsPage ssr=SsrMode::Async/>
                <Route path=path!("/goals") view=GoalsPage ssr=SsrMode::Async/>
                <Route path=path!("/goals/:id") view=GoalPage ssr=SsrMode::Async/>
                <Route path=path!("/journal") view=JournalPage ssr=SsrMode::Async/>
                <Route path=path!("/journal/new") view=NewEntryPage ssr=SsrMode::Async/>
                <Route path=path!("/journal/:id") view=EntryPage ssr=SsrMode::Async/>
                <Route path=path!("/journal/:id/edit") view=EditEntryPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
