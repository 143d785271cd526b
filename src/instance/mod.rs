//! The instance owner's page: every workspace on this server, and creating new ones.

mod page;
pub mod server_fns;

pub use page::InstancePage;
pub use server_fns::*;
