//! Workspace administration: members, invitations and whether open sign-up is allowed, people,
//! and the sync-job monitor. The tab strip of the admin screens is `ui::admin_tabs` (API keys
//! and webhooks show it too).

pub mod access;
mod access_section;
pub mod fresh_invite;
pub mod jobs;
mod jobs_page;
mod page;
pub mod server_fns;
pub mod users;
mod users_page;

pub use jobs_page::JobsPage;
pub use page::AdminPage;
pub use server_fns::*;
pub use users_page::{PersonPage, UsersPage};
