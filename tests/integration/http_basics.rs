//! Response basics every page gets: protective headers and compression.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

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

both_backends!(
    a_redirecting_page_answers_302_to_every_client,
    |app: TestApp| async move {
        app.setup_owner("owner@example.com", "owner-password").await;
        for accept in ["*/*", "text/html", "application/json"] {
            let req = Request::get("/")
                .header(header::HOST, "localhost")
                .header(header::ACCEPT, accept)
                .body(Body::empty())
                .unwrap();
            let res = app.client().send(req).await;
            assert_eq!(res.status, StatusCode::FOUND, "Accept: {accept}");
            assert!(
                res.header("location")
                    .is_some_and(|l| l.starts_with("/login")),
                "Accept: {accept}: {:?}",
                res.header("location")
            );
        }
        // Without any Accept header at all (uptime monitors).
        let req = Request::get("/")
            .header(header::HOST, "localhost")
            .body(Body::empty())
            .unwrap();
        assert_eq!(app.client().send(req).await.status, StatusCode::FOUND);
    }
);

both_backends!(
    failed_server_functions_answer_the_status_of_their_error,
    |app: TestApp| async move {
        app.setup_owner("owner@example.com", "owner-password").await;
        let c = app.client();
        // Bad input: 422 with the field's message.
        let r = c
            .post_form("/api/auth/login", &[("email", ""), ("password", "x")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("Enter your email address."), "{}", r.body);
        // A wrong password is the person's mistake, not ours.
        let r = c
            .post_form(
                "/api/auth/login",
                &[("email", "owner@example.com"), ("password", "wrong-one")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        // Signed out: 401.
        let r = c.post_form("/api/settings/profile", &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        // Arguments that cannot be read: 400.
        let r = c.post_form("/api/auth/login", &[("nonsense", "1")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        // Setting up twice is a conflict.
        let r = c
            .post_form(
                "/api/auth/setup",
                &[
                    ("workspace_name", "Again"),
                    ("display_name", "Me"),
                    ("email", "again@example.com"),
                    ("password", "long-enough-password"),
                    ("timezone", "UTC"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    }
);

both_backends!(
    pages_carry_a_content_security_policy_with_this_responses_nonce,
    |app: TestApp| async move {
        let first = app.client().get("/setup").await;
        let csp = first.header("content-security-policy").expect("a policy");
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in script-src")
            .to_string();
        assert!(nonce.len() >= 16, "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        // Every inline script of the page carries it.
        let scripts = first.body.matches("<script").count();
        assert!(scripts >= 2, "{}", first.body);
        assert_eq!(
            first.body.matches(&format!("nonce=\"{nonce}\"")).count(),
            scripts,
            "{}",
            first.body
        );
        // A new response, a new nonce.
        let second = app.client().get("/setup").await;
        assert_ne!(
            second.header("content-security-policy").unwrap(),
            csp,
            "nonces are per response"
        );
        // The API reference loads nothing from elsewhere.
        let docs = app.client().get("/docs/api").await;
        let policy = docs.header("content-security-policy").expect("a policy");
        assert!(policy.contains("img-src 'self' data:"), "{policy}");
        assert!(!docs.body.contains("https://"), "{}", docs.body);
        // Plain http (no secure cookies): no HSTS.
        assert!(first.header("strict-transport-security").is_none());
    }
);

both_backends!(
    https_deployments_ask_browsers_to_stay_on_https,
    with |c: &mut vitasync::platform::config::Config| c.secure_cookies = true,
    |app: TestApp| async move {
        let res = app.client().get("/setup").await;
        assert_eq!(
            res.header("strict-transport-security").as_deref(),
            Some("max-age=31536000")
        );
    }
);

both_backends!(unknown_host_names_are_refused, |app: TestApp| async move {
    let get = |host: &'static str| {
        Request::get("/setup")
            .header(header::HOST, host)
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap()
    };
    // A DNS-rebinding page names its own host.
    let res = app.client().send(get("evil.example:3000")).await;
    assert_eq!(res.status, StatusCode::MISDIRECTED_REQUEST);
    assert!(res.body.contains("VITASYNC_PUBLIC_URL"), "{}", res.body);
    for ok in ["localhost:3000", "127.0.0.1:3000", "192.168.1.20:3000"] {
        assert_eq!(
            app.client().send(get(ok)).await.status,
            StatusCode::OK,
            "{ok}"
        );
    }
});

both_backends!(
    the_public_urls_host_is_served,
    with |c: &mut vitasync::platform::config::Config| {
        c.public_url = Some(url::Url::parse("https://health.example.com/").unwrap())
    },
    |app: TestApp| async move {
        let req = Request::get("/setup")
            .header(header::HOST, "health.example.com")
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap();
        assert_eq!(app.client().send(req).await.status, StatusCode::OK);
        let req = Request::get("/setup")
            .header(header::HOST, "other.example.com")
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            app.client().send(req).await.status,
            StatusCode::MISDIRECTED_REQUEST
        );
    }
);

both_backends!(
    form_text_with_a_nul_character_is_refused,
    |app: TestApp| async move {
        let owner = app.setup_owner("owner@example.com", "owner-password").await;
        let r = owner
            .post_form(
                "/api/settings/update-profile",
                &[("display_name", "Olive\u{0}"), ("timezone", "UTC")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("NUL"), "{}", r.body);
        assert_eq!(
            owner.whoami().await.unwrap().display_name.as_deref(),
            Some("Olive Owner")
        );
    }
);
