//! When a failed delivery is tried again, and when an endpoint is given up on.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;

/// Waits after the 1st, 2nd, … failed attempt (the first attempt is immediate): the Standard
/// Webhooks schedule, about 75 hours in all.
pub const RETRY_DELAYS_SECS: [i64; 9] = [
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    14 * 3600,
    20 * 3600,
    24 * 3600,
];

/// Attempts in all before a delivery is marked failed.
pub const MAX_ATTEMPTS: i32 = RETRY_DELAYS_SECS.len() as i32 + 1;

/// An endpoint failing for this long without a single success is switched off.
pub const DISABLE_AFTER: Duration = Duration::days(5);

/// The longest `Retry-After` we wait for.
const MAX_RETRY_AFTER_SECS: i64 = 24 * 3600;

/// When to try again after failed attempt number `attempt` (1-based), or `None` when that was
/// the last. Up to 10% jitter spreads retries of many deliveries; a longer `Retry-After` from
/// the receiver wins.
pub fn next_attempt(
    attempt: i32,
    now: DateTime<Utc>,
    retry_after_secs: Option<i64>,
) -> Option<DateTime<Utc>> {
    let base = *RETRY_DELAYS_SECS.get(usize::try_from(attempt - 1).ok()?)?;
    let jitter = rand::thread_rng().gen_range(0..=base / 10);
    let wait = (base + jitter).max(retry_after_secs.unwrap_or(0).min(MAX_RETRY_AFTER_SECS));
    Some(now + Duration::seconds(wait))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_schedule_with_bounded_jitter() {
        let now = Utc::now();
        for (i, base) in RETRY_DELAYS_SECS.iter().enumerate() {
            let at = next_attempt(i as i32 + 1, now, None).unwrap();
            let wait = (at - now).num_seconds();
            assert!(
                *base <= wait && wait <= base + base / 10,
                "attempt {}: {wait}",
                i + 1
            );
        }
        assert_eq!(next_attempt(MAX_ATTEMPTS, now, None), None);
        assert_eq!(MAX_ATTEMPTS, 10);
        let total: i64 = RETRY_DELAYS_SECS.iter().sum();
        assert_eq!(total / 3600, 75);
    }

    #[test]
    fn a_longer_retry_after_is_honoured_but_capped() {
        let now = Utc::now();
        let at = next_attempt(1, now, Some(120)).unwrap();
        assert_eq!((at - now).num_seconds(), 120);
        let at = next_attempt(1, now, Some(10 * 86_400)).unwrap();
        assert_eq!((at - now).num_seconds(), 86_400);
        let short = next_attempt(3, now, Some(1)).unwrap();
        assert!((short - now).num_seconds() >= 1800);
    }
}
