//! What the wellness screens (journal, hydration, habits, mood, goals) share: due-day
//! schedules, streaks, habit strength, goal periods, calendar grids and form parsing.

pub mod calendar;
pub mod period;
pub mod schedule;
pub mod streak;
pub mod strength;
pub mod views;

#[cfg(feature = "ssr")]
pub mod bench;
#[cfg(feature = "ssr")]
pub mod form;
