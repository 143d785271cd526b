//! Signed-in sessions: starting and ending one, and resolving the session cookie to a
//! signed-in person once per request (enforcing idle and absolute timeouts). Server functions
//! read the result through `RequestCtx`.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{Duration, Utc};
use tower_sessions::Session;

use super::repo;
use crate::accounts;
use crate::error::AppError;
use crate::platform::request::{Authenticated, RequestCtx};
use crate::platform::state::AppState;

/// Signs `user_id` in on this browser: ends any earlier sign-in here, rotates the session id
/// (so a session fixed before sign-in is worthless after it) and records the new session.
pub async fn start(ctx: &RequestCtx, user_id: &str) -> Result<(), AppError> {
    let (session, db) = (ctx.session()?, ctx.db());
    let (ip, user_agent) = ctx.client_info();
    if let Ok(Some(previous)) = session.get::<String>(AUTH_KEY).await {
        repo::delete_auth_session(db, &previous).await?;
    }
    session.cycle_id().await.map_err(session_err)?;
    let id = repo::create_auth_session(db, user_id, user_agent.as_deref(), Some(&ip)).await?;
    session.insert(AUTH_KEY, &id).await.map_err(session_err)?;
    accounts::service::record_login(db, user_id, chrono::Utc::now()).await?;
    Ok(())
}

/// Signs this browser out.
pub async fn end(ctx: &RequestCtx) -> Result<(), AppError> {
    let session = ctx.session()?;
    if let Ok(Some(id)) = session.get::<String>(AUTH_KEY).await {
        repo::delete_auth_session(ctx.db(), &id).await?;
    }
    session.flush().await.map_err(session_err)?;
    Ok(())
}

fn session_err(err: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %err, "session store error");
    AppError::Internal
}

/// The key under which the session record keeps the `auth_sessions` row id.
pub const AUTH_KEY: &str = "auth_session";
/// Signed out after this long without a request.
pub const IDLE_TIMEOUT_HOURS: i64 = 72;
/// Signed out this long after signing in, however active.
pub const ABSOLUTE_TIMEOUT_DAYS: i64 = 30;
/// `last_seen_at` is written at most this often per session.
const TOUCH_EVERY_SECONDS: i64 = 60;

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

/// Removes ended sessions (idle or too old) and spent throttle counters.
pub async fn sweep(
    db: &crate::platform::db::Db,
    now: chrono::DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    repo::sweep_auth_sessions(
        db,
        now - Duration::hours(IDLE_TIMEOUT_HOURS),
        now - Duration::days(ABSOLUTE_TIMEOUT_DAYS),
    )
    .await?;
    crate::platform::throttle::sweep(db, now).await?;
    Ok(())
}
