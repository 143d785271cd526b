//! The invitation link just created, shown after the redirect. Its token is a password for the
//! invited person, so it never travels in a URL (address bar, history, proxy and request
//! logs): the server function that creates it keeps it in the admin's session under a new
//! id, and redirects to `?invited=<that id>`; the page shows the link while that id is the
//! latest invitation of this session, for ten minutes. (Reading does not remove it: a page can
//! render more than once for one request.)

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::platform::request::RequestCtx;

#[cfg(feature = "ssr")]
const SESSION_KEY: &str = "admin.fresh_invite";
#[cfg(feature = "ssr")]
const SHOWN_FOR_MINUTES: i64 = 10;

/// The query parameter the page is reached with after an invitation was created.
pub const INVITED: &str = "invited";

#[cfg(feature = "ssr")]
#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    id: String,
    token: String,
    until: chrono::DateTime<chrono::Utc>,
}

#[cfg(feature = "ssr")]
fn session_error(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "could not keep or read the invitation shown to an admin");
    AppError::Internal
}

/// Keeps a new invitation's token in this admin's session and sends the browser to `path` to
/// show it.
#[cfg(feature = "ssr")]
pub async fn keep_and_show(ctx: &RequestCtx, token: &str, path: &str) -> Result<(), AppError> {
    let kept = Kept {
        id: crate::platform::ids::new_id(),
        token: token.to_string(),
        until: chrono::Utc::now() + chrono::Duration::minutes(SHOWN_FOR_MINUTES),
    };
    ctx.session()?
        .insert(SESSION_KEY, &kept)
        .await
        .map_err(session_error)?;
    ctx.redirect(&format!("{path}?{INVITED}={}", kept.id));
    Ok(())
}

/// The token of this session's latest invitation, when `invited` (the page's `?invited=`)
/// names it and it is still shown. Read by the server function of the page that shows it, so
/// the link arrives with the page's own data (one resource, rendered the same on the server
/// and in the browser).
#[cfg(feature = "ssr")]
pub async fn shown(ctx: &RequestCtx, invited: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(id) = invited.filter(|id| !id.is_empty()) else {
        return Ok(None);
    };
    let kept: Option<Kept> = ctx
        .session()?
        .get(SESSION_KEY)
        .await
        .map_err(session_error)?;
    Ok(kept
        .filter(|k| k.id == id && k.until > chrono::Utc::now())
        .map(|k| k.token))
}

/// The one-time link, when the page's data brought one, with the label id `field_id`.
#[component]
pub fn FreshInviteLink(
    base: String,
    token: Option<String>,
    field_id: &'static str,
) -> impl IntoView {
    token.map(|t| {
        view! {
            <div class="alert alert-success" role="status">
                <p>"Invitation created. Send this one-time link to the person; it is shown only now."</p>
                <label class="sr-only" for=field_id>"Invitation link"</label>
                <input id=field_id class="copy-field" type="text" readonly value=format!("{base}/join/{t}")/>
            </div>
        }
    })
}
