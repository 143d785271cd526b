//! Server-only machinery underneath the features: configuration, database, security, HTTP.

pub mod config;
pub mod crypto;
pub mod db;
pub mod egress;
pub mod health;
pub mod host_check;
pub mod ids;
pub mod origin_check;
pub mod password;
pub mod request;
pub mod session_store;
pub mod shown_once;
pub mod state;
pub mod throttle;
