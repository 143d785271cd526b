//! The `unit_preferences` row of one person (absent: metric, no overrides).

use chrono::Utc;

use super::{Unit, Units};
use crate::platform::db::Db;
use crate::with_db;

type Row = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub async fn load(db: &Db, user_id: &str) -> Result<Units, sqlx::Error> {
    let row: Option<Row> = with_db!(db, pool => sqlx::query_as(
        "SELECT system, distance, weight, temperature, volume FROM unit_preferences WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
    Ok(row
        .map(|(s, d, w, t, v)| {
            Units::from_words(
                Some(&s),
                d.as_deref(),
                w.as_deref(),
                t.as_deref(),
                v.as_deref(),
            )
        })
        .unwrap_or_default())
}

pub async fn save(db: &Db, user_id: &str, u: &Units) -> Result<(), sqlx::Error> {
    let word = |u: Option<Unit>| u.map(Unit::as_str);
    let system = match u.system {
        super::System::Metric => "metric",
        super::System::Imperial => "imperial",
    };
    with_db!(db, pool => sqlx::query(
        "INSERT INTO unit_preferences (user_id, system, distance, weight, temperature, volume, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (user_id) DO UPDATE SET system = excluded.system, distance = excluded.distance, \
           weight = excluded.weight, temperature = excluded.temperature, volume = excluded.volume, \
           updated_at = excluded.updated_at")
        .bind(user_id)
        .bind(system)
        .bind(word(u.distance))
        .bind(word(u.weight))
        .bind(word(u.temperature))
        .bind(word(u.volume))
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|_| ()))
}

/// Sets one quantity's unit, keeping the rest: the system's own unit clears the override.
pub async fn set(db: &Db, user_id: &str, unit: Unit) -> Result<Units, sqlx::Error> {
    let mut u = load(db, user_id).await?;
    let q = unit.quantity();
    let choice = (q.unit_in(u.system) != unit).then_some(unit);
    match q {
        super::Quantity::Distance => u.distance = choice,
        super::Quantity::Weight => u.weight = choice,
        super::Quantity::Temperature => u.temperature = choice,
        super::Quantity::Volume => u.volume = choice,
    }
    save(db, user_id, &u).await?;
    Ok(u)
}
