//! Workspace administration: members, invitations and whether open sign-up is allowed.

pub mod api;
mod page;

pub use api::*;
pub use page::AdminPage;
