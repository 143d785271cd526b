//! Signing in and out, first-run setup, joining by invitation and open sign-up, and the
//! signed-in sessions (`auth_sessions`) behind them.

pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;

pub use server_fns::*;

/// Only same-site paths are followed after sign-in (no open redirects).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local_path(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

/// A path on this site and nothing a browser could read as another host: it starts with one
/// `/`, and holds no backslash, whitespace or control character (browsers drop tabs and
/// newlines from URLs and read `\` as `/`, so `/\t/evil.example` would become `//evil.example`).
fn is_local_path(n: &str) -> bool {
    n.starts_with('/')
        && !n.starts_with("//")
        && n.len() <= 2048
        && !n
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/settings")), "/settings");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn paths_a_browser_would_rewrite_to_another_host_are_refused() {
        for hostile in [
            "/\t/evil.example",
            "/\t\\evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/ /evil.example",
            "/\u{0}/evil.example",
            "/x\\..\\evil",
            "/\u{a0}/evil.example",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(
            safe_next(Some("/habits?month=2026-01")),
            "/habits?month=2026-01"
        );
    }
}
