//! VitaSync: a self-hosted health-data platform.
//!
//! The crate builds twice: with `ssr` into the server binary (axum + Leptos SSR + server
//! functions + CLI), and with `hydrate` into the WebAssembly of the few interactive islands
//! (pages themselves are server-rendered and work without JavaScript).
//! Code is cut by feature; `platform` is the server-only machinery underneath.

// Leptos view types nest deeply; a fresh (non-incremental) build of the test crate
// needs more than the default 128 levels to lay them out.
#![recursion_limit = "256"]

pub mod accounts;
pub mod admin;
#[cfg(feature = "ssr")]
pub mod api;
pub mod api_keys;
pub mod app;
pub mod apple_health;
pub mod auth;
pub mod connections;
pub mod dashboard;
pub mod dates;
pub mod error;
pub mod goals;
pub mod habits;
pub mod health;
pub mod hydration;
pub mod identity;
#[cfg(feature = "ssr")]
pub mod insights;
pub mod instance;
pub mod journal;
pub mod measurements;
pub mod mood;
pub mod settings;
pub mod ui;
pub mod units;
pub mod webhooks;
pub mod wellness;
pub mod workouts;

#[cfg(feature = "ssr")]
pub mod bench;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod demo_provider;
#[cfg(feature = "ssr")]
pub mod platform;
#[cfg(feature = "ssr")]
pub mod server;

/// Called by the page's island loader (`ui::assets`) before it wakes each island: pages are
/// rendered on the server, and only `#[island]` components run in the browser.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
