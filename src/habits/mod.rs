//! Habits: daily, weekday or custom schedules or a weekly target ("3× a week"), one-tap
//! check-ins for today or any past day, streaks that honour the schedule (in weeks for a weekly
//! target), Loop-style habit strength and a year heatmap.

mod detail_page;
mod page;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod service;
pub mod weekly;

pub use detail_page::HabitPage;
pub use page::{HabitCheck, HabitsPage};

/// Colours a habit can take (CSS classes `habit-<name>`).
pub const COLORS: [&str; 8] = [
    "blue", "green", "red", "purple", "orange", "pink", "yellow", "cyan",
];

/// One-tap starting points: (name, icon, frequency).
pub const PRESETS: [(&str, &str, &str); 10] = [
    ("Meditate", "🧘", "daily"),
    ("Exercise", "🏋️", "weekdays"),
    ("Read", "📖", "daily"),
    ("Sleep 8 hours", "😴", "daily"),
    ("No sugar", "🍬", "daily"),
    ("Walk 10k steps", "🚶", "daily"),
    ("Journal", "📝", "daily"),
    ("Stretch", "🤸", "daily"),
    ("Drink 2 L of water", "💧", "daily"),
    ("No phone before bed", "📵", "daily"),
];
