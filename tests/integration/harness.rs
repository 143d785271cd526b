//! The test harness: a fresh database per test (a temp SQLite file, or a new PostgreSQL
//! database), the app's router in-process, and a cookie-keeping client with typed helpers.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use tower::ServiceExt;
use vitasync::error::AppError;
use vitasync::platform::config::Config;
use vitasync::platform::crypto::KeyRing;
use vitasync::platform::db::Db;
use vitasync::platform::server;
use vitasync::platform::state::AppState;

/// Generates one `#[tokio::test]` per backend running the same story.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $story:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::harness::TestApp::spawn($crate::harness::Backend::Sqlite).await;
                ($story)(app.clone()).await;
                app.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = $crate::harness::TestApp::spawn($crate::harness::Backend::Postgres).await;
                ($story)(app.clone()).await;
                app.finish().await;
            }
        }
    };
}

/// Like `both_backends!`, with the app also serving on a loopback port (see
/// [`TestApp::spawn_listening`]).
#[macro_export]
macro_rules! both_backends_listening {
    ($name:ident, $story:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app =
                    $crate::harness::TestApp::spawn_listening($crate::harness::Backend::Sqlite)
                        .await;
                ($story)(app.clone()).await;
                app.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app =
                    $crate::harness::TestApp::spawn_listening($crate::harness::Backend::Postgres)
                        .await;
                ($story)(app.clone()).await;
                app.finish().await;
            }
        }
    };
}

/// Like `both_backends!`, with the configuration adjusted first (see
/// [`TestApp::spawn_with`]).
#[macro_export]
macro_rules! both_backends_with {
    ($name:ident, $adjust:expr, $story:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app =
                    $crate::harness::TestApp::spawn_with($crate::harness::Backend::Sqlite, $adjust)
                        .await;
                ($story)(app.clone()).await;
                app.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = $crate::harness::TestApp::spawn_with(
                    $crate::harness::Backend::Postgres,
                    $adjust,
                )
                .await;
                ($story)(app.clone()).await;
                app.finish().await;
            }
        }
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The server that hosts the per-test PostgreSQL databases.
pub fn pg_admin_url() -> String {
    std::env::var("VITASYNC_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Replaces the database name of a PostgreSQL URL.
pub fn pg_url_for(db_name: &str) -> String {
    let mut url = url::Url::parse(&pg_admin_url()).expect("VITASYNC_TEST_PG_URL is a URL");
    url.set_path(&format!("/{db_name}"));
    url.to_string()
}

fn db_prefix() -> String {
    format!("vs_test_{}_", std::process::id())
}

/// Drops test databases left behind by earlier runs (other process ids) once per process.
async fn sweep_stale_databases(admin: &sqlx::PgPool) {
    static SWEPT: OnceLock<()> = OnceLock::new();
    if SWEPT.set(()).is_err() {
        return;
    }
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname::text FROM pg_database WHERE datname LIKE 'vs\\_test\\_%'",
    )
    .fetch_all(admin)
    .await
    .unwrap_or_default();
    for name in names.into_iter().filter(|n| !n.starts_with(&db_prefix())) {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(admin)
            .await;
    }
}

/// Creates an empty PostgreSQL database for one test and returns its URL.
pub async fn fresh_pg_database() -> (String, String) {
    let admin = sqlx::PgPool::connect(&pg_admin_url())
        .await
        .expect("PostgreSQL for tests must run at VITASYNC_TEST_PG_URL (default 127.0.0.1:5432, user postgres)");
    sweep_stale_databases(&admin).await;
    let name = format!(
        "{}{}",
        db_prefix(),
        ulid::Ulid::new().to_string().to_lowercase()
    );
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&admin)
        .await
        .expect("create test database");
    admin.close().await;
    (pg_url_for(&name), name)
}

pub async fn drop_pg_database(name: &str) {
    if let Ok(admin) = sqlx::PgPool::connect(&pg_admin_url()).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&admin)
            .await;
        admin.close().await;
    }
}

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

    /// A new browser: its own cookies, from its own address.
    pub fn client(&self) -> Client {
        self.client_from("10.0.0.1")
    }

    pub fn client_from(&self, ip: &str) -> Client {
        Client {
            router: self.router.clone(),
            cookies: Arc::new(Mutex::new(Vec::new())),
            addr: SocketAddr::new(ip.parse().expect("ip"), 50000),
        }
    }

    /// Closes the pool and removes the test's database.
    pub async fn finish(self) {
        self.state.db.close().await;
        if let Some(name) = &self.pg_name {
            drop_pg_database(name).await;
        }
    }

    /// Connects the first person of the database to `provider` with `tokens`, as a finished
    /// OAuth callback would; returns the connection id.
    pub async fn connect_first_user(
        &self,
        provider: &str,
        tokens: &vitasync::connections::tokens::TokenSet,
        account: Option<&str>,
        scopes: &[&str],
    ) -> String {
        let (user, workspace): (String, String) = vitasync::with_db!(self.db(), pool => sqlx::query_as(
            "SELECT id, workspace_id FROM users ORDER BY created_at, id LIMIT 1").fetch_one(pool).await)
        .unwrap();
        vitasync::connections::repo::save_connected(
            self.db(),
            &self.state.config.keys,
            vitasync::connections::repo::Connected {
                workspace_id: &workspace,
                user_id: &user,
                provider_id: provider,
                tokens,
                account_id: account,
                scopes,
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap()
    }

    /// Runs first-run setup in a new client; returns that (signed-in) admin client.
    pub async fn setup_owner(&self, email: &str, password: &str) -> Client {
        let c = self.client();
        c.call::<()>(
            "auth/setup",
            &[
                ("workspace_name", "Acme Health"),
                ("display_name", "Olive Owner"),
                ("email", email),
                ("password", password),
                ("timezone", "Europe/Paris"),
            ],
        )
        .await
        .expect("setup succeeds");
        c
    }

    /// The admin invites `email`; returns the invitation token from the redirect.
    pub async fn invite(&self, admin: &Client, email: &str, role: &str) -> String {
        let res = admin
            .post_form(
                "/api/admin/invite",
                &[("email", email), ("role", role), ("expires_in_days", "7")],
            )
            .await;
        assert!(
            res.status.is_success(),
            "invite failed: {} {}",
            res.status,
            res.body
        );
        let location = res
            .header("location")
            .expect("invite redirects to the link");
        location
            .split("invite=")
            .nth(1)
            .expect("token in redirect")
            .to_string()
    }

    /// Invites and signs up a member; returns the member's signed-in client.
    pub async fn add_member(&self, admin: &Client, email: &str, password: &str) -> Client {
        let token = self.invite(admin, email, "member").await;
        let member = self.client_from("10.0.0.2");
        member
            .call::<()>(
                "auth/accept-invitation",
                &[
                    ("token", &token),
                    ("display_name", "Mia Member"),
                    ("password", password),
                    ("timezone", "America/New_York"),
                ],
            )
            .await
            .expect("member accepts invitation");
        member
    }
}

/// A bad-input case: form fields, the field the message belongs to, the message.
pub type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

#[derive(Clone)]
pub struct Client {
    router: Router,
    /// The cookie jar: `(name, value)` pairs (paths are not tracked).
    cookies: Arc<Mutex<Vec<(String, String)>>>,
    addr: SocketAddr,
}

impl Client {
    /// The current session cookie (`name=value`), if any.
    pub fn cookie(&self) -> Option<String> {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .find(|(k, _)| k.ends_with("vitasync_session"))
            .map(|(k, v)| format!("{k}={v}"))
    }

    /// Sets one cookie (`name=value`); `None` empties the jar.
    pub fn set_cookie(&self, value: Option<String>) {
        let mut jar = self.cookies.lock().unwrap();
        match value.as_deref().and_then(|v| v.split_once('=')) {
            Some((k, v)) => {
                jar.retain(|(name, _)| name != k);
                jar.push((k.to_string(), v.to_string()));
            }
            None => jar.clear(),
        }
    }

    /// Removes one cookie by name.
    pub fn drop_cookie(&self, name: &str) {
        self.cookies.lock().unwrap().retain(|(k, _)| k != name);
    }

    fn cookie_header(&self) -> Option<String> {
        let jar = self.cookies.lock().unwrap();
        (!jar.is_empty()).then(|| {
            jar.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    pub async fn send(&self, mut req: Request<Body>) -> TestResponse {
        req.extensions_mut().insert(ConnectInfo(self.addr));
        if let Some(c) = self.cookie_header() {
            req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
        }
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router never fails");
        for set in res.headers().get_all(header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            let pair = set.split(';').next().unwrap().trim().to_string();
            let removed = set.contains("Max-Age=0") || pair.ends_with('=');
            let name = pair.split('=').next().unwrap_or_default().to_string();
            if removed {
                self.drop_cookie(&name);
            } else {
                self.set_cookie(Some(pair));
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        let req = Request::get(path)
            .header(header::HOST, "localhost")
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    fn form_request(
        path: &str,
        fields: &[(&str, &str)],
        origin: Option<&str>,
        accept_html: bool,
    ) -> Request<Body> {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let mut b = Request::post(path)
            .header(header::HOST, "localhost")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(o) = origin {
            b = b.header(header::ORIGIN, o);
        }
        if accept_html {
            b = b
                .header(header::ACCEPT, "text/html")
                .header(header::REFERER, "http://localhost/login");
        }
        b.body(Body::from(body)).unwrap()
    }

    /// A same-site form post as the hydrated app sends it (JSON answer).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        self.send(Self::form_request(
            path,
            fields,
            Some("http://localhost"),
            false,
        ))
        .await
    }

    /// A form post as a browser without JavaScript sends it (redirect answer).
    pub async fn post_form_html(&self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        self.send(Self::form_request(
            path,
            fields,
            Some("http://localhost"),
            true,
        ))
        .await
    }

    /// A form post with a chosen Origin header (None: no Origin at all).
    pub async fn post_form_from(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        origin: Option<&str>,
    ) -> TestResponse {
        self.send(Self::form_request(path, fields, origin, false))
            .await
    }

    /// Calls a server function at `/api/<endpoint>` and decodes its result or its `AppError`.
    pub async fn call<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        fields: &[(&str, &str)],
    ) -> Result<T, AppError> {
        let res = self.post_form(&format!("/api/{endpoint}"), fields).await;
        if res.status.is_success() {
            Ok(serde_json::from_str(if res.body.is_empty() {
                "null"
            } else {
                &res.body
            })
            .unwrap_or_else(|e| panic!("{endpoint}: cannot decode {:?}: {e}", res.body)))
        } else {
            Err(serde_json::from_str(&res.body)
                .unwrap_or_else(|_| panic!("{endpoint}: {} {}", res.status, res.body)))
        }
    }

    pub async fn login(&self, email: &str, password: &str) -> Result<(), AppError> {
        self.call::<()>("auth/login", &[("email", email), ("password", password)])
            .await
    }

    /// Who the server thinks this client is.
    pub async fn whoami(&self) -> Option<vitasync::accounts::SessionUser> {
        self.call("auth/me", &[]).await.expect("auth/me answers")
    }
}

/// A REST API answer: status, headers and the JSON body (`Null` when empty).
pub struct ApiResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub json: serde_json::Value,
}

impl ApiResponse {
    /// The envelope's error code.
    pub fn code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or_default()
    }

    /// The fields named in the envelope's details.
    pub fn detail_fields(&self) -> Vec<String> {
        self.json["error"]["details"]
            .as_array()
            .map(|d| {
                d.iter()
                    .filter_map(|x| x["field"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl TestApp {
    /// Calls `/v1…` with an API key (or none) and an optional JSON body.
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> ApiResponse {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost");
        if let Some(k) = key {
            b = b.header(header::AUTHORIZATION, format!("Bearer {k}"));
        }
        let req = match body {
            Some(json) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json.to_string())),
            None => b.body(Body::empty()),
        }
        .unwrap();
        self.api_raw(req).await
    }

    /// Sends a hand-built request to the API.
    pub async fn api_raw(&self, mut req: Request<Body>) -> ApiResponse {
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 9], 40000))));
        let res = self.router.clone().oneshot(req).await.expect("router");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let json = if bytes.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
        };
        ApiResponse {
            status,
            headers,
            json,
        }
    }

    /// Stores a key for `workspace_id` with `scopes` ("read,write") and returns it.
    pub async fn api_key(&self, workspace_id: &str, scopes: &str) -> String {
        let scopes = vitasync::api_keys::Scope::parse_list(scopes).expect("scopes");
        let (_, raw) =
            vitasync::api_keys::repo::create(self.db(), workspace_id, "test key", &scopes, None)
                .await
                .expect("key stored");
        raw
    }

    /// A workspace with an owner (`owner@<slug>.test`); returns its id and the owner's client.
    pub async fn workspace(&self, name: &str) -> (String, Client) {
        let slug = name.to_lowercase().replace(' ', "-");
        let email = format!("owner@{slug}.test");
        let (ws, _) = vitasync::accounts::provisioning::create_workspace_with_admin(
            self.db(),
            name,
            None,
            vitasync::accounts::provisioning::NewAccount {
                email: email.clone(),
                password: "owner-password-1".into(),
                display_name: None,
                timezone: "UTC".into(),
            },
            false,
        )
        .await
        .expect("workspace created");
        let c = self.client_from("10.0.0.7");
        c.login(&email, "owner-password-1").await.expect("login");
        (ws, c)
    }
}
