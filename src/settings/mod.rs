//! Settings: profile and time zone, password, and the browsers signed in to the account.

mod page;
pub mod server_fns;

pub use page::SettingsPage;
pub use server_fns::*;
