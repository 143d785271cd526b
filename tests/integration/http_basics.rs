//! Response basics every page gets: protective headers and compression.

use axum::body::Body;
use axum::http::{header, Request};

use crate::both_backends;
use crate::harness::TestApp;

both_backends!(
    pages_cannot_be_framed_or_leak_their_address,
    |app: TestApp| async move {
        let res = app.client().get("/setup").await;
        assert_eq!(res.header("x-frame-options").as_deref(), Some("DENY"));
        assert_eq!(
            res.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert_eq!(
            res.header("referrer-policy").as_deref(),
            Some("same-origin")
        );
    }
);

both_backends!(
    responses_are_compressed_when_the_browser_accepts_it,
    |app: TestApp| async move {
        let req = Request::get("/setup")
            .header(header::HOST, "localhost")
            .header(header::ACCEPT, "text/html")
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap();
        let res = app.client().send(req).await;
        assert_eq!(res.header("content-encoding").as_deref(), Some("gzip"));
    }
);
