//! Workspaces, people and their roles: the types every page shares, the validation of what
//! people type, and (server side) the queries, provisioning and the service behind sign-up and
//! admin tasks.

pub mod timezone;
pub mod validate;

#[cfg(feature = "ssr")]
pub mod directory;
#[cfg(feature = "ssr")]
pub mod provisioning;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;

pub use crate::identity::{Role, SessionUser};
