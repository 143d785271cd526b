//! The Content-Security-Policy of every rendered page. Scripts run only from this site or with
//! the nonce Leptos puts on the hydration and streaming scripts of this one response (and on
//! the theme script in the head); the WebAssembly bundle may compile; nothing is framed,
//! nothing is fetched from another site.

use axum::http::{header, HeaderValue};
use leptos::nonce::use_nonce;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// The policy for a page rendered with `nonce`.
pub fn policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
}

/// Called in every page render's context: sets the header with this render's nonce. (Server
/// functions get no nonce and no header.)
pub fn provide() {
    let (Some(nonce), Some(res)) = (use_nonce(), use_context::<ResponseOptions>()) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&policy(&nonce)) {
        res.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn scripts_need_the_nonce_and_nothing_comes_from_elsewhere() {
        let p = super::policy("abc");
        assert!(p.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(!p.contains("unsafe-eval'") || p.contains("wasm-unsafe-eval"));
        assert!(!p.contains("http"), "no other origin is named: {p}");
        assert!(p.contains("frame-ancestors 'none'"));
    }
}
