//! The composition root: builds the app state from the platform and the features' runtime
//! parts, assembles the router (pages, server functions, the REST API, providers' pushes,
//! probes, static files) with its middleware, starts the background tasks and shuts down
//! gracefully. It sits above every feature; `platform/` and `ui/` never import it.

pub mod housekeeping;
mod http_semantics;
mod page_policy;
mod static_files;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::{middleware, Router};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tracing::Level;

use crate::api::auth::ApiRuntime;
use crate::app::{shell, App};
use crate::auth::session::{load_current_user, IDLE_TIMEOUT_HOURS};
use crate::connections::engine::{self, Engine};
use crate::connections::registry::Registry;
use crate::platform::config::Config;
use crate::platform::db::Db;
use crate::platform::health;
use crate::platform::host_check::host_check;
use crate::platform::origin_check::origin_check;
use crate::platform::session_store::DbSessionStore;
use crate::platform::state::AppState;

/// Reads the Leptos runtime configuration: `Leptos.toml` from the working directory when present,
/// else the copy built into the binary; `LEPTOS_*` variables always win.
pub fn leptos_options() -> Result<LeptosOptions, String> {
    let text = std::fs::read_to_string("Leptos.toml")
        .unwrap_or_else(|_| include_str!("../../Leptos.toml").to_string());
    leptos::config::get_config_from_str(&text).map_err(|e| format!("Leptos configuration: {e}"))
}

/// Connects to the database, applies migrations and prepares the session store.
pub async fn prepare(config: Config, leptos_options: LeptosOptions) -> Result<AppState, String> {
    let db = Db::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    DbSessionStore::new(&db)
        .migrate()
        .await
        .map_err(|e| format!("session store migration failed: {e}"))?;
    // The server reaches itself (the demo provider) on the loopback address it listens on.
    let port = leptos_options.site_addr.port();
    let self_url = url::Url::parse(&format!("http://127.0.0.1:{port}/")).expect("loopback URL");
    let registry = Arc::new(Registry::from_config(&config, &self_url));
    let engine = Arc::new(Engine::new(db.clone(), config.keys.clone(), registry));
    let api = Arc::new(ApiRuntime::new(config.api_rate_limit));
    Ok(AppState::new(db, Arc::new(config), leptos_options)
        .with_part(engine)
        .with_part(api))
}

/// The app's page routes, listed once per process. Listing renders the app with a process-wide
/// "don't load resources" switch on (leptos_server's `SuppressResourceLoad`): a page rendered
/// by another router in the same process at that moment (the test suite builds one per story)
/// creates resources that never load, and its response never comes.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState) -> Router {
    let routes = route_list();
    crate::ui::assets::Assets::of(&state.leptos_options);
    let context_state = state.clone();
    let options = state.leptos_options.clone();

    // `__Host-` pins the cookie to this exact host over https; browsers reject it without Secure.
    let cookie_name = if state.config.secure_cookies {
        "__Host-vitasync_session"
    } else {
        "vitasync_session"
    };
    let sessions = SessionManagerLayer::new(DbSessionStore::new(&state.db))
        .with_name(cookie_name)
        .with_secure(state.config.secure_cookies)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(
            IDLE_TIMEOUT_HOURS,
        )));

    // Pages and server functions: the only routes that read the session or change state. Static
    // files and probes skip these layers, so a wasm download costs no session lookups.
    let app = Router::new()
        .route(
            "/export/health/{file}",
            get(crate::health::export::metric_csv),
        )
        .route(
            "/connections/{provider}/connect",
            axum::routing::post(crate::connections::routes::connect),
        )
        .route(
            "/imports/apple-health",
            axum::routing::post(crate::apple_health::routes::upload).layer(
                axum::extract::DefaultBodyLimit::max(crate::apple_health::routes::body_limit(
                    &state.config.imports,
                )),
            ),
        )
        .route(
            "/connect/{token}",
            axum::routing::post(crate::connections::routes::answer_handoff),
        )
        .route(
            "/connections/{provider}/callback",
            get(crate::connections::routes::callback),
        )
        .route(
            "/demo-provider/authorize",
            get(crate::demo_provider::authorize::consent_page)
                .post(crate::demo_provider::authorize::decide),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(context_state.clone());
                page_policy::provide();
            },
            move || shell(options.clone()),
        )
        .route_layer(middleware::from_fn(http_semantics::refuse_nul_in_forms))
        .route_layer(middleware::from_fn(http_semantics::server_fn_status))
        .route_layer(middleware::from_fn(http_semantics::form_post_outcome))
        .route_layer(middleware::from_fn(crate::platform::request::tag_request))
        .route_layer(middleware::from_fn(http_semantics::page_redirect_status))
        .route_layer(middleware::from_fn_with_state(state.clone(), origin_check))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            load_current_user,
        ))
        .route_layer(sessions);

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        // The demo provider's machine-to-machine endpoints: called by OAuth clients with their
        // own credentials, never with a browser session.
        .merge(crate::demo_provider::machine_routes())
        // The REST API authenticates every request with an API key, never a session cookie,
        // so it sits outside the session and Origin-check layers.
        .merge(crate::api::router())
        // Providers' notifications: authenticated by their signatures, never by a session.
        .route(
            "/push/{provider}",
            get(crate::connections::push_routes::receive)
                .post(crate::connections::push_routes::receive)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::connections::push_routes::MAX_BODY_BYTES,
                )),
        )
        .merge(app)
        // Static files, and the 404 page for everything else (which changes nothing).
        .fallback(static_files::fallback)
        // Only host names we know (DNS rebinding).
        .layer(middleware::from_fn_with_state(state.clone(), host_check))
        // Pages are never framed (clickjacking), never sniffed, and their URLs (which can carry
        // one-time invitation tokens) never leak to other sites through Referer.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // Over https (secure cookies), browsers keep to https for a year.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            state
                .config
                .secure_cookies
                .then(|| HeaderValue::from_static("max-age=31536000")),
        ))
        // Pages and API answers are compressed on the fly; the site's files were compressed when built.
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http()
                // The path only (query strings can carry secrets: providers' push tokens), and
                // invitation links' tokens cut out.
                .make_span_with(|req: &axum::http::Request<axum::body::Body>| {
                    let path = http_semantics::loggable_path(req.uri().path());
                    tracing::info_span!("request", method = %req.method(), %path)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// Serves until SIGTERM or Ctrl-C, then finishes in-flight requests and closes the pool.
pub async fn serve(state: AppState) -> Result<(), String> {
    let addr = state.leptos_options.site_addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr} (LEPTOS_SITE_ADDR): {e}"))?;
    housekeeping::spawn(state.db.clone());
    crate::insights::worker::spawn(state.db.clone());
    // Uploads a stopped server left behind are not going to be imported.
    if let Ok(mut dir) = tokio::fs::read_dir(state.config.data_dir.join("imports")).await {
        while let Ok(Some(entry)) = dir.next_entry().await {
            tokio::fs::remove_file(entry.path()).await.ok();
        }
    }
    match crate::apple_health::import::repo::interrupted(&state.db, chrono::Utc::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            imports = n,
            "imports interrupted by the last stop marked failed"
        ),
        Err(e) => tracing::error!(error = %e, "could not check for interrupted imports"),
    }
    engine::spawn((**state.engine()).clone());
    crate::connections::push_subscriptions::spawn(
        (**state.engine()).clone(),
        state.config.public_origin(),
    );
    crate::webhooks::sender::spawn(crate::webhooks::sender::Sender::new(
        state.db.clone(),
        state.config.keys.clone(),
        crate::platform::egress::Policy {
            allow_private: state.config.allow_private_webhooks,
        },
    ));
    let db = state.db.clone();
    // Registered before "listening" is announced: a SIGTERM right after start-up must still
    // take the graceful path rather than the default (immediate) one.
    let shutdown = shutdown_signal();
    tracing::info!(%addr, backend = ?db.backend(), "VitaSync listening on http://{addr}");
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(|e| format!("server error: {e}"))?;
    db.close().await;
    tracing::info!("shut down cleanly");
    Ok(())
}

fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let term = async {
            match term.as_mut() {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = term => {},
        }
        tracing::info!("shutdown signal received; finishing in-flight requests");
    }
}
