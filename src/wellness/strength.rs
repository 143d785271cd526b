//! Habit strength as Loop Habit Tracker computes it: an exponentially smoothed score in which
//! each due-period's completion moves the score a little, so one lapse after months of practice
//! barely dents it (product-anchors §2.2).
//!
//! ```text
//! freq       = numerator / denominator        (7 of 7 days = 1; weekdays = 10 of 14, doubled)
//! multiplier = 0.5 ^ (sqrt(freq) / 13)
//! score      = score_yesterday × multiplier + checkmark × (1 − multiplier)
//! checkmark  = min(1, completions in the last `denominator` days / numerator)
//! ```

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};

use super::schedule::Schedule;

/// The score in 0..=1 on `today`, starting from `start` (the habit's first day). A today that
/// is not done yet is left out, as it is still open.
pub fn strength(
    done: &BTreeSet<NaiveDate>,
    schedule: Schedule,
    start: NaiveDate,
    today: NaiveDate,
) -> f64 {
    let k = schedule.per_week().max(1);
    // Loop doubles numerator and denominator of non-daily frequencies to smooth uneven weeks.
    let (numerator, denominator) = if k == 7 {
        (1.0, 1i64)
    } else {
        (2.0 * k as f64, 14)
    };
    let multiplier = 0.5f64.powf((numerator / denominator as f64).sqrt() / 13.0);
    let end = if done.contains(&today) {
        today
    } else {
        today - Duration::days(1)
    };
    let mut score = 0.0;
    for d in start.iter_days().take_while(|d| *d <= end) {
        let from = d - Duration::days(denominator - 1);
        let rolling = done.range(from..=d).count() as f64;
        let checkmark = (rolling / numerator).min(1.0);
        score = score * multiplier + checkmark * (1.0 - multiplier);
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn one_daily_completion_weighs_about_five_percent() {
        let start = day("2025-01-01");
        let done: BTreeSet<_> = [start].into();
        let s = strength(&done, Schedule::DAILY, start, start);
        assert!((s - (1.0 - 0.5f64.powf(1.0 / 13.0))).abs() < 1e-12, "{s}");
        assert!((0.051..0.052).contains(&s));
    }

    #[test]
    fn a_lapse_after_a_long_practice_barely_moves_it() {
        let start = day("2025-01-01");
        let all: BTreeSet<_> = start.iter_days().take(120).collect();
        let today = start + Duration::days(119);
        let full = strength(&all, Schedule::DAILY, start, today);
        assert!(full > 0.99, "{full}");
        let mut lapse = all.clone();
        lapse.remove(&(today - Duration::days(1)));
        let dented = strength(&lapse, Schedule::DAILY, start, today);
        assert!(full - dented < 0.06 && dented < full, "{full} {dented}");
    }

    #[test]
    fn a_weekday_habit_done_every_weekday_grows_to_full_strength() {
        let start = day("2025-01-06"); // a Monday
        let done: BTreeSet<_> = start
            .iter_days()
            .take(200)
            .filter(|d| Schedule::WEEKDAYS.is_due(*d))
            .collect();
        let s = strength(
            &done,
            Schedule::WEEKDAYS,
            start,
            start + Duration::days(199),
        );
        assert!(s > 0.95, "{s}");
        assert_eq!(
            strength(&BTreeSet::new(), Schedule::WEEKDAYS, start, start),
            0.0
        );
    }
}
