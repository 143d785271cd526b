//! A provider engine run against a mock of the provider's API (wiremock): the app's own
//! configuration with the provider's client pointed at the mock, and an engine over it.

use std::sync::Arc;

use url::Url;
use vitasync::connections::engine::Engine;
use vitasync::connections::provider::Provider;
use vitasync::connections::registry::Registry;
use vitasync::platform::config::ProviderClient;
use wiremock::MockServer;

use super::TestApp;

/// A provider pointed at a mock, and an engine to sync with it.
pub struct ProviderMock {
    /// On the app's database and keys; its registry (`engine.registry`) is built for the mock.
    pub engine: Engine,
    /// The provider the mock stands for, from the engine's registry: for the calls below the
    /// engine (code exchange, identity, a single page, revocation).
    pub provider: Arc<dyn Provider>,
}

/// `provider` talking to `mock`: the app's configuration with `provider`'s client as `client`
/// builds it from the mock's base URL, and an engine over it. The demo provider, which has no
/// client settings but only a base URL, always talks to the mock (for `"demo"`, `client` only
/// fills an entry nothing reads).
pub fn provider_mock(
    app: &TestApp,
    mock: &MockServer,
    provider: &str,
    client: impl FnOnce(&Url) -> ProviderClient,
) -> ProviderMock {
    let mut config = (*app.state.config).clone();
    let base = Url::parse(&mock.uri()).expect("the mock's URL");
    config.providers.demo_base_url = Some(base.clone());
    config
        .providers
        .clients
        .insert(provider.to_string(), client(&base));
    let registry = Arc::new(Registry::from_config(&config, &base));
    let found = registry
        .get(provider)
        .unwrap_or_else(|| panic!("{provider} is not configured"));
    ProviderMock {
        engine: Engine::new(app.db().clone(), config.keys.clone(), registry),
        provider: found,
    }
}
