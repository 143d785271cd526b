//! Today: the first screen after sign-in.

mod page;

pub use page::{DashboardPage, TodayOverview};
