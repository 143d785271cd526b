//! Shared application state, handed to axum handlers and provided to Leptos as context.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::config::Config;
use super::db::Db;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state inside a server function or page render (provided by the router).
pub fn app_state() -> AppState {
    leptos::prelude::use_context::<AppState>()
        .expect("AppState is provided to every server function and page render")
}
