//! Who is asking: resolves the session cookie to a signed-in person once per request, enforcing
//! idle and absolute timeouts. Server functions read the result through `RequestCtx`.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{Duration, Utc};
use tower_sessions::Session;

use super::state::AppState;
use crate::accounts::repo;
use crate::accounts::SessionUser;

/// The key under which the session record keeps the `auth_sessions` row id.
pub const AUTH_KEY: &str = "auth_session";
/// Signed out after this long without a request.
pub const IDLE_TIMEOUT_HOURS: i64 = 72;
/// Signed out this long after signing in, however active.
pub const ABSOLUTE_TIMEOUT_DAYS: i64 = 30;
/// `last_seen_at` is written at most this often per session.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// The signed-in person and the id of their `auth_sessions` row.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub user: SessionUser,
    pub auth_session_id: String,
}

pub async fn load_current_user(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    if let Some(auth) = resolve(&state, &session).await {
        req.extensions_mut().insert(auth);
    }
    next.run(req).await
}

async fn resolve(state: &AppState, session: &Session) -> Option<Authenticated> {
    let id: String = session.get(AUTH_KEY).await.ok().flatten()?;
    let now = Utc::now();
    let loaded = match repo::load_session(&state.db, &id).await {
        Ok(Some(loaded)) => loaded,
        Ok(None) => {
            // Ended elsewhere ("sign out everywhere else", password change, disabled account).
            let _ = session.flush().await;
            return None;
        }
        Err(err) => {
            tracing::error!(error = %err, "could not load session");
            return None;
        }
    };
    let idle = now - loaded.last_seen_at > Duration::hours(IDLE_TIMEOUT_HOURS);
    let too_old = now - loaded.created_at > Duration::days(ABSOLUTE_TIMEOUT_DAYS);
    if idle || too_old {
        let _ = repo::delete_auth_session(&state.db, &id).await;
        let _ = session.flush().await;
        return None;
    }
    if now - loaded.last_seen_at > Duration::seconds(TOUCH_EVERY_SECONDS) {
        let _ = repo::touch_auth_session(&state.db, &id, now).await;
    }
    Some(Authenticated {
        user: loaded.user,
        auth_session_id: id,
    })
}
