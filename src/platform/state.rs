//! Shared application state, handed to axum handlers and provided to Leptos as context.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::config::Config;
use super::db::Db;
use crate::connections::engine::Engine;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    /// Device providers and the sync engine.
    pub engine: Arc<Engine>,
    /// REST API rate limits and key bookkeeping.
    pub api: Arc<crate::api::auth::ApiRuntime>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
