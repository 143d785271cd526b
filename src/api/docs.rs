//! `/docs/api`: a readable reference of the REST API, rendered in the browser from
//! `/v1/openapi.json` by Redoc's standalone bundle, which the build copies from the npm
//! package into the site (`/api-docs/redoc.standalone.js`); nothing is loaded from a CDN.

use axum::http::header;
use axum::response::IntoResponse;

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>VitaSync API reference</title>
<style>body { margin: 0; } noscript p { font-family: system-ui, sans-serif; padding: 1rem; }</style>
</head>
<body>
<noscript><p>The API reference needs JavaScript. The machine-readable document is at <a href="/v1/openapi.json">/v1/openapi.json</a>.</p></noscript>
<redoc spec-url="/v1/openapi.json" hide-download-button="false" native-scrollbars="true"></redoc>
<script src="/api-docs/redoc.standalone.js"></script>
</body>
</html>
"#;

/// Redoc runs from this site only; the policy also keeps its footer's logo (an image on
/// Redocly's CDN) from being fetched, so reading the reference tells no third party.
const POLICY: &str = "default-src 'self'; script-src 'self'; worker-src 'self' blob:; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

pub async fn reference_page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, POLICY),
        ],
        PAGE,
    )
}
