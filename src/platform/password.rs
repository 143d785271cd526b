//! Password hashing: argon2id at the OWASP floor (m = 19 MiB, t = 2, p = 1), always on a
//! blocking thread so a sign-in never stalls the async runtime.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::AppError;

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

/// At most this many hashes run at once: each takes 19 MiB and a core for tens of
/// milliseconds, so a burst of sign-ins queues instead of exhausting memory.
const CONCURRENT_HASHES: usize = 2;
static HASH_PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT_HASHES);

/// Runs argon2 work on a blocking thread, never more than `CONCURRENT_HASHES` at a time.
async fn run_bounded<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let _permit = HASH_PERMITS
        .acquire()
        .await
        .map_err(|_| AppError::Internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| AppError::Internal)
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Length is the only rule (NIST 800-63B): no composition rules.
pub fn validate(field: &str, password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(AppError::invalid(
            field,
            format!("Use at least {MIN_LEN} characters."),
        ));
    }
    if n > MAX_LEN {
        return Err(AppError::invalid(
            field,
            format!("Use at most {MAX_LEN} characters."),
        ));
    }
    Ok(())
}

pub async fn hash(password: String) -> Result<String, AppError> {
    run_bounded(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await?
    .map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::Internal
    })
}

/// Checks `password` against `stored`. With no stored hash (unknown email) the same work is done
/// against a dummy hash, so response time does not reveal which accounts exist.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    let known = stored.is_some();
    let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
    let ok = run_bounded(move || {
        PasswordHash::new(&stored)
            .map(|parsed| {
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false);
    known && ok
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(b"no account has this password", &salt)
            .expect("hashing a constant cannot fail")
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_owasp_parameters() {
        let h = hash("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse".into(), Some(h.clone())).await);
        assert!(!verify("wrong horse!".into(), Some(h)).await);
        assert!(!verify("anything".into(), None).await);
    }

    #[test]
    fn length_is_the_only_rule() {
        assert!(validate("password", "short").is_err());
        assert!(validate("password", "eightchr").is_ok());
        assert!(validate("password", &"x".repeat(129)).is_err());
        // Eight characters, counted as characters rather than bytes.
        assert!(validate("password", "ääääääää").is_ok());
    }
}
