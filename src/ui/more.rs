//! "More" on phones: every screen the bottom bar has no room for, grouped.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{Access, Guarded};
use crate::identity::SessionUser;

#[component]
pub fn MorePage() -> impl IntoView {
    view! {
        <Title text="More"/>
        <Guarded access=Access::Member page=|user| view! { <More user=user/> }/>
    }
}

#[component]
fn More(user: SessionUser) -> impl IntoView {
    let group = |title: &'static str, links: Vec<(&'static str, &'static str, &'static str)>| {
        view! {
            <section class="card" aria-label=title>
                <h2 class="card-title">{title}</h2>
                <ul class="plain-list more-links">
                    {links.into_iter().map(|(href, label, hint)| view! {
                        <li><a href=href class="link-row"><span>{label}</span><span class="muted small">{hint}</span></a></li>
                    }).collect_view()}
                </ul>
            </section>
        }
    };
    let mut account = vec![
        (
            "/connections",
            "Connections",
            "Devices and apps that send data",
        ),
        (
            "/settings",
            "Settings",
            "Profile, time zone, theme, sources",
        ),
    ];
    if user.is_admin() {
        account.push(("/admin", "Administration", "Members, invitations, API keys"));
    }
    if user.is_instance_owner {
        account.push(("/instance", "Instance", "This VitaSync server"));
    }
    view! {
        <header class="page-header"><h1>"More"</h1></header>
        {group("Every day", vec![
            ("/water", "Water", "Quick-add drinks, daily goal"),
            ("/mood", "Mood", "How you feel, year in pixels"),
            ("/habits", "Habits", "Check-ins and streaks"),
            ("/journal", "Journal", "Entries, search, on this day"),
            ("/goals", "Goals", "Targets and progress"),
        ])}
        {group("Health", vec![
            ("/trends", "Trends", "Every metric over time"),
            ("/sleep", "Sleep", "Stages and schedule"),
            ("/heart", "Heart", "Resting rate, HRV, zones"),
            ("/body", "Body", "Weight and composition"),
            ("/workouts", "Workouts", "Sessions and laps"),
            ("/records", "Records", "Personal bests"),
            ("/measurements", "Log a measurement", "Weight, blood pressure …"),
        ])}
        {group("Account", account)}
    }
}
