//! The signed-in page frame: top bar, navigation (a sidebar on wide screens, a bottom bar on
//! phones — the same links, placed by CSS) and the main landmark.

use leptos::prelude::*;
use leptos_router::components::A;

use super::icons::{Icon, IconSvg};
use crate::identity::SessionUser;

/// The sign-out control of the top bar. The app provides it as context (the `auth` feature's
/// form), so the shared UI imports no feature.
#[derive(Clone)]
pub struct SignOut(pub ViewFn);

#[component]
fn NavItem(
    href: &'static str,
    label: &'static str,
    icon: Icon,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    view! {
        <li class=class>
            <A href=href exact=true>
                <IconSvg icon=icon/>
                <span>{label}</span>
            </A>
        </li>
    }
}

#[component]
pub fn Shell(user: SessionUser, children: Children) -> impl IntoView {
    let sign_out = expect_context::<SignOut>().0;
    let is_admin = user.is_admin();
    let is_owner = user.is_instance_owner;
    view! {
        <div class="shell">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="topbar">
                <a class="brand" href="/" aria-label="VitaSync, Today">
                    <span class="brand-mark" aria-hidden="true"></span>
                    <span class="brand-name">"VitaSync"</span>
                </a>
                <span class="workspace-name" title="Workspace">{user.workspace_name.clone()}</span>
                <div class="topbar-actions">
                    <button type="button" class="icon-btn" data-theme-toggle aria-label="Switch theme">
                        <IconSvg icon=Icon::Theme/>
                    </button>
                    <span class="user-name">{user.name().to_string()}</span>
                    {sign_out.run()}
                </div>
            </header>
            <nav class="sidenav" aria-label="Main">
                <ul>
                    <NavItem href="/" label="Today" icon=Icon::Today/>
                    <NavItem href="/trends" label="Trends" icon=Icon::Trends/>
                    <NavItem href="/habits" label="Habits" icon=Icon::Habits/>
                    <NavItem href="/journal" label="Journal" icon=Icon::Journal/>
                    <NavItem href="/water" label="Water" icon=Icon::Water class="wide-only"/>
                    <NavItem href="/mood" label="Mood" icon=Icon::Mood class="wide-only"/>
                    <NavItem href="/goals" label="Goals" icon=Icon::Goals class="wide-only"/>
                    <NavItem href="/workouts" label="Workouts" icon=Icon::Workouts class="wide-only"/>
                    <NavItem href="/measurements" label="Log" icon=Icon::Log class="wide-only"/>
                    <NavItem href="/connections" label="Devices" icon=Icon::Devices class="wide-only"/>
                    <NavItem href="/settings" label="Settings" icon=Icon::Settings class="wide-only"/>
                    <NavItem href="/more" label="More" icon=Icon::More class="phone-only"/>
                    {is_admin.then(|| view! { <NavItem href="/admin" label="Admin" icon=Icon::Admin class="wide-only"/> })}
                    {is_owner.then(|| view! { <NavItem href="/instance" label="Instance" icon=Icon::Instance class="wide-only"/> })}
                </ul>
            </nav>
            <main id="main" class="content" tabindex="-1">
                {children()}
            </main>
        </div>
    }
}
