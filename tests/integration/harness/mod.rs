//! The test harness: a fresh database per test (a temp SQLite file, or a new PostgreSQL
//! database), the app's router in-process, and a cookie-keeping client with typed helpers.
//!
//! - `backends`: the `both_backends!` story macros and the per-test databases;
//! - `app`: [`TestApp`], the app started on a fresh database;
//! - `client`: [`Client`], a cookie-keeping browser, and its [`TestResponse`]s;
//! - `api`: REST API calls and their [`ApiResponse`]s;
//! - `data`: a person's id and time zone, one reading to ingest;
//! - `seed`: the owners, members, workspaces, keys and connections a story starts from;
//! - `push`: helpers for the provider push stories (used as `harness::push::…`);
//! - `provider`: [`provider_mock`], a provider engine pointed at a mock of the provider's API;
//! - `process`: the real binary as a child process, killed and restarted (used as
//!   `harness::process::…`).

mod api;
mod app;
mod backends;
mod client;
mod data;
pub mod process;
mod provider;
pub mod push;
mod seed;

pub use api::ApiResponse;
pub use app::TestApp;
pub use backends::{drop_pg_database, fresh_pg_database, Backend};
pub use client::{Case, Client, TestResponse};
pub use data::{point, set_timezone, user_id};
pub use provider::{provider_mock, ProviderMock};
pub use seed::{shown_invitation, workspace_api_user};
