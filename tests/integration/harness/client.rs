//! [`Client`]: a browser for the stories, with its own cookie jar and address, sending form
//! posts and server-function calls to the router; its [`TestResponse`]s; bad-input [`Case`]s.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use tower::ServiceExt;
use vitasync::error::AppError;

use super::TestApp;

impl TestApp {
    /// A new browser: its own cookies, from its own address.
    pub fn client(&self) -> Client {
        self.client_from("10.0.0.1")
    }

    pub fn client_from(&self, ip: &str) -> Client {
        Client {
            router: self.router.clone(),
            db: self.db().clone(),
            cookies: Arc::new(Mutex::new(Vec::new())),
            addr: SocketAddr::new(ip.parse().expect("ip"), 50000),
        }
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
    /// The app's database, to say what it was doing when a request never answered.
    db: vitasync::platform::db::Db,
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
        // A request that never answers fails its story (naming it) instead of hanging the suite.
        let what = format!("{} {}", req.method(), req.uri());
        let res = match tokio::time::timeout(
            std::time::Duration::from_secs(60),
            self.router.clone().oneshot(req),
        )
        .await
        {
            Ok(res) => res.expect("router never fails"),
            Err(_) => panic!(
                "{what} did not answer within 60 s; the database meanwhile: {}",
                self.database_activity().await
            ),
        };
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

    /// What the app's PostgreSQL connections are doing (waits, open transactions), for the
    /// message of a request that never answered; SQLite has no such view.
    async fn database_activity(&self) -> String {
        let vitasync::platform::db::Db::Postgres(pool) = &self.db else {
            return "(SQLite)".into();
        };
        let rows = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            sqlx::query_as::<_, (String, Option<String>, Option<String>, String)>(
                "SELECT COALESCE(state, ''), wait_event_type, wait_event, left(query, 200) \
                 FROM pg_stat_activity WHERE datname = current_database() \
                 AND pid <> pg_backend_pid()",
            )
            .fetch_all(pool),
        )
        .await;
        match rows {
            Ok(Ok(rows)) => format!("{} other connection(s): {rows:?}", rows.len()),
            Ok(Err(e)) => format!("could not ask: {e}"),
            Err(_) => "no connection free within 5 s (pool exhausted)".into(),
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
