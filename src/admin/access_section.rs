//! The "Sign-in" card of a person's admin page: invite a person who has no password yet (the
//! one-time link is shown once, after the redirect, from the session) or make a person who signs in a member or
//! an admin.

use leptos::prelude::*;

use super::access::{InvitePerson, SetPersonRole};
use super::fresh_invite::FreshInviteLink;
use super::users::PersonDetail;
use crate::identity::Role;
use crate::ui::{action_error, FormError, Submit};

/// The role and link lifetime of a new invitation (`role`, `expires_in_days`), shared by the
/// Members tab and a person's page; `id_prefix` keeps the labels' ids unique on a page.
#[component]
pub fn InviteChoices(id_prefix: &'static str) -> impl IntoView {
    let role = format!("{id_prefix}-role");
    let days = format!("{id_prefix}-days");
    view! {
        <div class="field-row">
            <div class="field">
                <label for=role.clone()>"Role"</label>
                <select id=role name="role">
                    <option value="member" selected=true>"Member"</option>
                    <option value="admin">"Admin"</option>
                </select>
            </div>
            <div class="field">
                <label for=days.clone()>"Link expires after"</label>
                <select id=days name="expires_in_days">
                    <option value="1">"1 day"</option>
                    <option value="7" selected=true>"7 days"</option>
                    <option value="30">"30 days"</option>
                </select>
            </div>
        </div>
    }
}

#[component]
pub fn AccessSection(
    detail: PersonDetail,
    base_url: String,
    invite: ServerAction<InvitePerson>,
    role: ServerAction<SetPersonRole>,
) -> impl IntoView {
    let invite_error = action_error(invite);
    let role_error = action_error(role);
    let p = detail.person.clone();
    let is_admin = p.role == Role::Admin;
    let body = if detail.can_sign_in {
        if detail.can_change {
            view! {
                <p class="muted small">{format!("Signs in as {}. Admins manage people, keys and webhooks.", if is_admin { "an admin" } else { "a member" })}</p>
                <ActionForm action=role attr:class="stack">
                    <FormError error=role_error/>
                    <input type="hidden" name="id" value=p.id.clone()/>
                    <div class="field">
                        <label for="person-role">"Role"</label>
                        <select id="person-role" name="role">
                            <option value="member" selected=!is_admin>"Member"</option>
                            <option value="admin" selected=is_admin>"Admin"</option>
                        </select>
                    </div>
                    <Submit label="Change role" pending=role.pending() secondary=true/>
                </ActionForm>
            }
            .into_any()
        } else {
            view! { <p class="muted small">"Signs in with a password. Your own role and the instance owner's are changed by another admin."</p> }.into_any()
        }
    } else if detail.disabled {
        view! { <p class="muted small">"Switched off: switch them on before inviting them."</p> }
            .into_any()
    } else if p.email.is_none() {
        view! { <p class="muted small">"No email address: add one through the API (PATCH /v1/users/{id}) to invite them to sign in."</p> }.into_any()
    } else {
        view! {
            <p class="muted small">{format!(
                "Cannot sign in yet. An invitation lets them choose a password and see their own data; it is for {}.",
                p.email.clone().unwrap_or_default()
            )}</p>
            {detail.invitation_expires.clone().map(|until| view! {
                <p class="small">{format!("An invitation link is open until {until}; a new one replaces it.")}</p>
            })}
            <ActionForm action=invite attr:class="stack">
                <FormError error=invite_error/>
                <input type="hidden" name="id" value=p.id.clone()/>
                <InviteChoices id_prefix="person-invite"/>
                <Submit label="Create invitation link" pending=invite.pending()/>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="access-title">
            <h2 id="access-title" class="card-title">"Sign-in"</h2>
            <FreshInviteLink base=base_url token=detail.fresh_invite.clone() field_id="person-invite-link"/>
            {body}
        </section>
    }
}
