//! Goals: a target on a metric (steps, sleep, active minutes, water, workouts, weight, mood,
//! habit check-ins) per day, ISO week or month, with progress computed from the stored data,
//! a period history and a streak of periods met.

#[cfg(feature = "ssr")]
mod evaluate;
#[cfg(feature = "ssr")]
pub mod form;
pub mod model;
mod page;
pub mod progress;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod values;
#[cfg(feature = "ssr")]
mod wording;

pub use page::{GoalPage, GoalProgressList, GoalsPage};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Combine {
    /// Totals add up over a week or month (steps, water).
    Sum,
    /// Averages over the days with data (sleep hours, mood).
    Mean,
    /// The latest figure (weight).
    Last,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GoalMetric {
    pub id: &'static str,
    pub label: &'static str,
    /// Unit shown after numbers ("" for counts).
    pub unit: &'static str,
    /// The `goals.category` it files under.
    pub category: &'static str,
    pub combine: Combine,
    pub decimals: u8,
    /// Allowed targets.
    pub max: f64,
}

#[rustfmt::skip]
pub const GOAL_METRICS: [GoalMetric; 8] = [
    GoalMetric { id: "steps", label: "Steps", unit: "steps", category: "activity", combine: Combine::Sum, decimals: 0, max: 10_000_000.0 },
    GoalMetric { id: "sleep_hours", label: "Sleep", unit: "h", category: "sleep", combine: Combine::Mean, decimals: 1, max: 24.0 },
    GoalMetric { id: "active_minutes", label: "Active minutes", unit: "min", category: "activity", combine: Combine::Sum, decimals: 0, max: 50_000.0 },
    GoalMetric { id: "water_ml", label: "Water", unit: "ml", category: "hydration", combine: Combine::Sum, decimals: 0, max: 400_000.0 },
    GoalMetric { id: "workouts", label: "Workouts", unit: "workouts", category: "activity", combine: Combine::Sum, decimals: 0, max: 500.0 },
    GoalMetric { id: "weight", label: "Weight", unit: "kg", category: "body", combine: Combine::Last, decimals: 1, max: 500.0 },
    GoalMetric { id: "mood_avg", label: "Average mood", unit: "/ 5", category: "mental_health", combine: Combine::Mean, decimals: 1, max: 5.0 },
    GoalMetric { id: "habit_completions", label: "Habit check-ins", unit: "check-ins", category: "custom", combine: Combine::Sum, decimals: 0, max: 10_000.0 },
];

impl GoalMetric {
    /// The metric as this person reads it (weight in lb, water in fl oz …) and the conversion
    /// of its figures from the stored unit.
    pub fn shown(&self, units: &crate::units::Units) -> (GoalMetric, crate::units::Conversion) {
        use crate::units::{Conversion, Quantity, Unit};
        let Some(q) = Quantity::of_metric(self.id) else {
            return (*self, Conversion::SAME);
        };
        let unit = units.unit(q);
        let conv = Conversion::to(unit);
        let mut shown = *self;
        shown.unit = unit.symbol();
        shown.decimals = if unit == Unit::Ml { 0 } else { 1 };
        shown.max = conv.shown(self.max).floor();
        (shown, conv)
    }
}

pub fn goal_metric(id: &str) -> Option<&'static GoalMetric> {
    GOAL_METRICS.iter().find(|m| m.id == id)
}
