//! Workspace API keys: how other apps authenticate to the REST API (`/v1`).
//!
//! A key is `vs_live_` followed by 40 random base62 characters. Only its SHA-256 and the first
//! eight characters after `vs_live_` (to recognise it in lists and logs) are stored; the raw key
//! is shown once, when it is created.

mod page;
pub mod scope;
pub mod server_fns;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod token;

pub use page::ApiKeysPage;
pub use scope::Scope;
pub use server_fns::*;
