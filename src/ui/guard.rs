//! Pages that need a signed-in person: redirects to sign-in when there is none, shows the 403
//! page when the person's role is not enough. Server functions check again: this guard is for
//! people, the server-side checks are the security boundary.

use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use std::future::Future;
use std::pin::Pin;

use super::shell::Shell;
use super::status_pages::{ErrorPanel, Forbidden};
use crate::error::AppError;
use crate::identity::SessionUser;

/// The future that answers "who is signed in?".
pub type SessionFuture =
    Pin<Box<dyn Future<Output = Result<Option<SessionUser>, AppError>> + Send>>;

/// How guarded pages learn who is signed in. The app provides it as context (it asks the
/// `auth` feature's server function), so the shared UI imports no feature.
#[derive(Clone, Copy)]
pub struct SessionSource(pub fn() -> SessionFuture);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone signed in.
    Member,
    /// Workspace admins.
    Admin,
    /// The instance owner.
    Owner,
}

impl Access {
    pub fn allows(self, user: &SessionUser) -> bool {
        match self {
            Access::Member => true,
            Access::Admin => user.is_admin(),
            Access::Owner => user.is_instance_owner,
        }
    }
}

#[component]
pub fn Guarded<F, IV>(access: Access, page: F) -> impl IntoView
where
    F: Fn(SessionUser) -> IV + Clone + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let location = use_location();
    // Keyed on the path so a navigation re-checks the session (it may have ended elsewhere).
    let source = expect_context::<SessionSource>();
    let me = Resource::new(move || location.pathname.get(), move |_| (source.0)());
    view! {
        <Suspense fallback=|| view! { <div class="page-loading" aria-busy="true">"Loading…"</div> }>
            {move || {
                let page = page.clone();
                Suspend::new(async move {
                    match me.await {
                        Ok(Some(user)) if access.allows(&user) => {
                            let content = page(user.clone());
                            view! { <Shell user=user>{content}</Shell> }.into_any()
                        }
                        Ok(Some(user)) => view! { <Shell user=user><Forbidden/></Shell> }.into_any(),
                        Ok(None) => {
                            let next = location.pathname.get_untracked();
                            view! { <Redirect path=format!("/login?next={next}")/> }.into_any()
                        }
                        Err(error) => view! { <main id="main"><ErrorPanel error=error/></main> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
