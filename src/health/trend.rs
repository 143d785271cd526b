//! Which way a figure moved against its recent average (the direction only: whether up is good
//! depends on the metric).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    Up,
    Down,
    Flat,
}

impl Trend {
    /// A change of `percent` against the average; under 1 % either way counts as flat.
    pub fn of_change(percent: f64) -> Trend {
        if percent.abs() < 1.0 {
            Trend::Flat
        } else if percent > 0.0 {
            Trend::Up
        } else {
            Trend::Down
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Trend::Up => "up",
            Trend::Down => "down",
            Trend::Flat => "flat",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Trend;

    #[test]
    fn small_changes_are_flat() {
        assert_eq!(Trend::of_change(0.9), Trend::Flat);
        assert_eq!(Trend::of_change(-0.9), Trend::Flat);
        assert_eq!(Trend::of_change(4.0), Trend::Up);
        assert_eq!(Trend::of_change(-4.0), Trend::Down);
    }
}
