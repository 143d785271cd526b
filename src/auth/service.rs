//! What other features ask of signed-in sessions: the list a person sees in their settings,
//! and ending their other sessions or one of them.

use super::repo;
use crate::error::AppError;
use crate::platform::db::Db;

pub use super::repo::AuthSessionRow;

/// The person's signed-in sessions, most recently seen first.
pub async fn sessions_of(db: &Db, user_id: &str) -> Result<Vec<AuthSessionRow>, sqlx::Error> {
    repo::list_auth_sessions(db, user_id).await
}

/// Ends every session of the person except `keep` (the one asking); returns how many ended.
pub async fn end_other_sessions(db: &Db, user_id: &str, keep: &str) -> Result<u64, sqlx::Error> {
    repo::delete_other_sessions(db, user_id, keep).await
}

/// Ends one of the person's other sessions; `current` is the one asking, which signs out
/// instead.
pub async fn end_session(db: &Db, user_id: &str, current: &str, id: &str) -> Result<(), AppError> {
    if id == current {
        return Err(AppError::Conflict(
            "Use Sign out to end this session.".into(),
        ));
    }
    if repo::delete_user_session(db, user_id, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("That session has already ended.".into()))
    }
}
