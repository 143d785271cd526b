//! Authorizations in flight. A state value is random (256 bits), stored only as a hash, used
//! once (deleted on the first callback that names it, whatever the outcome) and expires after
//! ten minutes. Started in the app, it belongs to the signed-in session that started it and to
//! the browser holding a random value in a short-lived SameSite=Lax cookie (which survives the
//! provider's redirect). Started through the REST API, the platform hands the authorization URL
//! to its own user, so the URL itself is the capability: it names the person and provider, and
//! the callback returns the browser to the platform's `return_url`.

use chrono::{DateTime, Duration, Utc};

use crate::platform::crypto::KeyRing;
use crate::platform::db::Db;
use crate::platform::ids::sha256_hex;
use crate::with_db;

pub const LIFETIME_MINUTES: i64 = 10;

/// The cookie that ties a callback to the browser that started it (one per provider, so two
/// tabs connecting two providers do not trip each other).
pub fn cookie_name(provider_id: &str) -> String {
    format!("vitasync_oauth_{provider_id}")
}

/// Who started an authorization.
#[derive(Clone, Copy, Debug)]
pub enum Origin<'a> {
    /// The person, signed in, in this browser.
    Session {
        auth_session_id: &'a str,
        browser_value: &'a str,
    },
    /// A platform through the API, sending its user back to `return_url` afterwards.
    Api { return_url: &'a str },
}

pub struct NewState<'a> {
    pub state: &'a str,
    pub origin: Origin<'a>,
    pub user_id: &'a str,
    pub provider_id: &'a str,
    pub pkce_verifier: Option<&'a str>,
    pub redirect_uri: &'a str,
}

fn verifier_aad(state_hash: &str) -> Vec<u8> {
    format!("oauth_states\u{1f}{state_hash}").into_bytes()
}

pub async fn save(
    db: &Db,
    keys: &KeyRing,
    s: NewState<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let hash = sha256_hex(s.state);
    let verifier = s
        .pkce_verifier
        .map(|v| keys.encrypt(v.as_bytes(), &verifier_aad(&hash)));
    let (session, browser, return_url) = match s.origin {
        Origin::Session {
            auth_session_id,
            browser_value,
        } => (Some(auth_session_id), Some(sha256_hex(browser_value)), None),
        Origin::Api { return_url } => (None, None, Some(return_url)),
    };
    with_db!(db, pool => sqlx::query(
        "INSERT INTO oauth_states (state_hash, user_id, auth_session_id, browser_hash, provider_id, \
         pkce_verifier, redirect_uri, return_url, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(&hash)
        .bind(s.user_id)
        .bind(session)
        .bind(browser)
        .bind(s.provider_id)
        .bind(verifier)
        .bind(s.redirect_uri)
        .bind(return_url)
        .bind(now + Duration::minutes(LIFETIME_MINUTES))
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Why a callback's state was refused. Each has its own message on the Connections page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateError {
    /// Never issued, or already used.
    Unknown,
    Expired,
    /// Issued for another provider (mix-up), another session or another browser.
    Mismatch,
}

impl StateError {
    pub fn code(self) -> &'static str {
        match self {
            StateError::Unknown => "state",
            StateError::Expired => "expired",
            StateError::Mismatch => "session",
        }
    }
}

/// What a valid state hands back to the callback.
#[derive(Debug)]
pub struct Verified {
    pub user_id: String,
    pub pkce_verifier: Option<String>,
    pub redirect_uri: String,
    /// Set when a platform started the authorization through the API: where the browser goes
    /// back to.
    pub return_url: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    user_id: String,
    auth_session_id: Option<String>,
    browser_hash: Option<String>,
    provider_id: String,
    pkce_verifier: Option<String>,
    redirect_uri: String,
    return_url: Option<String>,
    expires_at: DateTime<Utc>,
}

/// Uses up `state` and checks it against the callback's provider and, for one started in the
/// app, its session and browser cookie.
pub async fn consume(
    db: &Db,
    keys: &KeyRing,
    state: &str,
    provider_id: &str,
    auth_session_id: Option<&str>,
    browser_value: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Result<Verified, StateError>, sqlx::Error> {
    let hash = sha256_hex(state);
    // DELETE … RETURNING: of two callbacks racing with one state, exactly one gets the row.
    let row: Option<Row> = with_db!(db, pool => sqlx::query_as(
        "DELETE FROM oauth_states WHERE state_hash = $1 RETURNING user_id, auth_session_id, \
         browser_hash, provider_id, pkce_verifier, redirect_uri, return_url, expires_at")
        .bind(&hash)
        .fetch_optional(pool)
        .await)?;
    let Some(row) = row else {
        return Ok(Err(StateError::Unknown));
    };
    if row.expires_at <= now {
        return Ok(Err(StateError::Expired));
    }
    let same_starter = match (&row.auth_session_id, &row.browser_hash) {
        (Some(session), Some(browser)) => {
            let same_browser = browser_value.is_some_and(|v| {
                use subtle::ConstantTimeEq;
                bool::from(sha256_hex(v).as_bytes().ct_eq(browser.as_bytes()))
            });
            auth_session_id == Some(session.as_str()) && same_browser
        }
        // Started through the API: whoever holds the URL is the platform's user.
        (None, None) => row.return_url.is_some(),
        _ => false,
    };
    if row.provider_id != provider_id || !same_starter {
        return Ok(Err(StateError::Mismatch));
    }
    let pkce_verifier = match row.pkce_verifier {
        Some(sealed) => match keys.decrypt(&sealed, &verifier_aad(&hash)) {
            Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            Err(_) => return Ok(Err(StateError::Mismatch)),
        },
        None => None,
    };
    Ok(Ok(Verified {
        user_id: row.user_id,
        pkce_verifier,
        redirect_uri: row.redirect_uri,
        return_url: row.return_url,
    }))
}

/// Drops states nobody came back for (housekeeping).
pub async fn sweep(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    with_db!(db, pool => sqlx::query("DELETE FROM oauth_states WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
}
