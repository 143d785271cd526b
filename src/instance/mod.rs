//! The instance owner's page: every workspace on this server, and creating new ones.

pub mod api;
mod page;

pub use api::*;
pub use page::InstancePage;
