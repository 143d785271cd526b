//! Outgoing webhooks, following the Standard Webhooks specification: an admin registers an
//! endpoint and the events it wants; every event becomes a delivery in the
//! `webhook_deliveries` queue, signed (`webhook-id`, `webhook-timestamp`,
//! `webhook-signature: v1,<HMAC-SHA256>`), sent through the SSRF guard and retried on a fixed
//! schedule until it is delivered or given up.

pub mod events;
mod page;
pub mod server_fns;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod schedule;
#[cfg(feature = "ssr")]
pub mod sender;
#[cfg(feature = "ssr")]
pub mod signing;
#[cfg(feature = "ssr")]
pub mod status;

pub use events::EventType;
pub use page::{WebhookPage, WebhooksPage};
pub use server_fns::*;
