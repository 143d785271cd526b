//! Today: the first screen after sign-in.

mod page;
pub mod wellness;

pub use page::{DashboardPage, TodayOverview};
