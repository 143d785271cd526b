//! What other features (water, the API) call to read or change a person's units.

use super::{repo, Unit, Units};
use crate::platform::db::Db;

/// The person's choice (metric with no overrides when they never chose).
pub async fn load(db: &Db, user_id: &str) -> Result<Units, sqlx::Error> {
    repo::load(db, user_id).await
}

pub async fn save(db: &Db, user_id: &str, units: &Units) -> Result<(), sqlx::Error> {
    repo::save(db, user_id, units).await
}

/// Sets one quantity's unit (the Water page's own chooser), keeping the rest.
pub async fn set(db: &Db, user_id: &str, unit: Unit) -> Result<Units, sqlx::Error> {
    repo::set(db, user_id, unit).await
}
