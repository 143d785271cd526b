//! Streaks over due days. A day that is not due neither breaks nor extends a streak, and a due
//! today that is not done yet does not break the current streak until the day is over.
//!
//! [`Tracker`] keeps the runs of consecutive done due days and updates them on every check and
//! un-check (the server uses it on each change); [`recompute`] walks the calendar day by day
//! from scratch. A property test holds the two equal.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::schedule::Schedule;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Streaks {
    pub current: u32,
    pub longest: u32,
}

/// Runs of consecutive done due days, by the schedule's due-day numbers.
#[derive(Clone, Debug)]
pub struct Tracker {
    schedule: Schedule,
    /// start → end (inclusive) of each run.
    runs: BTreeMap<i64, i64>,
    /// run length → how many runs have it.
    lengths: BTreeMap<i64, u32>,
}

impl Tracker {
    pub fn new(schedule: Schedule) -> Tracker {
        Tracker {
            schedule,
            runs: BTreeMap::new(),
            lengths: BTreeMap::new(),
        }
    }

    pub fn from_dates<'a>(
        schedule: Schedule,
        dates: impl IntoIterator<Item = &'a NaiveDate>,
    ) -> Tracker {
        let mut t = Tracker::new(schedule);
        for d in dates {
            t.check(*d);
        }
        t
    }

    fn run_at(&self, i: i64) -> Option<(i64, i64)> {
        self.runs
            .range(..=i)
            .next_back()
            .map(|(s, e)| (*s, *e))
            .filter(|(_, e)| *e >= i)
    }

    fn add_run(&mut self, start: i64, end: i64) {
        if end < start {
            return;
        }
        self.runs.insert(start, end);
        *self.lengths.entry(end - start + 1).or_default() += 1;
    }

    fn remove_run(&mut self, start: i64) {
        if let Some(end) = self.runs.remove(&start) {
            let len = end - start + 1;
            if let Some(n) = self.lengths.get_mut(&len) {
                *n -= 1;
                if *n == 0 {
                    self.lengths.remove(&len);
                }
            }
        }
    }

    /// Marks `date` done (a day that is not due is ignored).
    pub fn check(&mut self, date: NaiveDate) {
        if !self.schedule.is_due(date) {
            return;
        }
        let i = self.schedule.index(date);
        if self.run_at(i).is_some() {
            return;
        }
        let (mut start, mut end) = (i, i);
        if let Some((s, _)) = self.run_at(i - 1) {
            self.remove_run(s);
            start = s;
        }
        if let Some(e) = self.runs.get(&(i + 1)).copied() {
            self.remove_run(i + 1);
            end = e;
        }
        self.add_run(start, end);
    }

    /// Marks `date` not done.
    pub fn uncheck(&mut self, date: NaiveDate) {
        if !self.schedule.is_due(date) {
            return;
        }
        let i = self.schedule.index(date);
        if let Some((s, e)) = self.run_at(i) {
            self.remove_run(s);
            self.add_run(s, i - 1);
            self.add_run(i + 1, e);
        }
    }

    pub fn streaks(&self, today: NaiveDate) -> Streaks {
        let s = self.schedule;
        let mut last = s.last_due_index(today);
        if s.is_due(today) && self.run_at(s.index(today)).is_none() {
            last -= 1; // today is still open
        }
        let current = self.run_at(last).map(|(start, _)| last - start + 1);
        Streaks {
            current: current.unwrap_or(0) as u32,
            longest: self.lengths.keys().next_back().copied().unwrap_or(0) as u32,
        }
    }
}

/// Streaks from scratch, walking every calendar day.
pub fn recompute(dates: &BTreeSet<NaiveDate>, schedule: Schedule, today: NaiveDate) -> Streaks {
    let Some(first) = dates.first().copied() else {
        return Streaks::default();
    };
    let last = dates.last().copied().unwrap_or(first).max(today);
    let (mut run, mut longest) = (0u32, 0u32);
    for d in first.iter_days().take_while(|d| *d <= last) {
        if !schedule.is_due(d) {
            continue;
        }
        if dates.contains(&d) {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let mut d = today;
    if schedule.is_due(today) && !dates.contains(&today) {
        d -= Duration::days(1);
    }
    let mut current = 0;
    while d >= first {
        if schedule.is_due(d) {
            if !dates.contains(&d) {
                break;
            }
            current += 1;
        }
        d -= Duration::days(1);
    }
    Streaks { current, longest }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn both(dates: &[&str], schedule: Schedule, today: &str) -> Streaks {
        let set: BTreeSet<NaiveDate> = dates.iter().map(|d| day(d)).collect();
        let from_scratch = recompute(&set, schedule, day(today));
        let tracked = Tracker::from_dates(schedule, &set).streaks(day(today));
        assert_eq!(tracked, from_scratch, "{dates:?} {today}");
        tracked
    }

    #[test]
    fn today_not_done_yet_keeps_the_streak_alive() {
        // Mon 2 – Wed 4 June 2025 done; Thursday is today and still open.
        let s = both(
            &["2025-06-02", "2025-06-03", "2025-06-04"],
            Schedule::DAILY,
            "2025-06-05",
        );
        assert_eq!(
            s,
            Streaks {
                current: 3,
                longest: 3
            }
        );
        // The day after, a missed Thursday has broken it.
        let s = both(
            &["2025-06-02", "2025-06-03", "2025-06-04"],
            Schedule::DAILY,
            "2025-06-06",
        );
        assert_eq!(
            s,
            Streaks {
                current: 0,
                longest: 3
            }
        );
    }

    #[test]
    fn weekends_do_not_break_a_weekday_habit() {
        // Thu 5, Fri 6, (weekend), Mon 9 June 2025; today Tuesday, open.
        let s = both(
            &["2025-06-05", "2025-06-06", "2025-06-09"],
            Schedule::WEEKDAYS,
            "2025-06-10",
        );
        assert_eq!(s.current, 3);
        // A Saturday check-in does not extend it either.
        let s = both(
            &["2025-06-05", "2025-06-06", "2025-06-07", "2025-06-09"],
            Schedule::WEEKDAYS,
            "2025-06-09",
        );
        assert_eq!(
            s,
            Streaks {
                current: 3,
                longest: 3
            }
        );
    }

    #[test]
    fn unchecking_a_past_day_splits_the_run() {
        let days = [
            "2025-06-01",
            "2025-06-02",
            "2025-06-03",
            "2025-06-04",
            "2025-06-05",
        ];
        let mut t = Tracker::from_dates(Schedule::DAILY, &days.map(day));
        assert_eq!(
            t.streaks(day("2025-06-05")),
            Streaks {
                current: 5,
                longest: 5
            }
        );
        t.uncheck(day("2025-06-03"));
        assert_eq!(
            t.streaks(day("2025-06-05")),
            Streaks {
                current: 2,
                longest: 2
            }
        );
        t.check(day("2025-06-03"));
        assert_eq!(t.streaks(day("2025-06-05")).longest, 5);
    }

    #[test]
    fn a_custom_schedule_spans_a_leap_day() {
        // Thursdays: 22 Feb, 29 Feb (leap day), 7 Mar 2024.
        let thursdays = Schedule::from_days(&[4]).unwrap();
        let s = both(
            &["2024-02-22", "2024-02-29", "2024-03-07"],
            thursdays,
            "2024-03-08",
        );
        assert_eq!(
            s,
            Streaks {
                current: 3,
                longest: 3
            }
        );
        let daily = both(
            &["2024-02-28", "2024-02-29", "2024-03-01"],
            Schedule::DAILY,
            "2024-03-01",
        );
        assert_eq!(daily.current, 3);
    }

    #[test]
    fn today_is_the_users_own_day_far_east_and_far_west() {
        // 11:30 UTC on 1 June 2025 is already 00:30 on 2 June in Tonga (UTC+13) and still
        // 01:30 on 1 June in Honolulu (UTC−10).
        let at = Utc.with_ymd_and_hms(2025, 6, 1, 11, 30, 0).unwrap();
        let tonga = at
            .with_timezone(&chrono_tz::Pacific::Tongatapu)
            .date_naive();
        let honolulu = at.with_timezone(&chrono_tz::Pacific::Honolulu).date_naive();
        assert_eq!((tonga, honolulu), (day("2025-06-02"), day("2025-06-01")));
        let done = ["2025-05-30", "2025-05-31"];
        // In Tonga 1 June was missed; in Honolulu it is still today.
        assert_eq!(both(&done, Schedule::DAILY, "2025-06-02").current, 0);
        assert_eq!(both(&done, Schedule::DAILY, "2025-06-01").current, 2);
    }

    #[test]
    fn a_daylight_saving_day_is_one_day() {
        // Berlin springs forward on 30 March 2025 (a 23-hour day): check-ins made at 23:30
        // local time on each day still land on consecutive local dates.
        let tz = chrono_tz::Europe::Berlin;
        let dates: BTreeSet<NaiveDate> = ["2025-03-29", "2025-03-30", "2025-03-31"]
            .iter()
            .map(|d| {
                let at = tz
                    .from_local_datetime(&day(d).and_hms_opt(23, 30, 0).unwrap())
                    .unwrap()
                    .with_timezone(&Utc);
                at.with_timezone(&tz).date_naive()
            })
            .collect();
        assert_eq!(dates.len(), 3);
        assert_eq!(
            recompute(&dates, Schedule::DAILY, day("2025-03-31")),
            Streaks {
                current: 3,
                longest: 3
            }
        );
    }

    proptest! {
        #[test]
        fn tracked_streaks_equal_a_recomputation(
            mask in 1u8..128,
            ops in prop::collection::vec((0i64..90, any::<bool>()), 0..120),
            today_offset in 0i64..95,
        ) {
            let schedule = Schedule::from_days(&(0..7).filter(|d| mask & (1 << d) != 0).collect::<Vec<u8>>()).unwrap();
            let base = day("2024-01-15");
            let today = base + Duration::days(today_offset);
            let mut tracker = Tracker::new(schedule);
            let mut set = BTreeSet::new();
            for (offset, check) in ops {
                let d = base + Duration::days(offset);
                if d > today { continue; }
                if check { tracker.check(d); set.insert(d); } else { tracker.uncheck(d); set.remove(&d); }
                prop_assert_eq!(tracker.streaks(today), recompute(&set, schedule, today));
            }
        }
    }
}
