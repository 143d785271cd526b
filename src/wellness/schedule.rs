//! Which weekdays something is due (a habit's frequency), and the numbering of due days that
//! streaks are counted on: consecutive due days get consecutive numbers, so a day that is not due
//! neither breaks nor extends a run.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// Bit `i` set = weekday `i` is due, with 0 = Sunday … 6 = Saturday (the seed's `target_days`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule(u8);

impl Schedule {
    pub const DAILY: Schedule = Schedule(0b111_1111);
    /// Monday to Friday.
    pub const WEEKDAYS: Schedule = Schedule(0b011_1110);

    /// `None` when no day is given or a day is outside 0..=6.
    pub fn from_days(days: &[u8]) -> Option<Schedule> {
        let mut mask = 0u8;
        for &d in days {
            if d > 6 {
                return None;
            }
            mask |= 1 << d;
        }
        (mask != 0).then_some(Schedule(mask))
    }

    /// The schedule of a habit's `frequency` (`daily`, `weekdays`, `custom` + its days).
    pub fn for_frequency(frequency: &str, target_days: &[u8]) -> Option<Schedule> {
        match frequency {
            "daily" => Some(Schedule::DAILY),
            "weekdays" => Some(Schedule::WEEKDAYS),
            "custom" => Schedule::from_days(target_days),
            _ => None,
        }
    }

    /// The due weekdays, 0 = Sunday first.
    pub fn days(self) -> Vec<u8> {
        (0..7).filter(|d| self.0 & (1 << d) != 0).collect()
    }

    pub fn per_week(self) -> u32 {
        self.0.count_ones()
    }

    pub fn is_due(self, date: NaiveDate) -> bool {
        self.0 & (1 << date.weekday().num_days_from_sunday()) != 0
    }

    /// How many due days come strictly before `date` (counted from 1 January of year 1, a
    /// Monday). Due days therefore number consecutively, and a day that is not due gets the
    /// number of the next due day.
    pub fn index(self, date: NaiveDate) -> i64 {
        let n = i64::from(date.num_days_from_ce()) - 1;
        let (week, from_monday) = (n.div_euclid(7), n.rem_euclid(7));
        let before = (0..from_monday)
            .filter(|i| self.0 & (1 << ((i + 1) % 7)) != 0)
            .count() as i64;
        week * i64::from(self.per_week()) + before
    }

    /// The number of the last due day on or before `date`.
    pub fn last_due_index(self, date: NaiveDate) -> i64 {
        self.index(date + Duration::days(1)) - 1
    }

    /// Short text: "Every day", "Weekdays", "Mon, Wed, Fri".
    pub fn describe(self) -> String {
        if self == Schedule::DAILY {
            return "Every day".into();
        }
        if self == Schedule::WEEKDAYS {
            return "Weekdays".into();
        }
        const NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        // Monday first, as weeks are shown.
        [1u8, 2, 3, 4, 5, 6, 0]
            .iter()
            .filter(|d| self.0 & (1 << **d) != 0)
            .map(|d| NAMES[*d as usize])
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn year_one_started_on_a_monday() {
        assert_eq!(day("0001-01-01").weekday(), chrono::Weekday::Mon);
    }

    #[test]
    fn due_days_number_consecutively() {
        for s in [
            Schedule::DAILY,
            Schedule::WEEKDAYS,
            Schedule::from_days(&[0, 3]).unwrap(),
            Schedule::from_days(&[6]).unwrap(),
        ] {
            let mut last: Option<i64> = None;
            for d in day("2024-02-20").iter_days().take(60) {
                if s.is_due(d) {
                    let i = s.index(d);
                    if let Some(prev) = last {
                        assert_eq!(i, prev + 1, "{s:?} {d}");
                    }
                    assert_eq!(s.last_due_index(d), i);
                    last = Some(i);
                } else if let Some(prev) = last {
                    assert_eq!(s.last_due_index(d), prev, "{s:?} {d}");
                }
            }
        }
    }

    #[test]
    fn frequencies_and_their_names() {
        assert_eq!(Schedule::for_frequency("daily", &[]), Some(Schedule::DAILY));
        assert_eq!(Schedule::WEEKDAYS.days(), vec![1, 2, 3, 4, 5]);
        assert_eq!(Schedule::for_frequency("custom", &[]), None);
        assert_eq!(Schedule::from_days(&[7]), None);
        assert_eq!(
            Schedule::from_days(&[5, 0, 1]).unwrap().describe(),
            "Mon, Fri, Sun"
        );
        assert!(!Schedule::WEEKDAYS.is_due(day("2025-06-07"))); // a Saturday
    }
}
