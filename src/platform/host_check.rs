//! Which `Host` a request may name. Links in emails, OAuth callback URLs and the same-site
//! check are built from the host people use; a name we were never told about is a DNS-
//! rebinding page (`evil.example` resolving to this machine) talking to us from a victim's
//! browser. So: the configured public URL's host, `localhost` and IP addresses are served;
//! another name is refused (421) with the way to allow it.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::state::AppState;

pub async fn host_check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
        .unwrap_or_default();
    let public_host = state
        .config
        .public_url
        .as_ref()
        .and_then(|u| u.host_str().map(str::to_string));
    if allowed(host, public_host.as_deref()) {
        return next.run(req).await;
    }
    tracing::warn!(host, "request for an unknown host name refused");
    (
        StatusCode::MISDIRECTED_REQUEST,
        "This server does not answer to that host name. If you reach VitaSync by this name, \
         set VITASYNC_PUBLIC_URL to its address (for example https://health.example.com).",
    )
        .into_response()
}

/// The host part of a `Host` header (`name`, `name:port`, `[v6]:port`), lower-cased.
fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

pub fn allowed(host: &str, public_host: Option<&str>) -> bool {
    let name = host_name(host);
    // Browsers always name the host; a request without one is a local tool's.
    name.is_empty()
        || name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<std::net::IpAddr>().is_ok()
        || public_host.is_some_and(|p| p.trim_matches(['[', ']']).eq_ignore_ascii_case(&name))
}

#[cfg(test)]
mod tests {
    use super::allowed;

    #[test]
    fn addresses_localhost_and_the_public_name_are_served() {
        for ok in [
            "localhost",
            "localhost:3000",
            "127.0.0.1:3000",
            "192.168.1.20",
            "[::1]:3000",
            "app.localhost:3000",
            "",
        ] {
            assert!(allowed(ok, None), "{ok}");
        }
        assert!(allowed("Health.Example.com", Some("health.example.com")));
        assert!(allowed(
            "health.example.com:443",
            Some("health.example.com")
        ));
    }

    #[test]
    fn other_names_are_refused() {
        for bad in [
            "evil.example",
            "evil.example:3000",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
        ] {
            assert!(!allowed(bad, None), "{bad}");
        }
        assert!(!allowed("evil.example", Some("health.example.com")));
    }
}
