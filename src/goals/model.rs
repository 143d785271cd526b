//! Goal types shared by the server and the browser.

use serde::{Deserialize, Serialize};

/// One goal with its progress, as the goals screen, the Today screen and the REST API show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalCard {
    pub id: String,
    pub name: String,
    /// "At least 10,000 steps a day".
    pub rule: String,
    /// "Today", "This week", "This month" or, for reach goals, "Latest".
    pub period: String,
    pub value: String,
    pub percent: f64,
    pub met: bool,
    /// "2,500 steps to go", "Goal met", "No data yet".
    pub status: String,
    pub current_streak: u32,
    pub longest_streak: u32,
    pub cadence_noun: String,
    pub completed: bool,
    pub archived: bool,
}
