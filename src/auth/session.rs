//! Starting and ending a signed-in session.

use crate::accounts::repo;
use crate::error::AppError;
use crate::platform::current_user::AUTH_KEY;
use crate::platform::request::RequestCtx;

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
    repo::touch_login(db, user_id, chrono::Utc::now()).await?;
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
