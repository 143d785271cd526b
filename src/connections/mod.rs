//! Connected devices: the provider framework, the OAuth connect flow, sealed tokens, and the
//! sync engine that keeps data arriving. `api` and `page` are the Connections screen.

pub mod handoff_page;
pub mod page;
pub mod server_fns;

#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
pub mod flow;
#[cfg(feature = "ssr")]
pub mod handoff;
#[cfg(feature = "ssr")]
pub mod hooks;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod monitor;
#[cfg(feature = "ssr")]
pub mod oauth;
#[cfg(feature = "ssr")]
pub mod oauth_state;
#[cfg(feature = "ssr")]
pub mod provider;
#[cfg(feature = "ssr")]
pub mod providers;
#[cfg(feature = "ssr")]
pub mod push;
#[cfg(feature = "ssr")]
pub mod push_routes;
#[cfg(feature = "ssr")]
pub mod push_subscriptions;
#[cfg(feature = "ssr")]
pub mod registry;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod rotate;
#[cfg(feature = "ssr")]
pub mod routes;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod status;
#[cfg(feature = "ssr")]
pub mod tokens;

pub use handoff_page::ConnectHandoffPage;
pub use page::ConnectionsPage;
