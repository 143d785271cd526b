//! Goal arithmetic: progress in percent, whether a period met its goal, and the streak of
//! consecutive periods met (the current period, not over yet, never breaks it).

use serde::{Deserialize, Serialize};

use crate::wellness::streak::Streaks;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    AtLeast,
    AtMost,
    /// Get from a starting value to the target (either way), e.g. a weight.
    Reach,
}

impl Direction {
    pub fn parse(s: &str) -> Option<Direction> {
        match s {
            "at_least" => Some(Direction::AtLeast),
            "at_most" => Some(Direction::AtMost),
            "reach" => Some(Direction::Reach),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::AtLeast => "at_least",
            Direction::AtMost => "at_most",
            Direction::Reach => "reach",
        }
    }
}

/// Whether `value` meets the goal. No data never meets one.
pub fn met(dir: Direction, value: Option<f64>, target: f64, start: Option<f64>) -> bool {
    let Some(v) = value else { return false };
    match dir {
        Direction::AtLeast => v >= target,
        Direction::AtMost => v <= target,
        Direction::Reach => match start {
            Some(s) if s > target => v <= target,
            _ => v >= target,
        },
    }
}

/// Progress towards the goal, 0–100 (at least: share of the target; at most: 100 while within,
/// shrinking as the value overshoots; reach: share of the way from the start).
pub fn percent(dir: Direction, value: Option<f64>, target: f64, start: Option<f64>) -> f64 {
    let Some(v) = value else { return 0.0 };
    let p = match dir {
        Direction::AtLeast => {
            if target <= 0.0 {
                100.0
            } else {
                v / target * 100.0
            }
        }
        Direction::AtMost => {
            if v <= target {
                100.0
            } else if v <= 0.0 {
                0.0
            } else {
                target / v * 100.0
            }
        }
        Direction::Reach => match start {
            Some(s) if (s - target).abs() > f64::EPSILON => (s - v) / (s - target) * 100.0,
            _ => {
                if met(dir, value, target, start) {
                    100.0
                } else {
                    0.0
                }
            }
        },
    };
    p.clamp(0.0, 100.0)
}

/// Streaks over periods, oldest first; the last one is the current period.
pub fn period_streaks(met: &[bool]) -> Streaks {
    let (mut run, mut longest) = (0u32, 0u32);
    for m in met {
        run = if *m { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let closed = match met.split_last() {
        Some((true, _)) => met,
        Some((false, rest)) => rest,
        None => met,
    };
    let current = closed.iter().rev().take_while(|m| **m).count() as u32;
    Streaks { current, longest }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wellness::period::Cadence;
    use chrono::NaiveDate;

    #[test]
    fn directions() {
        assert!(met(Direction::AtLeast, Some(10_000.0), 10_000.0, None));
        assert!(!met(Direction::AtLeast, None, 10.0, None));
        assert!(met(Direction::AtMost, Some(1.0), 2.0, None));
        assert_eq!(
            percent(Direction::AtLeast, Some(7_500.0), 10_000.0, None),
            75.0
        );
        assert_eq!(percent(Direction::AtMost, Some(4.0), 2.0, None), 50.0);
        // Weight 80 → 72: at 76 halfway there; 71 is past the target.
        assert_eq!(
            percent(Direction::Reach, Some(76.0), 72.0, Some(80.0)),
            50.0
        );
        assert!(met(Direction::Reach, Some(71.0), 72.0, Some(80.0)));
        assert!(!met(Direction::Reach, Some(73.0), 72.0, Some(80.0)));
        // Gaining towards a target works the other way round.
        assert!(met(Direction::Reach, Some(61.0), 60.0, Some(55.0)));
        assert_eq!(
            percent(Direction::Reach, Some(50.0), 72.0, Some(80.0)),
            100.0
        );
    }

    #[test]
    fn the_open_period_does_not_break_the_streak() {
        assert_eq!(
            period_streaks(&[true, true, false]),
            Streaks {
                current: 2,
                longest: 2
            }
        );
        assert_eq!(
            period_streaks(&[true, true, true]),
            Streaks {
                current: 3,
                longest: 3
            }
        );
        assert_eq!(
            period_streaks(&[true, false, true, false]),
            Streaks {
                current: 1,
                longest: 1
            }
        );
        assert_eq!(
            period_streaks(&[true, true, true, false, false]),
            Streaks {
                current: 0,
                longest: 3
            }
        );
        assert_eq!(period_streaks(&[]), Streaks::default());
    }

    #[test]
    fn weekly_periods_of_a_dst_week_and_a_leap_february() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // The week of Europe's spring-forward Sunday (30 March 2025) runs Mon 24 – Sun 30.
        assert_eq!(Cadence::Weekly.start(d("2025-03-30")), d("2025-03-24"));
        assert_eq!(
            Cadence::Weekly.recent(d("2025-03-31"), 2),
            vec![d("2025-03-24"), d("2025-03-31")]
        );
        assert_eq!(
            Cadence::Monthly.end(Cadence::Monthly.start(d("2024-02-29"))),
            d("2024-02-29")
        );
    }
}
