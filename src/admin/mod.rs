//! Workspace administration: members, invitations and whether open sign-up is allowed, and
//! the tabs that lead to the other admin screens (API keys, …).

pub mod access;
mod access_section;
pub mod jobs;
mod jobs_page;
mod page;
pub mod server_fns;
mod tabs;
pub mod users;
mod users_page;

pub use jobs_page::JobsPage;
pub use page::AdminPage;
pub use server_fns::*;
pub use tabs::AdminTabs;
pub use users_page::{PersonPage, UsersPage};
