//! [`TestApp`]: the app's router in-process on a fresh database per test and backend (a temp
//! SQLite file, or a new PostgreSQL database), optionally also serving on a loopback port.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use vitasync::platform::config::Config;
use vitasync::platform::crypto::KeyRing;
use vitasync::platform::db::Db;
use vitasync::platform::state::AppState;
use vitasync::server;

use super::backends::{drop_pg_database, fresh_pg_database, Backend};

#[derive(Clone)]
pub struct TestApp {
    pub backend: Backend,
    pub state: AppState,
    pub router: Router,
    pg_name: Option<String>,
    _dir: Arc<tempfile::TempDir>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Spawns with a chance to adjust the configuration first.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let (database_url, pg_name) = match backend {
            Backend::Sqlite => (format!("sqlite://{}/test.db", dir.path().display()), None),
            Backend::Postgres => {
                let (url, name) = fresh_pg_database().await;
                (url, Some(name))
            }
        };
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            database_url,
            public_url: None,
            secure_cookies: false,
            keys: KeyRing::parse("test:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
                .expect("test key"),
            providers: vitasync::platform::config::ProviderSettings {
                demo_enabled: true,
                ..Default::default()
            },
            api_rate_limit: vitasync::platform::config::DEFAULT_API_RATE_LIMIT,
            allow_private_webhooks: false,
            imports: Default::default(),
        };
        adjust(&mut config);
        let options = leptos::config::LeptosOptions::builder()
            .output_name("vitasync")
            .build();
        let state = server::prepare(config, options).await.expect("app starts");
        let router = server::router(state.clone());
        TestApp {
            backend,
            state,
            router,
            pg_name,
            _dir: Arc::new(dir),
        }
    }

    /// Like [`TestApp::spawn`], and also serving on a loopback port, which the built-in demo
    /// provider is configured to use (its client reaches it over real HTTP).
    pub async fn spawn_listening(backend: Backend) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a port");
        let addr = listener.local_addr().expect("local addr");
        let app = Self::spawn_with(backend, |c| {
            c.providers.demo_base_url =
                Some(url::Url::parse(&format!("http://{addr}/")).expect("url"));
        })
        .await;
        let router = app.router.clone();
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .ok();
        });
        app
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// Closes the pool and removes the test's database.
    pub async fn finish(self) {
        self.state.db.close().await;
        if let Some(name) = &self.pg_name {
            drop_pg_database(name).await;
        }
    }
}
