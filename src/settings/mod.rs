//! Settings: profile and time zone, password, and the browsers signed in to the account.

pub mod api;
mod page;
pub mod timezone;

pub use api::*;
pub use page::SettingsPage;
