//! Hydration: one-tap water logging against a daily goal, with the user's own cup sizes, undo,
//! a 7/30-day chart and a days-goal-met streak. Amounts are stored in millilitres and shown in
//! ml or US fl oz by preference.

mod page;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod service;
pub mod units;

/// The largest single drink in millilitres (a drink is 1 ml up to this), in the app and the API.
pub const MAX_DRINK_ML: i64 = 5000;
/// The longest note on a drink, in characters; the form's `maxlength` shows the same limit.
pub const NOTE_MAX: usize = 200;

pub use page::{HydrationPage, WaterQuickAdd};

/// The kinds of drink, as (id, label).
pub const BEVERAGES: [(&str, &str); 5] = [
    ("water", "Water"),
    ("tea", "Tea"),
    ("coffee", "Coffee"),
    ("juice", "Juice"),
    ("other", "Other"),
];

/// The label of a drink kind (`Other` for an id we do not know).
pub fn beverage_label(id: &str) -> &'static str {
    BEVERAGES
        .iter()
        .find(|(b, _)| *b == id)
        .map(|(_, l)| *l)
        .unwrap_or("Other")
}
