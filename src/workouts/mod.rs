//! Workouts: the list of sessions (events of type `workout`) with filters and weekly training
//! volume, and one session's detail with laps, heart-rate zones, pace and elevation.

mod page;
pub mod server_fns;
#[cfg(feature = "ssr")]
mod views;

pub use page::{WorkoutPage, WorkoutsPage};
