use leptos::prelude::*;
use leptos_meta::Title;

use super::server_fns::{get_profile, list_sessions};
use super::server_fns::{ChangePassword, EndSession, Profile, SignOutOthers, UpdateProfile};
use crate::ui::reset_on_success;
use crate::ui::{
    action_error, field_error, Access, ErrorPanel, FormError, FormField, Guarded, Submit,
};

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <Title text="Settings"/>
        <Guarded access=Access::Member page=|user| view! { <Settings user=user/> }/>
    }
}

#[component]
fn Settings(user: crate::accounts::SessionUser) -> impl IntoView {
    let (admin, owner) = (user.is_admin(), user.is_instance_owner);
    view! {
        <header class="page-header"><h1>"Settings"</h1></header>
        // On phones the bottom bar holds the everyday places; administration is reached from here.
        {(admin || owner).then(|| view! {
            <nav class="card admin-links" aria-label="Administration">
                {admin.then(|| view! { <a class="chip" href="/admin">"Workspace admin"</a> })}
                {owner.then(|| view! { <a class="chip" href="/instance">"Instance"</a> })}
            </nav>
        })}
        <div class="settings-grid">
            <ProfileSection/>
            <crate::units::UnitsSection/>
            <PasswordSection/>
            <SessionsSection/>
            <crate::health::pages::SourcesSection/>
        </div>
    }
}

#[component]
fn ProfileSection() -> impl IntoView {
    let update = ServerAction::<UpdateProfile>::new();
    let profile = Resource::new(move || update.version().get(), |_| get_profile());
    let error = action_error(update);
    let saved = crate::ui::action_done(update);
    view! {
        <section class="card" aria-labelledby="profile-title">
            <h2 id="profile-title" class="card-title">"Profile"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match profile.await {
                        Ok(p) => view! { <ProfileForm profile=p action=update/> }.into_any(),
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <FormError error=error/>
            <Show when=move || saved.get()><p class="alert alert-success" role="status">"Profile saved."</p></Show>
        </section>
    }
}

#[component]
fn ProfileForm(profile: Profile, action: ServerAction<UpdateProfile>) -> impl IntoView {
    let error = action_error(action);
    view! {
        <ActionForm action=action attr:class="stack" attr:novalidate=true>
            <FormField label="Email" name="email_shown" kind="email" value=profile.email readonly=true
                hint="Your sign-in address."/>
            <FormField label="Display name" name="display_name" value=profile.display_name autocomplete="name"
                error=field_error(error, "display_name")/>
            <FormField label="Time zone" name="timezone" value=profile.timezone list="timezones"
                hint="Days, streaks and daily totals follow this zone."
                error=field_error(error, "timezone")/>
            <datalist id="timezones">
                {profile.timezones.into_iter().map(|tz| view! { <option value=tz></option> }).collect_view()}
            </datalist>
            <Submit label="Save profile" pending=action.pending()/>
        </ActionForm>
    }
}

#[component]
fn PasswordSection() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = action_error(change);
    let form = NodeRef::new();
    reset_on_success(change, form);
    let changed = crate::ui::action_done(change);
    let done = move || match change.value().get() {
        Some(Ok(n)) if n > 0 => Some(format!(
            "Password changed. Signed out {n} other session{}.",
            if n == 1 { "" } else { "s" }
        )),
        _ => changed
            .get()
            .then(|| "Password changed. Other sessions were signed out.".to_string()),
    };
    view! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title" class="card-title">"Password"</h2>
            <ActionForm action=change node_ref=form attr:class="stack" attr:novalidate=true>
                <FormError error=error/>
                <FormField label="Current password" name="current_password" kind="password" autocomplete="current-password"
                    required=true error=field_error(error, "current_password")/>
                <FormField label="New password" name="new_password" kind="password" autocomplete="new-password"
                    required=true hint="At least 8 characters." error=field_error(error, "new_password")/>
                <FormField label="Repeat new password" name="confirm_password" kind="password" autocomplete="new-password"
                    required=true error=field_error(error, "confirm_password")/>
                <Submit label="Change password" pending=change.pending()/>
            </ActionForm>
            {move || done().map(|msg| view! { <p class="alert alert-success" role="status">{msg}</p> })}
        </section>
    }
}

#[component]
fn SessionsSection() -> impl IntoView {
    let others = ServerAction::<SignOutOthers>::new();
    let end = ServerAction::<EndSession>::new();
    let sessions = Resource::new(
        move || (others.version().get(), end.version().get()),
        |_| list_sessions(),
    );
    let error = Signal::derive(move || {
        action_error(end)
            .get()
            .or_else(|| action_error(others).get())
    });
    view! {
        <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title" class="card-title">"Signed-in browsers"</h2>
            <FormError error=error/>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => {
                            let has_others = list.iter().any(|s| !s.current);
                            view! {
                                <ul class="session-list">
                                    {list.into_iter().map(|s| view! {
                                        <li class="session-row">
                                            <div>
                                                <p class="session-device">
                                                    {s.device}
                                                    {s.current.then(|| view! { <span class="badge">"This browser"</span> })}
                                                </p>
                                                <p class="muted small">{format!("{} · signed in {} · last active {}", s.ip, s.signed_in, s.last_seen)}</p>
                                            </div>
                                            {(!s.current).then(|| view! {
                                                <ActionForm action=end attr:class="inline-form">
                                                    <input type="hidden" name="id" value=s.id/>
                                                    <button type="submit" class="btn btn-ghost">"Sign out"</button>
                                                </ActionForm>
                                            })}
                                        </li>
                                    }).collect_view()}
                                </ul>
                                {has_others.then(|| view! {
                                    <ActionForm action=others attr:class="inline-form">
                                        <button type="submit" class="btn btn-secondary">"Sign out everywhere else"</button>
                                    </ActionForm>
                                })}
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
