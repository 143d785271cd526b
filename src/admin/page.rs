use leptos::prelude::*;
use leptos_meta::Title;

use super::access_section::InviteChoices;
use super::fresh_invite::FreshInviteLink;
use super::server_fns::{
    get_admin_overview, AdminOverview, InviteMember, RevokeInvitation, SetOpenSignup,
};
use crate::ui::reset_on_success;
use crate::ui::{
    action_error, field_error, Access, EmptyState, ErrorPanel, FormError, FormField, Guarded,
    Submit,
};

#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <Title text="Admin"/>
        <Guarded access=Access::Admin page=|_| view! { <Admin/> }/>
    }
}

#[component]
fn Admin() -> impl IntoView {
    let invite = ServerAction::<InviteMember>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let signup = ServerAction::<SetOpenSignup>::new();
    let invited = crate::health::pages::query_param(super::fresh_invite::INVITED);
    let overview = Resource::new(
        move || {
            (
                invited.get(),
                invite.version().get(),
                revoke.version().get(),
                signup.version().get(),
            )
        },
        |(invited, ..)| get_admin_overview(invited),
    );
    view! {
        <header class="page-header">
            <h1>"Admin"</h1>
            <p class="muted">"People in this workspace, invitations and sign-up."</p>
        </header>
        <crate::ui::AdminTabs current="/admin"/>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <AdminSections overview=o invite=invite revoke=revoke signup=signup/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AdminSections(
    overview: AdminOverview,
    invite: ServerAction<InviteMember>,
    revoke: ServerAction<RevokeInvitation>,
    signup: ServerAction<SetOpenSignup>,
) -> impl IntoView {
    let base = overview.base_url.clone();
    view! {
        <div class="admin-grid">
            <InviteSection base=base.clone() fresh=overview.fresh_invite.clone() invite=invite/>
            <MembersSection overview=overview.clone()/>
            <InvitationsSection overview=overview.clone() revoke=revoke/>
            <SignupSection overview=overview signup=signup base=base/>
        </div>
    }
}

#[component]
fn InviteSection(
    base: String,
    fresh: Option<String>,
    invite: ServerAction<InviteMember>,
) -> impl IntoView {
    let error = action_error(invite);
    let form = NodeRef::new();
    reset_on_success(invite, form);
    view! {
        <section class="card" aria-labelledby="invite-title">
            <h2 id="invite-title" class="card-title">"Invite someone"</h2>
            <FreshInviteLink base=base token=fresh field_id="invite-link"/>
            <ActionForm action=invite node_ref=form attr:class="stack" attr:novalidate=true>
                <FormError error=error/>
                <FormField label="Email" name="email" kind="email" required=true error=field_error(error, "email")/>
                <InviteChoices id_prefix="invite"/>
                <Submit label="Create invitation link" pending=invite.pending()/>
            </ActionForm>
        </section>
    }
}

#[component]
fn MembersSection(overview: AdminOverview) -> impl IntoView {
    view! {
        <section class="card wide" aria-labelledby="members-title">
            <h2 id="members-title" class="card-title">{format!("Members · {}", overview.members.len())}</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Scrollable table">
                <table class="table">
                    <thead><tr><th scope="col">"Person"</th><th scope="col">"Role"</th><th scope="col">"Last sign-in"</th></tr></thead>
                    <tbody>
                        {overview.members.into_iter().map(|m| view! {
                            <tr>
                                <td>
                                    <a class="cell-main" href=format!("/admin/users/{}", m.id)>{if m.display_name.is_empty() { m.email.clone() } else { m.display_name.clone() }}</a>
                                    {m.is_you.then(|| view! { <span class="badge">"You"</span> })}
                                    <span class="cell-sub muted">{m.email}</span>
                                </td>
                                <td>{m.role_label}</td>
                                <td class="num">{m.last_sign_in}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn InvitationsSection(
    overview: AdminOverview,
    revoke: ServerAction<RevokeInvitation>,
) -> impl IntoView {
    let error = action_error(revoke);
    let empty = overview.invitations.is_empty();
    view! {
        <section class="card" aria-labelledby="invitations-title">
            <h2 id="invitations-title" class="card-title">"Open invitations"</h2>
            <FormError error=error/>
            {if empty {
                view! { <EmptyState title="No open invitations" message="Invitations you create appear here until they are used."/> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {overview.invitations.into_iter().map(|i| view! {
                            <li class="list-row">
                                <div>
                                    <p>{i.email}" · "{i.role_label}</p>
                                    <p class="muted small">{if i.expired { format!("Expired {}", i.expires) } else { format!("Expires {}", i.expires) }}</p>
                                </div>
                                <ActionForm action=revoke attr:class="inline-form">
                                    <input type="hidden" name="id" value=i.id/>
                                    <button type="submit" class="btn btn-ghost">"Revoke"</button>
                                </ActionForm>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn SignupSection(
    overview: AdminOverview,
    signup: ServerAction<SetOpenSignup>,
    base: String,
) -> impl IntoView {
    let link = format!("{base}{}", overview.signup_path);
    view! {
        <section class="card" aria-labelledby="signup-title">
            <h2 id="signup-title" class="card-title">"Open sign-up"</h2>
            <ActionForm action=signup attr:class="stack">
                <label class="check">
                    <input type="checkbox" name="allow_signup" value="on" checked=overview.allow_signup/>
                    <span>"Anyone with the sign-up link can create a member account"</span>
                </label>
                <Submit label="Save" pending=signup.pending() secondary=true/>
            </ActionForm>
            {overview.allow_signup.then(|| view! {
                <p class="small">"Sign-up link: "<a href=overview.signup_path.clone()>{link}</a></p>
            })}
        </section>
    }
}
