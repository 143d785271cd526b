//! Sign-in throttling, per account and per client address, kept in the database so it holds
//! across restarts and across server instances.

use chrono::{DateTime, Duration, Utc};

use super::db::Db;
use crate::with_db;

/// Failures allowed per account within the window before it is locked.
pub const ACCOUNT_LIMIT: i32 = 5;
/// Failures allowed per address (many accounts from one place) before it is locked.
pub const IP_LIMIT: i32 = 20;
pub const WINDOW_MINUTES: i64 = 15;
pub const LOCK_MINUTES: i64 = 15;

pub fn account_key(email: &str) -> String {
    format!("account:{}", email.trim().to_lowercase())
}

pub fn ip_key(ip: &str) -> String {
    format!("ip:{ip}")
}

/// When any of `keys` is locked, returns how long until it opens again.
pub async fn locked_for(
    db: &Db,
    keys: &[String],
    now: DateTime<Utc>,
) -> Result<Option<Duration>, sqlx::Error> {
    let mut longest: Option<DateTime<Utc>> = None;
    for key in keys {
        let until: Option<Option<DateTime<Utc>>> = with_db!(db, pool => sqlx::query_scalar(
            "SELECT locked_until FROM auth_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(pool)
            .await)?;
        if let Some(Some(until)) = until {
            if until > now && longest.is_none_or(|l| until > l) {
                longest = Some(until);
            }
        }
    }
    Ok(longest.map(|until| until - now))
}

/// Counts one failure against `key`; locks it once `limit` failures fall inside the window.
pub async fn record_failure(
    db: &Db,
    key: &str,
    limit: i32,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let window_start = now - Duration::minutes(WINDOW_MINUTES);
    let failures: i32 = with_db!(db, pool => sqlx::query_scalar(
        "INSERT INTO auth_throttle (key, failures, window_started, locked_until) VALUES ($1, 1, $2, NULL) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN auth_throttle.window_started < $3 THEN 1 ELSE auth_throttle.failures + 1 END, \
           window_started = CASE WHEN auth_throttle.window_started < $3 THEN $2 ELSE auth_throttle.window_started END \
         RETURNING failures")
        .bind(key)
        .bind(now)
        .bind(window_start)
        .fetch_one(pool)
        .await)?;
    if failures >= limit {
        let until = now + Duration::minutes(LOCK_MINUTES);
        with_db!(db, pool => sqlx::query("UPDATE auth_throttle SET locked_until = $2 WHERE key = $1")
            .bind(key)
            .bind(until)
            .execute(pool)
            .await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// A successful sign-in forgets the account's failures (not the address's).
pub async fn clear(db: &Db, key: &str) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query("DELETE FROM auth_throttle WHERE key = $1")
        .bind(key)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// "Try again in 14 minutes."
pub fn retry_message(wait: Duration) -> String {
    let minutes = (wait.num_seconds() + 59) / 60;
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!("Too many failed sign-in attempts. Try again in {minutes} {unit}.")
}

/// Removes counters of windows that ended a day ago and hold no lock.
pub async fn sweep(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "DELETE FROM auth_throttle WHERE window_started < $1 AND (locked_until IS NULL OR locked_until < $2)")
        .bind(now - Duration::days(1))
        .bind(now)
        .execute(pool)
        .await.map(|r| r.rows_affected()))
}
