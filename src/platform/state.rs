//! Shared application state, handed to axum handlers and provided to Leptos as context.

use std::any::type_name;
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
    /// The features' own runtime parts (the sync engine, the API's rate limiter), keyed by
    /// type. The composition root (`crate::server`) puts them in and each feature reads its
    /// own through a method it adds to `AppState` (`state.engine()`): the platform carries
    /// them without naming a feature.
    parts: Arc<http::Extensions>,
}

impl AppState {
    pub fn new(db: Db, config: Arc<Config>, leptos_options: LeptosOptions) -> Self {
        AppState {
            db,
            config,
            leptos_options,
            parts: Arc::default(),
        }
    }

    /// Adds a feature's runtime part (one value per type).
    pub fn with_part<T: Clone + Send + Sync + 'static>(mut self, part: T) -> Self {
        Arc::make_mut(&mut self.parts).insert(part);
        self
    }

    /// A feature's runtime part. The composition root adds every part before the first
    /// request, so a missing one is a wiring mistake caught by any test that starts the app.
    pub fn part<T: Clone + Send + Sync + 'static>(&self) -> &T {
        self.parts
            .get::<T>()
            .unwrap_or_else(|| panic!("{} was not added to the app state", type_name::<T>()))
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
