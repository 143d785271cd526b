//! Water rows and settings in the database.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::error::AppError;
use crate::health::local_time;
use crate::platform::db::seek::TimeSeek;
use crate::platform::db::Db;
use crate::platform::ids::new_id;
use crate::with_db;

pub const DEFAULT_GOAL_ML: i64 = 2500;
pub const DEFAULT_SIZES: [i64; 2] = [250, 500];

#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub goal_ml: i64,
    pub sizes: Vec<i64>,
    /// `ml` or `fl_oz`.
    pub unit: String,
}

pub async fn settings(db: &Db, user_id: &str) -> Result<Settings, sqlx::Error> {
    let row: Option<(i64, sqlx::types::Json<Vec<i64>>)> = with_db!(db, pool => sqlx::query_as(
        "SELECT CAST(water_goal_ml AS BIGINT), water_sizes FROM wellness_settings WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
    // The volume unit is the person's unit preference: `service::settings` fills it in.
    let unit = "ml".to_string();
    Ok(match row {
        Some((goal_ml, sizes)) => Settings {
            goal_ml,
            sizes: sizes.0,
            unit,
        },
        None => Settings {
            goal_ml: DEFAULT_GOAL_ML,
            sizes: DEFAULT_SIZES.to_vec(),
            unit,
        },
    })
}

/// Saves the goal and cup sizes (the unit is saved as a unit preference); a new goal also becomes today's (drinks logged since `today_start`
/// take the new snapshot), earlier days keep theirs. One transaction.
pub async fn save_settings(
    db: &Db,
    user_id: &str,
    s: &Settings,
    today_start: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    with_db!(db, pool => async {
        let mut tx = pool.begin().await?;
        sqlx::query(
            "INSERT INTO wellness_settings (user_id, water_goal_ml, water_sizes, updated_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id) DO UPDATE SET water_goal_ml = excluded.water_goal_ml, \
               water_sizes = excluded.water_sizes, updated_at = excluded.updated_at")
            .bind(user_id)
            .bind(s.goal_ml as i32)
            .bind(sqlx::types::Json(&s.sizes))
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE water_intake SET daily_goal_ml = $1 WHERE user_id = $2 AND logged_at >= $3")
            .bind(s.goal_ml as i32)
            .bind(user_id)
            .bind(today_start)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }.await)
}

/// One logged drink.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Row {
    pub id: String,
    pub amount_ml: i32,
    pub beverage_type: String,
    pub note: Option<String>,
    pub daily_goal_ml: i32,
    pub logged_at: DateTime<Utc>,
}

/// Rows logged on local days `from..=to`, oldest first.
pub async fn rows(
    db: &Db,
    user_id: &str,
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Row>, sqlx::Error> {
    let (start, end) = local_time::day_range(from, to, tz);
    with_db!(db, pool => sqlx::query_as(
        "SELECT id, amount_ml, beverage_type, note, daily_goal_ml, logged_at FROM water_intake \
         WHERE user_id = $1 AND logged_at >= $2 AND logged_at < $3 ORDER BY logged_at, created_at")
        .bind(user_id)
        .bind(start)
        .bind(end)
        .fetch_all(pool)
        .await)
}

/// A day's total and goal (the goal snapshot on the day's latest row).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DayTotal {
    pub total_ml: i64,
    pub goal_ml: i64,
}

impl DayTotal {
    pub fn met(self) -> bool {
        self.total_ml >= self.goal_ml
    }
}

/// Totals per local day over `from..=to` (days without a drink are absent).
pub async fn daily_totals(
    db: &Db,
    user_id: &str,
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<NaiveDate, DayTotal>, sqlx::Error> {
    Ok(totals_of(&rows(db, user_id, tz, from, to).await?, tz))
}

/// Totals per local day of already loaded rows.
pub fn totals_of(rows: &[Row], tz: Tz) -> BTreeMap<NaiveDate, DayTotal> {
    let mut out: BTreeMap<NaiveDate, DayTotal> = BTreeMap::new();
    for r in rows {
        let day = out
            .entry(local_time::local_date(r.logged_at, tz))
            .or_insert(DayTotal {
                total_ml: 0,
                goal_ml: DEFAULT_GOAL_ML,
            });
        day.total_ml += i64::from(r.amount_ml);
        day.goal_ml = i64::from(r.daily_goal_ml);
    }
    out
}

/// Logs a drink at `at` against the user's current goal; returns its id.
pub async fn insert(
    db: &Db,
    user_id: &str,
    ml: i64,
    beverage: &str,
    note: Option<String>,
    at: DateTime<Utc>,
) -> Result<String, AppError> {
    let s = settings(db, user_id).await?;
    let id = new_id();
    with_db!(db, pool => sqlx::query(
        "INSERT INTO water_intake (id, user_id, amount_ml, beverage_type, note, daily_goal_ml, logged_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(&id)
        .bind(user_id)
        .bind(ml as i32)
        .bind(beverage)
        .bind(note)
        .bind(s.goal_ml as i32)
        .bind(at)
        .bind(Utc::now())
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(id)
}

/// Removes one of the user's drinks.
pub async fn delete(db: &Db, user_id: &str, id: &str) -> Result<(), AppError> {
    let done = with_db!(db, pool => sqlx::query("DELETE FROM water_intake WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(AppError::NotFound("That drink is no longer logged.".into()));
    }
    Ok(())
}

/// The id of the latest drink logged since `since` (by when it was entered, so the undo button
/// takes back the last tap even if a drink was back-dated), if any.
pub async fn latest_since(
    db: &Db,
    user_id: &str,
    since: DateTime<Utc>,
) -> Result<Option<String>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar(
        "SELECT id FROM water_intake WHERE user_id = $1 AND logged_at >= $2 \
         ORDER BY created_at DESC, id DESC LIMIT 1")
        .bind(user_id)
        .bind(since)
        .fetch_optional(pool)
        .await)
}

/// One logged drink as the REST API shows it. The amounts are cast so both backends hand
/// back the same 64-bit integers (PostgreSQL stores them as `integer`).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct IntakeRow {
    pub id: String,
    pub amount_ml: i64,
    pub beverage_type: String,
    pub note: Option<String>,
    pub daily_goal_ml: i64,
    pub logged_at: DateTime<Utc>,
}

const INTAKE_COLUMNS: &str = "id, CAST(amount_ml AS BIGINT) AS amount_ml, beverage_type, note, \
                              CAST(daily_goal_ml AS BIGINT) AS daily_goal_ml, logged_at";

/// A page of the person's drinks, newest first (ties broken by id, so a cursor never skips
/// or repeats a row).
pub async fn page(db: &Db, user_id: &str, seek: &TimeSeek) -> Result<Vec<IntakeRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {INTAKE_COLUMNS} FROM water_intake WHERE user_id = $1 AND logged_at >= $2 AND logged_at < $3 \
           AND (logged_at < $4 OR (logged_at = $4 AND id < $5)) \
         ORDER BY logged_at DESC, id DESC LIMIT $6"
    );
    with_db!(db, pool => sqlx::query_as(&sql)
        .bind(user_id)
        .bind(seek.from)
        .bind(seek.to)
        .bind(seek.before_at)
        .bind(&seek.before_id)
        .bind(seek.fetch)
        .fetch_all(pool)
        .await)
}

/// One of the person's drinks by id (another person's id reads as absent).
pub async fn intake(db: &Db, user_id: &str, id: &str) -> Result<Option<IntakeRow>, sqlx::Error> {
    let sql = format!("SELECT {INTAKE_COLUMNS} FROM water_intake WHERE id = $1 AND user_id = $2");
    with_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(user_id).fetch_optional(pool).await)
}
