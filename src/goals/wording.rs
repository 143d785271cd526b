//! How goals read on screen: an amount with its unit, and a goal's rule in words.

use super::progress::Direction;
use super::{Combine, GoalMetric};
use crate::health::catalogue::format_number;
use crate::wellness::period::Cadence;

/// `v` in the metric's unit ("2,500 steps", "7.5 h", "4 / 5").
pub fn amount(m: &GoalMetric, v: f64) -> String {
    let n = format_number(v, m.decimals);
    match m.unit {
        "" => n,
        "/ 5" => format!("{n} / 5"),
        u => format!("{n} {u}"),
    }
}

/// "At least 10,000 steps a day", "At most 2 h on average, a week", "Reach 70 kg".
pub fn rule(m: &GoalMetric, dir: Direction, cadence: Cadence, target: f64) -> String {
    let each = match cadence {
        Cadence::Daily => "a day",
        Cadence::Weekly => "a week",
        Cadence::Monthly => "a month",
    };
    let per = match m.combine {
        Combine::Sum => format!(" {each}"),
        Combine::Mean => format!(" on average, {each}"),
        Combine::Last => String::new(),
    };
    match dir {
        Direction::AtLeast => format!("At least {}{per}", amount(m, target)),
        Direction::AtMost => format!("At most {}{per}", amount(m, target)),
        Direction::Reach => format!("Reach {}", amount(m, target)),
    }
}
