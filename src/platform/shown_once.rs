//! Something shown on the next page and never again (a new API key, a webhook's signing
//! secret). It waits in the server-side session (never in a URL). A page can read its data
//! more than once while rendering one request, so the first request that reads it claims it:
//! reads within that request see it, and the next request finds it gone.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::platform::request::RequestCtx;

#[derive(Serialize, Deserialize)]
struct Kept<T> {
    value: T,
    /// The request that showed it.
    shown_by: Option<String>,
}

fn session_error(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "session store error");
    AppError::Internal
}

/// Keeps `value` for the next page to show.
pub async fn keep<T: Serialize>(ctx: &RequestCtx, key: &str, value: T) -> Result<(), AppError> {
    ctx.session()?
        .insert(
            key,
            Kept {
                value,
                shown_by: None,
            },
        )
        .await
        .map_err(session_error)
}

/// The kept value, for this request only.
pub async fn take<T: Serialize + DeserializeOwned>(
    ctx: &RequestCtx,
    key: &str,
) -> Result<Option<T>, AppError> {
    let session = ctx.session()?;
    let Some(mut kept) = session.get::<Kept<T>>(key).await.map_err(session_error)? else {
        return Ok(None);
    };
    let this = ctx.request_tag();
    match kept.shown_by.as_deref() {
        None => {
            kept.shown_by = Some(this.to_string());
            let value = serde_json::to_value(&kept.value).map_err(session_error)?;
            session.insert(key, &kept).await.map_err(session_error)?;
            Ok(serde_json::from_value(value).ok())
        }
        Some(by) if by == this => Ok(Some(kept.value)),
        Some(_) => {
            session
                .remove::<Kept<T>>(key)
                .await
                .map_err(session_error)?;
            Ok(None)
        }
    }
}
