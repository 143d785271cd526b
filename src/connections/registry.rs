//! The providers this server offers, built once from the configuration.

use std::sync::Arc;

use url::Url;

use super::provider::Provider;
use super::providers::demo::Demo;
use super::providers::fitbit::Fitbit;
use super::providers::garmin::Garmin;
use super::providers::oura::Oura;
use super::providers::polar::Polar;
use super::providers::strava::Strava;
use super::providers::whoop::Whoop;
use super::providers::withings::Withings;
use crate::platform::config::Config;

pub struct Registry {
    providers: Vec<Arc<dyn Provider>>,
    backfill: std::collections::BTreeMap<String, i64>,
}

impl Registry {
    /// `self_url` is where this server reaches itself (the demo provider).
    pub fn from_config(config: &Config, self_url: &Url) -> Self {
        let mut providers: Vec<Arc<dyn Provider>> = Vec::new();
        let settings = &config.providers;
        if settings.demo_enabled {
            let base = settings
                .demo_base_url
                .clone()
                .or_else(|| config.public_url.clone())
                .unwrap_or_else(|| self_url.clone());
            providers.push(Arc::new(Demo::new(&base)));
        }
        // Real providers are always listed; without credentials they show as not configured.
        providers.push(Arc::new(Whoop::new(&settings.client("whoop"))));
        providers.push(Arc::new(Strava::new(&settings.client("strava"))));
        providers.push(Arc::new(Oura::new(&settings.client("oura"))));
        providers.push(Arc::new(Withings::new(&settings.client("withings"))));
        providers.push(Arc::new(Polar::new(&settings.client("polar"))));
        providers.push(Arc::new(Fitbit::new(&settings.client("fitbit"))));
        providers.push(Arc::new(Garmin::new(&settings.client("garmin"))));
        let backfill = settings
            .clients
            .iter()
            .filter_map(|(id, c)| c.backfill_days.map(|d| (id.clone(), d)))
            .collect();
        Registry {
            providers,
            backfill,
        }
    }

    /// Every provider, configured or not, in display order.
    pub fn all(&self) -> &[Arc<dyn Provider>] {
        &self.providers
    }

    /// A provider that can be connected and synced (configured).
    pub fn get(&self, id: &str) -> Option<Arc<dyn Provider>> {
        self.providers
            .iter()
            .find(|p| p.info().id == id && p.endpoints().is_some())
            .cloned()
    }

    pub fn backfill_days(&self, id: &str) -> i64 {
        self.backfill.get(id).copied().unwrap_or_else(|| {
            self.providers
                .iter()
                .find(|p| p.info().id == id)
                .map(|p| p.info().backfill_days)
                .unwrap_or(30)
        })
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<_> = self.providers.iter().map(|p| p.info().id).collect();
        write!(f, "Registry({ids:?})")
    }
}
