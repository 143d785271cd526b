//! Sign-in throttling, per account and per client address, kept in the database so it holds
//! across restarts and across server instances.

use chrono::{DateTime, Duration, Utc};

use super::db::Db;
use crate::with_db;

/// Failures allowed for one account from one client address within the window before that
/// pair is locked. The lock is per (account, address): someone who knows an email address
/// cannot lock its owner out from everywhere, and guessing from many addresses is still
/// bounded by [`IP_LIMIT`] per address.
pub const ACCOUNT_LIMIT: i32 = 5;
/// Failures allowed per address (many accounts from one place) before it is locked.
pub const IP_LIMIT: i32 = 20;
pub const WINDOW_MINUTES: i64 = 15;
pub const LOCK_MINUTES: i64 = 15;

/// One counter a sign-in attempt is held against.
#[derive(Debug, Clone)]
pub struct Key {
    name: String,
    limit: i32,
    /// A successful sign-in forgets this counter (else only its own attempt is taken back).
    forget_on_success: bool,
}

/// The counters for signing in to `email` from `ip`: the (account, address) pair and the
/// address alone.
pub fn sign_in_keys(email: &str, ip: &str) -> Vec<Key> {
    vec![
        Key {
            name: format!("account:{}|{ip}", email.trim().to_lowercase()),
            limit: ACCOUNT_LIMIT,
            forget_on_success: true,
        },
        Key {
            name: format!("ip:{ip}"),
            limit: IP_LIMIT,
            forget_on_success: false,
        },
    ]
}

/// An attempt already counted as a failure on every key, before its password is checked: so
/// parallel attempts cannot all pass a check that only counts finished ones.
#[must_use = "an attempt is settled as failed or succeeded"]
pub struct Reserved {
    held: Vec<(Key, i32)>,
    now: DateTime<Utc>,
}

/// Reserves one attempt on each key, atomically per key; when any key is locked or already
/// holds its limit of attempts, returns how long to wait instead (the password is then not
/// checked at all).
pub async fn reserve(
    db: &Db,
    keys: Vec<Key>,
    now: DateTime<Utc>,
) -> Result<Result<Reserved, Duration>, sqlx::Error> {
    let names: Vec<String> = keys.iter().map(|k| k.name.clone()).collect();
    if let Some(wait) = locked_for(db, &names, now).await? {
        return Ok(Err(wait));
    }
    let mut held = Vec::with_capacity(keys.len());
    for key in keys {
        let n = count_attempt(db, &key.name, now).await?;
        held.push((key, n));
    }
    if held.iter().any(|(k, n)| *n > k.limit) {
        return Ok(Err(Duration::minutes(LOCK_MINUTES)));
    }
    Ok(Ok(Reserved { held, now }))
}

impl Reserved {
    /// The password was wrong: the attempt stays counted, and a key that reached its limit is
    /// locked.
    pub async fn failed(self, db: &Db) -> Result<(), sqlx::Error> {
        let until = self.now + Duration::minutes(LOCK_MINUTES);
        for (key, n) in &self.held {
            if *n >= key.limit {
                with_db!(db, pool => sqlx::query("UPDATE auth_throttle SET locked_until = $2 WHERE key = $1")
                    .bind(&key.name)
                    .bind(until)
                    .execute(pool)
                    .await.map(|r| r.rows_affected()))?;
            }
        }
        Ok(())
    }

    /// The password was right: the account's counter is forgotten and the address's takes
    /// this attempt back.
    pub async fn succeeded(self, db: &Db) -> Result<(), sqlx::Error> {
        for (key, _) in &self.held {
            if key.forget_on_success {
                clear(db, &key.name).await?;
            } else {
                with_db!(db, pool => sqlx::query(
                    "UPDATE auth_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0")
                    .bind(&key.name)
                    .execute(pool)
                    .await.map(|r| r.rows_affected()))?;
            }
        }
        Ok(())
    }
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

/// Counts one attempt against `key` in one statement (a new window starts over at 1) and
/// returns the count.
async fn count_attempt(db: &Db, key: &str, now: DateTime<Utc>) -> Result<i32, sqlx::Error> {
    let window_start = now - Duration::minutes(WINDOW_MINUTES);
    with_db!(db, pool => sqlx::query_scalar(
        "INSERT INTO auth_throttle (key, failures, window_started, locked_until) VALUES ($1, 1, $2, NULL) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN auth_throttle.window_started < $3 THEN 1 ELSE auth_throttle.failures + 1 END, \
           window_started = CASE WHEN auth_throttle.window_started < $3 THEN $2 ELSE auth_throttle.window_started END \
         RETURNING failures")
        .bind(key)
        .bind(now)
        .bind(window_start)
        .fetch_one(pool)
        .await)
}

/// Forgets a counter.
async fn clear(db: &Db, key: &str) -> Result<(), sqlx::Error> {
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
