//! Habits with a weekly target ("3× a week") instead of due days. A week runs Monday to Sunday
//! in the person's own dates (the goals' weekly periods); it counts once its check-ins reach the
//! target. Streaks count such weeks in a row, and the week still running never breaks one: it
//! is the goals' streak of periods met, over weeks.
//!
//! Stored as frequency `custom` on all seven days with `times_per_week` = the target (the seed's
//! frequencies are kept), so any day may hold a check-in.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::goals::progress::period_streaks;
use crate::wellness::period::Cadence;
use crate::wellness::schedule::Schedule;
use crate::wellness::streak::Streaks;

/// The range of a weekly target: seven a week is a daily habit.
pub const TARGETS: std::ops::RangeInclusive<i64> = 1..=6;

/// The field error of a target outside [`TARGETS`].
pub const TARGET_MESSAGE: &str = "Choose between 1 and 6 times a week.";

/// A stored target, when it is one (`NULL` or a value out of range: a day schedule).
pub fn target_of(times_per_week: Option<i32>) -> Option<u32> {
    times_per_week
        .filter(|n| TARGETS.contains(&i64::from(*n)))
        .map(|n| n as u32)
}

/// "3× a week".
pub fn describe(target: u32) -> String {
    format!("{target}× a week")
}

/// Check-ins in the week (Monday to Sunday) holding `day`.
pub fn done_in_week(dates: &BTreeSet<NaiveDate>, day: NaiveDate) -> u32 {
    let start = Cadence::Weekly.start(day);
    dates.range(start..=Cadence::Weekly.end(start)).count() as u32
}

/// Streaks in weeks, from the week of the first check-in to the week holding `today` (the open
/// one: it extends the streak once it reaches the target and never breaks it before it ends).
pub fn streaks(dates: &BTreeSet<NaiveDate>, target: u32, today: NaiveDate) -> Streaks {
    let Some(first) = dates.first().copied() else {
        return Streaks::default();
    };
    let this_week = Cadence::Weekly.start(today);
    let mut met = Vec::new();
    let mut week = Cadence::Weekly.start(first);
    while week <= this_week {
        met.push(done_in_week(dates, week) >= target);
        week = Cadence::Weekly.next(week);
    }
    period_streaks(&met)
}

/// A schedule with `target` days a week, for habit strength: it weighs only how many days a week
/// a habit asks for, so a weekly target is scored as Loop scores "n times a week" (n of 7).
pub fn strength_schedule(target: u32) -> Schedule {
    let days: Vec<u8> = (0..target.clamp(1, 7) as u8).collect();
    Schedule::from_days(&days).unwrap_or(Schedule::DAILY)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn set(days: &[&str]) -> BTreeSet<NaiveDate> {
        days.iter().map(|d| day(d)).collect()
    }

    /// Three a week. Weeks (Monday first) of May 2025 with 3, 4, 1 and 3 check-ins, then the
    /// week of Monday 2 June, still open on Wednesday 4 June, with 1.
    const MAY: [&str; 11] = [
        // Mon 5 – Sun 11 May: 3, met.
        "2025-05-05",
        "2025-05-07",
        "2025-05-09",
        // Mon 12 – Sun 18 May: 4, met.
        "2025-05-12",
        "2025-05-13",
        "2025-05-15",
        "2025-05-17",
        // Mon 19 – Sun 25 May: 1 (on the Sunday), missed.
        "2025-05-25",
        // Mon 26 May – Sun 1 June: 3 (the last on the Sunday, in June), met.
        "2025-05-26",
        "2025-05-28",
        "2025-06-01",
    ];

    #[test]
    fn weeks_with_three_four_one_three_and_an_open_week() {
        let mut dates = set(&MAY);
        dates.insert(day("2025-06-02"));
        // Weeks met: yes, yes, no, yes, open (1 of 3). The open week does not break the run
        // of one; the longest run is the first two weeks.
        assert_eq!(done_in_week(&dates, day("2025-06-04")), 1);
        assert_eq!(
            done_in_week(&dates, day("2025-06-01")),
            3,
            "Sunday ends a week"
        );
        assert_eq!(
            streaks(&dates, 3, day("2025-06-04")),
            Streaks {
                current: 1,
                longest: 2
            }
        );
        // Two more this week: the open week reaches 3 and extends the run to two weeks.
        dates.insert(day("2025-06-03"));
        dates.insert(day("2025-06-04"));
        assert_eq!(
            streaks(&dates, 3, day("2025-06-04")),
            Streaks {
                current: 2,
                longest: 2
            }
        );
        // The next Monday, with nothing yet: the new week is open, the run stays at two.
        assert_eq!(
            streaks(&dates, 3, day("2025-06-09")),
            Streaks {
                current: 2,
                longest: 2
            }
        );
    }

    #[test]
    fn a_closed_week_short_of_the_target_ends_the_streak() {
        let mut dates = set(&MAY);
        dates.insert(day("2025-06-02"));
        // Monday 9 June: the week of 2 June ended with 1 of 3.
        assert_eq!(
            streaks(&dates, 3, day("2025-06-09")),
            Streaks {
                current: 0,
                longest: 2
            }
        );
        // A week without any check-in breaks it too.
        let gap = set(&["2025-05-05", "2025-05-06", "2025-05-19", "2025-05-20"]);
        assert_eq!(
            streaks(&gap, 2, day("2025-05-21")),
            Streaks {
                current: 1,
                longest: 1
            }
        );
        // Once a week: every week of May met, the open June week not yet.
        assert_eq!(
            streaks(&set(&MAY), 1, day("2025-06-03")),
            Streaks {
                current: 4,
                longest: 4
            }
        );
        assert_eq!(
            streaks(&BTreeSet::new(), 3, day("2025-06-03")),
            Streaks::default()
        );
    }

    #[test]
    fn targets_and_their_words() {
        assert_eq!(target_of(Some(3)), Some(3));
        assert_eq!(target_of(None), None);
        assert_eq!(target_of(Some(7)), None);
        assert_eq!(describe(3), "3× a week");
        assert_eq!(strength_schedule(3).per_week(), 3);
    }
}
