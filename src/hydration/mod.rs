//! Hydration: one-tap water logging against a daily goal, with the user's own cup sizes, undo,
//! a 7/30-day chart and a days-goal-met streak. Amounts are stored in millilitres and shown in
//! ml or US fl oz by preference.

pub mod api;
mod page;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod units;

pub use page::{HydrationPage, WaterQuickAdd};
